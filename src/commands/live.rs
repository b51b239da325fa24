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
use irsa_inspector::effect::SourceRequest;
use irsa_inspector::event::{ActionOutcome, DataOrigin, Dataset, Prepared, SourceEvent};
use irsa_inspector::model::Inventory;
use irsa_inspector::sources::aws::{AwsSource, EnrichRequest, region_from_context};
use irsa_inspector::sources::kube::{
    self, CHANNEL_CAPACITY, ConnectOptions, Connection, KubeEvent, KubeSource, token,
};
use irsa_inspector::state::{Capabilities, Tone};
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
    let options = options(source);
    let connection = runtime.block_on(kube::connect(&options))?;
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
    // The runtime lives on its own thread until the source is dropped (a runtime must not be
    // dropped inside the UI's async context); feeders and actions are spawned on its handle.
    let handle = runtime.handle().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        runtime.block_on(async {
            let _ = stopped.await;
        });
    });
    let has_kubeconfig = connection.context != "in-cluster";
    Ok((
        origin,
        Box::new(LiveSource {
            handle,
            _stop: stop,
            options,
            has_kubeconfig,
            now_flag,
            aws,
            read_only: source.read_only,
            feeding: Arc::new(std::sync::Mutex::new(Feeding {
                connection,
                feed: None,
                refresh: None,
            })),
        }),
    ))
}

/// Feeds the UI from the watchers and runs the opt-in live actions. Dropping it (the UI quit)
/// ends the runtime thread, and with it every task.
struct LiveSource {
    handle: tokio::runtime::Handle,
    /// Dropped with the source: the runtime thread ends.
    _stop: tokio::sync::oneshot::Sender<()>,
    /// The command line's kubeconfig options (`:ctx` changes only the context).
    options: ConnectOptions,
    has_kubeconfig: bool,
    now_flag: Option<Timestamp>,
    /// The AWS side, when `--aws` is given.
    aws: Option<Arc<AwsSource>>,
    /// `--read-only`: no live action is ever sent.
    read_only: bool,
    feeding: Arc<std::sync::Mutex<Feeding>>,
}

/// The connection being watched and its feeder.
struct Feeding {
    connection: Connection,
    feed: Option<tokio::task::JoinHandle<()>>,
    refresh: Option<mpsc::Sender<()>>,
}

impl Feeding {
    /// Stops the current feeder (its KubeSource and watches go with it) and feeds from
    /// `connection` instead.
    fn restart(
        &mut self,
        handle: &tokio::runtime::Handle,
        connection: Connection,
        tx: &mpsc::UnboundedSender<SourceEvent>,
        now_flag: Option<Timestamp>,
        aws: Option<Arc<AwsSource>>,
    ) {
        if let Some(old) = self.feed.take() {
            old.abort();
        }
        let (refresh_tx, refresh_rx) = mpsc::channel(1);
        self.refresh = Some(refresh_tx);
        self.connection = connection.clone();
        self.feed = Some(handle.spawn(feed(connection, now_flag, tx.clone(), refresh_rx, aws)));
    }
}

impl Source for LiveSource {
    fn start(&self, tx: &mpsc::UnboundedSender<SourceEvent>) {
        self.restart_feeding(tx, |_| {});
    }

    fn refresh(&self, _tx: &mpsc::UnboundedSender<SourceEvent>) {
        if let Ok(feeding) = self.feeding.lock()
            && let Some(refresh) = feeding.refresh.as_ref()
        {
            // Full: a refresh is already pending.
            let _ = refresh.try_send(());
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            live_actions: true,
            aws: self.aws.is_some(),
            read_only: self.read_only,
            contexts: self.has_kubeconfig,
        }
    }

    fn request(&self, request: SourceRequest, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let tx = tx.clone();
        if self.read_only {
            // The state never asks under --read-only; this is the second lock on the door.
            let _ = tx.send(SourceEvent::ActionResult {
                id: request.id,
                outcome: Box::new(ActionOutcome::Unavailable(
                    "disabled by --read-only".to_owned(),
                )),
            });
            return;
        }
        let Ok(client) = self.feeding.lock().map(|f| f.connection.client.clone()) else {
            return;
        };
        let aws = self.aws.clone();
        self.handle.spawn(async move {
            let outcome = token::run_request(&client, aws.as_deref(), &request.kind).await;
            let _ = tx.send(SourceEvent::ActionResult {
                id: request.id,
                outcome: Box::new(outcome),
            });
        });
    }

    fn switch_context(&self, name: String, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let options = ConnectOptions {
            context: Some(name),
            ..self.options.clone()
        };
        let (tx, handle, feeding) = (tx.clone(), self.handle.clone(), Arc::clone(&self.feeding));
        let (now_flag, aws) = (self.now_flag, self.aws.clone());
        self.handle.spawn(async move {
            match kube::connect(&options).await {
                Ok(connection) => {
                    if let Some(aws) = &aws {
                        // Another cluster: forget the previous one's AWS answers.
                        aws.refresh();
                    }
                    let context = connection.context.clone();
                    let _ = tx.send(SourceEvent::ContextSwitched { context });
                    if let Ok(mut feeding) = feeding.lock() {
                        feeding.restart(&handle, connection, &tx, now_flag, aws);
                    }
                }
                Err(e) => {
                    let _ = tx.send(SourceEvent::Notice {
                        tone: Tone::Bad,
                        text: format!("{e} — still showing the current context"),
                    });
                }
            }
        });
    }

    fn list_contexts(&self, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let current = self
            .feeding
            .lock()
            .map(|f| f.connection.context.clone())
            .unwrap_or_default();
        let event = match kube::config::context_names(&self.options) {
            Ok((names, _)) => SourceEvent::Notice {
                tone: Tone::Plain,
                text: format!(
                    "contexts: {} (current: {current}) — :ctx NAME switches",
                    names.join(", ")
                ),
            },
            Err(e) => SourceEvent::Notice {
                tone: Tone::Bad,
                text: e.to_string(),
            },
        };
        let _ = tx.send(event);
    }

    fn watch_namespace(&self, namespace: Option<String>, tx: &mpsc::UnboundedSender<SourceEvent>) {
        self.restart_feeding(tx, |connection| connection.namespace = namespace);
    }
}

impl LiveSource {
    /// Restarts the feeder on the current connection, changed by `change` first.
    fn restart_feeding(
        &self,
        tx: &mpsc::UnboundedSender<SourceEvent>,
        change: impl FnOnce(&mut Connection),
    ) {
        if let Ok(mut feeding) = self.feeding.lock() {
            let mut connection = feeding.connection.clone();
            change(&mut connection);
            feeding.restart(
                &self.handle,
                connection,
                tx,
                self.now_flag,
                self.aws.clone(),
            );
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
                Some(event) => {
                    dirty = true;
                    // Statuses reach the header at once (a "reconnecting" badge must not wait
                    // for a rebuild that only happens once the connection is back).
                    if let KubeEvent::Status(resource, status) = event {
                        let _ = tx.send(SourceEvent::WatchStatus { resource, status });
                    }
                }
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
