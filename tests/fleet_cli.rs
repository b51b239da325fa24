//! Fleets from the command line: `audit --all-contexts` / `--context a,b` over a kubeconfig with
//! two stand-in API servers and a context that points nowhere, and `--output s3://…` into
//! moto's S3 (one object per cluster, date- and cluster-partitioned); `--read-only` refuses it.

mod support;

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use support::apiserver::{StandIn, kubeconfig_many};
use support::moto::{moto, sdk_config};
use support::objects;

const NOW: &str = "2026-04-10T10:00:00Z";

/// Runs the binary off the runtime's threads (the stand-ins keep serving meanwhile).
async fn run(mut cmd: assert_cmd::Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run"))
        .await
        .expect("join")
}

fn binary(kubeconfig: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("irsa-inspector").expect("binary");
    cmd.env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .args(["--kubeconfig"])
        .arg(kubeconfig)
        .args(["--now", NOW, "--request-timeout", "5s"]);
    cmd
}

fn records(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// Records per (context, record kind).
fn census(records: &[Value]) -> BTreeMap<(String, String), usize> {
    let mut out = BTreeMap::new();
    for r in records {
        let key = (
            r["context"].as_str().unwrap_or("(none)").to_owned(),
            r["record"].as_str().expect("record kind").to_owned(),
        );
        *out.entry(key).or_default() += 1;
    }
    out
}

fn ndjson_schema() -> jsonschema::Validator {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/audit-ndjson.schema.json");
    let text = std::fs::read_to_string(path).expect("the schema is in docs/");
    let schema: Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("a valid JSON Schema")
}

/// A second cluster unlike the demo: generated ServiceAccounts and pods.
fn small_cluster() -> Vec<Value> {
    objects::large_cluster(12, 40, 3).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_contexts_audits_each_cluster_and_reports_the_one_it_cannot_reach() {
    let alpha = StandIn::start(objects::demo_lab()).await;
    let beta = StandIn::start(small_cluster()).await;
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        kubeconfig_many(&[
            ("alpha", &alpha.url()),
            ("gone", "http://127.0.0.1:9"),
            ("beta", &beta.url()),
        ]),
    )
    .expect("kubeconfig");

    let mut cmd = binary(&config);
    cmd.args([
        "audit",
        "--all-contexts",
        "--format",
        "ndjson",
        "--jobs",
        "2",
    ]);
    let out = run(cmd).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("context gone:"), "{stderr}");
    assert!(
        stderr.contains("1 of 3 contexts could not be audited: gone"),
        "{stderr}"
    );
    let all = records(&out);
    // Every record, the context_error one too, is what the published schema says.
    let validator = ndjson_schema();
    for r in &all {
        let errors: Vec<String> = validator.iter_errors(r).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}: {r}");
    }
    let counts = census(&all);
    for context in ["alpha", "beta"] {
        for kind in ["finding", "binding"] {
            assert!(
                counts.get(&(context.to_owned(), kind.to_owned())).copied() > Some(0),
                "no {kind} record for {context}: {counts:?}"
            );
        }
    }
    assert_eq!(
        counts.get(&("gone".to_owned(), "context_error".to_owned())),
        Some(&1),
        "{counts:?}"
    );
    // Given order, whatever order the workers finished in: alpha's, then gone's, then beta's.
    let order: Vec<&str> = all.iter().filter_map(|r| r["context"].as_str()).collect();
    let mut seen: Vec<&str> = Vec::new();
    for c in order {
        if seen.last() != Some(&c) {
            seen.push(c);
        }
    }
    assert_eq!(seen, ["alpha", "gone", "beta"]);

    // Each context's records are exactly what a single-context audit of it writes.
    for context in ["alpha", "beta"] {
        let mut cmd = binary(&config);
        cmd.args(["--context", context, "audit", "--format", "ndjson"]);
        let single = run(cmd).await;
        assert!(
            single.status.success(),
            "{}",
            String::from_utf8_lossy(&single.stderr)
        );
        let single = records(&single);
        let from_fleet: Vec<&Value> = all.iter().filter(|r| r["context"] == context).collect();
        assert_eq!(single.len(), from_fleet.len(), "{context}");
        for (a, b) in single.iter().zip(from_fleet) {
            assert_eq!(a, b, "{context}");
        }
    }

    // --context a,b audits just those, one at a time: all reachable, exit 0.
    let mut cmd = binary(&config);
    cmd.args([
        "--context",
        "beta,alpha",
        "audit",
        "--format",
        "ndjson",
        "--jobs",
        "1",
    ]);
    let out = run(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let counts = census(&records(&out));
    assert!(
        counts.keys().all(|(c, _)| c == "alpha" || c == "beta"),
        "{counts:?}"
    );

    // The table: one heading per context, in the given order, then its table.
    let mut cmd = binary(&config);
    cmd.args(["--context", "beta,alpha", "audit", "--format", "table"]);
    let out = run(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    let beta_at = text.find("== context beta").expect("beta's heading");
    let alpha_at = text.find("== context alpha").expect("alpha's heading");
    assert!(beta_at < alpha_at, "{text}");
    assert!(
        text[alpha_at..].contains("POD004"),
        "the demo lab's static keys under alpha: {text}"
    );

    // A profile for a context that is not audited is a mistake, said before any work.
    let mut cmd = binary(&config);
    cmd.args(["--context", "alpha,beta", "audit", "--format", "ndjson"])
        .args(["--context-profile", "prod=admin"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("--context-profile prod="),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty());

    // …and with one context it would be silently ignored: refused too.
    let mut cmd = binary(&config);
    cmd.args(["--context", "alpha", "audit", "--format", "ndjson"])
        .args(["--context-profile", "alpha=admin"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only for several contexts"));

    // Formats that are one document per cluster are refused with several contexts.
    let mut cmd = binary(&config);
    cmd.args(["audit", "--all-contexts", "--format", "json"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--format ndjson"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn output_s3_puts_one_partitioned_object_per_cluster_into_the_bucket() {
    let m = moto().await;
    let s3 = aws_sdk_s3::Client::new(&sdk_config(&m.endpoint, None).await);
    s3.create_bucket()
        .bucket("irsa-audit")
        .create_bucket_configuration(
            aws_sdk_s3::types::CreateBucketConfiguration::builder()
                .location_constraint(aws_sdk_s3::types::BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .expect("bucket");
    let home = tempfile::tempdir().expect("home");

    // One cluster: the demo.
    let mut cmd = support::binary::binary_against(&m.endpoint, home.path());
    cmd.args(["--demo", "--now", NOW, "audit", "--format", "ndjson"]);
    let expected = run(cmd).await;
    assert!(expected.status.success());
    let mut cmd = support::binary::binary_against(&m.endpoint, home.path());
    cmd.args(["--demo", "--now", NOW, "audit", "--format", "ndjson"])
        .args(["-o", "s3://irsa-audit/fleet/"]);
    let out = run(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.stdout.is_empty(), "the report went to S3, not stdout");
    let keys = list(&s3, "irsa-audit").await;
    assert_eq!(keys.len(), 1, "{keys:?}");
    let key = &keys[0];
    assert!(
        key.starts_with("fleet/dt=2026-04-10/cluster=irsa-lab/20260410T100000Z")
            && key.ends_with(".ndjson"),
        "{key}"
    );
    assert_eq!(get(&s3, "irsa-audit", key).await, expected.stdout);

    // --read-only refuses before doing anything.
    let mut cmd = support::binary::binary_against(&m.endpoint, home.path());
    cmd.args(["--demo", "--read-only", "audit", "--format", "ndjson"])
        .args(["-o", "s3://irsa-audit/again"]);
    let out = run(cmd).await;
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--read-only"));
    assert_eq!(
        list(&s3, "irsa-audit").await.len(),
        1,
        "nothing more written"
    );

    // Several clusters: one object per context, each its own cluster's records.
    let alpha = StandIn::start(objects::demo_lab()).await;
    let beta = StandIn::start(small_cluster()).await;
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config");
    std::fs::write(
        &config,
        kubeconfig_many(&[("alpha", &alpha.url()), ("beta", &beta.url())]),
    )
    .expect("kubeconfig");
    let mut cmd = support::binary::binary_against(&m.endpoint, home.path());
    cmd.arg("--kubeconfig")
        .arg(&config)
        .args([
            "--now",
            NOW,
            "audit",
            "--all-contexts",
            "--format",
            "ndjson",
        ])
        .args(["-o", "s3://irsa-audit/fleet"]);
    let out = run(cmd).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let keys: Vec<String> = list(&s3, "irsa-audit")
        .await
        .into_iter()
        .filter(|k| k.contains("-alpha.") || k.contains("-beta."))
        .collect();
    assert_eq!(keys.len(), 2, "{keys:?}");
    for key in &keys {
        let body = String::from_utf8(get(&s3, "irsa-audit", key).await).expect("utf-8");
        let context = if key.contains("-alpha.") {
            "alpha"
        } else {
            "beta"
        };
        assert!(
            body.lines()
                .map(|l| serde_json::from_str::<Value>(l).expect("json"))
                .all(|r| r["context"] == context),
            "{key}"
        );
    }
}

async fn list(s3: &aws_sdk_s3::Client, bucket: &str) -> Vec<String> {
    s3.list_objects_v2()
        .bucket(bucket)
        .send()
        .await
        .expect("list")
        .contents()
        .iter()
        .filter_map(|o| o.key().map(str::to_owned))
        .collect()
}

async fn get(s3: &aws_sdk_s3::Client, bucket: &str, key: &str) -> Vec<u8> {
    s3.get_object()
        .bucket(bucket)
        .key(key)
        .send()
        .await
        .expect("get")
        .body
        .collect()
        .await
        .expect("body")
        .into_bytes()
        .to_vec()
}

/// `--cluster` names the EKS cluster when the context does not (a pod's in-cluster connection,
/// a context renamed by hand): `--aws` then describes it and reads its Pod Identity
/// associations, and the report names it. Without it, both are unknown and said so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cluster_flag_names_the_eks_cluster_a_context_does_not() {
    let m = moto().await;
    let seeded = support::seed::seed_demo_lab(&sdk_config(&m.endpoint, None).await).await;
    let describe = seeded
        .files
        .get("eks-cluster.json")
        .expect("the demo's describe-cluster")
        .to_owned();
    let eks = support::eks_standin::EksStandIn::start_with_cluster(&describe, 100).await;
    let api = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().expect("dir");
    let config = dir.path().join("config");
    std::fs::write(&config, kubeconfig_many(&[("plain", &api.url())])).expect("kubeconfig");
    let home = tempfile::tempdir().expect("home");
    let audit = |cluster: Option<&'static str>| {
        let mut cmd = support::binary::binary_against(&m.endpoint, home.path());
        cmd.env("AWS_ENDPOINT_URL_EKS", eks.url())
            .arg("--kubeconfig")
            .arg(&config)
            .args(["--aws", "--now", NOW]);
        if let Some(name) = cluster {
            cmd.args(["--cluster", name]);
        }
        cmd.args(["audit", "--format", "json"]);
        cmd
    };

    let out = run(audit(Some("irsa-lab"))).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(report["cluster"], "irsa-lab");
    let pod_identity = report["bindings"]
        .as_array()
        .expect("bindings")
        .iter()
        .filter(|b| b["mechanism"] == "pod-identity")
        .count();
    assert!(pod_identity > 0, "the associations were read");
    assert!(eks.requests("DescribeCluster") > 0);

    // Without it: the context names no cluster, so neither is read, and the report says why.
    let out = run(audit(None)).await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert!(report["cluster"].is_null(), "{}", report["cluster"]);
    assert!(
        report["unknowns"]
            .as_array()
            .expect("unknowns")
            .iter()
            .any(|u| u["message"]
                .as_str()
                .is_some_and(|m| m.contains("EKS cluster name unknown"))),
        "{}",
        report["unknowns"]
    );
}
