//! A stand-in kube-apiserver on `127.0.0.1`, plain HTTP, for the resources irsa-inspector
//! watches. It speaks the wire protocol kube-rs's `watcher` relies on:
//!
//! - LIST `GET /api/v1/[namespaces/NS/]PLURAL` (and `/apis/apps/v1/…` for Deployments,
//!   `/apis/admissionregistration.k8s.io/v1/…` for MutatingWebhookConfigurations), paged
//!   with `limit`/`continue`, every list and object carrying `metadata.resourceVersion`;
//! - WATCH (`?watch=true&resourceVersion=RV`): a 200 chunked stream of newline-delimited
//!   `{"type": ADDED|MODIFIED|DELETED|BOOKMARK|ERROR, "object": …}` events replaying the history
//!   after `RV`, then live changes; an expired `RV` is an `ERROR` event carrying a 410 `Status`
//!   inside the 200 stream (what kube-apiserver does);
//! - `POST …/serviceaccounts/NAME/token` (TokenRequest) → 201 with a JWT (fake signature);
//! - `GET …/pods/NAME/exec?command=cat&command=PATH` upgraded to a websocket
//!   (`v4.channel.k8s.io`: channel-prefixed binary frames, the exit `Status` on channel 3):
//!   `cat` of a projected token path prints a token for the pod's ServiceAccount;
//! - `/.well-known/openid-configuration`, `/version`; errors as `Status` JSON.
//!
//! Test switches: 403 per resource and verb, dropping every open watch, compaction (410),
//! stop/restart on the same port; request counters per resource and verb.

pub mod cluster;
mod exec;
mod routes;

pub use cluster::{Fault, Kind, Verb};

use cluster::{Cluster, Live};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use serde_json::Value;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// The bearer token the generated kubeconfig carries.
pub const BEARER_TOKEN: &str = "standin-bearer-token";
/// The issuer the server announces.
pub const ISSUER: &str =
    "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";

/// A running (or stopped) stand-in API server and the handle tests drive it with.
pub struct StandIn {
    addr: SocketAddr,
    cluster: Arc<Mutex<Cluster>>,
    shutdown: watch::Sender<bool>,
    task: Option<JoinHandle<()>>,
    bookmark_every: Duration,
}

impl StandIn {
    /// Starts a server holding `objects` (any of ServiceAccount, Pod, Node, Deployment,
    /// ConfigMap) on a free port.
    pub async fn start(objects: impl IntoIterator<Item = Value>) -> StandIn {
        Self::start_on("127.0.0.1:0", objects, Duration::from_secs(1)).await
    }

    /// Starts on `addr` (e.g. `127.0.0.1:0`), sending BOOKMARKs every `bookmark_every`.
    pub async fn start_on(
        addr: &str,
        objects: impl IntoIterator<Item = Value>,
        bookmark_every: Duration,
    ) -> StandIn {
        let mut cluster = Cluster::new(ISSUER);
        for object in objects {
            cluster.apply(object, false);
        }
        let listener = TcpListener::bind(addr).await.expect("bind stand-in server");
        let addr = listener.local_addr().expect("local addr");
        let (shutdown, _) = watch::channel(false);
        let mut server = StandIn {
            addr,
            cluster: Arc::new(Mutex::new(cluster)),
            shutdown,
            task: None,
            bookmark_every,
        };
        server.serve(listener);
        server
    }

    fn serve(&mut self, listener: TcpListener) {
        let (shutdown, rx) = watch::channel(false);
        self.shutdown = shutdown;
        let shared = routes::Shared {
            cluster: Arc::clone(&self.cluster),
            shutdown: rx.clone(),
            bookmark_every: self.bookmark_every,
        };
        self.task = Some(tokio::spawn(async move {
            let mut stop = rx;
            loop {
                let (stream, _) = tokio::select! {
                    accepted = listener.accept() => match accepted {
                        Ok(a) => a,
                        Err(_) => continue,
                    },
                    _ = stop.changed() => return,
                };
                let shared = shared.clone();
                let mut stop = stop.clone();
                tokio::spawn(async move {
                    let service = service_fn(move |req| routes::handle(shared.clone(), req));
                    let conn = http1::Builder::new()
                        .serve_connection(TokioIo::new(stream), service)
                        .with_upgrades();
                    tokio::select! {
                        _ = conn => {}
                        _ = stop.changed() => {}
                    }
                });
            }
        }));
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Queues `faults` for the next `verb` requests on `kind` (one fault per request).
    pub fn inject(&self, kind: Kind, verb: Verb, faults: &[Fault]) {
        self.cluster
            .lock()
            .expect("lock")
            .faults
            .entry((kind, verb))
            .or_default()
            .extend(faults.iter().copied());
    }

    /// Changes the issuer `/.well-known/openid-configuration` announces (and tokens carry).
    pub fn set_issuer(&self, issuer: &str) {
        self.cluster.lock().expect("lock").issuer = issuer.to_owned();
    }

    /// Writes a kubeconfig (context `standin`, bearer token, plain http) to `dir/kubeconfig`.
    pub fn write_kubeconfig(&self, dir: &Path) -> PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(&path, kubeconfig("standin", &self.url())).expect("write kubeconfig");
        path
    }

    /// Adds or modifies an object; watches see ADDED or MODIFIED.
    pub fn apply(&self, object: Value) -> &'static str {
        self.cluster.lock().expect("lock").apply(object, true)
    }

    /// Deletes an object; watches see DELETED. False when it did not exist.
    pub fn delete(&self, kind: Kind, namespace: Option<&str>, name: &str) -> bool {
        self.cluster
            .lock()
            .expect("lock")
            .delete(kind, namespace, name)
    }

    /// Answers `verb` on `kind` with 403 from now on.
    pub fn forbid(&self, kind: Kind, verb: Verb) {
        self.cluster
            .lock()
            .expect("lock")
            .forbidden
            .insert((kind, verb));
    }

    /// Lifts a 403 switch.
    pub fn allow(&self, kind: Kind, verb: Verb) {
        self.cluster
            .lock()
            .expect("lock")
            .forbidden
            .remove(&(kind, verb));
    }

    /// Ends every open watch stream (the client sees the connection end and resumes).
    pub fn drop_watches(&self) {
        let mut c = self.cluster.lock().expect("lock");
        c.generation += 1;
        let _ = c.live.send(Live::Drop);
    }

    /// Compacts the history: every resourceVersion seen so far is now too old (410), and open
    /// watches are ended so clients come back with their old version.
    pub fn compact(&self) {
        let mut c = self.cluster.lock().expect("lock");
        c.compacted_below = c.rv + 1;
        c.history.clear();
        c.generation += 1;
        let _ = c.live.send(Live::Drop);
    }

    /// How many requests of `verb` on `kind` were made so far (denied ones included).
    pub fn requests(&self, kind: Kind, verb: Verb) -> usize {
        self.cluster
            .lock()
            .expect("lock")
            .requests
            .get(&(kind, verb))
            .copied()
            .unwrap_or(0)
    }

    /// How many requests used each HTTP method (`GET`, `POST`, …; exec upgrades as `EXEC`).
    pub fn methods(&self) -> std::collections::HashMap<String, usize> {
        self.cluster.lock().expect("lock").methods.clone()
    }

    /// Requests that could create something: every method but GET, and every exec.
    pub fn writes(&self) -> usize {
        self.methods()
            .iter()
            .filter(|(m, _)| m.as_str() != "GET")
            .map(|(_, n)| n)
            .sum()
    }

    /// Every token the server handed out so far (TokenRequest answers, exec `cat` output).
    pub fn issued_tokens(&self) -> Vec<String> {
        self.cluster.lock().expect("lock").issued.clone()
    }

    /// When the last page of a LIST of `kind` was served (the latest such LIST).
    pub fn last_list_page_at(&self, kind: Kind) -> Option<SystemTime> {
        self.cluster
            .lock()
            .expect("lock")
            .last_page_at
            .get(&kind)
            .copied()
    }

    /// Stops serving: the listener closes and every connection (watches included) is cut.
    pub async fn stop(&mut self) {
        let _ = self.shutdown.send(true);
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Serves again on the same port with the same data (an API server restart).
    pub async fn restart(&mut self) {
        let listener = loop {
            match TcpListener::bind(self.addr).await {
                Ok(l) => break l,
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        };
        self.serve(listener);
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// A kubeconfig with one cluster, user and context per `(name, server)`; the first is current.
pub fn kubeconfig_many(contexts: &[(&str, &str)]) -> String {
    let current = contexts.first().map_or("", |(n, _)| n);
    let mut clusters = String::new();
    let mut users = String::new();
    let mut ctxs = String::new();
    for (name, server) in contexts {
        clusters.push_str(&format!(
            "- name: {name}\n  cluster:\n    server: {server}\n"
        ));
        users.push_str(&format!(
            "- name: {name}-user\n  user:\n    token: {BEARER_TOKEN}\n"
        ));
        ctxs.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {name}\n    user: {name}-user\n"
        ));
    }
    format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: {current}\nclusters:\n{clusters}users:\n{users}contexts:\n{ctxs}"
    )
}

/// A kubeconfig with one cluster, user and context named `name`, plain http, bearer token.
pub fn kubeconfig(name: &str, server: &str) -> String {
    format!(
        "apiVersion: v1
kind: Config
current-context: {name}
clusters:
- name: {name}
  cluster:
    server: {server}
users:
- name: {name}-user
  user:
    token: {BEARER_TOKEN}
contexts:
- name: {name}
  context:
    cluster: {name}
    user: {name}-user
"
    )
}
