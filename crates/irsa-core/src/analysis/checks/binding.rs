//! The per-ServiceAccount analysis: role ARN → OIDC provider → audience → role → trust, each a
//! link of a chain with the first broken one marked, plus the Pod Identity association's
//! trust. This is what the audit's bindings, the pods' web-identity outlook and the explain /
//! drill-down views all read, so it is computed once per ServiceAccount.

pub use super::irsa_chain::analyze_irsa;
use super::pod_identity;
use crate::analysis::credentials::WebIdentityOutlook;
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::trust::{Decision, TrustVerdict};
use crate::model::{Finding, FindingCode, ServiceAccountInfo, SourceKind, Subject};
use serde::{Deserialize, Serialize};

/// How a ServiceAccount gets credentials (re-exported by `audit`).
use crate::analysis::verdict::Mechanism;

/// The links of the IRSA chain, in the order they are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkKind {
    RoleArnValid,
    OidcProviderRegistered,
    AudienceAccepted,
    RoleExists,
    TrustAllows,
    /// Pod Identity: the association's role exists.
    AssociationRoleExists,
    /// Pod Identity: `pods.eks.amazonaws.com` may assume it (and tag the session).
    EksMayAssume,
    /// Pod Identity with a target role: the target role exists.
    TargetRoleExists,
    /// The association's role may `sts:AssumeRole` the target (its identity policies,
    /// boundary and SCPs).
    RoleMayAssumeTarget,
    /// The target role's trust admits the association's role (principal, `sts:ExternalId`).
    TargetTrustAllows,
}

impl LinkKind {
    /// Human label of the link.
    pub fn label(self) -> &'static str {
        match self {
            LinkKind::RoleArnValid => "role ARN valid",
            LinkKind::OidcProviderRegistered => "OIDC provider registered",
            LinkKind::AudienceAccepted => "audience accepted",
            LinkKind::RoleExists => "role exists",
            LinkKind::TrustAllows => "trust allows",
            LinkKind::AssociationRoleExists => "association role exists",
            LinkKind::EksMayAssume => "EKS may assume it",
            LinkKind::TargetRoleExists => "target role exists",
            LinkKind::RoleMayAssumeTarget => "role may assume target",
            LinkKind::TargetTrustAllows => "target trust admits role",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LinkStatus {
    Ok,
    Broken,
    Unknown,
    /// Not checked because an earlier link it depends on is broken.
    Skipped,
}

/// One link of the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainLink {
    pub kind: LinkKind,
    pub status: LinkStatus,
    /// One line naming the values.
    pub detail: String,
    /// The finding that breaks it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<FindingCode>,
}

impl ChainLink {
    pub fn new(
        kind: LinkKind,
        status: LinkStatus,
        detail: impl Into<String>,
        code: Option<FindingCode>,
    ) -> Self {
        Self {
            kind,
            status,
            detail: detail.into(),
            code,
        }
    }
}

/// The trust evaluation of the web-identity request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum TrustOutcome {
    NotEvaluated { reason: String },
    Unparsable { error: String },
    Evaluated { verdict: TrustVerdict },
}

/// IRSA for one ServiceAccount and one role ARN.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IrsaAnalysis {
    /// The annotation as written.
    pub role_arn: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_account: Option<String>,
    /// This cluster's provider ARN in the role's account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    pub audience: String,
    /// `system:serviceaccount:<ns>:<sa>`.
    pub subject: String,
    pub trust: TrustOutcome,
    pub links: Vec<ChainLink>,
    /// Index into `links` of the first broken link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_broken: Option<usize>,
    pub outlook: WebIdentityOutlook,
}

/// Pod Identity for one ServiceAccount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodIdentityAnalysis {
    pub association_id: String,
    pub role_arn: String,
    /// `sts:AssumeRole` and `sts:TagSession` by `pods.eks.amazonaws.com`; `None` when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assume_role: Option<Decision>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tag_session: Option<Decision>,
    /// One line when the trust could not be checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unknown: Option<String>,
    /// The target role EKS assumes with the association's role (role chaining, 2025).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// False when the association disables session tags.
    #[serde(default = "yes")]
    pub session_tags: bool,
    /// The chain link by link (association role, EKS's trust, then the target hop).
    #[serde(default)]
    pub links: Vec<ChainLink>,
    /// Index into `links` of the first broken link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_broken: Option<usize>,
    /// What a pod sees when the chain is broken.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_error: Option<String>,
}

fn yes() -> bool {
    true
}

impl PodIdentityAnalysis {
    /// The role whose credentials the pod receives: the target role when there is one.
    pub fn effective_role_arn(&self) -> &str {
        self.target_role_arn.as_deref().unwrap_or(&self.role_arn)
    }

    /// The finding code of the first broken link, if any.
    pub fn broken_by(&self) -> Option<FindingCode> {
        self.first_broken
            .and_then(|i| self.links.get(i))
            .and_then(|l| l.code)
    }
}

/// Everything known about one ServiceAccount's identity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BindingAnalysis {
    pub service_account: Subject,
    pub mechanism: Mechanism,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub irsa: Option<IrsaAnalysis>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_identity: Option<PodIdentityAnalysis>,
    /// Findings about this ServiceAccount (IRSA0xx, AUD013, POD005).
    pub findings: Vec<Finding>,
    /// What could not be decided: (source, reason without the SA's name).
    pub unknowns: Vec<(SourceKind, String)>,
}

/// The webhook's audience for a ServiceAccount (annotation, else the webhook's default).
pub fn audience_of(index: &InventoryIndex<'_>, sa: &ServiceAccountInfo) -> String {
    sa.annotations
        .get(&index.keys.audience)
        .map(|a| a.trim())
        .filter(|a| !a.is_empty())
        .map_or_else(|| index.settings.audience.clone(), str::to_owned)
}

/// The role-arn annotation, when present (even empty).
pub fn role_annotation<'s>(
    index: &InventoryIndex<'_>,
    sa: &'s ServiceAccountInfo,
) -> Option<&'s str> {
    sa.annotations.get(&index.keys.role_arn).map(String::as_str)
}

/// Analyses one ServiceAccount: its IRSA chain, its Pod Identity association, and the findings
/// about it. Reusable by the explain and drill-down views.
pub fn evaluate_binding(index: &InventoryIndex<'_>, sa: &ServiceAccountInfo) -> BindingAnalysis {
    let subject = Subject::service_account(&sa.namespace, &sa.name);
    let mut findings = Vec::new();
    let mut unknowns = Vec::new();
    let role_arn = role_annotation(index, sa);
    let irsa = role_arn.map(|arn| {
        let audience = audience_of(index, sa);
        let (analysis, mut f, mut u) = analyze_irsa(index, sa, arn, &audience);
        findings.append(&mut f);
        unknowns.append(&mut u);
        analysis
    });
    let association = index
        .associations_of(&sa.namespace, &sa.name)
        .first()
        .copied();
    let pod_identity = association.map(|assoc| {
        let (analysis, mut f, mut u) = pod_identity::analyze(index, sa, assoc);
        findings.append(&mut f);
        unknowns.append(&mut u);
        analysis
    });
    if association.is_none() && role_arn.is_none() && !index.associations_known() {
        unknowns.push((
            SourceKind::PodIdentity,
            "Pod Identity associations not loaded".to_owned(),
        ));
    }
    if let (Some(arn), Some(assoc)) = (role_arn, association) {
        findings.push(pod_identity::both_mechanisms(index, sa, arn, assoc));
    }
    let mechanism = match (
        role_arn.is_some_and(|a| !a.trim().is_empty()),
        association.is_some(),
    ) {
        (true, true) => Mechanism::Both,
        (true, false) => Mechanism::Irsa,
        (false, true) => Mechanism::PodIdentity,
        (false, false) => Mechanism::None,
    };
    BindingAnalysis {
        service_account: subject,
        mechanism,
        irsa,
        pod_identity,
        findings,
        unknowns,
    }
}
