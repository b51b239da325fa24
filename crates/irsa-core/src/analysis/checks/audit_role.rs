//! Role hygiene from the guide's hardening checklist: AUD004 one role shared by several
//! ServiceAccounts, AUD006 no permissions boundary, AUD007 missing tags, AUD008 naming
//! convention (subject: the SA), AUD011 unused for 90+ days.

use super::Unknowns;
use super::arn::parse_role_arn;
use super::binding::BindingAnalysis;
use crate::analysis::findings::finding;
use crate::analysis::inventory::InventoryIndex;
use crate::model::{Evidence, Finding, FindingCode, RoleInfo, SourceKind, Subject};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;

/// Tags every IRSA role should carry.
pub const REQUIRED_TAGS: [&str; 4] = ["cluster", "namespace", "app", "managed-by"];
/// AUD008's fix: IAM roles cannot be renamed.
const NAMING_FIX: &str = "name IRSA roles eks-<cluster>-<namespace>-<serviceaccount>-role when they are next recreated (IAM roles cannot be renamed)";
/// Days without use after which a role is reported.
pub const UNUSED_DAYS: i64 = 90;

/// All findings of this family.
pub fn check(
    index: &InventoryIndex<'_>,
    roles: &[&RoleInfo],
    bindings: &[BindingAnalysis],
    now: Timestamp,
    unknowns: &mut Unknowns,
) -> Vec<Finding> {
    let mut out = shared_roles(index, bindings);
    out.extend(naming(index, bindings, unknowns));
    for role in roles {
        let subject = Subject::role(&role.arn);
        if role.permissions_boundary.is_none() {
            let account = role.account().unwrap_or("<account>");
            let title = format!("role {} has no permissions boundary", role.name);
            let fix = format!(
                "aws iam put-role-permissions-boundary --role-name {} --permissions-boundary arn:aws:iam::{account}:policy/<boundary-policy>",
                role.name
            );
            out.push(
                finding(FindingCode::AUD006, subject.clone(), title)
                    .evidence(Evidence::compare(
                        "PermissionsBoundary",
                        "a boundary policy ARN",
                        "none",
                    ))
                    .fix(fix)
                    .build(),
            );
        }
        out.extend(missing_tags(index, role));
        out.extend(unused(role, now));
    }
    out
}

/// Users of each role: IRSA annotations (valid ARNs) and Pod Identity associations.
fn users_by_role(bindings: &[BindingAnalysis]) -> BTreeMap<String, Vec<String>> {
    let mut map: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for b in bindings {
        let sa = format!(
            "{}/{}",
            b.service_account.namespace.as_deref().unwrap_or_default(),
            b.service_account.name
        );
        let mut arns: Vec<&str> = Vec::new();
        if let Some(i) = b
            .irsa
            .as_ref()
            .filter(|i| parse_role_arn(i.role_arn.trim()).is_ok())
        {
            arns.push(i.role_arn.trim());
        }
        if let Some(p) = &b.pod_identity {
            arns.push(&p.role_arn);
        }
        arns.dedup();
        for arn in arns {
            map.entry(arn.to_owned()).or_default().push(sa.clone());
        }
    }
    map
}

fn shared_roles(index: &InventoryIndex<'_>, bindings: &[BindingAnalysis]) -> Vec<Finding> {
    let cluster = index.cluster_name().unwrap_or("<cluster>");
    let mut out = Vec::new();
    for (arn, sas) in users_by_role(bindings) {
        if sas.len() < 2 {
            continue;
        }
        let name = arn.rsplit('/').next().unwrap_or(&arn);
        let related = sas
            .iter()
            .filter_map(|s| s.split_once('/'))
            .map(|(ns, n)| Subject::service_account(ns, n));
        let listed = sas.join(", ");
        let title = format!(
            "role {name} is used by {} ServiceAccounts: {listed}",
            sas.len()
        );
        let fix = format!(
            "give each ServiceAccount its own role, e.g. eksctl create iamserviceaccount --cluster {cluster} --namespace <ns> --name <sa> --role-name eks-{cluster}-<ns>-<sa>-role --attach-policy-arn <policy-arn> --approve --override-existing-serviceaccounts"
        );
        let used = format!("{} ({listed})", sas.len());
        out.push(
            finding(FindingCode::AUD004, Subject::role(&arn), title)
                .evidence(Evidence::compare(
                    "ServiceAccounts using the role",
                    "1",
                    used,
                ))
                .related_all(related)
                .fix(fix)
                .build(),
        );
    }
    out
}

fn naming(
    index: &InventoryIndex<'_>,
    bindings: &[BindingAnalysis],
    unknowns: &mut Unknowns,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for b in bindings {
        let ns = b.service_account.namespace.as_deref().unwrap_or_default();
        let sa = &b.service_account.name;
        let mut arns: Vec<&str> = Vec::new();
        if let Some(i) = &b.irsa {
            arns.push(i.role_arn.trim());
        }
        if let Some(p) = &b.pod_identity {
            arns.push(&p.role_arn);
        }
        arns.dedup();
        for arn in arns {
            let Ok(parsed) = parse_role_arn(arn) else {
                continue;
            };
            let Some(cluster) = index.cluster_name() else {
                unknowns.add(
                    SourceKind::EksCluster,
                    "cluster name unknown: role naming convention not checked",
                    format!("{ns}/{sa}"),
                );
                continue;
            };
            let expected = format!("eks-{cluster}-{ns}-{sa}-role");
            if parsed.name == expected {
                continue;
            }
            let title = format!("role {} of {ns}/{sa} is not named {expected}", parsed.name);
            out.push(
                finding(FindingCode::AUD008, b.service_account.clone(), title)
                    .evidence(Evidence::compare("role name", expected, parsed.name))
                    .related(Subject::role(arn))
                    .fix(NAMING_FIX)
                    .build(),
            );
        }
    }
    out
}

fn missing_tags(index: &InventoryIndex<'_>, role: &RoleInfo) -> Option<Finding> {
    let has = |t: &str| role.tags.keys().any(|k| k.eq_ignore_ascii_case(t));
    let missing: Vec<&str> = REQUIRED_TAGS.iter().copied().filter(|t| !has(t)).collect();
    if missing.is_empty() {
        return None;
    }
    let user = index
        .service_accounts_annotated_with(&role.arn)
        .first()
        .copied();
    let value = |t: &str| -> String {
        match t {
            "cluster" => index.cluster_name().unwrap_or("<cluster>").to_owned(),
            "namespace" => user.map_or_else(|| "<namespace>".to_owned(), |s| s.namespace.clone()),
            "app" => user.map_or_else(|| "<app>".to_owned(), |s| s.name.clone()),
            _ => "<terraform|eksctl|…>".to_owned(),
        }
    };
    let tags: Vec<String> = missing
        .iter()
        .map(|t| format!("Key={t},Value={}", value(t)))
        .collect();
    let present: Vec<&str> = role.tags.keys().map(String::as_str).collect();
    Some(
        finding(
            FindingCode::AUD007,
            Subject::role(&role.arn),
            format!("role {} lacks tags {}", role.name, missing.join(", ")),
        )
        .evidence(Evidence::compare(
            "tags",
            REQUIRED_TAGS.join(", "),
            format!(
                "missing {}; present: {}",
                missing.join(", "),
                if present.is_empty() {
                    "none".to_owned()
                } else {
                    present.join(", ")
                }
            ),
        ))
        .fix(format!(
            "aws iam tag-role --role-name {} --tags {}",
            role.name,
            tags.join(" ")
        ))
        .build(),
    )
}

fn unused(role: &RoleInfo, now: Timestamp) -> Option<Finding> {
    let limit = SignedDuration::from_hours(24 * UNUSED_DAYS);
    let days = |t: Timestamp| now.duration_since(t).as_hours() / 24;
    let last = role.last_used.as_ref()?;
    let actual = match (last.date, role.created) {
        (Some(d), _) if now.duration_since(d) >= limit => {
            format!("last used {d} ({} days before {now})", days(d))
        }
        (None, Some(c)) if now.duration_since(c) >= limit => {
            format!("never used; created {c} ({} days before {now})", days(c))
        }
        _ => return None,
    };
    Some(
        finding(
            FindingCode::AUD011,
            Subject::role(&role.arn),
            format!("role {} {actual}", role.name),
        )
        .evidence(Evidence::compare(
            "RoleLastUsed",
            format!("within {UNUSED_DAYS} days of {now}"),
            actual,
        ))
        .fix(format!(
            "if no workload needs it: detach its policies and aws iam delete-role --role-name {}",
            role.name
        ))
        .build(),
    )
}
