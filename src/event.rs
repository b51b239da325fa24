//! What the world tells the UI: a data source's load result ([`SourceEvent`]), and the
//! translation of terminal events into [`Action`]s (through [`crate::keymap`]).

use crate::action::Action;
use crate::analysis::audit::{AuditReport, audit};
use crate::keymap;
use crate::model::Inventory;
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
