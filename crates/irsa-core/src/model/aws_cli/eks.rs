//! EKS (camelCase on the wire): `aws eks describe-cluster` and the Pod Identity associations
//! file (`list-pod-identity-associations` + `describe-pod-identity-association` per id).

use super::{arn_region, cli_time};
use crate::model::{self, ClusterInfo};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The output of `aws eks describe-cluster --name <cluster> --output json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DescribeClusterOutput {
    pub cluster: Cluster,
}

/// The `cluster` object (only the fields the analysis or the header use; others ignored).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cluster {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<ClusterIdentity>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub platform_version: Option<String>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// `kubernetesNetworkConfig` (the IP family decides the Pod Identity agent's address).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_network_config: Option<NetworkConfig>,
}

/// `cluster.kubernetesNetworkConfig` (only the IP family; CIDRs ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NetworkConfig {
    /// `ipv4` or `ipv6`, fixed when the cluster is created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip_family: Option<String>,
}

/// `cluster.identity`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterIdentity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<ClusterOidc>,
}

/// `cluster.identity.oidc`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterOidc {
    /// The issuer URL with its `https://` scheme.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issuer: Option<String>,
}

impl Cluster {
    /// `identity.oidc.issuer`, when reported.
    pub fn issuer(&self) -> Option<&str> {
        self.identity
            .as_ref()
            .and_then(|i| i.oidc.as_ref())
            .and_then(|o| o.issuer.as_deref())
    }
}

impl From<&Cluster> for ClusterInfo {
    /// Region comes from the cluster ARN.
    fn from(c: &Cluster) -> Self {
        ClusterInfo {
            name: c.name.clone(),
            arn: c.arn.clone(),
            region: c.arn.as_deref().and_then(arn_region).map(str::to_owned),
            issuer: c.issuer().map(str::to_owned),
            version: c.version.clone(),
            platform_version: c.platform_version.clone(),
            ip_family: c
                .kubernetes_network_config
                .as_ref()
                .and_then(|n| n.ip_family.clone()),
        }
    }
}

/// The snapshot file `eks-pod-identity-associations.json`:
/// `{"associations": [ …one `describe-pod-identity-association` `association` each… ]}`.
/// (`list-pod-identity-associations` alone is not enough: it has no `roleArn`.)
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodIdentityAssociations {
    pub associations: Vec<PodIdentityAssociationDetail>,
}

/// `PodIdentityAssociation` as `describe-pod-identity-association` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PodIdentityAssociationDetail {
    pub cluster_name: String,
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    pub association_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association_arn: Option<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Timestamp>,
    #[serde(default, with = "cli_time", skip_serializing_if = "Option::is_none")]
    pub modified_at: Option<Timestamp>,
    /// Set when an EKS add-on owns the association.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disable_session_tags: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target_role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The session policy, a JSON string.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
}

impl PodIdentityAssociations {
    /// Every association as a model [`model::PodIdentityAssociation`].
    pub fn associations(&self) -> Vec<model::PodIdentityAssociation> {
        self.associations
            .iter()
            .map(model::PodIdentityAssociation::from)
            .collect()
    }
}

impl From<&PodIdentityAssociationDetail> for model::PodIdentityAssociation {
    fn from(a: &PodIdentityAssociationDetail) -> Self {
        model::PodIdentityAssociation {
            association_id: a.association_id.clone(),
            association_arn: a.association_arn.clone(),
            cluster_name: a.cluster_name.clone(),
            namespace: a.namespace.clone(),
            service_account: a.service_account.clone(),
            role_arn: a.role_arn.clone(),
            target_role_arn: a.target_role_arn.clone(),
            external_id: a.external_id.clone(),
            disable_session_tags: a.disable_session_tags,
            policy: a.policy.clone().map(serde_json::Value::String),
            tags: a.tags.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn cluster_projection_takes_region_from_the_arn_and_issuer_from_identity() {
        let out: DescribeClusterOutput = serde_json::from_value(json!({
            "cluster": {
                "name": "irsa-lab",
                "arn": "arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab",
                "createdAt": "2026-04-02T08:14:51.512000+00:00",
                "version": "1.33",
                "identity": {"oidc": {"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/X"}},
                "platformVersion": "eks.12",
                "resourcesVpcConfig": {"vpcId": "vpc-0eff978855e0677a0"}
            }
        }))
        .unwrap();
        let info = ClusterInfo::from(&out.cluster);
        assert_eq!(info.region.as_deref(), Some("eu-west-1"));
        assert_eq!(info.account(), Some("123456789012"));
        assert_eq!(
            info.issuer.as_deref(),
            Some("https://oidc.eks.eu-west-1.amazonaws.com/id/X")
        );
        assert_eq!(info.platform_version.as_deref(), Some("eks.12"));
    }

    #[test]
    fn association_without_role_arn_is_rejected_naming_the_field() {
        // The shape of list-pod-identity-associations, which lacks roleArn.
        let err = serde_json::from_value::<PodIdentityAssociations>(json!({
            "associations": [{"clusterName": "c", "namespace": "n", "serviceAccount": "s",
                              "associationId": "a-1"}]
        }))
        .unwrap_err();
        assert!(err.to_string().contains("roleArn"), "{err}");
    }
}
