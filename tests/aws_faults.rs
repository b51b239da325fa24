//! Denied, throttled, hanging, garbled and expired AWS calls, provoked by a fault-injecting
//! proxy in front of moto (`support::fault_proxy`): moto enforces no IAM permissions by default,
//! never throttles, hangs or expires a token. The proxy answers chosen calls with the exact
//! error shapes AWS uses (IAM's `AccessDenied`, `Throttling` and `ExpiredToken` query-protocol
//! XML, EC2's `UnauthorizedOperation`/`RequestLimitExceeded`/`RequestExpired`, EKS's
//! `ExpiredTokenException`), holds answers back, or cuts a `200 OK` body short.

mod support;

use aws_config::retry::RetryConfig;
use irsa_core::model::SourceKind;
use irsa_inspector::messages::AwsStatus;
use irsa_inspector::sources::aws::{
    AwsClients, AwsOptions, AwsSource, EnrichRequest, IamPath, LastKnown, with_timeouts,
};
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
    assert_eq!(roles.len(), 56);
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

    assert_eq!(e.roles.as_ref().map(Vec::len), Some(56), "{:?}", e.problems);
    assert_eq!(
        e.instances.as_ref().map(Vec::len),
        Some(4),
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

#[tokio::test]
async fn a_call_that_hangs_past_the_timeout_degrades_only_its_own_part() {
    let moto = moto().await;
    let demo = seed_demo_lab(&sdk_config(&moto.endpoint, None).await)
        .await
        .demo();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![Rule {
            service: "ec2",
            action: "DescribeInstances",
            fault: Fault::Delay(Duration::from_secs(30)),
        }],
    )
    .await;
    let options = AwsOptions {
        call_timeout: Duration::from_secs(1),
        ..AwsOptions::default()
    };
    // The product's timeouts on the test's endpoint and credentials.
    let config = with_timeouts(sdk_config(&proxy.endpoint, None).await, &options);
    let source = AwsSource::new(AwsClients::new(&config), options);
    let e = tokio::time::timeout(
        Duration::from_secs(25),
        source.enrich(&EnrichRequest::from_inventory(&demo)),
    )
    .await
    .expect("a hanging endpoint does not hang the enrichment");

    assert_eq!(e.instances, None, "unknown, not empty");
    assert_eq!(
        e.problems_for(SourceKind::Ec2Instances),
        [
            "ec2:DescribeInstances timed out (no answer from AWS in time) — node IMDS settings and \
          instance profiles unknown"
        ]
    );
    assert!(e.retry_soon, "a timeout is asked again");
    assert_eq!(e.roles.as_ref().map(Vec::len), Some(56), "{:?}", e.problems);
    assert!(e.cluster.is_some() && e.caller.is_some() && e.oidc_providers.is_some());
}

#[tokio::test]
async fn malformed_answers_name_the_call_and_leave_the_part_unknown() {
    let moto = moto().await;
    let demo = seed_demo_lab(&sdk_config(&moto.endpoint, None).await)
        .await
        .demo();
    let proxy = FaultProxy::start(
        &moto.endpoint,
        vec![
            Rule {
                service: "ec2",
                action: "DescribeInstances",
                fault: Fault::Garbage,
            },
            Rule {
                service: "eks",
                action: "pod-identity-associations",
                fault: Fault::Garbage,
            },
            Rule {
                service: "iam",
                action: "GetAccountAuthorizationDetails",
                fault: Fault::Garbage,
            },
        ],
    )
    .await;
    let retries = RetryConfig::standard().with_max_attempts(1);
    let config = sdk_config(&proxy.endpoint, Some(retries)).await;
    let source = AwsSource::new(AwsClients::new(&config), AwsOptions::default());
    let e = source.enrich(&EnrichRequest::from_inventory(&demo)).await;

    for (kind, action) in [
        (SourceKind::Ec2Instances, "ec2:DescribeInstances"),
        (SourceKind::PodIdentity, "eks:ListPodIdentityAssociations"),
    ] {
        let problems = e.problems_for(kind);
        assert!(
            problems.len() == 1
                && problems[0].starts_with(&format!("{action} answered something unreadable ("))
                && !problems[0].contains('\n'),
            "{problems:?} {:?}",
            e.problems
        );
    }
    assert_eq!(e.instances, None);
    assert_eq!(e.pod_identity_associations, None);
    // The fast path's answer was unreadable: the roles are read one by one instead, and the
    // note says why.
    assert!(
        e.notes
            .iter()
            .any(|n| n
                .starts_with("iam:GetAccountAuthorizationDetails answered something unreadable (")),
        "{:?}",
        e.notes
    );
    assert!(
        e.roles.as_ref().is_some_and(|r| !r.is_empty()),
        "{:?}",
        e.problems
    );
    assert!(e.cluster.is_some() && e.caller.is_some() && e.oidc_providers.is_some());
    assert!(e.retry_soon);
}

#[tokio::test]
async fn credentials_expiring_mid_session_keep_the_last_facts_stale_until_they_work_again() {
    let moto = moto().await;
    let demo = seed_demo_lab(&sdk_config(&moto.endpoint, None).await)
        .await
        .demo();
    let proxy = FaultProxy::start(&moto.endpoint, Vec::new()).await;
    let config = sdk_config(&proxy.endpoint, None).await;
    let source = AwsSource::new(AwsClients::new(&config), AwsOptions::default());
    let request = EnrichRequest::from_inventory(&demo);
    let mut last = LastKnown::default();
    let clock = jiff::Timestamp::now();

    let (good, status) = last.update(source.enrich(&request).await, clock);
    assert_eq!(status, AwsStatus::Fresh);
    assert!(good.caller.is_some() && good.roles.is_some() && good.instances.is_some());

    // The session token expires: every service answers with its expired-credentials error.
    let expired = |service| Rule {
        service,
        action: "",
        fault: Fault::Expire,
    };
    proxy.set_rules(vec![
        expired("sts"),
        expired("iam"),
        expired("ec2"),
        expired("eks"),
    ]);
    source.refresh();
    let read = source.enrich(&request).await;
    let reason = read
        .expired_credentials
        .clone()
        .expect("the read says the credentials were rejected");
    assert!(
        reason.contains("expired") && reason.contains("aws sso login"),
        "{reason}"
    );
    assert!(read.caller.is_none(), "nothing could be read: {read:?}");
    let later = clock + jiff::SignedDuration::from_secs(60);
    let (shown, status) = last.update(read, later);
    // Never blanked: the last facts stay, marked stale since the first rejection.
    assert_eq!(shown.caller, good.caller);
    assert_eq!(shown.roles, good.roles);
    assert_eq!(shown.instances, good.instances);
    assert!(shown.retry_soon, "asked again soon");
    assert_eq!(
        status,
        AwsStatus::Stale {
            since: later,
            read_at: Some(clock),
            reason,
        }
    );
    for action in ["sts:GetCallerIdentity", "ec2:DescribeInstances"] {
        assert!(proxy.seen(action).1 >= 1, "{action} got the expired answer");
    }

    // The user logs in again: the next refresh reads fresh facts by itself.
    proxy.set_rules(Vec::new());
    source.refresh();
    let (shown, status) = last.update(
        source.enrich(&request).await,
        later + jiff::SignedDuration::from_secs(30),
    );
    assert_eq!(status, AwsStatus::Fresh);
    assert!(
        shown.expired_credentials.is_none() && !shown.retry_soon,
        "{:?} {:?}",
        shown.problems,
        shown.notes
    );
    assert_eq!(shown.caller, good.caller);
    assert_eq!(shown.roles, good.roles);
}
