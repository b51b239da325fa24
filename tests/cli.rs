//! The command line as a user drives it: real binary, real files, exit codes and one-line errors.

use assert_cmd::Command;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use predicates::prelude::*;
use std::io::Write;

const ISSUER_HOST: &str = "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli");

fn bin() -> Command {
    Command::cargo_bin("irsa-inspector").expect("binary built")
}

fn trust_eval(sub: &str) -> Command {
    let mut cmd = bin();
    cmd.args([
        "trust",
        "evaluate",
        "--policy",
        &format!("{FIXTURES}/s3-reader-trust.json"),
    ])
    .args(["--federated", PROVIDER])
    .args(["--key", &format!("{ISSUER_HOST}:sub={sub}")])
    .args(["--key", &format!("{ISSUER_HOST}:aud=sts.amazonaws.com")]);
    cmd
}

#[test]
fn trust_evaluate_allows_the_pinned_service_account() {
    trust_eval("system:serviceaccount:demo:s3-reader")
        .assert()
        .code(0)
        .stdout(predicate::str::contains("decision: ALLOW"));
}

#[test]
fn trust_evaluate_denies_another_namespace_and_shows_expected_and_actual_sub() {
    trust_eval("system:serviceaccount:demo2:s3-reader")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("IMPLICIT DENY"))
        .stdout(predicate::str::contains(
            "expected: system:serviceaccount:demo:s3-reader",
        ))
        .stdout(predicate::str::contains(
            "actual:   system:serviceaccount:demo2:s3-reader",
        ));
}

#[test]
fn trust_evaluate_json_has_decision_and_trace() {
    let out = trust_eval("system:serviceaccount:demo2:s3-reader")
        .args(["--format", "json"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json output");
    assert_eq!(v["decision"], "implicit-deny");
    let conditions = v["statements"][0]["conditions"]
        .as_array()
        .expect("trace of conditions");
    let sub = conditions
        .iter()
        .find(|c| c["key"].as_str().is_some_and(|k| k.ends_with(":sub")))
        .expect(":sub condition traced");
    assert_eq!(sub["passed"], false);
    assert_eq!(sub["actual"][0], "system:serviceaccount:demo2:s3-reader");
}

#[test]
fn trust_evaluate_reads_standard_input_and_url_encoded_documents() {
    let text =
        std::fs::read_to_string(format!("{FIXTURES}/s3-reader-trust.json")).expect("fixture");
    let encoded = percent_encoding::utf8_percent_encode(&text, percent_encoding::NON_ALPHANUMERIC)
        .to_string();
    bin()
        .args([
            "trust",
            "evaluate",
            "--policy",
            "-",
            "--federated",
            PROVIDER,
        ])
        .args([
            "--key",
            &format!("{ISSUER_HOST}:sub=system:serviceaccount:demo:s3-reader"),
        ])
        .args(["--key", &format!("{ISSUER_HOST}:aud=sts.amazonaws.com")])
        .write_stdin(encoded)
        .assert()
        .code(0);
}

#[test]
fn malformed_policy_is_one_line_naming_the_file_exit_2() {
    let mut f = tempfile::NamedTempFile::new().expect("temp");
    write!(f, r#"{{"Statement": {{"Effect": "Allow", "Action": "sts:*", "Condition": {{"StringEqualz": {{"a": "b"}}}}}}}}"#)
        .expect("write");
    let path = f.path().display().to_string();
    let out = bin()
        .args([
            "trust",
            "evaluate",
            "--policy",
            &path,
            "--federated",
            PROVIDER,
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(err.contains(&path) && err.contains("StringEqualz"), "{err}");
}

#[test]
fn missing_file_and_bad_key_are_clear_errors() {
    let out = bin()
        .args([
            "trust",
            "evaluate",
            "--policy",
            "/nonexistent/trust.json",
            "--federated",
            PROVIDER,
        ])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/trust.json"));

    let out = trust_eval("x")
        .args(["--key", "no-equals-sign"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("NAME=VALUE"));
}

fn fake_token(claims: serde_json::Value) -> (String, String) {
    let header = URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","kid":"demo-key"}"#);
    let payload = URL_SAFE_NO_PAD.encode(claims.to_string());
    let signature = URL_SAFE_NO_PAD.encode(b"fake-signature-not-a-real-token");
    (format!("{header}.{payload}.{signature}"), signature)
}

#[test]
fn decode_token_shows_claims_and_lifetime_never_the_signature() {
    let (token, signature) = fake_token(serde_json::json!({
        "aud": ["sts.amazonaws.com"], "exp": 1775899819, "iat": 1775813419,
        "iss": format!("https://{ISSUER_HOST}"),
        "kubernetes.io": {"namespace": "demo", "pod": {"name": "s3-test"}, "serviceaccount": {"name": "s3-reader"}},
        "sub": "system:serviceaccount:demo:s3-reader"
    }));
    for format in ["text", "json"] {
        let out = bin()
            .args([
                "decode-token",
                "-",
                "--format",
                format,
                "--now",
                "2026-04-10T10:00:00Z",
            ])
            .write_stdin(token.clone())
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains("system:serviceaccount:demo:s3-reader"),
            "{stdout}"
        );
        assert!(stdout.contains("s3-test"));
        assert!(
            !stdout.contains(&signature),
            "signature leaked in {format} output"
        );
        assert!(!stdout.contains(&token), "raw token leaked");
    }
    bin()
        .args(["decode-token", "-", "--now", "2026-04-10T10:00:00Z"])
        .write_stdin(token)
        .assert()
        .stdout(predicate::str::contains("ttl          1d"))
        .stdout(predicate::str::contains("remaining    23h 30m 19s"));
}

#[test]
fn decode_token_rejects_garbage_without_echoing_it() {
    let out = bin()
        .args(["decode-token", "-"])
        .write_stdin("secretpart1.secretpart2")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    assert!(err.contains("standard input"));
    assert!(!err.contains("secretpart"), "error echoes the token: {err}");
}

#[test]
fn webhook_predict_prints_the_patch_and_keeps_unrelated_fields() {
    let out = bin()
        .args([
            "webhook",
            "predict",
            "--format",
            "json",
            "--region",
            "eu-west-1",
            "--sts-regional",
        ])
        .args([
            "--service-account",
            &format!("{FIXTURES}/s3-reader-sa.yaml"),
        ])
        .args(["--pod", &format!("{FIXTURES}/s3-test-pod.yaml")])
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(v["mode"], "irsa");
    let patch = v["patch"].as_array().expect("patch ops");
    let containers = patch
        .iter()
        .find(|op| op["path"] == "/spec/containers")
        .expect("containers op");
    let c = &containers["value"][0];
    assert_eq!(
        c["readinessProbe"]["grpc"]["port"], 8080,
        "unrelated fields survive"
    );
    let env: Vec<(&str, &str)> = c["env"]
        .as_array()
        .expect("env")
        .iter()
        .map(|e| {
            (
                e["name"].as_str().unwrap_or(""),
                e["value"].as_str().unwrap_or(""),
            )
        })
        .collect();
    assert!(env.contains(&(
        "AWS_ROLE_ARN",
        "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"
    )));
    assert!(env.contains(&("AWS_STS_REGIONAL_ENDPOINTS", "regional")));
    assert!(env.contains(&("AWS_REGION", "eu-west-1")));
}

#[test]
fn webhook_predict_diff_reports_an_unmutated_pod() {
    bin()
        .args(["webhook", "predict", "--diff"])
        .args([
            "--service-account",
            &format!("{FIXTURES}/s3-reader-sa.yaml"),
        ])
        .args(["--pod", &format!("{FIXTURES}/s3-test-pod.yaml")])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("diff:"))
        .stdout(predicate::str::contains("AWS_ROLE_ARN"));
}

#[test]
fn webhook_predict_for_pod_identity_on_an_ipv6_cluster_injects_the_agents_ipv6_address() {
    let predict = |ipv6: bool| {
        let mut cmd = bin();
        cmd.args(["webhook", "predict", "--pod-identity", "--format", "json"])
            .args([
                "--service-account",
                &format!("{FIXTURES}/s3-reader-sa.yaml"),
            ])
            .args(["--pod", &format!("{FIXTURES}/s3-test-pod.yaml")]);
        if ipv6 {
            cmd.arg("--ipv6");
        }
        let out = cmd.output().expect("run");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
        assert_eq!(v["mode"], "pod-identity");
        v.to_string()
    };
    let v6 = predict(true);
    assert!(v6.contains("http://[fd00:ec2::23]/v1/credentials"), "{v6}");
    assert!(!v6.contains("169.254.170.23"), "{v6}");
    let v4 = predict(false);
    assert!(v4.contains("http://169.254.170.23/v1/credentials"), "{v4}");
    // --ipv6 alone means nothing: it is refused, not ignored.
    let out = bin()
        .args(["webhook", "predict", "--ipv6"])
        .args([
            "--service-account",
            &format!("{FIXTURES}/s3-reader-sa.yaml"),
        ])
        .args(["--pod", &format!("{FIXTURES}/s3-test-pod.yaml")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn webhook_predict_on_a_non_pod_file_is_exit_2() {
    let out = bin()
        .args([
            "webhook",
            "predict",
            "--service-account",
            &format!("{FIXTURES}/s3-reader-sa.yaml"),
        ])
        .args(["--pod", &format!("{FIXTURES}/s3-reader-trust.json")])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("s3-reader-trust.json"));
}

#[test]
fn explain_sa_shows_the_chain_the_broken_link_and_the_sub_values() {
    bin()
        .args(["explain", "sa", "demo2/s3-reader", "--demo"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("[✓] OIDC provider registered"))
        .stdout(predicate::str::contains("[✗] trust allows"))
        .stdout(predicate::str::contains("first broken link"))
        .stdout(predicate::str::contains(
            "expected: system:serviceaccount:demo:s3-reader",
        ))
        .stdout(predicate::str::contains(
            "actual:   system:serviceaccount:demo2:s3-reader",
        ))
        .stdout(predicate::str::contains("IRSA003"));
}

#[test]
fn explain_pod_shows_token_chain_and_node_without_the_signature() {
    let out = bin()
        .args(["explain", "pod", "demo/s3-test", "--demo"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "IRSA-mutated",
        "matches what the webhook would inject today",
        "sub   system:serviceaccount:demo:s3-reader",
        "awscli → IRSA eks-irsa-lab-demo-s3-reader-role",
        "HttpPutResponseHopLimit",
        "signature: present, not shown",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in:\n{text}");
    }
    let signature = URL_SAFE_NO_PAD.encode(b"fake-signature-not-a-real-token");
    assert!(!text.contains(&signature), "signature leaked");
}

#[test]
fn explain_unknown_subject_or_bad_name_is_exit_2() {
    for args in [
        ["explain", "pod", "demo/nope"],
        ["explain", "sa", "no-slash"],
    ] {
        let out = bin().args(args).arg("--demo").output().expect("run");
        assert_eq!(out.status.code(), Some(2));
        assert_eq!(
            String::from_utf8_lossy(&out.stderr)
                .trim_end()
                .lines()
                .count(),
            1
        );
    }
}

#[test]
fn malformed_principal_arn_is_exit_2_naming_the_part() {
    let out = bin()
        .args([
            "trust",
            "evaluate",
            "--policy",
            &format!("{FIXTURES}/s3-reader-trust.json"),
        ])
        .args(["--federated", "arn:aws:iam::1234:oidc-provider/x"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--federated") && err.contains("12 digits"),
        "{err}"
    );
}

#[test]
fn an_empty_cluster_snapshot_is_exit_2() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("kubernetes.json"),
        r#"{"apiVersion":"v1","kind":"List","items":[]}"#,
    )
    .expect("write");
    let out = bin()
        .args(["audit", "--snapshot", &dir.path().display().to_string()])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no ServiceAccounts, pods or nodes"), "{err}");
}

#[test]
fn a_reader_that_closes_the_pipe_ends_the_command_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    // The demo's JSON audit (~100 KB) is more than a pipe holds: the writer must meet the
    // closed pipe, as `irsa-inspector audit --demo --format json | head -1` does.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_irsa-inspector"))
        .args(["audit", "--demo", "--format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    BufReader::new(child.stdout.take().expect("stdout"))
        .read_line(&mut first)
        .expect("first line");
    assert_eq!(first.trim(), "{");
    // The reader (and with it the pipe) is dropped here.
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(stderr.is_empty(), "nothing on stderr: {stderr}");
    assert_eq!(
        out.status.code(),
        Some(141),
        "128 + SIGPIPE, as a shell reports it"
    );
}

#[test]
fn aws_flags_are_accepted_after_the_subcommand_too() {
    // --region and --profile after the subcommand, as with the AWS CLI.
    bin()
        .args(["audit", "--demo", "--region", "eu-west-1", "--profile", "p"])
        .assert()
        .code(0);
    bin()
        .args(["--region", "eu-west-1", "audit", "--demo"])
        .assert()
        .code(0);
}
