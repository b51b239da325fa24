//! The projection's tests: what reaches the model of a pod, what is shared, what is redacted.

use super::*;
use crate::model::last_applied::LAST_APPLIED;
use k8s_openapi::api::core::v1::Pod;

/// A replica as the API server serves it: its token volume named with `suffix`.
fn replica(name: &str, suffix: &str) -> Pod {
    let volume = format!("kube-api-access-{suffix}");
    serde_json::from_value(serde_json::json!({
        "metadata": {"name": name, "namespace": "team-a"},
        "spec": {"serviceAccountName": "app", "containers": [{"name": "app", "image": "app:1",
            "env": [{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/app"}],
            "volumeMounts": [{"name": volume, "readOnly": true,
                "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
            "volumes": [{"name": volume, "projected": {"sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]}
    }))
    .unwrap()
}

#[test]
fn replicas_share_containers_and_volumes_yet_show_their_own_token_volume_name() {
    let mut pools = PodPools::default();
    let a = pools.share(PodInfo::from(&replica("app-1", "x7k2p")));
    let b = pools.share(PodInfo::from(&replica("app-2", "q9z4m")));
    assert!(Pooled::ptr_eq(&a.containers, &b.containers));
    assert!(Pooled::ptr_eq(&a.volumes, &b.volumes));
    // Mount and volume still join, and each pod shows its real name.
    let mount = &a.containers[0].volume_mounts[0].name;
    assert!(a.volume(mount).is_some());
    assert_eq!(a.shown_volume_name(mount), "kube-api-access-x7k2p");
    assert_eq!(b.shown_volume_name(mount), "kube-api-access-q9z4m");
    assert_eq!(a.shown_volume_name("aws-iam-token"), "aws-iam-token");
}

#[test]
fn only_aws_variables_are_projected() {
    let mut pod = replica("app-1", "x7k2p");
    pod.spec.as_mut().unwrap().containers[0].env = Some(
        serde_json::from_value(serde_json::json!([
            {"name": "DB_PASSWORD", "value": "hunter2"},
            {"name": "AWS_REGION", "value": "eu-west-1"},
            {"name": "LOG_LEVEL", "value": "info"},
            {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "k", "key": "s"}}}
        ]))
        .unwrap(),
    );
    let info = PodInfo::from(&pod);
    let names: Vec<&str> = info.containers[0]
        .env
        .iter()
        .map(|e| e.name.as_str())
        .collect();
    assert_eq!(names, ["AWS_REGION", "AWS_SECRET_ACCESS_KEY"]);
    assert!(!serde_json::to_string(&info).unwrap().contains("hunter2"));
}

#[test]
fn two_api_access_volumes_are_left_as_they_are() {
    let mut pod = replica("app-1", "x7k2p");
    let spec = pod.spec.as_mut().unwrap();
    let mut second = spec.volumes.as_ref().unwrap()[0].clone();
    second.name = "kube-api-access-other".to_owned();
    spec.volumes.as_mut().unwrap().push(second);
    let info = PodInfo::from(&pod);
    let names: Vec<&str> = info.volumes.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["kube-api-access-x7k2p", "kube-api-access-other"]);
    assert_eq!(info.api_access_volume, None);
}

#[test]
fn credential_shaped_values_are_redacted_whatever_the_name() {
    let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ";
    let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let session = format!("IQoJb3JpZ2luX2VjE{}", "Ab9".repeat(40));
    let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
    for value in [jwt, key, session.as_str(), pem] {
        assert!(is_secret_env_value(value), "{value}");
        assert_eq!(
            EnvVarInfo::literal("HARMLESS_NAME", value).value,
            EnvValue::Redacted { len: value.len() }
        );
    }
    // Ordinary values stay visible: ids, ARNs, hex digests, URLs, regions.
    for value in [
        "AKIAIOSFODNN7EXAMPLE",
        "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role",
        "da39a3ee5e6b4b0d3255bfef95601890afd80709",
        "https://sts.eu-west-1.amazonaws.com",
        "eu-west-1",
        "true",
    ] {
        assert!(!is_secret_env_value(value), "{value}");
    }
}

#[test]
fn secret_env_names_are_recognised_but_paths_are_not() {
    assert!(is_secret_env_name("AWS_SECRET_ACCESS_KEY"));
    assert!(is_secret_env_name("AWS_SESSION_TOKEN"));
    assert!(is_secret_env_name("db_password"));
    assert!(!is_secret_env_name("AWS_WEB_IDENTITY_TOKEN_FILE"));
    assert!(!is_secret_env_name("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
    assert!(!is_secret_env_name("AWS_ACCESS_KEY_ID"));
}

#[test]
fn last_applied_configuration_never_reaches_the_model() {
    let pod: Pod = serde_json::from_value(serde_json::json!({
        "metadata": {"name": "p", "namespace": "n", "annotations": {
            LAST_APPLIED: "{\"env\":[{\"name\":\"AWS_SECRET_ACCESS_KEY\",\"value\":\"s3cr3t\"}]}",
            "keep": "me"
        }},
        "spec": {"containers": [{"name": "c"}]}
    }))
    .unwrap();
    let info = PodInfo::from(&pod);
    assert!(!info.annotations.contains_key(LAST_APPLIED));
    assert_eq!(info.annotations.get("keep").map(String::as_str), Some("me"));
    assert!(!serde_json::to_string(&info).unwrap().contains("s3cr3t"));
}

#[test]
fn literal_secret_values_are_dropped_at_projection() {
    let e = EnvVarInfo::literal(
        "AWS_SECRET_ACCESS_KEY",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
    );
    assert_eq!(e.value, EnvValue::Redacted { len: 40 });
    assert_eq!(e.literal_value(), None);
}
