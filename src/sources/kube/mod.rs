//! The live Kubernetes source: the cluster of a kubeconfig context, watched.
//!
//! [`KubeSource::start`] resolves the kubeconfig like kubectl ([`config`]), starts one kube-rs
//! `watcher` + `reflector` store per resource (ServiceAccounts, pods, nodes; [`watch`]) and
//! reads the issuer and webhook settings once ([`facts`]). It sends small [`KubeEvent`]s on a
//! tokio channel — "changed" signals and per-resource status (syncing, ready, forbidden with
//! the missing verb, reconnecting) — and never the objects: the owner of the UI state calls
//! [`KubeSource::inventory`] when it wants a fresh [`Inventory`] (at most a few times a second).
//!
//! The stores hold the model's projections ([`lean`]), so memory per pod is the size of a
//! [`irsa_core::model::PodInfo`], not of a Kubernetes Pod. Tokens are minted with [`token::mint`].
//! Dropping the source stops every task. Everything it reads (the RBAC it needs) is listed in
//! [`reads::READS`].

pub mod config;
pub mod facts;
pub mod projected;
pub mod reads;
pub mod save;
mod sorted_store;
pub mod status;
pub mod token;
mod watch;

pub use config::{ConnectError, ConnectOptions, Connection, connect};
pub use facts::ClusterFacts;
pub use status::KubeEvent;

use crate::messages::ResourceStatus;
use crate::messages::StatusLine;
use crate::messages::Watched;
use irsa_core::model::{
    Inventory, NodeInfo, PodInfo, ServiceAccountInfo, Shared, SourceKind, SourceProblem,
};
use kube::Api;
use sorted_store::SortedStore;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// Capacity of the event channel a caller should create (statuses wait for room; "changed"
/// signals are dropped when a signal is already queued).
pub const CHANNEL_CAPACITY: usize = 64;

/// A running live source. Must be created inside a tokio runtime.
pub struct KubeSource {
    connection: Connection,
    service_accounts: SortedStore<ServiceAccountInfo>,
    pods: SortedStore<PodInfo>,
    nodes: SortedStore<NodeInfo>,
    statuses: watch::Statuses,
    facts: Arc<Mutex<Option<ClusterFacts>>>,
    tasks: Vec<JoinHandle<()>>,
}

impl KubeSource {
    /// Starts watching the cluster of `connection`; events go to `tx`.
    pub fn start(connection: Connection, tx: mpsc::Sender<KubeEvent>) -> KubeSource {
        let client = connection.client.clone();
        let ns = connection.namespace.clone();
        let statuses: watch::Statuses = Arc::default();
        let narrowed = |c: &kube::Client| match &ns {
            Some(ns) => (
                Api::namespaced(c.clone(), ns),
                Api::namespaced(c.clone(), ns),
            ),
            None => (Api::all(c.clone()), Api::all(c.clone())),
        };
        let (sa_api, pod_api) = narrowed(&client);
        let (service_accounts, sa_task) = watch::spawn::<ServiceAccountInfo>(
            sa_api,
            client.clone(),
            Watched::ServiceAccounts,
            ns.clone(),
            Arc::clone(&statuses),
            tx.clone(),
        );
        let (pods, pod_task) = watch::spawn::<PodInfo>(
            pod_api,
            client.clone(),
            Watched::Pods,
            ns.clone(),
            Arc::clone(&statuses),
            tx.clone(),
        );
        let (nodes, node_task) = watch::spawn::<NodeInfo>(
            Api::all(client.clone()),
            client.clone(),
            Watched::Nodes,
            None,
            Arc::clone(&statuses),
            tx.clone(),
        );
        let facts: Arc<Mutex<Option<ClusterFacts>>> = Arc::default();
        let facts_task = {
            let facts = Arc::clone(&facts);
            tokio::spawn(async move {
                let read = facts::read(&client).await;
                if let Ok(mut slot) = facts.lock() {
                    *slot = Some(read);
                }
                let _ = tx.send(KubeEvent::ClusterFactsChanged).await;
            })
        };
        KubeSource {
            connection,
            service_accounts,
            pods,
            nodes,
            statuses,
            facts,
            tasks: vec![sa_task, pod_task, node_task, facts_task],
        }
    }

    /// The context watched.
    pub fn context(&self) -> &str {
        &self.connection.context
    }

    /// The client, e.g. to [`token::mint`].
    pub fn client(&self) -> &kube::Client {
        &self.connection.client
    }

    /// Each resource's status, for the header.
    pub fn statuses(&self) -> BTreeMap<Watched, ResourceStatus> {
        self.statuses.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// True when every resource is listed (or denied) and the cluster facts were read: the
    /// first complete table can be shown.
    pub fn is_settled(&self) -> bool {
        let statuses = self.statuses();
        let facts_read = self.facts.lock().map(|f| f.is_some()).unwrap_or(false);
        facts_read
            && Watched::ALL
                .iter()
                .all(|w| statuses.get(w).is_some_and(ResourceStatus::is_settled))
    }

    /// The cluster facts, once read.
    pub fn facts(&self) -> Option<ClusterFacts> {
        self.facts.lock().ok().and_then(|f| f.clone())
    }

    /// The cluster as it is in the stores now, as the analysis' input. Objects are sorted by
    /// namespace and name; pods and ServiceAccounts are shared with the store (no copy), nodes
    /// are copied. Denied, failing and not yet listed resources become `problems`. AWS-side
    /// facts are unknown (`None`): this source does not read AWS.
    pub fn inventory(&self) -> Inventory {
        let facts = self.facts().unwrap_or_default();
        let never_listed = |w: &Watched| match w {
            Watched::ServiceAccounts => self.service_accounts.is_empty(),
            Watched::Pods => self.pods.is_empty(),
            Watched::Nodes => self.nodes.is_empty(),
        };
        let mut problems: Vec<SourceProblem> = self
            .statuses()
            .iter()
            .filter(|(w, s)| match s {
                ResourceStatus::Forbidden { .. } | ResourceStatus::Reconnecting { .. } => true,
                // Shown before the first list completes (a slow cluster): say what is missing.
                ResourceStatus::Syncing => never_listed(w),
                ResourceStatus::Ready { .. } => false,
            })
            .map(|(w, s)| SourceProblem {
                source: SourceKind::Kubernetes,
                message: StatusLine(*w, s).to_string(),
            })
            .collect();
        problems.extend(facts.problems);
        Inventory {
            context: Some(self.connection.context.clone()),
            service_accounts: Shared::from_shared(self.service_accounts.snapshot()),
            pods: Shared::from_shared(self.pods.snapshot()),
            nodes: copied(&self.nodes),
            kubernetes_issuer: facts.issuer,
            webhook: facts.webhook,
            webhook_registration: facts.registration,
            problems,
            ..Inventory::default()
        }
    }
}

/// Why [`load_once`] has no inventory.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot reach the API server of context {context}: {message}")]
    Unreachable { context: String, message: String },
    #[error("the cluster did not finish listing within {seconds} s: {statuses}")]
    Timeout { seconds: u64, statuses: String },
}

/// The cluster once, for one-shot commands (`audit`, `explain`): checks the API server
/// answers, watches until every resource is listed (or denied), and returns the inventory.
pub async fn load_once(connection: Connection, patience: Duration) -> Result<Inventory, LoadError> {
    let context = connection.context.clone();
    match tokio::time::timeout(patience, connection.client.apiserver_version()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => {
            return Err(LoadError::Unreachable {
                context,
                message: config::one_line(&e),
            });
        }
        Err(_) => {
            return Err(LoadError::Unreachable {
                context,
                message: format!("no answer within {} s", patience.as_secs()),
            });
        }
    }
    let (tx, mut rx) = mpsc::channel(CHANNEL_CAPACITY);
    let source = KubeSource::start(connection, tx);
    let deadline = tokio::time::Instant::now() + patience;
    while !source.is_settled() {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(_)) => {}
            Ok(None) | Err(_) => {
                let statuses = source
                    .statuses()
                    .iter()
                    .map(|(w, s)| StatusLine(*w, s).to_string())
                    .collect::<Vec<_>>()
                    .join("; ");
                return Err(LoadError::Timeout {
                    seconds: patience.as_secs(),
                    statuses,
                });
            }
        }
    }
    Ok(source.inventory())
}

impl Drop for KubeSource {
    fn drop(&mut self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// The store's objects, sorted, as owned values (for the small resources).
fn copied<P: projected::Projection>(shelf: &SortedStore<P>) -> Vec<P> {
    shelf.snapshot().iter().map(|p| P::clone(p)).collect()
}
