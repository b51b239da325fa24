//! `--aws` end to end: the real binary reads the AWS side from the endpoint that
//! `AWS_ENDPOINT_URL` names (the SDK's own support), with credentials from the environment, as
//! the AWS CLI would; the Kubernetes side is the demo lab's.

mod support;

use assert_cmd::Command;
use support::moto::{moto, sdk_config};
use support::seed::{seed_demo_lab, seed_other_account};

fn run(endpoint: &str, home: &std::path::Path) -> std::process::Output {
    support::binary::binary_against(endpoint, home)
        .args(["--demo", "--aws", "audit", "--format", "json"])
        .output()
        .expect("run")
}

#[tokio::test]
async fn aws_endpoint_url_and_env_credentials_are_honoured() {
    let moto = moto().await;
    let seeded = seed_demo_lab(&sdk_config(&moto.endpoint, None).await).await;
    let home = tempfile::tempdir().expect("empty HOME");
    let out = run(&moto.endpoint, home.path());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
    // The issuer is moto's, so the cluster was described live, not taken from the demo.
    assert_eq!(report["issuer"], seeded.issuer.as_str());
    assert_eq!(report["account"], "123456789012");
    // The only AWS call that failed is the one moto lacks; every collection was loaded (what
    // is left unknown is analysis detail: the other account's roles, the demo's instance ids).
    let unknowns = report["unknowns"].as_array().expect("unknowns");
    let failed: Vec<&str> = unknowns
        .iter()
        .filter(|u| {
            u["message"]
                .as_str()
                .is_some_and(|m| m.contains(" failed") || m.contains(" denied"))
        })
        .filter_map(|u| u["source"].as_str())
        .collect();
    assert_eq!(failed, ["pod-identity"], "{}", report["unknowns"]);
    for not_loaded in [
        "IAM roles not loaded",
        "EC2 instances not loaded",
        "OIDC providers not loaded",
    ] {
        assert!(
            !report["unknowns"].to_string().contains(not_loaded),
            "{not_loaded}: {}",
            report["unknowns"]
        );
    }
}

#[test]
fn without_credentials_the_start_fails_with_one_line() {
    let home = tempfile::tempdir().expect("empty HOME");
    let out = Command::cargo_bin("irsa-inspector")
        .expect("binary")
        .args(["--demo", "--aws", "audit"])
        .env_clear()
        .env("HOME", home.path())
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("no usable AWS credentials"), "{stderr}");
}

#[tokio::test]
async fn account_profile_reads_the_other_accounts_roles_through_an_assumed_role_profile() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let seeded = seed_demo_lab(&config).await;
    seed_other_account(&config, &seeded, "210987654321").await;
    let home = tempfile::tempdir().expect("empty HOME");
    // The AWS CLI way: profile `b` assumes a role in account B with `a`'s keys.
    let aws_dir = home.path().join(".aws");
    std::fs::create_dir(&aws_dir).expect("~/.aws");
    std::fs::write(
        aws_dir.join("config"),
        "[profile a]\nregion = eu-west-1\n\n[profile b]\nrole_arn = \
         arn:aws:iam::210987654321:role/irsa-inspector-reader\nsource_profile = a\nregion = \
         eu-west-1\n",
    )
    .expect("config");
    std::fs::write(
        aws_dir.join("credentials"),
        "[a]\naws_access_key_id = testing-access-key\naws_secret_access_key = testing-secret-key\n",
    )
    .expect("credentials");
    let audit = |extra: &[&str]| {
        let out = Command::cargo_bin("irsa-inspector")
            .expect("binary")
            .args([
                "--demo",
                "--aws",
                "--profile",
                "a",
                "audit",
                "--format",
                "json",
            ])
            .args(extra)
            .env_clear()
            .env("HOME", home.path())
            .env("AWS_ENDPOINT_URL", &moto.endpoint)
            .env("AWS_MAX_ATTEMPTS", "1")
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {stderr}"));
        report
    };
    let other_account_lines = |report: &serde_json::Value| -> Vec<String> {
        report["unknowns"]
            .as_array()
            .expect("unknowns")
            .iter()
            .filter(|u| u["source"] == "other-accounts")
            .map(|u| u["message"].to_string())
            .collect()
    };
    let irsa001_in_b = |report: &serde_json::Value| {
        report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .any(|f| {
                f["code"] == "IRSA001"
                    && f["title"]
                        .as_str()
                        .is_some_and(|t| t.contains("210987654321"))
            })
    };

    let without = audit(&[]);
    let lines = other_account_lines(&without);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("--account-profile 210987654321=PROFILE"),
        "{}",
        lines[0]
    );
    assert!(!irsa001_in_b(&without));

    let with = audit(&["--account-profile", "210987654321=b"]);
    assert_eq!(other_account_lines(&with), Vec::<String>::new());
    assert!(irsa001_in_b(&with), "{}", with["findings"]);

    // A profile of the wrong account is caught by its caller identity.
    let wrong = audit(&["--account-profile", "210987654321=a"]);
    let lines = other_account_lines(&wrong);
    assert!(
        lines
            .iter()
            .any(|l| l.contains("profile a is account 123456789012, not 210987654321")),
        "{lines:?}"
    );
}

#[test]
fn a_malformed_account_profile_is_one_line() {
    let out = Command::cargo_bin("irsa-inspector")
        .expect("binary")
        .args(["--demo", "--aws", "--account-profile", "21098=b", "audit"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("not a 12-digit AWS account id"), "{stderr}");
}
