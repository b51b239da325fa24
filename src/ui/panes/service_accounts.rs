//! The ServiceAccounts pane.

use super::{Columns, render, toned};
use crate::rows::SaRow;
use crate::rows::service_account::mechanism_label;
use crate::state::{State, Table};
use crate::tone::Tone;
use crate::ui::{short_age, theme::Theme};
use irsa_core::analysis::verdict::Mechanism;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::widgets::Cell;

pub(super) fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    table: &Table<SaRow>,
    theme: &Theme,
    wide: bool,
) {
    use Constraint::{Fill, Length};
    let columns = Columns {
        headers: &[
            "NAMESPACE",
            "NAME",
            "ROLE",
            "MECH",
            "VERDICT",
            "PODS",
            "AGE",
        ],
        widths: if wide {
            vec![
                Length(20),
                Fill(2),
                Fill(3),
                Length(12),
                Length(16),
                Length(5),
                Length(5),
            ]
        } else {
            vec![
                Length(11),
                Fill(1),
                Fill(1),
                Length(5),
                Length(12),
                Length(4),
                Length(4),
            ]
        },
    };
    let now = state.now().as_second();
    render(frame, area, state, table, theme, columns, |r| {
        let (verdict, style) = theme.verdict(r.verdict, r.worst);
        let mech = if wide {
            mechanism_label(r.mechanism)
        } else {
            short_mechanism(r.mechanism)
        };
        vec![
            Cell::from(r.namespace.clone()),
            Cell::from(r.name.clone()),
            if r.role_label.is_empty() {
                toned("-", Tone::Dim, theme)
            } else {
                Cell::from(r.role_label.clone())
            },
            Cell::from(mech),
            Cell::from(verdict).style(style),
            Cell::from(r.pods.to_string()),
            Cell::from(
                r.created
                    .map_or_else(|| "?".to_owned(), |c| short_age(now - c.as_second())),
            ),
        ]
    });
}

fn short_mechanism(m: Mechanism) -> &'static str {
    match m {
        Mechanism::Irsa => "IRSA",
        Mechanism::PodIdentity => "PodId",
        Mechanism::Both => "both",
        Mechanism::None => "none",
    }
}
