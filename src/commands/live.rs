//! The live cluster: the kubeconfig as kubectl resolves it, listed once for one-shot commands
//! ([`inventory`]) or watched for the terminal UI ([`ui_source`]).
//!
//! The UI's loop runs on its own current-thread runtime; the watchers run on a separate
//! two-thread runtime owned by a background thread, so decoding 50,000 pods never stalls a
//! frame. Between them only [`SourceEvent`]s travel: after every burst of "changed" signals the
//! feeder builds an inventory from the stores, analyses it and derives the rows off the UI
//! thread, at most [`MAX_REBUILDS_PER_SECOND`] times a second, and never spending more than
//! about a third of the time rebuilding ([`REBUILD_SHARE`]): a 50,000-pod cluster under
//! steady churn takes ~0.35 s a rebuild, which four times a second would keep both cores busy
//! for good.
//!
//! With `--aws` the AWS side is read beside the rebuilds, never in front of them ([`AwsFeed`]):
//! the Kubernetes side shows first (header: `AWS loading…`), each rebuild merges the latest AWS
//! answer, and a new read starts when the rebuild asks for other roles or instances. A read
//! that met timeouts, throttling or unreadable answers is asked again after [`AWS_RETRY`] (a
//! good one after the cache's TTL, so AWS-side changes show without a key); one
//! whose credentials were rejected keeps the last good answer on screen, marked stale since
//! the first rejection ([`LastKnown`]), and is asked again after [`AWS_RETRY`] too, so a
//! `aws sso login` in another terminal is picked up by itself.

use crate::cli::SourceArgs;
use anyhow::Result;
use irsa_inspector::app::Source;
use irsa_inspector::effect::SourceRequest;
use irsa_inspector::event::{ActionOutcome, DataOrigin, Dataset, Prepared, SourceEvent};
use irsa_inspector::model::Inventory;
use irsa_inspector::sources::aws::{
    AwsSource, AwsStatus, EnrichRequest, Enrichment, LastKnown, region_from_context,
};
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
/// Under churn, a rebuild starts at least this many times its predecessor's duration after it
/// started (so rebuilding takes at most a third of the time).
const REBUILD_SHARE: u32 = 3;
/// Show what is there (with what is missing named) if the cluster has not settled by then.
const FIRST_FRAME_DEADLINE: Duration = Duration::from_secs(5);
/// After an AWS read that failed in a way that may pass (timeout, throttling, rejected
/// credentials), AWS is asked again after this long.
const AWS_RETRY: Duration = Duration::from_secs(30);
/// How long the start-up credentials check may take before the UI opens anyway (the AWS side
/// then says what it found in the header and status line).
const AWS_START_CHECK: Duration = Duration::from_secs(5);

/// `--kubeconfig`, `--context`, `--namespace` as connection options.
pub fn options(source: &SourceArgs) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: source.kubeconfig.clone(),
        context: source.context.clone(),
        namespace: source.namespace.clone(),
        ..ConnectOptions::default()
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
        // Expired credentials stop the start with the command to run, unless AWS does not
        // answer the check in time: a hanging endpoint must not keep the UI from opening.
        Some(Arc::new(runtime.block_on(AwsSource::connect_within(
            options,
            None,
            Some(AWS_START_CHECK),
        ))?))
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

/// The AWS side of one feeder: one read at a time, run beside the rebuilds.
struct AwsFeed {
    source: Arc<AwsSource>,
    last: LastKnown,
    /// What rebuilds merge: the latest answer (or the last good one while stale).
    shown: Option<Enrichment>,
    /// The request of the read under way or last made, and the newest one wanted.
    asked: Option<EnrichRequest>,
    wanted: Option<EnrichRequest>,
    running: Option<tokio::task::JoinHandle<()>>,
    done_tx: mpsc::Sender<Enrichment>,
    /// When to read again, and whether to forget the cached answers first: [`AWS_RETRY`] after
    /// a read that may pass next time (cache emptied), else the cache's TTL after the last
    /// read (only what expired is asked again).
    again_at: Option<(Instant, bool)>,
}

impl AwsFeed {
    fn new(source: Arc<AwsSource>, done_tx: mpsc::Sender<Enrichment>) -> Self {
        Self {
            source,
            last: LastKnown::default(),
            shown: None,
            asked: None,
            wanted: None,
            running: None,
            done_tx,
            again_at: None,
        }
    }

    /// Notes what the latest rebuild needs; starts a read if it differs from the last one.
    fn want(&mut self, request: EnrichRequest) {
        self.wanted = Some(request);
        self.start_if_needed();
    }

    fn start_if_needed(&mut self) {
        if self.running.is_some() || self.wanted.is_none() || self.wanted == self.asked {
            return;
        }
        let Some(request) = self.wanted.clone() else {
            return;
        };
        self.asked = Some(request.clone());
        let (source, done) = (Arc::clone(&self.source), self.done_tx.clone());
        self.running = Some(tokio::spawn(async move {
            let enrichment = source.enrich(&request).await;
            let _ = done.send(enrichment).await;
        }));
    }

    /// Reads again, forgetting the cached answers first when `clear` (the `r` key, a retry).
    fn ask_again(&mut self, clear: bool) {
        if clear {
            self.source.refresh();
        }
        self.asked = None;
        self.again_at = None;
        self.start_if_needed();
    }

    /// A read finished: what to show, and the status for the header.
    fn finished(&mut self, enrichment: Enrichment) -> AwsStatus {
        self.running = None;
        let (shown, status) = self.last.update(enrichment, Timestamp::now());
        self.again_at = Some(if shown.retry_soon {
            (Instant::now() + AWS_RETRY, true)
        } else {
            (Instant::now() + self.source.ttl(), false)
        });
        self.shown = Some(shown);
        self.start_if_needed();
        status
    }
}

impl Drop for AwsFeed {
    fn drop(&mut self) {
        if let Some(task) = &self.running {
            task.abort();
        }
    }
}

/// Hands the memory a rebuild freed back to the system. glibc keeps freed chunks in the arena
/// of the thread that freed them (the watchers decode LIST pages on tokio's workers, the
/// analysis runs on a blocking thread and rayon's), so without this the RSS of a big cluster
/// holds every thread's high-water mark at once. Measured in BENCHMARKS.md; a no-op elsewhere.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas and returns unused pages; it has no
    // preconditions and touches no Rust-owned memory.
    unsafe {
        libc::malloc_trim(0);
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
    let (done_tx, mut done) = mpsc::channel(1);
    let mut aws = aws.map(|a| AwsFeed::new(a, done_tx));
    if aws.is_some() {
        let _ = tx.send(SourceEvent::AwsStatus(AwsStatus::Loading));
    }
    let gap = Duration::from_secs(1) / MAX_REBUILDS_PER_SECOND;
    let started = Instant::now();
    let mut last_build: Option<Instant> = None;
    let mut last_cost = Duration::ZERO;
    let mut dirty = false;
    loop {
        let ready = source.is_settled() || started.elapsed() >= FIRST_FRAME_DEADLINE;
        let next_build = match last_build {
            Some(at) => at + gap.max(last_cost * REBUILD_SHARE),
            None if source.is_settled() => Instant::now(),
            None => started + FIRST_FRAME_DEADLINE,
        };
        let again_at = aws.as_ref().and_then(|a| a.again_at);
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
                    if let Some(aws) = &mut aws {
                        aws.ask_again(true);
                    }
                }
                None => return,
            },
            Some(enrichment) = done.recv() => {
                if let Some(aws) = &mut aws {
                    let status = aws.finished(enrichment);
                    let _ = tx.send(SourceEvent::AwsStatus(status));
                }
                dirty = true;
            },
            () = tokio::time::sleep_until(again_at.map_or_else(Instant::now, |(at, _)| at)), if again_at.is_some() => {
                if let (Some(aws), Some((_, clear))) = (&mut aws, again_at) {
                    aws.ask_again(clear);
                }
            },
            () = tokio::time::sleep_until(next_build), if (dirty || last_build.is_none()) && ready => {
                dirty = false;
                last_build = Some(Instant::now());
                let t0 = std::time::Instant::now();
                let mut inventory = source.inventory();
                let inventory_ms = t0.elapsed().as_millis();
                if let Some(aws) = &mut aws {
                    aws.want(EnrichRequest::from_inventory(&inventory));
                    if let Some(shown) = &aws.shown {
                        shown.clone().merge_into(&mut inventory);
                    }
                }
                // What the watchers freed since the last rebuild (LIST pages, replaced pods).
                give_back_freed_memory();
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
                last_cost = t0.elapsed();
                // And the analysis' temporaries.
                give_back_freed_memory();
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
