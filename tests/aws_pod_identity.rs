//! EKS Pod Identity through the live AWS source. The EKS API (DescribeCluster and the Pod
//! Identity reads) is served by a wire-faithful stand-in ([`support::eks_standin`]: EKS's
//! restJson1 protocol over HTTP, paged lists, AWS error answers) because moto 5.2.5 lacks the
//! Pod Identity API; the real `aws_sdk_eks::Client` builds, signs and parses every call.
//! IAM, STS and EC2 are moto.

mod support;

use irsa_core::model::aws_cli::{DescribeClusterOutput, PodIdentityAssociationDetail};
use irsa_core::model::{self, ClusterInfo, SourceKind};
use irsa_inspector::sources::aws::{AwsClients, AwsOptions, AwsSource, EnrichRequest};
use pretty_assertions::assert_eq;
use support::eks_standin::{EksStandIn, demo_associations, demo_cluster};
use support::moto::{MotoGuard, moto, sdk_config};

/// The stand-in's page cap: small, so that listing the demo's associations takes several pages.
const PAGE_CAP: usize = 2;

/// The demo's association a test denies.
const DENIED: &str = "a-zmncx8gl7hnkdxbhc";

/// An EKS client for the stand-in, from the shared configuration (moto's for the others).
async fn eks_client(standin: &EksStandIn, moto: &MotoGuard) -> aws_sdk_eks::Client {
    let config = sdk_config(&moto.endpoint, None).await;
    aws_sdk_eks::Client::from_conf(
        aws_sdk_eks::config::Builder::from(&config)
            .endpoint_url(standin.url())
            .build(),
    )
}

/// The live AWS source with EKS on the stand-in and IAM, STS and EC2 on moto.
async fn source(standin: &EksStandIn, moto: &MotoGuard) -> AwsSource {
    let config = sdk_config(&moto.endpoint, None).await;
    let clients = AwsClients {
        eks: eks_client(standin, moto).await,
        ..AwsClients::new(&config)
    };
    AwsSource::new(clients, AwsOptions::default())
}

fn request(cluster: &str) -> EnrichRequest {
    EnrichRequest {
        cluster_name: Some(cluster.to_owned()),
        ..EnrichRequest::default()
    }
}

/// How many list pages `n` associations take at `PAGE_CAP` a page (an empty list is a page).
fn pages(n: usize) -> u64 {
    n.div_ceil(PAGE_CAP).max(1) as u64
}

#[tokio::test]
async fn associations_are_listed_across_pages_then_each_described_for_its_role() {
    let moto = moto().await;
    let standin = EksStandIn::start_demo(PAGE_CAP).await;
    let source = source(&standin, &moto).await;
    let e = source.enrich(&request("irsa-lab")).await;

    let demo = demo_associations();
    assert!(demo.len() > PAGE_CAP, "the demo's associations span pages");
    let expected: Vec<model::PodIdentityAssociation> = demo
        .iter()
        .map(model::PodIdentityAssociation::from)
        .collect();
    assert!(
        expected.iter().any(|a| a.policy.is_some()),
        "the demo has an association with a session policy"
    );
    assert!(
        expected
            .iter()
            .any(|a| a.disable_session_tags == Some(true)),
        "the demo has an association with session tags disabled"
    );
    // Every field the model keeps, target role and external id included, as the file has it.
    assert_eq!(e.pod_identity_associations, Some(expected));
    assert!(e.problems_for(SourceKind::PodIdentity).is_empty());
    assert!(e.problems_for(SourceKind::EksCluster).is_empty());
    let cluster: DescribeClusterOutput = serde_json::from_value(demo_cluster()).expect("cluster");
    assert_eq!(e.cluster, Some(ClusterInfo::from(&cluster.cluster)));

    // One list call per page, one describe per association: as the source counts them and as
    // they arrived on the wire.
    let (list_calls, describe_calls) = (pages(demo.len()), demo.len() as u64);
    let calls = source.call_counts();
    assert_eq!(calls["eks:ListPodIdentityAssociations"], list_calls);
    assert_eq!(calls["eks:DescribePodIdentityAssociation"], describe_calls);
    assert_eq!(standin.requests("ListPodIdentityAssociations"), list_calls);
    assert_eq!(
        standin.requests("DescribePodIdentityAssociation"),
        describe_calls
    );
    assert_eq!(standin.requests("DescribeCluster"), 1);
    assert_eq!(standin.requests("Unknown"), 0);
    assert_eq!(
        standin.writes(),
        Vec::<String>::new(),
        "only GETs were sent"
    );
}

/// The stand-in answers what the demo file says, field for field, timestamps included, through
/// the SDK's own paginator (which follows `nextToken` as the source's loop does).
#[tokio::test]
async fn the_sdk_reads_back_every_field_of_the_demo_associations() {
    let moto = moto().await;
    let standin = EksStandIn::start_demo(PAGE_CAP).await;
    let eks = eks_client(&standin, &moto).await;
    let summaries: Vec<_> = eks
        .list_pod_identity_associations()
        .cluster_name("irsa-lab")
        .max_results(100)
        .into_paginator()
        .items()
        .send()
        .collect::<Result<_, _>>()
        .await
        .expect("list");
    let demo = demo_associations();
    assert_eq!(summaries.len(), demo.len());
    assert_eq!(
        standin.requests("ListPodIdentityAssociations"),
        pages(demo.len())
    );
    let mut read = Vec::new();
    for summary in summaries {
        let id = summary.association_id().expect("association id");
        let out = eks
            .describe_pod_identity_association()
            .cluster_name("irsa-lab")
            .association_id(id)
            .send()
            .await
            .expect("describe");
        read.push(detail(out.association().expect("association")));
    }
    assert_eq!(read, demo);
}

/// The SDK's association in the `describe-pod-identity-association` file shape.
fn detail(a: &aws_sdk_eks::types::PodIdentityAssociation) -> PodIdentityAssociationDetail {
    let time = |t: Option<&aws_sdk_eks::primitives::DateTime>| {
        t.map(|t| jiff::Timestamp::from_millisecond(t.to_millis().expect("millis")).expect("time"))
    };
    let text = |s: Option<&str>| s.map(str::to_owned);
    PodIdentityAssociationDetail {
        cluster_name: a.cluster_name().expect("clusterName").to_owned(),
        namespace: a.namespace().expect("namespace").to_owned(),
        service_account: a.service_account().expect("serviceAccount").to_owned(),
        role_arn: a.role_arn().expect("roleArn").to_owned(),
        association_id: a.association_id().expect("associationId").to_owned(),
        association_arn: text(a.association_arn()),
        tags: a.tags().cloned().unwrap_or_default().into_iter().collect(),
        created_at: time(a.created_at()),
        modified_at: time(a.modified_at()),
        owner_arn: text(a.owner_arn()),
        disable_session_tags: a.disable_session_tags(),
        target_role_arn: text(a.target_role_arn()),
        external_id: text(a.external_id()),
        policy: text(a.policy()),
    }
}

#[tokio::test]
async fn one_denied_describe_makes_the_associations_unknown_and_names_the_action() {
    let moto = moto().await;
    let standin = EksStandIn::start_demo(PAGE_CAP).await;
    standin.deny_describe(DENIED);
    let source = source(&standin, &moto).await;
    let e = source.enrich(&request("irsa-lab")).await;
    assert_eq!(e.pod_identity_associations, None);
    let problems = e.problems_for(SourceKind::PodIdentity);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with(&format!(
            "eks:DescribePodIdentityAssociation denied — association {DENIED}"
        )),
        "{}",
        problems[0]
    );
    // Every association was still asked for, once; the rest of the AWS side is unaffected.
    let demo = demo_associations();
    assert_eq!(
        standin.requests("DescribePodIdentityAssociation"),
        demo.len() as u64
    );
    assert!(e.cluster.is_some());
    assert!(e.roles.is_some());
    assert_eq!(
        standin.writes(),
        Vec::<String>::new(),
        "only GETs were sent"
    );
}

#[tokio::test]
async fn a_cluster_eks_does_not_know_is_reported_not_a_panic() {
    let moto = moto().await;
    let standin = EksStandIn::start_demo(PAGE_CAP).await;
    let source = source(&standin, &moto).await;
    let e = source.enrich(&request("no-such-cluster")).await;
    assert_eq!(e.cluster, None);
    assert_eq!(e.pod_identity_associations, None);
    let cluster = e.problems_for(SourceKind::EksCluster);
    assert_eq!(cluster.len(), 1, "{cluster:?}");
    assert!(
        cluster[0].starts_with("eks:DescribeCluster: not found — cluster no-such-cluster"),
        "{}",
        cluster[0]
    );
    let associations = e.problems_for(SourceKind::PodIdentity);
    assert_eq!(associations.len(), 1, "{associations:?}");
    assert!(
        associations[0].starts_with("eks:ListPodIdentityAssociations: not found — "),
        "{}",
        associations[0]
    );
    // The list stopped at its first (failed) page; nothing was described.
    assert_eq!(standin.requests("ListPodIdentityAssociations"), 1);
    assert_eq!(standin.requests("DescribePodIdentityAssociation"), 0);
    assert!(e.roles.is_some());
}
