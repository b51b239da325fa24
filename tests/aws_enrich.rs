//! The live AWS source against `moto_server` (real wire protocol, real SDK clients with an
//! endpoint override, static test credentials, SDK retries off), seeded with the demo lab.

mod support;

use irsa_core::analysis::audit::audit;
use irsa_core::model::{FindingCode, Inventory, RoleInfo, RoleLookup, SourceKind};
use irsa_inspector::messages::WebIdentityAnswer;
use irsa_inspector::sources::aws::{
    AwsClients, AwsOptions, AwsSource, EnrichRequest, Enrichment, IamPath,
};
use pretty_assertions::assert_eq;
use support::moto::{ACCOUNT, moto, sdk_config};
use support::seed::{seed_demo_lab, seed_other_account};

fn source(config: &aws_config::SdkConfig, iam_path: IamPath) -> AwsSource {
    AwsSource::new(
        AwsClients::new(config),
        AwsOptions {
            iam_path,
            ..AwsOptions::default()
        },
    )
}

/// The demo's Kubernetes side with the AWS side as `source` reads it.
async fn live(demo: &Inventory, source: &AwsSource) -> (Inventory, Enrichment) {
    let enrichment = source.enrich(&EnrichRequest::from_inventory(demo)).await;
    let mut inv = demo.clone();
    enrichment.clone().merge_into(&mut inv);
    (inv, enrichment)
}

/// What IAM lets a caller seed: creation time, id and last use are IAM's own.
fn seedable(role: &RoleInfo) -> RoleInfo {
    let mut r = role.clone();
    r.attached_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    r.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
    r.role_id = None;
    r.created = None;
    r.last_used = None;
    r.max_session_duration = None;
    for p in &mut r.attached_policies {
        // AWS managed policies are moto's copies, which may be newer than the demo's.
        if p.arn.starts_with("arn:aws:iam::aws:") {
            p.document = p
                .document
                .as_ref()
                .map(|_| serde_json::json!("aws managed"));
        }
    }
    r
}

fn found<'a>(inv: &'a Inventory, arn: &str) -> Option<&'a RoleInfo> {
    match inv.role(arn) {
        RoleLookup::Found(r) => Some(r),
        _ => None,
    }
}

fn ours(roles: &[RoleInfo]) -> Vec<RoleInfo> {
    let mut v: Vec<RoleInfo> = roles
        .iter()
        .filter(|r| r.account() == Some(ACCOUNT))
        .map(seedable)
        .collect();
    v.sort_by(|a, b| a.arn.cmp(&b.arn));
    v
}

#[tokio::test]
async fn the_demo_lab_is_read_in_full_through_the_fast_path() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let seeded = seed_demo_lab(&config).await;
    let demo = seeded.demo();
    let source = source(&config, IamPath::Auto);
    let (inv, e) = live(&demo, &source).await;

    assert_eq!(
        inv.caller.as_ref().map(|c| c.account.as_str()),
        Some(ACCOUNT)
    );
    let cluster = inv.cluster.as_ref().expect("cluster described");
    assert_eq!(cluster.name, "irsa-lab");
    assert_eq!(cluster.issuer.as_deref(), Some(seeded.issuer.as_str()));
    assert_eq!(cluster.region.as_deref(), Some("eu-west-1"));

    // Every role of the cluster's account, with trust, policies, boundary, tags, profiles.
    let roles = inv.roles.as_deref().expect("roles known");
    assert_eq!(
        ours(roles),
        ours(demo.roles.as_deref().expect("demo roles"))
    );
    let node_role = roles
        .iter()
        .find(|r| r.name.contains("ng-hardened"))
        .expect("node role");
    assert_eq!(node_role.instance_profiles.len(), 1);

    let mut providers = inv.oidc_providers.clone().expect("providers known");
    let mut expected: Vec<_> = demo
        .oidc_providers
        .clone()
        .expect("demo providers")
        .into_iter()
        .filter(|p| p.account() == Some(ACCOUNT))
        .collect();
    providers.sort_by(|a, b| a.arn.cmp(&b.arn));
    expected.sort_by(|a, b| a.arn.cmp(&b.arn));
    assert_eq!(providers, expected);

    // The nodes' instances: IMDS settings and instance profiles as seeded.
    let instances = inv.instances.as_deref().expect("instances known");
    assert_eq!(instances.len(), 4);
    for want in demo.instances.as_deref().expect("demo instances") {
        let got = instances
            .iter()
            .find(|i| i.instance_id == want.instance_id)
            .expect("instance read");
        assert_eq!(got.metadata_options, want.metadata_options);
        assert_eq!(got.instance_profile_arn, want.instance_profile_arn);
    }

    // moto has no EKS Pod Identity API: that one part is unknown, and says so.
    assert_eq!(inv.pod_identity_associations, None);
    // …and the other account's roles, which these credentials cannot read, say so.
    let sources: Vec<SourceKind> = e.problems.iter().map(|p| p.source).collect();
    assert_eq!(
        sources,
        [SourceKind::PodIdentity, SourceKind::OtherAccounts],
        "{:?}",
        e.problems
    );
    assert!(
        e.problems[0]
            .message
            .starts_with("eks:ListPodIdentityAssociations")
    );

    // A handful of IAM calls for every role and policy.
    let calls = source.call_counts();
    assert_eq!(calls.get("iam:GetAccountAuthorizationDetails"), Some(&1));
    assert_eq!(calls.get("iam:GetRole"), None);
}

#[tokio::test]
async fn the_fast_path_and_the_per_role_path_give_identical_results() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let demo = seed_demo_lab(&config).await.demo();
    let fast = source(&config, IamPath::FastOnly);
    let per_role = source(&config, IamPath::PerRole);
    let (fast_inv, fast_e) = live(&demo, &fast).await;
    let (slow_inv, slow_e) = live(&demo, &per_role).await;
    assert_eq!(fast_e.problems, slow_e.problems);

    // The same facts for every role the per-role path reads in full…
    let detailed: Vec<&RoleInfo> = slow_inv
        .roles
        .iter()
        .flatten()
        .filter(|r| r.last_used.is_some())
        .collect();
    assert!(detailed.len() > 20, "{} roles read in full", detailed.len());
    for role in detailed {
        let mut f = found(&fast_inv, &role.arn)
            .expect("fast path has the role")
            .clone();
        // GetAccountAuthorizationDetails does not report MaxSessionDuration.
        f.max_session_duration = role.max_session_duration;
        assert_eq!(&f, role);
    }
    // …and every role exists in both.
    let arns = |inv: &Inventory| -> Vec<String> {
        inv.roles.iter().flatten().map(|r| r.arn.clone()).collect()
    };
    assert_eq!(arns(&slow_inv), arns(&fast_inv));

    // The analysis says exactly the same.
    let now = demo.captured_at.expect("demo capture time");
    assert_eq!(audit(&slow_inv, now), audit(&fast_inv, now));

    let slow_calls = per_role.call_counts();
    assert_eq!(slow_calls.get("iam:GetAccountAuthorizationDetails"), None);
    assert!(slow_calls.get("iam:GetRole").copied().unwrap_or(0) > 20);
    assert!(per_role.peak_in_flight() <= AwsOptions::default().concurrency);
}

#[tokio::test]
async fn a_role_deleted_while_watching_becomes_irsa006_after_refresh() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let demo = seed_demo_lab(&config).await.demo();
    let source = source(&config, IamPath::PerRole);
    let role_name = "eks-irsa-lab-demo-s3-reader-role";
    let irsa006_on = |inv: &Inventory| {
        audit(inv, demo.captured_at.expect("now"))
            .findings
            .iter()
            .any(|f| {
                f.code == FindingCode::IRSA006
                    && serde_json::to_string(f).is_ok_and(|t| t.contains(role_name))
            })
    };

    let (before, _) = live(&demo, &source).await;
    assert!(!irsa006_on(&before), "the role exists at first");
    let get_role_calls = source.call_counts()["iam:GetRole"];

    aws_sdk_iam::Client::new(&config)
        .delete_role()
        .role_name(role_name)
        .send()
        .await
        .expect_err("a role with policies cannot be deleted directly");
    let iam = aws_sdk_iam::Client::new(&config);
    for p in ["irsa-lab-s3-read-policy"] {
        let _ = iam
            .detach_role_policy()
            .role_name(role_name)
            .policy_arn(format!("arn:aws:iam::{ACCOUNT}:policy/{p}"))
            .send()
            .await;
    }
    let inline = iam
        .list_role_policies()
        .role_name(role_name)
        .send()
        .await
        .expect("list inline");
    for p in inline.policy_names() {
        iam.delete_role_policy()
            .role_name(role_name)
            .policy_name(p)
            .send()
            .await
            .expect("delete inline");
    }
    iam.delete_role()
        .role_name(role_name)
        .send()
        .await
        .expect("delete role");

    // Within the TTL the cached answer stands, and no call is repeated.
    let (cached, _) = live(&demo, &source).await;
    assert!(!irsa006_on(&cached));
    assert_eq!(source.call_counts()["iam:GetRole"], get_role_calls);

    // `r`: everything is read again, and the analysis sees the role gone.
    source.refresh();
    let (after, _) = live(&demo, &source).await;
    assert!(found(&after, &format!("arn:aws:iam::{ACCOUNT}:role/{role_name}")).is_none());
    assert!(irsa006_on(&after), "IRSA006 after refresh");
}

#[tokio::test]
async fn a_burst_of_enrichments_costs_one_read_per_role() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let demo = seed_demo_lab(&config).await.demo();
    let request = EnrichRequest::from_inventory(&demo);
    let once = source(&config, IamPath::PerRole);
    once.enrich(&request).await;
    let reads_once = once.call_counts();

    let source = source(&config, IamPath::PerRole);
    let (a, b, c) = tokio::join!(
        source.enrich(&request),
        source.enrich(&request),
        source.enrich(&request)
    );
    assert_eq!(a.roles, b.roles);
    assert_eq!(b.roles, c.roles);
    let calls = source.call_counts();
    for action in [
        "iam:GetRole",
        "iam:ListRolePolicies",
        "iam:GetPolicyVersion",
        "iam:ListRoles",
    ] {
        assert_eq!(
            calls[action], reads_once[action],
            "{action}: one read per role, not per ask"
        );
    }
}

#[tokio::test]
async fn testing_for_real_returns_aws_answer_without_the_credentials() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    seed_demo_lab(&config).await;
    let source = source(&config, IamPath::Auto);
    // moto validates nothing about the token: it stands in for STS accepting it.
    let token =
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW06c2VydmljZWFjY291bnQ6ZGVtbzpzMy1yZWFkZXIifQ.c2ln";
    let answer = source
        .test_web_identity(
            &format!("arn:aws:iam::{ACCOUNT}:role/eks-irsa-lab-demo-s3-reader-role"),
            token,
            "irsa-inspector-test",
        )
        .await;
    match &answer {
        WebIdentityAnswer::Accepted {
            assumed_role_arn, ..
        } => assert!(
            assumed_role_arn.as_deref().is_some_and(
                |a| a.ends_with("/eks-irsa-lab-demo-s3-reader-role/irsa-inspector-test")
            ),
            "{answer:?}"
        ),
        other => panic!("{other:?}"),
    }
    // Nothing secret can be printed: neither the token nor any credential.
    let shown = format!("{answer:?}");
    assert!(!shown.contains(token) && !shown.contains("c2ln"));
    assert!(!shown.to_ascii_lowercase().contains("secret"));
    assert!(!shown.contains("ASIA") && !shown.contains("SessionToken"));
}

/// The demo lab's second account.
const ACCOUNT_B: &str = "210987654321";

#[tokio::test]
async fn other_accounts_roles_are_read_with_their_profile_or_named_as_missing() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let seeded = seed_demo_lab(&config).await;
    let b_config = seed_other_account(&config, &seeded, ACCOUNT_B).await;
    let demo = seeded.demo();
    let now = demo.captured_at.expect("demo capture time");
    // Annotated on a ServiceAccount (cross-account IRSA), and an sts:AssumeRole target of a
    // role of the cluster's account (AUD009).
    let cross = format!(
        "arn:aws:iam::{ACCOUNT_B}:role/eks-irsa-lab-broken-cross-account-no-oidc-provider-role"
    );
    let target = format!("arn:aws:iam::{ACCOUNT_B}:role/accountb-data-reader");
    let irsa001_for_cross = |inv: &Inventory| {
        audit(inv, now)
            .findings
            .iter()
            .any(|f| f.code == FindingCode::IRSA001 && f.title.contains(ACCOUNT_B))
    };

    // Without credentials for account B: one line naming the account, its roles and the flag.
    let (inv, e) = live(&demo, &source(&config, IamPath::Auto)).await;
    assert!(found(&inv, &cross).is_none());
    let lines = e.problems_for(SourceKind::OtherAccounts);
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains(&format!("--account-profile {ACCOUNT_B}=PROFILE"))
            && lines[0].contains("iam:GetRole"),
        "{}",
        lines[0]
    );
    assert!(
        !irsa001_for_cross(&inv),
        "account B's providers are unknown: no verdict"
    );

    // With a reader of account B: its roles in full, its OIDC providers, and the verdicts.
    for path in [IamPath::Auto, IamPath::PerRole] {
        let with_b =
            source(&config, path).with_account(ACCOUNT_B, source(&b_config, IamPath::PerRole));
        let (inv, e) = live(&demo, &with_b).await;
        assert_eq!(
            e.problems_for(SourceKind::OtherAccounts),
            Vec::<&str>::new()
        );
        for arn in [&cross, &target] {
            let got = found(&inv, arn).unwrap_or_else(|| panic!("{arn} read ({path:?})"));
            let want = found(&demo, arn).expect("demo has it");
            assert_eq!(seedable(got), seedable(want), "{arn}");
        }
        assert!(
            inv.oidc_providers
                .iter()
                .flatten()
                .any(|p| p.account() == Some(ACCOUNT_B)),
            "account B's providers added"
        );
        // Account B has no provider for this cluster's issuer: now a proven IRSA001.
        assert!(
            irsa001_for_cross(&inv),
            "IRSA001 for the cross-account role ({path:?})"
        );
        // The cluster's own account is read as without the reader.
        let (without, _) = live(&demo, &source(&config, path)).await;
        assert_eq!(
            ours(inv.roles.as_deref().expect("roles")),
            ours(without.roles.as_deref().expect("roles"))
        );
    }
}

#[tokio::test]
async fn an_eks_cluster_with_another_issuer_than_the_api_server_is_called_out() {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let seeded = seed_demo_lab(&config).await;
    let mut demo = seeded.demo();
    let source = source(&config, IamPath::Auto);

    demo.kubernetes_issuer = Some(seeded.issuer.clone());
    let (inv, _) = live(&demo, &source).await;
    assert!(
        !inv.problems_for(SourceKind::EksCluster)
            .any(|p| p.message.starts_with("issuer mismatch")),
        "{:?}",
        inv.problems
    );

    let elsewhere = "https://oidc.eks.eu-west-1.amazonaws.com/id/00000000000000000000000000000000";
    demo.kubernetes_issuer = Some(elsewhere.to_owned());
    let (inv, _) = live(&demo, &source).await;
    let line = inv
        .problems_for(SourceKind::EksCluster)
        .find(|p| p.message.starts_with("issuer mismatch"))
        .unwrap_or_else(|| panic!("no mismatch line: {:?}", inv.problems));
    assert!(line.message.contains(elsewhere) && line.message.contains(&seeded.issuer));
    assert_eq!(
        inv.issuer(),
        Some(elsewhere),
        "tokens carry the API server's issuer"
    );
}
