//! The binary against the stand-in API server, pointed at it the way a user would: `KUBECONFIG`
//! with several files, `--kubeconfig`, `--context`. `snapshot save` writes a folder that
//! `--snapshot` reads back as the same cluster, with no secret value in it.

mod support;

use assert_cmd::Command;
use irsa_core::model::EnvValue;
use irsa_core::snapshot;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::apiserver::{Kind, StandIn, Verb, kubeconfig};
use support::objects;

const SECRET: &str = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";

/// Runs the binary off the runtime's threads (the server keeps serving meanwhile).
async fn run(args: &[&str], env: &[(&str, &Path)]) -> Output {
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    let env: Vec<(String, PathBuf)> = env
        .iter()
        .map(|(k, v)| ((*k).to_owned(), v.to_path_buf()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = Command::cargo_bin("irsa-inspector").unwrap();
        cmd.env_remove("KUBECONFIG").env("HOME", "/nonexistent");
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.args(args).output().unwrap()
    })
    .await
    .unwrap()
}

fn leaky_pod() -> serde_json::Value {
    let mut pod = objects::pod("shop", "legacy", "default", "n1");
    pod["metadata"]["annotations"] = json!({
        "kubectl.kubernetes.io/last-applied-configuration":
            format!("{{\"env\":[{{\"name\":\"AWS_SECRET_ACCESS_KEY\",\"value\":\"{SECRET}\"}}]}}")
    });
    pod["spec"]["containers"][0]["env"] = json!([
        {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
        {"name": "AWS_SECRET_ACCESS_KEY", "value": SECRET}
    ]);
    pod
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_save_through_merged_kubeconfig_files_reads_back_as_the_same_cluster() {
    let mut lab = objects::demo_lab();
    lab.push(leaky_pod());
    let server = StandIn::start(lab).await;
    let dir = tempfile::tempdir().unwrap();
    // First file: another cluster, and the current-context; second file: the stand-in.
    let first = dir.path().join("work.yaml");
    std::fs::write(&first, kubeconfig("work", "http://127.0.0.1:9")).unwrap();
    let second = server.write_kubeconfig(dir.path());
    let joined = std::env::join_paths([&first, &second]).unwrap();
    let out_dir = dir.path().join("snap");

    let out = run(
        &[
            "--context",
            "standin",
            "snapshot",
            "save",
            out_dir.to_str().unwrap(),
        ],
        &[("KUBECONFIG", Path::new(&joined))],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("saved context standin") && stdout.contains("69 pods"),
        "{stdout}"
    );

    // Nothing secret on disk.
    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        assert!(!text.contains(SECRET));
        assert!(!text.contains("managedFields"));
    }
    // Read back: the lab plus the leaky pod, its secret redacted with its length kept.
    let saved = snapshot::load_dir(&out_dir).unwrap();
    let lab = snapshot::load_demo().unwrap();
    assert_eq!(saved.context.as_deref(), Some("standin"));
    assert_eq!(saved.service_accounts.len(), lab.service_accounts.len());
    assert_eq!(saved.pods.len(), lab.pods.len() + 1);
    assert_eq!(saved.nodes.len(), lab.nodes.len());
    assert_eq!(saved.issuer(), Some(support::apiserver::ISSUER));
    let env = &saved.pod("shop", "legacy").unwrap().containers[0].env;
    assert_eq!(env[1].value, EnvValue::Redacted { len: SECRET.len() });
    assert_eq!(env[0].literal_value(), Some("AKIAIOSFODNN7EXAMPLE"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn audit_without_demo_or_snapshot_reads_the_live_cluster_of_the_kubeconfig() {
    let server = StandIn::start([
        objects::service_account(
            "shop",
            "orders",
            &[(
                "eks.amazonaws.com/role-arn",
                "arn:aws:iam::123456789012:role/orders",
            )],
        ),
        objects::pod("shop", "orders-1", "orders", "n1"),
        objects::node("n1", "i-0aaa"),
    ])
    .await;
    server.forbid(Kind::Node, Verb::List);
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let out = run(
        &[
            "--kubeconfig",
            config.to_str().unwrap(),
            "audit",
            "--format",
            "json",
        ],
        &[],
    )
    .await;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(codes.contains(&"POD001"), "{codes:?}");
    let unknowns = report["unknowns"].to_string();
    assert!(
        unknowns.contains("cannot list nodes: forbidden — IMDS checks unavailable"),
        "{unknowns}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_context_or_unreachable_server_is_one_clear_line() {
    let server = StandIn::start([objects::node("n1", "i-0aaa")]).await;
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let out = run(&["--context", "prod", "audit"], &[("KUBECONFIG", &config)]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no context named \"prod\""), "{stderr}");

    let dead = dir.path().join("dead.yaml");
    std::fs::write(&dead, kubeconfig("dead", "http://127.0.0.1:9")).unwrap();
    let out = run(&["--kubeconfig", dead.to_str().unwrap(), "audit"], &[]).await;
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot reach the API server of context dead"),
        "{stderr}"
    );

    let out = run(&["audit"], &[]).await;
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no kubeconfig"), "{stderr}");
}
