//! The status line: the filter or command being typed, else the last message, else what could
//! not be read (unknown sources), else the most useful keys.

use super::theme::Theme;
use crate::action::InputMode;
use crate::messages::AwsStatus;
use crate::state::{LoadState, State};
use crate::tone::Tone;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

pub(super) fn draw(frame: &mut Frame, area: Rect, state: &State, theme: &Theme) {
    frame.render_widget(Paragraph::new(line(state, theme)), area);
}

fn line<'a>(state: &'a State, theme: &Theme) -> Line<'a> {
    match state.mode() {
        InputMode::Filter => {
            let hint = if state.input().starts_with('~') {
                "fuzzy"
            } else {
                "substring; ~ for fuzzy"
            };
            return Line::from(vec![
                Span::styled("/", theme.header()),
                Span::raw(state.input()),
                Span::styled("▏", theme.header()),
                Span::styled(
                    format!("  ({hint}; Enter keeps, Esc clears)"),
                    theme.tone(Tone::Dim),
                ),
            ]);
        }
        InputMode::Command => {
            return Line::from(vec![
                Span::styled(":", theme.header()),
                Span::raw(state.input()),
                Span::styled("▏", theme.header()),
                Span::styled(
                    "  (sa pods roles nodes findings · ns NAME|all · ctx [NAME] · q)",
                    theme.tone(Tone::Dim),
                ),
            ]);
        }
        InputMode::Confirm => {
            let question = state
                .live()
                .pending
                .as_ref()
                .map_or_else(String::new, |p| p.question.clone());
            return Line::from(vec![
                Span::styled(question, theme.tone(Tone::Warn)),
                Span::styled("  (y creates; n or Esc cancels)", theme.tone(Tone::Dim)),
            ]);
        }
        InputMode::Normal => {}
    }
    if let Some(msg) = state.status() {
        return Line::styled(msg.text.clone(), theme.tone(msg.tone));
    }
    if let Some(message) = state.reload_error() {
        return Line::from(vec![
            Span::styled(
                "ERROR reload failed, showing the previous data: ",
                theme.tone(Tone::Bad),
            ),
            Span::raw(message.to_owned()),
        ]);
    }
    if let LoadState::Failed(message) = state.load() {
        return Line::from(vec![
            Span::styled("ERROR ", theme.tone(Tone::Bad)),
            Span::raw(message.clone()),
        ]);
    }
    if let Some(AwsStatus::Stale {
        read_at, reason, ..
    }) = state.aws()
    {
        let shown = match read_at {
            Some(at) => format!("AWS columns as read at {} UTC", at.strftime("%H:%M:%S")),
            None => "AWS columns unknown".to_owned(),
        };
        return Line::from(vec![
            Span::styled("STALE ", theme.tone(Tone::Warn)),
            Span::raw(format!("{reason} — {shown}")),
        ]);
    }
    if let (Some(AwsStatus::Loading), Some(_)) = (state.aws(), state.dataset()) {
        return Line::styled(
            "AWS side loading (sts, eks, iam, ec2) — its columns fill in when AWS answers",
            theme.tone(Tone::Dim),
        );
    }
    if let Some(data) = state.dataset() {
        let unknowns = &data.report.unknowns;
        if let Some(first) = unknowns.first() {
            let more = if unknowns.len() > 1 {
                format!(" (+{} more, see drill-downs)", unknowns.len() - 1)
            } else {
                String::new()
            };
            return Line::from(vec![
                Span::styled("UNKNOWN ", theme.tone(Tone::Unknown)),
                Span::raw(format!("{}: {}{more}", first.source, first.message)),
            ]);
        }
    }
    let hints = if state.drill().is_some() {
        "Esc back · j/k scroll · y copy · ? help · q quit"
    } else {
        "Enter drill · / filter · : command · s sort · y copy · ? help · q quit"
    };
    Line::styled(hints, theme.tone(Tone::Dim))
}
