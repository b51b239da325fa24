//! Test module: compiled only under `#[cfg(test)]` (declared so in its parent).
//! `predict` and `to_json_patch` behaviours the upstream fixtures do not pin down.

use super::test_support::*;
use super::*;
use crate::model::{ContainerInfo, ContainerKind, PodInfo, ServiceAccountInfo, WebhookSettings};
use serde_json::json;

fn env_of(m: &Mutation, name: &str) -> Vec<(String, String)> {
    m.containers
        .iter()
        .find(|c| c.name == name)
        .map(|c| {
            c.env
                .iter()
                .map(|e| {
                    let v = e.literal_value().unwrap_or("<not literal>");
                    (e.name.clone(), v.to_owned())
                })
                .collect()
        })
        .unwrap_or_default()
}

fn names(env: &[(String, String)]) -> Vec<&str> {
    env.iter().map(|(n, _)| n.as_str()).collect()
}

fn token_volume(m: &Mutation) -> (Option<String>, Option<i64>, String) {
    match m.volume.as_ref().map(|v| &v.source) {
        Some(VolumeSourceInfo::Projected { sources }) => match sources.as_slice() {
            [
                ProjectedSource::ServiceAccountToken {
                    audience,
                    expiration_seconds,
                    path,
                },
            ] => (audience.clone(), *expiration_seconds, path.clone()),
            other => panic!("unexpected sources {other:?}"),
        },
        other => panic!("no projected volume: {other:?}"),
    }
}

#[test]
fn nothing_happens_without_role_or_association() {
    let settings = WebhookSettings::eks(Some("eu-west-1"));
    let cases = [
        (
            "no annotation",
            ServiceAccountInfo::new("demo", "s3-reader"),
        ),
        (
            "empty role-arn",
            ServiceAccountInfo::new("demo", "s3-reader")
                .with_annotation("eks.amazonaws.com/role-arn", ""),
        ),
        (
            "only an audience",
            ServiceAccountInfo::new("demo", "s3-reader")
                .with_annotation("eks.amazonaws.com/audience", "sts.amazonaws.com"),
        ),
        (
            "role under another prefix",
            ServiceAccountInfo::new("demo", "s3-reader")
                .with_annotation("example.com/role-arn", ROLE),
        ),
    ];
    for (name, sa) in cases {
        let m = predict(&sa, &pod(), &settings, None);
        assert_eq!(m.mode, MutationMode::None, "{name}");
        assert!(!m.changes_anything(), "{name}");
        assert!(to_json_patch(&m, &json!({"spec": {"containers": []}})).is_empty());
    }
}

#[test]
fn annotation_prefix_setting_is_honoured() {
    let settings = WebhookSettings {
        annotation_prefix: "example.com".to_owned(),
        ..WebhookSettings::default()
    };
    let sa = ServiceAccountInfo::new("demo", "s3-reader")
        .with_annotation("example.com/role-arn", ROLE)
        .with_annotation("example.com/audience", "custom-aud");
    let mut p = pod();
    p.annotations.insert(
        "example.com/skip-containers".to_owned(),
        "sidecar".to_owned(),
    );
    let m = predict(&sa, &p, &settings, None);
    assert_eq!(m.mode, MutationMode::Irsa);
    assert_eq!(m.audience.as_deref(), Some("custom-aud"));
    assert!(
        m.container(ContainerKind::Main, "sidecar")
            .is_some_and(|c| c.skipped)
    );
    assert_eq!(
        predict(&irsa_sa(), &p, &settings, None).mode,
        MutationMode::None
    );
}

#[test]
fn regional_sts_annotation_beats_the_flag() {
    // (flag, SA annotation, STS env injected)
    let cases = [
        (true, None, true),
        (false, None, false),
        (true, Some("false"), false),
        (false, Some("true"), true),
        (false, Some("1"), true),
        (true, Some("F"), false),
        (true, Some("yes"), true),
        (false, Some("enabled"), false),
    ];
    for (flag, annotation, injected) in cases {
        let mut sa = irsa_sa();
        if let Some(a) = annotation {
            sa = sa.with_annotation("eks.amazonaws.com/sts-regional-endpoints", a);
        }
        let settings = WebhookSettings {
            sts_regional_endpoints: flag,
            ..WebhookSettings::default()
        };
        let env = env_of(&predict(&sa, &pod(), &settings, None), "app");
        assert_eq!(
            names(&env).contains(&"AWS_STS_REGIONAL_ENDPOINTS"),
            injected,
            "flag {flag}, annotation {annotation:?}"
        );
    }
}

#[test]
fn token_lifetime_precedence_and_clamp() {
    // (flag, SA annotation, pod annotation) -> (lifetime, clamped_from)
    type Row = (
        i64,
        Option<&'static str>,
        Option<&'static str>,
        i64,
        Option<i64>,
    );
    let cases: &[Row] = &[
        (86_400, None, None, 86_400, None),
        (86_400, Some("3600"), None, 3_600, None),
        (86_400, Some("3600"), Some("7200"), 7_200, None),
        (86_400, Some("3600"), Some("2h"), 3_600, None),
        (86_400, Some("1h"), None, 86_400, None),
        (86_400, Some(" 3600"), None, 86_400, None),
        (86_400, None, Some("300"), 600, Some(300)),
        (86_400, Some("-5"), None, 600, Some(-5)),
        (86_400, Some("300"), Some("3600"), 3_600, None),
        (86_400, None, Some("+900"), 900, None),
        (86_400, None, Some("200000"), 200_000, None),
        (3_600, None, None, 3_600, None),
        (100, None, None, 600, Some(100)),
    ];
    for &(flag, sa_value, pod_value, lifetime, clamped) in cases {
        let mut sa = irsa_sa();
        if let Some(v) = sa_value {
            sa = sa.with_annotation("eks.amazonaws.com/token-expiration", v);
        }
        let mut p = pod();
        if let Some(v) = pod_value {
            p.annotations.insert(
                "eks.amazonaws.com/token-expiration".to_owned(),
                v.to_owned(),
            );
        }
        let settings = WebhookSettings {
            default_token_expiration: flag,
            ..WebhookSettings::default()
        };
        let m = predict(&sa, &p, &settings, None);
        let case = format!("flag {flag}, SA {sa_value:?}, pod {pod_value:?}");
        assert_eq!(m.expiration_seconds, Some(lifetime), "{case}");
        assert_eq!(token_volume(&m).1, Some(lifetime), "{case}");
        assert_eq!(m.clamped_from, clamped, "{case}");
        assert!(!m.expiration_jittered, "{case}: IRSA never jitters");
    }
}

#[test]
fn audience_comes_from_the_sa_else_the_flag() {
    let settings = WebhookSettings {
        audience: "flag-aud".to_owned(),
        ..WebhookSettings::default()
    };
    let plain = predict(&irsa_sa(), &pod(), &settings, None);
    assert_eq!(token_volume(&plain).0.as_deref(), Some("flag-aud"));
    let sa = irsa_sa().with_annotation("eks.amazonaws.com/audience", "sa-aud");
    let annotated = predict(&sa, &pod(), &settings, None);
    assert_eq!(token_volume(&annotated).0.as_deref(), Some("sa-aud"));
    assert_eq!(annotated.audience.as_deref(), Some("sa-aud"));
}

#[test]
fn pod_identity_wins_and_jitters_only_the_default_lifetime() {
    let eks = PodIdentityConfig::eks();
    let m = predict(&irsa_sa(), &pod(), &WebhookSettings::default(), Some(&eks));
    assert_eq!(m.mode, MutationMode::PodIdentity);
    assert_eq!(m.role_arn, None);
    assert_eq!(
        m.labels
            .get("eks.amazonaws.com/pod-identity")
            .map(String::as_str),
        Some("enabled")
    );
    assert_eq!(
        env_of(&m, "app"),
        vec![
            (
                "AWS_CONTAINER_CREDENTIALS_FULL_URI".to_owned(),
                "http://169.254.170.23/v1/credentials".to_owned()
            ),
            (
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE".to_owned(),
                "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token"
                    .to_owned()
            ),
        ]
    );
    let (aud, exp, path) = token_volume(&m);
    assert_eq!(aud.as_deref(), Some("pods.eks.amazonaws.com"));
    assert_eq!((exp, m.expiration_jittered), (Some(79_200), true));
    assert_eq!(path, "eks-pod-identity-token");

    // (SA annotation, pod annotation, flag) -> (lifetime, jittered)
    type Row = (Option<&'static str>, Option<&'static str>, i64, i64, bool);
    let cases: &[Row] = &[
        (Some("3600"), None, 86_400, 3_600, false),
        (Some("86400"), None, 86_400, 79_200, true),
        (None, Some("86400"), 3_600, 79_200, true),
        (None, None, 43_200, 43_200, false),
        (None, Some("100"), 86_400, 600, false),
    ];
    for &(sa_value, pod_value, flag, lifetime, jittered) in cases {
        let mut sa = ServiceAccountInfo::new("demo", "s3-reader");
        if let Some(v) = sa_value {
            sa = sa.with_annotation("eks.amazonaws.com/token-expiration", v);
        }
        let mut p = pod();
        if let Some(v) = pod_value {
            p.annotations.insert(
                "eks.amazonaws.com/token-expiration".to_owned(),
                v.to_owned(),
            );
        }
        let settings = WebhookSettings {
            default_token_expiration: flag,
            ..WebhookSettings::default()
        };
        let m = predict(&sa, &p, &settings, Some(&eks));
        let case = format!("SA {sa_value:?}, pod {pod_value:?}, flag {flag}");
        assert_eq!(m.expiration_seconds, Some(lifetime), "{case}");
        assert_eq!(m.expiration_jittered, jittered, "{case}");
    }
}

#[test]
fn skip_containers_covers_init_containers_and_is_not_trimmed() {
    let mut p = pod();
    p.init_containers
        .push(ContainerInfo::new("init-db", ContainerKind::Init));
    p.annotations.insert(
        "eks.amazonaws.com/skip-containers".to_owned(),
        "init-db, sidecar".to_owned(),
    );
    let m = predict(&irsa_sa(), &p, &WebhookSettings::default(), None);
    let skipped: Vec<(&str, bool)> = m
        .containers
        .iter()
        .map(|c| (c.name.as_str(), c.skipped))
        .collect();
    // Upstream reads the list with Go's csv reader: " sidecar" is not "sidecar".
    assert_eq!(
        skipped,
        vec![("app", false), ("sidecar", false), ("init-db", true)]
    );
    let init = m.container(ContainerKind::Init, "init-db");
    assert!(init.is_some_and(|c| c.env.is_empty() && c.mount.is_none()));
}

#[test]
fn either_identity_variable_blocks_both() {
    let settings = WebhookSettings::eks(Some("eu-west-1"));
    let mut p = pod();
    set_env(
        &mut p,
        "app",
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        "/elsewhere/token",
    );
    set_env(&mut p, "sidecar", "AWS_DEFAULT_REGION", "us-east-1");
    let m = predict(&irsa_sa(), &p, &settings, None);
    assert_eq!(
        names(&env_of(&m, "app")),
        vec![
            "AWS_STS_REGIONAL_ENDPOINTS",
            "AWS_DEFAULT_REGION",
            "AWS_REGION"
        ]
    );
    assert_eq!(
        names(&env_of(&m, "sidecar")),
        vec![
            "AWS_STS_REGIONAL_ENDPOINTS",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE"
        ],
        "AWS_DEFAULT_REGION alone counts as a region"
    );
    assert!(m.containers.iter().all(|c| c.mount.is_some()));

    let eks = PodIdentityConfig::eks();
    let mut p = pod();
    set_env(
        &mut p,
        "app",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        "http://x",
    );
    let m = predict(&irsa_sa(), &p, &WebhookSettings::default(), Some(&eks));
    assert!(env_of(&m, "app").is_empty());
    assert_eq!(env_of(&m, "sidecar").len(), 2);
}

#[test]
fn empty_region_injects_nothing_and_mount_path_is_configurable() {
    let settings = WebhookSettings {
        region: Some(String::new()),
        token_mount_path: "/custom/mount/".to_owned(),
        ..WebhookSettings::default()
    };
    let m = predict(&irsa_sa(), &pod(), &settings, None);
    assert_eq!(
        env_of(&m, "app"),
        vec![
            ("AWS_ROLE_ARN".to_owned(), ROLE.to_owned()),
            (
                "AWS_WEB_IDENTITY_TOKEN_FILE".to_owned(),
                "/custom/mount/token".to_owned()
            ),
        ]
    );
    let added = m.containers.first().and_then(|c| c.mount.clone());
    assert_eq!(added, Some(mount("aws-iam-token", "/custom/mount/")));
}

#[test]
fn windows_pods_get_a_windows_path_on_both_paths() {
    let mut p = pod();
    p.node_selector
        .insert("kubernetes.io/os".to_owned(), "windows".to_owned());
    let irsa = predict(&irsa_sa(), &p, &WebhookSettings::default(), None);
    assert!(env_of(&irsa, "app").contains(&(
        "AWS_WEB_IDENTITY_TOKEN_FILE".to_owned(),
        r"C:\var\run\secrets\eks.amazonaws.com\serviceaccount\token".to_owned()
    )));
    let pi = predict(
        &irsa_sa(),
        &p,
        &WebhookSettings::default(),
        Some(&PodIdentityConfig::eks()),
    );
    assert!(
        env_of(&pi, "app").contains(&(
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE".to_owned(),
            r"C:\var\run\secrets\pods.eks.amazonaws.com\serviceaccount\eks-pod-identity-token"
                .to_owned()
        ))
    );
    let mount = irsa.containers.first().and_then(|c| c.mount.as_ref());
    assert_eq!(
        mount.map(|m| m.mount_path.as_str()),
        Some("/var/run/secrets/eks.amazonaws.com/serviceaccount"),
        "the mount path stays POSIX"
    );
}

#[test]
fn an_already_wired_pod_changes_nothing_but_is_still_patched() {
    let mut p: PodInfo = pod();
    p.containers.truncate(1);
    let first = predict(&irsa_sa(), &p, &WebhookSettings::default(), None);
    let live = admit(&p, &first);
    let again = predict(&irsa_sa(), &live, &WebhookSettings::default(), None);
    assert!(first.changes_anything());
    assert!(!again.changes_anything());
    assert_eq!(again.volume, None);
    let raw = json!({"spec": {"containers": [{"name": "app", "image": "busybox"}]}});
    let patch = to_json_patch(&again, &raw);
    assert_eq!(
        patch,
        vec![
            json!({"op": "add", "path": "/spec/containers", "value": [{"name": "app", "image": "busybox"}]})
        ]
    );
}

#[test]
fn patch_paths_depend_on_what_the_pod_has() {
    let eks = PodIdentityConfig::eks();
    let m = predict(&irsa_sa(), &pod(), &WebhookSettings::default(), Some(&eks));
    let raw = json!({
        "metadata": {"labels": {"app": "s3"}},
        "spec": {"volumes": [], "containers": [{"name": "app"}, {"name": "sidecar"}]}
    });
    let patch = to_json_patch(&m, &raw);
    let paths: Vec<&str> = patch
        .iter()
        .filter_map(|op| op.get("path").and_then(|p| p.as_str()))
        .collect();
    assert_eq!(
        paths,
        vec![
            "/metadata/labels/eks.amazonaws.com~1pod-identity",
            "/spec/volumes/0",
            "/spec/containers"
        ]
    );
    assert_eq!(
        patch.first().and_then(|op| op.get("value")),
        Some(&json!("enabled"))
    );
    let volume = patch.get(1).and_then(|op| op.get("value"));
    assert_eq!(
        volume.and_then(|v| v.pointer("/projected/sources/0/serviceAccountToken/audience")),
        Some(&json!("pods.eks.amazonaws.com"))
    );
    let mounts = patch
        .get(2)
        .and_then(|op| op.pointer("/value/1/volumeMounts/0"));
    assert_eq!(
        mounts,
        Some(&json!({"name": "eks-pod-identity-token", "readOnly": true,
            "mountPath": "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount"}))
    );
}

#[test]
fn predict_json_works_on_a_raw_manifest() {
    let raw = json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "s3-reader-1", "namespace": "demo"},
        "spec": {
            "serviceAccountName": "s3-reader",
            "containers": [{
                "name": "app",
                "image": "amazon/aws-cli",
                "readinessProbe": {"grpc": {"port": 5000}},
                "env": [{"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}]
            }]
        }
    });
    let settings = WebhookSettings::eks(Some("eu-west-1"));
    let got = predict_json(&irsa_sa(), &raw, &settings, None);
    let Ok(PatchPrediction { mutation, patch }) = got else {
        panic!("{got:?}");
    };
    assert_eq!(mutation.mode, MutationMode::Irsa);
    let app = patch.get(1).and_then(|op| op.pointer("/value/0"));
    assert_eq!(
        app.and_then(|c| c.pointer("/readinessProbe/grpc/port")),
        Some(&json!(5000)),
        "unmodelled fields survive"
    );
    let env: Vec<&str> = app
        .and_then(|c| c.get("env"))
        .and_then(|e| e.as_array())
        .map(|list| {
            list.iter()
                .filter_map(|e| e.get("name")?.as_str())
                .collect()
        })
        .unwrap_or_default();
    assert_eq!(
        env,
        vec![
            "DB_PASSWORD",
            "AWS_STS_REGIONAL_ENDPOINTS",
            "AWS_DEFAULT_REGION",
            "AWS_REGION",
            "AWS_ROLE_ARN",
            "AWS_WEB_IDENTITY_TOKEN_FILE"
        ]
    );
}

#[test]
fn predict_json_rejects_what_is_not_a_pod_without_quoting_it() {
    let settings = WebhookSettings::default();
    let deployment = json!({"kind": "Deployment", "spec": {}});
    assert_eq!(
        predict_json(&irsa_sa(), &deployment, &settings, None),
        Err(PodJsonError::WrongKind("Deployment".to_owned()))
    );
    let broken =
        json!({"kind": "Pod", "spec": {"containers": [{"name": "a", "ports": "hunter2"}]}});
    let err = predict_json(&irsa_sa(), &broken, &settings, None).err();
    let shown = err.map(|e| e.to_string()).unwrap_or_default();
    assert!(shown.contains("Pod schema"), "{shown}");
    assert!(!shown.contains("hunter2"), "{shown}");
}

#[test]
fn the_config_map_maps_an_unannotated_sa_and_the_annotation_wins() {
    use crate::model::ConfigMapRole;
    let mapping = |namespace: &str, role: &str| ConfigMapRole {
        namespace: namespace.to_owned(),
        service_account: "s3-reader".to_owned(),
        role_arn: role.to_owned(),
        audience: "internal".to_owned(),
        regional_sts: true,
        token_expiration: 0,
    };
    let settings = WebhookSettings {
        default_token_expiration: 3600,
        config_map_roles: vec![mapping("*", OTHER_ROLE)],
        ..WebhookSettings::default()
    };
    let bare = ServiceAccountInfo::new("demo", "s3-reader");
    let m = predict(&bare, &pod(), &settings, None);
    assert_eq!(m.mode, MutationMode::Irsa);
    assert_eq!(m.role_arn.as_deref(), Some(OTHER_ROLE));
    let (audience, lifetime, _) = token_volume(&m);
    assert_eq!(
        audience.as_deref(),
        Some("internal"),
        "the entry's audience, as written"
    );
    assert_eq!(lifetime, Some(3600), "0 means the flag's lifetime");
    assert!(names(&env_of(&m, "app")).contains(&"AWS_STS_REGIONAL_ENDPOINTS"));

    // The SA's own annotation wins over the ConfigMap.
    assert_eq!(
        predict(&irsa_sa(), &pod(), &settings, None)
            .role_arn
            .as_deref(),
        Some(ROLE)
    );
    // An entry of the exact namespace with an empty role hides the `*` one: nothing.
    let hidden = WebhookSettings {
        config_map_roles: vec![mapping("demo", ""), mapping("*", OTHER_ROLE)],
        ..settings.clone()
    };
    assert_eq!(
        predict(&bare, &pod(), &hidden, None).mode,
        MutationMode::None
    );
}
