//! Where the live sources stand: each watched Kubernetes resource ([`Watched`],
//! [`ResourceStatus`]) and the AWS side ([`AwsStatus`]).

use jiff::Timestamp;
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

/// Where the AWS side of the live view stands (the header's badge, the status line).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AwsStatus {
    /// The first read is under way; AWS columns fill in when it answers.
    Loading,
    /// The last read used working credentials.
    Fresh,
    /// AWS rejects the credentials since `since`; what is shown was read at `read_at` (`None`:
    /// nothing was ever read). `reason` is one line naming the error and the command to run.
    Stale {
        since: Timestamp,
        read_at: Option<Timestamp>,
        reason: String,
    },
}
