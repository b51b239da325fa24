//! The trait every pane's derived row implements: its key (the selection follows it), what
//! the `/` filter searches, its namespace, what `y` copies and its sort orders.

use std::borrow::Cow;
use std::cmp::Ordering;

/// A derived display row of one pane.
pub trait Row {
    /// Sort orders this pane offers, first is the default (`s` cycles).
    const SORTS: &'static [&'static str];

    /// The object key the selection follows (`namespace/name`, an ARN, …). Unique in a pane.
    fn key(&self) -> &str;
    /// Lower-cased text the `/` filter searches (kept by small panes, built on demand by the
    /// Pods pane).
    fn haystack(&self) -> Cow<'_, str>;
    /// The row's namespace, for `:ns`; `None` for cluster-scoped objects (never hidden).
    fn namespace(&self) -> Option<&str>;
    /// What `y` copies: a role ARN, a fix command, … `None` when the row has nothing useful.
    fn copy_value(&self) -> Option<&str>;
    /// Order under sort `sort` (an index into [`Row::SORTS`]).
    fn compare(&self, other: &Self, sort: usize) -> Ordering;
}
