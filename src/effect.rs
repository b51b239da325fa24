//! What the state asks the world to do. `update` returns effects instead of doing IO, so every
//! behaviour is testable without a terminal; the app loop carries them out.

/// One request from the state to the outside world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
    /// Leave the UI and restore the terminal.
    Quit,
    /// Put this text on the clipboard (OSC 52, which also works over SSH and in tmux).
    Copy(String),
    /// Ask the data source for a fresh load.
    Refresh,
}
