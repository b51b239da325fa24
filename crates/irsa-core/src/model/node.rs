//! A Kubernetes Node, trimmed to what the analysis needs.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::Node;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeInfo {
    pub name: String,
    /// `spec.providerID`, e.g. `aws:///eu-west-1a/i-0abc…` (EC2) or `aws:///eu-west-1a/fargate-ip-…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
}

impl NodeInfo {
    pub fn new(name: &str, provider_id: Option<&str>) -> Self {
        Self {
            name: name.to_owned(),
            provider_id: provider_id.map(str::to_owned),
            labels: BTreeMap::new(),
            created: None,
        }
    }
}

impl From<&Node> for NodeInfo {
    fn from(node: &Node) -> Self {
        Self {
            name: node.metadata.name.clone().unwrap_or_default(),
            provider_id: node.spec.as_ref().and_then(|s| s.provider_id.clone()),
            labels: node.metadata.labels.clone().unwrap_or_default(),
            created: node.metadata.creation_timestamp.as_ref().map(|t| t.0),
        }
    }
}
