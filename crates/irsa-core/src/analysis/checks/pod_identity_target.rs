//! The second hop of a Pod Identity association with a target role (EKS, June 2025): EKS
//! assumes the association's role, then uses that session to `sts:AssumeRole` the target role
//! (often in another account) with `sts:ExternalId` = the association's `externalId`, passing
//! the six session tags on as transitive tags unless the association disables them (so the
//! target also needs `sts:TagSession`). Both sides must allow: the association role's identity
//! policies (under its boundary and the SCPs) and the target role's trust — evaluated together
//! by the permission evaluator (the trust is the target's resource-based policy, which decides
//! same-account vs cross-account delegation IAM's way), and the trust alone to tell which side
//! refuses: POD012 when the trust does not admit the role, POD011 when the role's own policies
//! do not let it.

use super::binding::{ChainLink, LinkKind, LinkStatus};
use crate::analysis::findings::{FindingBuilder, finding};
use crate::analysis::inventory::{InventoryIndex, RoleStatus};
use crate::analysis::permission::session::{POD_IDENTITY_SESSION_TAGS, PodIdentitySession};
use crate::analysis::permission::{
    self, NamedPolicy, PermissionDecision, PermissionRequest, ResourcePolicy, SessionPrincipal,
    can_i::role_policies,
};
use crate::analysis::policy::{ActionSpec, PolicyDocument};
use crate::analysis::trust::{self, Decision, RequestKey};
use crate::model::{
    Evidence, Finding, FindingCode, PodIdentityAssociation, RoleInfo, ServiceAccountInfo,
    SourceKind, Subject,
};

/// What the target hop adds to the association's analysis.
pub struct TargetHop {
    pub links: Vec<ChainLink>,
    pub findings: Vec<Finding>,
    pub unknowns: Vec<(SourceKind, String)>,
}

/// Checks the hop from `role` (the association's role, known to exist) to `target`.
pub fn analyze(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role: &RoleInfo,
    target: &str,
) -> TargetHop {
    let mut hop = TargetHop {
        links: Vec::new(),
        findings: Vec::new(),
        unknowns: Vec::new(),
    };
    let subject = Subject::service_account(&sa.namespace, &sa.name);
    let target_role = match index.role_status(target) {
        RoleStatus::Known(r) => {
            hop.links.push(ChainLink::new(
                LinkKind::TargetRoleExists,
                LinkStatus::Ok,
                target,
                None,
            ));
            Some(r)
        }
        RoleStatus::Missing => {
            hop.links.push(ChainLink::new(
                LinkKind::TargetRoleExists,
                LinkStatus::Broken,
                format!("{target} not found"),
                Some(FindingCode::IRSA006),
            ));
            hop.findings.push(
                finding(
                    FindingCode::IRSA006,
                    subject,
                    format!(
                        "Pod Identity association {} of {}/{} names target role {target}, which does not exist",
                        assoc.association_id, sa.namespace, sa.name
                    ),
                )
                .evidence(Evidence::new(
                    "target IAM role of the association",
                    Some(target.to_owned()),
                    Some("not found".to_owned()),
                ))
                .related(Subject::role(target))
                .fix(format!(
                    "aws eks update-pod-identity-association --cluster-name {} --association-id {} --target-role-arn <existing-role-arn>",
                    assoc.cluster_name, assoc.association_id
                ))
                .build(),
            );
            skip_rest(&mut hop.links);
            return hop;
        }
        RoleStatus::Unknown(why) => {
            hop.links.push(ChainLink::new(
                LinkKind::TargetRoleExists,
                LinkStatus::Unknown,
                why.clone(),
                None,
            ));
            hop.unknowns.push((
                SourceKind::OtherAccounts,
                format!("target role {target}: {why} — the target hop was not checked"),
            ));
            None
        }
    };
    let tags = !assoc.disable_session_tags.unwrap_or(false);
    let session = first_session(index, sa, assoc, role);
    let trust_doc = target_role.and_then(|t| index.trust_policy(t));
    let resource = match trust_doc {
        Some(Ok(doc)) => ResourcePolicy::Loaded {
            policy: NamedPolicy {
                name: format!("trust of {}", short(target)),
                document: as_resource_policy(doc, target),
            },
        },
        Some(Err(e)) => ResourcePolicy::NotLoaded {
            reason: format!("the trust of {target} does not parse: {e}"),
        },
        None => ResourcePolicy::NotLoaded {
            reason: format!("the trust of {target} was not read"),
        },
    };
    let (mut policies, unknowns) = role_policies(index.inventory, role, Vec::new(), target);
    policies.resource = resource;
    let actions: &[&str] = if tags {
        &["sts:AssumeRole", "sts:TagSession"]
    } else {
        &["sts:AssumeRole"]
    };
    let mut identity_refusal: Option<(String, PermissionDecision, String)> = None;
    let mut trust_refusal: Option<(String, Decision)> = None;
    for action in actions {
        let request = request(assoc, &session, target, action, tags, index, sa);
        let verdict = permission::evaluate(&request, &policies);
        let trust_decision = trust_doc
            .and_then(|d| d.as_ref().ok())
            .map(|doc| trust::evaluate(doc, &permission::request_context(&request)).decision);
        if verdict.decision == PermissionDecision::Allow {
            continue;
        }
        match trust_decision {
            // The trust admits the role: the refusal is on the role's side.
            Some(Decision::Allow) if identity_refusal.is_none() => {
                identity_refusal = Some((
                    (*action).to_owned(),
                    verdict.decision,
                    verdict.reason.clone(),
                ));
            }
            Some(Decision::Deny | Decision::ImplicitDeny) if trust_refusal.is_none() => {
                trust_refusal = trust_decision.map(|d| ((*action).to_owned(), d));
            }
            // Unknown trust: neither side can be blamed.
            _ => {}
        }
    }
    let unknown_policies = !unknowns.is_empty();
    for u in unknowns {
        hop.unknowns.push((
            SourceKind::IamRoles,
            format!("{}: {} (target hop)", u.what, u.why),
        ));
    }
    // Link: the role's own policies.
    match &identity_refusal {
        Some((action, decision, reason)) => {
            hop.links.push(ChainLink::new(
                LinkKind::RoleMayAssumeTarget,
                LinkStatus::Broken,
                format!("{} may not {action} {target}: {reason}", role.name),
                Some(FindingCode::POD011),
            ));
            hop.findings.push(pod011(
                sa, assoc, role, target, action, *decision, reason, tags,
            ));
        }
        None if target_role.is_none() => hop.links.push(ChainLink::new(
            LinkKind::RoleMayAssumeTarget,
            LinkStatus::Unknown,
            "the target role's trust is unknown, so whether the role's policies are needed is too",
            None,
        )),
        None => hop.links.push(ChainLink::new(
            LinkKind::RoleMayAssumeTarget,
            if unknown_policies && trust_refusal.is_none() {
                LinkStatus::Unknown
            } else {
                LinkStatus::Ok
            },
            format!("{} → {}", role.name, actions.join(" + ")),
            None,
        )),
    }
    // Link: the target's trust.
    match (&trust_refusal, trust_doc) {
        (Some((action, decision)), Some(Ok(doc))) => {
            hop.links.push(ChainLink::new(
                LinkKind::TargetTrustAllows,
                LinkStatus::Broken,
                format!("{action} by {} {}", role.name, shown_trust(*decision)),
                Some(FindingCode::POD012),
            ));
            hop.findings.push(pod012(
                sa, assoc, role, target, action, *decision, tags, doc,
            ));
        }
        (_, Some(Err(e))) => hop.links.push(ChainLink::new(
            LinkKind::TargetTrustAllows,
            LinkStatus::Broken,
            format!("trust does not parse: {e}"),
            Some(FindingCode::POD012),
        )),
        (_, None) => hop.links.push(ChainLink::new(
            LinkKind::TargetTrustAllows,
            LinkStatus::Unknown,
            format!("trust of {} not read", short(target)),
            None,
        )),
        (None, Some(Ok(_))) => hop.links.push(ChainLink::new(
            LinkKind::TargetTrustAllows,
            LinkStatus::Ok,
            match &assoc.external_id {
                Some(id) => format!("{} admitted with sts:ExternalId {id}", role.name),
                None => format!("{} admitted", role.name),
            },
            None,
        )),
    }
    hop
}

/// A role's trust as the resource-based policy it is: its statements carry no `Resource`
/// because the resource is the role itself.
fn as_resource_policy(doc: &PolicyDocument, role_arn: &str) -> PolicyDocument {
    let mut doc = doc.clone();
    for s in &mut doc.statements {
        if s.resource.is_none() {
            s.resource = Some(ActionSpec::Only(vec![role_arn.to_owned()]));
        }
    }
    doc
}

/// The association role's session as EKS opens it (pod-independent: the SA's view).
fn first_session(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role: &RoleInfo,
) -> SessionPrincipal {
    let cluster = index.inventory.cluster.as_ref();
    SessionPrincipal::pod_identity(&PodIdentitySession {
        role_arn: &role.arn,
        cluster_name: &assoc.cluster_name,
        cluster_arn: cluster.and_then(|c| c.arn.as_deref()),
        namespace: &sa.namespace,
        service_account: &sa.name,
        pod_name: "<pod>",
        pod_uid: None,
        session_tags_disabled: assoc.disable_session_tags.unwrap_or(false),
        role_tags: Some(&role.tags),
    })
}

/// The second `AssumeRole` (or its `TagSession`) as EKS sends it.
fn request(
    assoc: &PodIdentityAssociation,
    session: &SessionPrincipal,
    target: &str,
    action: &str,
    tags: bool,
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
) -> PermissionRequest {
    let mut keys: Vec<RequestKey> = Vec::new();
    RequestKey::add(&mut keys, "aws:PrincipalArn", &session.role_arn);
    for (name, value) in &session.keys {
        RequestKey::add(&mut keys, name, value);
    }
    if let Some(id) = &assoc.external_id {
        RequestKey::add(&mut keys, "sts:ExternalId", id);
    }
    if tags {
        let cluster_arn = index.inventory.cluster.as_ref().and_then(|c| c.arn.clone());
        let values = [
            cluster_arn,
            Some(assoc.cluster_name.clone()),
            Some(sa.namespace.clone()),
            Some(sa.name.clone()),
        ];
        for (tag, value) in POD_IDENTITY_SESSION_TAGS.iter().zip(values) {
            if let Some(value) = value {
                RequestKey::add(&mut keys, &format!("aws:RequestTag/{tag}"), &value);
                RequestKey::add(&mut keys, "aws:TagKeys", tag);
                RequestKey::add(&mut keys, "sts:TransitiveTagKeys", tag);
            }
        }
    }
    PermissionRequest {
        action: action.to_owned(),
        resource: target.to_owned(),
        principal: session.session_arn.clone(),
        resource_account: None,
        keys,
        principal_tags_known: session.tags_known,
    }
}

fn skip_rest(links: &mut Vec<ChainLink>) {
    for kind in [LinkKind::RoleMayAssumeTarget, LinkKind::TargetTrustAllows] {
        links.push(ChainLink::new(
            kind,
            LinkStatus::Skipped,
            "an earlier link is broken",
            None,
        ));
    }
}

fn short(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

fn shown(d: PermissionDecision) -> &'static str {
    match d {
        PermissionDecision::Allow => "allowed",
        PermissionDecision::ExplicitDeny => "explicitly denied",
        PermissionDecision::ImplicitDeny => "no policy allows it",
    }
}

fn shown_trust(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "allowed",
        Decision::Deny => "explicitly denied by the trust",
        Decision::ImplicitDeny => "not admitted by the trust",
    }
}

#[allow(clippy::too_many_arguments)]
fn pod011(
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role: &RoleInfo,
    target: &str,
    action: &str,
    decision: PermissionDecision,
    reason: &str,
    tags: bool,
) -> Finding {
    let mut actions = vec!["sts:AssumeRole"];
    if tags {
        actions.push("sts:TagSession");
    }
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Sid": "AssumePodIdentityTargetRole",
            "Effect": "Allow",
            "Action": actions,
            "Resource": target
        }]
    });
    base(
        FindingCode::POD011,
        sa,
        assoc,
        format!(
            "Pod Identity role {} may not {action} its target role {target} ({reason}): pods of {}/{} get no credentials",
            role.name,
            sa.namespace,
            sa.name
        ),
    )
    .evidence(Evidence::compare(
        format!("{action} on {target} by {}", role.name),
        "allowed",
        format!("{} — {reason}", shown(decision)),
    ))
    .related(Subject::role(&role.arn))
    .related(Subject::role(target))
    .fix(match &role.permissions_boundary {
        // The role's own policy grants it; the boundary is what refuses.
        Some(boundary) if reason.contains("boundary") => format!(
            "add {} on {target} to the permissions boundary {boundary} (aws iam create-policy-version --policy-arn {boundary} --policy-document file://boundary.json --set-as-default), or attach a boundary that allows it",
            actions.join(" + ")
        ),
        _ => format!(
            "aws iam put-role-policy --role-name {} --policy-name assume-pod-identity-target --policy-document '{doc}'   # and let its permissions boundary and the SCPs allow {}",
            role.name,
            actions.join(" + ")
        ),
    })
    .build()
}

#[allow(clippy::too_many_arguments)]
fn pod012(
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role: &RoleInfo,
    target: &str,
    action: &str,
    decision: Decision,
    tags: bool,
    doc: &PolicyDocument,
) -> Finding {
    let mut b = base(
        FindingCode::POD012,
        sa,
        assoc,
        format!(
            "trust of target role {} does not admit {action} by Pod Identity role {}{}",
            short(target),
            role.name,
            match &assoc.external_id {
                Some(id) => format!(" with sts:ExternalId {id}"),
                None => String::new(),
            }
        ),
    )
    .evidence(Evidence::compare(
        format!("{action} by {}", role.arn),
        "admitted",
        shown_trust(decision),
    ));
    if let Some(id) = &assoc.external_id {
        let written: Vec<String> = doc
            .statements
            .iter()
            .flat_map(|s| s.conditions.iter())
            .filter(|c| c.key.eq_ignore_ascii_case("sts:ExternalId"))
            .flat_map(|c| c.values.iter().cloned())
            .collect();
        b = b.evidence(Evidence::compare(
            "sts:ExternalId (association vs trust)",
            id.clone(),
            if written.is_empty() {
                "(no sts:ExternalId condition)".to_owned()
            } else {
                written.join(", ")
            },
        ));
    }
    let mut statements = vec![serde_json::json!({
        "Effect": "Allow",
        "Principal": {"AWS": role.arn},
        "Action": "sts:AssumeRole",
        "Condition": assoc.external_id.as_ref().map(|id| serde_json::json!({"StringEquals": {"sts:ExternalId": id}}))
    })];
    if tags {
        statements.push(serde_json::json!({
            "Effect": "Allow",
            "Principal": {"AWS": role.arn},
            "Action": "sts:TagSession"
        }));
    }
    let mut trust = serde_json::json!({"Version": "2012-10-17", "Statement": statements});
    // A statement without an external id must not carry `"Condition": null`.
    if let Some(first) = trust
        .get_mut("Statement")
        .and_then(|s| s.get_mut(0))
        .and_then(|s| s.as_object_mut())
        && first.get("Condition").is_some_and(|c| c.is_null())
    {
        first.remove("Condition");
    }
    b.related(Subject::role(&role.arn))
        .related(Subject::role(target))
        .fix(format!(
            "in the target's account: aws iam update-assume-role-policy --role-name {} --policy-document '{trust}'  # add these statements to the existing ones",
            short(target)
        ))
        .build()
}

fn base(
    code: FindingCode,
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    title: String,
) -> FindingBuilder {
    finding(
        code,
        Subject::service_account(&sa.namespace, &sa.name),
        title,
    )
    .evidence(Evidence::observed(
        "association",
        format!("{} ({}/{})", assoc.association_id, sa.namespace, sa.name),
    ))
}
