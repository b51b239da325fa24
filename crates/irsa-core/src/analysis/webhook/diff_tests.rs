//! Test module: compiled only under `#[cfg(test)]` (declared so in its parent).
//! `diff` and `injection_state` on live pods: the cases behind POD001–POD003.

use super::test_support::*;
use super::*;
use crate::model::{
    ContainerInfo, ContainerKind, EnvValue, PodInfo, ServiceAccountInfo, WebhookSettings,
};

fn kinds(devs: &[Deviation]) -> Vec<(Option<&str>, DeviationKind)> {
    devs.iter()
        .map(|d| (d.container.as_deref(), d.kind))
        .collect()
}

/// The pod as the webhook left it at CREATE for `sa`.
fn mutated(sa: &ServiceAccountInfo, settings: &WebhookSettings) -> PodInfo {
    admit(&pod(), &predict(sa, &pod(), settings, None))
}

fn pi_mutated(jitter: i64) -> PodInfo {
    let eks = PodIdentityConfig::eks();
    let m = predict(&irsa_sa(), &pod(), &WebhookSettings::default(), Some(&eks));
    let mut live = admit(&pod(), &m);
    // The real webhook picked a random lifetime in the jitter range.
    if let Some(v) = live.volumes.first_mut()
        && let VolumeSourceInfo::Projected { sources } = &mut v.source
        && let Some(ProjectedSource::ServiceAccountToken {
            expiration_seconds, ..
        }) = sources.first_mut()
    {
        *expiration_seconds = Some(jitter);
    }
    live
}

#[test]
fn a_freshly_mutated_pod_matches() {
    for settings in [
        WebhookSettings::default(),
        WebhookSettings::eks(Some("eu-west-1")),
    ] {
        let live = mutated(&irsa_sa(), &settings);
        assert_eq!(diff(&irsa_sa(), &live, &settings, None), vec![]);
        let state = injection_state(&live, &settings, None);
        assert_eq!(state.mode, MutationMode::Irsa);
        assert_eq!(state.role_arn.as_deref(), Some(ROLE));
        assert!(state.containers_lacking.is_empty());
    }
}

#[test]
fn an_unmutated_pod_lacks_everything() {
    let settings = WebhookSettings::default();
    let live = pod();
    let devs = diff(&irsa_sa(), &live, &settings, None);
    use DeviationKind::*;
    assert_eq!(
        kinds(&devs),
        vec![
            (None, Volume),
            (Some("app"), RoleArn),
            (Some("app"), WebIdentityTokenFile),
            (Some("app"), Mount),
            (Some("sidecar"), RoleArn),
            (Some("sidecar"), WebIdentityTokenFile),
            (Some("sidecar"), Mount),
        ]
    );
    let role = devs.get(1);
    assert_eq!(role.and_then(|d| d.expected.as_deref()), Some(ROLE));
    assert_eq!(role.and_then(|d| d.actual.as_deref()), None);
    assert!(devs.iter().skip(1).all(Deviation::is_identity_gap));
    let state = injection_state(&live, &settings, None);
    assert_eq!(state.mode, MutationMode::None, "POD001");
    assert!(!state.is_mutated());
    assert!(state.containers_lacking.is_empty());
}

#[test]
fn a_re_annotated_sa_shows_the_old_role() {
    let settings = WebhookSettings::default();
    let old_sa = ServiceAccountInfo::new("demo", "s3-reader")
        .with_annotation("eks.amazonaws.com/role-arn", OTHER_ROLE);
    let live = mutated(&old_sa, &settings);
    let devs = diff(&irsa_sa(), &live, &settings, None);
    assert_eq!(devs.len(), 2, "{devs:#?}");
    for d in &devs {
        assert_eq!(d.kind, DeviationKind::RoleArn);
        assert_eq!(d.item, "env AWS_ROLE_ARN");
        assert_eq!(d.expected.as_deref(), Some(ROLE));
        assert_eq!(d.actual.as_deref(), Some(OTHER_ROLE));
    }
    let state = injection_state(&live, &settings, None);
    assert_eq!(state.role_arn.as_deref(), Some(OTHER_ROLE), "POD002");
}

#[test]
fn a_sidecar_added_after_admission_lacks_the_injection() {
    let settings = WebhookSettings::eks(Some("eu-west-1"));
    let mut live = mutated(&irsa_sa(), &settings);
    live.containers
        .push(ContainerInfo::new("istio-proxy", ContainerKind::Main));
    let devs = diff(&irsa_sa(), &live, &settings, None);
    use DeviationKind::*;
    assert_eq!(
        kinds(&devs),
        vec![
            (Some("istio-proxy"), RoleArn),
            (Some("istio-proxy"), WebIdentityTokenFile),
            (Some("istio-proxy"), Mount),
            (Some("istio-proxy"), RegionalSts),
            (Some("istio-proxy"), Region),
        ]
    );
    let state = injection_state(&live, &settings, None);
    assert_eq!(
        state.containers_lacking,
        vec!["istio-proxy".to_owned()],
        "POD003"
    );
}

#[test]
fn skipped_containers_must_stay_clean() {
    let settings = WebhookSettings::default();
    let mut submitted = pod();
    submitted.annotations.insert(
        "eks.amazonaws.com/skip-containers".to_owned(),
        "sidecar".to_owned(),
    );
    let live = admit(
        &submitted,
        &predict(&irsa_sa(), &submitted, &settings, None),
    );
    assert_eq!(diff(&irsa_sa(), &live, &settings, None), vec![]);
    assert!(
        injection_state(&live, &settings, None)
            .containers_lacking
            .is_empty(),
        "a skipped container does not lack anything"
    );

    let mut dirty = live.clone();
    set_env(&mut dirty, "sidecar", "AWS_ROLE_ARN", ROLE);
    container(&mut dirty, "sidecar")
        .volume_mounts
        .push(mount("aws-iam-token", "/x"));
    let devs = diff(&irsa_sa(), &dirty, &settings, None);
    assert_eq!(devs.len(), 1, "{devs:#?}");
    let d = &devs[0];
    assert_eq!(d.kind, DeviationKind::InjectedIntoSkipped);
    assert_eq!(d.container.as_deref(), Some("sidecar"));
    assert_eq!(
        d.actual.as_deref(),
        Some("AWS_ROLE_ARN, volumeMount aws-iam-token")
    );
}

#[test]
fn volume_audience_lifetime_and_mount_path_are_compared() {
    let settings = WebhookSettings::default();
    let sa = irsa_sa()
        .with_annotation("eks.amazonaws.com/audience", "new-aud")
        .with_annotation("eks.amazonaws.com/token-expiration", "3600");
    let live = mutated(&irsa_sa(), &settings);
    let devs = diff(&sa, &live, &settings, None);
    use DeviationKind::*;
    assert_eq!(
        kinds(&devs),
        vec![(None, VolumeAudience), (None, VolumeExpiration)]
    );
    assert_eq!(devs[0].expected.as_deref(), Some("new-aud"));
    assert_eq!(devs[0].actual.as_deref(), Some("sts.amazonaws.com"));
    assert_eq!(devs[1].expected.as_deref(), Some("3600"));
    assert_eq!(devs[1].actual.as_deref(), Some("86400"));

    let mut moved = live.clone();
    container(&mut moved, "app").volume_mounts = vec![mount("aws-iam-token", "/other")];
    let devs = diff(&irsa_sa(), &moved, &settings, None);
    assert_eq!(kinds(&devs), vec![(Some("app"), Mount)]);
    assert_eq!(devs[0].actual.as_deref(), Some("/other"));
}

#[test]
fn a_foreign_volume_of_the_same_name_is_reported() {
    let settings = WebhookSettings::default();
    let mut live = mutated(&irsa_sa(), &settings);
    if let Some(v) = live.volumes.first_mut() {
        v.source = VolumeSourceInfo::HostPath {
            path: "/path/to/token".to_owned(),
        };
    }
    let devs = diff(&irsa_sa(), &live, &settings, None);
    assert_eq!(kinds(&devs), vec![(None, DeviationKind::Volume)]);
    assert_eq!(devs[0].actual.as_deref(), Some("hostPath /path/to/token"));
}

#[test]
fn role_from_a_secret_is_shown_as_such() {
    let settings = WebhookSettings::default();
    let mut live = mutated(&irsa_sa(), &settings);
    for c in &mut live.containers {
        for e in &mut c.env {
            if e.name == "AWS_ROLE_ARN" {
                e.value = EnvValue::SecretKeyRef {
                    name: "aws".to_owned(),
                    key: "role".to_owned(),
                };
            }
        }
    }
    let devs = diff(&irsa_sa(), &live, &settings, None);
    assert_eq!(devs.len(), 2);
    assert!(
        devs.iter()
            .all(|d| d.actual.as_deref() == Some("from secret aws/role"))
    );
    assert_eq!(injection_state(&live, &settings, None).role_arn, None);
}

#[test]
fn pod_identity_accepts_any_jittered_lifetime() {
    let eks = PodIdentityConfig::eks();
    let settings = WebhookSettings::default();
    for jitter in [79_200, 83_117, 86_400] {
        let live = pi_mutated(jitter);
        assert_eq!(diff(&irsa_sa(), &live, &settings, Some(&eks)), vec![]);
        let state = injection_state(&live, &settings, Some(&eks));
        assert_eq!(state.mode, MutationMode::PodIdentity);
        assert!(state.containers_lacking.is_empty());
    }
    let devs = diff(&irsa_sa(), &pi_mutated(50_000), &settings, Some(&eks));
    assert_eq!(kinds(&devs), vec![(None, DeviationKind::VolumeExpiration)]);
    assert_eq!(devs[0].expected.as_deref(), Some("79200..86400 (jittered)"));

    let mut unlabelled = pi_mutated(80_000);
    unlabelled.labels.clear();
    let devs = diff(&irsa_sa(), &unlabelled, &settings, Some(&eks));
    assert_eq!(kinds(&devs), vec![(None, DeviationKind::Label)]);
    assert_eq!(
        injection_state(&unlabelled, &settings, Some(&eks)).mode,
        MutationMode::PodIdentity,
        "the token volume alone marks a Pod Identity pod"
    );
}

#[test]
fn an_association_added_after_admission_is_not_in_an_irsa_pod() {
    let eks = PodIdentityConfig::eks();
    let settings = WebhookSettings::default();
    let live = mutated(&irsa_sa(), &settings);
    let devs = diff(&irsa_sa(), &live, &settings, Some(&eks));
    use DeviationKind::*;
    assert_eq!(
        kinds(&devs),
        vec![
            (None, Label),
            (None, Volume),
            (Some("app"), CredentialsUri),
            (Some("app"), AuthorizationTokenFile),
            (Some("app"), Mount),
            (Some("sidecar"), CredentialsUri),
            (Some("sidecar"), AuthorizationTokenFile),
            (Some("sidecar"), Mount),
        ]
    );
    let state = injection_state(&live, &settings, Some(&eks));
    assert_eq!(state.mode, MutationMode::Irsa);
}

#[test]
fn an_injection_the_sa_no_longer_asks_for() {
    let settings = WebhookSettings::default();
    let live = mutated(&irsa_sa(), &settings);
    let bare = ServiceAccountInfo::new("demo", "s3-reader");
    let devs = diff(&bare, &live, &settings, None);
    assert_eq!(
        kinds(&devs),
        vec![(None, DeviationKind::UnexpectedInjection)]
    );
    assert_eq!(
        devs[0].actual.as_deref(),
        Some(format!("IRSA (AWS_ROLE_ARN={ROLE})").as_str())
    );
    assert_eq!(diff(&bare, &pod(), &settings, None), vec![]);
}

#[test]
fn injection_state_markers() {
    let settings = WebhookSettings::default();
    // Hand-wired token file env without the webhook's volume still reads as IRSA.
    let mut wired = pod();
    set_env(&mut wired, "app", "AWS_ROLE_ARN", ROLE);
    set_env(
        &mut wired,
        "app",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "/var/run/secrets/eks.amazonaws.com/serviceaccount/token",
    );
    let state = injection_state(&wired, &settings, None);
    assert_eq!(state.mode, MutationMode::Irsa);
    assert_eq!(
        state.containers_lacking,
        vec!["app".to_owned(), "sidecar".to_owned()]
    );

    // An AWS_ROLE_ARN pointing at some other token file is not the webhook's work.
    let mut other = pod();
    set_env(&mut other, "app", "AWS_ROLE_ARN", ROLE);
    set_env(
        &mut other,
        "app",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "/tmp/token",
    );
    let state = injection_state(&other, &settings, None);
    assert_eq!(state.mode, MutationMode::None);
    assert_eq!(state.role_arn.as_deref(), Some(ROLE));

    // The label alone marks Pod Identity, and wins over IRSA traces.
    let mut both = mutated(&irsa_sa(), &settings);
    both.labels.insert(
        "eks.amazonaws.com/pod-identity".to_owned(),
        "enabled".to_owned(),
    );
    let state = injection_state(&both, &settings, None);
    assert_eq!(state.mode, MutationMode::PodIdentity);
    assert_eq!(state.role_arn.as_deref(), Some(ROLE));
    assert_eq!(
        state.containers_lacking,
        vec!["app".to_owned(), "sidecar".to_owned()]
    );
}

#[test]
fn windows_pods_are_read_with_the_windows_path() {
    let settings = WebhookSettings::default();
    let mut submitted = pod();
    submitted
        .node_selector
        .insert("beta.kubernetes.io/os".to_owned(), "windows".to_owned());
    let live = admit(
        &submitted,
        &predict(&irsa_sa(), &submitted, &settings, None),
    );
    assert_eq!(diff(&irsa_sa(), &live, &settings, None), vec![]);
    let mut bare = live.clone();
    bare.volumes.clear();
    assert_eq!(
        injection_state(&bare, &settings, None).mode,
        MutationMode::Irsa,
        "the C:\\ token file marks the pod"
    );
}

#[test]
fn an_ipv6_cluster_injects_the_agents_ipv6_address() {
    let v6 = PodIdentityConfig::eks_for(Some(true));
    assert_eq!(v6.uri, "http://[fd00:ec2::23]/v1/credentials");
    assert_eq!(
        PodIdentityConfig::eks_for(Some(false)),
        PodIdentityConfig::eks()
    );
    assert_eq!(PodIdentityConfig::eks_for(None), PodIdentityConfig::eks());
    let settings = WebhookSettings::default();
    let m = predict(&irsa_sa(), &pod(), &settings, Some(&v6));
    let live = admit(&pod(), &m);
    let uris: Vec<_> = live
        .all_containers()
        .filter_map(|c| c.env_var("AWS_CONTAINER_CREDENTIALS_FULL_URI"))
        .filter_map(|e| e.literal_value())
        .collect();
    assert!(!uris.is_empty());
    assert!(
        uris.iter()
            .all(|u| *u == "http://[fd00:ec2::23]/v1/credentials")
    );
    // An IPv6 cluster's pod matches its own prediction, and differs from the IPv4 one by the
    // URI only.
    assert_eq!(diff(&irsa_sa(), &live, &settings, Some(&v6)), vec![]);
    let devs = diff(
        &irsa_sa(),
        &live,
        &settings,
        Some(&PodIdentityConfig::eks()),
    );
    assert!(!devs.is_empty());
    assert!(
        devs.iter().all(|d| d.kind == DeviationKind::CredentialsUri),
        "{devs:?}"
    );
}
