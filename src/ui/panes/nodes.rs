//! The Nodes pane.

use super::{Columns, render, toned};
use crate::rows::NodeRow;
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
    table: &Table<NodeRow>,
    theme: &Theme,
    wide: bool,
) {
    use Constraint::{Fill, Length};
    let columns = if wide {
        Columns {
            headers: &[
                "NODE",
                "INSTANCE",
                "IMDS TOKENS",
                "HOPS",
                "INSTANCE ROLE",
                "FALLBACK",
                "WORST",
            ],
            widths: vec![
                Fill(3),
                Length(20),
                Length(11),
                Length(4),
                Fill(2),
                Length(9),
                Length(14),
            ],
        }
    } else {
        Columns {
            headers: &["NODE", "IMDS", "HOPS", "FALLBACK", "WORST"],
            widths: vec![Fill(1), Length(9), Length(4), Length(8), Length(13)],
        }
    };
    render(frame, area, state, table, theme, columns, |r| {
        let (tokens, hops) = if r.fargate {
            (
                toned("FARGATE", Tone::Dim, theme),
                toned("-", Tone::Dim, theme),
            )
        } else if !r.instances_known {
            (
                toned("UNKNOWN", Tone::Unknown, theme),
                toned("?", Tone::Unknown, theme),
            )
        } else {
            let tokens = r.http_tokens.clone().unwrap_or_else(|| "?".to_owned());
            let tone = if tokens == "required" {
                Tone::Good
            } else {
                Tone::Warn
            };
            let hop_tone = if r.hop_limit.is_some_and(|h| h < 2) {
                Tone::Good
            } else {
                Tone::Warn
            };
            (
                toned(tokens, tone, theme),
                toned(
                    r.hop_limit
                        .map_or_else(|| "?".to_owned(), |h| h.to_string()),
                    hop_tone,
                    theme,
                ),
            )
        };
        let fallback_tone = if r.fallback_pods > 0 {
            Tone::Bad
        } else {
            Tone::Plain
        };
        let worst = match (r.worst_severity, r.worst) {
            (Some(sev), Some(code)) => {
                let (text, style) = theme.severity(sev);
                Cell::from(format!("{text} {code}")).style(style)
            }
            _ if !r.instances_known && !r.fargate => toned("UNKNOWN", Tone::Unknown, theme),
            _ => toned("OK", Tone::Good, theme),
        };
        // Narrow: the EC2 DNS suffix every node shares is dropped.
        let name = if wide {
            r.name.as_str()
        } else {
            r.name.trim_end_matches(".compute.internal")
        };
        let mut cells = vec![Cell::from(name.to_owned())];
        if wide {
            cells.push(Cell::from(
                r.instance_id.clone().unwrap_or_else(|| "-".to_owned()),
            ));
        }
        cells.extend([tokens, hops]);
        if wide {
            cells.push(Cell::from(
                r.instance_role.clone().unwrap_or_else(|| "-".to_owned()),
            ));
        }
        cells.push(toned(
            format!("{}/{}", r.fallback_pods, r.pods),
            fallback_tone,
            theme,
        ));
        cells.push(worst);
        cells
    });
}
