//! What crosses between the sources and the app loop, and nothing else: a source's
//! [`SourceEvent`]s (datasets, action answers, watch and AWS statuses, notices) and the
//! requests the loop hands a source ([`SourceRequest`]). A leaf of the application crate: it
//! imports the core crate, the derived rows (which the live feeder computes off the UI
//! thread) and the [`Tone`](crate::tone::Tone) leaf, never `sources`, `state` or `ui` — so both
//! sides can depend on it without depending on each other.

mod capabilities;
mod outcome;
mod prepared;
mod request;
mod status;

pub use capabilities::Capabilities;
pub use outcome::{ActionOutcome, TrailOutcome, WebIdentityAnswer};
pub use prepared::Prepared;
pub use request::{
    MIN_EXPIRATION_SECONDS, MintRequest, ReadRequest, RequestKind, SimulateRequest, SourceRequest,
};
pub use status::{AwsStatus, ResourceStatus, StatusLine, Watched};

use irsa_core::dataset::Dataset;
use std::fmt;

/// Where the data on screen comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataOrigin {
    /// The embedded demo lab.
    Demo,
    /// An offline snapshot folder.
    Snapshot(String),
    /// A live cluster (kubeconfig context).
    Live(String),
}

impl fmt::Display for DataOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataOrigin::Demo => f.write_str("demo"),
            DataOrigin::Snapshot(dir) => write!(f, "snapshot {dir}"),
            DataOrigin::Live(ctx) => write!(f, "live {ctx}"),
        }
    }
}

/// A message from a data source to the app loop.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceEvent {
    /// A complete, analysed dataset (replaces the previous one at once); the state derives
    /// its rows.
    Loaded(Box<Dataset>),
    /// The same, with the rows derived already.
    Prepared(Box<Prepared>),
    /// The source could not load; `message` says what is missing and why.
    Failed { message: String },
    // ---- Live actions, contexts and watch statuses (see the block after this enum) ----
    /// The answer to a confirmed [`crate::messages::SourceRequest`] with this `id`.
    ActionResult {
        id: u64,
        outcome: Box<ActionOutcome>,
    },
    /// The source now watches this kubeconfig context (`:ctx NAME` succeeded).
    ContextSwitched { context: String },
    /// A one-line answer to `:ctx` / `:ns` plumbing for the status line (an unknown context,
    /// the list of contexts); the current view stays.
    Notice {
        tone: crate::tone::Tone,
        text: String,
    },
    /// A watched resource's status changed (the header shows "reconnecting" at once, without
    /// waiting for the next rebuild).
    WatchStatus {
        resource: Watched,
        status: ResourceStatus,
    },
    /// The AWS side (`--aws`) is loading, fresh, or stale since a time (the header's badge;
    /// the status line says why and what to run).
    AwsStatus(AwsStatus),
}
