//! Trust-policy hardening (subject: the role): AUD001 wildcard `:sub`, AUD002 no `:sub`,
//! AUD003 no `:aud`, AUD005 dangling subjects and orphan roles, AUD012 size near the quota.
//! A "web-identity statement" is an Allow whose action covers `sts:AssumeRoleWithWebIdentity`
//! and whose principal names an EKS OIDC provider (or this cluster's issuer).

use super::policy_match::{oidc_provider_host, spec_allows};
use super::{Unknowns, fix};
use crate::analysis::findings::finding;
use crate::analysis::inventory::{InventoryIndex, issuer_host};
use crate::analysis::policy::{BaseOperator, Effect, PolicyDocument, PrincipalSpec, Statement};
use crate::model::{Evidence, Finding, FindingCode, RoleInfo, SourceKind, Subject};
use wildmatch::WildMatch;

/// IAM's trust-policy quota and the AUD012 threshold (90 %).
pub const TRUST_POLICY_LIMIT: usize = 2048;
/// AUD012 fires from this size on: 90 % of the quota.
pub const TRUST_POLICY_WARN: usize = 1843;

/// AUD012's fix.
const SIZE_FIX: &str = "split the trusted subjects over one role per ServiceAccount before the quota blocks the next edit";
const SA_PREFIX: &str = "system:serviceaccount:";

/// The OIDC provider hosts a statement's principal names.
fn federated_hosts(st: &Statement) -> Vec<&str> {
    match &st.principal {
        PrincipalSpec::Principal(p) => p
            .federated
            .iter()
            .filter_map(|f| oidc_provider_host(f))
            .collect(),
        _ => Vec::new(),
    }
}

/// Allow statements for web identity from an EKS provider or this cluster's issuer.
fn web_identity_statements<'d>(
    doc: &'d PolicyDocument,
    our_host: Option<&str>,
) -> Vec<(usize, &'d Statement, Vec<&'d str>)> {
    doc.statements
        .iter()
        .enumerate()
        .filter(|(_, st)| {
            st.effect == Effect::Allow && spec_allows(&st.action, "sts:AssumeRoleWithWebIdentity")
        })
        .filter_map(|(i, st)| {
            let hosts: Vec<&str> = federated_hosts(st)
                .into_iter()
                .filter(|h| h.starts_with("oidc.eks.") || Some(*h) == our_host)
                .collect();
            (!hosts.is_empty()).then_some((i, st, hosts))
        })
        .collect()
}

fn key_claim(key: &str, claim: &str) -> bool {
    key.to_ascii_lowercase().ends_with(&format!(":{claim}"))
}

/// True when the role's trust names this cluster's provider host (any account).
pub fn trusts_issuer(index: &InventoryIndex<'_>, role: &RoleInfo, host: &str) -> bool {
    match index.trust_policy(role) {
        Some(Ok(doc)) => doc
            .statements
            .iter()
            .any(|st| federated_hosts(st).contains(&host)),
        _ => false,
    }
}

/// ServiceAccounts that annotate this role, as `system:serviceaccount:ns:sa` subjects.
fn users(index: &InventoryIndex<'_>, role: &RoleInfo) -> Vec<String> {
    index
        .service_accounts_annotated_with(&role.arn)
        .iter()
        .map(|sa| format!("{SA_PREFIX}{}:{}", sa.namespace, sa.name))
        .collect()
}

fn fix_for(index: &InventoryIndex<'_>, role: &RoleInfo, subs: &[String]) -> String {
    let issuer = index.issuer().unwrap_or("https://<issuer>");
    let provider = crate::analysis::trust::provider_arn(
        super::arn::parse_role_arn(&role.arn).map_or("aws", |a| a.partition),
        role.account().unwrap_or("<account>"),
        issuer,
    );
    let subs = if subs.is_empty() {
        vec![format!("{SA_PREFIX}<namespace>:<serviceaccount>")]
    } else {
        subs.to_vec()
    };
    fix::update_trust(
        &role.name,
        &provider,
        issuer_host(issuer),
        &subs,
        &index.settings.audience,
    )
}

/// All trust findings for the roles in scope.
pub fn check(
    index: &InventoryIndex<'_>,
    roles: &[&RoleInfo],
    unknowns: &mut Unknowns,
) -> Vec<Finding> {
    let our_host = index.issuer().map(issuer_host);
    let k8s_complete = index
        .inventory
        .problems_for(SourceKind::Kubernetes)
        .next()
        .is_none();
    let mut out = Vec::new();
    for role in roles {
        let doc = match index.trust_policy(role) {
            Some(Ok(doc)) => doc,
            Some(Err(_)) => continue, // reported as IRSA009 / AUD013 for the SAs that use it
            None => {
                unknowns.add(
                    SourceKind::IamRoles,
                    "trust policy not readable: trust hardening not checked",
                    role.arn.clone(),
                );
                continue;
            }
        };
        let subject = Subject::role(&role.arn);
        let statements = web_identity_statements(doc, our_host);
        let wanted = users(index, role);
        let mut wildcard = Vec::new();
        let mut no_sub = Vec::new();
        let mut no_aud = Vec::new();
        let mut dangling = Vec::new();
        for (i, st, hosts) in &statements {
            let label = format!("statement {}", i + 1);
            if !st.conditions.iter().any(|c| key_claim(&c.key, "sub")) {
                no_sub.push(format!("{label} ({})", hosts.join(", ")));
            }
            if !st.conditions.iter().any(|c| key_claim(&c.key, "aud")) {
                no_aud.push(format!("{label} ({})", hosts.join(", ")));
            }
            for c in st.conditions.iter().filter(|c| key_claim(&c.key, "sub")) {
                let like = c.operator.base == BaseOperator::StringLike;
                for v in &c.values {
                    if like && v.contains(['*', '?']) {
                        wildcard.push((c.operator.raw.clone(), c.key.clone(), v.clone()));
                    } else if matches!(
                        c.operator.base,
                        BaseOperator::StringEquals
                            | BaseOperator::StringLike
                            | BaseOperator::StringEqualsIgnoreCase
                    ) && our_host
                        .is_some_and(|h| c.key.eq_ignore_ascii_case(&format!("{h}:sub")))
                        && let Some((ns, name)) =
                            v.strip_prefix(SA_PREFIX).and_then(|r| r.split_once(':'))
                        && index.service_account(ns, name).is_none()
                    {
                        dangling.push(v.clone());
                    }
                }
            }
        }
        if !wildcard.is_empty() {
            let admitted: Vec<String> = index
                .inventory
                .service_accounts
                .iter()
                .map(|sa| format!("{SA_PREFIX}{}:{}", sa.namespace, sa.name))
                .filter(|s| {
                    wildcard
                        .iter()
                        .any(|(_, _, p)| WildMatch::new(p).matches(s))
                })
                .collect();
            let (op, _, pattern) = wildcard.first().cloned().unwrap_or_default();
            let mut b = finding(
                FindingCode::AUD001,
                subject.clone(),
                format!(
                    "trust of {} matches :sub with {op} pattern {pattern}",
                    role.name
                ),
            );
            for (op, key, p) in &wildcard {
                b = b.evidence(Evidence::compare(
                    format!("{op} {key}"),
                    "an exact system:serviceaccount:<ns>:<sa> (StringEquals)",
                    p.clone(),
                ));
            }
            let shown = if admitted.is_empty() {
                "none today".to_owned()
            } else {
                admitted.join(", ")
            };
            out.push(
                b.evidence(Evidence::observed(
                    "ServiceAccounts of this cluster it admits",
                    shown,
                ))
                .fix(fix_for(index, role, &wanted))
                .build(),
            );
        }
        if !no_sub.is_empty() {
            let title = format!(
                "trust of {} has no :sub condition: any ServiceAccount of the trusted cluster can assume it",
                role.name
            );
            out.push(
                finding(FindingCode::AUD002, subject.clone(), title)
                    .evidences(no_sub.iter().map(|s| {
                        Evidence::compare(
                            format!("{s} condition on :sub"),
                            "StringEquals system:serviceaccount:<ns>:<sa>",
                            "none",
                        )
                    }))
                    .fix(fix_for(index, role, &wanted))
                    .build(),
            );
        }
        if !no_aud.is_empty() {
            out.push(
                finding(
                    FindingCode::AUD003,
                    subject.clone(),
                    format!("trust of {} has no :aud condition", role.name),
                )
                .evidences(no_aud.iter().map(|s| {
                    Evidence::compare(
                        format!("{s} condition on :aud"),
                        format!("StringEquals {}", index.settings.audience),
                        "none",
                    )
                }))
                .fix(fix_for(index, role, &wanted))
                .build(),
            );
        }
        out.extend(dangling_or_orphan(
            index,
            role,
            our_host,
            &dangling,
            k8s_complete,
            unknowns,
        ));
        if doc.size_without_whitespace >= TRUST_POLICY_WARN {
            let title = format!(
                "trust of {} is {} of {TRUST_POLICY_LIMIT} characters",
                role.name, doc.size_without_whitespace
            );
            out.push(
                finding(FindingCode::AUD012, subject.clone(), title)
                    .evidence(Evidence::compare(
                        "trust policy size (characters without white space)",
                        format!("< {TRUST_POLICY_WARN} (90 % of {TRUST_POLICY_LIMIT})"),
                        doc.size_without_whitespace.to_string(),
                    ))
                    .fix(SIZE_FIX)
                    .build(),
            );
        }
    }
    out
}

fn dangling_or_orphan(
    index: &InventoryIndex<'_>,
    role: &RoleInfo,
    our_host: Option<&str>,
    dangling: &[String],
    k8s_complete: bool,
    unknowns: &mut Unknowns,
) -> Option<Finding> {
    let used = !index.service_accounts_annotated_with(&role.arn).is_empty()
        || index
            .inventory
            .pod_identity_associations
            .iter()
            .flatten()
            .any(|a| a.role_arn == role.arn);
    let trusts_us = our_host.is_some_and(|h| trusts_issuer(index, role, h));
    if dangling.is_empty() && (used || !trusts_us) {
        return None;
    }
    if !k8s_complete {
        unknowns.add(
            SourceKind::Kubernetes,
            "ServiceAccount list incomplete: dangling trust subjects not checked",
            role.arn.clone(),
        );
        return None;
    }
    let subject = Subject::role(&role.arn);
    let b = if let Some(first) = dangling.first() {
        let title = format!(
            "trust of {} admits {first}, which does not exist (whoever creates it gets the role)",
            role.name
        );
        finding(FindingCode::AUD005, subject, title)
            .evidences(dangling.iter().map(|d| {
                Evidence::new(
                    "trusted ServiceAccount exists in the cluster",
                    Some(d.clone()),
                    Some("not found".to_owned()),
                )
            }))
            .fix(format!(
                "remove the subject from the trust ({}) or delete the role if unused",
                fix_for(index, role, &users(index, role))
            ))
    } else {
        let title = format!(
            "role {} trusts this cluster's OIDC provider but no ServiceAccount uses it (orphan)",
            role.name
        );
        let fix = format!(
            "aws iam delete-role --role-name {} (detach its policies first) if no workload needs it",
            role.name
        );
        finding(FindingCode::AUD005, subject, title).fix(fix)
    };
    Some(
        b.evidence(Evidence::observed(
            "ServiceAccounts or Pod Identity associations using the role",
            if used { "some" } else { "none" },
        ))
        .build(),
    )
}
