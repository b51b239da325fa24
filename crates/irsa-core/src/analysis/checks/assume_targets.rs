//! Which roles of other accounts a role may `sts:AssumeRole` into: the exact role ARNs named
//! by the Allow statements of its permission policies. The AWS source reads these targets'
//! trust policies with the other account's credentials (when the user gave them), so AUD009 can
//! verify the `sts:ExternalId` requirement instead of reporting it as unverifiable.

use super::policy_match::{action_matches, resources, spec_allows};
use crate::analysis::policy::{self, Effect};
use crate::model::RoleInfo;
use std::collections::BTreeSet;

/// Exact role ARNs (no wildcard) in accounts other than the role's own that its attached
/// (when their documents are loaded) and inline policies allow it to `sts:AssumeRole`.
/// Unparsable documents are skipped: the audit reports them.
pub fn assume_role_targets(role: &RoleInfo) -> BTreeSet<String> {
    let own = role.account().unwrap_or_default();
    let documents = role
        .attached_policies
        .iter()
        .filter_map(|p| p.document.as_ref())
        .chain(role.inline_policies.iter().map(|p| &p.document));
    let mut out = BTreeSet::new();
    for doc in documents.filter_map(|d| policy::parse(d).ok()) {
        for st in &doc.statements {
            if st.effect != Effect::Allow || !spec_allows(&st.action, "sts:AssumeRole") {
                continue;
            }
            for target in resources(st) {
                let exact = !target.contains(['*', '?']);
                let account = target.split(':').nth(4).unwrap_or_default();
                if exact && account != own && action_matches("arn:*:iam::*:role/*", target) {
                    out.insert(target.to_owned());
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::InlinePolicy;
    use serde_json::json;

    fn role_with(statements: serde_json::Value) -> RoleInfo {
        let mut role = RoleInfo::new("arn:aws:iam::123456789012:role/hopper", None);
        role.inline_policies.push(InlinePolicy {
            name: "hop".to_owned(),
            document: json!({"Version": "2012-10-17", "Statement": statements}),
        });
        role
    }

    #[test]
    fn exact_other_account_targets_of_allow_statements_only() {
        let role = role_with(json!([
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": [
                "arn:aws:iam::210987654321:role/accountb-data-reader",
                "arn:aws:iam::210987654321:role/team-*",
                "arn:aws:iam::123456789012:role/same-account"
            ]},
            {"Effect": "Allow", "Action": "s3:GetObject",
             "Resource": "arn:aws:iam::333333333333:role/not-an-assume"},
            {"Effect": "Deny", "Action": "sts:*",
             "Resource": "arn:aws:iam::444444444444:role/denied"},
            {"Effect": "Allow", "Action": "sts:*",
             "Resource": "arn:aws:iam::555555555555:role/via-wildcard-action"}
        ]));
        let targets: Vec<String> = assume_role_targets(&role).into_iter().collect();
        assert_eq!(
            targets,
            [
                "arn:aws:iam::210987654321:role/accountb-data-reader",
                "arn:aws:iam::555555555555:role/via-wildcard-action"
            ]
        );
    }

    #[test]
    fn an_unparsable_policy_yields_no_target_and_no_panic() {
        let mut role = role_with(json!([]));
        role.inline_policies[0].document = json!("{not json");
        assert!(assume_role_targets(&role).is_empty());
    }
}
