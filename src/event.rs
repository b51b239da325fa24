//! What the world tells the UI: a data source's load result ([`SourceEvent`]), and the
//! translation of terminal events into [`Action`]s (through [`crate::keymap`]).

use crate::action::Action;
use crate::analysis::audit::{AuditReport, audit};
use crate::analysis::token::DecodedToken;
use crate::keymap;
use crate::model::Inventory;
use crate::sources::aws::{AwsStatus, WebIdentityAnswer};
use crate::sources::kube::{ResourceStatus, Watched};
use crate::state::InputMode;
use crate::state::rows::{DerivedRows, derive};
use jiff::Timestamp;
use ratatui::crossterm::event::{Event, KeyEventKind};
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

/// One loaded and analysed state of the world.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub inventory: Inventory,
    pub report: AuditReport,
    /// When the source delivered it (the header's freshness for live data).
    pub loaded_at: Timestamp,
}

impl Dataset {
    /// Runs the analysis over an inventory as of `now` (the snapshot's capture time for
    /// offline data). Call it off the UI thread for big clusters.
    pub fn analyse(inventory: Inventory, now: Timestamp, loaded_at: Timestamp) -> Dataset {
        let report = audit(&inventory, now);
        Dataset {
            inventory,
            report,
            loaded_at,
        }
    }
}

/// A dataset with every pane's rows already derived — done on the loader's thread, so a big
/// cluster never stalls the UI thread (deriving 50,000 pods takes ~0.2 s).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub dataset: Dataset,
    pub rows: DerivedRows,
}

impl Prepared {
    /// Derives the rows of `dataset` (call it off the UI thread).
    pub fn new(dataset: Dataset) -> Prepared {
        let rows = derive(&dataset.inventory, &dataset.report);
        Prepared { dataset, rows }
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
    /// The answer to a confirmed [`crate::effect::SourceRequest`] with this `id`.
    ActionResult {
        id: u64,
        outcome: Box<ActionOutcome>,
    },
    /// The source now watches this kubeconfig context (`:ctx NAME` succeeded).
    ContextSwitched { context: String },
    /// A one-line answer to `:ctx` / `:ns` plumbing for the status line (an unknown context,
    /// the list of contexts); the current view stays.
    Notice {
        tone: crate::state::Tone,
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

/// What a live action found. Carries decoded header and claims only: never a raw token, a
/// signature or AWS credentials (none of these types has a field that could hold one).
#[derive(Debug, Clone, PartialEq)]
pub enum ActionOutcome {
    /// A minted or mounted token, decoded in memory.
    Token(DecodedToken),
    /// The token minted for the test, and AWS's exact answer to `AssumeRoleWithWebIdentity`.
    WebIdentity {
        token: DecodedToken,
        answer: WebIdentityAnswer,
    },
    /// RBAC said no: `cannot create serviceaccounts/token in namespace X: forbidden`.
    Forbidden(String),
    /// The action ran and failed (one line, never the token).
    Failed(String),
    /// This source cannot run the action (demo, snapshot, no `--aws`, `--read-only`).
    Unavailable(String),
}

impl ActionOutcome {
    /// A one-word name for logs (`token`, `web-identity`, `forbidden`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            ActionOutcome::Token(_) => "token",
            ActionOutcome::WebIdentity { .. } => "web-identity",
            ActionOutcome::Forbidden(_) => "forbidden",
            ActionOutcome::Failed(_) => "failed",
            ActionOutcome::Unavailable(_) => "unavailable",
        }
    }
}

/// The action a terminal event asks for in the current input mode, if any.
pub fn to_action(event: &Event, mode: InputMode) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => keymap::action_for(key, mode),
        Event::Resize(width, height) => Some(Action::Resize {
            width: *width,
            height: *height,
        }),
        _ => None,
    }
}
