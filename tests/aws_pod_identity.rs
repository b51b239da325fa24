//! EKS Pod Identity through the live AWS source. moto has no Pod Identity API (it answers 404),
//! so these calls are answered by the SDK's own mock utilities (`aws-smithy-mocks`: rules
//! consulted by an interceptor of the real `aws_sdk_eks::Client`, so request building, the
//! operation's response types and error parsing are the SDK's); IAM, STS and EC2 are moto.

mod support;

use aws_sdk_eks::operation::describe_cluster::DescribeClusterOutput;
use aws_sdk_eks::operation::describe_pod_identity_association::DescribePodIdentityAssociationOutput;
use aws_sdk_eks::operation::list_pod_identity_associations::ListPodIdentityAssociationsOutput;
use aws_sdk_eks::primitives::DateTime;
use aws_sdk_eks::types::{
    Cluster, Identity, Oidc, PodIdentityAssociation, PodIdentityAssociationSummary,
};
use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
use irsa_core::model::aws_cli::PodIdentityAssociationDetail;
use irsa_core::model::{self, SourceKind};
use irsa_core::snapshot;
use irsa_inspector::sources::aws::{AwsClients, AwsOptions, AwsSource, EnrichRequest};
use pretty_assertions::assert_eq;
use support::moto::{moto, sdk_config};

/// The demo lab's associations, as `describe-pod-identity-association` prints them.
fn demo_associations() -> Vec<PodIdentityAssociationDetail> {
    let files = snapshot::demo_files();
    let text = files
        .get("eks-pod-identity-associations.json")
        .expect("demo associations");
    serde_json::from_str::<model::aws_cli::PodIdentityAssociations>(text)
        .expect("parse")
        .associations
}

fn sdk_association(a: &PodIdentityAssociationDetail) -> PodIdentityAssociation {
    PodIdentityAssociation::builder()
        .cluster_name(&a.cluster_name)
        .namespace(&a.namespace)
        .service_account(&a.service_account)
        .role_arn(&a.role_arn)
        .association_id(&a.association_id)
        .set_association_arn(a.association_arn.clone())
        .set_tags(Some(a.tags.clone().into_iter().collect()))
        .set_created_at(a.created_at.map(|t| DateTime::from_secs(t.as_second())))
        .set_disable_session_tags(a.disable_session_tags)
        .set_target_role_arn(a.target_role_arn.clone())
        .set_external_id(a.external_id.clone())
        .set_policy(a.policy.clone())
        .build()
}

/// Rules answering the demo's cluster, its association list, and each association (or, for
/// `deny`, an `AccessDeniedException` for that one).
fn rules(deny: Option<&str>) -> Vec<Rule> {
    let associations = demo_associations();
    let summaries: Vec<PodIdentityAssociationSummary> = associations
        .iter()
        .map(|a| {
            PodIdentityAssociationSummary::builder()
                .cluster_name(&a.cluster_name)
                .namespace(&a.namespace)
                .service_account(&a.service_account)
                .association_id(&a.association_id)
                .build()
        })
        .collect();
    let mut rules = vec![
        mock!(aws_sdk_eks::Client::describe_cluster).then_output(|| {
            DescribeClusterOutput::builder()
                .cluster(
                    Cluster::builder()
                        .name("irsa-lab")
                        .arn("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab")
                        .identity(
                            Identity::builder()
                                .oidc(
                                    Oidc::builder()
                                        .issuer("https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC")
                                        .build(),
                                )
                                .build(),
                        )
                        .build(),
                )
                .build()
        }),
        mock!(aws_sdk_eks::Client::list_pod_identity_associations)
            .match_requests(|r| r.cluster_name() == Some("irsa-lab"))
            .then_output(move || {
                ListPodIdentityAssociationsOutput::builder()
                    .set_associations(Some(summaries.clone()))
                    .build()
            }),
    ];
    for a in associations {
        let id = a.association_id.clone();
        let rule = mock!(aws_sdk_eks::Client::describe_pod_identity_association)
            .match_requests(move |r| r.association_id() == Some(id.as_str()));
        rules.push(if deny == Some(a.association_id.as_str()) {
            rule.sequence()
                .http_status(
                    403,
                    Some(r#"{"__type":"AccessDeniedException","message":"not authorized"}"#.into()),
                )
                .repeatedly()
                .build()
        } else {
            let out = sdk_association(&a);
            rule.then_output(move || {
                DescribePodIdentityAssociationOutput::builder()
                    .association(out.clone())
                    .build()
            })
        });
    }
    rules
}

async fn source_with_mocked_eks(deny: Option<&str>) -> (AwsSource, support::moto::MotoGuard) {
    let moto = moto().await;
    let config = sdk_config(&moto.endpoint, None).await;
    let interceptor = rules(deny).iter().fold(
        MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny),
        |i, r| i.with_rule(r),
    );
    let eks = aws_sdk_eks::Client::from_conf(
        aws_sdk_eks::config::Builder::from(&config)
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build(),
    );
    let clients = AwsClients {
        eks,
        ..AwsClients::new(&config)
    };
    (AwsSource::new(clients, AwsOptions::default()), moto)
}

fn request() -> EnrichRequest {
    EnrichRequest {
        cluster_name: Some("irsa-lab".to_owned()),
        ..EnrichRequest::default()
    }
}

#[tokio::test]
async fn associations_are_listed_then_each_described_for_its_role() {
    let (source, _moto) = source_with_mocked_eks(None).await;
    let e = source.enrich(&request()).await;
    let expected: Vec<model::PodIdentityAssociation> = demo_associations()
        .iter()
        .map(model::PodIdentityAssociation::from)
        .collect();
    let expected_len = expected.len() as u64;
    assert!(
        expected.iter().any(|a| a.policy.is_some()),
        "the demo has an association with a session policy"
    );
    assert_eq!(e.pod_identity_associations, Some(expected));
    assert!(e.problems_for(SourceKind::PodIdentity).is_empty());
    let calls = source.call_counts();
    assert_eq!(calls["eks:ListPodIdentityAssociations"], 1);
    assert_eq!(calls["eks:DescribePodIdentityAssociation"], expected_len);
}

#[tokio::test]
async fn one_denied_describe_makes_the_associations_unknown_and_names_the_action() {
    let (source, _moto) = source_with_mocked_eks(Some("a-zmncx8gl7hnkdxbhc")).await;
    let e = source.enrich(&request()).await;
    assert_eq!(e.pod_identity_associations, None);
    let problems = e.problems_for(SourceKind::PodIdentity);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(
            "eks:DescribePodIdentityAssociation denied — association a-zmncx8gl7hnkdxbhc"
        ),
        "{}",
        problems[0]
    );
    // The rest of the AWS side is unaffected.
    assert!(e.cluster.is_some());
    assert!(e.roles.is_some());
}
