//! What a live pod shows of the webhook's injection, per container: which mode it carries,
//! the `AWS_ROLE_ARN` it runs with, and which containers lack the env or the token mount —
//! including containers the pod's `skip-containers` annotation excluded (POD003 reports both).

use crate::analysis::credentials::{
    CONTAINER_FULL_URI, CONTAINER_TOKEN_FILE, ROLE_ARN, WEB_IDENTITY_TOKEN_FILE,
};
use crate::analysis::webhook::{self, MutationMode, PodIdentityConfig};
use crate::model::{ContainerInfo, PodInfo, WebhookSettings};
use serde::{Deserialize, Serialize};

/// The webhook's IRSA token volume.
pub const IRSA_VOLUME: &str = "aws-iam-token";
/// The Pod Identity token volume EKS configures (`PodIdentityConfig::eks`).
pub const POD_IDENTITY_VOLUME: &str = "eks-pod-identity-token";

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

fn mounts(c: &ContainerInfo, volume: &str, path: &str) -> bool {
    c.volume_mounts.iter().any(|m| {
        m.name == volume || m.mount_path.trim_end_matches('/') == path.trim_end_matches('/')
    })
}

/// Reads the injection off a live pod: the mode and role come from
/// [`webhook::injection_state`] (one definition of "mutated" for the whole tool); this adds,
/// per container, what is missing — for skipped containers too.
pub fn observe(pod: &PodInfo, settings: &WebhookSettings) -> Injection {
    let pi = PodIdentityConfig::eks();
    let state = webhook::injection_state(pod, settings, Some(&pi));
    let (env, volume, path) = match state.mode {
        MutationMode::PodIdentity => (
            [CONTAINER_FULL_URI, CONTAINER_TOKEN_FILE],
            pi.volume_name.as_str(),
            pi.mount_path.as_str(),
        ),
        MutationMode::Irsa => (
            [ROLE_ARN, WEB_IDENTITY_TOKEN_FILE],
            IRSA_VOLUME,
            settings.token_mount_path.as_str(),
        ),
        MutationMode::None => {
            return Injection {
                mode: MutationMode::None,
                role_arn: state.role_arn,
                gaps: Vec::new(),
            };
        }
    };
    let skip = skip_list(pod, settings);
    let gaps = pod
        .all_containers()
        .filter(|c| skip.contains(&c.name) || state.containers_lacking.contains(&c.name))
        .filter_map(|c| {
            let mut missing: Vec<String> = env
                .iter()
                .filter(|n| c.env_var(n).is_none())
                .map(|n| (*n).to_owned())
                .collect();
            if !mounts(c, volume, path) {
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
        mode: state.mode,
        role_arn: state.role_arn,
        gaps,
    }
}
