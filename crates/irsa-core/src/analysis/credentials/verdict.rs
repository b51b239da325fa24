//! The verdict types of the credential chain: steps, sources, fallback, and the caller's
//! web-identity outlook.

use crate::model::FindingCode;
use serde::{Deserialize, Serialize};

/// The caller's knowledge of whether the web-identity exchange for the container's role works.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outlook", rename_all = "kebab-case")]
pub enum WebIdentityOutlook {
    Works,
    /// STS would refuse: the finding code that says why, one line, and the error the pod sees.
    Fails {
        code: FindingCode,
        reason: String,
        aws_error: String,
    },
    Unknown {
        reason: String,
    },
}

/// What the caller knows beyond the pod spec.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ChainInputs {
    /// Outcome for the role in the container's `AWS_ROLE_ARN`; `None` = not evaluated.
    pub web_identity: Option<WebIdentityOutlook>,
    /// The role whose credentials the ServiceAccount's Pod Identity association hands out
    /// (its target role when it has one).
    pub pod_identity_role: Option<String>,
    /// Why EKS would refuse the association's chain (the finding code and one line), when it
    /// would.
    pub pod_identity_broken: Option<(FindingCode, String)>,
    /// Why the node's Pod Identity agent cannot serve this pod (no agent, host network).
    pub pod_identity_agent: Option<String>,
}

/// The credential provider a step is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ChainProvider {
    StaticKeys,
    WebIdentity,
    ContainerCredentials,
    Imds,
}

/// The result of one step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepResult {
    /// The SDK uses this provider.
    Selected,
    /// Configured, but it would fail; the SDK moves on.
    Fails,
    /// Not configured; the SDK moves on.
    Skipped,
    /// May be configured (contents not visible, e.g. an envFrom Secret).
    Maybe,
    Unknown,
    /// An earlier provider was selected.
    NotReached,
}

/// One step of the walk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainStep {
    pub provider: ChainProvider,
    /// What was checked, e.g. `AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE`.
    pub checked: String,
    pub result: StepResult,
    /// Why, one line (never a secret value).
    pub detail: String,
}

/// The identity the container ends up with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CredentialSource {
    /// Long-lived access keys of an IAM user.
    StaticKeys,
    WebIdentity {
        role_arn: Option<String>,
    },
    ContainerCredentials {
        role_arn: Option<String>,
    },
    /// IMDS: the node's instance role.
    InstanceRole {
        role_arn: Option<String>,
    },
    Unknown {
        reason: String,
    },
    None,
}

/// Where an SDK lands when the configured provider fails and it keeps walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fallback {
    /// What fails, one line.
    pub reason: String,
    /// The error the configured provider produces.
    pub aws_error: String,
    /// The identity after falling back (`InstanceRole`, `None` or `Unknown`).
    pub lands_on: CredentialSource,
}

/// The whole verdict for one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CredentialVerdict {
    pub container: String,
    pub source: CredentialSource,
    pub steps: Vec<ChainStep>,
    /// The role the container's calls run as, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub landing_role: Option<String>,
    /// Set when the selected provider would fail (boxed: most containers have none, and a
    /// cluster-wide run holds 100,000 verdicts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fallback: Option<Box<Fallback>>,
}

fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

impl CredentialVerdict {
    /// The one-line identity of the Pods pane: `IRSA <role>`, `Pod Identity <role>`,
    /// `NODE ROLE FALLBACK <role|unknown>`, `static keys`, `none`, or `unknown (…)`.
    pub fn label(&self) -> String {
        let name = |arn: &Option<String>| arn.as_deref().map_or("unknown", role_name).to_owned();
        match &self.source {
            CredentialSource::StaticKeys => "static keys".to_owned(),
            CredentialSource::WebIdentity { role_arn } => format!("IRSA {}", name(role_arn)),
            CredentialSource::ContainerCredentials { role_arn } => {
                format!("Pod Identity {}", name(role_arn))
            }
            CredentialSource::InstanceRole { role_arn } => {
                format!("NODE ROLE FALLBACK {}", name(role_arn))
            }
            CredentialSource::Unknown { .. } => "unknown (IMDS reachability)".to_owned(),
            CredentialSource::None => "none".to_owned(),
        }
    }

    /// True when the container's calls end on the node role through the plain chain
    /// (no static keys, web identity or container credentials configured).
    pub fn lands_on_imds(&self) -> bool {
        matches!(self.source, CredentialSource::InstanceRole { .. })
    }
}
