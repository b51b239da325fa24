//! The EKS cluster as `eks describe-cluster` reports it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterInfo {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `identity.oidc.issuer`, with its `https://` scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    /// `kubernetesNetworkConfig.ipFamily`: `ipv4` or `ipv6` (EKS clusters are one or the other).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_family: Option<String>,
}

impl ClusterInfo {
    /// True for a cluster EKS runs with IPv6 pod addresses; `None` when the family is unknown.
    pub fn ipv6(&self) -> Option<bool> {
        self.ip_family
            .as_deref()
            .map(|f| f.eq_ignore_ascii_case("ipv6"))
    }

    pub fn account(&self) -> Option<&str> {
        self.arn.as_deref().and_then(super::arn_account)
    }
}
