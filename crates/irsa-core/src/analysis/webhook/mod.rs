//! Prediction of what the amazon-eks-pod-identity-webhook (v0.6.x) injects into a pod at
//! CREATE, and the diff of that prediction against a live pod. Reproduces the webhook's own
//! test fixtures (`shared/conformance/webhook/`). (Contract written by the skeleton; bodies by
//! the webhook work.)
//!
//! - [`predict`]: the [`Mutation`] for a pod as submitted (no IO; the ServiceAccount, the
//!   webhook's flags and any Pod Identity match are inputs).
//! - [`to_json_patch`]: the RFC 6902 patch the webhook would answer with, built on the raw pod
//!   JSON so fields this crate does not model survive; [`predict_json`] does both steps for a
//!   pod given as JSON (the `webhook predict` command).
//! - [`diff`] and [`injection_state`]: how a live (already admitted) pod differs from what a
//!   fresh CREATE would get today — the basis of findings POD001–POD003.
//! - [`registration::admission`]: whether the API server calls the webhook for a pod at all
//!   (its MutatingWebhookConfiguration: present, selectors, rules); [`predict_registered`]
//!   is [`predict`] behind that gate.
//!
//! The webhook's rules are reproduced by hand (module `plan` for configuration, `predict`
//! below for containers) because no Rust crate implements them; every rule names the upstream
//! function it mirrors.

mod diff;
mod patch;
pub(crate) mod plan;
pub mod registration;

pub use diff::{InjectionState, diff, injection_state};
pub use patch::{PatchPrediction, PodJsonError, predict_json, to_json_patch};

use crate::model::{
    ContainerInfo, ContainerKind, EnvVarInfo, PodInfo, ProjectedSource, ServiceAccountInfo,
    VolumeInfo, VolumeMountInfo, VolumeSourceInfo, WebhookRegistration, WebhookSettings,
};
pub use plan::config_map_role;
use plan::{ENV_DEFAULT_REGION, ENV_REGION, ENV_STS, POD_IDENTITY_LABEL, Plan};
pub use registration::{Admission, admission};
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

    /// What EKS configures on a cluster of the given IP family: IPv6 clusters get the agent's
    /// IPv6 address (`http://[fd00:ec2::23]/v1/credentials`), IPv4 ones (and clusters whose
    /// family is unknown) the IPv4 one.
    pub fn eks_for(ipv6: Option<bool>) -> Self {
        let mut config = Self::eks();
        if ipv6 == Some(true) {
            config.uri = AGENT_URI_IPV6.to_owned();
        }
        config
    }
}

/// The Pod Identity agent's credentials URI on IPv6 clusters.
pub const AGENT_URI_IPV6: &str = "http://[fd00:ec2::23]/v1/credentials";

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
    /// What kind of item differs, for findings to match on (`item` is the text to show).
    pub kind: DeviationKind,
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

/// The item a [`Deviation`] is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeviationKind {
    /// `AWS_ROLE_ARN` missing or different from the SA's role (POD002 when different).
    RoleArn,
    /// `AWS_WEB_IDENTITY_TOKEN_FILE` missing or pointing elsewhere.
    WebIdentityTokenFile,
    /// `AWS_CONTAINER_CREDENTIALS_FULL_URI` missing or different.
    CredentialsUri,
    /// `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` missing or pointing elsewhere.
    AuthorizationTokenFile,
    /// The token volume is not mounted, or mounted at another path.
    Mount,
    /// The token volume is missing or is not a projected ServiceAccount token.
    Volume,
    /// The token volume requests another audience.
    VolumeAudience,
    /// The token volume requests another lifetime.
    VolumeExpiration,
    /// The token file inside the volume has another name.
    VolumeTokenPath,
    /// The `eks.amazonaws.com/pod-identity` label is missing.
    Label,
    /// `AWS_STS_REGIONAL_ENDPOINTS` missing although regional STS is on.
    RegionalSts,
    /// Neither `AWS_REGION` nor `AWS_DEFAULT_REGION` although the webhook sets a region.
    Region,
    /// A container listed in `skip-containers` carries the injection all the same.
    InjectedIntoSkipped,
    /// The pod carries an injection although the webhook would inject nothing today.
    UnexpectedInjection,
}

impl Deviation {
    /// True for the items that make a container lack its identity (env or mount), as
    /// opposed to region/STS extras or pod-level items.
    pub fn is_identity_gap(&self) -> bool {
        matches!(
            self.kind,
            DeviationKind::RoleArn
                | DeviationKind::WebIdentityTokenFile
                | DeviationKind::CredentialsUri
                | DeviationKind::AuthorizationTokenFile
                | DeviationKind::Mount
        )
    }
}

/// Predicts the webhook's mutation of `pod` (as submitted, before mutation) for `sa`.
/// `pod_identity` is `Some` when a Pod Identity association matches the SA.
///
/// Mode: Pod Identity when `pod_identity` is `Some`; else IRSA when the SA has a non-empty
/// `<prefix>/role-arn`; else [`MutationMode::None`] with no containers listed. Otherwise every
/// main and init container is listed (main first), with what the webhook appends to it.
pub fn predict(
    sa: &ServiceAccountInfo,
    pod: &PodInfo,
    settings: &WebhookSettings,
    pod_identity: Option<&PodIdentityConfig>,
) -> Mutation {
    let Some(plan) = Plan::resolve(
        sa,
        &pod.annotations,
        &pod.node_selector,
        settings,
        pod_identity,
    ) else {
        return Mutation::none();
    };
    let volume = pod.volume(&plan.volume_name).is_none().then(|| VolumeInfo {
        name: plan.volume_name.clone(),
        source: VolumeSourceInfo::Projected {
            sources: vec![ProjectedSource::ServiceAccountToken {
                audience: Some(plan.audience.clone()),
                expiration_seconds: Some(plan.expiration),
                path: plan.token_path.clone(),
            }],
        },
    });
    let labels = match plan.mode {
        MutationMode::PodIdentity => {
            BTreeMap::from([(POD_IDENTITY_LABEL.to_owned(), "enabled".to_owned())])
        }
        _ => BTreeMap::new(),
    };
    Mutation {
        mode: plan.mode,
        role_arn: plan.role_arn.clone(),
        audience: Some(plan.audience.clone()),
        expiration_seconds: Some(plan.expiration),
        expiration_jittered: plan.jittered,
        clamped_from: plan.clamped_from,
        labels,
        volume,
        containers: pod
            .all_containers()
            .map(|c| container_mutation(c, &plan))
            .collect(),
    }
}

/// [`predict`] behind the registration: when the API server would not call the webhook for
/// this pod (no registration, or its selectors or rules exclude the pod) the mutation is
/// [`Mutation::none`] whatever the ServiceAccount says; the [`Admission`] says why.
pub fn predict_registered<'a>(
    registration: &'a WebhookRegistration,
    sa: &ServiceAccountInfo,
    pod: &PodInfo,
    settings: &WebhookSettings,
    pod_identity: Option<&PodIdentityConfig>,
) -> (Mutation, Admission<'a>) {
    let gate = admission(registration, pod);
    if gate.never_mutated() {
        return (Mutation::none(), gate);
    }
    (predict(sa, pod, settings, pod_identity), gate)
}

impl Mutation {
    /// The webhook leaves the pod alone.
    pub fn none() -> Self {
        Self {
            mode: MutationMode::None,
            role_arn: None,
            audience: None,
            expiration_seconds: None,
            expiration_jittered: false,
            clamped_from: None,
            labels: BTreeMap::new(),
            volume: None,
            containers: Vec::new(),
        }
    }

    /// The mutation of the container of that kind and name, if listed.
    pub fn container(&self, kind: ContainerKind, name: &str) -> Option<&ContainerMutation> {
        self.containers
            .iter()
            .find(|c| c.kind == kind && c.name == name)
    }

    /// True when the webhook would add anything at all (label, volume, env or mount).
    pub fn changes_anything(&self) -> bool {
        !self.labels.is_empty()
            || self.volume.is_some()
            || self
                .containers
                .iter()
                .any(|c| !c.env.is_empty() || c.mount.is_some())
    }
}

/// `addEnvToContainer`: what the webhook appends to one container.
fn container_mutation(c: &ContainerInfo, plan: &Plan) -> ContainerMutation {
    let mut m = ContainerMutation {
        name: c.name.clone(),
        kind: c.kind,
        skipped: plan.skip.contains(&c.name),
        env: Vec::new(),
        mount: None,
    };
    if m.skipped {
        return m;
    }
    let has = |name: &str| c.env_var(name).is_some();
    let identity = plan.identity_env();
    let identity_defined = identity.iter().any(|(name, _)| has(name));
    let region_defined = has(ENV_REGION) || has(ENV_DEFAULT_REGION);
    let sts_defined = has(ENV_STS);
    // Upstream returns early — adding neither env nor mount — when all three are present.
    if identity_defined && region_defined && sts_defined {
        return m;
    }
    if plan.regional_sts && !sts_defined {
        m.env.push(EnvVarInfo::literal(ENV_STS, "regional"));
    }
    if let Some(region) = plan.region.as_deref().filter(|_| !region_defined) {
        m.env.push(EnvVarInfo::literal(ENV_DEFAULT_REGION, region));
        m.env.push(EnvVarInfo::literal(ENV_REGION, region));
    }
    if !identity_defined {
        for (name, value) in identity {
            m.env.push(EnvVarInfo::literal(name, value));
        }
    }
    if !c.volume_mounts.iter().any(|v| v.name == plan.volume_name) {
        m.mount = Some(VolumeMountInfo {
            name: plan.volume_name.clone(),
            mount_path: plan.mount_path.clone(),
            read_only: true,
            sub_path: None,
        });
    }
    m
}

#[cfg(test)]
mod diff_tests;
#[cfg(test)]
mod predict_tests;
#[cfg(test)]
mod test_support;
