//! What a piece of text means — good, bad, unknown, a heading, a command — for the theme to
//! colour. A leaf every layer may use: the state builds drill-down lines with tones, sources
//! give notices a tone, and only the UI's theme turns a tone into a colour (or, under
//! `NO_COLOR`, into none).

/// What a piece of text means, for the theme to colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Tone {
    Plain,
    Heading,
    Dim,
    Good,
    Bad,
    Warn,
    Unknown,
    /// The part that decided a verdict (the deciding statement, the first broken link).
    Accent,
    /// Commands and documents.
    Code,
}
