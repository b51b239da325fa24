//! What the state asks the world to do. `update` returns effects instead of doing IO, so every
//! behaviour is testable without a terminal; the app loop carries them out.

use crate::sources::kube::token::{MintRequest, ReadRequest};

/// One request from the state to the outside world.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Effect {
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

/// A confirmed live action, with the id its [`crate::event::SourceEvent::ActionResult`]
/// carries back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRequest {
    pub id: u64,
    pub kind: RequestKind,
}

/// What the live action does. None of these carries a token: the token is minted or read by
/// the source and decoded there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestKind {
    /// `create serviceaccounts/token` (TokenRequest), decoded in memory.
    MintToken(MintRequest),
    /// `create pods/exec` running `cat PATH`, decoded in memory.
    ReadMountedToken(ReadRequest),
    /// Mint a token (as [`RequestKind::MintToken`]) and call `sts:AssumeRoleWithWebIdentity`
    /// for `role_arn` with it; the credentials AWS returns are dropped at once.
    TestWebIdentity {
        mint: MintRequest,
        role_arn: String,
        session_name: String,
    },
}

impl RequestKind {
    /// What the action creates, for the confirmation question and the README's list.
    pub fn creates(&self) -> String {
        match self {
            RequestKind::MintToken(m) => format!(
                "create serviceaccounts/token for {}/{}",
                m.namespace, m.service_account
            ),
            RequestKind::ReadMountedToken(r) => format!(
                "create pods/exec on {}/{} (cat {})",
                r.namespace, r.pod, r.path
            ),
            RequestKind::TestWebIdentity { mint, role_arn, .. } => format!(
                "create serviceaccounts/token for {}/{} and call sts:AssumeRoleWithWebIdentity \
                 on {role_arn}",
                mint.namespace, mint.service_account
            ),
        }
    }
}
