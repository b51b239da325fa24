//! The small messages the live source sends: "this store changed" and per-resource status.
//! Objects never travel in messages: the receiver builds an [`crate::model::Inventory`] from
//! the stores when it is ready to (at most a few times a second under churn).

use std::fmt;

/// A resource the live source watches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Watched {
    ServiceAccounts,
    Pods,
    Nodes,
}

impl Watched {
    pub const ALL: [Watched; 3] = [Watched::ServiceAccounts, Watched::Pods, Watched::Nodes];

    /// The resource as RBAC and kubectl name it.
    pub fn as_str(self) -> &'static str {
        match self {
            Watched::ServiceAccounts => "serviceaccounts",
            Watched::Pods => "pods",
            Watched::Nodes => "nodes",
        }
    }

    /// What the user loses while this resource cannot be read.
    pub fn consequence(self) -> &'static str {
        match self {
            Watched::ServiceAccounts => "role annotations unknown",
            Watched::Pods => "pod checks unavailable",
            Watched::Nodes => "IMDS checks unavailable",
        }
    }
}

impl fmt::Display for Watched {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where one watched resource stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResourceStatus {
    /// Listing (first time, or again after the watch expired); the store holds the previous
    /// complete list, if any.
    Syncing,
    /// Listed and watching; `objects` in the store.
    Ready { objects: usize },
    /// RBAC denies `verb` on the resource; the rest keeps working.
    Forbidden {
        verb: &'static str,
        namespace: Option<String>,
    },
    /// The connection failed; the watcher retries with backoff. `reason` is one line.
    Reconnecting { reason: String },
}

impl ResourceStatus {
    /// True once the resource has been listed completely (or cannot be), i.e. it no longer
    /// holds back a first complete table.
    pub fn is_settled(&self) -> bool {
        matches!(
            self,
            ResourceStatus::Ready { .. } | ResourceStatus::Forbidden { .. }
        )
    }
}

/// One line for the header or status bar, e.g.
/// `cannot list nodes: forbidden — IMDS checks unavailable`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLine<'a>(pub Watched, pub &'a ResourceStatus);

impl fmt::Display for StatusLine<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let StatusLine(resource, status) = self;
        match status {
            ResourceStatus::Syncing => write!(f, "{resource}: syncing"),
            ResourceStatus::Ready { objects } => write!(f, "{resource}: {objects} watched"),
            ResourceStatus::Forbidden { verb, namespace } => {
                let scope = namespace
                    .as_ref()
                    .map(|ns| format!(" in namespace {ns}"))
                    .unwrap_or_default();
                write!(
                    f,
                    "cannot {verb} {resource}{scope}: forbidden — {}",
                    resource.consequence()
                )
            }
            ResourceStatus::Reconnecting { reason } => {
                write!(f, "{resource}: reconnecting ({reason})")
            }
        }
    }
}

/// A message from the live Kubernetes source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeEvent {
    /// The store of this resource changed (an object, or a complete relist swapped in).
    Changed(Watched),
    /// The issuer or webhook settings became known.
    ClusterFactsChanged,
    /// The resource's status changed.
    Status(Watched, ResourceStatus),
}
