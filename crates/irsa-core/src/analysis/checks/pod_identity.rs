//! EKS Pod Identity for one ServiceAccount, as a chain of links like IRSA's: the association's
//! role exists (IRSA006); its trust lets `pods.eks.amazonaws.com` `sts:AssumeRole` and — unless
//! the association disables session tags — `sts:TagSession` (AUD013); with a target role, the
//! second hop ([`super::pod_identity_target`]: POD011, POD012). Also: is the SA annotated for
//! IRSA too (POD005)? The request carries the keys the EKS Auth service sends
//! (`aws:SourceAccount`, `aws:SourceArn`, the session tags' `aws:RequestTag/…` when tags flow)
//! so trusts with the documented confused-deputy conditions evaluate as they do in AWS.

use super::binding::{ChainLink, LinkKind, LinkStatus, PodIdentityAnalysis};
use super::{pod_identity_session, pod_identity_target};
use crate::analysis::findings::{self, finding};
use crate::analysis::inventory::{InventoryIndex, RoleStatus};
use crate::analysis::trust::{self, Decision, RequestContext, RequestPrincipal};
use crate::model::{
    Evidence, Finding, FindingCode, PodIdentityAssociation, ServiceAccountInfo, SourceKind, Subject,
};

/// The service principal of EKS Pod Identity.
pub const POD_IDENTITY_PRINCIPAL: &str = "pods.eks.amazonaws.com";

type Analyzed = (PodIdentityAnalysis, Vec<Finding>, Vec<(SourceKind, String)>);

fn request(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    action: &str,
    tags: bool,
) -> RequestContext {
    let mut r = RequestContext::new(
        action,
        RequestPrincipal::Service(POD_IDENTITY_PRINCIPAL.to_owned()),
    );
    if tags {
        r = r
            .with_key("aws:RequestTag/kubernetes-namespace", &sa.namespace)
            .with_key("aws:RequestTag/kubernetes-service-account", &sa.name);
    }
    if let Some(account) = index.account() {
        r = r.with_key("aws:SourceAccount", account);
    }
    if let Some(cluster) = &index.inventory.cluster {
        if tags {
            r = r.with_key("aws:RequestTag/eks-cluster-name", &cluster.name);
        }
        if let Some(arn) = &cluster.arn {
            r = r.with_key("aws:SourceArn", arn);
            if tags {
                r = r.with_key("aws:RequestTag/eks-cluster-arn", arn);
            }
        }
    }
    r
}

/// Marks the first broken link and the error a pod sees.
fn finish(mut analysis: PodIdentityAnalysis) -> PodIdentityAnalysis {
    analysis.first_broken = analysis
        .links
        .iter()
        .position(|l| l.status == LinkStatus::Broken);
    analysis.aws_error = analysis
        .first_broken
        .map(|_| findings::POD_IDENTITY_DENIED.to_owned());
    analysis
}

/// The links after a broken or unknown one.
fn rest(analysis: &mut PodIdentityAnalysis, status: LinkStatus, why: &str) {
    let mut kinds = vec![LinkKind::EksMayAssume];
    if analysis.target_role_arn.is_some() {
        kinds.extend([
            LinkKind::TargetRoleExists,
            LinkKind::RoleMayAssumeTarget,
            LinkKind::TargetTrustAllows,
        ]);
    }
    let have = analysis.links.len();
    for kind in kinds.into_iter().skip(have.saturating_sub(1)) {
        analysis.links.push(ChainLink::new(kind, status, why, None));
    }
}

/// Checks the association's role; AUD013 (subject: the SA) when its trust does not allow
/// both actions, IRSA006 when the role is known to be missing.
pub fn analyze(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
) -> Analyzed {
    let subject = Subject::service_account(&sa.namespace, &sa.name);
    let tags = !assoc.disable_session_tags.unwrap_or(false);
    let mut analysis = PodIdentityAnalysis {
        association_id: assoc.association_id.clone(),
        role_arn: assoc.role_arn.clone(),
        assume_role: None,
        tag_session: None,
        unknown: None,
        target_role_arn: assoc.target_role_arn.clone(),
        external_id: assoc.external_id.clone(),
        session_tags: tags,
        links: Vec::new(),
        first_broken: None,
        aws_error: None,
    };
    let role = match index.role_status(&assoc.role_arn) {
        RoleStatus::Known(role) => {
            analysis.links.push(ChainLink::new(
                LinkKind::AssociationRoleExists,
                LinkStatus::Ok,
                &assoc.role_arn,
                None,
            ));
            role
        }
        RoleStatus::Missing => {
            let title = format!(
                "Pod Identity association {} of {}/{} names role {}, which does not exist",
                assoc.association_id, sa.namespace, sa.name, assoc.role_arn
            );
            let fix = format!(
                "aws eks update-pod-identity-association --cluster-name {} --association-id {} --role-arn <existing-role-arn>",
                assoc.cluster_name, assoc.association_id
            );
            let f = finding(FindingCode::IRSA006, subject, title)
                .evidence(Evidence::new(
                    "IAM role of the association",
                    Some(assoc.role_arn.clone()),
                    Some("not found".to_owned()),
                ))
                .related(Subject::role(&assoc.role_arn))
                .fix(fix)
                .build();
            analysis.unknown = Some("role missing".to_owned());
            analysis.links.push(ChainLink::new(
                LinkKind::AssociationRoleExists,
                LinkStatus::Broken,
                format!("{} not found", assoc.role_arn),
                Some(FindingCode::IRSA006),
            ));
            rest(
                &mut analysis,
                LinkStatus::Skipped,
                "an earlier link is broken",
            );
            return (finish(analysis), vec![f], Vec::new());
        }
        RoleStatus::Unknown(why) => {
            analysis.unknown = Some(why.clone());
            analysis.links.push(ChainLink::new(
                LinkKind::AssociationRoleExists,
                LinkStatus::Unknown,
                why.clone(),
                None,
            ));
            rest(&mut analysis, LinkStatus::Unknown, "the role is unknown");
            return (
                finish(analysis),
                Vec::new(),
                vec![(
                    SourceKind::IamRoles,
                    format!("{why}: Pod Identity trust not checked"),
                )],
            );
        }
    };
    let doc = match index.trust_policy(role) {
        None => {
            let why = format!("trust policy of {} not readable", role.name);
            analysis.unknown = Some(why.clone());
            rest(&mut analysis, LinkStatus::Unknown, &why);
            return (
                finish(analysis),
                Vec::new(),
                vec![(SourceKind::IamRoles, why)],
            );
        }
        Some(Err(e)) => {
            analysis.unknown = Some(format!("trust policy unparsable: {e}"));
            let f = aud013(sa, assoc, &role.name, tags)
                .evidence(Evidence::observed(
                    "trust policy parse error",
                    e.to_string(),
                ))
                .build();
            analysis.links.push(ChainLink::new(
                LinkKind::EksMayAssume,
                LinkStatus::Broken,
                format!("trust does not parse: {e}"),
                Some(FindingCode::AUD013),
            ));
            rest(
                &mut analysis,
                LinkStatus::Skipped,
                "an earlier link is broken",
            );
            return (finish(analysis), vec![f], Vec::new());
        }
        Some(Ok(doc)) => doc,
    };
    let assume = trust::evaluate(doc, &request(index, sa, "sts:AssumeRole", tags)).decision;
    let tag = trust::evaluate(doc, &request(index, sa, "sts:TagSession", tags)).decision;
    analysis.assume_role = Some(assume);
    analysis.tag_session = Some(tag);
    let shown = |d: Decision| match d {
        Decision::Allow => "allowed",
        Decision::Deny => "explicitly denied",
        Decision::ImplicitDeny => "not allowed",
    };
    // Without session tags EKS does not call TagSession, so only AssumeRole must be allowed.
    if assume != Decision::Allow || (tags && tag != Decision::Allow) {
        let mut b = aud013(sa, assoc, &role.name, tags).evidence(Evidence::compare(
            format!("Service {POD_IDENTITY_PRINCIPAL} sts:AssumeRole"),
            "allowed",
            shown(assume),
        ));
        if tags {
            b = b.evidence(Evidence::compare(
                format!("Service {POD_IDENTITY_PRINCIPAL} sts:TagSession"),
                "allowed",
                shown(tag),
            ));
        }
        analysis.links.push(ChainLink::new(
            LinkKind::EksMayAssume,
            LinkStatus::Broken,
            format!(
                "sts:AssumeRole {}{}",
                shown(assume),
                if tags {
                    format!(", sts:TagSession {}", shown(tag))
                } else {
                    String::new()
                }
            ),
            Some(FindingCode::AUD013),
        ));
        rest(
            &mut analysis,
            LinkStatus::Skipped,
            "an earlier link is broken",
        );
        return (finish(analysis), vec![b.build()], Vec::new());
    }
    analysis.links.push(ChainLink::new(
        LinkKind::EksMayAssume,
        LinkStatus::Ok,
        if tags {
            "sts:AssumeRole + sts:TagSession allowed"
        } else {
            "sts:AssumeRole allowed (session tags disabled: sts:TagSession not needed)"
        },
        None,
    ));
    let Some(target) = assoc.target_role_arn.as_deref() else {
        let findings = pod_identity_session::check(index, sa, assoc, role);
        return (finish(analysis), findings, Vec::new());
    };
    let mut hop = pod_identity_target::analyze(index, sa, assoc, role, target);
    analysis.links.extend(hop.links);
    if let Some(target_role) = index.role(target) {
        hop.findings
            .extend(pod_identity_session::check(index, sa, assoc, target_role));
    }
    (finish(analysis), hop.findings, hop.unknowns)
}

fn aud013(
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role_name: &str,
    tags: bool,
) -> crate::analysis::findings::FindingBuilder {
    let actions: &[&str] = if tags {
        &["sts:AssumeRole", "sts:TagSession"]
    } else {
        &["sts:AssumeRole"]
    };
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
            "Action": actions
        }]
    });
    let fix = format!(
        "aws iam update-assume-role-policy --role-name {role_name} --policy-document file://trust.json  # trust.json: {doc}"
    );
    let title = if tags {
        format!(
            "trust of Pod Identity role {role_name} (association {}) does not let {POD_IDENTITY_PRINCIPAL} both sts:AssumeRole and sts:TagSession",
            assoc.association_id
        )
    } else {
        format!(
            "trust of Pod Identity role {role_name} (association {}, session tags disabled) does not let {POD_IDENTITY_PRINCIPAL} sts:AssumeRole",
            assoc.association_id
        )
    };
    finding(
        FindingCode::AUD013,
        Subject::service_account(&sa.namespace, &sa.name),
        title,
    )
    .related(Subject::role(&assoc.role_arn))
    .fix(fix)
}

/// POD005: the SA is annotated for IRSA and has a Pod Identity association (Pod Identity
/// wins in the webhook, so the annotation is dead configuration). Subject: the SA.
pub fn both_mechanisms(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    role_arn: &str,
    assoc: &PodIdentityAssociation,
) -> Finding {
    let key = index.annotation_key("role-arn");
    let fix = format!(
        "keep one: kubectl annotate serviceaccount {} -n {} {key}-   or   aws eks delete-pod-identity-association --cluster-name {} --association-id {}",
        sa.name, sa.namespace, assoc.cluster_name, assoc.association_id
    );
    finding(
        FindingCode::POD005,
        Subject::service_account(&sa.namespace, &sa.name),
        format!(
            "{}/{} has both IRSA role {role_arn} and Pod Identity role {}: Pod Identity wins",
            sa.namespace, sa.name, assoc.role_arn
        ),
    )
    .evidence(Evidence::observed(format!("annotation {key}"), role_arn))
    .evidence(Evidence::observed(
        format!("Pod Identity association {}", assoc.association_id),
        assoc.role_arn.clone(),
    ))
    .related(Subject::role(role_arn))
    .related(Subject::role(&assoc.role_arn))
    .fix(fix)
    .build()
}
