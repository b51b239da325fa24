//! EKS Pod Identity for one ServiceAccount: does the association's role trust
//! `pods.eks.amazonaws.com` for both `sts:AssumeRole` and `sts:TagSession` (AUD013), and is
//! the SA also annotated for IRSA (POD005)? The request carries the keys the EKS Auth service
//! sends (`aws:SourceAccount`, `aws:SourceArn`, the session tags' `aws:RequestTag/…`) so
//! trusts with the documented confused-deputy conditions evaluate as they do in AWS.

use super::binding::PodIdentityAnalysis;
use crate::analysis::findings::finding;
use crate::analysis::inventory::{InventoryIndex, RoleStatus};
use crate::analysis::trust::{self, Decision, RequestContext, RequestPrincipal};
use crate::model::{
    Evidence, Finding, FindingCode, PodIdentityAssociation, ServiceAccountInfo, SourceKind, Subject,
};

/// The service principal of EKS Pod Identity.
pub const POD_IDENTITY_PRINCIPAL: &str = "pods.eks.amazonaws.com";

type Analyzed = (PodIdentityAnalysis, Vec<Finding>, Vec<(SourceKind, String)>);

fn request(index: &InventoryIndex<'_>, sa: &ServiceAccountInfo, action: &str) -> RequestContext {
    let mut r = RequestContext::new(
        action,
        RequestPrincipal::Service(POD_IDENTITY_PRINCIPAL.to_owned()),
    )
    .with_key("aws:RequestTag/kubernetes-namespace", &sa.namespace)
    .with_key("aws:RequestTag/kubernetes-service-account", &sa.name);
    if let Some(account) = index.account() {
        r = r.with_key("aws:SourceAccount", account);
    }
    if let Some(cluster) = &index.inventory.cluster {
        r = r.with_key("aws:RequestTag/eks-cluster-name", &cluster.name);
        if let Some(arn) = &cluster.arn {
            r = r
                .with_key("aws:SourceArn", arn)
                .with_key("aws:RequestTag/eks-cluster-arn", arn);
        }
    }
    r
}

/// Checks the association's role; AUD013 (subject: the SA) when its trust does not allow
/// both actions, IRSA006 when the role is known to be missing.
pub fn analyze(
    index: &InventoryIndex<'_>,
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
) -> Analyzed {
    let subject = Subject::service_account(&sa.namespace, &sa.name);
    let mut analysis = PodIdentityAnalysis {
        association_id: assoc.association_id.clone(),
        role_arn: assoc.role_arn.clone(),
        assume_role: None,
        tag_session: None,
        unknown: None,
    };
    let role = match index.role_status(&assoc.role_arn) {
        RoleStatus::Known(role) => role,
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
            return (analysis, vec![f], Vec::new());
        }
        RoleStatus::Unknown(why) => {
            analysis.unknown = Some(why.clone());
            return (
                analysis,
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
            return (analysis, Vec::new(), vec![(SourceKind::IamRoles, why)]);
        }
        Some(Err(e)) => {
            analysis.unknown = Some(format!("trust policy unparsable: {e}"));
            let f = aud013(sa, assoc, &role.name)
                .evidence(Evidence::observed(
                    "trust policy parse error",
                    e.to_string(),
                ))
                .build();
            return (analysis, vec![f], Vec::new());
        }
        Some(Ok(doc)) => doc,
    };
    let assume = trust::evaluate(doc, &request(index, sa, "sts:AssumeRole")).decision;
    let tag = trust::evaluate(doc, &request(index, sa, "sts:TagSession")).decision;
    analysis.assume_role = Some(assume);
    analysis.tag_session = Some(tag);
    if assume == Decision::Allow && tag == Decision::Allow {
        return (analysis, Vec::new(), Vec::new());
    }
    let shown = |d: Decision| match d {
        Decision::Allow => "allowed",
        Decision::Deny => "explicitly denied",
        Decision::ImplicitDeny => "not allowed",
    };
    let f = aud013(sa, assoc, &role.name)
        .evidence(Evidence::compare(
            format!("Service {POD_IDENTITY_PRINCIPAL} sts:AssumeRole"),
            "allowed",
            shown(assume),
        ))
        .evidence(Evidence::compare(
            format!("Service {POD_IDENTITY_PRINCIPAL} sts:TagSession"),
            "allowed",
            shown(tag),
        ))
        .build();
    (analysis, vec![f], Vec::new())
}

fn aud013(
    sa: &ServiceAccountInfo,
    assoc: &PodIdentityAssociation,
    role_name: &str,
) -> crate::analysis::findings::FindingBuilder {
    let doc = serde_json::json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Service": POD_IDENTITY_PRINCIPAL},
            "Action": ["sts:AssumeRole", "sts:TagSession"]
        }]
    });
    let fix = format!(
        "aws iam update-assume-role-policy --role-name {role_name} --policy-document file://trust.json  # trust.json: {doc}"
    );
    let title = format!(
        "trust of Pod Identity role {role_name} (association {}) does not let {POD_IDENTITY_PRINCIPAL} both sts:AssumeRole and sts:TagSession",
        assoc.association_id
    );
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
