//! What a live pod shows of the webhook's injection, per container: which mode it carries,
//! the `AWS_ROLE_ARN` it runs with, and which containers lack the env or the token mount —
//! including containers the pod's `skip-containers` annotation excluded (POD003 reports both).

use crate::analysis::credentials::{
    CONTAINER_FULL_URI, CONTAINER_TOKEN_FILE, ROLE_ARN, WEB_IDENTITY_TOKEN_FILE,
};
use crate::analysis::webhook::{MutationMode, PodIdentityConfig};
use crate::model::{ContainerInfo, PodInfo, VolumeSourceInfo, WebhookSettings};
use serde::{Deserialize, Serialize};

/// The webhook's IRSA token volume.
pub const IRSA_VOLUME: &str = "aws-iam-token";

/// One container that lacks the injection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContainerGap {
    pub container: String,
    /// Listed in the pod's `skip-containers` annotation.
    pub skipped: bool,
    /// What is missing: env var names and/or `mount <path>`.
    pub missing: Vec<String>,
}

/// The injection a live pod carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Injection {
    pub mode: MutationMode,
    /// The literal `AWS_ROLE_ARN` of the first container that has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    pub gaps: Vec<ContainerGap>,
}

impl Injection {
    /// True when the pod carries an IRSA or Pod Identity injection.
    pub fn is_mutated(&self) -> bool {
        self.mode != MutationMode::None
    }
}

/// The pod's `skip-containers` list.
pub fn skip_list(pod: &PodInfo, settings: &WebhookSettings) -> Vec<String> {
    pod.annotations
        .get(&format!("{}/skip-containers", settings.annotation_prefix))
        .map(|v| {
            v.split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

fn is_token_volume(pod: &PodInfo, name: &str) -> bool {
    pod.volume(name)
        .is_some_and(|v| matches!(v.source, VolumeSourceInfo::Projected { .. }))
}

fn mounts(c: &ContainerInfo, volume: &str, path: &str) -> bool {
    c.volume_mounts.iter().any(|m| {
        m.name == volume || m.mount_path.trim_end_matches('/') == path.trim_end_matches('/')
    })
}

/// Reads the injection off a live pod. Pod Identity (label, token volume or
/// `AWS_CONTAINER_CREDENTIALS_FULL_URI`) takes precedence over IRSA (token volume, or both
/// web-identity env vars), as in the webhook.
pub fn observe(pod: &PodInfo, settings: &WebhookSettings) -> Injection {
    let pi = PodIdentityConfig::eks();
    let pi_marked = pod
        .labels
        .get("eks.amazonaws.com/pod-identity")
        .is_some_and(|v| v == "enabled")
        || is_token_volume(pod, &pi.volume_name)
        || pod
            .all_containers()
            .any(|c| c.env_var(CONTAINER_FULL_URI).is_some());
    let irsa_marked = is_token_volume(pod, IRSA_VOLUME)
        || pod
            .all_containers()
            .any(|c| c.env_var(ROLE_ARN).is_some() && c.env_var(WEB_IDENTITY_TOKEN_FILE).is_some());
    let role_arn = pod
        .all_containers()
        .find_map(|c| c.env_var(ROLE_ARN).and_then(|e| e.literal_value()))
        .map(str::to_owned);
    let (mode, env, volume, path) = if pi_marked {
        (
            MutationMode::PodIdentity,
            [CONTAINER_FULL_URI, CONTAINER_TOKEN_FILE],
            pi.volume_name.clone(),
            pi.mount_path.clone(),
        )
    } else if irsa_marked {
        (
            MutationMode::Irsa,
            [ROLE_ARN, WEB_IDENTITY_TOKEN_FILE],
            IRSA_VOLUME.to_owned(),
            settings.token_mount_path.clone(),
        )
    } else {
        return Injection {
            mode: MutationMode::None,
            role_arn,
            gaps: Vec::new(),
        };
    };
    let skip = skip_list(pod, settings);
    let gaps = pod
        .all_containers()
        .filter_map(|c| {
            let mut missing: Vec<String> = env
                .iter()
                .filter(|n| c.env_var(n).is_none())
                .map(|n| (*n).to_owned())
                .collect();
            if !mounts(c, &volume, &path) {
                missing.push(format!("mount {path}"));
            }
            (!missing.is_empty()).then(|| ContainerGap {
                container: c.name.clone(),
                skipped: skip.contains(&c.name),
                missing,
            })
        })
        .collect();
    Injection {
        mode,
        role_arn,
        gaps,
    }
}
