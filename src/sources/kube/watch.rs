//! One kube-rs `watcher` + `reflector` per resource, run as a task that turns the watcher's
//! events and errors into [`KubeEvent`]s.
//!
//! - A (re)list is buffered and swapped into the [`SortedStore`] at `InitDone`, so readers never see
//!   half a cluster; "changed" is signalled only for complete states (`Apply`, `Delete`,
//!   `InitDone`), never mid-list. Only the projection is kept (the wire object's metadata is
//!   dropped once the watcher has read its resourceVersion).
//! - Errors go through kube-rs's default backoff (0.8 s doubling to 30 s, jittered); after a
//!   429 the next request also waits for the server's `retryAfterSeconds`.
//! - A 403 is reported as `Forbidden` with the verb from the failing step (list or watch).
//! - Other errors are `Reconnecting`, with a reason that says "throttled" for a 429 and "no
//!   answer within N s" for a server that stopped answering (the client's read timeout,
//!   [`super::config`]). The watcher says nothing when a resumed watch succeeds (no event on a
//!   quiet cluster), so while reconnecting after a complete list the task probes every
//!   [`PROBE_EVERY`] with a watch of the same resource that selects no object
//!   (`fieldSelector=metadata.name=…`, one second long): an answer means watches of that
//!   resource are answered again — not merely that the server answers `/version` while its
//!   watches hang or are throttled. Before the first complete list only the list itself ends
//!   `Reconnecting`.

use super::projected::{Projected, Projection};
use super::sorted_store::SortedStore;
use super::status::KubeEvent;
use crate::messages::{ResourceStatus, Watched};
use futures::StreamExt;
use kube::api::WatchParams;
use kube::runtime::WatchStreamExt;
use kube::runtime::watcher::{self, Event};
use kube::{Api, Client};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// How often a reconnecting watcher checks that the API server answers again.
const PROBE_EVERY: Duration = Duration::from_secs(2);
/// The object name the probe watch selects (no object is called so: the watch sends nothing).
const PROBE_NAME: &str = "irsa-inspector-probe-selects-nothing";

/// The statuses of all watched resources, shared by the watcher tasks and the inventory
/// builder (which turns denied resources into `SourceProblem`s).
pub type Statuses = Arc<Mutex<BTreeMap<Watched, ResourceStatus>>>;

/// Starts watching `api` into a new store; returns the store's reader and the task. (The
/// client is not needed any more: reconnects are probed through `api` itself.)
pub(super) fn spawn<P: Projection>(
    api: Api<Projected<P>>,
    _client: Client,
    watched: Watched,
    namespace: Option<String>,
    statuses: Statuses,
    tx: mpsc::Sender<KubeEvent>,
) -> (SortedStore<P>, JoinHandle<()>)
where
    <P::Kube as k8s_openapi::Resource>::Scope: Send,
{
    let reader = SortedStore::<P>::default();
    let store = reader.clone();
    let probe_api = api.clone();
    let task = tokio::spawn(async move {
        let config = watcher::Config::default().timeout(super::config::WATCH_SECONDS);
        let stream = watcher::watcher(api, config).default_backoff();
        let mut stream = std::pin::pin!(stream);
        // The (re)list being received; swapped into the shelf at `InitDone`.
        let mut listing: Vec<Arc<P>> = Vec::new();
        // This watcher's pools: objects share repeated parts with the others it has seen.
        let mut pools = P::Pools::default();
        let reporter = Reporter {
            watched,
            namespace,
            statuses,
            tx,
        };
        reporter.set(ResourceStatus::Syncing).await;
        let mut listed = false;
        let mut probe = tokio::time::interval(PROBE_EVERY);
        loop {
            let reconnecting = matches!(
                reporter.current(),
                Some(ResourceStatus::Reconnecting { .. })
            );
            let item = tokio::select! {
                item = stream.next() => item,
                _ = probe.tick(), if reconnecting && listed => {
                    if watches_answered(&probe_api).await {
                        reporter.set(ResourceStatus::Ready { objects: reader.len() }).await;
                    }
                    continue;
                }
            };
            let Some(item) = item else { return };
            match item {
                Ok(Event::Init) => {
                    listing = Vec::new();
                    if listed {
                        reporter.set(ResourceStatus::Syncing).await;
                    }
                }
                Ok(Event::InitApply(obj)) => listing.push(Arc::new(obj.info.share(&mut pools))),
                Ok(Event::InitDone) => {
                    reader.replace(std::mem::take(&mut listing));
                    listed = true;
                    reporter
                        .set(ResourceStatus::Ready {
                            objects: reader.len(),
                        })
                        .await;
                    reporter.changed();
                }
                Ok(Event::Apply(obj)) => {
                    reader.apply(obj.info.share(&mut pools));
                    reporter.applied(listed, reader.len()).await;
                }
                Ok(Event::Delete(obj)) => {
                    reader.delete(&obj.info);
                    reporter.applied(listed, reader.len()).await;
                }
                Err(err) => {
                    reporter.set(reporter.classify(&err)).await;
                    // The server said when to come back: the watcher's next request waits.
                    if let Some(wait) = retry_after(&err) {
                        tokio::time::sleep(wait).await;
                    }
                }
            }
        }
    });
    (store, task)
}

struct Reporter {
    watched: Watched,
    namespace: Option<String>,
    statuses: Statuses,
    tx: mpsc::Sender<KubeEvent>,
}

impl Reporter {
    fn current(&self) -> Option<ResourceStatus> {
        self.statuses
            .lock()
            .ok()
            .and_then(|s| s.get(&self.watched).cloned())
    }

    /// Records and sends a status when it differs from the current one (object counts of a
    /// ready resource are not news).
    async fn set(&self, status: ResourceStatus) {
        let same = match (self.current(), &status) {
            (Some(ResourceStatus::Ready { .. }), ResourceStatus::Ready { .. }) => true,
            (Some(old), new) => &old == new,
            (None, _) => false,
        };
        if let Ok(mut map) = self.statuses.lock() {
            map.insert(self.watched, status.clone());
        }
        if !same {
            // The receiver is gone only when the app is quitting.
            let _ = self.tx.send(KubeEvent::Status(self.watched, status)).await;
        }
    }

    /// After a watch event: back to ready if a reconnect had said otherwise, and "changed".
    async fn applied(&self, listed: bool, objects: usize) {
        if listed && !matches!(self.current(), Some(ResourceStatus::Ready { .. })) {
            self.set(ResourceStatus::Ready { objects }).await;
        }
        self.changed();
    }

    /// Signals a change; when the channel is full a signal is already pending and the
    /// receiver reads every store anyway, so dropping this one loses nothing.
    fn changed(&self) {
        let _ = self.tx.try_send(KubeEvent::Changed(self.watched));
    }

    fn classify(&self, err: &watcher::Error) -> ResourceStatus {
        let (verb, client_err) = match err {
            watcher::Error::InitialListFailed(e) => ("list", Some(e)),
            watcher::Error::WatchStartFailed(e) => ("watch", Some(e)),
            watcher::Error::WatchFailed(e) => ("watch", Some(e)),
            watcher::Error::WatchError(status) if status.is_forbidden() => {
                return self.forbidden("watch");
            }
            // 410 Gone: the watcher relists at once; the store keeps the old list meanwhile.
            watcher::Error::WatchError(status) if status.code == 410 => {
                return ResourceStatus::Syncing;
            }
            _ => ("watch", None),
        };
        let reason = match client_err {
            Some(kube::Error::Api(status)) if status.is_forbidden() => return self.forbidden(verb),
            Some(kube::Error::Api(status)) if status.code == 429 => format!(
                "{verb} {}: throttled by the API server (429 {}) — retrying with backoff",
                self.watched, status.reason
            ),
            Some(e) if super::config::is_timeout(e) => format!(
                "{verb} {}: no answer from the API server in time (timed out) — retrying",
                self.watched
            ),
            _ => super::config::one_line(err),
        };
        ResourceStatus::Reconnecting { reason }
    }

    fn forbidden(&self, verb: &'static str) -> ResourceStatus {
        ResourceStatus::Forbidden {
            verb,
            namespace: self.namespace.clone(),
        }
    }
}

/// True when a watch of `api`'s resource is answered (a one-second watch selecting nothing).
async fn watches_answered<P: Projection>(api: &Api<Projected<P>>) -> bool
where
    <P::Kube as k8s_openapi::Resource>::Scope: Send,
{
    let params = WatchParams::default()
        .fields(&format!("metadata.name={PROBE_NAME}"))
        .timeout(1);
    api.watch(&params, "0").await.is_ok()
}

/// How long a 429's `Status` asks the client to wait before the next request.
fn retry_after(err: &watcher::Error) -> Option<Duration> {
    let client_err = match err {
        watcher::Error::InitialListFailed(e)
        | watcher::Error::WatchStartFailed(e)
        | watcher::Error::WatchFailed(e) => e,
        _ => return None,
    };
    match client_err {
        kube::Error::Api(status) if status.code == 429 => status
            .details
            .as_ref()
            .map(|d| d.retry_after_seconds)
            .filter(|s| *s > 0)
            // A server asking for more than a minute is capped: the badge stays meanwhile.
            .map(|s| Duration::from_secs(u64::from(s.min(60)))),
        _ => None,
    }
}
