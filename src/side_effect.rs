//! What the state asks the world to do. `update` returns effects instead of doing IO, so every
//! behaviour is testable without a terminal; the app loop carries them out.

use crate::messages::SourceRequest;

/// One request from the state to the outside world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SideEffect {
    /// Leave the UI and restore the terminal.
    Quit,
    /// Put this text on the clipboard (OSC 52, which also works over SSH and in tmux).
    Copy(String),
    /// Ask the data source for a fresh load.
    Refresh,
    /// An opt-in live action the user confirmed (the only writes the tool ever makes).
    Request(SourceRequest),
    /// `:ctx NAME`: watch another kubeconfig context.
    SwitchContext(String),
    /// `:ctx`: list the kubeconfig's contexts.
    ListContexts,
    /// `:ns NAME` while RBAC denies the cluster-wide watches: watch this namespace only
    /// (`None`: all namespaces again).
    WatchNamespace(Option<String>),
}
