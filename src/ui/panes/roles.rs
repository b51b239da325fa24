//! The Roles pane.

use super::{Columns, render, toned};
use crate::rows::{RoleRow, RoleState};
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
    table: &Table<RoleRow>,
    theme: &Theme,
    wide: bool,
) {
    use Constraint::{Fill, Length};
    let columns = if wide {
        Columns {
            headers: &["ROLE", "ACCOUNT", "USED BY", "FLAGS", "POLICIES", "WORST"],
            widths: vec![
                Fill(3),
                Length(12),
                Fill(3),
                Length(16),
                Fill(2),
                Length(16),
            ],
        }
    } else {
        Columns {
            headers: &["ROLE", "USED BY", "FLAGS", "WORST"],
            widths: vec![Fill(2), Fill(1), Length(15), Length(15)],
        }
    };
    render(frame, area, state, table, theme, columns, |r| {
        let used_by = match r.used_by.as_slice() {
            [] => toned("none", Tone::Warn, theme),
            [one] => Cell::from(one.clone()),
            [first, rest @ ..] => Cell::from(format!("{first} +{}", rest.len())),
        };
        let mut flags: Vec<&str> = r.flags.iter().map(|f| f.label()).collect();
        match r.state {
            RoleState::Missing => flags.insert(0, "MISSING"),
            RoleState::Unknown => flags.insert(0, "UNKNOWN"),
            RoleState::Found => {}
        }
        let flag_tone = if flags.is_empty() {
            Tone::Dim
        } else {
            Tone::Warn
        };
        let worst = match (r.worst_severity, r.worst) {
            (Some(sev), Some(code)) => {
                let (text, style) = theme.severity(sev);
                Cell::from(format!("{text} {code}")).style(style)
            }
            _ if r.state == RoleState::Unknown => toned("UNKNOWN", Tone::Unknown, theme),
            _ if r.state == RoleState::Missing => toned("FAIL missing", Tone::Bad, theme),
            _ => toned("OK", Tone::Good, theme),
        };
        let mut cells = vec![Cell::from(r.name.clone())];
        if wide {
            cells.push(Cell::from(r.account.clone().unwrap_or_default()));
        }
        cells.push(used_by);
        cells.push(toned(
            if flags.is_empty() {
                "-".to_owned()
            } else {
                flags.join(" ")
            },
            flag_tone,
            theme,
        ));
        if wide {
            let policies = match (r.state, r.policies.is_empty()) {
                (RoleState::Found, true) => "none".to_owned(),
                (RoleState::Found, false) => r.policies.join(", "),
                _ => "?".to_owned(),
            };
            cells.push(Cell::from(policies));
        }
        cells.push(worst);
        cells
    });
}
