//! Denied and throttled AWS calls, provoked by a fault-injecting proxy in front of moto
//! (`support::fault_proxy`): moto enforces no IAM permissions by default and never throttles.
//! The proxy answers chosen calls with the exact error shapes AWS uses (IAM's `AccessDenied`
//! and `Throttling` query-protocol XML, EC2's `UnauthorizedOperation`/`RequestLimitExceeded`).

mod support;

use aws_config::retry::RetryConfig;
use irsa_inspector::model::SourceKind;
use irsa_inspector::sources::aws::{AwsClients, AwsOptions, AwsSource, EnrichRequest, IamPath};
use std::time::Duration;
use support::fault_proxy::{Fault, FaultProxy, Rule};
use support::moto::{moto, sdk_config};
use support::seed::seed_demo_lab;

#[tokio::test]
async fn a_denied_call_degrades_only_its_own_part() {
    let moto = moto().await;
    let seeded = seed_demo_lab(&sdk_config(&moto.endpoint, None).await).await;
    let demo = seeded.demo();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![
            Rule {
                service: "ec2",
                action: "DescribeInstances",
                fault: Fault::Deny,
            },
            Rule {
                service: "iam",
                action: "GetAccountAuthorizationDetails",
                fault: Fault::Deny,
            },
        ],
    )
    .await;
    let config = sdk_config(&proxy.endpoint, None).await;
    let source = AwsSource::new(AwsClients::new(&config), AwsOptions::default());
    let e = source.enrich(&EnrichRequest::from_inventory(&demo)).await;

    // The node column is unknown, and the status says which permission is missing.
    assert_eq!(e.instances, None);
    assert_eq!(
        e.problems_for(SourceKind::Ec2Instances),
        ["ec2:DescribeInstances denied — node IMDS settings and instance profiles unknown"]
    );
    // The fast path was denied: roles were read one by one instead, and nothing is lost.
    assert!(
        e.problems_for(SourceKind::IamRoles).is_empty(),
        "{:?}",
        e.problems
    );
    assert!(
        e.notes
            .iter()
            .any(|n| n.starts_with("iam:GetAccountAuthorizationDetails denied")),
        "{:?}",
        e.notes
    );
    let roles = e
        .roles
        .as_deref()
        .expect("roles known through the per-role path");
    assert_eq!(roles.len(), 40);
    // Everything else is as complete as without the denial.
    assert!(e.cluster.is_some() && e.caller.is_some() && e.oidc_providers.is_some());
    assert_eq!(
        proxy.seen("ec2:DescribeInstances"),
        (1, 1),
        "denials are not retried"
    );
}

#[tokio::test]
async fn a_denied_get_role_keeps_the_trust_policy_from_list_roles() {
    let moto = moto().await;
    let demo = seed_demo_lab(&sdk_config(&moto.endpoint, None).await)
        .await
        .demo();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![Rule {
            service: "iam",
            action: "GetRole",
            fault: Fault::Deny,
        }],
    )
    .await;
    let config = sdk_config(&proxy.endpoint, None).await;
    let options = AwsOptions {
        iam_path: IamPath::PerRole,
        ..AwsOptions::default()
    };
    let source = AwsSource::new(AwsClients::new(&config), options);
    let mut request = EnrichRequest::from_inventory(&demo);
    request.role_arns =
        ["arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role".to_owned()].into();
    let e = source.enrich(&request).await;
    let problems = e.problems_for(SourceKind::IamRoles);
    assert!(
        problems.iter().any(|p| p.starts_with(
            "iam:GetRole denied — tags, policies and last use of \
             arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role unknown"
        )),
        "{problems:?}"
    );
    let role = e
        .roles
        .iter()
        .flatten()
        .find(|r| r.name == "eks-irsa-lab-demo-s3-reader-role")
        .expect("still listed");
    assert!(role.trust_policy.is_some(), "trust policy from ListRoles");
}

#[tokio::test]
async fn throttled_calls_are_retried_with_backoff() {
    let moto = moto().await;
    let demo = seed_demo_lab(&sdk_config(&moto.endpoint, None).await)
        .await
        .demo();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![
            Rule {
                service: "iam",
                action: "GetAccountAuthorizationDetails",
                fault: Fault::Throttle(2),
            },
            Rule {
                service: "ec2",
                action: "DescribeInstances",
                fault: Fault::Throttle(2),
            },
        ],
    )
    .await;
    // The SDK's standard retry strategy (what the AWS CLI uses), with short backoff for tests.
    let retries = RetryConfig::standard()
        .with_max_attempts(4)
        .with_initial_backoff(Duration::from_millis(5));
    let config = sdk_config(&proxy.endpoint, Some(retries)).await;
    let source = AwsSource::new(AwsClients::new(&config), AwsOptions::default());
    let e = source.enrich(&EnrichRequest::from_inventory(&demo)).await;

    assert_eq!(e.roles.as_ref().map(Vec::len), Some(40), "{:?}", e.problems);
    assert_eq!(
        e.instances.as_ref().map(Vec::len),
        Some(3),
        "{:?}",
        e.problems
    );
    // Two throttled answers, then the real one; one call as far as the source is concerned.
    assert_eq!(proxy.seen("iam:GetAccountAuthorizationDetails"), (3, 2));
    assert_eq!(proxy.seen("ec2:DescribeInstances"), (3, 2));
    assert_eq!(
        source.call_counts()["iam:GetAccountAuthorizationDetails"],
        1
    );
}

#[tokio::test]
async fn throttling_that_outlasts_the_retries_is_a_status_not_a_crash() {
    let moto = moto().await;
    let demo = seed_demo_lab(&sdk_config(&moto.endpoint, None).await)
        .await
        .demo();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![Rule {
            service: "ec2",
            action: "DescribeInstances",
            fault: Fault::Throttle(100),
        }],
    )
    .await;
    let retries = RetryConfig::standard()
        .with_max_attempts(2)
        .with_initial_backoff(Duration::from_millis(5));
    let config = sdk_config(&proxy.endpoint, Some(retries)).await;
    let source = AwsSource::new(AwsClients::new(&config), AwsOptions::default());
    let e = source.enrich(&EnrichRequest::from_inventory(&demo)).await;
    assert_eq!(e.instances, None);
    assert_eq!(
        e.problems_for(SourceKind::Ec2Instances),
        [
            "ec2:DescribeInstances throttled (gave up after retries) — node IMDS settings and \
          instance profiles unknown"
        ]
    );
}
