//! The screen's fixed chrome, shared by the state (page size for PgUp/PgDn and scrolling) and
//! `ui::draw` (where things go), so both agree on how many rows are visible.

/// Lines above the pane: the identity header and the tab bar.
pub const HEADER_LINES: u16 = 2;
/// Lines below the pane: the status / input line.
pub const STATUS_LINES: u16 = 1;

/// Table body rows visible at a terminal height (block borders and the column header removed).
pub fn table_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(HEADER_LINES + STATUS_LINES + 3)).max(1)
}

/// Text lines visible in a drill-down at a terminal height (block borders removed).
pub fn drill_rows(height: u16) -> usize {
    usize::from(height.saturating_sub(HEADER_LINES + STATUS_LINES + 2)).max(1)
}
