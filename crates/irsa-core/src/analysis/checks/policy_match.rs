//! Small matchers over parsed policy statements for the audit checks: IAM action / resource
//! patterns (`*` and `?`, actions case-insensitive), a write-action heuristic, and the host of
//! an OIDC provider ARN. Wildcards via `wildmatch`.

use crate::analysis::policy::{ActionSpec, Statement};
use wildmatch::WildMatch;

/// True when an IAM action pattern matches an action (case-insensitive).
pub fn action_matches(pattern: &str, action: &str) -> bool {
    WildMatch::new_case_insensitive(pattern).matches(action)
}

/// True when an `Action`/`NotAction` spec covers `action`.
pub fn spec_allows(spec: &ActionSpec, action: &str) -> bool {
    match spec {
        ActionSpec::Only(list) => list.iter().any(|p| action_matches(p, action)),
        ActionSpec::Not(list) => !list.iter().any(|p| action_matches(p, action)),
    }
}

/// The `Resource` patterns of a statement (`*` for `NotResource`, which allows almost all).
pub fn resources(statement: &Statement) -> Vec<&str> {
    match &statement.resource {
        Some(ActionSpec::Only(list)) => list.iter().map(String::as_str).collect(),
        Some(ActionSpec::Not(_)) => vec!["*"],
        None => Vec::new(),
    }
}

/// Verb prefixes of IAM actions that change something.
const WRITE_VERBS: &[&str] = &[
    "put",
    "create",
    "delete",
    "update",
    "attach",
    "detach",
    "modify",
    "run",
    "terminate",
    "start",
    "stop",
    "reboot",
    "pass",
    "add",
    "remove",
    "set",
    "tag",
    "untag",
    "write",
    "upload",
    "send",
    "publish",
    "invoke",
    "assume",
    "associate",
    "disassociate",
    "register",
    "deregister",
    "replace",
    "restore",
    "copy",
    "import",
    "enable",
    "disable",
    "reset",
    "revoke",
    "authorize",
    "change",
    "cancel",
    "apply",
    "execute",
    "batchwrite",
    "batchdelete",
    "abort",
    "complete",
    "release",
    "allocate",
    "request",
    "purge",
    "rotate",
    "schedule",
    "sign",
    "decrypt",
];

/// True when an action pattern (e.g. `s3:PutObject`, `ec2:Create*`, `s3:*Object`) can match
/// an action that writes.
pub fn is_write_action(pattern: &str) -> bool {
    let Some((_, verb)) = pattern.split_once(':') else {
        return pattern == "*";
    };
    let verb = verb.to_ascii_lowercase();
    if verb.starts_with('*') || verb.starts_with('?') {
        return true;
    }
    WRITE_VERBS.iter().any(|w| {
        verb.starts_with(w) || (verb.ends_with('*') && w.starts_with(verb.trim_end_matches('*')))
    })
}

/// `oidc.eks.…/id/…` of `arn:…:oidc-provider/oidc.eks.…/id/…`.
pub fn oidc_provider_host(federated: &str) -> Option<&str> {
    federated
        .split_once(":oidc-provider/")
        .map(|(_, host)| host)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_heuristic_separates_reads_from_writes() {
        for w in [
            "s3:PutObject",
            "ec2:Create*",
            "s3:*Object",
            "iam:PassRole",
            "sts:AssumeRole",
            "ec2:*",
            "s3:P*",
        ] {
            assert!(is_write_action(w), "{w}");
        }
        for r in ["s3:GetObject", "ec2:Describe*", "s3:List*", "logs:Get*"] {
            assert!(!is_write_action(r), "{r}");
        }
    }

    #[test]
    fn action_specs_honour_not_action_and_wildcards() {
        let only = ActionSpec::Only(vec!["STS:Assume*".into()]);
        assert!(spec_allows(&only, "sts:AssumeRole"));
        let not = ActionSpec::Not(vec!["iam:*".into()]);
        assert!(spec_allows(&not, "sts:AssumeRole"));
        assert!(!spec_allows(&not, "iam:PassRole"));
    }
}
