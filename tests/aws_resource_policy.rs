//! `can-i --aws` reads the resource side live: the S3 bucket policy (`s3:GetBucketPolicy`) and
//! the KMS key policy (`kms:GetKeyPolicy`) of the resource the question names, from moto
//! (which implements both), replacing the snapshot's copy; a denied read (the fault proxy
//! answers S3's access-denied error) leaves the policy unknown, or uses the snapshot's copy and
//! says so.

mod support;

use aws_sdk_s3::types::{BucketLocationConstraint, CreateBucketConfiguration};
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::moto::{moto, sdk_config};
use support::seed::seed_demo_lab;

const S3_READER: &str = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";
const TF_ROLE: &str = "eks-irsa-lab-tf-demo-tf-s3-reader-role";

fn can_i(endpoint: &str, home: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = support::binary::binary_against(endpoint, home)
        .args(["--demo", "--aws", "can-i"])
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run");
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)))
}

async fn ask(endpoint: &str, args: &'static [&'static str]) -> serde_json::Value {
    let endpoint = endpoint.to_owned();
    tokio::task::spawn_blocking(move || {
        let home = tempfile::tempdir().expect("HOME");
        can_i(&endpoint, home.path(), args)
    })
    .await
    .expect("join")
}

async fn bucket(s3: &aws_sdk_s3::Client, name: &str, policy: Option<String>) {
    s3.create_bucket()
        .bucket(name)
        .create_bucket_configuration(
            CreateBucketConfiguration::builder()
                .location_constraint(BucketLocationConstraint::EuWest1)
                .build(),
        )
        .send()
        .await
        .expect("create bucket");
    if let Some(policy) = policy {
        s3.put_bucket_policy()
            .bucket(name)
            .policy(policy)
            .send()
            .await
            .expect("put bucket policy");
    }
}

#[tokio::test]
async fn the_live_bucket_policy_replaces_the_snapshots_copy() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    seed_demo_lab(&config).await;
    let s3 = aws_sdk_s3::Client::new(&config);
    // Since the snapshot was taken, someone denied the reader role its objects.
    bucket(
        &s3,
        "my-app-bucket",
        Some(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Quarantine","Effect":"Deny","Principal":{{"AWS":"{S3_READER}"}},"Action":"s3:GetObject","Resource":"arn:aws:s3:::my-app-bucket/*"}}]}}"#
        )),
    )
    .await;
    bucket(&s3, "irsa-lab-no-policy", None).await;

    let v = ask(
        &moto.endpoint,
        &[
            "s3:GetObject",
            "arn:aws:s3:::my-app-bucket/x",
            "--pod",
            "demo/s3-test",
        ],
    )
    .await;
    assert_eq!(v["decision"], "explicit-deny", "{v}");
    assert_eq!(v["deciding"][0]["sid"], "Quarantine", "{v}");
    assert_eq!(
        v["resource_policy_source"],
        "read live: arn:aws:s3:::my-app-bucket"
    );

    // A bucket without a policy: known to have none, not "not loaded".
    let v = ask(
        &moto.endpoint,
        &[
            "s3:GetObject",
            "arn:aws:s3:::irsa-lab-no-policy/x",
            "--pod",
            "demo/s3-test",
        ],
    )
    .await;
    assert_eq!(
        v["resource_policy_source"], "read live: the resource has no policy",
        "{v}"
    );
    assert!(!v["unknowns"].to_string().contains("not loaded"), "{v}");
    assert!(
        !v["trace"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["kind"] == "resource-policy")
    );
}

#[tokio::test]
async fn the_live_key_policy_decides_whether_iam_grants_count() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    seed_demo_lab(&config).await;
    let kms = aws_sdk_kms::Client::new(&config);
    let admin_only = r#"{"Version":"2012-10-17","Statement":[{"Sid":"KeyAdmins","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/irsa-lab-platform-admin"},"Action":"kms:*","Resource":"*"}]}"#;
    let key = kms
        .create_key()
        .policy(admin_only)
        .send()
        .await
        .expect("create key");
    let key_arn = key
        .key_metadata()
        .and_then(|m| m.arn())
        .expect("key ARN")
        .to_owned();
    // The tf-s3-reader role may decrypt with this key, as far as IAM goes.
    aws_sdk_iam::Client::new(&config)
        .put_role_policy()
        .role_name(TF_ROLE)
        .policy_name("decrypt")
        .policy_document(format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"kms:Decrypt","Resource":"{key_arn}"}}]}}"#
        ))
        .send()
        .await
        .expect("put role policy");
    let question: &'static [&'static str] = Box::leak(
        vec![
            "kms:Decrypt",
            Box::leak(key_arn.clone().into_boxed_str()) as &str,
            "--pod",
            "tf-demo/tf-s3-test",
        ]
        .into_boxed_slice(),
    );

    let v = ask(&moto.endpoint, question).await;
    assert_eq!(v["decision"], "implicit-deny", "{v}");
    assert!(
        v["reason"].as_str().unwrap().contains("delegates to IAM"),
        "{v}"
    );
    assert_eq!(
        v["resource_policy_source"],
        format!("read live: {key_arn}").as_str()
    );

    // The key policy delegates to the account: now the role's grant counts.
    let delegating = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Enable IAM User Permissions","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}"#;
    kms.put_key_policy()
        .key_id(&key_arn)
        .policy_name("default")
        .policy(delegating)
        .send()
        .await
        .expect("put key policy");
    let v = ask(&moto.endpoint, question).await;
    assert_eq!(v["decision"], "allow", "{v}");
}

#[tokio::test]
async fn a_denied_read_is_unknown_or_falls_back_to_the_snapshots_copy_and_says_so() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    seed_demo_lab(&config).await;
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![Rule {
            service: "s3",
            action: "?policy",
            fault: Fault::Deny,
        }],
    )
    .await;
    // The demo snapshot has my-app-bucket's policy: it is used, and the answer says so.
    let v = ask(
        &proxy.endpoint,
        &[
            "s3:GetObject",
            "arn:aws:s3:::my-app-bucket/x",
            "--pod",
            "demo/s3-test",
        ],
    )
    .await;
    assert_eq!(v["decision"], "allow", "{v}");
    let source = v["resource_policy_source"].as_str().unwrap();
    assert!(
        source.contains("s3:GetBucketPolicy denied") && source.contains("snapshot's copy"),
        "{source}"
    );
    // A bucket the snapshot does not have: the policy is unknown, with the permission named.
    let v = ask(
        &proxy.endpoint,
        &[
            "s3:GetObject",
            "arn:aws:s3:::irsa-lab-elsewhere/x",
            "--pod",
            "demo/s3-test",
        ],
    )
    .await;
    assert!(
        v["unknowns"]
            .to_string()
            .contains("s3:GetBucketPolicy denied"),
        "{v}"
    );
}
