//! Hostile and odd input through the public entry points, as an attacker with IAM or kubectl
//! access could write it: IAM documents (`trust evaluate`), JWTs (`decode-token`),
//! Kubernetes objects and snapshot folders (`audit --snapshot`), pods (`webhook predict`) and
//! the terminal UI's frames. Every case must end in a one-line error (exit 2) or a finding
//! naming the place, quickly, and never write a control character to the terminal.

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use irsa_core::dataset::Dataset;
use irsa_core::snapshot;
use irsa_inspector::action::Action;
use irsa_inspector::action::Pane;
use irsa_inspector::messages::{DataOrigin, SourceEvent};
use irsa_inspector::state::State;
use irsa_inspector::ui;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
const DEMO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/demo");
const CLI_FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli");
/// Names an attacker can give objects: terminal escapes (clear screen, set title, OSC 52
/// clipboard write, 8-bit CSI), carriage return and bidi override.
const EVIL: [&str; 5] = [
    "evil\u{1b}[2J\u{1b}]0;pwned\u{7}",
    "clip\u{1b}]52;c;cm0gLXJmIH4=\u{7}",
    "csi\u{9b}31m",
    "over\rwrite",
    "rtl\u{202e}txt.exe",
];

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("irsa-inspector").expect("binary built");
    cmd.env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .timeout(Duration::from_secs(60));
    cmd
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Exit 2 with exactly one line on stderr that contains every `needles`, nothing on stdout.
fn assert_one_line_error(out: &Output, needles: &[&str], case: &str) {
    let err = text(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{case}: expected exit 2\nstderr: {err}\nstdout: {}",
        text(&out.stdout)
    );
    assert_eq!(
        err.trim_end().lines().count(),
        1,
        "{case}: not one line: {err}"
    );
    for n in needles {
        assert!(err.contains(n), "{case}: {n:?} missing from {err}");
    }
    assert_no_control(&err, case);
}

/// No control character but newline and tab, no bidi override.
fn assert_no_control(output: &str, case: &str) {
    if let Some((at, c)) = output
        .char_indices()
        .find(|(_, c)| (c.is_control() && *c != '\n' && *c != '\t') || is_bidi(*c))
    {
        let line_start = output[..at].rfind('\n').map_or(0, |i| i + 1);
        let line_end = output[at..].find('\n').map_or(output.len(), |i| at + i);
        let line: String = output[line_start..line_end].chars().take(300).collect();
        panic!("{case}: control character {c:?} reaches the terminal in line {line:?}");
    }
}

/// No C0/C1 control character and no bidi control: what could drive the terminal or reorder
/// what is read. (The UI's frames are checked with this: every drawn cell passes through the
/// UI's scrub.)
fn assert_no_terminal_control(output: &str, case: &str) {
    if let Some(c) = output
        .chars()
        .find(|c| (c.is_control() && *c != '\n') || is_bidi(*c))
    {
        panic!("{case}: control character {c:?} reaches the terminal");
    }
}

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

// ---------------------------------------------------------------------------------------------
// IAM documents: `trust evaluate`

fn trust_evaluate(policy: &[u8]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("trust.json");
    std::fs::write(&path, policy).expect("write policy");
    bin()
        .args(["trust", "evaluate", "--policy", &path.display().to_string()])
        .args(["--federated", PROVIDER])
        .args(["--key", "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub=system:serviceaccount:demo:s3-reader"])
        .output()
        .expect("run")
}

fn statement(extra: Value) -> Value {
    let mut s = json!({"Effect": "Allow", "Principal": {"Federated": PROVIDER},
                       "Action": "sts:AssumeRoleWithWebIdentity"});
    if let (Some(s), Some(extra)) = (s.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            s.insert(k.clone(), v.clone());
        }
    }
    s
}

fn doc(statement: Value) -> Vec<u8> {
    json!({"Version": "2012-10-17", "Statement": [statement]})
        .to_string()
        .into_bytes()
}

#[test]
fn malformed_iam_documents_are_one_line_errors_naming_the_place() {
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let nested = format!("{}{}", "{\"a\":".repeat(5_000), "}".repeat(5_000));
    let deep_condition = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"sts:*","Condition":{nested}}}]}}"#
    );
    let cases: Vec<(&str, Vec<u8>, Vec<&str>)> = vec![
        ("empty file", Vec::new(), vec!["trust.json"]),
        ("NUL bytes", b"\0\0\0".to_vec(), vec!["trust.json"]),
        ("not UTF-8", vec![0xff, 0xfe, 0x7b], vec!["trust.json"]),
        ("deep nesting", deep.into_bytes(), vec!["trust.json"]),
        (
            "deep condition",
            deep_condition.into_bytes(),
            vec!["trust.json"],
        ),
        ("a JSON array", b"[1,2,3]".to_vec(), vec!["trust.json"]),
        ("a number", b"42".to_vec(), vec!["trust.json"]),
        (
            "Effect a number",
            doc(statement(json!({"Effect": 1}))),
            vec!["Effect", "statement"],
        ),
        (
            "Action a number",
            doc(statement(json!({"Action": [1]}))),
            vec!["Action"],
        ),
        (
            "Principal a boolean",
            doc(statement(json!({"Principal": {"Federated": true}}))),
            vec!["Federated"],
        ),
        (
            "condition value an object",
            doc(statement(
                json!({"Condition": {"StringEquals": {"k": {"nested": 1}}}}),
            )),
            vec!["StringEquals"],
        ),
        (
            "unknown operator",
            doc(statement(
                json!({"Condition": {"StringEqualz": {"k": "v"}}}),
            )),
            vec!["StringEqualz"],
        ),
        (
            "unknown qualifier",
            doc(statement(
                json!({"Condition": {"ForSomeValues:StringEquals": {"k": "v"}}}),
            )),
            vec!["ForSomeValues:StringEquals"],
        ),
        (
            "IfExists on Null",
            doc(statement(
                json!({"Condition": {"NullIfExists": {"k": "true"}}}),
            )),
            vec!["NullIfExists"],
        ),
        (
            "invalid URL-encoding",
            b"%7B%22Version%22%3A%ZZ".to_vec(),
            vec!["trust.json"],
        ),
        (
            "URL-encoding of bytes that are not UTF-8",
            b"%7B%FF%FE%7D".to_vec(),
            vec!["UTF-8"],
        ),
        (
            "truncated",
            br#"{"Version":"2012-10-17","Statement":[{"Effect":"Al"#.to_vec(),
            vec!["trust.json"],
        ),
        (
            "escape sequences in an unknown element",
            doc(statement(json!({"\u{1b}[2JEvil": 1}))),
            vec!["Evil"],
        ),
    ];
    for (case, policy, needles) in cases {
        let start = Instant::now();
        let out = trust_evaluate(&policy);
        assert_one_line_error(&out, &needles, case);
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "{case}: took {:?}",
            start.elapsed()
        );
    }
}

#[test]
fn big_and_odd_but_legal_documents_are_evaluated() {
    // 100 KB of one Action list; 2,000 statements; numbers and booleans as condition values.
    let actions: Vec<String> = (0..6_000).map(|i| format!("sts:Action{i:05}")).collect();
    let big = doc(statement(json!({"Action": actions})));
    assert!(big.len() > 100_000);
    let many: Vec<Value> = (0..2_000)
        .map(|i| statement(json!({"Sid": format!("s{i}"), "Effect": if i == 1_999 { "Allow" } else { "Deny" },
                                   "Action": if i == 1_999 { "sts:AssumeRoleWithWebIdentity" } else { "sts:TagSession" }})))
        .collect();
    let many = json!({"Version": "2012-10-17", "Statement": many})
        .to_string()
        .into_bytes();
    let typed = doc(statement(json!({"Condition": {
        "NumericLessThan": {"aws:MultiFactorAuthAge": 3600},
        "Bool": {"aws:SecureTransport": true}}})));
    let hostile_values = doc(statement(json!({"Condition": {"StringEquals": {
        "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub":
            EVIL.to_vec()}}})));
    for (case, policy, code) in [
        ("100 KB Action list", big, 1),
        ("2,000 statements", many, 0),
        ("numbers and booleans", typed, 1),
        ("escape sequences as values", hostile_values, 1),
    ] {
        let start = Instant::now();
        let out = trust_evaluate(&policy);
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(code),
            "{case}: {stdout}{}",
            text(&out.stderr)
        );
        assert!(stdout.contains("decision:"), "{case}: {stdout}");
        assert_no_control(&stdout, case);
        assert!(start.elapsed() < Duration::from_secs(20), "{case}: slow");
    }
}

// ---------------------------------------------------------------------------------------------
// JWTs: `decode-token`

fn b64(v: &Value) -> String {
    URL_SAFE_NO_PAD.encode(v.to_string())
}

const SIGNATURE: &str = "c2lnbmF0dXJlLXRoYXQtbXVzdC1uZXZlci1iZS1wcmludGVk";

fn jwt(claims: Value) -> String {
    format!(
        "{}.{}.{SIGNATURE}",
        b64(&json!({"alg": "RS256"})),
        b64(&claims)
    )
}

fn decode_token(token: &str) -> Output {
    bin()
        .args(["decode-token", "-", "--now", "2026-04-10T10:00:00Z"])
        .write_stdin(token.to_owned())
        .output()
        .expect("run")
}

#[test]
fn malformed_tokens_are_one_line_errors_that_never_echo_the_token() {
    let header = b64(&json!({"alg": "RS256"}));
    let payload = b64(&json!({"sub": "system:serviceaccount:demo:s3-reader"}));
    let cases: Vec<(&str, String, Vec<&str>)> = vec![
        ("empty", String::new(), vec!["empty"]),
        ("one part", payload.clone(), vec!["1 dot-separated part"]),
        (
            "two parts",
            format!("{header}.{payload}"),
            vec!["2 dot-separated"],
        ),
        (
            "four parts",
            format!("{header}.{payload}.{SIGNATURE}.x"),
            vec!["4 dot-separated"],
        ),
        ("JWE", format!("{header}.a.b.c.d"), vec!["JWE"]),
        (
            "empty signature",
            format!("{header}.{payload}."),
            vec!["signature"],
        ),
        (
            "bad base64",
            format!("{header}.@@@@.{SIGNATURE}"),
            vec!["payload", "base64url"],
        ),
        (
            "standard alphabet",
            format!("{header}.ab+/.{SIGNATURE}"),
            vec!["base64url"],
        ),
        (
            "not JSON",
            format!(
                "{header}.{}.{SIGNATURE}",
                URL_SAFE_NO_PAD.encode("not json at all")
            ),
            vec!["not JSON"],
        ),
        (
            "JSON array",
            format!("{header}.{}.{SIGNATURE}", b64(&json!([1, 2]))),
            vec!["not an object"],
        ),
        (
            "aud a number",
            jwt(json!({"aud": 3})),
            vec!["aud", "a number"],
        ),
        (
            "aud an object",
            jwt(json!({"aud": {"x": 1}})),
            vec!["aud", "an object"],
        ),
        ("aud null", jwt(json!({"aud": null})), vec!["aud", "null"]),
        (
            "aud with a number",
            jwt(json!({"aud": ["sts.amazonaws.com", 3]})),
            vec!["aud", "number"],
        ),
        ("exp a string", jwt(json!({"exp": "tomorrow"})), vec!["exp"]),
        (
            "exp huge",
            jwt(json!({"exp": 1e300})),
            vec!["exp", "out of range"],
        ),
        (
            "kubernetes.io a list",
            jwt(json!({"kubernetes.io": []})),
            vec!["kubernetes.io"],
        ),
        (
            "pod without name",
            jwt(json!({"kubernetes.io": {"pod": {"uid": "u"}}})),
            vec!["kubernetes.io.pod.name"],
        ),
        (
            "binary garbage",
            "\u{0}\u{1b}[2J\u{7f}".to_owned(),
            vec!["part"],
        ),
    ];
    for (case, token, needles) in cases {
        let out = decode_token(&token);
        assert_one_line_error(&out, &needles, case);
        let err = text(&out.stderr);
        assert!(!err.contains(SIGNATURE), "{case}: signature echoed: {err}");
        assert!(
            payload.len() < 8 || !err.contains(&payload),
            "{case}: payload echoed: {err}"
        );
    }
}

#[test]
fn giant_and_hostile_claims_decode_without_escapes_or_signature() {
    let giant = "x".repeat(1_000_000);
    let token = jwt(json!({
        "sub": format!("system:serviceaccount:{}:sa", EVIL[0]),
        "iss": EVIL[2], "aud": EVIL.to_vec(), "iat": 1_775_813_419, "exp": 1_775_899_819,
        "kubernetes.io": {"namespace": EVIL[1], "pod": {"name": EVIL[3]}},
        "giant": giant,
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
        let stdout = text(&out.stdout);
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        assert!(!stdout.contains(SIGNATURE), "{format}: signature printed");
        assert_no_control(&stdout, format);
        assert!(
            stdout.contains("pwned"),
            "{format}: the claim is shown, escaped: {stdout}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Kubernetes objects and snapshot folders: `audit --snapshot DIR`

fn sa(ns: &str, name: &str, role_arn: Option<&str>) -> Value {
    let mut sa = json!({"apiVersion": "v1", "kind": "ServiceAccount",
                        "metadata": {"name": name, "namespace": ns}});
    if let Some(arn) = role_arn {
        sa["metadata"]["annotations"] = json!({"eks.amazonaws.com/role-arn": arn});
    }
    sa
}

fn pod(ns: &str, name: &str, sa: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": name, "namespace": ns},
           "spec": {"serviceAccountName": sa, "nodeName": "ip-10-0-1-10.eu-west-1.compute.internal",
                    "containers": [{"name": "app", "image": "public.ecr.aws/aws-cli/aws-cli:2.17.0"}]},
           "status": {"phase": "Running"}})
}

/// A snapshot folder: `kubernetes.json` holding `items` plus the demo's AWS files (so the
/// cluster, account and IAM are known), and `extra` files written as given.
fn snapshot_dir(items: &[Value], extra: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let list = json!({"apiVersion": "v1", "kind": "List", "items": items});
    std::fs::write(dir.path().join("kubernetes.json"), list.to_string()).expect("write");
    for name in [
        "eks-cluster.json",
        "sts-caller-identity.json",
        "iam-oidc-providers.json",
        "iam-authorization-details.json",
        "snapshot.json",
    ] {
        std::fs::copy(Path::new(DEMO).join(name), dir.path().join(name)).expect("copy");
    }
    for (name, bytes) in extra {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(path, bytes).expect("write extra");
    }
    dir
}

fn audit(dir: &Path, format: &str) -> Output {
    bin()
        .args([
            "audit",
            "--format",
            format,
            "--snapshot",
            &dir.display().to_string(),
        ])
        .output()
        .expect("run")
}

#[test]
fn corrupt_snapshot_files_are_one_line_errors_naming_the_file() {
    let ok = [sa("demo", "s3-reader", None)];
    let cases: Vec<(&str, &str, Vec<u8>, Vec<&str>)> = vec![
        ("truncated kubernetes.json", "kubernetes.json", br#"{"items": [{"kind": "Pod""#.to_vec(), vec!["kubernetes.json"]),
        ("items not a list", "kubernetes.json", br#"{"kind": "List", "items": 3}"#.to_vec(), vec!["kubernetes.json", "items"]),
        ("neither list nor object", "kubernetes.json", b"[]".to_vec(), vec!["kubernetes.json"]),
        ("not UTF-8", "kubernetes.json", vec![0xff, 0xfe, 0x00, 0x7b], vec!["kubernetes.json"]),
        ("pod with a string spec", "kubernetes.json",
            json!({"kind": "List", "items": [{"kind": "Pod", "metadata": {"name": "p", "namespace": "n"}, "spec": "oops"}]}).to_string().into_bytes(),
            vec!["kubernetes.json", "items[0]", "Pod n/p"]),
        ("IAM file of the wrong shape", "iam-authorization-details.json", br#"{"RoleDetailList": {"a": 1}}"#.to_vec(), vec!["iam-authorization-details.json"]),
        ("cluster file truncated", "eks-cluster.json", br#"{"cluster": {"name": "x", "#.to_vec(), vec!["eks-cluster.json"]),
        ("caller empty", "sts-caller-identity.json", Vec::new(), vec!["sts-caller-identity.json"]),
        ("deep nesting", "ec2-instances.json", format!("{}{}", "[".repeat(50_000), "]".repeat(50_000)).into_bytes(), vec!["ec2-instances.json"]),
    ];
    for (case, name, bytes, needles) in cases {
        let dir = snapshot_dir(&ok, &[(name, &bytes)]);
        let out = audit(dir.path(), "table");
        assert_one_line_error(&out, &needles, case);
    }

    // A folder that is not there, a file where the folder should be, a folder where a file
    // should be.
    let out = audit(Path::new("/nonexistent/snapshot"), "table");
    assert_one_line_error(&out, &["/nonexistent/snapshot"], "missing folder");
    let file = tempfile::NamedTempFile::new().expect("temp file");
    let out = audit(file.path(), "table");
    assert_one_line_error(&out, &[&file.path().display().to_string()], "a file");
    let dir = snapshot_dir(&ok, &[]);
    std::fs::remove_file(dir.path().join("eks-cluster.json")).expect("rm");
    std::fs::create_dir(dir.path().join("eks-cluster.json")).expect("mkdir");
    // Only regular files are read (`snapshot::files::list_files`): a directory named like a
    // snapshot file is a file that is not there, reported as unknown, not an error.
    let out = audit(dir.path(), "json");
    assert_eq!(
        out.status.code(),
        Some(0),
        "directory in place of a file: {}",
        text(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    assert!(
        report["unknowns"]
            .to_string()
            .contains("eks-cluster.json not in snapshot"),
        "{}",
        report["unknowns"]
    );
    assert_no_control(&text(&out.stderr), "directory in place of a file");
}

#[test]
fn missing_files_and_bad_tokens_become_problems_not_crashes() {
    let items = [
        sa(
            "demo",
            "s3-reader",
            Some("arn:aws:iam::123456789012:role/demo-s3-reader"),
        ),
        pod("demo", "s3-test", "s3-reader"),
    ];
    let dir = snapshot_dir(
        &items,
        &[
            ("tokens/demo.s3-test.jwt", b"garbage.not.atoken"),
            ("tokens/noseparator.jwt", b"x"),
            ("tokens/demo.other.jwt", &[0xff, 0xfe]),
        ],
    );
    for name in [
        "iam-authorization-details.json",
        "iam-oidc-providers.json",
        "sts-caller-identity.json",
    ] {
        std::fs::remove_file(dir.path().join(name)).expect("rm");
    }
    // A token file that is not UTF-8 is a one-line error naming it: the folder is read whole
    // (`snapshot::files` reads every token file as text) or not at all.
    let out = audit(dir.path(), "json");
    assert_one_line_error(&out, &["demo.other.jwt"], "token not UTF-8");
    std::fs::remove_file(dir.path().join("tokens/demo.other.jwt")).expect("rm");
    // Without it, the rest loads: missing files and undecodable tokens are unknowns, and with
    // no --fail-on the audit ends with 0.
    let out = audit(dir.path(), "json");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let report: Value = serde_json::from_slice(&out.stdout).expect("json report");
    let unknowns = report["unknowns"].to_string();
    for needle in [
        "iam-authorization-details.json",
        "sts-caller-identity.json",
        "noseparator.jwt",
    ] {
        assert!(
            unknowns.contains(needle),
            "{needle} not reported: {unknowns}"
        );
    }
}

#[test]
fn odd_kubernetes_objects_load_and_are_named_in_findings() {
    let huge_annotation = "a".repeat(1_000_000);
    let mut big_sa = sa(
        "demo",
        "huge",
        Some("arn:aws:iam::123456789012:role/demo-s3-reader"),
    );
    big_sa["metadata"]["annotations"]["notes"] = json!(huge_annotation);
    let containers: Vec<Value> = (0..10_000)
        .map(|i| json!({"name": format!("c{i}"), "image": "busybox"}))
        .collect();
    let mut wide = pod("demo", "wide", "huge");
    wide["spec"]["containers"] = json!(containers);
    let mut items = vec![
        big_sa,
        wide,
        // Missing fields: no namespace, no spec, no containers, no metadata name.
        json!({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "nons"}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nospec", "namespace": "demo"}}),
        json!({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "nocontainers", "namespace": "demo"}, "spec": {"containers": []}}),
        json!({"apiVersion": "v1", "kind": "Node", "metadata": {}}),
        json!({"kind": "Secret", "metadata": {"name": "ignored"}, "data": {"k": "dmFsdWU="}}),
        // ARNs: wrong partition, extra colons, white space, short account, a user, empty.
        sa(
            "arns",
            "wrong-partition",
            Some("arn:aws-cn:iam::123456789012:role/x"),
        ),
        sa(
            "arns",
            "bogus-partition",
            Some("arn:aws-moon:iam::123456789012:role/x"),
        ),
        sa(
            "arns",
            "extra-colons",
            Some("arn:aws:iam::123456789012:role/x:y:z"),
        ),
        sa(
            "arns",
            "white-space",
            Some(" arn:aws:iam::123456789012:role/x\n"),
        ),
        sa("arns", "short-account", Some("arn:aws:iam::12345:role/x")),
        sa("arns", "a-user", Some("arn:aws:iam::123456789012:user/x")),
        sa("arns", "empty", Some("")),
    ];
    for (i, evil) in EVIL.iter().enumerate() {
        items.push(sa(
            evil,
            &format!("sa-{i}"),
            Some(&format!("arn:aws:iam::123456789012:role/{evil}")),
        ));
        items.push(pod("demo", &format!("{evil}-{i}"), evil));
    }
    let dir = snapshot_dir(&items, &[]);
    for format in ["table", "json", "markdown", "junit", "ndjson"] {
        let start = Instant::now();
        let out = audit(dir.path(), format);
        let stdout = text(&out.stdout);
        // No --fail-on: findings never change the exit status.
        assert_eq!(
            out.status.code(),
            Some(0),
            "{format}: {}",
            text(&out.stderr)
        );
        if format == "junit" {
            // Escapes and characters XML cannot carry do not break the document.
            roxmltree::Document::parse(&stdout).expect("junit output is well-formed XML");
        }
        if format == "ndjson" {
            // Each line stays one JSON object, whatever the names hold.
            for line in stdout.lines() {
                serde_json::from_str::<Value>(line).expect("ndjson: a JSON object per line");
            }
        }
        assert_no_control(&stdout, format);
        assert_no_control(&text(&out.stderr), format);
        assert!(start.elapsed() < Duration::from_secs(60), "{format}: slow");
        for name in [
            "wrong-partition",
            "bogus-partition",
            "extra-colons",
            "white-space",
            "short-account",
            "a-user",
        ] {
            assert!(
                stdout.contains(name),
                "{format}: {name} not named:\n{}",
                &stdout[..stdout.len().min(3000)]
            );
        }
    }
    let out = audit(dir.path(), "json");
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    let findings = report["findings"].as_array().cloned().unwrap_or_default();
    let about = |name: &str| {
        findings
            .iter()
            .filter(|f| f["subject"]["name"].as_str() == Some(name))
            .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
            .collect::<Vec<_>>()
    };
    for name in [
        "bogus-partition",
        "extra-colons",
        "white-space",
        "short-account",
        "a-user",
        "empty",
    ] {
        assert!(
            !about(name).is_empty(),
            "no finding for ServiceAccount arns/{name}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Pods: `webhook predict`

fn predict(pod: &[u8]) -> Output {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("pod.yaml");
    std::fs::write(&path, pod).expect("write pod");
    bin()
        .args([
            "webhook",
            "predict",
            "--service-account",
            &format!("{CLI_FIXTURES}/s3-reader-sa.yaml"),
        ])
        .args(["--pod", &path.display().to_string()])
        .output()
        .expect("run")
}

#[test]
fn hostile_pods_for_the_webhook_predictor() {
    let laughs = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n\
                  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n\
                  d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n\
                  f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n\
                  h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]\ni: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]\n";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("billion laughs", laughs.as_bytes().to_vec()),
        ("a list", b"[1, 2]".to_vec()),
        ("a scalar", b"just text".to_vec()),
        (
            "a Secret",
            b"kind: Secret\nmetadata: {name: s}\ndata: {k: dmFsdWU=}\n".to_vec(),
        ),
        (
            "containers a string",
            b"kind: Pod\nmetadata: {name: p}\nspec: {containers: nope}\n".to_vec(),
        ),
        ("no spec", b"kind: Pod\nmetadata: {name: p}\n".to_vec()),
        ("tabs and NULs", b"kind: Pod\n\tmetadata: \0\n".to_vec()),
    ];
    for (case, pod) in cases {
        let start = Instant::now();
        let out = predict(&pod);
        assert_one_line_error(&out, &["pod.yaml"], case);
        assert!(start.elapsed() < Duration::from_secs(20), "{case}: slow");
    }

    // YAML refuses a raw C1 control character anywhere in the stream: one line, exit 2.
    let raw_c1 = format!(
        "kind: Pod\nmetadata: {{name: \"{}\"}}\nspec: {{containers: []}}\n",
        EVIL[2]
    );
    assert_one_line_error(&predict(raw_c1.as_bytes()), &["pod.yaml"], "raw C1 control");

    // Escaped control characters (as JSON writes them) and a bidi override are accepted and
    // come out cleaned.
    let names: Vec<&str> = EVIL
        .iter()
        .copied()
        .filter(|e| !e.contains('\u{9b}'))
        .collect();
    let containers: Vec<Value> = (0..10_000)
        .map(|i| json!({"name": format!("c{i}{}", names[i % names.len()]), "image": "busybox"}))
        .collect();
    let wide = json!({"apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": EVIL[0], "namespace": "demo",
                     "annotations": {"eks.amazonaws.com/skip-containers": names.join(",")}},
        "spec": {"serviceAccountName": "s3-reader", "containers": containers}});
    let out = bin()
        .args([
            "webhook",
            "predict",
            "--diff",
            "--service-account",
            &format!("{CLI_FIXTURES}/s3-reader-sa.yaml"),
        ])
        .args(["--pod", "/dev/stdin"])
        .write_stdin(wide.to_string())
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert_no_control(&stdout, "10,000 containers");
    assert!(stdout.contains("c9999"), "every container in the patch");
}

#[test]
fn secrets_in_a_malformed_pod_are_not_quoted_by_the_error() {
    // A hand-written env list in the docker-compose style: serde's "invalid type: string …"
    // message would quote the secret.
    let secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
    let pod = format!(
        "kind: Pod\nmetadata: {{name: p, namespace: demo}}\nspec:\n  containers:\n  - name: app\n    env: [\"AWS_SECRET_ACCESS_KEY={secret}\"]\n"
    );
    let out = predict(pod.as_bytes());
    assert_one_line_error(&out, &["pod.yaml"], "env as strings");
    assert!(!text(&out.stderr).contains(secret), "{}", text(&out.stderr));

    let as_json: Value = serde_yaml_ng::from_str(&pod).expect("yaml");
    let dir = snapshot_dir(&[as_json], &[]);
    let out = audit(dir.path(), "table");
    assert_one_line_error(
        &out,
        &["kubernetes.json", "items[0]"],
        "snapshot env as strings",
    );
    assert!(!text(&out.stderr).contains(secret), "{}", text(&out.stderr));
}

// ---------------------------------------------------------------------------------------------
// The terminal UI: hostile names in every pane and drill-down

fn screen(state: &State) -> String {
    let (w, h) = state.size();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| ui::draw(f, state)).expect("draw");
    let buf = terminal.backend().buffer().clone();
    buf.content.iter().map(|c| c.symbol()).collect()
}

/// Control and bidi characters (`rtl\u{202e}txt.exe`) never reach a drawn cell.
#[test]
fn hostile_names_never_reach_the_terminal_raw_in_any_pane_or_drill_down() {
    let mut items = Vec::new();
    for (i, evil) in EVIL.iter().enumerate() {
        items.push(sa(
            evil,
            evil,
            Some(&format!("arn:aws:iam::123456789012:role/{evil}")),
        ));
        items.push(pod(evil, &format!("{evil}{i}"), evil));
    }
    items.push(json!({"apiVersion": "v1", "kind": "Node",
        "metadata": {"name": EVIL[0], "labels": {"topology.kubernetes.io/zone": EVIL[1]}},
        "spec": {"providerID": format!("aws:///eu-west-1a/{}", EVIL[2])}}));
    let dir = snapshot_dir(&items, &[]);
    let inventory = snapshot::load_dir(dir.path()).expect("hostile snapshot loads");
    let now = Timestamp::from_second(1_775_813_419).expect("time");
    let dataset = Dataset::analyse(inventory, now, now);
    for (w, h) in [(160, 48), (80, 24)] {
        for pane in Pane::ALL {
            let mut state = State::new(DataOrigin::Snapshot(EVIL[0].to_owned()), now, true, w, h);
            state.apply(SourceEvent::Loaded(Box::new(dataset.clone())));
            state.update(Action::ShowPane(pane));
            let rows = 12;
            for row in 0..rows {
                let list = screen(&state);
                assert_no_terminal_control(&list, &format!("{pane:?} list at {w}x{h}"));
                state.update(Action::Open);
                let drill = screen(&state);
                assert_no_terminal_control(
                    &drill,
                    &format!("{pane:?} drill-down row {row} at {w}x{h}"),
                );
                for _ in 0..3 {
                    state.update(Action::PageDown);
                    assert_no_terminal_control(
                        &screen(&state),
                        &format!("{pane:?} scrolled drill-down"),
                    );
                }
                state.update(Action::Back);
                state.update(Action::Down);
            }
            state.update(Action::ToggleHelp);
            assert_no_terminal_control(&screen(&state), "help");
        }
    }
}
