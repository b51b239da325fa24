//! What an opt-in live action found. Carries decoded header and claims only: never a raw
//! token, a signature or AWS credentials (none of these types has a field that could hold one).

use irsa_core::analysis::permission::ask_aws::AwsSimulation;
use irsa_core::analysis::token::DecodedToken;

/// What a live action found. Carries decoded header and claims only: never a raw token, a
/// signature or AWS credentials (none of these types has a field that could hold one).
#[derive(Debug, Clone, PartialEq)]
pub enum ActionOutcome {
    /// A minted or mounted token, decoded in memory.
    Token(DecodedToken),
    /// The token minted for the test, and AWS's exact answer to `AssumeRoleWithWebIdentity`.
    WebIdentity {
        token: DecodedToken,
        answer: WebIdentityAnswer,
    },
    /// AWS's simulator's answer (`iam:SimulatePrincipalPolicy`).
    AwsSimulation(AwsSimulation),
    /// CloudTrail's records of the window (no credentials: CloudTrail hides the Pod Identity
    /// token and never records secret keys).
    Trail(TrailOutcome),
    /// RBAC said no: `cannot create serviceaccounts/token in namespace X: forbidden`.
    Forbidden(String),
    /// The action ran and failed (one line, never the token).
    Failed(String),
    /// This source cannot run the action (demo, snapshot, no `--aws`, `--read-only`).
    Unavailable(String),
}

impl ActionOutcome {
    /// A one-word name for logs (`token`, `web-identity`, `forbidden`, …).
    pub fn kind_name(&self) -> &'static str {
        match self {
            ActionOutcome::Token(_) => "token",
            ActionOutcome::WebIdentity { .. } => "web-identity",
            ActionOutcome::AwsSimulation(_) => "aws-simulation",
            ActionOutcome::Trail(_) => "cloudtrail",
            ActionOutcome::Forbidden(_) => "forbidden",
            ActionOutcome::Failed(_) => "failed",
            ActionOutcome::Unavailable(_) => "unavailable",
        }
    }
}

/// What `E` read from CloudTrail.
#[derive(Debug, Clone, PartialEq)]
pub struct TrailOutcome {
    pub records: Vec<irsa_core::analysis::triage::cloudtrail::TrailRecord>,
    pub calls: u32,
    pub capped: Vec<String>,
    pub unreadable: usize,
    /// Other accounts whose history could not be read.
    pub problems: Vec<String>,
}

/// AWS's exact answer to `AssumeRoleWithWebIdentity`, without the credentials.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WebIdentityAnswer {
    /// STS accepted the token: the session it would have given.
    Accepted {
        /// `AssumedRoleUser.Arn` (`arn:aws:sts::…:assumed-role/<role>/<session>`).
        assumed_role_arn: Option<String>,
        /// `SubjectFromWebIdentityToken` (`system:serviceaccount:<ns>:<sa>`).
        subject: Option<String>,
        /// `Provider` (the issuer as IAM matched it).
        provider: Option<String>,
        /// `Audience`.
        audience: Option<String>,
    },
    /// STS refused: its error code and message, verbatim
    /// (`AccessDenied: Not authorized to perform sts:AssumeRoleWithWebIdentity`).
    Rejected { code: String, message: String },
    /// The call did not reach a verdict (network, throttling after retries).
    Failed(String),
}
