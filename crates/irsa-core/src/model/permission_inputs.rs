//! What the permission evaluator needs beyond the roles: resource-based policies (S3 bucket
//! policies, KMS key policies, …) and the organisation's service control policies. Both come
//! from snapshot files (`resource-policies.json`, `organizations-scps.json`) or the command
//! line; SCPs are read in the organisation's management account, so a cluster's own reads
//! never have them.

use super::RawPolicyDocument;
use serde::{Deserialize, Serialize};

/// `resource-policies.json`: `{"ResourcePolicies": [{"Arn": …, "Policy": …}]}`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcePoliciesFile {
    pub resource_policies: Vec<ResourcePolicyInfo>,
}

/// One resource's own policy: `aws s3api get-bucket-policy --bucket B` (its `Policy`), `aws
/// kms get-key-policy --key-id K --policy-name default` (its `Policy`), …
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ResourcePolicyInfo {
    /// The resource: a bucket ARN (`arn:aws:s3:::name`, covering its objects), a key ARN, …
    pub arn: String,
    /// The owning account when the ARN does not carry one (S3).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// The document as the AWS CLI prints it (a JSON string or object).
    pub policy: RawPolicyDocument,
}

impl ResourcePolicyInfo {
    /// True when this policy governs `resource`: the same ARN, or an object of this bucket.
    pub fn governs(&self, resource: &str) -> bool {
        if self.arn == resource {
            return true;
        }
        self.arn.starts_with("arn:") && self.arn.split(':').nth(2) == Some("s3") && {
            resource
                .strip_prefix(self.arn.as_str())
                .is_some_and(|rest| rest.starts_with('/'))
        }
    }
}

/// `organizations-scps.json`: the SCPs in force for the account, one entry per level of the
/// organisation path (root, each OU, the account), each with the policies attached there
/// (`aws organizations list-policies-for-target --target-id T --filter SERVICE_CONTROL_POLICY`
/// then `describe-policy` for each: its `Content`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScpFile {
    pub levels: Vec<ScpLevelInfo>,
}

/// One level of the organisation path and its SCPs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScpLevelInfo {
    /// `Root`, `ou-abcd-12345678 (workloads)`, `Account 123456789012`, …
    pub target: String,
    pub policies: Vec<ScpPolicyInfo>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ScpPolicyInfo {
    pub name: String,
    /// The policy's `Content` (a JSON string, as Organizations returns it, or an object).
    pub content: RawPolicyDocument,
}
