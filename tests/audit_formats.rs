//! `audit`'s machine formats and streams, as CI jobs and scripts consume them: the JUnit XML
//! parsed back and counted against the JSON report of the same run, the JSON report validated
//! against its published schema (`docs/audit-report.schema.json`), every NDJSON record against
//! its own (`docs/audit-ndjson.schema.json`) and counted against the JSON report, progress on
//! standard error
//! only when it is a terminal, and `--request-timeout` bounding a call to an endpoint that
//! accepts connections and never answers.

mod support;

use assert_cmd::Command;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;
use support::apiserver::StandIn;
use support::objects;
use support::tmux::Session;

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("irsa-inspector").expect("binary built");
    cmd.env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .timeout(Duration::from_secs(120));
    cmd
}

fn run(args: &[&str]) -> std::process::Output {
    bin().args(args).output().expect("run")
}

fn demo_json() -> Value {
    let out = run(&["--demo", "audit", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    serde_json::from_slice(&out.stdout).expect("JSON")
}

/// `KIND/NS/NAME` or `KIND/NAME`, as the ignore file, SARIF and the JUnit cases name a subject.
fn qualified(subject: &Value) -> String {
    let kind = subject["kind"].as_str().expect("kind");
    let name = subject["name"].as_str().expect("name");
    match subject["namespace"].as_str() {
        Some(ns) => format!("{kind}/{ns}/{name}"),
        None => format!("{kind}/{name}"),
    }
}

const RANKS: [&str; 5] = ["info", "low", "medium", "high", "critical"];

fn rank(severity: &str) -> usize {
    RANKS
        .iter()
        .position(|s| *s == severity)
        .expect("known severity")
}

/// What each JUnit case should say, from the JSON report: every ServiceAccount and pod, and
/// every other subject a finding names; failed by an unaccepted finding at or above
/// `fail_at`, skipped when all such findings are accepted. Plus one skipped case per unknown.
fn expected_cases(report: &Value, fail_at: &str) -> BTreeMap<String, &'static str> {
    let findings = report["findings"].as_array().expect("findings");
    let mut cases: BTreeMap<String, &'static str> = BTreeMap::new();
    let listed = report["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .map(|b| &b["service_account"])
        .chain(
            report["pods"]
                .as_array()
                .expect("pods")
                .iter()
                .map(|p| &p["pod"]),
        )
        .chain(findings.iter().map(|f| &f["subject"]));
    for subject in listed {
        let name = qualified(subject);
        let blocking: Vec<&Value> = findings
            .iter()
            .filter(|f| qualified(&f["subject"]) == name)
            .filter(|f| rank(f["severity"].as_str().expect("severity")) >= rank(fail_at))
            .collect();
        let outcome = if blocking.iter().any(|f| f["accepted"].is_null()) {
            "failure"
        } else if blocking.is_empty() {
            "passed"
        } else {
            "skipped"
        };
        cases.insert(name, outcome);
    }
    for u in report["unknowns"].as_array().expect("unknowns") {
        let name = format!(
            "{}: {}",
            u["source"].as_str().expect("source"),
            u["message"].as_str().expect("message")
        );
        cases.insert(name, "skipped");
    }
    cases
}

/// Each `<testcase>` by name → `failure`, `skipped` or `passed`; checks on the way that every
/// suite's and the root's counts agree with the cases they hold.
fn junit_cases(xml: &str) -> BTreeMap<String, &'static str> {
    let doc = roxmltree::Document::parse(xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");
    let count = |node: roxmltree::Node<'_, '_>, attr: &str| -> usize {
        node.attribute(attr)
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{attr} on {}", node.tag_name().name()))
    };
    let mut cases = BTreeMap::new();
    let mut totals = [0usize; 3];
    for suite in root.children().filter(|n| n.has_tag_name("testsuite")) {
        let mut here = [0usize; 3];
        for case in suite.children().filter(|n| n.has_tag_name("testcase")) {
            let outcome = if case.children().any(|n| n.has_tag_name("failure")) {
                here[1] += 1;
                "failure"
            } else if case.children().any(|n| n.has_tag_name("skipped")) {
                here[2] += 1;
                "skipped"
            } else {
                "passed"
            };
            here[0] += 1;
            let name = case.attribute("name").expect("testcase name").to_owned();
            assert!(
                cases.insert(name.clone(), outcome).is_none(),
                "{name} twice"
            );
        }
        let name = suite.attribute("name").unwrap_or_default();
        assert_eq!(
            [
                count(suite, "tests"),
                count(suite, "failures"),
                count(suite, "skipped")
            ],
            here,
            "suite {name}"
        );
        for (total, n) in totals.iter_mut().zip(here) {
            *total += n;
        }
    }
    assert_eq!(
        [
            count(root, "tests"),
            count(root, "failures"),
            count(root, "skipped")
        ],
        totals,
        "testsuites"
    );
    cases
}

#[test]
fn junit_has_a_case_per_object_failed_by_the_findings_the_json_report_lists() {
    let report = demo_json();
    let out = run(&["--demo", "audit", "--format", "junit"]);
    assert_eq!(out.status.code(), Some(0), "no --fail-on: exit 0");
    let xml = String::from_utf8(out.stdout).expect("UTF-8");
    let cases = junit_cases(&xml);
    assert_eq!(cases, expected_cases(&report, "high"));
    let pods = report["pods"].as_array().expect("pods").len();
    assert!(
        cases.keys().filter(|k| k.starts_with("pod/")).count() == pods,
        "every pod is a case"
    );
    // The guide's negative test fails demo2/s3-reader's case, typed with its code.
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let case = doc
        .descendants()
        .find(|n| n.attribute("name") == Some("service-account/demo2/s3-reader"))
        .expect("a case for demo2/s3-reader");
    assert_eq!(
        case.attribute("classname"),
        Some("irsa-inspector.service-account.demo2")
    );
    let failure = case
        .children()
        .find(|n| n.has_tag_name("failure"))
        .expect("it fails");
    assert!(
        failure
            .attribute("message")
            .is_some_and(|m| m.contains("IRSA003")),
        "{failure:?}"
    );
    let text = failure.text().unwrap_or_default();
    assert!(
        text.contains("system:serviceaccount:demo2:s3-reader"),
        "the evidence is in the failure: {text}"
    );
}

#[test]
fn junit_fails_from_the_fail_on_severity_and_skips_accepted_findings() {
    let report = demo_json();
    let out = run(&[
        "--demo",
        "audit",
        "--format",
        "junit",
        "--fail-on",
        "critical",
    ]);
    assert_eq!(out.status.code(), Some(1), "a critical finding exists");
    let cases = junit_cases(&String::from_utf8(out.stdout).expect("UTF-8"));
    assert_eq!(cases, expected_cases(&report, "critical"));

    // Accept every high-or-worse finding of demo2/s3-reader: its case is skipped, with the
    // reason.
    let subject = "service-account/demo2/s3-reader";
    let codes: BTreeSet<&str> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| qualified(&f["subject"]) == subject)
        .filter(|f| rank(f["severity"].as_str().expect("severity")) >= rank("high"))
        .map(|f| f["code"].as_str().expect("code"))
        .collect();
    assert!(!codes.is_empty());
    let dir = tempfile::tempdir().expect("temp dir");
    let ignore = dir.path().join("ignore.yaml");
    let entries: String = codes
        .iter()
        .map(|c| {
            format!("  - code: {c}\n    subject: {subject}\n    reason: \"tracked in SEC-42\"\n")
        })
        .collect();
    std::fs::write(&ignore, format!("accepted:\n{entries}")).expect("write");
    let ignore = ignore.display().to_string();
    let json = run(&[
        "--demo",
        "audit",
        "--format",
        "json",
        "--ignore-file",
        &ignore,
    ]);
    let accepted: Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let out = run(&[
        "--demo",
        "audit",
        "--format",
        "junit",
        "--ignore-file",
        &ignore,
    ]);
    let xml = String::from_utf8(out.stdout).expect("UTF-8");
    let cases = junit_cases(&xml);
    assert_eq!(cases, expected_cases(&accepted, "high"));
    assert_eq!(cases.get(subject), Some(&"skipped"));
    let doc = roxmltree::Document::parse(&xml).expect("XML");
    let skipped = doc
        .descendants()
        .find(|n| n.attribute("name") == Some(subject))
        .and_then(|c| c.children().find(|n| n.has_tag_name("skipped")))
        .expect("skipped element");
    assert!(
        skipped
            .attribute("message")
            .is_some_and(|m| m.contains("tracked in SEC-42")),
        "{skipped:?}"
    );
}

fn schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/audit-report.schema.json");
    let text = std::fs::read_to_string(path).expect("the schema is in docs/");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

fn schema_errors(validator: &jsonschema::Validator, report: &Value) -> Vec<String> {
    validator
        .iter_errors(report)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn the_json_report_matches_its_published_schema() {
    let validator = schema();
    let report = demo_json();
    assert_eq!(schema_errors(&validator, &report), Vec::<String>::new());
    // With accepted findings (their `accepted` object) too.
    let dir = tempfile::tempdir().expect("temp dir");
    let ignore = dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        "accepted:\n  - code: IRSA003\n    subject: service-account/demo2/s3-reader\n    reason: lab\n    expires: 2030-01-01\n",
    )
    .expect("write");
    let out = bin()
        .args(["--demo", "audit", "--format", "json", "--ignore-file"])
        .arg(&ignore)
        .output()
        .expect("run");
    let accepted: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert!(accepted.to_string().contains("\"accepted\""));
    assert_eq!(schema_errors(&validator, &accepted), Vec::<String>::new());
}

#[test]
fn the_schema_rejects_a_renamed_or_missing_field() {
    let validator = schema();
    let report = demo_json();
    let renamed = |path: &[&str], to: &str| {
        let mut r = report.clone();
        let mut at = &mut r;
        for key in &path[..path.len() - 1] {
            at = match key.parse::<usize>() {
                Ok(i) => &mut at[i],
                Err(_) => &mut at[*key],
            };
        }
        let last = path[path.len() - 1];
        let object = at.as_object_mut().expect("an object");
        let value = object.remove(last).expect("the field exists");
        object.insert(to.to_owned(), value);
        r
    };
    for (path, to) in [
        (&["bindings"][..], "binding"),
        (&["summary", "high"][..], "High"),
        (&["bindings", "0", "verdict"][..], "status"),
        (&["pods", "0", "identity"][..], "identity_line"),
        (&["findings", "0", "subject"][..], "object"),
        (&["findings", "0", "evidence", "0", "item"][..], "what"),
        (&["pods", "0", "identity_detail"][..], "identityDetail"),
        (&["pods", "0", "identity_detail", "kind"][..], "type"),
    ] {
        let errors = schema_errors(&validator, &renamed(path, to));
        assert!(!errors.is_empty(), "{path:?} → {to} was accepted");
    }
    let mut wrong = report.clone();
    wrong["findings"][0]["severity"] = json!("severe");
    assert!(!schema_errors(&validator, &wrong).is_empty());
}

fn ndjson_schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/audit-ndjson.schema.json");
    let text = std::fs::read_to_string(path).expect("the schema is in docs/");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// Each line of `stdout` as JSON: one compact object per line, every line newline-terminated.
fn ndjson_records(stdout: &[u8]) -> Vec<Value> {
    let text = String::from_utf8(stdout.to_vec()).expect("UTF-8");
    assert!(text.ends_with('\n'), "the last line is newline-terminated");
    text.lines()
        .map(|line| {
            assert!(!line.trim().is_empty(), "no blank line");
            let value: Value = serde_json::from_str(line).expect("one JSON object per line");
            assert!(value.is_object(), "{line}");
            value
        })
        .collect()
}

#[test]
fn every_ndjson_record_matches_its_schema_and_the_json_report() {
    let validator = ndjson_schema();
    let out = run(&["--demo", "audit", "--format", "ndjson"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let records = ndjson_records(&out.stdout);
    for (i, r) in records.iter().enumerate() {
        assert_eq!(
            schema_errors(&validator, r),
            Vec::<String>::new(),
            "line {}: {r}",
            i + 1
        );
        for key in ["context", "cluster", "account", "region"] {
            assert!(r.get(key).is_some(), "line {}: no {key}", i + 1);
        }
        assert_eq!(r["context"], "alice@irsa-lab.eu-west-1.eksctl.io");
        assert_eq!(r["cluster"], "irsa-lab");
        assert_eq!(r["account"], "123456789012");
        assert_eq!(r["region"], "eu-west-1");
        assert_eq!(r["generated_at"], "2026-04-10T10:00:00Z");
    }
    let report = demo_json();
    let of =
        |kind: &str| -> Vec<&Value> { records.iter().filter(|r| r["record"] == kind).collect() };
    let (findings, bindings) = (of("finding"), of("binding"));
    assert_eq!(findings.len() + bindings.len(), records.len());

    // The same findings as the JSON report, in its order, with the same severities.
    let from_json: Vec<(String, String, String)> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                f["code"].as_str().expect("code").to_owned(),
                f["severity"].as_str().expect("severity").to_owned(),
                qualified(&f["subject"]),
            )
        })
        .collect();
    let from_records: Vec<(String, String, String)> = findings
        .iter()
        .map(|r| {
            let subject =
                json!({"kind": r["subject_kind"], "namespace": r["namespace"], "name": r["name"]});
            (
                r["code"].as_str().expect("code").to_owned(),
                r["severity"].as_str().expect("severity").to_owned(),
                qualified(&subject),
            )
        })
        .collect();
    assert_eq!(from_records, from_json);

    // One binding record per ServiceAccount, naming the role its pods get.
    assert_eq!(
        bindings.len(),
        report["bindings"].as_array().expect("bindings").len()
    );
    let role_arns: Vec<&str> = bindings
        .iter()
        .filter_map(|b| b["role_arn"].as_str())
        .collect();
    assert!(
        role_arns.iter().any(|a| a.starts_with("arn:aws:iam::")),
        "{role_arns:?}"
    );
    let s3_reader = bindings
        .iter()
        .find(|b| b["namespace"] == "demo" && b["service_account"] == "s3-reader")
        .expect("demo/s3-reader");
    assert_eq!(
        s3_reader["role_arn"],
        "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role"
    );
    assert_eq!(s3_reader["role_account"], "123456789012");
    assert_eq!(s3_reader["mechanism"], "irsa");

    // Pods on the node role: the same number as the JSON report's identity data.
    let on_node_role = report["pods"]
        .as_array()
        .expect("pods")
        .iter()
        .filter(|p| p["identity_detail"]["kind"] == "node-role")
        .count();
    let counted: u64 = bindings
        .iter()
        .map(|b| b["pods_node_role"].as_u64().expect("a count"))
        .sum();
    assert!(on_node_role > 0);
    assert_eq!(counted, on_node_role as u64);
    let pods: u64 = bindings
        .iter()
        .map(|b| b["pods"].as_u64().expect("a count"))
        .sum();
    assert_eq!(pods, report["pods"].as_array().expect("pods").len() as u64);
}

#[test]
fn ndjson_marks_accepted_findings_and_writes_whole_to_a_file() {
    let dir = tempfile::tempdir().expect("temp dir");
    let ignore = dir.path().join("ignore.yaml");
    std::fs::write(
        &ignore,
        "accepted:\n  - code: IRSA003\n    subject: service-account/demo2/s3-reader\n    reason: lab\n    expires: 2030-01-01\n",
    )
    .expect("write");
    let file = dir.path().join("run.ndjson");
    let out = bin()
        .args(["--demo", "audit", "--format", "ndjson", "--ignore-file"])
        .arg(&ignore)
        .arg("--output")
        .arg(&file)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(out.stdout.is_empty(), "the records go to the file only");
    let records = ndjson_records(&std::fs::read(&file).expect("the file is written"));
    let accepted: Vec<&Value> = records.iter().filter(|r| r["accepted"] == true).collect();
    assert_eq!(accepted.len(), 1, "{accepted:?}");
    assert_eq!(accepted[0]["code"], "IRSA003");
    assert_eq!(accepted[0]["name"], "s3-reader");
    let validator = ndjson_schema();
    for r in &records {
        assert_eq!(schema_errors(&validator, r), Vec::<String>::new(), "{r}");
    }
}

#[test]
fn the_ndjson_schema_rejects_a_missing_or_mistyped_column() {
    let validator = ndjson_schema();
    let records = ndjson_records(&run(&["--demo", "audit", "--format", "ndjson"]).stdout);
    let finding = records
        .iter()
        .find(|r| r["record"] == "finding")
        .expect("a finding");
    let binding = records
        .iter()
        .find(|r| r["record"] == "binding")
        .expect("a binding");
    let without = |r: &Value, key: &str| {
        let mut r = r.clone();
        r.as_object_mut()
            .expect("object")
            .remove(key)
            .expect("the key exists");
        r
    };
    for key in [
        "region",
        "context",
        "generated_at",
        "code",
        "accepted",
        "role_arn",
    ] {
        assert!(
            !schema_errors(&validator, &without(finding, key)).is_empty(),
            "finding without {key}"
        );
    }
    for key in [
        "account",
        "service_account",
        "pods_node_role",
        "role_account",
    ] {
        assert!(
            !schema_errors(&validator, &without(binding, key)).is_empty(),
            "binding without {key}"
        );
    }
    let mut wrong = binding.clone();
    wrong["pods_node_role"] = json!("3");
    assert!(!schema_errors(&validator, &wrong).is_empty());
    let mut wrong = finding.clone();
    wrong["record"] = json!("pod");
    assert!(!schema_errors(&validator, &wrong).is_empty());
    // A new key is allowed (the records only grow).
    let mut grown = binding.clone();
    grown["pods_static_keys"] = json!(0);
    assert_eq!(schema_errors(&validator, &grown), Vec::<String>::new());
}

#[test]
fn each_pod_says_what_identity_it_gets_as_data() {
    let report = demo_json();
    let pod = |ns: &str, name_prefix: &str| -> Value {
        report["pods"]
            .as_array()
            .expect("pods")
            .iter()
            .find(|p| {
                p["pod"]["namespace"] == ns
                    && p["pod"]["name"]
                        .as_str()
                        .is_some_and(|n| n.starts_with(name_prefix))
            })
            .cloned()
            .unwrap_or_else(|| panic!("pod {ns}/{name_prefix}…"))
    };
    assert_eq!(
        pod("demo", "s3-test")["identity_detail"],
        json!({
            "kind": "irsa",
            "role_arn": "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role",
            "source": "web-identity",
        })
    );
    let fallback = pod("broken", "node-role-fallback")["identity_detail"].clone();
    assert_eq!(fallback["kind"], "node-role");
    assert_eq!(fallback["source"], "imds");
    assert!(
        fallback["role_arn"]
            .as_str()
            .is_some_and(|a| a.contains("NodeInstanceRole")),
        "{fallback}"
    );
    // Every pod's kind is the one its identity line starts with.
    for p in report["pods"].as_array().expect("pods") {
        let line = p["identity"].as_str().expect("identity").to_lowercase();
        let kind = p["identity_detail"]["kind"].as_str().expect("kind");
        let label = match kind {
            "irsa" => "irsa ",
            "pod-identity" => "pod identity ",
            "node-role" => "node role fallback ",
            "static-keys" => "static keys",
            "none" => "none",
            _ => "unknown",
        };
        assert!(line.starts_with(label), "{kind} for {line}");
    }
}

#[test]
fn piped_runs_print_the_report_and_no_progress() {
    let out = run(&["--demo", "audit", "--format", "json"]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");

    // A live cluster, where a terminal would see progress: piped, standard error stays empty.
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(StandIn::start(objects::demo_lab()));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = server.write_kubeconfig(dir.path());
    for format in ["json", "junit", "sarif", "ndjson"] {
        let out = bin()
            .arg("--kubeconfig")
            .arg(&config)
            .args(["audit", "--format", format])
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), "", "{format}");
        assert!(!out.stdout.is_empty());
    }
    // The records name the kubeconfig context read, and the region given when the cluster's
    // own is not known.
    let out = bin()
        .arg("--kubeconfig")
        .arg(&config)
        .args(["audit", "--format", "ndjson", "--region", "eu-west-1"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let records = ndjson_records(&out.stdout);
    assert!(!records.is_empty());
    for r in &records {
        assert_eq!(r["context"], "standin", "{r}");
        assert_eq!(r["region"], "eu-west-1", "{r}");
    }
    drop(server);
}

#[test]
fn a_terminal_sees_the_progress_of_a_live_read_on_standard_error() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let server = runtime.block_on(StandIn::start(objects::demo_lab()));
    let dir = tempfile::tempdir().expect("temp dir");
    let config = server.write_kubeconfig(dir.path());
    let pods = objects::demo_lab()
        .iter()
        .filter(|o| o["kind"] == "Pod")
        .count();
    // The report goes to a file; the terminal keeps standard error.
    let report = dir.path().join("report.json");
    let args = format!(
        "--kubeconfig '{}' audit --format json > '{}'",
        config.display(),
        report.display()
    );
    let Some(session) = Session::builder("audit_formats", "progress")
        .size(160, 20)
        .env("HOME=/nonexistent KUBECONFIG=")
        .start(&args)
    else {
        return;
    };
    let screen = session.wait_for("EXIT=0");
    assert!(
        screen.contains("listing ServiceAccounts, pods and nodes"),
        "{screen}"
    );
    assert!(
        screen.contains(&format!("{pods} pods")),
        "the count of listed pods: {screen}"
    );
    let text = std::fs::read_to_string(&report).expect("report written");
    let _: Value = serde_json::from_str(&text).expect("the report is JSON only");
    drop(server);
}

#[test]
fn request_timeout_bounds_aws_calls_to_an_endpoint_that_never_answers() {
    // A listener that accepts connections and never reads or answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming() {
            open.push(stream);
        }
    });
    let home = tempfile::tempdir().expect("temp dir");
    let out = support::binary::binary_against(&endpoint, home.path())
        .args([
            "--demo",
            "--aws",
            "--request-timeout",
            "1s",
            "audit",
            "--format",
            "json",
        ])
        .timeout(Duration::from_secs(90))
        .output()
        .expect("run");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let unknowns = report["unknowns"].to_string();
    assert!(
        unknowns.contains("timed out (no answer from AWS in time)"),
        "{unknowns}"
    );
}

#[test]
fn request_timeout_ends_a_read_from_an_api_server_that_never_answers() {
    // An "API server" that accepts connections and never answers.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = listener.local_addr().expect("addr");
    std::thread::spawn(move || {
        let mut open = Vec::new();
        for stream in listener.incoming() {
            open.push(stream);
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("kubeconfig");
    std::fs::write(
        &config,
        format!(
            "apiVersion: v1\nkind: Config\ncurrent-context: silent\n\
             clusters: [{{name: silent, cluster: {{server: \"http://{addr}\"}}}}]\n\
             users: [{{name: u, user: {{token: t}}}}]\n\
             contexts: [{{name: silent, context: {{cluster: silent, user: u}}}}]\n"
        ),
    )
    .expect("write kubeconfig");
    // The default would wait 30 s for the first byte; the limit here is far below that.
    let out = bin()
        .arg("--kubeconfig")
        .arg(&config)
        .args(["--request-timeout", "1s", "audit", "--format", "json"])
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("cannot reach the API server of context silent"),
        "{err}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn request_timeout_takes_kubectl_durations_and_refuses_others() {
    for ok in ["0", "10", "500ms", "30s", "2m", "1h30m"] {
        let out = run(&[
            "--demo",
            "--request-timeout",
            ok,
            "audit",
            "--format",
            "json",
        ]);
        assert_eq!(out.status.code(), Some(0), "{ok}: {out:?}");
    }
    for bad in ["soon", "-5s", "1x"] {
        let flag = format!("--request-timeout={bad}");
        let out = run(&["--demo", &flag, "audit"]);
        assert_eq!(out.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("--request-timeout"), "{err}");
    }
}
