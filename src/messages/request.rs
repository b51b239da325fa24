//! The opt-in live actions the loop hands a source once the user confirmed them. None of
//! these carries a token: the token is minted or read by the source and decoded there.

use irsa_core::analysis::trust::RequestKey;

/// A confirmed live action, with the id its [`crate::messages::SourceEvent::ActionResult`]
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
    /// Ask `iam:SimulatePrincipalPolicy` (read-only: it creates nothing) whether `role_arn`
    /// may do `action` on `resource` with `keys`, beside our own answer of the `:can` view.
    AskAws(SimulateRequest),
    /// Read CloudTrail's event history of the last `lookback_secs` (`cloudtrail:LookupEvents`,
    /// read-only) for the evidence section of a pod or ServiceAccount view.
    CloudTrail { lookback_secs: i64 },
}

/// What to ask AWS's simulator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimulateRequest {
    pub role_arn: String,
    pub action: String,
    pub resource: String,
    /// The condition keys the user gave to `:can`.
    pub keys: Vec<RequestKey>,
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
            RequestKind::AskAws(s) => format!(
                "nothing: iam:SimulatePrincipalPolicy for {} is read-only",
                s.role_arn
            ),
            RequestKind::CloudTrail { .. } => {
                "nothing: cloudtrail:LookupEvents is read-only".to_owned()
            }
        }
    }
}

/// The API server's minimum `expirationSeconds`.
pub const MIN_EXPIRATION_SECONDS: i64 = 600;

/// What to mint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintRequest {
    pub namespace: String,
    pub service_account: String,
    /// The audience (`sts.amazonaws.com` for IRSA); the API server's default when `None`.
    pub audience: Option<String>,
    /// Raised to [`MIN_EXPIRATION_SECONDS`] when lower.
    pub expiration_seconds: i64,
    /// Bind the token to this pod (`name`, `uid`).
    pub bound_pod: Option<(String, Option<String>)>,
}

/// Which mounted token to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadRequest {
    pub namespace: String,
    pub pod: String,
    /// The container (the pod's first one when `None`).
    pub container: Option<String>,
    /// The token file, e.g. `/var/run/secrets/eks.amazonaws.com/serviceaccount/token`.
    pub path: String,
}
