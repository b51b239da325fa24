//! The Pods pane.

use super::{Columns, render, toned};
use crate::rows::PodRow;
use crate::state::{State, Table};
use crate::tone::Tone;
use crate::ui::theme::Theme;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    table: &Table<PodRow>,
    theme: &Theme,
    wide: bool,
) {
    use Constraint::{Fill, Length};
    let columns = if wide {
        Columns {
            headers: &[
                "NAMESPACE",
                "NAME",
                "SA",
                "NODE",
                "IDENTITY",
                "MUTATED",
                "VERDICT",
            ],
            widths: vec![
                Length(16),
                Fill(2),
                Fill(1),
                Fill(2),
                Fill(3),
                Length(7),
                Length(16),
            ],
        }
    } else {
        Columns {
            // The SA is left to the drill-down here: pod names usually carry it.
            headers: &["NAMESPACE", "NAME", "IDENTITY", "MUT", "VERDICT"],
            widths: vec![Length(10), Fill(1), Fill(1), Length(3), Length(12)],
        }
    };
    render(frame, area, state, table, theme, columns, |r| {
        let (verdict, style) = theme.verdict(r.verdict, r.worst);
        let identity_tone = if r.is_node_fallback() {
            Tone::Bad
        } else {
            Tone::Plain
        };
        let mutated = if r.mutated {
            toned("yes", Tone::Plain, theme)
        } else {
            toned("no", Tone::Warn, theme)
        };
        let (namespace, name) = r.namespace_name();
        let mut cells = vec![
            Cell::from(namespace.to_owned()),
            Cell::from(name.to_owned()),
        ];
        if wide {
            cells.push(Cell::from(r.service_account.to_string()));
            cells.push(Cell::from(r.node.as_deref().unwrap_or("-").to_owned()));
        }
        cells.extend([
            toned(&*r.identity, identity_tone, theme),
            mutated,
            Cell::from(verdict).style(style),
        ]);
        cells
    });
}
