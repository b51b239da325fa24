//! One pane's table: the derived rows, the filtered and sorted view of them, the selection
//! (kept by row key, so re-derivation, re-sorting or live inserts never make the cursor jump to
//! another object) and the scroll offset.
//!
//! `order` is every row index in sort order, recomputed only when the rows or the sort change;
//! the view is the filtered subsequence of `order`, recomputed when the filter or the namespace
//! change — so a keystroke in `/` filters in one pass without re-sorting. Never while drawing.

use super::filter::Filter;
use crate::rows::Row;
use std::cmp::Ordering;

/// The rows of one pane and how the user looks at them.
#[derive(Debug, Clone)]
pub struct Table<R> {
    rows: Vec<R>,
    order: Vec<usize>,
    view: Vec<usize>,
    selected: Option<String>,
    cursor: usize,
    offset: usize,
    sort: usize,
    filter: Filter,
}

impl<R> Default for Table<R> {
    fn default() -> Self {
        Self {
            rows: Vec::new(),
            order: Vec::new(),
            view: Vec::new(),
            selected: None,
            cursor: 0,
            offset: 0,
            sort: 0,
            filter: Filter::default(),
        }
    }
}

impl<R: Row> Table<R> {
    /// Replaces the rows (new data) and re-derives the view, keeping the selected key.
    pub fn set_rows(&mut self, rows: Vec<R>, namespace: Option<&str>, height: usize) {
        self.rows = rows;
        self.sort_rows();
        self.refresh(namespace, height);
    }

    /// Recomputes `order` for the current rows and sort.
    fn sort_rows(&mut self) {
        let rows = &self.rows;
        let sort = self.sort;
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| match (rows.get(a), rows.get(b)) {
            (Some(x), Some(y)) => x.compare(y, sort),
            _ => Ordering::Equal,
        });
        self.order = order;
    }

    /// All rows, unfiltered.
    pub fn rows(&self) -> &[R] {
        &self.rows
    }

    /// Number of rows after filtering.
    pub fn len(&self) -> usize {
        self.view.len()
    }

    /// True when no row passes the filter (or there are none).
    pub fn is_empty(&self) -> bool {
        self.view.is_empty()
    }

    /// The visible window: `height` rows from the scroll offset, with their view positions.
    pub fn window(&self, height: usize) -> impl Iterator<Item = (usize, &R)> {
        self.view
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(height)
            .filter_map(|(pos, &i)| self.rows.get(i).map(|r| (pos, r)))
    }

    /// Position of the cursor in the filtered view.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// The first visible position.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The selected row, if any row is visible.
    pub fn selected(&self) -> Option<&R> {
        self.view.get(self.cursor).and_then(|&i| self.rows.get(i))
    }

    /// The current filter.
    pub fn filter(&self) -> &Filter {
        &self.filter
    }

    /// The label of the current sort order.
    pub fn sort_label(&self) -> &'static str {
        R::SORTS.get(self.sort).copied().unwrap_or("")
    }

    /// Replaces the filter and re-derives the view.
    pub fn set_filter(&mut self, filter: Filter, namespace: Option<&str>, height: usize) {
        self.filter = filter;
        self.refresh(namespace, height);
    }

    /// Switches to the next sort order (wraps) and re-derives the view.
    pub fn cycle_sort(&mut self, namespace: Option<&str>, height: usize) {
        self.sort = (self.sort + 1) % R::SORTS.len().max(1);
        self.sort_rows();
        self.refresh(namespace, height);
    }

    /// Selects the row with this key, clearing the filter if it hides the row. False when no
    /// row has the key or the namespace hides it.
    pub fn select_key(&mut self, key: &str, namespace: Option<&str>, height: usize) -> bool {
        if !self.rows.iter().any(|r| r.key() == key) {
            return false;
        }
        self.selected = Some(key.to_owned());
        self.refresh(namespace, height);
        if self.selected().map(Row::key) != Some(key) {
            self.filter = Filter::default();
            self.selected = Some(key.to_owned());
            self.refresh(namespace, height);
        }
        self.selected().map(Row::key) == Some(key)
    }

    /// Moves the cursor by `delta` rows (clamped) and keeps it on screen.
    pub fn move_by(&mut self, delta: isize, height: usize) {
        let last = self.view.len().saturating_sub(1);
        let target = self.cursor.saturating_add_signed(delta).min(last);
        self.place_cursor(target, height);
    }

    /// Jumps to the first row.
    pub fn top(&mut self, height: usize) {
        self.place_cursor(0, height);
    }

    /// Jumps to the last row.
    pub fn bottom(&mut self, height: usize) {
        self.place_cursor(self.view.len().saturating_sub(1), height);
    }

    /// Keeps the cursor visible after the viewport changed size.
    pub fn fit(&mut self, height: usize) {
        self.place_cursor(self.cursor, height);
    }

    /// Recomputes the view from rows, filter, namespace and sort; the cursor follows the
    /// selected key, or stays at the same position when that row disappeared.
    pub fn refresh(&mut self, namespace: Option<&str>, height: usize) {
        let rows = &self.rows;
        let mut matcher = self.filter.matcher();
        self.view = self
            .order
            .iter()
            .copied()
            .filter(|&i| {
                rows.get(i).is_some_and(|r| {
                    namespace.is_none_or(|ns| r.namespace().is_none_or(|n| n == ns))
                        && matcher.matches_lazy(|| r.haystack())
                })
            })
            .collect();
        let found = self.selected.as_deref().and_then(|key| {
            self.view
                .iter()
                .position(|&i| self.rows.get(i).is_some_and(|r| r.key() == key))
        });
        let target = found.unwrap_or(self.cursor.min(self.view.len().saturating_sub(1)));
        self.place_cursor(target, height);
    }

    fn place_cursor(&mut self, target: usize, height: usize) {
        self.cursor = target;
        let height = height.max(1);
        if self.cursor < self.offset {
            self.offset = self.cursor;
        } else if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        let max_offset = self.view.len().saturating_sub(height);
        self.offset = self.offset.min(max_offset);
        self.selected = self.selected().map(|r| r.key().to_owned());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;

    #[derive(Debug, Clone)]
    struct T {
        key: String,
        ns: Option<String>,
        rank: u32,
    }

    impl Row for T {
        const SORTS: &'static [&'static str] = &["rank", "name"];
        fn key(&self) -> &str {
            &self.key
        }
        fn haystack(&self) -> Cow<'_, str> {
            Cow::Borrowed(&self.key)
        }
        fn namespace(&self) -> Option<&str> {
            self.ns.as_deref()
        }
        fn copy_value(&self) -> Option<&str> {
            Some(&self.key)
        }
        fn compare(&self, other: &Self, sort: usize) -> Ordering {
            match sort {
                0 => self.rank.cmp(&other.rank).then(self.key.cmp(&other.key)),
                _ => self.key.cmp(&other.key),
            }
        }
    }

    fn t(key: &str, ns: Option<&str>, rank: u32) -> T {
        T {
            key: key.to_owned(),
            ns: ns.map(str::to_owned),
            rank,
        }
    }

    fn keys(table: &Table<T>) -> Vec<String> {
        table.window(100).map(|(_, r)| r.key.clone()).collect()
    }

    #[test]
    fn selection_follows_the_key_when_rows_are_rederived_with_an_insert_above() {
        let mut table = Table::default();
        table.set_rows(vec![t("b", None, 2), t("c", None, 3)], None, 10);
        table.move_by(1, 10);
        assert_eq!(table.selected().map(|r| r.key.as_str()), Some("c"));
        table.set_rows(
            vec![t("a", None, 1), t("b", None, 2), t("c", None, 3)],
            None,
            10,
        );
        assert_eq!(table.selected().map(|r| r.key.as_str()), Some("c"));
        assert_eq!(table.cursor(), 2);
    }

    #[test]
    fn a_vanished_selection_keeps_the_position() {
        let mut table = Table::default();
        table.set_rows(
            vec![t("a", None, 1), t("b", None, 2), t("c", None, 3)],
            None,
            10,
        );
        table.move_by(1, 10);
        table.set_rows(vec![t("a", None, 1), t("c", None, 3)], None, 10);
        assert_eq!(table.selected().map(|r| r.key.as_str()), Some("c"));
    }

    #[test]
    fn sort_cycling_reorders_but_keeps_the_selected_object() {
        let mut table = Table::default();
        table.set_rows(vec![t("z", None, 1), t("a", None, 2)], None, 10);
        assert_eq!(keys(&table), ["z", "a"]);
        table.cycle_sort(None, 10);
        assert_eq!(keys(&table), ["a", "z"]);
        assert_eq!(table.selected().map(|r| r.key.as_str()), Some("z"));
        assert_eq!(table.sort_label(), "name");
        table.cycle_sort(None, 10);
        assert_eq!(table.sort_label(), "rank");
    }

    #[test]
    fn namespace_hides_other_namespaces_but_not_cluster_scoped_rows() {
        let mut table = Table::default();
        table.set_rows(
            vec![
                t("x/a", Some("x"), 1),
                t("y/b", Some("y"), 2),
                t("node", None, 3),
            ],
            Some("x"),
            10,
        );
        assert_eq!(keys(&table), ["x/a", "node"]);
    }

    #[test]
    fn the_cursor_scrolls_the_window_and_clamps_at_the_ends() {
        let rows = (0..10).map(|i| t(&format!("r{i}"), None, i)).collect();
        let mut table = Table::default();
        table.set_rows(rows, None, 3);
        table.move_by(5, 3);
        assert_eq!(table.cursor(), 5);
        assert_eq!(table.offset(), 3);
        table.move_by(100, 3);
        assert_eq!(table.cursor(), 9);
        assert_eq!(table.offset(), 7);
        table.move_by(-100, 3);
        assert_eq!((table.cursor(), table.offset()), (0, 0));
        table.bottom(3);
        let window: Vec<usize> = table.window(3).map(|(pos, _)| pos).collect();
        assert_eq!(window, [7, 8, 9]);
    }

    #[test]
    fn select_key_clears_a_filter_that_hides_the_row() {
        let mut table = Table::default();
        table.set_rows(vec![t("alpha", None, 1), t("beta", None, 2)], None, 10);
        table.set_filter(Filter::parse("alp"), None, 10);
        assert_eq!(keys(&table), ["alpha"]);
        assert!(table.select_key("beta", None, 10));
        assert_eq!(table.selected().map(|r| r.key.as_str()), Some("beta"));
        assert!(!table.select_key("gamma", None, 10));
    }
}
