//! [`PaneTable`]: what the key handling and the tab line need of a pane's table, whatever its
//! row type, so each action reaches the current pane's table through one accessor
//! ([`Tables::pane`], [`Tables::pane_mut`]) instead of a five-way `match` on the pane.

use super::Tables;
use super::filter::Filter;
use super::table::Table;
use crate::action::Pane;
use crate::rows::Row;

/// A pane's table seen without its row type (each method is [`Table`]'s of the same name).
pub trait PaneTable {
    /// Rows in the table (before filtering).
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    fn filter(&self) -> &Filter;
    /// What `y` copies from the selected row, if it has anything useful.
    fn copy_value(&self) -> Option<String>;
    fn set_filter(&mut self, filter: Filter, namespace: Option<&str>, height: usize);
    fn cycle_sort(&mut self, namespace: Option<&str>, height: usize);
    fn select_key(&mut self, key: &str, namespace: Option<&str>, height: usize) -> bool;
    fn move_by(&mut self, delta: isize, height: usize);
    fn top(&mut self, height: usize);
    fn bottom(&mut self, height: usize);
    fn fit(&mut self, height: usize);
    fn refresh(&mut self, namespace: Option<&str>, height: usize);
}

impl<R: Row> PaneTable for Table<R> {
    fn len(&self) -> usize {
        Table::len(self)
    }
    fn filter(&self) -> &Filter {
        Table::filter(self)
    }
    fn copy_value(&self) -> Option<String> {
        self.selected()
            .and_then(|r| r.copy_value())
            .map(str::to_owned)
    }
    fn set_filter(&mut self, filter: Filter, namespace: Option<&str>, height: usize) {
        Table::set_filter(self, filter, namespace, height);
    }
    fn cycle_sort(&mut self, namespace: Option<&str>, height: usize) {
        Table::cycle_sort(self, namespace, height);
    }
    fn select_key(&mut self, key: &str, namespace: Option<&str>, height: usize) -> bool {
        Table::select_key(self, key, namespace, height)
    }
    fn move_by(&mut self, delta: isize, height: usize) {
        Table::move_by(self, delta, height);
    }
    fn top(&mut self, height: usize) {
        Table::top(self, height);
    }
    fn bottom(&mut self, height: usize) {
        Table::bottom(self, height);
    }
    fn fit(&mut self, height: usize) {
        Table::fit(self, height);
    }
    fn refresh(&mut self, namespace: Option<&str>, height: usize) {
        Table::refresh(self, namespace, height);
    }
}

impl Tables {
    /// The table `pane` shows.
    pub fn pane(&self, pane: Pane) -> &dyn PaneTable {
        match pane {
            Pane::ServiceAccounts => &self.service_accounts,
            Pane::Pods => &self.pods,
            Pane::Roles => &self.roles,
            Pane::Nodes => &self.nodes,
            Pane::Findings => &self.findings,
        }
    }

    /// The table `pane` shows, to move its cursor, filter or sort it.
    pub fn pane_mut(&mut self, pane: Pane) -> &mut dyn PaneTable {
        match pane {
            Pane::ServiceAccounts => &mut self.service_accounts,
            Pane::Pods => &mut self.pods,
            Pane::Roles => &mut self.roles,
            Pane::Nodes => &mut self.nodes,
            Pane::Findings => &mut self.findings,
        }
    }
}
