//! The five panes of the main screen and the names the command bar knows them by.

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
