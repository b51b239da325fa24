//! Webhook predictor (`analysis::webhook::predict_json`, `diff`, `injection_state`) over an
//! arbitrary pod, as YAML or JSON. The ServiceAccount, the webhook's flags and the Pod
//! Identity config are read from the pod's `testing.eks.amazonaws.com/*` annotations, the
//! format of the upstream conformance fixtures the corpus is seeded with (see
//! shared/conformance/webhook/README.md), so the fuzzer mutates them too.
#![no_main]

use irsa_core::analysis::webhook::{self, PodIdentityConfig};
use irsa_core::model::{PodInfo, ServiceAccountInfo, WebhookSettings};
use k8s_openapi::api::core::v1::Pod;
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

const TEST_PREFIX: &str = "testing.eks.amazonaws.com/";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(raw) = serde_yaml_ng::from_str::<Value>(&text) else {
        return;
    };
    let annotation = |key: &str| {
        raw.pointer("/metadata/annotations")
            .and_then(|a| a.get(format!("{TEST_PREFIX}{key}")))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let mut sa = ServiceAccountInfo::new(
        raw.pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .unwrap_or("default"),
        raw.pointer("/spec/serviceAccountName")
            .and_then(Value::as_str)
            .unwrap_or("default"),
    );
    for (name, key) in [
        ("role-arn", "serviceAccount/roleArn"),
        ("audience", "serviceAccount/audience"),
        (
            "sts-regional-endpoints",
            "serviceAccount/sts-regional-endpoints",
        ),
        ("token-expiration", "serviceAccount/token-expiration"),
        ("sts-regional-endpoints", "handler/injectSTS"),
        ("token-expiration", "handler/expiration"),
    ] {
        if let Some(v) = annotation(key) {
            sa.annotations
                .entry(format!("eks.amazonaws.com/{name}"))
                .or_insert(v);
        }
    }
    let mut settings = WebhookSettings {
        region: annotation("handler/region"),
        sts_regional_endpoints: annotation("handler/injectSTS").as_deref() == Some("true"),
        ..WebhookSettings::default()
    };
    if let Some(path) = annotation("handler/mountPath") {
        settings.token_mount_path = path;
    }
    if let Some(seconds) = annotation("handler/expiration").and_then(|s| s.parse().ok()) {
        settings.default_token_expiration = seconds;
    }
    if let Some(prefix) = annotation("handler/annotationPrefix") {
        settings.annotation_prefix = prefix;
    }
    let pod_identity = annotation("containercredentials/uri").map(|uri| {
        let eks = PodIdentityConfig::eks();
        PodIdentityConfig {
            uri,
            audience: annotation("containercredentials/audience").unwrap_or(eks.audience),
            mount_path: annotation("containercredentials/mountPath").unwrap_or(eks.mount_path),
            volume_name: annotation("containercredentials/volumeName").unwrap_or(eks.volume_name),
            token_path: annotation("containercredentials/tokenPath").unwrap_or(eks.token_path),
        }
    });

    let _ = webhook::predict_json(&sa, &raw, &settings, pod_identity.as_ref());
    if let Ok(pod) = serde_json::from_value::<Pod>(raw.clone()) {
        let info = PodInfo::from(&pod);
        let mutation = webhook::predict(&sa, &info, &settings, pod_identity.as_ref());
        let _ = webhook::to_json_patch(&mutation, &raw);
        let _ = webhook::diff(&sa, &info, &settings, pod_identity.as_ref());
        let _ = webhook::injection_state(&info, &settings, pod_identity.as_ref());
    }
});
