//! `can-i`: what a pod really runs as (its container's credential chain: IRSA, Pod Identity,
//! the node role it falls back to, static keys, nothing), then the permission evaluation of one
//! request as that identity — with the role's identity policies, its permissions boundary, the
//! Pod Identity association's session policy and session tags, the SCPs and the resource's own
//! policy when they are known.
//!
//! A pod that never obtains its intended role (the trust fails) is never evaluated as if it
//! had: the answer names the finding and evaluates the identity the SDK falls back to, or says
//! the call fails for want of credentials.

use super::effective::{self, EffectivePermissions};
use super::session::{PodIdentitySession, SessionPrincipal};
use super::{
    Deciding, NamedPolicy, PermissionDecision, PermissionRequest, PolicySet, PolicyTrace,
    ResourcePolicy, ScpLevel, Unknown, evaluate,
};
use crate::analysis::audit::AuditReport;
use crate::analysis::checks::pod_analysis;
use crate::analysis::credentials::{CredentialSource, CredentialVerdict};
use crate::analysis::hash::HashMap;
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::policy;
use crate::analysis::trust::RequestKey;
use crate::model::{
    EnvValue, FindingCode, Inventory, PodInfo, RawPolicyDocument, RoleInfo, Severity, Subject,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Whose permissions: a pod, or the ServiceAccount of a running pod.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CanISubject {
    Pod { namespace: String, name: String },
    ServiceAccount { namespace: String, name: String },
}

/// The request to evaluate.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CanIQuery {
    pub action: String,
    pub resource: String,
    /// Extra condition keys (`--key NAME=VALUE`; repeated = multi-valued); they override the
    /// session's own keys of the same name.
    pub keys: Vec<RequestKey>,
    pub resource_account: Option<String>,
    /// The container whose chain decides (default: the first main container).
    pub container: Option<String>,
    /// Set when the caller tried to read the resource's policy and could not (e.g.
    /// `s3:GetBucketPolicy denied`): the resource policy is then unknown, whatever the loaded
    /// data holds.
    pub resource_policy_unknown: Option<String>,
}

/// The overall answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CanIDecision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
    /// The pod obtains no AWS credentials at all: every call fails.
    NoCredentials,
    /// The identity (or its policies) is not known well enough to evaluate.
    Unknown,
}

impl CanIDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            CanIDecision::Allow => "allow",
            CanIDecision::ExplicitDeny => "explicit-deny",
            CanIDecision::ImplicitDeny => "implicit-deny",
            CanIDecision::NoCredentials => "no-credentials",
            CanIDecision::Unknown => "unknown",
        }
    }
}

impl From<PermissionDecision> for CanIDecision {
    fn from(d: PermissionDecision) -> Self {
        match d {
            PermissionDecision::Allow => CanIDecision::Allow,
            PermissionDecision::ExplicitDeny => CanIDecision::ExplicitDeny,
            PermissionDecision::ImplicitDeny => CanIDecision::ImplicitDeny,
        }
    }
}

/// What the pod (a container) runs as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdentityKind {
    /// Web identity: `AWS_ROLE_ARN` and a token file (the webhook's IRSA injection).
    Irsa,
    /// Container credentials from the EKS Pod Identity agent.
    PodIdentity,
    /// The node's instance role, through IMDS (no other provider configured).
    NodeRole,
    /// Long-lived IAM user keys in the environment.
    StaticKeys,
    /// No credentials: IMDS unreachable, or an instance without an instance profile.
    None,
    /// Not known (e.g. IMDS reachability, when its metadata options were not read).
    #[default]
    Unknown,
}

/// The identity part of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityAnswer {
    pub kind: IdentityKind,
    pub pod: String,
    pub container: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_arn: Option<String>,
    /// The role the pod is configured for but never obtains (trust fails), when so.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intended_role_arn: Option<String>,
    /// One line on how the identity was found (fallback reason, session name, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A finding about the pod or its ServiceAccount, by reference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingRef {
    pub code: FindingCode,
    pub severity: Severity,
    pub subject: String,
    pub title: String,
}

/// The whole answer of `can-i`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CanIAnswer {
    pub decision: CanIDecision,
    pub action: String,
    pub resource: String,
    pub reason: String,
    pub identity: IdentityAnswer,
    pub deciding: Vec<Deciding>,
    pub trace: Vec<PolicyTrace>,
    pub unknowns: Vec<Unknown>,
    pub findings: Vec<FindingRef>,
    /// With `--ask-aws`: what `iam:SimulatePrincipalPolicy` answered and whether it agrees.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws: Option<super::ask_aws::AwsComparison>,
    /// With `--ask-aws`: why AWS could not be asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_error: Option<String>,
    /// The evaluation applied a session policy (Pod Identity association).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub session_policy_applied: bool,
    /// Where the resource's policy came from, when the caller says (`can-i --aws` reads S3
    /// bucket and KMS key policies live).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policy_source: Option<String>,
}

/// Why no answer could be given at all.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CanIError {
    #[error("pod {0} not found ({1} pods loaded)")]
    NoPod(String, usize),
    #[error("ServiceAccount {0} not found ({1} ServiceAccounts loaded)")]
    NoServiceAccount(String, usize),
    #[error(
        "ServiceAccount {0} has no pod: its identity depends on a pod's containers and node; evaluate its role with `policy simulate --principal ROLE_ARN`"
    )]
    NoPodOfServiceAccount(String),
    #[error("pod {pod} has no container {container:?} (containers: {available})")]
    NoContainer {
        pod: String,
        container: String,
        available: String,
    },
}

/// Answers whether `subject` can perform `query`; `report` is the audit of `inv` (its findings
/// about the pod and its ServiceAccount are quoted).
pub fn can_i(
    inv: &Inventory,
    report: &AuditReport,
    subject: &CanISubject,
    query: &CanIQuery,
) -> Result<CanIAnswer, CanIError> {
    let index = InventoryIndex::new(inv);
    let (pod, mut notes) = find_pod(inv, &index, subject)?;
    let (_, analysis) = pod_analysis(&index, pod);
    let (container_index, container_name) = pick_container(pod, query.container.as_deref())?;
    let Some(verdict) = analysis.containers.get(container_index) else {
        return Err(CanIError::NoContainer {
            pod: format!("{}/{}", pod.namespace, pod.name),
            container: container_name,
            available: String::new(),
        });
    };

    let findings = findings_about(report, pod);
    let mut identity = IdentityAnswer {
        kind: IdentityKind::Unknown,
        pod: format!("{}/{}", pod.namespace, pod.name),
        container: container_name.clone(),
        role_arn: None,
        session_arn: None,
        intended_role_arn: None,
        notes: Vec::new(),
    };
    identity.notes.append(&mut notes);
    let answer = |identity: IdentityAnswer,
                  decision: CanIDecision,
                  reason: String,
                  unknowns: Vec<Unknown>| CanIAnswer {
        decision,
        action: query.action.clone(),
        resource: query.resource.clone(),
        reason,
        identity,
        deciding: Vec::new(),
        trace: Vec::new(),
        unknowns,
        findings: findings.clone(),
        aws: None,
        aws_error: None,
        resource_policy_source: None,
        session_policy_applied: false,
    };

    // Where the container really lands: the configured provider, or where the SDK falls back.
    let source = match &verdict.fallback {
        Some(fallback) => {
            identity.intended_role_arn = configured_role(verdict);
            identity.notes.push(format!(
                "never obtains {}: {} ({})",
                identity
                    .intended_role_arn
                    .as_deref()
                    .unwrap_or("its configured role"),
                fallback.reason,
                fallback.aws_error
            ));
            &fallback.lands_on
        }
        None => &verdict.source,
    };
    let role_arn = match source {
        CredentialSource::WebIdentity { role_arn }
        | CredentialSource::ContainerCredentials { role_arn }
        | CredentialSource::InstanceRole { role_arn } => role_arn.clone(),
        CredentialSource::StaticKeys => {
            identity.kind = IdentityKind::StaticKeys;
            let reason = "the container uses long-lived access keys of an unknown IAM user: its permissions cannot be evaluated".to_owned();
            return Ok(answer(identity, CanIDecision::Unknown, reason, Vec::new()));
        }
        CredentialSource::None => {
            identity.kind = IdentityKind::None;
            let reason = match &identity.intended_role_arn {
                Some(role) => format!(
                    "the pod never obtains {role} and has no other credentials: every AWS call fails"
                ),
                None => "the container has no AWS credentials: every AWS call fails".to_owned(),
            };
            return Ok(answer(
                identity,
                CanIDecision::NoCredentials,
                reason,
                Vec::new(),
            ));
        }
        CredentialSource::Unknown { reason } => {
            identity.kind = IdentityKind::Unknown;
            let reason = format!("the container's identity is unknown: {reason}");
            return Ok(answer(identity, CanIDecision::Unknown, reason, Vec::new()));
        }
    };
    identity.kind = match source {
        CredentialSource::WebIdentity { .. } => IdentityKind::Irsa,
        CredentialSource::ContainerCredentials { .. } => IdentityKind::PodIdentity,
        _ => IdentityKind::NodeRole,
    };
    let Some(role_arn) = role_arn else {
        let reason = "the role the container runs as is not known".to_owned();
        return Ok(answer(identity, CanIDecision::Unknown, reason, Vec::new()));
    };
    identity.role_arn = Some(role_arn.clone());
    if !index.roles_known() {
        let reason = format!("IAM roles are not loaded: the policies of {role_arn} are unknown");
        return Ok(answer(identity, CanIDecision::Unknown, reason, Vec::new()));
    }
    let Some(role) = index.role(&role_arn) else {
        let reason = format!(
            "role {role_arn} does not exist in the loaded IAM data: no credentials are issued for it"
        );
        let decision = if identity.kind == IdentityKind::NodeRole {
            CanIDecision::Unknown
        } else {
            CanIDecision::NoCredentials
        };
        return Ok(answer(identity, decision, reason, Vec::new()));
    };

    // The session and the policies that limit it.
    let mut unknowns = Vec::new();
    let mut session_policies = Vec::new();
    let session = match identity.kind {
        IdentityKind::Irsa => {
            let name = pod
                .all_containers()
                .nth(container_index)
                .and_then(|c| c.env_var("AWS_ROLE_SESSION_NAME"))
                .and_then(|e| match &e.value {
                    EnvValue::Literal(v) => Some(v.as_str()),
                    _ => None,
                });
            SessionPrincipal::irsa(&role.arn, name, Some(&role.tags))
        }
        IdentityKind::PodIdentity => {
            let association = index
                .associations_of(&pod.namespace, &pod.service_account)
                .first()
                .copied();
            if let Some(policy) = association.and_then(|a| a.policy.as_ref()) {
                match parse(policy) {
                    Ok(document) => session_policies.push(NamedPolicy {
                        name: format!(
                            "of association {}",
                            association.map_or("", |a| a.association_id.as_str())
                        ),
                        document,
                    }),
                    Err(e) => unknowns.push(Unknown {
                        what: "the association's session policy".to_owned(),
                        why: format!("it does not parse ({e}); EKS would have refused it, so the data is damaged"),
                    }),
                }
            }
            if association.is_none() {
                unknowns.push(Unknown {
                    what: "Pod Identity association".to_owned(),
                    why: "not in the loaded data: its session tags and session policy are unknown"
                        .to_owned(),
                });
            }
            let cluster = inv.cluster.as_ref();
            SessionPrincipal::pod_identity(&PodIdentitySession {
                role_arn: &role.arn,
                cluster_name: association
                    .map(|a| a.cluster_name.as_str())
                    .or(cluster.map(|c| c.name.as_str()))
                    .unwrap_or("cluster"),
                cluster_arn: cluster.and_then(|c| c.arn.as_deref()),
                namespace: &pod.namespace,
                service_account: &pod.service_account,
                pod_name: &pod.name,
                pod_uid: pod.uid.as_deref(),
                session_tags_disabled: association
                    .and_then(|a| a.disable_session_tags)
                    .unwrap_or(false),
                role_tags: Some(&role.tags),
            })
        }
        _ => SessionPrincipal::node_role(&role.arn, analysis.node.instance_id(), Some(&role.tags)),
    };
    identity.session_arn = Some(session.session_arn.clone());
    identity.notes.extend(session.session_name_note.clone());

    let (mut policies, mut policy_unknowns) =
        role_policies(inv, role, session_policies, &query.resource);
    if let Some(reason) = &query.resource_policy_unknown {
        policies.resource = ResourcePolicy::NotLoaded {
            reason: reason.clone(),
        };
    }
    unknowns.append(&mut policy_unknowns);
    let mut keys: Vec<RequestKey> = Vec::new();
    let mut push = |name: &str, value: &str| RequestKey::add(&mut keys, name, value);
    push("aws:PrincipalArn", &role.arn);
    for (name, value) in &session.keys {
        if !query.keys.iter().any(|k| k.name.eq_ignore_ascii_case(name)) {
            push(name, value);
        }
    }
    keys.extend(query.keys.iter().cloned());
    let request = PermissionRequest {
        action: query.action.clone(),
        resource: query.resource.clone(),
        principal: session.session_arn.clone(),
        resource_account: query.resource_account.clone().or_else(|| {
            inv.resource_policies
                .iter()
                .flatten()
                .find(|p| p.governs(&query.resource))
                .and_then(|p| p.account.clone())
        }),
        keys,
        principal_tags_known: session.tags_known,
    };
    let session_policy_applied = !policies.session.is_empty();
    let verdict = evaluate(&request, &policies);
    unknowns.extend(verdict.unknowns);
    // For a KMS key the key policy decides whether identity policies count: an allow that
    // rests on an unknown key policy is not an answer.
    let key_policy_unknown = matches!(policies.resource, ResourcePolicy::NotLoaded { .. })
        && query.resource.split(':').nth(2) == Some("kms");
    let decision = match verdict.decision.into() {
        CanIDecision::Allow if key_policy_unknown => CanIDecision::Unknown,
        other => other,
    };
    Ok(CanIAnswer {
        decision,
        action: query.action.clone(),
        resource: query.resource.clone(),
        reason: verdict.reason,
        identity,
        deciding: verdict.deciding,
        trace: verdict.policies,
        unknowns,
        findings,
        aws: None,
        aws_error: None,
        resource_policy_source: None,
        session_policy_applied,
    })
}

/// Parsed managed-policy documents by ARN. An account's roles share a few managed policies
/// (and one boundary), so a pass over every role parses each document once: 2,000 roles with
/// five policies each took 415 ms parsing every copy, see BENCHMARKS.md.
#[derive(Debug, Default)]
pub struct PolicyCache {
    documents: HashMap<String, Result<policy::PolicyDocument, String>>,
    memo: effective::Memo,
}

impl PolicyCache {
    fn get(
        &mut self,
        arn: &str,
        raw: &RawPolicyDocument,
    ) -> Result<policy::PolicyDocument, String> {
        self.documents
            .entry(arn.to_owned())
            .or_insert_with(|| parse(raw).map_err(|e| e.to_string()))
            .clone()
    }
}

/// The policies that decide requests of `role`'s sessions, and what could not be read.
pub fn role_policies(
    inv: &Inventory,
    role: &RoleInfo,
    session: Vec<NamedPolicy>,
    resource: &str,
) -> (PolicySet, Vec<Unknown>) {
    role_policies_cached(inv, role, session, resource, &mut PolicyCache::default())
}

/// [`role_policies`], with managed documents parsed once per `cache`.
pub fn role_policies_cached(
    inv: &Inventory,
    role: &RoleInfo,
    session: Vec<NamedPolicy>,
    resource: &str,
    cache: &mut PolicyCache,
) -> (PolicySet, Vec<Unknown>) {
    let mut unknowns = Vec::new();
    let mut identity = Vec::new();
    for attached in &role.attached_policies {
        match attached
            .document
            .as_ref()
            .map(|raw| cache.get(&attached.arn, raw))
        {
            Some(Ok(document)) => identity.push(NamedPolicy {
                name: attached.name.clone(),
                document,
            }),
            Some(Err(e)) => unknowns.push(Unknown {
                what: format!("managed policy {}", attached.arn),
                why: format!("its document does not parse: {e}"),
            }),
            None => unknowns.push(Unknown {
                what: format!("managed policy {}", attached.arn),
                why: "its document was not readable: what it allows or denies is not counted"
                    .to_owned(),
            }),
        }
    }
    for inline in &role.inline_policies {
        match parse(&inline.document) {
            Ok(document) => identity.push(NamedPolicy {
                name: inline.name.clone(),
                document,
            }),
            Err(e) => unknowns.push(Unknown {
                what: format!("inline policy {}", inline.name),
                why: format!("its document does not parse: {e}"),
            }),
        }
    }
    let boundary = match (
        &role.permissions_boundary,
        &role.permissions_boundary_document,
    ) {
        (None, _) => None,
        (Some(arn), Some(raw)) => match cache.get(arn, raw) {
            Ok(document) => Some(NamedPolicy {
                name: arn.rsplit('/').next().unwrap_or(arn).to_owned(),
                document,
            }),
            Err(e) => {
                unknowns.push(Unknown {
                    what: format!("permissions boundary {arn}"),
                    why: format!("its document does not parse: {e}"),
                });
                None
            }
        },
        (Some(arn), None) => {
            unknowns.push(Unknown {
                what: format!("permissions boundary {arn}"),
                why: "its document was not readable: the limit it sets is not applied".to_owned(),
            });
            None
        }
    };
    let scps = inv.scps.as_ref().map(|levels| {
        levels
            .iter()
            .map(|level| ScpLevel {
                name: level.target.clone(),
                policies: level
                    .policies
                    .iter()
                    .filter_map(|p| match parse(&p.content) {
                        Ok(document) => Some(NamedPolicy {
                            name: p.name.clone(),
                            document,
                        }),
                        Err(e) => {
                            unknowns.push(Unknown {
                                what: format!("SCP {} at {}", p.name, level.target),
                                why: format!("it does not parse: {e}"),
                            });
                            None
                        }
                    })
                    .collect(),
            })
            .collect()
    });
    let resource_policy = match &inv.resource_policies {
        Some(list) => match list.iter().find(|p| p.governs(resource)) {
            Some(p) => match parse(&p.policy) {
                Ok(document) => ResourcePolicy::Loaded {
                    policy: NamedPolicy {
                        name: p.arn.clone(),
                        document,
                    },
                },
                Err(e) => ResourcePolicy::NotLoaded {
                    reason: format!("the policy of {} does not parse: {e}", p.arn),
                },
            },
            None if takes_resource_policy(resource) => ResourcePolicy::None,
            None => ResourcePolicy::None,
        },
        None if takes_resource_policy(resource) => ResourcePolicy::NotLoaded {
            reason:
                "resource policies were not loaded (add the snapshot file resource-policies.json)"
                    .to_owned(),
        },
        None => ResourcePolicy::None,
    };
    (
        PolicySet {
            identity,
            boundary,
            session,
            scps,
            resource: resource_policy,
        },
        unknowns,
    )
}

/// What the sessions of a Pod Identity association may do: its role's summary, limited by the
/// association's session policy. `None` when the association has none (the role's summary is
/// then the answer).
pub fn association_summary(
    inv: &Inventory,
    role: &RoleInfo,
    association: &crate::model::PodIdentityAssociation,
) -> Option<EffectivePermissions> {
    let raw = association.policy.as_ref()?;
    let mut summary = role_summary(inv, role);
    match parse(raw) {
        Ok(document) => Some(effective::with_session_policy(
            summary,
            &NamedPolicy {
                name: format!("of association {}", association.association_id),
                document,
            },
        )),
        Err(e) => {
            summary.unknowns.push(Unknown {
                what: "the association's session policy".to_owned(),
                why: format!("it does not parse ({e})"),
            });
            Some(summary)
        }
    }
}

/// The effective-permissions summary of a role: its identity policies under its boundary,
/// with what could not be read.
pub fn role_summary(inv: &Inventory, role: &RoleInfo) -> EffectivePermissions {
    role_summary_cached(inv, role, &mut PolicyCache::default())
}

/// [`role_summary`] for many roles: managed documents parsed once per `cache`.
pub fn role_summary_cached(
    inv: &Inventory,
    role: &RoleInfo,
    cache: &mut PolicyCache,
) -> EffectivePermissions {
    let (set, unknowns) = role_policies_cached(inv, role, Vec::new(), "*", cache);
    let mut summary =
        effective::summarise_with(&set.identity, set.boundary.as_ref(), &mut cache.memo);
    summary.unknowns = unknowns;
    summary
}

/// Services whose resources carry their own policy (the common ones).
pub fn takes_resource_policy(resource: &str) -> bool {
    const SERVICES: [&str; 10] = [
        "s3",
        "kms",
        "sqs",
        "sns",
        "secretsmanager",
        "lambda",
        "ecr",
        "logs",
        "glacier",
        "es",
    ];
    resource.starts_with("arn:")
        && resource
            .split(':')
            .nth(2)
            .is_some_and(|s| SERVICES.contains(&s))
}

fn parse(raw: &RawPolicyDocument) -> Result<policy::PolicyDocument, policy::PolicyError> {
    policy::parse(raw)
}

/// The role a container is configured for (before any fallback).
fn configured_role(verdict: &CredentialVerdict) -> Option<String> {
    match &verdict.source {
        CredentialSource::WebIdentity { role_arn }
        | CredentialSource::ContainerCredentials { role_arn } => role_arn.clone(),
        _ => None,
    }
}

fn find_pod<'a>(
    inv: &'a Inventory,
    index: &InventoryIndex<'a>,
    subject: &CanISubject,
) -> Result<(&'a PodInfo, Vec<String>), CanIError> {
    match subject {
        CanISubject::Pod { namespace, name } => inv
            .pod(namespace, name)
            .map(|p| (p, Vec::new()))
            .ok_or_else(|| CanIError::NoPod(format!("{namespace}/{name}"), inv.pods.len())),
        CanISubject::ServiceAccount { namespace, name } => {
            if index.service_account(namespace, name).is_none() {
                return Err(CanIError::NoServiceAccount(
                    format!("{namespace}/{name}"),
                    inv.service_accounts.len(),
                ));
            }
            let pods = index.pods_of(namespace, name);
            let pod = pods
                .first()
                .copied()
                .ok_or_else(|| CanIError::NoPodOfServiceAccount(format!("{namespace}/{name}")))?;
            let note = format!(
                "ServiceAccount {namespace}/{name}: evaluated as its pod {} ({} pods)",
                pod.name,
                pods.len()
            );
            Ok((pod, vec![note]))
        }
    }
}

fn pick_container(pod: &PodInfo, wanted: Option<&str>) -> Result<(usize, String), CanIError> {
    let names: Vec<&str> = pod.all_containers().map(|c| c.name.as_str()).collect();
    match wanted {
        None => names
            .first()
            .map(|n| (0, (*n).to_owned()))
            .ok_or_else(|| CanIError::NoContainer {
                pod: format!("{}/{}", pod.namespace, pod.name),
                container: String::new(),
                available: "none".to_owned(),
            }),
        Some(w) => names
            .iter()
            .position(|n| *n == w)
            .map(|i| (i, w.to_owned()))
            .ok_or_else(|| CanIError::NoContainer {
                pod: format!("{}/{}", pod.namespace, pod.name),
                container: w.to_owned(),
                available: names.join(", "),
            }),
    }
}

/// Findings about the pod or its ServiceAccount (as subject or related object).
fn findings_about(report: &AuditReport, pod: &PodInfo) -> Vec<FindingRef> {
    let subjects = [
        Subject::pod(&pod.namespace, &pod.name),
        Subject::service_account(&pod.namespace, &pod.service_account),
    ];
    report
        .findings
        .iter()
        .filter(|f| subjects.contains(&f.subject) || f.related.iter().any(|r| subjects.contains(r)))
        .map(|f| FindingRef {
            code: f.code,
            severity: f.severity,
            subject: f.subject.to_string(),
            title: f.title.clone(),
        })
        .collect()
}
