//! Loading offline snapshots and the embedded demo lab (`sources::snapshot`).
//!
//! Tests marked `needs token::decode` load token files and so need the token work
//! (`analysis::token::decode`); the others strip `tokens/` and run on their own.

use irsa_core::model::{
    EnvValue, Inventory, ProjectedSource, SourceKind, VolumeSourceInfo, WebhookSettings,
};
use irsa_core::snapshot::{
    SnapshotError, SnapshotFiles, demo_files, load_demo, load_dir, load_files,
};
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use std::fs;
use std::path::{Path, PathBuf};

const ISSUER: &str = "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
const S3_READER_ROLE: &str = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";

fn demo_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/demo")
}

/// The demo's files without `tokens/` (so no token decoding is involved).
fn demo_without_tokens() -> SnapshotFiles {
    let mut files = demo_files();
    let tokens: Vec<String> = files
        .names()
        .filter(|n| n.starts_with("tokens/"))
        .map(str::to_owned)
        .collect();
    assert!(!tokens.is_empty());
    for name in tokens {
        files.remove(&name);
    }
    files
}

fn demo_inventory() -> Inventory {
    load_files(&demo_without_tokens()).expect("demo loads")
}

fn raw_demo_file(name: &str) -> Value {
    serde_json::from_str(&fs::read_to_string(demo_dir().join(name)).unwrap()).unwrap()
}

fn problem_sources(inv: &Inventory) -> Vec<SourceKind> {
    inv.problems.iter().map(|p| p.source).collect()
}

fn write(dir: &Path, name: &str, text: &str) {
    fs::write(dir.join(name), text).unwrap();
}

#[test]
fn every_file_of_assets_demo_is_embedded_verbatim() {
    let embedded = demo_files();
    let mut on_disk = Vec::new();
    for entry in fs::read_dir(demo_dir()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".json") {
            on_disk.push(name);
        }
    }
    for entry in fs::read_dir(demo_dir().join("tokens")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        on_disk.push(format!("tokens/{name}"));
    }
    on_disk.sort();
    let names: Vec<&str> = embedded.names().collect();
    assert_eq!(names, on_disk);
    for name in &on_disk {
        let text = fs::read_to_string(demo_dir().join(name)).unwrap();
        assert!(embedded.get(name) == Some(text.as_str()), "{name} differs");
    }
}

#[test]
fn the_demo_projects_every_kubernetes_item_and_aws_record() {
    let inv = demo_inventory();
    let kube = raw_demo_file("kubernetes.json");
    let count = |kind: &str| {
        kube["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == kind)
            .count()
    };
    assert_eq!(inv.service_accounts.len(), count("ServiceAccount"));
    assert_eq!(inv.pods.len(), count("Pod"));
    assert_eq!(inv.nodes.len(), count("Node"));
    let len = |file: &str, key: &str| raw_demo_file(file)[key].as_array().unwrap().len();
    assert_eq!(
        inv.roles.as_ref().map(Vec::len),
        Some(
            len("iam-authorization-details.json", "RoleDetailList")
                + len(
                    "iam-authorization-details-210987654321.json",
                    "RoleDetailList"
                )
        )
    );
    assert_eq!(
        inv.oidc_providers.as_ref().map(Vec::len),
        Some(
            len("iam-oidc-providers.json", "OpenIDConnectProviders")
                + len(
                    "iam-oidc-providers-210987654321.json",
                    "OpenIDConnectProviders"
                )
        )
    );
    assert_eq!(
        inv.pod_identity_associations.as_ref().map(Vec::len),
        Some(len("eks-pod-identity-associations.json", "associations"))
    );
    assert_eq!(inv.instances.as_ref().map(Vec::len), Some(4));
    // The lab as README.md describes it.
    assert_eq!(
        (
            inv.service_accounts.len(),
            inv.pods.len(),
            inv.nodes.len(),
            inv.pod_identity_associations.as_ref().map(Vec::len)
        ),
        (77, 68, 5, Some(16))
    );
}

#[test]
fn the_demo_is_the_guides_cluster_captured_on_the_guides_date() {
    let inv = demo_inventory();
    assert_eq!(
        inv.captured_at,
        Some("2026-04-10T10:00:00Z".parse().unwrap())
    );
    let cluster = inv.cluster.as_ref().unwrap();
    assert_eq!(cluster.name, "irsa-lab");
    assert_eq!(cluster.region.as_deref(), Some("eu-west-1"));
    assert_eq!(inv.issuer(), Some(ISSUER));
    assert_eq!(inv.account(), Some("123456789012"));
    assert_eq!(inv.webhook, Some(WebhookSettings::eks(Some("eu-west-1"))));
    let caller = inv.caller.as_ref().unwrap();
    assert!(
        caller
            .arn
            .ends_with(":assumed-role/irsa-inspector-readonly/alice")
    );
    // Apart from the stripped tokens, nothing is unknown.
    assert_eq!(problem_sources(&inv), [SourceKind::Tokens]);
}

#[test]
fn the_s3_reader_sa_and_its_pod_carry_the_guides_irsa_wiring() {
    let inv = demo_inventory();
    let sa = inv.service_account("demo", "s3-reader").unwrap();
    assert_eq!(
        sa.annotations
            .get("eks.amazonaws.com/role-arn")
            .map(String::as_str),
        Some(S3_READER_ROLE)
    );
    let pod = inv.pod("demo", "s3-test").unwrap();
    assert_eq!(&*pod.service_account, "s3-reader");
    let c = &pod.containers[0];
    let env: Vec<(&str, Option<&str>)> = c
        .env
        .iter()
        .map(|e| (e.name.as_str(), e.literal_value()))
        .collect();
    // The five variables of the guide, in the webhook's order.
    assert_eq!(
        env,
        [
            ("AWS_STS_REGIONAL_ENDPOINTS", Some("regional")),
            ("AWS_DEFAULT_REGION", Some("eu-west-1")),
            ("AWS_REGION", Some("eu-west-1")),
            ("AWS_ROLE_ARN", Some(S3_READER_ROLE)),
            (
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                Some("/var/run/secrets/eks.amazonaws.com/serviceaccount/token")
            ),
        ]
    );
    let mount = c
        .volume_mounts
        .iter()
        .find(|m| m.name == "aws-iam-token")
        .unwrap();
    assert_eq!(
        mount.mount_path,
        "/var/run/secrets/eks.amazonaws.com/serviceaccount"
    );
    assert!(mount.read_only);
    let volume = pod.volume("aws-iam-token").unwrap();
    assert_eq!(
        volume.source,
        VolumeSourceInfo::Projected {
            sources: vec![ProjectedSource::ServiceAccountToken {
                audience: Some("sts.amazonaws.com".to_owned()),
                expiration_seconds: Some(86400),
                path: "token".to_owned(),
            }]
        }
    );
    assert_eq!(
        pod.node_name.as_deref(),
        Some("ip-192-168-45-67.eu-west-1.compute.internal")
    );
}

#[test]
fn the_demo_roles_resolve_policies_and_instance_profiles() {
    let inv = demo_inventory();
    let roles = inv.roles.as_ref().unwrap();
    let s3 = roles.iter().find(|r| r.arn == S3_READER_ROLE).unwrap();
    assert_eq!(
        s3.trust_policy.as_ref().unwrap()["Statement"][0]["Condition"]["StringEquals"]["oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub"],
        "system:serviceaccount:demo:s3-reader"
    );
    let attached = &s3.attached_policies[0];
    assert_eq!(attached.name, "irsa-lab-s3-read-policy");
    assert_eq!(
        attached.document.as_ref().unwrap()["Statement"][0]["Action"],
        json!(["s3:GetObject", "s3:ListBucket"])
    );
    assert!(s3.permissions_boundary.is_some());
    // Each EC2 node's instance profile leads to a role (the node-role fallback target).
    for instance in inv.instances.as_ref().unwrap() {
        let profile = instance.instance_profile_arn.as_deref().unwrap();
        assert!(
            roles
                .iter()
                .any(|r| r.instance_profiles.iter().any(|p| p == profile)),
            "{profile}"
        );
        let node = inv
            .nodes
            .iter()
            .find(|n| {
                n.provider_id
                    .as_deref()
                    .is_some_and(|p| p.ends_with(&instance.instance_id))
            })
            .unwrap();
        // EC2 node names are private DNS names; EKS Auto Mode names its nodes by instance id.
        assert!(
            node.name.starts_with("ip-") || node.name == instance.instance_id,
            "{}",
            node.name
        );
    }
    // The cross-account target of the guide is known, with its External ID condition.
    let b = roles
        .iter()
        .find(|r| r.arn == "arn:aws:iam::210987654321:role/accountb-data-reader")
        .unwrap();
    assert_eq!(
        b.trust_policy.as_ref().unwrap()["Statement"][0]["Condition"]["StringEquals"]["sts:ExternalId"],
        "irsa-lab-accountb-shared-id"
    );
}

#[test]
fn static_keys_are_redacted_and_never_serialized() {
    let inv = demo_inventory();
    let pod = inv
        .pods
        .iter()
        .find(|p| &*p.namespace == "broken" && &*p.service_account == "static-keys")
        .unwrap();
    let app = &pod.containers[0];
    assert_eq!(
        app.env_var("AWS_SECRET_ACCESS_KEY").unwrap().value,
        EnvValue::Redacted { len: 40 }
    );
    assert_eq!(
        app.env_var("AWS_ACCESS_KEY_ID").unwrap().literal_value(),
        Some("AKIAIOSFODNN7EXAMPLE")
    );
    let init = &pod.init_containers[0];
    assert_eq!(
        init.env_var("AWS_SECRET_ACCESS_KEY").unwrap().value,
        EnvValue::SecretKeyRef {
            name: "legacy-aws-credentials".to_owned(),
            key: "secret-access-key".to_owned()
        }
    );
    let json = serde_json::to_string(&inv).unwrap();
    let debug = format!("{inv:?}");
    for text in [&json, &debug] {
        assert!(!text.contains("wJalrXUtnFEMI"), "secret key leaked");
    }
    // The inventory round-trips through JSON (what `snapshot`/`audit --format json` write).
    let back: Inventory = serde_json::from_str(&json).unwrap();
    assert_eq!(back, inv);
}

#[test]
fn every_file_but_kubernetes_missing_leaves_aws_unknown_with_a_problem_per_file() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kubernetes.json",
        &fs::read_to_string(demo_dir().join("kubernetes.json")).unwrap(),
    );
    let inv = load_dir(dir.path()).unwrap();
    assert!(!inv.service_accounts.is_empty());
    assert!(inv.roles.is_none());
    assert!(inv.oidc_providers.is_none());
    assert!(inv.pod_identity_associations.is_none());
    assert!(inv.instances.is_none());
    assert!(inv.cluster.is_none());
    assert!(inv.caller.is_none());
    for (source, file) in [
        (SourceKind::IamRoles, "iam-authorization-details.json"),
        (SourceKind::OidcProviders, "iam-oidc-providers.json"),
        (SourceKind::EksCluster, "eks-cluster.json"),
        (
            SourceKind::PodIdentity,
            "eks-pod-identity-associations.json",
        ),
        (SourceKind::Ec2Instances, "ec2-instances.json"),
        (SourceKind::CallerIdentity, "sts-caller-identity.json"),
    ] {
        assert!(
            inv.problems_for(source).any(|p| p.message.contains(file)),
            "no problem names {file}: {:?}",
            inv.problems
        );
    }
    assert!(
        inv.problems_for(SourceKind::IamRoles)
            .any(|p| p.message
                == "iam-authorization-details.json not in snapshot — IAM roles unknown")
    );
    // Without EKS facts the webhook's settings and the issuer are unknown too.
    assert_eq!(inv.webhook, None);
    assert_eq!(inv.issuer(), None);
}

#[test]
fn an_empty_folder_is_an_empty_inventory_with_problems_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let inv = load_dir(dir.path()).unwrap();
    assert!(inv.service_accounts.is_empty() && inv.pods.is_empty() && inv.nodes.is_empty());
    assert!(inv.roles.is_none() && inv.tokens.is_empty() && inv.captured_at.is_none());
    let mut sources = problem_sources(&inv);
    sources.dedup();
    for source in [
        SourceKind::Kubernetes,
        SourceKind::EksCluster,
        SourceKind::CallerIdentity,
        SourceKind::IamRoles,
        SourceKind::OidcProviders,
        SourceKind::PodIdentity,
        SourceKind::Ec2Instances,
        SourceKind::Tokens,
    ] {
        assert!(
            sources.contains(&source),
            "{source} missing from {sources:?}"
        );
    }
    assert!(
        inv.problems_for(SourceKind::Kubernetes)
            .any(|p| p.message.starts_with("kubernetes.json not in snapshot"))
    );
}

#[test]
fn an_unreadable_folder_is_an_error_naming_it() {
    let missing = Path::new(env!("CARGO_MANIFEST_DIR")).join("no-such-snapshot-folder");
    let err = load_dir(&missing).unwrap_err();
    assert!(matches!(err, SnapshotError::Folder { .. }));
    let message = err.to_string();
    assert!(message.contains("no-such-snapshot-folder"), "{message}");
    assert_eq!(message.lines().count(), 1);
}

#[test]
fn a_corrupt_file_is_a_one_line_error_naming_the_file_and_position() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "kubernetes.json",
        r#"{"kind": "List", "items": []}"#,
    );
    write(
        dir.path(),
        "iam-authorization-details.json",
        "{\n  \"RoleDetailList\": [\n    {\"Arn\": \"arn:aws:iam::1:role/x\",\n",
    );
    let err = load_dir(dir.path()).unwrap_err();
    let message = err.to_string();
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains(
            &dir.path()
                .join("iam-authorization-details.json")
                .display()
                .to_string()
        ),
        "{message}"
    );
    assert!(message.contains("line 4"), "{message}");

    // A well-formed file of the wrong shape names the field.
    write(
        dir.path(),
        "iam-authorization-details.json",
        r#"{"RoleDetailList": [{"Arn": "arn:aws:iam::123456789012:role/x"}]}"#,
    );
    let message = load_dir(dir.path()).unwrap_err().to_string();
    assert!(message.contains("RoleName"), "{message}");
}

#[test]
fn a_pod_that_does_not_fit_the_pod_schema_is_named_in_the_error() {
    let files = SnapshotFiles::new("test").with(
        "kubernetes.json",
        json!({"apiVersion": "v1", "kind": "List", "items": [
            {"apiVersion": "v1", "kind": "Pod",
             "metadata": {"name": "p", "namespace": "ns"},
             "spec": {"containers": [{"name": "c", "env": "AWS_REGION=eu-west-1"}]}}
        ]})
        .to_string(),
    );
    let message = load_files(&files).unwrap_err().to_string();
    assert!(
        message.starts_with("test kubernetes.json: items[0] (Pod ns/p): "),
        "{message}"
    );
}

/// A trust policy as the IAM API (and SDKs) return it: URL-encoded JSON text.
fn url_encoded(doc: &Value) -> String {
    percent_encoding::utf8_percent_encode(&doc.to_string(), percent_encoding::NON_ALPHANUMERIC)
        .to_string()
}

#[test]
fn trust_documents_load_url_encoded_as_the_api_sends_them_and_decoded_as_the_cli_prints_them() {
    let trust = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.example/id/A"},
        "Action": "sts:AssumeRoleWithWebIdentity"}]});
    let encoded = url_encoded(&trust);
    assert!(encoded.starts_with("%7B%22Version%22"));
    let details = json!({
        "RoleDetailList": [
            {"RoleName": "sdk", "Arn": "arn:aws:iam::123456789012:role/sdk",
             "AssumeRolePolicyDocument": encoded,
             "RolePolicyList": [{"PolicyName": "inline", "PolicyDocument": url_encoded(&json!({"Statement": []}))}]},
            {"RoleName": "cli", "Arn": "arn:aws:iam::123456789012:role/cli",
             "AssumeRolePolicyDocument": trust}
        ],
        "Policies": []
    });
    let files =
        SnapshotFiles::new("test").with("iam-authorization-details.json", details.to_string());
    let inv = load_files(&files).unwrap();
    let roles = inv.roles.unwrap();
    assert_eq!(roles[0].trust_policy, Some(Value::String(encoded)));
    assert!(roles[0].inline_policies[0].document.is_string());
    assert_eq!(roles[1].trust_policy, Some(trust));
}

#[test]
fn iam_files_of_other_accounts_merge_only_with_the_cluster_accounts_file() {
    let other = json!({"RoleDetailList": [
        {"RoleName": "b", "Arn": "arn:aws:iam::210987654321:role/b"}]})
    .to_string();
    let alone = SnapshotFiles::new("t").with("iam-authorization-details-b.json", other.clone());
    let inv = load_files(&alone).unwrap();
    assert!(
        inv.roles.is_none(),
        "a lone extra file must not make other roles 'missing'"
    );
    assert!(inv.problems_for(SourceKind::IamRoles).any(|p| {
        p.message
            .contains("iam-authorization-details-b.json ignored")
    }));
    let both = alone.with(
        "iam-authorization-details.json",
        json!({"RoleDetailList": [
            {"RoleName": "a", "Arn": "arn:aws:iam::123456789012:role/a"}]})
        .to_string(),
    );
    let arns: Vec<String> = load_files(&both)
        .unwrap()
        .roles
        .unwrap()
        .into_iter()
        .map(|r| r.arn)
        .collect();
    assert_eq!(
        arns,
        [
            "arn:aws:iam::123456789012:role/a",
            "arn:aws:iam::210987654321:role/b"
        ]
    );
}

#[test]
fn roles_stay_unknown_when_the_file_is_one_page_or_of_another_account() {
    let cluster = raw_demo_file("eks-cluster.json").to_string();
    let truncated = SnapshotFiles::new("t").with(
        "iam-authorization-details.json",
        json!({"RoleDetailList": [
            {"RoleName": "a", "Arn": "arn:aws:iam::123456789012:role/a"}],
            "IsTruncated": true, "Marker": "next"})
        .to_string(),
    );
    let inv = load_files(&truncated).unwrap();
    assert!(inv.roles.is_none());
    assert!(
        inv.problems_for(SourceKind::IamRoles)
            .any(|p| p.message.contains("IsTruncated"))
    );
    let wrong_account = SnapshotFiles::new("t")
        .with("eks-cluster.json", cluster)
        .with(
            "iam-authorization-details.json",
            json!({"RoleDetailList": [
                {"RoleName": "b", "Arn": "arn:aws:iam::210987654321:role/b"}]})
            .to_string(),
        );
    let inv = load_files(&wrong_account).unwrap();
    assert!(inv.roles.is_none());
    assert!(
        inv.problems_for(SourceKind::IamRoles)
            .any(|p| p.message.contains("123456789012"))
    );
}

#[test]
fn a_self_managed_webhook_deployment_sets_the_webhook_flags() {
    let kube = json!({"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": {"name": "pod-identity-webhook", "namespace": "default"},
         "spec": {"selector": {"matchLabels": {"app": "pod-identity-webhook"}},
                  "template": {"spec": {"containers": [{
                      "name": "pod-identity-webhook",
                      "image": "amazon/amazon-eks-pod-identity-webhook:v0.6.7",
                      "command": ["/webhook", "--in-cluster=false", "--namespace=default",
                                  "--aws-default-region=us-east-2",
                                  "--token-expiration=3600",
                                  "--annotation-prefix=eks.amazonaws.com",
                                  "--token-audience=sts.amazonaws.com", "--logtostderr"]}]}}}}
    ]});
    let files = SnapshotFiles::new("t")
        .with("kubernetes.json", kube.to_string())
        .with(
            "openid-configuration.json",
            r#"{"issuer": "https://s3.us-east-2.amazonaws.com/my-oidc", "jwks_uri": "x"}"#,
        );
    let inv = load_files(&files).unwrap();
    let webhook = inv.webhook.as_ref().unwrap();
    assert_eq!(webhook.region.as_deref(), Some("us-east-2"));
    assert!(!webhook.sts_regional_endpoints);
    assert_eq!(webhook.default_token_expiration, 3600);
    assert_eq!(
        inv.issuer(),
        Some("https://s3.us-east-2.amazonaws.com/my-oidc")
    );
}

#[test]
fn an_eks_issuer_alone_implies_the_eks_webhook() {
    let files = SnapshotFiles::new("t").with(
        "openid-configuration.json",
        json!({"issuer": ISSUER}).to_string(),
    );
    let inv = load_files(&files).unwrap();
    assert_eq!(inv.webhook, Some(WebhookSettings::eks(Some("eu-west-1"))));
}

#[test]
fn an_api_server_issuer_other_than_eks_says_so_and_wins() {
    let other = ISSUER.replace("4656D0B75473F4BF", "0000000000000000");
    let mut files = demo_without_tokens();
    files.insert(
        "openid-configuration.json",
        json!({"issuer": other}).to_string(),
    );
    let inv = load_files(&files).unwrap();
    let lines: Vec<&str> = inv
        .problems_for(SourceKind::EksCluster)
        .map(|p| p.message.as_str())
        .collect();
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("issuer mismatch") && l.contains(&other) && l.contains(ISSUER)),
        "{lines:?}"
    );
    // Tokens carry the API server's issuer: the analysis uses it.
    assert_eq!(inv.issuer(), Some(other.as_str()));

    // The same issuer with a trailing slash is no mismatch.
    let mut files = demo_without_tokens();
    files.insert(
        "openid-configuration.json",
        json!({"issuer": format!("{ISSUER}/")}).to_string(),
    );
    let inv = load_files(&files).unwrap();
    assert_eq!(inv.problems_for(SourceKind::EksCluster).count(), 0);
}

#[test]
fn a_token_file_not_named_after_namespace_and_pod_is_reported_not_loaded() {
    let files = SnapshotFiles::new("t").with("tokens/just-a-name.jwt", "x.y.z");
    let inv = load_files(&files).unwrap();
    assert!(inv.tokens.is_empty());
    assert!(
        inv.problems_for(SourceKind::Tokens)
            .any(|p| p.message.contains("tokens/just-a-name.jwt"))
    );
}

// ----- needs token::decode (the token work) -------------------------------------------------

#[test]
fn needs_token_decode_the_embedded_demo_loads_like_the_folder_it_was_built_from() {
    let demo = load_demo().expect("the embedded demo loads");
    let folder = load_dir(&demo_dir()).expect("assets/demo loads");
    assert_eq!(demo, folder);
    assert!(demo.problems.is_empty(), "{:?}", demo.problems);
    assert_eq!(demo.tokens.len(), 7);
}

#[test]
fn needs_token_decode_demo_tokens_decode_to_the_guides_claims() {
    let demo = load_demo().unwrap();
    let token = demo
        .tokens
        .iter()
        .find(|t| &*t.namespace == "demo" && t.pod == "s3-test")
        .unwrap();
    assert_eq!(token.origin, "snapshot file tokens/demo.s3-test.jwt");
    let decoded = token.decoded.as_ref().unwrap();
    assert_eq!(decoded.claims.iss.as_deref(), Some(ISSUER));
    assert_eq!(
        decoded.claims.sub.as_deref(),
        Some("system:serviceaccount:demo:s3-reader")
    );
    assert_eq!(decoded.claims.aud, ["sts.amazonaws.com"]);
    assert_eq!(
        (decoded.claims.iat, decoded.claims.exp),
        (Some(1775813419), Some(1775899819))
    );
    let now = demo.captured_at.unwrap();
    assert!(!decoded.lifetime(now).unwrap().expired);
    let stale = demo
        .tokens
        .iter()
        .find(|t| &*t.namespace == "broken" && t.pod.starts_with("stale-token-"))
        .unwrap();
    assert!(
        stale
            .decoded
            .as_ref()
            .unwrap()
            .lifetime(now)
            .unwrap()
            .expired
    );
}

#[test]
fn needs_token_decode_a_bad_token_is_kept_as_an_error_and_raw_tokens_are_never_kept() {
    let mut files = demo_files();
    files.insert("tokens/broken.garbage.jwt", "not-a-jwt");
    let inv = load_files(&files).unwrap();
    let bad = inv
        .tokens
        .iter()
        .find(|t| &*t.namespace == "broken" && t.pod == "garbage")
        .unwrap();
    assert!(bad.decoded.is_err());
    let serialized = serde_json::to_string(&inv).unwrap();
    let debug = format!("{inv:?}");
    for name in files.names().filter(|n| n.starts_with("tokens/")) {
        let raw = files.get(name).unwrap();
        let signature = raw.rsplit('.').next().unwrap();
        for text in [&serialized, &debug] {
            assert!(!text.contains(raw), "{name} kept raw");
            if signature.len() > 8 {
                assert!(!text.contains(signature), "{name} signature kept");
            }
        }
    }
}
