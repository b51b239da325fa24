//! The live source pointed at a stand-in server through a generated kubeconfig, as a user
//! would run it, and waiting on its events.

use super::apiserver::StandIn;
use irsa_inspector::sources::kube::{
    CHANNEL_CAPACITY, ConnectOptions, KubeEvent, KubeSource, connect,
};
use serde_json::Value;
use std::time::Duration;
use tempfile::TempDir;
use tokio::sync::mpsc;

/// How long a test waits for the source to reach a state before failing.
pub const PATIENCE: Duration = Duration::from_secs(20);

/// A stand-in server, the live source watching it, and the source's events.
pub struct Live {
    pub server: StandIn,
    pub source: KubeSource,
    pub events: mpsc::Receiver<KubeEvent>,
    /// Every event received so far, in order.
    pub seen: Vec<KubeEvent>,
    pub dir: TempDir,
}

impl Live {
    /// Starts a server with `objects` and the source on its kubeconfig.
    pub async fn start(objects: impl IntoIterator<Item = Value>) -> Live {
        let server = StandIn::start(objects).await;
        Self::watch(server).await
    }

    /// Starts the source on an already running (and possibly configured) server.
    pub async fn watch(server: StandIn) -> Live {
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = server.write_kubeconfig(dir.path());
        let connection = connect(&ConnectOptions {
            kubeconfig: Some(kubeconfig),
            ..ConnectOptions::default()
        })
        .await
        .expect("connect through the generated kubeconfig");
        let (tx, events) = mpsc::channel(CHANNEL_CAPACITY);
        let source = KubeSource::start(connection, tx);
        Live {
            server,
            source,
            events,
            seen: Vec::new(),
            dir,
        }
    }

    /// Waits (processing events) until `cond` holds; panics naming `what` after [`PATIENCE`].
    pub async fn until(&mut self, what: &str, cond: impl Fn(&KubeSource) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !cond(&self.source) {
            match tokio::time::timeout_at(deadline, self.events.recv()).await {
                Ok(Some(event)) => self.seen.push(event),
                Ok(None) => panic!("source stopped while waiting for: {what}"),
                Err(_) => panic!(
                    "timed out waiting for: {what}; statuses {:?}; events {:?}",
                    self.source.statuses(),
                    self.seen
                ),
            }
        }
    }

    /// Waits (processing events, polling every 50 ms) until `cond` holds of the server.
    pub async fn until_server(&mut self, what: &str, cond: impl Fn(&StandIn) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !cond(&self.server) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "timed out waiting for: {what}; statuses {:?}",
                self.source.statuses()
            );
            let tick = tokio::time::sleep(Duration::from_millis(50));
            tokio::select! {
                Some(event) = self.events.recv() => self.seen.push(event),
                () = tick => {}
            }
        }
    }

    /// Waits until every resource is listed (or denied) and the cluster facts are read.
    pub async fn settled(&mut self) {
        self.until("initial sync", KubeSource::is_settled).await;
    }
}
