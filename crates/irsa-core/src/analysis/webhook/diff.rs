//! How a live pod — admitted earlier, possibly mutated then — differs from what a fresh CREATE
//! would get from the webhook today. The webhook only acts at CREATE (`failurePolicy: Ignore`),
//! so an SA annotated, re-annotated or associated after the pod started, an outage, or a
//! sidecar injected after the webhook ran all leave the live pod behind its ServiceAccount.
//!
//! The live pod already carries any injection, so running [`super::predict`] on it would add
//! nothing; instead the resolved plan (role, audience, lifetime, paths) is checked item by item
//! against what the pod shows.
//!
//! Two deliberate choices: a container that sets the identity env, a region and regional STS
//! itself gets no mount from the webhook (an upstream quirk), yet its missing mount is still
//! reported, because the token file it points to will not exist; and a skipped container is
//! reported when it carries the identity env or mount, whoever put them there.

use super::plan::{
    ENV_AUTH_TOKEN_FILE, ENV_DEFAULT_REGION, ENV_FULL_URI, ENV_REGION, ENV_ROLE_ARN, ENV_STS,
    ENV_TOKEN_FILE, IRSA_TOKEN_PATH, IRSA_VOLUME, POD_IDENTITY_LABEL, Plan, skip_list,
    token_file_path,
};
use super::{Deviation, DeviationKind, MutationMode, PodIdentityConfig};
use crate::model::{
    ContainerInfo, EnvValue, PodInfo, ProjectedSource, ServiceAccountInfo, VolumeInfo,
    VolumeSourceInfo, WebhookSettings,
};
use serde::{Deserialize, Serialize};

/// What a live pod shows of the webhook's work.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InjectionState {
    /// Which injection the pod carries; [`MutationMode::None`] = not mutated at all (POD001).
    pub mode: MutationMode,
    /// The literal `AWS_ROLE_ARN` the pod carries (the first non-skipped container with one,
    /// else any container), whatever the mode (compare with the SA's annotation: POD002).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    /// Non-skipped containers (main, then init) lacking the identity env or the token mount
    /// of `mode` (POD003). Empty when not mutated.
    #[serde(default)]
    pub containers_lacking: Vec<String>,
}

impl InjectionState {
    /// True when the pod carries an IRSA or Pod Identity injection.
    pub fn is_mutated(&self) -> bool {
        self.mode != MutationMode::None
    }
}

/// Reads the webhook's traces off a live pod. Pod Identity: the `pod-identity` label or its
/// token volume (named as in `pod_identity`, else as EKS names it). IRSA: a projected
/// `aws-iam-token` volume, or a container whose `AWS_WEB_IDENTITY_TOKEN_FILE` points into the
/// webhook's mount path. Both present → Pod Identity (the webhook's precedence).
pub fn injection_state(
    live_pod: &PodInfo,
    settings: &WebhookSettings,
    pod_identity: Option<&PodIdentityConfig>,
) -> InjectionState {
    let pi = pod_identity.cloned().unwrap_or_else(PodIdentityConfig::eks);
    let skip = skip_list(&live_pod.annotations, &settings.annotation_prefix);
    let irsa_file = token_file_path(
        &settings.token_mount_path,
        IRSA_TOKEN_PATH,
        &live_pod.node_selector,
    );
    let pi_marked = live_pod
        .labels
        .get(POD_IDENTITY_LABEL)
        .is_some_and(|v| v == "enabled")
        || live_pod
            .volume(&pi.volume_name)
            .is_some_and(is_token_volume);
    let irsa_marked = live_pod.volume(IRSA_VOLUME).is_some_and(is_token_volume)
        || live_pod.all_containers().any(|c| {
            c.env_var(ENV_TOKEN_FILE)
                .and_then(|e| e.literal_value())
                .is_some_and(|v| v == irsa_file)
        });
    let (mode, env, volume) = if pi_marked {
        (
            MutationMode::PodIdentity,
            [ENV_FULL_URI, ENV_AUTH_TOKEN_FILE],
            pi.volume_name.as_str(),
        )
    } else if irsa_marked {
        (
            MutationMode::Irsa,
            [ENV_ROLE_ARN, ENV_TOKEN_FILE],
            IRSA_VOLUME,
        )
    } else {
        (MutationMode::None, [ENV_ROLE_ARN, ENV_TOKEN_FILE], "")
    };
    let role_of = |c: &&ContainerInfo| {
        c.env_var(ENV_ROLE_ARN)
            .and_then(|e| e.literal_value())
            .map(str::to_owned)
    };
    let role_arn = live_pod
        .all_containers()
        .filter(|c| !skip.contains(&c.name))
        .find_map(|c| role_of(&c))
        .or_else(|| live_pod.all_containers().find_map(|c| role_of(&c)));
    let containers_lacking = if mode == MutationMode::None {
        Vec::new()
    } else {
        live_pod
            .all_containers()
            .filter(|c| !skip.contains(&c.name))
            .filter(|c| {
                env.iter().any(|n| c.env_var(n).is_none())
                    || !c.volume_mounts.iter().any(|m| m.name == volume)
            })
            .map(|c| c.name.clone())
            .collect()
    };
    InjectionState {
        mode,
        role_arn,
        containers_lacking,
    }
}

/// How `live_pod` differs from what a fresh CREATE would get for `sa` today (empty = it
/// matches). Pod-level items first (label, volume), then containers (main, then init).
pub fn diff(
    sa: &ServiceAccountInfo,
    live_pod: &PodInfo,
    settings: &WebhookSettings,
    pod_identity: Option<&PodIdentityConfig>,
) -> Vec<Deviation> {
    let Some(plan) = Plan::resolve(
        sa,
        &live_pod.annotations,
        &live_pod.node_selector,
        settings,
        pod_identity,
    ) else {
        return unexpected_injection(live_pod, settings, pod_identity);
    };
    let mut out = Vec::new();
    if plan.mode == MutationMode::PodIdentity
        && live_pod.labels.get(POD_IDENTITY_LABEL).map(String::as_str) != Some("enabled")
    {
        out.push(dev(
            None,
            DeviationKind::Label,
            format!("label {POD_IDENTITY_LABEL}"),
            Some("enabled".to_owned()),
            live_pod.labels.get(POD_IDENTITY_LABEL).cloned(),
        ));
    }
    check_volume(&plan, live_pod.volume(&plan.volume_name), &mut out);
    for c in live_pod.all_containers() {
        if plan.skip.contains(&c.name) {
            check_skipped(&plan, c, &settings.annotation_prefix, &mut out);
        } else {
            check_container(&plan, c, &mut out);
        }
    }
    out
}

fn dev(
    container: Option<&str>,
    kind: DeviationKind,
    item: String,
    expected: Option<String>,
    actual: Option<String>,
) -> Deviation {
    Deviation {
        container: container.map(str::to_owned),
        kind,
        item,
        expected,
        actual,
    }
}

fn unexpected_injection(
    live_pod: &PodInfo,
    settings: &WebhookSettings,
    pod_identity: Option<&PodIdentityConfig>,
) -> Vec<Deviation> {
    let state = injection_state(live_pod, settings, pod_identity);
    let actual = match state.mode {
        MutationMode::None => return Vec::new(),
        MutationMode::PodIdentity => "Pod Identity".to_owned(),
        MutationMode::Irsa => match &state.role_arn {
            Some(role) => format!("IRSA ({ENV_ROLE_ARN}={role})"),
            None => "IRSA".to_owned(),
        },
    };
    vec![dev(
        None,
        DeviationKind::UnexpectedInjection,
        "webhook injection".to_owned(),
        Some("none: the ServiceAccount has no role-arn and no Pod Identity association".to_owned()),
        Some(actual),
    )]
}

fn is_token_volume(v: &VolumeInfo) -> bool {
    sa_token_source(v).is_some()
}

fn sa_token_source(v: &VolumeInfo) -> Option<(Option<&str>, Option<i64>, &str)> {
    let VolumeSourceInfo::Projected { sources } = &v.source else {
        return None;
    };
    sources.iter().find_map(|s| match s {
        ProjectedSource::ServiceAccountToken {
            audience,
            expiration_seconds,
            path,
        } => Some((audience.as_deref(), *expiration_seconds, path.as_str())),
        _ => None,
    })
}

/// The API server's default lifetime for a projected token without `expirationSeconds`.
const API_DEFAULT_EXPIRATION: i64 = 3600;

fn check_volume(plan: &Plan, volume: Option<&VolumeInfo>, out: &mut Vec<Deviation>) {
    let name = &plan.volume_name;
    let expected = format!(
        "projected ServiceAccount token (audience {}, {} s, file {})",
        plan.audience,
        plan.describe_expiration(),
        plan.token_path
    );
    let Some(volume) = volume else {
        out.push(dev(
            None,
            DeviationKind::Volume,
            format!("volume {name}"),
            Some(expected),
            None,
        ));
        return;
    };
    let Some((audience, expiration, path)) = sa_token_source(volume) else {
        out.push(dev(
            None,
            DeviationKind::Volume,
            format!("volume {name}"),
            Some(expected),
            Some(describe_source(&volume.source)),
        ));
        return;
    };
    if audience != Some(plan.audience.as_str()) {
        out.push(dev(
            None,
            DeviationKind::VolumeAudience,
            format!("volume {name} audience"),
            Some(plan.audience.clone()),
            Some(
                audience
                    .unwrap_or("(none: the API server's own audience)")
                    .to_owned(),
            ),
        ));
    }
    let lifetime = expiration.unwrap_or(API_DEFAULT_EXPIRATION);
    if !plan.expiration_matches(lifetime) {
        out.push(dev(
            None,
            DeviationKind::VolumeExpiration,
            format!("volume {name} expirationSeconds"),
            Some(plan.describe_expiration()),
            Some(lifetime.to_string()),
        ));
    }
    if path != plan.token_path {
        out.push(dev(
            None,
            DeviationKind::VolumeTokenPath,
            format!("volume {name} path"),
            Some(plan.token_path.clone()),
            Some(path.to_owned()),
        ));
    }
}

fn describe_source(source: &VolumeSourceInfo) -> String {
    match source {
        VolumeSourceInfo::Projected { .. } => "projected volume without a token".to_owned(),
        VolumeSourceInfo::Secret { secret_name } => format!("secret {secret_name}"),
        VolumeSourceInfo::ConfigMap { name } => format!("configMap {name}"),
        VolumeSourceInfo::HostPath { path } => format!("hostPath {path}"),
        VolumeSourceInfo::EmptyDir => "emptyDir".to_owned(),
        VolumeSourceInfo::Other { kind } => kind.clone(),
    }
}

fn describe_value(value: &EnvValue) -> String {
    match value {
        EnvValue::Literal(v) => v.clone(),
        EnvValue::Redacted { .. } => "(redacted value)".to_owned(),
        EnvValue::SecretKeyRef { name, key } => format!("from secret {name}/{key}"),
        EnvValue::ConfigMapKeyRef { name, key } => format!("from configMap {name}/{key}"),
        EnvValue::FieldRef { field_path } => format!("from field {field_path}"),
        EnvValue::ResourceFieldRef { resource } => format!("from resource {resource}"),
        EnvValue::Other => "from another source".to_owned(),
    }
}

fn env_kind(name: &str) -> DeviationKind {
    match name {
        ENV_ROLE_ARN => DeviationKind::RoleArn,
        ENV_TOKEN_FILE => DeviationKind::WebIdentityTokenFile,
        ENV_FULL_URI => DeviationKind::CredentialsUri,
        _ => DeviationKind::AuthorizationTokenFile,
    }
}

fn check_container(plan: &Plan, c: &ContainerInfo, out: &mut Vec<Deviation>) {
    let name = Some(c.name.as_str());
    for (var, expected) in plan.identity_env() {
        let actual = match c.env_var(var) {
            Some(e) if e.literal_value() == Some(expected) => continue,
            Some(e) => Some(describe_value(&e.value)),
            None => None,
        };
        out.push(dev(
            name,
            env_kind(var),
            format!("env {var}"),
            Some(expected.to_owned()),
            actual,
        ));
    }
    let mount = c.volume_mounts.iter().find(|m| m.name == plan.volume_name);
    if mount.is_none_or(|m| m.mount_path != plan.mount_path) {
        out.push(dev(
            name,
            DeviationKind::Mount,
            format!("volumeMount {}", plan.volume_name),
            Some(plan.mount_path.clone()),
            mount.map(|m| m.mount_path.clone()),
        ));
    }
    if plan.regional_sts && c.env_var(ENV_STS).is_none() {
        out.push(dev(
            name,
            DeviationKind::RegionalSts,
            format!("env {ENV_STS}"),
            Some("regional".to_owned()),
            None,
        ));
    }
    if let Some(region) = &plan.region
        && c.env_var(ENV_REGION).is_none()
        && c.env_var(ENV_DEFAULT_REGION).is_none()
    {
        out.push(dev(
            name,
            DeviationKind::Region,
            format!("env {ENV_DEFAULT_REGION}, {ENV_REGION}"),
            Some(region.clone()),
            None,
        ));
    }
}

fn check_skipped(plan: &Plan, c: &ContainerInfo, prefix: &str, out: &mut Vec<Deviation>) {
    let mut carried: Vec<String> = plan
        .identity_env()
        .iter()
        .filter(|(var, _)| c.env_var(var).is_some())
        .map(|(var, _)| (*var).to_owned())
        .collect();
    if c.volume_mounts.iter().any(|m| m.name == plan.volume_name) {
        carried.push(format!("volumeMount {}", plan.volume_name));
    }
    if !carried.is_empty() {
        out.push(dev(
            Some(&c.name),
            DeviationKind::InjectedIntoSkipped,
            format!("{prefix}/skip-containers"),
            Some("no injection".to_owned()),
            Some(carried.join(", ")),
        ));
    }
}
