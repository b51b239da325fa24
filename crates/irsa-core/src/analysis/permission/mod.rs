//! Can this principal do it? IAM's evaluation of one request (action, resource, principal,
//! condition keys) against every policy type that decides it, with a trace of each policy,
//! statement and condition — the permission-side twin of [`crate::analysis::trust`], sharing
//! its condition engine.
//!
//! Logic (IAM User Guide, "Policy evaluation logic", "Cross-account policy evaluation logic"):
//! 1. An applicable `Deny` in any policy — identity-based, permissions boundary, session
//!    policy, SCP, resource-based — is an explicit deny.
//! 2. SCPs: every level of the organisation path must have an applicable `Allow`, else an
//!    implicit deny. SCPs are an input (reading them needs the management account); without
//!    them the verdict says they were not considered.
//! 3. Within one account: an `Allow` in an identity-based policy **or** the resource-based
//!    policy, limited by the permissions boundary and the session policies (each, when present,
//!    must allow too). The documented exception: a resource-based policy that names the role
//!    *session* ARN grants directly — neither the boundary nor a session policy limits it. A
//!    resource-based policy that names the account (`…:root`) only delegates to IAM: the
//!    identity side must allow.
//! 4. Across accounts: the identity side (with boundary and session policies) **and** the
//!    resource-based policy must both allow.
//! 5. KMS keys: the key policy decides; IAM policies count only where the key policy
//!    delegates to the account ("…:root"). A key policy without that statement ignores IAM.
//!
//! Unknowns are listed, never turned into an allow silently: SCPs not provided, a resource
//! policy not loaded, condition keys only known when the call is made (evaluated as absent, as
//! IAM does for a request without them).
//!
//! Not modelled: resource control policies (RCPs), VPC endpoint policies, ACLs, permission sets
//! of IAM Identity Center, the root user, service-linked roles' special cases, and `${*}`-style
//! escapes inside `StringLike` condition values (they are wildcards there).

pub mod ask_aws;
pub mod can_i;
pub mod effective;
pub mod session;
mod statement;
#[cfg(test)]
mod tests;
pub mod variables;

pub use session::{SessionKind, SessionPrincipal, principal_type_of, role_arn_of_session};

use super::policy::{Effect, PolicyDocument};
use super::trust::{ConditionTrace, MatchTrace, aws_principal_names};
use super::trust::{RequestContext, RequestKey, RequestPrincipal};
use serde::{Deserialize, Serialize};

/// The request: who does what on which resource, with which condition keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionRequest {
    /// `service:Action`, matched case-insensitively.
    pub action: String,
    /// The resource ARN (or `*` for actions without a resource), matched case-sensitively.
    pub resource: String,
    /// The caller: a role session (`arn:aws:sts::…:assumed-role/Role/session`), a role or a
    /// user ARN.
    pub principal: String,
    /// The account that owns the resource when its ARN does not say (S3 bucket ARNs carry no
    /// account); `None` = the ARN's account, else the caller's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_account: Option<String>,
    /// Condition keys given by the caller (a key given twice is multi-valued). The principal's
    /// own keys (`aws:PrincipalArn`, `aws:PrincipalAccount`, `aws:PrincipalType`,
    /// `aws:username`) are derived from `principal` unless given here.
    #[serde(default)]
    pub keys: Vec<RequestKey>,
    /// True when every tag of the principal is among `keys` (`aws:PrincipalTag/…`), so an
    /// absent tag is known to be absent rather than unknown.
    #[serde(default)]
    pub principal_tags_known: bool,
}

/// A named policy document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamedPolicy {
    pub name: String,
    pub document: PolicyDocument,
}

/// One level of the organisation path (root, an OU, the account) and its SCPs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScpLevel {
    pub name: String,
    pub policies: Vec<NamedPolicy>,
}

/// What is known of the resource's own policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum ResourcePolicy {
    /// The resource has none (or its type takes none).
    None,
    /// It may have one that was not read; why (e.g. `s3:GetBucketPolicy denied`).
    NotLoaded {
        reason: String,
    },
    Loaded {
        policy: NamedPolicy,
    },
}

/// Every policy that may decide the request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicySet {
    /// Inline and managed policies of the role or user (managed: the default version).
    pub identity: Vec<NamedPolicy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub boundary: Option<NamedPolicy>,
    /// Session policies (inline and managed ARNs of the session); empty = none.
    #[serde(default)]
    pub session: Vec<NamedPolicy>,
    /// The SCPs of each level of the organisation path; `None` = not provided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scps: Option<Vec<ScpLevel>>,
    pub resource: ResourcePolicy,
}

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PermissionDecision {
    Allow,
    ExplicitDeny,
    ImplicitDeny,
}

impl PermissionDecision {
    pub fn as_str(self) -> &'static str {
        match self {
            PermissionDecision::Allow => "allow",
            PermissionDecision::ExplicitDeny => "explicit-deny",
            PermissionDecision::ImplicitDeny => "implicit-deny",
        }
    }
}

/// Which kind of policy a trace is about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum PolicyKind {
    Identity,
    PermissionsBoundary,
    SessionPolicy,
    Scp { level: String },
    ResourcePolicy,
}

impl PolicyKind {
    pub fn label(&self) -> String {
        match self {
            PolicyKind::Identity => "identity policy".to_owned(),
            PolicyKind::PermissionsBoundary => "permissions boundary".to_owned(),
            PolicyKind::SessionPolicy => "session policy".to_owned(),
            PolicyKind::Scp { level } => format!("SCP at {level}"),
            PolicyKind::ResourcePolicy => "resource policy".to_owned(),
        }
    }
}

/// One policy and how each of its statements fared.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyTrace {
    pub name: String,
    #[serde(flatten)]
    pub kind: PolicyKind,
    pub statements: Vec<PermissionStatementTrace>,
}

impl PolicyTrace {
    /// The first applicable statement with `effect`.
    pub fn first(&self, effect: Effect) -> Option<&PermissionStatementTrace> {
        self.statements
            .iter()
            .find(|s| s.applies && s.effect == effect)
    }
}

/// One statement: action, resource, principal (resource policies) and conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionStatementTrace {
    pub index: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
    pub effect: Effect,
    pub action: MatchTrace,
    pub resource: MatchTrace,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub principal: Option<MatchTrace>,
    pub conditions: Vec<ConditionTrace>,
    pub applies: bool,
}

/// The statement that decided.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deciding {
    pub policy: String,
    #[serde(flatten)]
    pub kind: PolicyKind,
    pub statement: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Something the verdict could not know, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    pub what: String,
    pub why: String,
}

/// The answer: decision, one-line reason, the deciding statement(s), every policy's trace and
/// what is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PermissionVerdict {
    pub decision: PermissionDecision,
    /// One line: what decided, or which layer did not allow.
    pub reason: String,
    /// The statements that decided: the explicit Deny; for an allow the granting statement
    /// (and the boundary, session and SCP statements that let it through); empty for an
    /// implicit deny.
    pub deciding: Vec<Deciding>,
    pub cross_account: bool,
    pub policies: Vec<PolicyTrace>,
    pub unknowns: Vec<Unknown>,
}

/// How a resource-based policy's applicable `Allow` names the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Grantee {
    /// The exact session ARN (or user ARN): grants directly.
    Exact,
    /// The role (covering its sessions) or everyone: grants, limited by boundary and session
    /// policies.
    Role,
    /// The account: delegates to the identity side.
    Account,
}

/// Evaluates the request against the policies, IAM-exactly (see the module comment).
pub fn evaluate(request: &PermissionRequest, policies: &PolicySet) -> PermissionVerdict {
    let context = request_context(request);
    let principal_account = arn_account(&request.principal)
        .unwrap_or_default()
        .to_owned();
    let resource_account = request
        .resource_account
        .clone()
        .or_else(|| arn_account(&request.resource).map(str::to_owned))
        .unwrap_or_else(|| principal_account.clone());
    let cross_account = !principal_account.is_empty() && resource_account != principal_account;
    let is_kms =
        request.resource.starts_with("arn:") && arn_service(&request.resource) == Some("kms");

    let trace_policy = |p: &NamedPolicy, kind: PolicyKind| PolicyTrace {
        name: p.name.clone(),
        statements: p
            .document
            .statements
            .iter()
            .enumerate()
            .map(|(i, s)| {
                statement::trace(
                    i,
                    s,
                    p.document.version.as_deref(),
                    &context,
                    &request.resource,
                    kind == PolicyKind::ResourcePolicy,
                )
            })
            .collect(),
        kind,
    };
    let mut traces: Vec<PolicyTrace> = Vec::new();
    traces.extend(
        policies
            .identity
            .iter()
            .map(|p| trace_policy(p, PolicyKind::Identity)),
    );
    traces.extend(
        policies
            .boundary
            .iter()
            .map(|p| trace_policy(p, PolicyKind::PermissionsBoundary)),
    );
    traces.extend(
        policies
            .session
            .iter()
            .map(|p| trace_policy(p, PolicyKind::SessionPolicy)),
    );
    for level in policies.scps.iter().flatten() {
        traces.extend(level.policies.iter().map(|p| {
            trace_policy(
                p,
                PolicyKind::Scp {
                    level: level.name.clone(),
                },
            )
        }));
    }
    if let ResourcePolicy::Loaded { policy } = &policies.resource {
        traces.push(trace_policy(policy, PolicyKind::ResourcePolicy));
    }

    let unknowns = unknowns_of(request, policies, &traces, &context, cross_account);
    let deciding = |t: &PolicyTrace, s: &PermissionStatementTrace| Deciding {
        policy: t.name.clone(),
        kind: t.kind.clone(),
        statement: s.index,
        sid: s.sid.clone(),
    };
    let verdict = |decision, reason: String, deciding: Vec<Deciding>, unknowns| PermissionVerdict {
        decision,
        reason,
        deciding,
        cross_account,
        policies: traces.clone(),
        unknowns,
    };

    // 1. An explicit deny anywhere.
    if let Some((t, s)) = traces
        .iter()
        .find_map(|t| t.first(Effect::Deny).map(|s| (t, s)))
    {
        let reason = format!(
            "explicitly denied by {} {:?} statement {}",
            t.kind.label(),
            t.name,
            statement_label(s)
        );
        return verdict(
            PermissionDecision::ExplicitDeny,
            reason,
            vec![deciding(t, s)],
            unknowns,
        );
    }

    let first_allow = |kind: PolicyKind| {
        traces
            .iter()
            .filter(|t| t.kind == kind)
            .find_map(|t| t.first(Effect::Allow).map(|s| deciding(t, s)))
    };

    // 2. Every SCP level must allow.
    let mut through = Vec::new();
    for level in policies.scps.iter().flatten() {
        let kind = PolicyKind::Scp {
            level: level.name.clone(),
        };
        let allowed = traces
            .iter()
            .filter(|t| t.kind == kind)
            .find_map(|t| t.first(Effect::Allow).map(|s| deciding(t, s)));
        match allowed {
            Some(d) => through.push(d),
            None => {
                let reason = format!(
                    "implicitly denied: no SCP at {} allows {} (each level of the organisation path must)",
                    level.name, request.action
                );
                return verdict(
                    PermissionDecision::ImplicitDeny,
                    reason,
                    Vec::new(),
                    unknowns,
                );
            }
        }
    }

    // 3–5. Identity side, resource side, boundary and session policies.
    let identity = first_allow(PolicyKind::Identity);
    let boundary = match &policies.boundary {
        None => Ok(None),
        Some(b) => first_allow(PolicyKind::PermissionsBoundary)
            .map(Some)
            .ok_or_else(|| format!("the permissions boundary {:?} does not allow it", b.name)),
    };
    let session = if policies.session.is_empty() {
        Ok(None)
    } else {
        first_allow(PolicyKind::SessionPolicy)
            .map(Some)
            .ok_or_else(|| {
                "no session policy allows it (session policies limit the role)".to_owned()
            })
    };
    let resource = traces
        .iter()
        .filter(|t| t.kind == PolicyKind::ResourcePolicy)
        .find_map(|t| {
            t.statements
                .iter()
                .filter(|s| s.applies && s.effect == Effect::Allow)
                .map(|s| (grantee(t, s, policies, request), deciding(t, s)))
                .min_by_key(|(g, _)| *g as u8)
        });
    let limits: Result<Vec<Deciding>, String> = match (boundary, session) {
        (Ok(b), Ok(s)) => Ok(b.into_iter().chain(s).collect()),
        (Err(e), _) | (_, Err(e)) => Err(e),
    };
    let resource_loaded = matches!(policies.resource, ResourcePolicy::Loaded { .. });

    // The documented exception: a resource policy naming the session itself.
    if !cross_account
        && !is_kms
        && let Some((Grantee::Exact, d)) = &resource
    {
        let reason = format!(
            "allowed by resource policy {:?} statement {} naming the caller itself (boundary and session policies do not limit it)",
            d.policy,
            deciding_label(d)
        );
        let mut all = vec![d.clone()];
        all.extend(through);
        return verdict(PermissionDecision::Allow, reason, all, unknowns);
    }

    let identity_counts = if is_kms && resource_loaded {
        // The key policy must delegate to IAM for identity policies to count.
        matches!(&resource, Some((Grantee::Account, _)))
    } else {
        true
    };
    let resource_grants = |g: Grantee| {
        if cross_account {
            true
        } else {
            g != Grantee::Account
        }
    };
    let granted: Option<(Deciding, Option<Deciding>)> =
        if cross_account || (is_kms && resource_loaded) {
            // Both sides must allow (a KMS key policy grants alone when it names the caller).
            match (&identity, &resource) {
                (_, Some((g, r))) if is_kms && !cross_account && *g != Grantee::Account => {
                    Some((r.clone(), None))
                }
                (Some(i), Some((_, r))) if identity_counts => Some((i.clone(), Some(r.clone()))),
                _ => None,
            }
        } else {
            match (&identity, &resource) {
                (Some(i), _) => Some((i.clone(), None)),
                (None, Some((g, r))) if resource_grants(*g) => Some((r.clone(), None)),
                _ => None,
            }
        };
    let Some((grant, also)) = granted else {
        let reason = if cross_account {
            match (&identity, &policies.resource) {
                (None, _) => format!(
                    "implicitly denied: cross-account request and no identity policy allows {}",
                    request.action
                ),
                (Some(_), ResourcePolicy::None) => format!(
                    "implicitly denied: cross-account request and the resource has no resource policy to allow account {principal_account}"
                ),
                (Some(_), ResourcePolicy::NotLoaded { .. }) => {
                    "implicitly denied: cross-account request and the resource policy is not loaded (it must allow too)".to_owned()
                }
                (Some(_), ResourcePolicy::Loaded { .. }) => format!(
                    "implicitly denied: cross-account request and the resource policy of account {resource_account} does not allow it"
                ),
            }
        } else if is_kms && resource_loaded {
            if identity.is_some() {
                "implicitly denied: the key policy neither allows the caller nor delegates to IAM (…:root), so IAM policies do not count".to_owned()
            } else {
                "implicitly denied: neither the key policy nor an identity policy allows it"
                    .to_owned()
            }
        } else {
            format!(
                "implicitly denied: no identity policy{} allows {} on {}",
                if resource_loaded {
                    " or resource policy"
                } else {
                    ""
                },
                request.action,
                request.resource
            )
        };
        return verdict(
            PermissionDecision::ImplicitDeny,
            reason,
            Vec::new(),
            unknowns,
        );
    };
    let limits = match limits {
        Ok(limits) => limits,
        Err(why) => {
            let reason = format!(
                "implicitly denied: {} grants it, but {why}",
                deciding_label_long(&grant)
            );
            return verdict(
                PermissionDecision::ImplicitDeny,
                reason,
                Vec::new(),
                unknowns,
            );
        }
    };
    let reason = match (&also, &policies.resource) {
        (Some(r), _) => format!(
            "allowed by {} and {}",
            deciding_label_long(&grant),
            deciding_label_long(r)
        ),
        // A KMS key's policy decides whether IAM policies count at all.
        (None, ResourcePolicy::NotLoaded { reason }) if is_kms => format!(
            "allowed by {} only if the key policy delegates to IAM (…:root) or names the caller; \
             the key policy is unknown ({reason})",
            deciding_label_long(&grant)
        ),
        (None, _) => format!("allowed by {}", deciding_label_long(&grant)),
    };
    let mut all = vec![grant];
    all.extend(also);
    all.extend(limits);
    all.extend(through);
    verdict(PermissionDecision::Allow, reason, all, unknowns)
}

/// A statement as the text shows it: 1-based, with its Sid.
fn statement_label(s: &PermissionStatementTrace) -> String {
    match &s.sid {
        Some(sid) => format!("{} ({sid})", s.index + 1),
        None => (s.index + 1).to_string(),
    }
}

fn deciding_label(d: &Deciding) -> String {
    match &d.sid {
        Some(sid) => format!("{} ({sid})", d.statement + 1),
        None => (d.statement + 1).to_string(),
    }
}

fn deciding_label_long(d: &Deciding) -> String {
    format!(
        "{} {:?} statement {}",
        d.kind.label(),
        d.policy,
        deciding_label(d)
    )
}

/// How the applicable Allow statement `s` of resource policy `t` names the caller.
fn grantee(
    t: &PolicyTrace,
    s: &PermissionStatementTrace,
    policies: &PolicySet,
    request: &PermissionRequest,
) -> Grantee {
    let ResourcePolicy::Loaded { policy } = &policies.resource else {
        return Grantee::Role;
    };
    debug_assert_eq!(policy.name, t.name);
    let Some(statement) = policy.document.statements.get(s.index) else {
        return Grantee::Role;
    };
    let crate::analysis::policy::PrincipalSpec::Principal(block) = &statement.principal else {
        // NotPrincipal that lets the caller through: like naming everyone.
        return Grantee::Role;
    };
    let mut best = if block.is_everyone() {
        Some(Grantee::Role)
    } else {
        None
    };
    for p in &block.aws {
        let g = match aws_principal_names(p, &request.principal) {
            Some("exact") => Grantee::Exact,
            Some("account") => Grantee::Account,
            Some(_) => Grantee::Role,
            None => continue,
        };
        best = Some(best.map_or(g, |b: Grantee| if (g as u8) < (b as u8) { g } else { b }));
    }
    best.unwrap_or(Grantee::Role)
}

/// The request context the conditions see: the caller's keys plus the principal's own.
pub fn request_context(request: &PermissionRequest) -> RequestContext {
    let mut context = RequestContext::new(
        &request.action,
        RequestPrincipal::Aws(request.principal.clone()),
    );
    context.keys = request.keys.clone();
    let derived = session::principal_keys(&request.principal);
    for (name, value) in derived {
        if context.key(name).is_none() {
            context = context.with_key(name, &value);
        }
    }
    context
}

/// What the verdict cannot know: missing SCPs, an unloaded resource policy, request-time keys.
fn unknowns_of(
    request: &PermissionRequest,
    policies: &PolicySet,
    traces: &[PolicyTrace],
    context: &RequestContext,
    cross_account: bool,
) -> Vec<Unknown> {
    let mut out = Vec::new();
    if policies.scps.is_none() {
        out.push(Unknown {
            what: "SCPs not considered".to_owned(),
            why: "service control policies are read in the organisation's management account: pass each level with --scp FILE or the snapshot's organizations-scps.json".to_owned(),
        });
    }
    if let ResourcePolicy::NotLoaded { reason } = &policies.resource {
        out.push(Unknown {
            what: format!("resource policy of {} not loaded", request.resource),
            why: if cross_account {
                format!(
                    "{reason}; a cross-account request needs its Allow, and a Deny there would deny"
                )
            } else {
                format!("{reason}; a Deny there would deny, an Allow there could grant")
            },
        });
    }
    let known = |key: &str| {
        let lower = key.to_ascii_lowercase();
        session::DERIVED_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
            || (request.principal_tags_known && lower.starts_with("aws:principaltag/"))
    };
    for t in traces {
        for s in &t.statements {
            out.extend(statement::request_time_unknowns(
                &format!("{} {:?}", t.kind.label(), t.name),
                s,
                context,
                known,
            ));
        }
    }
    out
}

/// The account of an ARN (its fifth field), when it has one.
fn arn_account(arn: &str) -> Option<&str> {
    crate::model::arn_account(arn)
}

/// The service of an ARN (its third field).
fn arn_service(arn: &str) -> Option<&str> {
    arn.split(':').nth(2)
}
