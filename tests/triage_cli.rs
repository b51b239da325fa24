//! `explain error TEXT|-` as a user drives it: the real binary on the demo lab, the text as an
//! argument or on standard input (binary and hostile bytes included), text and JSON output,
//! exit 0 when an AWS error was recognised and 1 when none was.

use assert_cmd::Command;

fn bin() -> Command {
    Command::cargo_bin("irsa-inspector").expect("binary built")
}

const PUT_DENIED: &str = r#"An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1712743200 is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::my-app-bucket/x" because no identity-based policy allows the s3:PutObject action"#;

#[test]
fn a_pasted_denial_names_the_pod_the_decision_and_the_fix() {
    let out = bin()
        .args(["--demo", "explain", "error", PUT_DENIED])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("1. pod demo/s3-test — runs as IRSA eks-irsa-lab-demo-s3-reader-role"),
        "{text}"
    );
    assert!(
        text.contains("evaluated for demo/s3-test: implicit-deny"),
        "{text}"
    );
    assert!(text.contains("against AWS: agrees"), "{text}");
    assert!(text.contains("fix: add s3:PutObject"), "{text}");
}

#[test]
fn standard_input_and_json_work_and_the_guides_trust_error_leads_to_demo2() {
    let out = bin()
        .args(["--demo", "explain", "error", "-", "--format", "json"])
        .write_stdin("2026-04-10T09:45:01Z ERROR botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let d = &v["diagnoses"][0];
    assert_eq!(d["error"]["kind"], "web-identity-denied");
    assert_eq!(d["subjects"][0]["subject"]["namespace"], "demo2");
    assert_eq!(d["subjects"][0]["subject"]["name"], "s3-reader");
}

#[test]
fn text_that_is_no_aws_error_exits_1_with_what_was_looked_for() {
    let out = bin()
        .args(["--demo", "explain", "error", "-"])
        .write_stdin(vec![
            0xff, 0xfe, 0x00, 0x1b, b'[', b'2', b'J', 0xe2, 0x80, 0xae,
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with("not recognised: no AWS error recognised: looked for"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}') && !text.contains('\u{202e}'));
}

#[test]
fn hostile_quoted_values_reach_the_terminal_cleaned() {
    let hostile = "User: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/s is not authorized to perform: s3:GetObject on resource: \"arn:aws:s3:::b/\u{1b}]52;c;cm0gLXJm\u{7}\"";
    let out = bin()
        .args(["--demo", "explain", "error", hostile])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
}
