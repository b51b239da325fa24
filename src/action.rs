//! What a user asked for, and the small vocabularies it speaks: the [`Pane`]s, the
//! [`InputMode`] keys are read in, the [`ActionKind`]s of the live actions.
//!
//! What a user asked for. Keys become actions in [`crate::keymap`]; [`crate::state::State::update`]
//! turns actions into state changes and [`crate::side_effect::SideEffect`]s.

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
    /// `c`: start typing `:can ACTION RESOURCE` (in a pod or ServiceAccount view).
    BeginCan,
    /// A character typed into the filter or command bar.
    Input(char),
    /// Text pasted (bracketed paste) into the filter or command bar.
    Paste(String),
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

/// One of the main tables, switched with `1`…`5`, `Tab` or the command bar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Pane {
    #[default]
    ServiceAccounts,
    Pods,
    Roles,
    Nodes,
    Findings,
}

impl Pane {
    /// Every pane, in tab order.
    pub const ALL: [Pane; 5] = [
        Pane::ServiceAccounts,
        Pane::Pods,
        Pane::Roles,
        Pane::Nodes,
        Pane::Findings,
    ];

    /// The title shown in the tab bar.
    pub fn title(self) -> &'static str {
        match self {
            Pane::ServiceAccounts => "ServiceAccounts",
            Pane::Pods => "Pods",
            Pane::Roles => "Roles",
            Pane::Nodes => "Nodes",
            Pane::Findings => "Findings",
        }
    }

    /// The digit key that selects the pane (`1`…`5`).
    pub fn number(self) -> usize {
        self.index() + 1
    }

    /// Position in [`Pane::ALL`].
    pub fn index(self) -> usize {
        match self {
            Pane::ServiceAccounts => 0,
            Pane::Pods => 1,
            Pane::Roles => 2,
            Pane::Nodes => 3,
            Pane::Findings => 4,
        }
    }

    /// The pane at a tab position, wrapping around.
    pub fn from_index(index: usize) -> Pane {
        Pane::ALL[index % Pane::ALL.len()]
    }

    /// The next pane in tab order (wraps).
    pub fn next(self) -> Pane {
        Pane::from_index(self.index() + 1)
    }

    /// The previous pane in tab order (wraps).
    pub fn prev(self) -> Pane {
        Pane::from_index(self.index() + Pane::ALL.len() - 1)
    }

    /// The pane a command-bar word names (`sa`, `pods`, `po`, `roles`, …), case-insensitively.
    pub fn from_command(word: &str) -> Option<Pane> {
        match word.to_ascii_lowercase().as_str() {
            "sa" | "serviceaccount" | "serviceaccounts" => Some(Pane::ServiceAccounts),
            "po" | "pod" | "pods" => Some(Pane::Pods),
            "role" | "roles" => Some(Pane::Roles),
            "no" | "node" | "nodes" => Some(Pane::Nodes),
            "f" | "finding" | "findings" => Some(Pane::Findings),
            _ => None,
        }
    }
}

/// Where typed characters go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum InputMode {
    #[default]
    Normal,
    /// Typing after `/`.
    Filter,
    /// Typing after `:`.
    Command,
    /// A live action asks y/n before it creates anything.
    Confirm,
}

/// One of the three live actions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActionKind {
    MintToken,
    ReadMountedToken,
    TestWebIdentity,
    /// `A` in a `:can` view: ask AWS's simulator the same question (read-only).
    AskAws,
    /// `E` in a pod or ServiceAccount view: CloudTrail's last hour about it (read-only).
    CloudTrail,
}

impl ActionKind {
    /// How the status line names it.
    pub fn label(self) -> &'static str {
        match self {
            ActionKind::MintToken => "mint a token (t)",
            ActionKind::ReadMountedToken => "read the mounted token (x)",
            ActionKind::TestWebIdentity => "test AssumeRoleWithWebIdentity for real (a)",
            ActionKind::AskAws => "ask AWS's simulator (A)",
            ActionKind::CloudTrail => "read CloudTrail evidence (E)",
        }
    }
}
