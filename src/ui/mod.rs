//! Drawing: a pure function of [`State`]. Nothing here derives rows, sorts, filters or reads
//! the clock — the state did that when data or input changed; `draw` lays out and styles the
//! visible part only (for a table, the rows in its window), so a frame costs the same for 50
//! pods as for 50,000.

mod drill;
mod header;
mod help;
mod panes;
mod status;
pub mod theme;

use crate::state::{State, layout};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout};
use theme::Theme;

/// Draws the whole screen for `state`.
pub fn draw(frame: &mut Frame, state: &State) {
    let theme = Theme::new(state.color());
    let [head, body, foot] = Layout::vertical([
        Constraint::Length(layout::HEADER_LINES),
        Constraint::Min(1),
        Constraint::Length(layout::STATUS_LINES),
    ])
    .areas(frame.area());
    header::draw(frame, head, state, &theme);
    match state.drill() {
        Some(d) => drill::draw(frame, body, d, &theme),
        None => panes::draw(frame, body, state, &theme),
    }
    status::draw(frame, foot, state, &theme);
    if state.help() {
        help::draw(frame, frame.area(), &theme);
    }
    scrub(frame.buffer_mut());
}

/// The one choke point between everything drawn and the terminal: a cell whose symbol holds a
/// control or bidirectional-formatting character (from a cluster object, a policy document,
/// an AWS answer) shows `?` instead, so nothing on screen can drive the terminal or reorder
/// what the user reads (`rtl\u{202e}txt.exe`). Cheap: one pass over the visible cells.
fn scrub(buffer: &mut ratatui::buffer::Buffer) {
    for cell in &mut buffer.content {
        if cell.symbol().chars().any(irsa_core::report::is_unsafe) {
            cell.set_symbol("?");
        }
    }
}

/// The time-dependent text of the screen (the data's freshness): the app loop redraws on a
/// clock tick only when this changes, so an idle screen is not redrawn every second.
pub fn clock_text(state: &State) -> String {
    header::source_text(state)
}

/// The header's badges (`reconnecting (…)`, `read-only`), as text.
pub fn badge_text(state: &State) -> Vec<String> {
    header::badges(state).into_iter().map(|(_, b)| b).collect()
}

/// `12d`, `3h`, `40m`, `5s`: a compact age.
pub fn short_age(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m", s / 60),
        3600..86400 => format!("{}h", s / 3600),
        _ => format!("{}d", s / 86400),
    }
}
