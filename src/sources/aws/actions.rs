//! Every AWS API call this source makes, as data: the IAM action each needs, the SDK call that
//! makes it, and the file it is made in. [`AUDIT_CALLS`] are those of `audit --aws` (and of the
//! UI's AWS side); [`ON_REQUEST_CALLS`] only happen when a user asks for them; [`WRITE_CALLS`]
//! is the report upload of `audit --output s3://…`, the one write.
//!
//! The tables are what the least-privilege policies are checked against: the deployed audit's
//! role (`deploy/iam/audit-policy.json`, by `tests/deploy_manifests.rs`), SECURITY.md "What is
//! read" and README "Minimal read-only IAM policy". The tests below read this folder's sources
//! so the tables cannot drift from the code: each entry's SDK call and action name are in its
//! file, and every action name the code passes to [`super::AwsSource`]'s call counter is in a
//! table.

/// One AWS API call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AwsCall {
    /// The IAM action, as a policy names it (`iam:GetRole`).
    pub action: &'static str,
    /// The SDK client's method that makes it (`get_role`).
    pub sdk_call: &'static str,
    /// The file of `src/sources/aws/` that calls it.
    pub file: &'static str,
    /// False for calls no identity policy has to allow (`sts:GetCallerIdentity`).
    pub needs_permission: bool,
}

const fn call(action: &'static str, sdk_call: &'static str, file: &'static str) -> AwsCall {
    AwsCall {
        action,
        sdk_call,
        file,
        needs_permission: true,
    }
}

/// The calls of `audit --aws`: the caller, the cluster, its OIDC providers, Pod Identity
/// associations and nodes, and the roles — in a few `GetAccountAuthorizationDetails` pages, or
/// role by role when that is denied (`ListRoles`, `ListInstanceProfiles` and the per-role reads).
pub const AUDIT_CALLS: &[AwsCall] = &[
    AwsCall {
        needs_permission: false,
        ..call("sts:GetCallerIdentity", "get_caller_identity", "sts.rs")
    },
    call("eks:DescribeCluster", "describe_cluster", "eks.rs"),
    call(
        "eks:ListPodIdentityAssociations",
        "list_pod_identity_associations",
        "eks.rs",
    ),
    call(
        "eks:DescribePodIdentityAssociation",
        "describe_pod_identity_association",
        "eks.rs",
    ),
    call(
        "iam:ListOpenIDConnectProviders",
        "list_open_id_connect_providers",
        "iam.rs",
    ),
    call(
        "iam:GetOpenIDConnectProvider",
        "get_open_id_connect_provider",
        "iam.rs",
    ),
    call("ec2:DescribeInstances", "describe_instances", "ec2.rs"),
    call(
        "iam:GetAccountAuthorizationDetails",
        "get_account_authorization_details",
        "iam.rs",
    ),
    call("iam:ListRoles", "list_roles", "iam.rs"),
    call(
        "iam:ListInstanceProfiles",
        "list_instance_profiles",
        "iam.rs",
    ),
    call("iam:GetRole", "get_role", "roles.rs"),
    call(
        "iam:ListAttachedRolePolicies",
        "list_attached_role_policies",
        "roles.rs",
    ),
    call("iam:ListRolePolicies", "list_role_policies", "roles.rs"),
    call("iam:GetRolePolicy", "get_role_policy", "roles.rs"),
    call("iam:GetPolicy", "get_policy", "roles.rs"),
    call("iam:GetPolicyVersion", "get_policy_version", "roles.rs"),
];

/// Calls made only when asked: `can-i --aws` about a bucket or key, `--ask-aws` (`A`),
/// `--cloudtrail`, and the UI's opt-in "test it for real".
pub const ON_REQUEST_CALLS: &[AwsCall] = &[
    call(
        "s3:GetBucketPolicy",
        "get_bucket_policy",
        "resource_policy.rs",
    ),
    call("kms:GetKeyPolicy", "get_key_policy", "resource_policy.rs"),
    call(
        "iam:SimulatePrincipalPolicy",
        "simulate_principal_policy",
        "simulate.rs",
    ),
    call("cloudtrail:LookupEvents", "lookup_events", "cloudtrail.rs"),
    AwsCall {
        needs_permission: false,
        ..call(
            "sts:AssumeRoleWithWebIdentity",
            "assume_role_with_web_identity",
            "sts.rs",
        )
    },
];

/// The one write: `audit --output s3://BUCKET/PREFIX` puts the report into the user's bucket
/// (refused with `--read-only`).
pub const WRITE_CALLS: &[AwsCall] = &[call("s3:PutObject", "put_object", "upload.rs")];

/// The IAM actions an identity policy must allow for `audit --aws` to see everything.
pub fn audit_permissions() -> impl Iterator<Item = &'static str> {
    AUDIT_CALLS
        .iter()
        .filter(|c| c.needs_permission)
        .map(|c| c.action)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;
    use std::path::PathBuf;

    fn folder() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src/sources/aws")
    }

    fn source(file: &str) -> String {
        std::fs::read_to_string(folder().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"))
    }

    /// The string literals of `text` that look like an IAM action (`service:Action`).
    fn action_literals(text: &str) -> BTreeSet<String> {
        text.split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| {
                s.split_once(':').is_some_and(|(service, action)| {
                    !service.is_empty()
                        && service
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                        && action.starts_with(|c: char| c.is_ascii_uppercase())
                        && action.chars().all(|c| c.is_ascii_alphanumeric())
                })
            })
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn each_listed_call_is_made_in_its_file() {
        for c in AUDIT_CALLS
            .iter()
            .chain(ON_REQUEST_CALLS)
            .chain(WRITE_CALLS)
        {
            let text = source(c.file);
            assert!(
                text.contains(&format!(".{}()", c.sdk_call)),
                "{}: no .{}() in {}",
                c.action,
                c.sdk_call,
                c.file
            );
            assert!(
                text.contains(&format!("\"{}\"", c.action)),
                "{}: its name is not in {} (the call counter names it)",
                c.action,
                c.file
            );
        }
    }

    #[test]
    fn every_action_the_code_names_is_listed_once() {
        let listed: Vec<&str> = AUDIT_CALLS
            .iter()
            .chain(ON_REQUEST_CALLS)
            .chain(WRITE_CALLS)
            .map(|c| c.action)
            .collect();
        let unique: BTreeSet<&str> = listed.iter().copied().collect();
        assert_eq!(unique.len(), listed.len(), "an action listed twice");
        let mut named = BTreeSet::new();
        let entries = std::fs::read_dir(folder()).expect("src/sources/aws");
        for entry in entries {
            let path = entry.expect("entry").path();
            if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("actions.rs") {
                let text = std::fs::read_to_string(&path).expect("read");
                named.extend(action_literals(&text));
            }
        }
        let unlisted: Vec<&String> = named
            .iter()
            .filter(|a| !unique.contains(a.as_str()))
            .collect();
        assert!(
            unlisted.is_empty(),
            "named in src/sources/aws but in no table: {unlisted:?}"
        );
        // …and the other accounts' reads are a subset of the audit's.
        for action in super::super::OTHER_ACCOUNT_ACTIONS.split(", ") {
            assert!(
                AUDIT_CALLS.iter().any(|c| c.action == action.trim()),
                "{action}"
            );
        }
    }

    #[test]
    fn the_audit_needs_no_write() {
        for action in audit_permissions() {
            let verb = action.split_once(':').map_or("", |(_, a)| a);
            assert!(
                ["Get", "List", "Describe"]
                    .iter()
                    .any(|p| verb.starts_with(p)),
                "{action}"
            );
        }
    }
}
