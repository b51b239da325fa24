//! The Findings pane: worst first, grouped by code.

use super::{Columns, render};
use crate::rows::FindingRow;
use crate::state::{State, Table};
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    table: &Table<FindingRow>,
    theme: &Theme,
    wide: bool,
) {
    use Constraint::{Fill, Length};
    let columns = Columns {
        headers: &["SEVERITY", "CODE", "SUBJECT", "TITLE"],
        widths: if wide {
            vec![Length(8), Length(7), Fill(2), Fill(5)]
        } else {
            vec![Length(8), Length(7), Fill(2), Fill(3)]
        },
    };
    render(frame, area, state, table, theme, columns, |r| {
        let (sev, style) = theme.severity(r.severity);
        vec![
            Cell::from(sev).style(style),
            Cell::from(r.code.as_str()),
            Cell::from(r.subject_label.clone()),
            Cell::from(r.title.clone()),
        ]
    });
}
