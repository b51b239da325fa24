//! The demo audit end to end: every finding code of IRSA.md §5 occurs, the JSON shape is the
//! documented one, and the whole output matches the reviewed golden file
//! (`tests/snapshots/demo_audit__demo_audit_json.snap`; update with `cargo insta review`).

use assert_cmd::Command;
use irsa_core::model::FindingCode;
use std::collections::BTreeSet;

fn audit(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("irsa-inspector")
        .expect("binary")
        .arg("audit")
        .args(args)
        .output()
        .expect("run")
}

fn demo_json() -> serde_json::Value {
    let out = audit(&["--demo", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON")
}

#[test]
fn demo_audit_lists_every_finding_code() {
    let v = demo_json();
    let seen: BTreeSet<String> = v["findings"]
        .as_array()
        .expect("findings array")
        .iter()
        .filter_map(|f| f["code"].as_str().map(str::to_owned))
        .collect();
    let missing: Vec<&str> = FindingCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !seen.contains(*c))
        .collect();
    assert!(
        missing.is_empty(),
        "codes never raised on the demo: {missing:?}"
    );
}

#[test]
fn demo_audit_json_has_the_documented_shape() {
    let v = demo_json();
    assert_eq!(v["schema"], "irsa-inspector/audit/v1");
    assert_eq!(v["cluster"], "irsa-lab");
    assert_eq!(v["account"], "123456789012");
    for f in v["findings"].as_array().expect("findings") {
        for field in ["code", "severity", "subject", "title", "evidence"] {
            assert!(!f[field].is_null(), "finding lacks {field}: {f}");
        }
        assert!(
            f["subject"]["kind"].is_string() && f["subject"]["name"].is_string(),
            "{f}"
        );
    }
    // The guide's negative test: demo2/s3-reader fails on the :sub condition.
    let irsa003 = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["code"] == "IRSA003")
        .expect("IRSA003 raised");
    assert_eq!(irsa003["subject"]["namespace"], "demo2");
    assert_eq!(irsa003["subject"]["name"], "s3-reader");
    let evidence = irsa003["evidence"].to_string();
    assert!(
        evidence.contains("system:serviceaccount:demo:s3-reader"),
        "{evidence}"
    );
    assert!(
        evidence.contains("system:serviceaccount:demo2:s3-reader"),
        "{evidence}"
    );
    // The healthy guide workload stays healthy.
    let s3 = v["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .find(|b| {
            b["service_account"]["namespace"] == "demo"
                && b["service_account"]["name"] == "s3-reader"
        })
        .expect("demo/s3-reader binding");
    assert_ne!(s3["verdict"], "fail", "{s3}");
}

#[test]
fn demo_audit_json_golden() {
    let out = audit(&["--demo", "--format", "json"]);
    insta::assert_snapshot!("demo_audit_json", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn fail_on_sets_the_exit_code() {
    assert_eq!(
        audit(&["--demo", "--format", "json", "--fail-on", "critical"])
            .status
            .code(),
        Some(1)
    );
    assert_eq!(
        audit(&["--demo", "--fail-on", "high"]).status.code(),
        Some(1)
    );
    let out = audit(&["--demo", "--fail-on", "severe"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--fail-on"));
}

#[test]
fn a_healthy_snapshot_passes_fail_on() {
    // Only the healthy guide workload: its SA, pod, role, provider and cluster.
    let dir = tempfile::tempdir().expect("temp dir");
    let demo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("assets/demo");
    let k8s: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(demo.join("kubernetes.json")).expect("demo k8s"),
    )
    .expect("json");
    let items: Vec<serde_json::Value> = k8s["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter(|i| {
            i["metadata"]["namespace"] == "demo"
                && (i["metadata"]["name"] == "s3-reader" || i["metadata"]["name"] == "s3-test")
        })
        .cloned()
        .collect();
    assert_eq!(items.len(), 2, "demo/s3-reader SA and demo/s3-test pod");
    let list = serde_json::json!({"apiVersion": "v1", "kind": "List", "items": items});
    std::fs::write(dir.path().join("kubernetes.json"), list.to_string()).expect("write");
    let out = audit(&[
        "--snapshot",
        &dir.path().display().to_string(),
        "--fail-on",
        "high",
    ]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Not checked"),
        "unknown AWS side is reported, not silently fine: {text}"
    );
}

#[test]
fn markdown_and_table_name_the_codes() {
    for format in ["table", "markdown"] {
        let out = audit(&["--demo", "--format", format]);
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("IRSA003") && text.contains("AUD002"),
            "{format}"
        );
    }
}

#[test]
fn bad_snapshot_folder_is_exit_2_with_one_line() {
    let out = audit(&["--snapshot", "/nonexistent/snapshot"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("/nonexistent/snapshot"), "{err}");

    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("iam-authorization-details.json"),
        "{ not json",
    )
    .expect("write");
    let out = audit(&["--snapshot", &dir.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("iam-authorization-details.json"), "{err}");
}

#[test]
fn readme_documents_every_finding_code() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README");
    let missing: Vec<&str> = FindingCode::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !readme.contains(&format!("| {c} |")))
        .collect();
    assert!(missing.is_empty(), "README lacks finding codes {missing:?}");
}
