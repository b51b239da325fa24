//! Styles. Colour carries meaning, but never alone: every verdict also has a text badge, and
//! with colours off (`NO_COLOR`) the same screen is drawn with modifiers only.

use crate::tone::Tone;
use irsa_core::analysis::verdict::Verdict;
use irsa_core::model::{FindingCode, Severity};
use ratatui::style::{Color, Modifier, Style};

/// The palette for one frame.
#[derive(Debug, Clone, Copy)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colours on, or off for `NO_COLOR`.
    pub fn new(color: bool) -> Theme {
        Theme { color }
    }

    fn fg(&self, color: Color) -> Style {
        if self.color {
            Style::new().fg(color)
        } else {
            Style::new()
        }
    }

    /// The style of a semantic tone.
    pub fn tone(&self, tone: Tone) -> Style {
        match tone {
            Tone::Plain => Style::new(),
            Tone::Heading => self.fg(Color::Cyan).add_modifier(Modifier::BOLD),
            Tone::Dim => self.fg(Color::DarkGray),
            Tone::Good => self.fg(Color::Green),
            Tone::Bad => self.fg(Color::Red).add_modifier(Modifier::BOLD),
            Tone::Warn => self.fg(Color::Yellow),
            Tone::Unknown => self.fg(Color::Magenta),
            Tone::Accent => self
                .fg(Color::LightYellow)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            Tone::Code => self.fg(Color::LightBlue),
        }
    }

    /// The selected row: reversed, which needs no colour.
    pub fn selected(&self) -> Style {
        Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
    }

    /// Column headers and titles.
    pub fn header(&self) -> Style {
        self.fg(Color::Cyan).add_modifier(Modifier::BOLD)
    }

    /// The active tab.
    pub fn active_tab(&self) -> Style {
        if self.color {
            Style::new()
                .fg(Color::Black)
                .bg(Color::Cyan)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD)
        }
    }

    /// A verdict's badge text (with the worst code when there is one) and style.
    pub fn verdict(&self, verdict: Verdict, worst: Option<FindingCode>) -> (String, Style) {
        let (word, tone) = verdict_word(verdict);
        let text = match (verdict, worst) {
            (Verdict::Warn | Verdict::Fail | Verdict::Unknown, Some(code)) => {
                format!("{word} {code}")
            }
            _ => word.to_owned(),
        };
        (text, self.tone(tone))
    }

    /// A severity badge (`HIGH`, …) and its style.
    pub fn severity(&self, severity: Severity) -> (String, Style) {
        (
            severity.as_str().to_uppercase(),
            self.tone(crate::state::drill::severity_tone(severity)),
        )
    }
}

/// The word and tone of a verdict badge.
pub fn verdict_word(verdict: Verdict) -> (&'static str, Tone) {
    match verdict {
        Verdict::Ok => ("OK", Tone::Good),
        Verdict::Fail => ("FAIL", Tone::Bad),
        Verdict::Warn => ("WARN", Tone::Warn),
        Verdict::Unknown => ("UNKNOWN", Tone::Unknown),
        Verdict::None => ("-", Tone::Dim),
    }
}
