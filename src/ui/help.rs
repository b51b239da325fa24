//! The `?` overlay: every key, read from the same table the key translation uses. On short
//! terminals the keys are laid out in two columns so all of them stay visible.

use super::theme::Theme;
use crate::keymap::BINDINGS;
use crate::tone::Tone;
use ratatui::Frame;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};

/// One entry's width in the two-column layout.
const COLUMN: usize = 38;
/// The key label's width inside an entry.
const LABEL: usize = 12;

pub(super) fn draw(frame: &mut Frame, area: Rect, theme: &Theme) {
    let entries: Vec<(&str, &str)> = BINDINGS
        .iter()
        .map(|b| (b.label, b.help))
        .chain([
            ("/ Enter", "keep the filter"),
            ("/ Esc", "clear the filter"),
            (": Enter", "run the command"),
            (": Esc", "cancel the command"),
            ("t x a then y", "create; n or Esc cancels"),
        ])
        .collect();
    let one_column = entries.len() + 2 <= usize::from(area.height);
    let entry = |(label, help): (&str, &str)| {
        [
            Span::styled(format!(" {label:<LABEL$} "), theme.header()),
            Span::raw(format!(
                "{:<w$}",
                help.chars().take(COLUMN - LABEL - 2).collect::<String>(),
                w = COLUMN - LABEL - 2
            )),
        ]
    };
    let lines: Vec<Line> = if one_column {
        entries
            .iter()
            .map(|&e| Line::from(entry(e).to_vec()))
            .collect()
    } else {
        entries
            .chunks(2)
            .map(|pair| Line::from(pair.iter().flat_map(|&e| entry(e)).collect::<Vec<_>>()))
            .collect()
    };
    let width = if one_column {
        COLUMN + 2
    } else {
        2 * COLUMN + 2
    };
    let width = u16::try_from(width).unwrap_or(u16::MAX).min(area.width);
    let height = u16::try_from(lines.len() + 2)
        .unwrap_or(u16::MAX)
        .min(area.height);
    let popup = area.centered(Constraint::Length(width), Constraint::Length(height));
    frame.render_widget(Clear, popup);
    let block = Block::bordered()
        .title(Line::styled(" Keys ", theme.header()))
        .title_bottom(Line::styled(" Esc or ? closes ", theme.tone(Tone::Dim)));
    frame.render_widget(Paragraph::new(lines).block(block), popup);
}
