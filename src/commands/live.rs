//! The live cluster: the kubeconfig as kubectl resolves it, listed once for one-shot commands
//! ([`inventory`]) or watched for the terminal UI ([`ui_source`]).
//!
//! The UI's loop runs on its own current-thread runtime; the watchers run on a separate
//! two-thread runtime owned by a background thread, so decoding 50,000 pods never stalls a
//! frame. Between them only [`SourceEvent`]s travel: after every burst of "changed" signals the
//! feeder builds an inventory from the stores, analyses it and derives the rows off the UI
//! thread, at most [`MAX_REBUILDS_PER_SECOND`] times a second.

use crate::cli::SourceArgs;
use anyhow::Result;
use irsa_inspector::app::Source;
use irsa_inspector::event::{DataOrigin, Dataset, Prepared, SourceEvent};
use irsa_inspector::model::Inventory;
use irsa_inspector::sources::aws::{AwsSource, EnrichRequest, region_from_context};
use irsa_inspector::sources::kube::{
    self, CHANNEL_CAPACITY, ConnectOptions, Connection, KubeSource,
};
use jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// How long a one-shot command waits for the API server and the initial lists.
const PATIENCE: Duration = Duration::from_secs(60);
/// Under churn, the UI's data is rebuilt at most this often.
const MAX_REBUILDS_PER_SECOND: u32 = 4;
/// Show what is there (with what is missing named) if the cluster has not settled by then.
const FIRST_FRAME_DEADLINE: Duration = Duration::from_secs(5);

/// `--kubeconfig`, `--context`, `--namespace` as connection options.
pub fn options(source: &SourceArgs) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: source.kubeconfig.clone(),
        context: source.context.clone(),
        namespace: source.namespace.clone(),
    }
}

/// A tokio runtime for the Kubernetes client.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// The live cluster's inventory (Kubernetes side; AWS facts unknown).
pub fn inventory(source: &SourceArgs) -> Result<Inventory> {
    let options = options(source);
    runtime()?.block_on(async {
        let connection = kube::connect(&options).await?;
        Ok(kube::load_once(connection, PATIENCE).await?)
    })
}

/// The UI's origin and source for the live cluster. Kubeconfig problems (no file, unknown
/// context) are start-up errors, reported before the UI opens.
pub fn ui_source(
    source: &SourceArgs,
    now_flag: Option<Timestamp>,
) -> Result<(DataOrigin, Box<dyn Source>)> {
    let runtime = runtime()?;
    let connection = runtime.block_on(kube::connect(&options(source)))?;
    let origin = DataOrigin::Live(connection.context.clone());
    // --aws: the AWS side is read by the feeder after each rebuild (cached by ARN with a TTL,
    // so rebuilds cost no AWS call; `r` empties the cache).
    let aws = if source.aws {
        let mut options = super::aws_options(source);
        if options.region.is_none() {
            options.region = region_from_context(&connection.context).map(str::to_owned);
        }
        Some(Arc::new(
            runtime.block_on(AwsSource::connect(options, None))?,
        ))
    } else {
        None
    };
    Ok((
        origin,
        Box::new(LiveSource {
            runtime: std::sync::Mutex::new(Some(runtime)),
            connection,
            now_flag,
            refresh: std::sync::Mutex::new(None),
            aws,
        }),
    ))
}

/// Feeds the UI from the watchers. Dropping it (the UI quit) ends the feeder.
struct LiveSource {
    /// Taken by `start` and moved to the feeder's thread (a runtime must not be dropped
    /// inside the UI's async context).
    runtime: std::sync::Mutex<Option<tokio::runtime::Runtime>>,
    connection: Connection,
    now_flag: Option<Timestamp>,
    refresh: std::sync::Mutex<Option<mpsc::Sender<()>>>,
    /// The AWS side, when `--aws` is given.
    aws: Option<Arc<AwsSource>>,
}

impl Source for LiveSource {
    fn start(&self, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let Some(runtime) = self.runtime.lock().ok().and_then(|mut r| r.take()) else {
            return;
        };
        let (refresh_tx, refresh_rx) = mpsc::channel(1);
        if let Ok(mut slot) = self.refresh.lock() {
            *slot = Some(refresh_tx);
        }
        let connection = self.connection.clone();
        let tx = tx.clone();
        let now_flag = self.now_flag;
        let aws = self.aws.clone();
        std::thread::spawn(move || {
            runtime.block_on(feed(connection, now_flag, tx, refresh_rx, aws));
        });
    }

    fn refresh(&self, _tx: &mpsc::UnboundedSender<SourceEvent>) {
        if let Ok(slot) = self.refresh.lock()
            && let Some(refresh) = slot.as_ref()
        {
            // Full: a refresh is already pending.
            let _ = refresh.try_send(());
        }
    }
}

/// Watches the cluster and sends a prepared dataset after changes, throttled.
async fn feed(
    connection: Connection,
    now_flag: Option<Timestamp>,
    tx: mpsc::UnboundedSender<SourceEvent>,
    mut refresh: mpsc::Receiver<()>,
    aws: Option<Arc<AwsSource>>,
) {
    let (events_tx, mut events) = mpsc::channel(CHANNEL_CAPACITY);
    let source = KubeSource::start(connection, events_tx);
    let gap = Duration::from_secs(1) / MAX_REBUILDS_PER_SECOND;
    let started = Instant::now();
    let mut last_build: Option<Instant> = None;
    let mut dirty = false;
    loop {
        let ready = source.is_settled() || started.elapsed() >= FIRST_FRAME_DEADLINE;
        let next_build = match last_build {
            Some(at) => at + gap,
            None if source.is_settled() => Instant::now(),
            None => started + FIRST_FRAME_DEADLINE,
        };
        tokio::select! {
            event = events.recv() => match event {
                Some(_) => dirty = true,
                None => return,
            },
            request = refresh.recv() => match request {
                Some(()) => {
                    dirty = true;
                    last_build = None;
                    if let Some(aws) = &aws {
                        aws.refresh();
                    }
                }
                None => return,
            },
            () = tokio::time::sleep_until(next_build), if (dirty || last_build.is_none()) && ready => {
                dirty = false;
                last_build = Some(Instant::now());
                let t0 = std::time::Instant::now();
                let mut inventory = source.inventory();
                let inventory_ms = t0.elapsed().as_millis();
                if let Some(aws) = &aws {
                    aws.enrich(&EnrichRequest::from_inventory(&inventory))
                        .await
                        .merge_into(&mut inventory);
                }
                let prepared = tokio::task::spawn_blocking(move || {
                    let now = now_flag.unwrap_or_else(Timestamp::now);
                    let t1 = std::time::Instant::now();
                    let dataset = Dataset::analyse(inventory, now, Timestamp::now());
                    let analyse_ms = t1.elapsed().as_millis();
                    let t2 = std::time::Instant::now();
                    let prepared = Prepared::new(dataset);
                    tracing::info!(
                        inventory_ms,
                        analyse_ms,
                        rows_ms = t2.elapsed().as_millis(),
                        pods = prepared.dataset.inventory.pods.len(),
                        "dataset sent"
                    );
                    prepared
                })
                .await;
                let event = match prepared {
                    Ok(p) => SourceEvent::Prepared(Box::new(p)),
                    Err(e) => SourceEvent::Failed { message: format!("the analysis crashed: {e}") },
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        }
    }
}
