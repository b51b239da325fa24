//! An IAM role with everything the analysis reads: trust document, permission policies,
//! boundary, tags, last use.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A policy document exactly as received: a JSON string (URL-encoded, as the IAM API returns
/// it, or plain JSON text) or an already-decoded JSON object (as the AWS CLI prints it).
/// `analysis::policy::parse` accepts every form; keeping it raw lets a malformed document
/// become a finding instead of a load failure.
pub type RawPolicyDocument = serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoleInfo {
    pub arn: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_id: Option<String>,
    #[serde(default = "default_path")]
    pub path: String,
    /// `AssumeRolePolicyDocument`; `None` when unknown (not readable).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_policy: Option<RawPolicyDocument>,
    #[serde(default)]
    pub attached_policies: Vec<AttachedPolicy>,
    #[serde(default)]
    pub inline_policies: Vec<InlinePolicy>,
    /// The permissions boundary's document (its default version); `None` when there is no
    /// boundary or it was not readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary_document: Option<RawPolicyDocument>,
    /// ARN of the permissions boundary policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<RoleLastUsed>,
    /// Seconds; `None` when the source does not report it (GetAccountAuthorizationDetails does not).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// ARNs of the instance profiles that contain this role (node roles).
    #[serde(default)]
    pub instance_profiles: Vec<String>,
}

fn default_path() -> String {
    "/".to_owned()
}

impl RoleInfo {
    /// A role with only an ARN and a trust document, for tests and generated accounts.
    pub fn new(arn: &str, trust_policy: Option<RawPolicyDocument>) -> Self {
        let name = arn.rsplit('/').next().unwrap_or(arn).to_owned();
        Self {
            arn: arn.to_owned(),
            name,
            role_id: None,
            path: default_path(),
            trust_policy,
            attached_policies: Vec::new(),
            inline_policies: Vec::new(),
            permissions_boundary: None,
            permissions_boundary_document: None,
            tags: BTreeMap::new(),
            last_used: None,
            max_session_duration: None,
            created: None,
            instance_profiles: Vec::new(),
        }
    }

    /// The account id from the ARN.
    pub fn account(&self) -> Option<&str> {
        super::arn_account(&self.arn)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttachedPolicy {
    pub name: String,
    pub arn: String,
    /// The default version's document; `None` when not readable.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<RawPolicyDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InlinePolicy {
    pub name: String,
    pub document: RawPolicyDocument,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleLastUsed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}
