//! `snapshot save --aws`: the live cluster (the stand-in API server) and its AWS side (moto,
//! through `AWS_ENDPOINT_URL` like a user's endpoint) written as one snapshot folder, which
//! `--snapshot DIR` reads back into the same verdicts the live audit gives.

mod support;

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::process::Output;
use support::apiserver::{StandIn, kubeconfig};
use support::moto::moto;
use support::objects;
use support::seed::{seed_demo_lab, seed_other_account};

/// The EKS context `aws eks update-kubeconfig` writes: it names the cluster and region.
const CONTEXT: &str = "arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab";
const NOW: &str = "2026-04-10T10:00:00Z";

async fn run(args: Vec<String>, home: PathBuf, endpoint: String) -> Output {
    tokio::task::spawn_blocking(move || {
        Command::cargo_bin("irsa-inspector")
            .expect("binary")
            .args(args)
            .env_clear()
            .env("HOME", home)
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing-access-key")
            .env("AWS_SECRET_ACCESS_KEY", "testing-secret-key")
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .expect("run")
    })
    .await
    .expect("join")
}

fn args(list: &[&str]) -> Vec<String> {
    list.iter().map(|a| (*a).to_owned()).collect()
}

fn report(out: &Output) -> serde_json::Value {
    let stderr = String::from_utf8_lossy(&out.stderr);
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_save_with_aws_reads_back_into_the_live_verdicts() {
    let moto = moto().await;
    let config = support::moto::sdk_config(&moto.endpoint, None).await;
    let seeded = seed_demo_lab(&config).await;
    seed_other_account(&config, &seeded, "210987654321").await;
    let server = StandIn::start(objects::demo_lab()).await;
    server.set_issuer(&seeded.issuer);
    let home = tempfile::tempdir().expect("home");
    let kubeconfig_path = home.path().join("kubeconfig");
    std::fs::write(&kubeconfig_path, kubeconfig(CONTEXT, &server.url())).expect("kubeconfig");
    let k = kubeconfig_path.to_str().expect("utf-8").to_owned();
    let snap = home.path().join("snap");
    let s = snap.to_str().expect("utf-8").to_owned();

    let saved = run(
        args(&["--kubeconfig", &k, "--aws", "snapshot", "save", &s]),
        home.path().to_owned(),
        moto.endpoint.clone(),
    )
    .await;
    let stdout = String::from_utf8_lossy(&saved.stdout);
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    assert!(stdout.contains("saved the AWS side"), "{stdout}");
    for file in [
        "sts-caller-identity.json",
        "eks-cluster.json",
        "iam-authorization-details.json",
        "iam-oidc-providers.json",
        "ec2-instances.json",
    ] {
        assert!(Path::new(&snap).join(file).is_file(), "{file} written");
    }
    // moto has no Pod Identity API: unknown live, so not written (the loader says "missing").
    assert!(!snap.join("eks-pod-identity-associations.json").exists());
    // The other account is not readable with these credentials: nothing invented for it.
    assert!(
        !snap
            .join("iam-authorization-details-210987654321.json")
            .exists()
    );

    let live = report(
        &run(
            args(&[
                "--kubeconfig",
                &k,
                "--aws",
                "--now",
                NOW,
                "audit",
                "--format",
                "json",
            ]),
            home.path().to_owned(),
            moto.endpoint.clone(),
        )
        .await,
    );
    let offline = report(
        &run(
            args(&["--snapshot", &s, "--now", NOW, "audit", "--format", "json"]),
            home.path().to_owned(),
            moto.endpoint.clone(),
        )
        .await,
    );
    assert_eq!(live["issuer"], seeded.issuer.as_str());
    for key in [
        "issuer", "account", "cluster", "bindings", "pods", "findings",
    ] {
        pretty_assertions::assert_eq!(offline[key], live[key], "{key}");
    }
    assert!(
        !live["findings"].as_array().expect("findings").is_empty(),
        "the demo lab has findings to compare"
    );
}
