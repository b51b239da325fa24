//! The CLI's outputs for other tools: SARIF 2.1.0 for code scanning, `-o FILE`, shell
//! completions and the manual page — as the real binary prints them on the demo lab.

use assert_cmd::Command;
use serde_json::Value;
use std::collections::HashSet;

fn bin() -> Command {
    Command::cargo_bin("irsa-inspector").expect("binary built")
}

#[test]
fn sarif_has_one_rule_per_code_and_one_result_per_finding_with_stable_fingerprints() {
    let sarif = bin()
        .args(["--demo", "audit", "--format", "sarif"])
        .output()
        .unwrap();
    assert_eq!(sarif.status.code(), Some(0));
    let log: Value = serde_json::from_slice(&sarif.stdout).expect("JSON");
    let json = bin()
        .args(["--demo", "audit", "--format", "json"])
        .output()
        .unwrap();
    let audit: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "irsa-inspector");
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), audit["findings"].as_array().unwrap().len());
    let mut fingerprints = HashSet::new();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"], "{r}");
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let name = r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            .as_str()
            .unwrap();
        assert!(!name.is_empty());
        assert!(
            fingerprints.insert(r["partialFingerprints"]["irsaInspectorFinding/v1"].to_string())
        );
    }
    // The guide's negative test is there, as an error on demo2's ServiceAccount.
    assert!(results.iter().any(|r| r["ruleId"] == "IRSA003"
        && r["level"] == "error"
        && r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
            == "service-account/demo2/s3-reader"));
}

#[test]
fn output_writes_the_file_whole_and_prints_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.json");
    let out = bin()
        .args(["--demo", "audit", "--format", "json", "-o"])
        .arg(&path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let written: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(written["schema"], "irsa-inspector/audit/v1");
    // Only the report is left in the folder (no temporary file).
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    // An unwritable place is one line and exit 2.
    let out = bin()
        .args(["--demo", "audit", "-o", "/proc/no/such/dir/audit.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("/proc/no/such/dir/audit.json"), "{err}");
}

#[test]
fn completions_and_the_manual_page_name_the_subcommands() {
    let bash = bin().args(["completions", "bash"]).output().unwrap();
    assert_eq!(bash.status.code(), Some(0));
    let bash = String::from_utf8_lossy(&bash.stdout);
    assert!(
        bash.contains("complete -F") && bash.contains("can-i"),
        "{bash}"
    );
    let zsh = bin().args(["completions", "zsh"]).output().unwrap();
    assert!(String::from_utf8_lossy(&zsh.stdout).starts_with("#compdef irsa-inspector"));
    let man = bin().arg("man").output().unwrap();
    assert_eq!(man.status.code(), Some(0));
    let man = String::from_utf8_lossy(&man.stdout);
    assert!(
        man.contains(".TH irsa-inspector") && man.contains("audit"),
        "{}",
        &man[..200.min(man.len())]
    );
}

const AUD002_ROLE: &str =
    "role/arn:aws:iam::123456789012:role/eks-irsa-lab-broken-no-sub-condition-role";

fn audit_with(ignore: &str, extra: &[&str]) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ignore.yaml");
    std::fs::write(&path, ignore).unwrap();
    bin()
        .args([
            "--demo",
            "--now",
            "2026-04-10T10:00:00Z",
            "audit",
            "--fail-on",
            "critical",
        ])
        .arg("--ignore-file")
        .arg(&path)
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn an_accepted_finding_stays_marked_and_no_longer_fails_the_run() {
    // Without the file the demo's one critical finding (AUD002) fails --fail-on critical.
    let plain = bin()
        .args(["--demo", "audit", "--fail-on", "critical"])
        .current_dir(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert_eq!(plain.status.code(), Some(1));

    let ignore = format!(
        "accepted:\n  - code: AUD002\n    subject: {AUD002_ROLE}\n    reason: trust pinned by an SCP (SEC-1142)\n    expires: 2026-12-31\n  - code: IRSA003\n    subject: service-account/nowhere/*\n    reason: old entry\n"
    );
    let out = audit_with(&ignore, &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let aud002 = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "AUD002")
        .expect("still reported");
    assert_eq!(
        aud002["accepted"]["reason"],
        "trust pinned by an SCP (SEC-1142)"
    );
    assert_eq!(aud002["accepted"]["expires"], "2026-12-31");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("ignore entry 2 (IRSA003 service-account/nowhere/*) matches no finding"),
        "{err}"
    );

    // SARIF carries it as an external suppression.
    let out = audit_with(&ignore, &["--format", "sarif"]);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let result = v["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["ruleId"] == "AUD002")
        .unwrap();
    assert_eq!(result["suppressions"][0]["kind"], "external");
}

#[test]
fn an_expired_acceptance_counts_again_and_a_bad_file_is_one_line() {
    let expired = format!(
        "accepted:\n  - code: AUD002\n    subject: {AUD002_ROLE}\n    reason: r\n    expires: 2026-01-31\n"
    );
    let out = audit_with(&expired, &[]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("expired on 2026-01-31: its 1 finding counts again"),
        "{err}"
    );

    let out = audit_with(
        "accepted:\n  - code: AUD999\n    subject: x\n    reason: r\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("entry 1: unknown finding code \"AUD999\""),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}
