//! Permission grants of the roles in scope: AUD009 cross-account `sts:AssumeRole` without an
//! `sts:ExternalId` requirement on the target (confused deputy), AUD010 over-broad grants.
//!
//! AUD009 choice (CHECKS-SPEC.md leaves it open): the target's trust is evaluated for
//! `sts:AssumeRole` by this role *without* an ExternalId; an Allow means the target does not
//! require one → finding at catalog severity. When the target role is not in the inventory
//! (another account's roles are rarely loaded) the finding is still raised, at medium
//! severity, saying the ExternalId could not be verified — an unverifiable cross-account hop
//! is worth a look, but it is not proven broken. A plain `Resource: "*"` is left to AUD010.

use super::Unknowns;
use super::policy_match::{action_matches, is_write_action, resources, spec_allows};
use crate::analysis::findings::finding;
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::policy::{self, ActionSpec, Effect, PolicyDocument};
use crate::analysis::trust::{self, Decision, RequestContext, RequestPrincipal};
use crate::model::{Evidence, Finding, FindingCode, RoleInfo, Severity, SourceKind, Subject};

/// The AWS managed policy that grants everything.
pub const ADMINISTRATOR_ACCESS: &str = "policy/AdministratorAccess";

/// All findings of this family.
pub fn check(
    index: &InventoryIndex<'_>,
    roles: &[&RoleInfo],
    unknowns: &mut Unknowns,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for role in roles {
        let mut docs: Vec<(String, PolicyDocument)> = Vec::new();
        let mut broad: Vec<Evidence> = Vec::new();
        for p in &role.attached_policies {
            if p.arn.ends_with(ADMINISTRATOR_ACCESS) {
                broad.push(Evidence::compare(
                    "attached policy",
                    "least-privilege policy",
                    p.arn.clone(),
                ));
            }
            match p.document.as_ref().map(policy::parse) {
                Some(Ok(doc)) => docs.push((p.name.clone(), doc)),
                Some(Err(e)) => unknowns.add(
                    SourceKind::IamRoles,
                    format!("policy {} unparsable: {e}", p.name),
                    role.arn.clone(),
                ),
                None if !p.arn.ends_with(ADMINISTRATOR_ACCESS) => unknowns.add(
                    SourceKind::IamRoles,
                    format!(
                        "document of attached policy {} not loaded: grants not checked",
                        p.name
                    ),
                    role.arn.clone(),
                ),
                None => {}
            }
        }
        for p in &role.inline_policies {
            match policy::parse(&p.document) {
                Ok(doc) => docs.push((p.name.clone(), doc)),
                Err(e) => unknowns.add(
                    SourceKind::IamRoles,
                    format!("inline policy {} unparsable: {e}", p.name),
                    role.arn.clone(),
                ),
            }
        }
        for (name, doc) in &docs {
            broad.extend(over_broad(name, doc));
        }
        if let Some(first) = broad.first() {
            let what = first.actual.clone().unwrap_or_default();
            let title = format!("role {} has over-broad grants: {what}", role.name);
            let fix = format!(
                "replace the grants with the actions and resources the workload uses (IAM Access Analyzer can generate a policy from its CloudTrail activity), then: aws iam put-role-policy --role-name {} --policy-name least-privilege --policy-document file://policy.json",
                role.name
            );
            out.push(
                finding(FindingCode::AUD010, Subject::role(&role.arn), title)
                    .evidences(broad.clone())
                    .fix(fix)
                    .build(),
            );
        }
        out.extend(
            docs.iter()
                .flat_map(|(name, doc)| cross_account(index, role, name, doc)),
        );
    }
    out
}

fn over_broad(policy_name: &str, doc: &PolicyDocument) -> Vec<Evidence> {
    let mut out = Vec::new();
    for (i, st) in doc.statements.iter().enumerate() {
        if st.effect != Effect::Allow {
            continue;
        }
        let res = resources(st);
        let any_resource = res.contains(&"*");
        let item = format!("{policy_name} statement {}", i + 1);
        match &st.action {
            ActionSpec::Only(actions) => {
                if actions.iter().any(|a| a == "*") {
                    out.push(Evidence::compare(
                        item,
                        "specific actions",
                        format!("Action \"*\" on Resource {}", res.join(", ")),
                    ));
                    continue;
                }
                if !any_resource {
                    continue;
                }
                let service_wide: Vec<&str> = actions
                    .iter()
                    .map(String::as_str)
                    .filter(|a| a.ends_with(":*"))
                    .collect();
                if !service_wide.is_empty() {
                    out.push(Evidence::compare(
                        item,
                        "specific actions on specific resources",
                        format!("{} on Resource \"*\"", service_wide.join(", ")),
                    ));
                    continue;
                }
                let writes: Vec<&str> = actions
                    .iter()
                    .map(String::as_str)
                    .filter(|a| is_write_action(a))
                    .collect();
                if !writes.is_empty() && st.conditions.is_empty() {
                    out.push(Evidence::compare(
                        item,
                        "write actions scoped to resources",
                        format!("{} on Resource \"*\"", writes.join(", ")),
                    ));
                }
            }
            ActionSpec::Not(actions) => {
                if any_resource {
                    out.push(Evidence::compare(
                        item,
                        "specific actions",
                        format!(
                            "NotAction {} on Resource \"*\" (allows everything else)",
                            actions.join(", ")
                        ),
                    ));
                }
            }
        }
    }
    out
}

/// The account field of an ARN pattern (`*` or a pattern when wildcarded).
fn arn_account_field(resource: &str) -> Option<&str> {
    resource.split(':').nth(4)
}

fn cross_account(
    index: &InventoryIndex<'_>,
    role: &RoleInfo,
    policy_name: &str,
    doc: &PolicyDocument,
) -> Vec<Finding> {
    let own = role.account().unwrap_or_default();
    let mut out = Vec::new();
    for (i, st) in doc.statements.iter().enumerate() {
        if st.effect != Effect::Allow || !spec_allows(&st.action, "sts:AssumeRole") {
            continue;
        }
        for target in resources(st)
            .into_iter()
            .filter(|r| action_matches("arn:*:iam::*:role/*", r))
        {
            let Some(account) = arn_account_field(target) else {
                continue;
            };
            if account == own {
                continue;
            }
            let item = format!("{policy_name} statement {} sts:AssumeRole target", i + 1);
            let base = |title: String| {
                finding(FindingCode::AUD009, Subject::role(&role.arn), title)
                    .evidence(Evidence::observed(item.clone(), target))
                    .related(Subject::role(target))
            };
            let exact = !target.contains(['*', '?']);
            match exact.then(|| index.role(target)).flatten() {
                Some(t) => match index.trust_policy(t) {
                    Some(Ok(tdoc)) => {
                        let request = RequestContext::new(
                            "sts:AssumeRole",
                            RequestPrincipal::Aws(role.arn.clone()),
                        )
                        .with_key("aws:PrincipalArn", &role.arn)
                        .with_key("aws:PrincipalAccount", own);
                        if trust::evaluate(tdoc, &request).decision == Decision::Allow {
                            let title = format!(
                                "role {} may assume {} in account {account}, whose trust does not require sts:ExternalId",
                                role.name, t.name
                            );
                            let fix = format!(
                                "in account {account}: aws iam update-assume-role-policy --role-name {} --policy-document file://trust.json  # trust.json: add \"Condition\": {{\"StringEquals\": {{\"sts:ExternalId\": \"<per-tenant-id>\"}}}} to the statement trusting {}",
                                t.name, role.arn
                            );
                            out.push(
                                base(title)
                                    .evidence(Evidence::compare(
                                        format!("trust of {} for {}", t.name, role.name),
                                        "condition StringEquals sts:ExternalId",
                                        "allows without an ExternalId",
                                    ))
                                    .fix(fix)
                                    .build(),
                            );
                        }
                    }
                    _ => out.push(unverified(
                        base(String::new()),
                        role,
                        target,
                        account,
                        "target trust policy not readable",
                    )),
                },
                None => out.push(unverified(
                    base(String::new()),
                    role,
                    target,
                    account,
                    "target role not in the inventory (its account's roles are not loaded)",
                )),
            }
        }
    }
    out
}

fn unverified(
    b: crate::analysis::findings::FindingBuilder,
    role: &RoleInfo,
    target: &str,
    account: &str,
    why: &str,
) -> Finding {
    let mut f = b
        .severity(Severity::Medium)
        .evidence(Evidence::new(
            "target trust requires sts:ExternalId",
            Some("yes".to_owned()),
            Some(format!("cannot verify: {why}")),
        ))
        .fix(format!(
            "check in account {account} that the trust of {target} requires sts:ExternalId for {}",
            role.arn
        ))
        .build();
    f.title = format!(
        "role {} may assume {target} in account {account}; sts:ExternalId cannot be verified",
        role.name
    );
    f
}
