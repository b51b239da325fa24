//! An EKS Pod Identity association.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodIdentityAssociation {
    pub association_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_arn: Option<String>,
    pub cluster_name: String,
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    /// Cross-account target role (role chaining by the Pod Identity agent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_session_tags: Option<bool>,
    /// The association's session policy (`--policy`): it narrows what the role's sessions may
    /// do for this association.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<super::RawPolicyDocument>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}
