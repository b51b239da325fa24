//! Prediction of what the amazon-eks-pod-identity-webhook (v0.6.x) injects into a pod at
//! CREATE, and the diff of that prediction against a live pod. Reproduces the webhook's own
//! test fixtures (`shared/conformance/webhook/`). (Contract written by the skeleton; bodies by
//! the webhook work.)

use crate::model::{
    ContainerKind, EnvVarInfo, PodInfo, ServiceAccountInfo, VolumeInfo, VolumeMountInfo,
    WebhookSettings,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The container-credentials (EKS Pod Identity) configuration for one ServiceAccount.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodIdentityConfig {
    pub uri: String,
    pub audience: String,
    pub mount_path: String,
    pub volume_name: String,
    pub token_path: String,
}

impl PodIdentityConfig {
    /// What EKS configures for an SA with a Pod Identity association.
    pub fn eks() -> Self {
        Self {
            uri: "http://169.254.170.23/v1/credentials".to_owned(),
            audience: "pods.eks.amazonaws.com".to_owned(),
            mount_path: "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount".to_owned(),
            volume_name: "eks-pod-identity-token".to_owned(),
            token_path: "eks-pod-identity-token".to_owned(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum MutationMode {
    /// The webhook leaves the pod alone.
    None,
    Irsa,
    PodIdentity,
}

/// What the webhook adds to a pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mutation {
    pub mode: MutationMode,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    /// The token lifetime the projected volume gets.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expiration_seconds: Option<i64>,
    /// True when the real webhook would pick a random lifetime in [79200, 86400]
    /// (`expiration_seconds` then holds 79200, as the upstream tests' zero RNG does).
    pub expiration_jittered: bool,
    /// The requested lifetime when it was below 600 s and clamped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clamped_from: Option<i64>,
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeInfo>,
    pub containers: Vec<ContainerMutation>,
}

/// What the webhook adds to one container.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerMutation {
    pub name: String,
    pub kind: ContainerKind,
    /// Listed in `eks.amazonaws.com/skip-containers`.
    pub skipped: bool,
    pub env: Vec<EnvVarInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mount: Option<VolumeMountInfo>,
}

/// How a live pod differs from what the webhook would inject into it today.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deviation {
    /// `None` for pod-level items (volume, label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub container: Option<String>,
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

/// Predicts the webhook's mutation of `pod` (as submitted, before mutation) for `sa`.
/// `pod_identity` is `Some` when a Pod Identity association matches the SA.
pub fn predict(
    sa: &ServiceAccountInfo,
    pod: &PodInfo,
    settings: &WebhookSettings,
    pod_identity: Option<&PodIdentityConfig>,
) -> Mutation {
    let _ = (sa, pod, settings, pod_identity);
    todo!("webhook work")
}
