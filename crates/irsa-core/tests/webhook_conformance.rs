//! Conformance with amazon-eks-pod-identity-webhook's own test fixtures
//! (`tests/fixtures/webhook/`, a verbatim copy of upstream `pkg/handler/testdata/`; `.ci/run`
//! checks it still equals `../shared/conformance/webhook` when that folder exists): for every
//! fixture, `predict` + `to_json_patch` must produce the fixture's expected patch.
//!
//! The fixture format (see the README next to the fixtures) encodes the test case in
//! `testing.eks.amazonaws.com/*` annotations; [`Case::from_fixture`] turns them into the
//! ServiceAccount, the webhook settings and the Pod Identity config exactly as that README
//! describes. Set `IRSA_CONFORMANCE_DIR` to run against another copy of the fixtures.
//!
//! Upstream compares bytes of Go's `json.Marshal`; we compare structurally (object key order
//! ignored, array order kept) after these normalisations, each undoing a Go artefact:
//! - N1 typed round trip: the webhook decodes the pod into Go's `corev1.Pod` and marshals the
//!   containers back, so unknown input fields disappear (the stray `path` of a volumeMount in
//!   `rawPodHasVolumeMount`), missing required strings come back as zero values
//!   (`"mountPath": ""` there) and nil pointers without `omitempty` come back as `null`
//!   (`"service": null` of the gRPC probe in `rawPodWithGRPC`). Every container of both
//!   patches is passed through `k8s_openapi::api::core::v1::Container` the same way.
//! - N2 `"resources": {}`: Go marshals the empty `ResourceRequirements` struct of every
//!   container; an empty `resources` object is dropped from both sides.
//! - N3 jitter: on the Pod Identity path the webhook picks a random default lifetime in
//!   [79200, 86400] (upstream's test RNG yields 79200). When the prediction says the lifetime
//!   is jittered, both patches' `expirationSeconds` must lie in that range and are then
//!   treated as equal.

use irsa_core::analysis::webhook::{PodIdentityConfig, predict, to_json_patch};
use irsa_core::model::{PodInfo, ServiceAccountInfo, WebhookSettings};
use k8s_openapi::api::core::v1::{Container, Pod};
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The number of `*.yaml` cases of the upstream snapshot copied into `tests/fixtures/webhook`
/// (its README names the upstream commit and test).
const UPSTREAM_CASES: usize = 24;
const TEST_PREFIX: &str = "testing.eks.amazonaws.com/";
const JITTER_RANGE: std::ops::RangeInclusive<i64> = 79_200..=86_400;

fn fixture_dir() -> PathBuf {
    match std::env::var_os("IRSA_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhook"),
    }
}

fn collect_yaml(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_yaml(&path, out)?;
        } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
            out.push(path);
        }
    }
    Ok(())
}

/// One fixture, turned into the inputs of `predict`.
struct Case {
    pod: Pod,
    raw: Value,
    sa: ServiceAccountInfo,
    settings: WebhookSettings,
    pod_identity: Option<PodIdentityConfig>,
    expected: Value,
}

impl Case {
    fn from_fixture(text: &str) -> Result<Option<Case>, String> {
        let raw: Value = serde_yaml_ng::from_str(text).map_err(|e| format!("YAML: {e}"))?;
        let mut pod: Pod = serde_yaml_ng::from_str(text).map_err(|e| format!("Pod: {e}"))?;
        let ann = pod.metadata.annotations.clone().unwrap_or_default();
        let test = |key: &str| ann.get(&format!("{TEST_PREFIX}{key}")).cloned();
        if test("skip").as_deref() == Some("true") {
            return Ok(None);
        }
        // Upstream forces the pod into default/default before running.
        pod.metadata.namespace = Some("default".to_owned());
        if let Some(spec) = pod.spec.as_mut() {
            spec.service_account_name = Some("default".to_owned());
        }

        let mut sa = ServiceAccountInfo::new("default", "default");
        let mut sa_annotation = |name: &str, value: Option<String>| {
            if let Some(v) = value {
                sa.annotations
                    .entry(format!("eks.amazonaws.com/{name}"))
                    .or_insert(v);
            }
        };
        sa_annotation("role-arn", test("serviceAccount/roleArn"));
        sa_annotation("audience", test("serviceAccount/audience"));
        sa_annotation(
            "sts-regional-endpoints",
            test("serviceAccount/sts-regional-endpoints"),
        );
        sa_annotation("token-expiration", test("serviceAccount/token-expiration"));
        // Handler flags the harness models as ServiceAccount annotations (fallbacks: an
        // annotation set above wins because `or_insert` keeps it).
        sa_annotation("sts-regional-endpoints", test("handler/injectSTS"));
        sa_annotation("token-expiration", test("handler/expiration"));

        let mut settings = WebhookSettings {
            region: test("handler/region"),
            ..WebhookSettings::default()
        };
        if let Some(path) = test("handler/mountPath") {
            settings.token_mount_path = path;
        }

        let pod_identity = test("containercredentials/uri").map(|uri| {
            let eks = PodIdentityConfig::eks();
            PodIdentityConfig {
                uri,
                audience: test("containercredentials/audience").unwrap_or(eks.audience),
                mount_path: test("containercredentials/mountPath").unwrap_or(eks.mount_path),
                volume_name: test("containercredentials/volumeName").unwrap_or(eks.volume_name),
                token_path: test("containercredentials/tokenPath").unwrap_or(eks.token_path),
            }
        });

        let expected_text = test("expectedPatch").ok_or("no expectedPatch annotation")?;
        let expected =
            serde_json::from_str(&expected_text).map_err(|e| format!("expectedPatch: {e}"))?;
        Ok(Some(Case {
            pod,
            raw,
            sa,
            settings,
            pod_identity,
            expected,
        }))
    }
}

/// N1 + N2 on every container of a patch.
fn normalise_containers(patch: &mut [Value]) -> Result<(), String> {
    for op in patch.iter_mut() {
        let path = op
            .get("path")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        if path != "/spec/containers" && path != "/spec/initContainers" {
            continue;
        }
        let Some(list) = op.get_mut("value").and_then(Value::as_array_mut) else {
            return Err(format!("{path} op without a list value"));
        };
        for container in list.iter_mut() {
            let typed: Container = serde_json::from_value(container.clone())
                .map_err(|e| format!("container in {path}: {e}"))?;
            *container = serde_json::to_value(typed).map_err(|e| e.to_string())?;
            if let Some(obj) = container.as_object_mut()
                && obj
                    .get("resources")
                    .is_some_and(|r| r.as_object().is_some_and(|m| m.is_empty()))
            {
                obj.remove("resources");
            }
        }
    }
    Ok(())
}

/// The `expirationSeconds` fields of the volume ops.
fn expirations(patch: &mut [Value]) -> Vec<&mut Value> {
    let mut out = Vec::new();
    for op in patch.iter_mut() {
        let is_volume = op
            .get("path")
            .and_then(Value::as_str)
            .is_some_and(|p| p.starts_with("/spec/volumes"));
        let Some(value) = op.get_mut("value").filter(|_| is_volume) else {
            continue;
        };
        let volumes: Vec<&mut Value> = match value {
            Value::Array(list) => list.iter_mut().collect(),
            single => vec![single],
        };
        for volume in volumes {
            if let Some(sources) = volume
                .pointer_mut("/projected/sources")
                .and_then(Value::as_array_mut)
            {
                for source in sources {
                    if let Some(e) = source.pointer_mut("/serviceAccountToken/expirationSeconds") {
                        out.push(e);
                    }
                }
            }
        }
    }
    out
}

/// N3: checks both lifetimes are in the jitter range, then makes them equal.
fn normalise_jitter(patch: &mut [Value]) -> Result<(), String> {
    for e in expirations(patch) {
        let seconds = e.as_i64().unwrap_or(-1);
        if !JITTER_RANGE.contains(&seconds) {
            return Err(format!(
                "jittered expirationSeconds {seconds} outside {JITTER_RANGE:?}"
            ));
        }
        *e = Value::String("<jittered>".to_owned());
    }
    Ok(())
}

fn pretty(patch: &[Value]) -> String {
    serde_json::to_string_pretty(patch).unwrap_or_else(|e| e.to_string())
}

/// Runs one fixture; `Err` carries the whole failure message for that file.
fn run(path: &Path) -> Result<bool, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let Some(case) = Case::from_fixture(&text)? else {
        return Ok(false);
    };
    let pod = PodInfo::from(&case.pod);
    let mutation = predict(&case.sa, &pod, &case.settings, case.pod_identity.as_ref());
    let mut got = to_json_patch(&mutation, &case.raw);
    let mut want = match case.expected {
        Value::Array(ops) => ops,
        other => return Err(format!("expectedPatch is not a list: {other}")),
    };
    normalise_containers(&mut got).map_err(|e| format!("our patch: {e}"))?;
    normalise_containers(&mut want).map_err(|e| format!("expected patch: {e}"))?;
    if mutation.expiration_jittered {
        normalise_jitter(&mut got).map_err(|e| format!("our patch: {e}"))?;
        normalise_jitter(&mut want).map_err(|e| format!("expected patch: {e}"))?;
    }
    if got == want {
        Ok(true)
    } else {
        Err(format!(
            "patch differs (after normalisation)\n--- expected\n{}\n--- predicted\n{}",
            pretty(&want),
            pretty(&got)
        ))
    }
}

#[test]
fn every_upstream_fixture_is_reproduced() {
    let dir = fixture_dir();
    let mut files = Vec::new();
    if let Err(e) = collect_yaml(&dir, &mut files) {
        panic!(
            "cannot read webhook fixtures at {}: {e} (set IRSA_CONFORMANCE_DIR)",
            dir.display()
        );
    }
    files.sort();
    assert!(
        !files.is_empty(),
        "no *.yaml fixtures under {} (set IRSA_CONFORMANCE_DIR)",
        dir.display()
    );

    let mut ran = 0;
    let mut failures = Vec::new();
    for file in &files {
        let name = file
            .strip_prefix(&dir)
            .unwrap_or(file)
            .display()
            .to_string();
        match run(file) {
            Ok(true) => ran += 1,
            Ok(false) => {}
            Err(message) => failures.push(format!("=== {name}: {message}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures failed:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n\n")
    );
    // The repository carries all 24 upstream cases (none says `skip: "true"`): a lost file or a
    // case that silently stops running must fail, not pass with fewer.
    if std::env::var_os("IRSA_CONFORMANCE_DIR").is_none() {
        assert_eq!(
            files.len(),
            UPSTREAM_CASES,
            "fixture files under {}",
            dir.display()
        );
        assert_eq!(ran, UPSTREAM_CASES, "fixtures run from {}", dir.display());
    }
    eprintln!("{ran} webhook fixtures reproduced from {}", dir.display());
}

#[test]
fn normalisation_still_catches_a_wrong_patch() {
    // Guards the normalisations: a changed env value or a missing mount must still differ.
    let mut a = vec![
        serde_json::json!({"op": "add", "path": "/spec/containers", "value": [
            {"name": "c", "env": [{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::1:role/a"}],
             "resources": {}, "volumeMounts": [{"name": "aws-iam-token", "readOnly": true, "mountPath": "/m"}]}
        ]}),
    ];
    let mut b = vec![
        serde_json::json!({"op": "add", "path": "/spec/containers", "value": [
            {"name": "c", "env": [{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::1:role/b"}]}
        ]}),
    ];
    normalise_containers(&mut a).unwrap();
    normalise_containers(&mut b).unwrap();
    assert_ne!(a, b);
    let mut jitter = vec![
        serde_json::json!({"op": "add", "path": "/spec/volumes", "value": [
            {"name": "v", "projected": {"sources": [{"serviceAccountToken": {"expirationSeconds": 3600, "path": "t"}}]}}
        ]}),
    ];
    assert!(normalise_jitter(&mut jitter).is_err());
}
