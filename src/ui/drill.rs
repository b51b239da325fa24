//! A drill-down: its pre-built lines, scrolled; only the visible lines are converted.

use super::theme::Theme;
use crate::state::Drill;
use crate::tone::Tone;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Paragraph};

pub(super) fn draw(frame: &mut Frame, area: Rect, drill: &Drill, theme: &Theme) {
    let height = usize::from(area.height.saturating_sub(2)).max(1);
    let lines: Vec<Line> = drill
        .lines
        .iter()
        .skip(drill.scroll)
        .take(height)
        .map(|l| {
            Line::from(
                l.spans
                    .iter()
                    .map(|s| Span::styled(s.text.clone(), theme.tone(s.tone)))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let shown_to = (drill.scroll + height).min(drill.lines.len());
    let hint = if drill.copy.is_some() {
        " Esc back · y copy "
    } else {
        " Esc back "
    };
    let block = Block::bordered()
        .title(Line::styled(format!(" {} ", drill.title), theme.header()))
        .title_bottom(Line::styled(hint, theme.tone(Tone::Dim)))
        .title_bottom(
            Line::from(format!(
                " {}-{} of {} ",
                drill.scroll + 1,
                shown_to,
                drill.lines.len()
            ))
            .right_aligned(),
        );
    frame.render_widget(Paragraph::new(lines).block(block), area);
}
