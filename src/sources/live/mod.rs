//! The live cluster as a [`Source`] for the terminal UI: the kubeconfig as kubectl resolves
//! it, watched, with the opt-in live actions and `:ctx`/`:ns`.
//!
//! The UI's loop runs on its own current-thread runtime; the watchers run on a separate
//! two-thread runtime ([`crate::runtime::background`]) owned by a background thread, so
//! decoding 50,000 pods never stalls a frame. Between them only [`SourceEvent`]s travel: the
//! feeder ([`feed`]) rebuilds on the schedule of [`Pacing`]; the AWS side is read beside the
//! rebuilds ([`aws_feed`]).

mod aws_feed;
mod feed;
mod pacing;

pub use aws_feed::AWS_RETRY;
pub use pacing::{FIRST_FRAME_DEADLINE, MAX_REBUILDS_PER_SECOND, Pacing, REBUILD_SHARE};

use super::source::Source;
use crate::messages::{
    ActionOutcome, Capabilities, DataOrigin, RequestKind, SourceEvent, SourceRequest,
};
use crate::sources::aws::{AwsOptions, AwsSource, AwsStartError, region_from_context};
use crate::sources::kube::{self, ConnectError, ConnectOptions, Connection, token};
use crate::tone::Tone;
use feed::feed;
use jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;
use tokio::sync::mpsc;

/// How long the start-up credentials check may take before the UI opens anyway (the AWS side
/// then says what it found in the header and status line).
pub const AWS_START_CHECK: Duration = Duration::from_secs(5);

/// Why the live source could not start (before the UI opens).
#[derive(Debug, Error)]
pub enum LiveStartError {
    #[error("cannot start the background runtime: {0}")]
    Runtime(#[from] std::io::Error),
    #[error(transparent)]
    Connect(#[from] ConnectError),
    #[error(transparent)]
    Aws(#[from] AwsStartError),
}

/// Feeds the UI from the watchers and runs the opt-in live actions. Dropping it (the UI quit)
/// ends the runtime thread, and with it every task.
pub struct LiveSource {
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
        let reads_only = matches!(
            request.kind,
            RequestKind::AskAws(_) | RequestKind::CloudTrail { .. }
        );
        if self.read_only && !reads_only {
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

impl LiveSource {
    /// Connects to the cluster `options` name (kubeconfig problems — no file, unknown context —
    /// are start-up errors, reported before the UI opens) and, with `aws`, to AWS (expired
    /// credentials stop the start with the command to run, unless AWS does not answer the
    /// check within [`AWS_START_CHECK`]: a hanging endpoint must not keep the UI from opening).
    pub fn connect(
        options: ConnectOptions,
        aws: Option<AwsOptions>,
        read_only: bool,
        now_flag: Option<Timestamp>,
    ) -> Result<(DataOrigin, LiveSource), LiveStartError> {
        let runtime = crate::runtime::background()?;
        let connection = runtime.block_on(kube::connect(&options))?;
        let origin = DataOrigin::Live(connection.context.clone());
        // The AWS side is read by the feeder after each rebuild (cached by ARN with a TTL, so
        // rebuilds cost no AWS call; `r` empties the cache).
        let aws = match aws {
            Some(mut aws_options) => {
                if aws_options.region.is_none() {
                    aws_options.region =
                        region_from_context(&connection.context).map(str::to_owned);
                }
                Some(Arc::new(runtime.block_on(AwsSource::connect_within(
                    aws_options,
                    None,
                    Some(AWS_START_CHECK),
                ))?))
            }
            None => None,
        };
        // The runtime lives on its own thread until the source is dropped (a runtime must not
        // be dropped inside the UI's async context); feeders and actions run on its handle.
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
            LiveSource {
                handle,
                _stop: stop,
                options,
                has_kubeconfig,
                now_flag,
                aws,
                read_only,
                feeding: Arc::new(std::sync::Mutex::new(Feeding {
                    connection,
                    feed: None,
                    refresh: None,
                })),
            },
        ))
    }
}
