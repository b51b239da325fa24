//! The UI's single source of truth. The app loop owns one [`State`]; terminal keys arrive as
//! [`Action`]s through [`State::update`], data sources as [`SourceEvent`]s through
//! [`State::apply`]. Both return [`SideEffect`]s instead of doing IO, so every behaviour is
//! testable without a terminal. Rows are derived here when data changes; `ui::draw` only reads.

mod command;
pub mod drill;
mod filter;
pub mod layout;
pub mod live;
mod pane_table;
pub mod table;
mod update;

#[cfg(test)]
mod live_tests;
#[cfg(test)]
mod tests;

pub use drill::{Drill, DrillLine, DrillSpan, DrillTarget};
pub use filter::Filter;
pub use live::{ActionRecord, LiveActions};
pub use pane_table::PaneTable;
pub use table::Table;

use crate::action::Action;
use crate::action::InputMode;
use crate::action::Pane;
use crate::messages::AwsStatus;
use crate::messages::Capabilities;
use crate::messages::{DataOrigin, Prepared, SourceEvent};
use crate::messages::{ResourceStatus, Watched};
use crate::rows;
use crate::rows::{FindingRow, NodeRow, PodRow, RoleRow, SaRow};
use crate::side_effect::SideEffect;
use crate::tone::Tone;
use irsa_core::dataset::Dataset;
use jiff::Timestamp;
use std::collections::BTreeMap;

/// Whether data has arrived.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadState {
    Loading,
    Ready,
    /// The first load failed; the message says why.
    Failed(String),
}

/// A one-line message in the status bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusMessage {
    pub tone: Tone,
    pub text: String,
}

/// The tables of every pane.
#[derive(Debug, Clone, Default)]
pub struct Tables {
    pub service_accounts: Table<SaRow>,
    pub pods: Table<PodRow>,
    pub roles: Table<RoleRow>,
    pub nodes: Table<NodeRow>,
    pub findings: Table<FindingRow>,
}

/// Everything the screen shows, and nothing the screen computes.
#[derive(Debug, Clone)]
pub struct State {
    now: Timestamp,
    color: bool,
    origin: DataOrigin,
    load: LoadState,
    dataset: Option<Box<Dataset>>,
    tables: Tables,
    pane: Pane,
    mode: InputMode,
    input: String,
    namespace: Option<String>,
    drill: Option<Drill>,
    help: bool,
    status: Option<StatusMessage>,
    /// The last reload's failure while older data stays on screen; cleared by new data.
    reload_error: Option<String>,
    width: u16,
    height: u16,
    /// The opt-in live actions: capabilities, the pending question, the answers.
    live: LiveActions,
    /// Watched resources that are not ready, with when they got so (live source).
    watch: BTreeMap<Watched, (ResourceStatus, Timestamp)>,
    /// The namespace `:ns` narrowed the live watches to (RBAC denied cluster-wide lists).
    watch_namespace: Option<String>,
    /// The AWS side of a live source with `--aws`: loading, fresh, or stale since a time.
    aws: Option<AwsStatus>,
}

impl State {
    /// A state waiting for its first data from `origin`. `color` is false under `NO_COLOR`.
    pub fn new(origin: DataOrigin, now: Timestamp, color: bool, width: u16, height: u16) -> State {
        State {
            now,
            color,
            origin,
            load: LoadState::Loading,
            dataset: None,
            tables: Tables::default(),
            pane: Pane::default(),
            mode: InputMode::Normal,
            input: String::new(),
            namespace: None,
            drill: None,
            help: false,
            status: None,
            reload_error: None,
            width,
            height,
            live: LiveActions::default(),
            watch: BTreeMap::new(),
            watch_namespace: None,
            aws: None,
        }
    }

    /// Says what the data source can do beyond loading (live actions, `--aws`, `--read-only`,
    /// contexts).
    pub fn set_capabilities(&mut self, caps: Capabilities) {
        self.live.caps = caps;
        if let Some(target) = self.drill.as_ref().map(|d| d.target.clone()) {
            self.open_drill(target);
        }
    }

    /// Applies a user action; returns what the app loop must do.
    pub fn update(&mut self, action: Action) -> Vec<SideEffect> {
        update::update(self, action)
    }

    /// Applies a data source's message: new data re-derives every pane's rows once.
    pub fn apply(&mut self, event: SourceEvent) -> Vec<SideEffect> {
        match event {
            SourceEvent::Loaded(dataset) => {
                let derived = rows::derive(&dataset.inventory, &dataset.report);
                self.set_dataset(dataset, derived);
            }
            SourceEvent::Prepared(prepared) => {
                let Prepared { dataset, rows } = *prepared;
                self.set_dataset(Box::new(dataset), rows);
            }
            SourceEvent::Failed { message } => {
                if self.dataset.is_some() {
                    self.reload_error = Some(message);
                } else {
                    self.load = LoadState::Failed(message);
                }
            }
            SourceEvent::ActionResult { id, outcome } => live::result(self, id, *outcome),
            SourceEvent::ContextSwitched { context } => self.switched_to(context),
            SourceEvent::Notice { tone, text } => {
                let text = irsa_core::report::clean(&text);
                self.status = Some(StatusMessage { tone, text });
            }
            SourceEvent::WatchStatus { resource, status } => self.watch_status(resource, status),
            SourceEvent::AwsStatus(status) => self.aws = Some(status),
        }
        Vec::new()
    }

    /// The live source now watches `context`: the previous cluster's data, drill-down and
    /// action answers go; the header names the new context while it loads.
    fn switched_to(&mut self, context: String) {
        self.status = Some(StatusMessage {
            tone: Tone::Good,
            text: format!("switched to context {context}"),
        });
        self.origin = DataOrigin::Live(context);
        self.dataset = None;
        self.tables = Tables::default();
        self.drill = None;
        self.load = LoadState::Loading;
        self.reload_error = None;
        self.watch.clear();
        self.watch_namespace = None;
        if self.aws.is_some() {
            self.aws = Some(AwsStatus::Loading);
        }
        self.live.records.clear();
        self.live.pending = None;
        if self.mode == InputMode::Confirm {
            self.mode = InputMode::Normal;
        }
    }

    fn watch_status(&mut self, resource: Watched, status: ResourceStatus) {
        if matches!(status, ResourceStatus::Ready { .. }) {
            self.watch.remove(&resource);
            return;
        }
        let now = self.now;
        let since = match self.watch.get(&resource) {
            Some((old, since))
                if std::mem::discriminant(old) == std::mem::discriminant(&status) =>
            {
                *since
            }
            _ => now,
        };
        self.watch.insert(resource, (status, since));
    }

    /// A dataset from another context than the one on screen (a late answer of the context
    /// that `:ctx` left) is dropped.
    fn is_stale(&self, dataset: &Dataset) -> bool {
        match (&self.origin, &dataset.inventory.context) {
            (DataOrigin::Live(current), Some(ctx)) => current != ctx,
            _ => false,
        }
    }

    fn set_dataset(&mut self, dataset: Box<Dataset>, derived: rows::DerivedRows) {
        if self.is_stale(&dataset) {
            return;
        }
        let ns = self.namespace.clone();
        let ns = ns.as_deref();
        let h = self.page_height();
        self.tables
            .service_accounts
            .set_rows(derived.service_accounts, ns, h);
        self.tables.pods.set_rows(derived.pods, ns, h);
        self.tables.roles.set_rows(derived.roles, ns, h);
        self.tables.nodes.set_rows(derived.nodes, ns, h);
        self.tables.findings.set_rows(derived.findings, ns, h);
        self.dataset = Some(dataset);
        self.load = LoadState::Ready;
        self.reload_error = None;
        if let Some(target) = self.drill.as_ref().map(|d| d.target.clone()) {
            self.open_drill(target);
        }
    }

    /// Opens (or rebuilds, keeping the scroll position) the drill-down of `target`.
    fn open_drill(&mut self, target: DrillTarget) {
        let scroll = self
            .drill
            .as_ref()
            .filter(|d| d.target == target)
            .map_or(0, |d| d.scroll);
        // Drill-downs read times (token lifetimes) as of the analysis, like the report did.
        let live = &self.live;
        let now = self.now;
        self.drill = self.dataset.as_deref().map(|data| {
            let mut drill = drill::build(&target, data, data.report.generated_at);
            drill::live::insert(&mut drill, data, live, now);
            drill.lines = drill::wrap(drill.lines, usize::from(self.width.saturating_sub(2)));
            drill.scroll = scroll.min(drill.lines.len().saturating_sub(1));
            drill
        });
    }

    /// Rebuilds the drill-down if it shows `target` (an action's answer arrived).
    fn rebuild_drill_of(&mut self, target: &DrillTarget) {
        if self.drill.as_ref().is_some_and(|d| &d.target == target) {
            self.open_drill(target.clone());
        }
    }

    /// Rows a table shows at the current terminal size.
    pub fn page_height(&self) -> usize {
        layout::table_rows(self.height)
    }

    /// The clock the screen reads against (fixed in tests).
    pub fn now(&self) -> Timestamp {
        self.now
    }
    /// False when colours are off (`NO_COLOR`): badges carry the meaning alone.
    pub fn color(&self) -> bool {
        self.color
    }
    /// Where the data comes from.
    pub fn origin(&self) -> &DataOrigin {
        &self.origin
    }
    /// Whether data has arrived.
    pub fn load(&self) -> &LoadState {
        &self.load
    }
    /// The current data, once loaded.
    pub fn dataset(&self) -> Option<&Dataset> {
        self.dataset.as_deref()
    }
    /// Every pane's table.
    pub fn tables(&self) -> &Tables {
        &self.tables
    }
    /// The pane on screen.
    pub fn pane(&self) -> Pane {
        self.pane
    }
    /// Where typed characters go.
    pub fn mode(&self) -> InputMode {
        self.mode
    }
    /// The text being typed into the filter or command bar.
    pub fn input(&self) -> &str {
        &self.input
    }
    /// The `:ns` namespace, if one is set.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
    /// The open drill-down, if any.
    pub fn drill(&self) -> Option<&Drill> {
        self.drill.as_ref()
    }
    /// True while the help overlay is open.
    pub fn help(&self) -> bool {
        self.help
    }
    /// The status-bar message, if any.
    pub fn status(&self) -> Option<&StatusMessage> {
        self.status.as_ref()
    }
    /// Why the last reload failed, while the previous data is still shown.
    pub fn reload_error(&self) -> Option<&str> {
        self.reload_error.as_deref()
    }
    /// The live actions: capabilities, the y/n question, the answers.
    pub fn live(&self) -> &LiveActions {
        &self.live
    }
    /// Watched resources that are not ready (forbidden, reconnecting, syncing), with since when.
    pub fn watch(&self) -> &BTreeMap<Watched, (ResourceStatus, Timestamp)> {
        &self.watch
    }
    /// The AWS side's freshness (live source with `--aws` only).
    pub fn aws(&self) -> Option<&AwsStatus> {
        self.aws.as_ref()
    }
    /// Terminal size as last reported.
    pub fn size(&self) -> (u16, u16) {
        (self.width, self.height)
    }
    /// The current pane's filter.
    pub fn filter(&self) -> &Filter {
        self.tables.pane(self.pane).filter()
    }
}
