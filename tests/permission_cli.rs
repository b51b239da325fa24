//! `policy simulate` and `can-i` as a user drives them: the real binary, policy files on disk,
//! the embedded demo lab, exit codes (0 allow, 1 not allowed, 2 bad input) and one-line errors.

use assert_cmd::Command;
use predicates::prelude::*;
use serde_json::Value;
use std::path::{Path, PathBuf};

const SESSION: &str = "arn:aws:sts::111122223333:assumed-role/app/botocore-session-1";

fn bin() -> Command {
    Command::cargo_bin("irsa-inspector").expect("binary built")
}

fn write(dir: &Path, name: &str, json: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, json).expect("write policy");
    path
}

fn allow(action: &str, resource: &str) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"{action}","Resource":"{resource}"}}]}}"#
    )
}

fn json(cmd: &mut Command) -> (i32, Value) {
    let out = cmd.args(["--format", "json"]).output().expect("run");
    let v = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().expect("exit code"), v)
}

fn simulate(action: &str, resource: &str) -> Command {
    let mut cmd = bin();
    cmd.args([
        "policy",
        "simulate",
        "--action",
        action,
        "--resource",
        resource,
    ])
    .args(["--principal", SESSION]);
    cmd
}

#[test]
fn an_identity_policy_allows_and_the_json_names_the_deciding_statement() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "s3-read.json",
        &allow("s3:GetObject", "arn:aws:s3:::bucket/*"),
    );
    let (code, v) = json(
        simulate("s3:getobject", "arn:aws:s3:::bucket/k")
            .args(["--identity-policy", p.to_str().unwrap()]),
    );
    assert_eq!(code, 0);
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["deciding"][0]["policy"], "s3-read");
    assert_eq!(v["deciding"][0]["kind"], "identity");
    assert_eq!(v["deciding"][0]["statement"], 0);
    assert_eq!(v["policies"][0]["statements"][0]["applies"], true);
    assert_eq!(v["unknowns"][0]["what"], "SCPs not considered");
}

#[test]
fn the_text_trace_marks_the_deciding_statement_and_says_what_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "s3-read.json",
        &allow("s3:GetObject", "arn:aws:s3:::bucket/*"),
    );
    simulate("s3:GetObject", "arn:aws:s3:::bucket/k")
        .args(["--identity-policy", p.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("decision: allow"))
        .stdout(predicate::str::contains("▶ statement 1: Allow — applies"))
        .stdout(predicate::str::contains("? SCPs not considered"));
}

#[test]
fn an_explicit_deny_anywhere_wins_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "admin.json", &allow("*", "*"));
    let scp = write(
        dir.path(),
        "deny-s3-delete.json",
        &allow("s3:Delete*", "*").replace("Allow", "Deny"),
    );
    let full = write(dir.path(), "full-access.json", &allow("*", "*"));
    let (code, v) = json(
        simulate("s3:DeleteObject", "arn:aws:s3:::bucket/k")
            .args(["--identity-policy", a.to_str().unwrap()])
            .args(["--scp", full.to_str().unwrap()])
            .args(["--scp", scp.to_str().unwrap()]),
    );
    assert_eq!(code, 1);
    assert_eq!(v["decision"], "explicit-deny");
    assert_eq!(v["deciding"][0]["policy"], "deny-s3-delete");
    assert_eq!(v["deciding"][0]["kind"], "scp");
}

#[test]
fn a_boundary_removes_an_action_the_role_policy_grants() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "admin.json", &allow("*", "*"));
    let b = write(dir.path(), "boundary.json", &allow("s3:Get*", "*"));
    let (code, v) = json(
        simulate("s3:PutObject", "arn:aws:s3:::bucket/k")
            .args(["--identity-policy", a.to_str().unwrap()])
            .args(["--boundary", b.to_str().unwrap()]),
    );
    assert_eq!(code, 1);
    assert_eq!(v["decision"], "implicit-deny");
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("permissions boundary"),
        "{v}"
    );
}

#[test]
fn across_accounts_the_resource_policy_must_allow_too() {
    let dir = tempfile::tempdir().unwrap();
    let a = write(dir.path(), "read.json", &allow("s3:GetObject", "*"));
    let bucket = write(
        dir.path(),
        "bucket.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::their-bucket/*"}]}"#,
    );
    let base = || {
        let mut c = simulate("s3:GetObject", "arn:aws:s3:::their-bucket/k");
        c.args(["--identity-policy", a.to_str().unwrap()])
            .args(["--resource-account", "444455556666"]);
        c
    };
    let (code, v) = json(&mut base());
    assert_eq!((code, v["decision"].as_str()), (1, Some("implicit-deny")));
    assert_eq!(v["cross_account"], true);
    let (code, v) = json(base().args(["--resource-policy", bucket.to_str().unwrap()]));
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")), "{v}");
    assert_eq!(v["deciding"][1]["kind"], "resource-policy");
}

#[test]
fn pod_identity_abac_keys_and_multi_valued_keys_reach_the_conditions() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(
        dir.path(),
        "abac.json",
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::shared/${aws:PrincipalTag/kubernetes-namespace}/*","Condition":{"ForAllValues:StringEquals":{"aws:TagKeys":["team","env"]}}}]}"#,
    );
    let run = |ns: &str, keys: &[&str]| {
        let mut c = simulate("s3:GetObject", &format!("arn:aws:s3:::shared/{ns}/file"));
        c.args(["--identity-policy", p.to_str().unwrap()])
            .args(["--key", "aws:PrincipalTag/kubernetes-namespace=team-a"]);
        for k in keys {
            c.args(["--key", k]);
        }
        json(&mut c)
    };
    assert_eq!(
        run("team-a", &["aws:TagKeys=team", "aws:TagKeys=env"]).1["decision"],
        "allow"
    );
    assert_eq!(run("team-b", &[]).1["decision"], "implicit-deny");
    assert_eq!(
        run("team-a", &["aws:TagKeys=team", "aws:TagKeys=owner"]).1["decision"],
        "implicit-deny"
    );
}

#[test]
fn bad_input_is_one_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let broken = write(
        dir.path(),
        "broken.json",
        r#"{"Statement":[{"Effect":"Allw","Action":"*","Resource":"*"}]}"#,
    );
    let out = simulate("s3:GetObject", "arn:aws:s3:::b/k")
        .args(["--identity-policy", broken.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(
        err.contains("--identity-policy") && err.contains("broken.json"),
        "{err}"
    );
    simulate("GetObject", "arn:aws:s3:::b/k")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected SERVICE:ACTION"));
    simulate("s3:GetObject", "my-bucket")
        .assert()
        .code(2)
        .stderr(predicate::str::contains("expected an ARN"));
}

fn can_i(action: &str, resource: &str, pod: &str) -> Command {
    let mut cmd = bin();
    cmd.args(["--demo", "can-i", action, resource, "--pod", pod]);
    cmd
}

#[test]
fn on_the_demo_the_s3_reader_pod_can_read_but_not_write_its_bucket() {
    let (code, v) = json(&mut can_i(
        "s3:GetObject",
        "arn:aws:s3:::my-app-bucket/x",
        "demo/s3-test",
    ));
    assert_eq!(code, 0, "{v}");
    assert_eq!(v["decision"], "allow");
    assert_eq!(v["identity"]["kind"], "irsa");
    assert_eq!(
        v["identity"]["role_arn"],
        "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"
    );
    assert!(
        v["identity"]["session_arn"].as_str().unwrap().starts_with(
            "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/"
        )
    );
    assert_eq!(v["deciding"][0]["policy"], "irsa-lab-s3-read-policy");
    assert!(
        v["deciding"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["kind"] == "permissions-boundary"),
        "{v}"
    );
    let (code, v) = json(&mut can_i(
        "s3:PutObject",
        "arn:aws:s3:::my-app-bucket/x",
        "demo/s3-test",
    ));
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("implicit-deny")),
        "{v}"
    );
}

#[test]
fn on_the_demo_the_demo2_pod_never_gets_the_role() {
    let (code, v) = json(&mut can_i(
        "s3:GetObject",
        "arn:aws:s3:::my-app-bucket/x",
        "demo2/s3-negative",
    ));
    assert_eq!(code, 1, "{v}");
    assert_ne!(v["decision"], "allow");
    assert_eq!(
        v["identity"]["intended_role_arn"],
        "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"
    );
    assert_ne!(
        v["identity"]["role_arn"],
        "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"
    );
    assert!(
        v["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["code"].as_str().is_some_and(|c| c.starts_with("IRSA"))),
        "{v}"
    );
}

#[test]
fn on_the_demo_the_node_role_fallback_pod_can_do_what_the_node_role_can() {
    let pod = "broken/node-role-fallback-5vzmp67gtl-z5qtw";
    let (code, v) = json(&mut can_i(
        "s3:PutObject",
        "arn:aws:s3:::irsa-lab-legacy-reports/r.csv",
        pod,
    ));
    assert_eq!(v["identity"]["kind"], "node-role", "{v}");
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")), "{v}");
    assert!(
        v["identity"]["role_arn"]
            .as_str()
            .unwrap()
            .contains("NodeInstanceRole")
    );
    assert!(
        v["identity"]["session_arn"]
            .as_str()
            .unwrap()
            .contains("/i-"),
        "{v}"
    );
}

#[test]
fn can_i_names_a_missing_pod_in_one_line() {
    let out = can_i("s3:GetObject", "arn:aws:s3:::b/k", "demo/nope")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("pod demo/nope not found"), "{err}");
}

#[test]
fn on_the_demo_an_scp_guardrail_denies_deleting_the_bucket_and_the_bucket_policy_is_read() {
    let (code, v) = json(&mut can_i(
        "s3:DeleteBucket",
        "arn:aws:s3:::my-app-bucket",
        "demo/s3-test",
    ));
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("explicit-deny")),
        "{v}"
    );
    assert_eq!(v["deciding"][0]["policy"], "protect-buckets");
    assert_eq!(v["deciding"][0]["kind"], "scp");
    assert_eq!(v["deciding"][0]["level"], "OU ou-a1b2-workloads");
    // Reading still works: every SCP level allows, the bucket policy is loaded (its TLS deny
    // depends on a key only known when the call is made, and says so).
    let (code, v) = json(&mut can_i(
        "s3:GetObject",
        "arn:aws:s3:::my-app-bucket/x",
        "demo/s3-test",
    ));
    assert_eq!(code, 0, "{v}");
    let unknowns = v["unknowns"].to_string();
    assert!(!unknowns.contains("SCPs not considered"), "{unknowns}");
    assert!(!unknowns.contains("not loaded"), "{unknowns}");
    assert!(unknowns.contains("aws:SecureTransport"), "{unknowns}");
    assert!(
        v["trace"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "resource-policy"),
        "{v}"
    );
}

#[test]
fn can_i_for_a_service_account_uses_its_pod_and_says_so() {
    let mut cmd = bin();
    cmd.args([
        "--demo",
        "can-i",
        "s3:GetObject",
        "arn:aws:s3:::my-app-bucket/x",
    ])
    .args(["--sa", "demo2/s3-reader"]);
    let (code, v) = json(&mut cmd);
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("no-credentials")),
        "{v}"
    );
    assert_eq!(v["identity"]["pod"], "demo2/s3-negative");
    assert!(
        v["identity"]["notes"]
            .to_string()
            .contains("evaluated as its pod s3-negative"),
        "{v}"
    );
    // A ServiceAccount no pod runs as has no credential chain to follow: one line, exit 2.
    let out = bin()
        .args([
            "--demo",
            "can-i",
            "s3:GetObject",
            "arn:aws:s3:::b/k",
            "--sa",
            "kube-system/default",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("has no pod") && err.contains("policy simulate"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

fn can_i_sa(action: &str, resource: &str, sa: &str) -> Command {
    let mut cmd = bin();
    cmd.args(["--demo", "can-i", action, resource, "--sa", sa]);
    cmd
}

fn deciding_kinds(v: &Value) -> Vec<String> {
    v["deciding"]
        .as_array()
        .map(|d| {
            d.iter()
                .filter_map(|x| x["kind"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn on_the_demo_pod_identity_abac_admits_the_pods_own_namespace_prefix_only() {
    let (code, v) = json(&mut can_i_sa(
        "s3:PutObject",
        "arn:aws:s3:::irsa-lab-tenant-data/orders/2026/04/10.json",
        "orders/orders-api",
    ));
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")), "{v}");
    assert_eq!(v["identity"]["kind"], "pod-identity");
    assert_eq!(v["deciding"][0]["sid"], "OwnNamespacePrefix", "{v}");
    let (code, v) = json(&mut can_i_sa(
        "s3:PutObject",
        "arn:aws:s3:::irsa-lab-tenant-data/payments/2026/04/10.json",
        "orders/orders-api",
    ));
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("implicit-deny")),
        "{v}"
    );
}

#[test]
fn on_the_demo_the_boundary_removes_a_grant_and_the_reason_says_so() {
    let (code, v) = json(&mut can_i_sa(
        "sns:Publish",
        "arn:aws:sns:eu-west-1:123456789012:order-events",
        "orders/orders-api",
    ));
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("implicit-deny")),
        "{v}"
    );
    let reason = v["reason"].as_str().unwrap();
    assert!(
        reason.contains("OrderEvents") && reason.contains("permissions boundary"),
        "{reason}"
    );
}

#[test]
fn on_the_demo_an_association_session_policy_narrows_the_role() {
    // The role may write the bucket; the association's session policy only lets it read daily/.
    let (code, v) = json(&mut can_i_sa(
        "s3:PutObject",
        "arn:aws:s3:::irsa-lab-reports/daily/2026-04-10.csv",
        "reports/exporter",
    ));
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("implicit-deny")),
        "{v}"
    );
    assert!(
        v["reason"].as_str().unwrap().contains("session policy"),
        "{v}"
    );
    assert!(
        v["trace"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "session-policy"),
        "{v}"
    );
    let (code, v) = json(&mut can_i_sa(
        "s3:GetObject",
        "arn:aws:s3:::irsa-lab-reports/daily/2026-04-10.csv",
        "reports/exporter",
    ));
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")), "{v}");
    assert!(
        deciding_kinds(&v).contains(&"session-policy".to_owned()),
        "{v}"
    );
}

#[test]
fn on_the_demo_a_kms_key_policy_without_iam_delegation_voids_the_role_grant() {
    let (code, v) = json(&mut can_i(
        "kms:Decrypt",
        "arn:aws:kms:eu-west-1:123456789012:key/5f0e2c41-9a7b-4d3e-8c21-7b6a0f9d2e18",
        "tf-demo/tf-s3-test",
    ));
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("implicit-deny")),
        "{v}"
    );
    assert!(
        v["reason"].as_str().unwrap().contains("delegates to IAM"),
        "{v}"
    );
}

#[test]
fn on_the_demo_the_upgraded_controller_misses_a_newer_permission() {
    let (code, v) = json(&mut can_i_sa(
        "elasticloadbalancing:DescribeListenerAttributes",
        "*",
        "kube-system/aws-load-balancer-controller",
    ));
    assert_eq!(
        (code, v["decision"].as_str()),
        (1, Some("implicit-deny")),
        "{v}"
    );
    assert!(
        v["reason"]
            .as_str()
            .unwrap()
            .contains("no identity policy allows"),
        "{v}"
    );
    // The actions the policy does list still work.
    let (code, v) = json(&mut can_i_sa(
        "elasticloadbalancing:DescribeListeners",
        "*",
        "kube-system/aws-load-balancer-controller",
    ));
    assert_eq!((code, v["decision"].as_str()), (0, Some("allow")), "{v}");
}
