//! What a user asked for. Keys become actions in [`crate::keymap`]; [`crate::state::State::update`]
//! turns actions into state changes and [`crate::effect::Effect`]s.

use crate::state::{ActionKind, Pane};
use jiff::Timestamp;

/// One user intent (or a clock/terminal fact the state needs: time passing, a resize).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Quit,
    ShowPane(Pane),
    NextPane,
    PrevPane,
    Up,
    Down,
    PageUp,
    PageDown,
    Top,
    Bottom,
    /// Enter: open the drill-down of the selected row (or jump to a finding's subject).
    Open,
    /// Esc/Backspace: close help, else leave the drill-down, else clear the filter.
    Back,
    /// `/`: start typing a filter.
    BeginFilter,
    /// `:`: start typing a command.
    BeginCommand,
    /// A character typed into the filter or command bar.
    Input(char),
    InputBackspace,
    /// Enter in the filter or command bar.
    InputSubmit,
    /// Esc in the filter (clears it) or command bar.
    InputCancel,
    CycleSort,
    ToggleHelp,
    /// `y`: copy the selected row's key value.
    Copy,
    /// `r`: ask the data source for fresh data.
    Refresh,
    /// `t`, `x`, `a` in a pod or ServiceAccount drill-down: start an opt-in live action (it
    /// asks y/n before anything is created).
    Live(ActionKind),
    /// The terminal was resized.
    Resize {
        width: u16,
        height: u16,
    },
    /// Time passed (the header's freshness and token lifetimes read against it).
    Tick(Timestamp),
}
