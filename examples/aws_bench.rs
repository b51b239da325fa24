//! Measurement (not a test): AWS enrichment of an account with many IRSA roles, read through
//! the fast path (`GetAccountAuthorizationDetails`) and through the per-role path, against
//! `moto_server` on loopback. Prints call counts, wall time and the peak of calls in flight.
//!
//! Run with `scripts/aws-bench.sh [ROLES]` (default 2000); results go into BENCHMARKS.md.

#[path = "../tests/support/moto.rs"]
mod moto;

use aws_sdk_eks::types::VpcConfigRequest;
use futures::StreamExt;
use irsa_inspector::sources::aws::{
    AwsClients, AwsOptions, AwsSource, EnrichRequest, Enrichment, IamPath,
};
use std::time::{Duration, Instant};

const POLICIES: usize = 20;

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let roles: usize = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(2000);
    let server = moto::moto().await;
    let config = moto::sdk_config(&server.endpoint, None).await;
    // moto occasionally answers a concurrent attach with HTTP 500: seed with SDK retries on.
    let seeding = moto::sdk_config(
        &server.endpoint,
        Some(aws_config::retry::RetryConfig::standard().with_max_attempts(5)),
    )
    .await;
    let iam = aws_sdk_iam::Client::new(&seeding);

    let started = Instant::now();
    let cluster = aws_sdk_eks::Client::new(&config)
        .create_cluster()
        .name("bench")
        .role_arn(format!("arn:aws:iam::{}:role/bench-cluster", moto::ACCOUNT))
        .resources_vpc_config(VpcConfigRequest::builder().build())
        .send()
        .await
        .expect("create cluster");
    let issuer = cluster
        .cluster()
        .and_then(|c| c.identity())
        .and_then(|i| i.oidc())
        .and_then(|o| o.issuer())
        .expect("issuer")
        .to_owned();
    let host = issuer.trim_start_matches("https://").to_owned();
    iam.create_open_id_connect_provider()
        .url(&issuer)
        .client_id_list("sts.amazonaws.com")
        .thumbprint_list("9e99a48a9960b14926bb7f3b02e22da2b0ab7280")
        .send()
        .await
        .expect("provider");
    for p in 0..POLICIES {
        iam.create_policy()
            .policy_name(format!("bench-policy-{p}"))
            .policy_document(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            )
            .send()
            .await
            .expect("policy");
    }
    futures::stream::iter(0..roles)
        .map(|i| seed_role(&iam, &host, i))
        .buffer_unordered(16)
        .collect::<Vec<()>>()
        .await;
    println!(
        "seeded {roles} roles (trust: the cluster's provider; 1 attached of {POLICIES} managed \
         policies; 1 inline policy) in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    let request = EnrichRequest {
        cluster_name: Some("bench".to_owned()),
        ..EnrichRequest::default()
    };
    println!(
        "| path | concurrency | roles read in full | calls | wall time | peak in flight | again within TTL |"
    );
    println!("|---|---|---|---|---|---|---|");
    for (path, concurrency) in [
        (IamPath::FastOnly, 8),
        (IamPath::PerRole, 8),
        (IamPath::PerRole, 32),
    ] {
        let source = AwsSource::new(
            AwsClients::new(&config),
            AwsOptions {
                iam_path: path,
                concurrency,
                ..AwsOptions::default()
            },
        );
        let t = Instant::now();
        let first = source.enrich(&request).await;
        let wall = t.elapsed();
        let calls = source.call_counts();
        let total: u64 = calls.values().sum();
        let t = Instant::now();
        source.enrich(&request).await;
        let again = t.elapsed();
        let total_again: u64 = source.call_counts().values().sum();
        println!(
            "| {path:?} | {concurrency} | {} | {total} ({}) | {} | {} | {} ({} calls) |",
            full(&first),
            calls
                .iter()
                .map(|(k, v)| format!("{k} {v}"))
                .collect::<Vec<_>>()
                .join(", "),
            secs(wall),
            source.peak_in_flight(),
            secs(again),
            total_again - total,
        );
        assert!(source.peak_in_flight() <= concurrency);
        for p in &first.problems {
            eprintln!("  problem: {}: {}", p.source, p.message);
        }
    }
}

/// Roles with their policies read (the per-role path leaves untouched roles trust-only).
fn full(e: &Enrichment) -> usize {
    e.roles
        .iter()
        .flatten()
        .filter(|r| !r.inline_policies.is_empty())
        .count()
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

async fn seed_role(iam: &aws_sdk_iam::Client, host: &str, i: usize) {
    let name = format!("bench-app-{i:04}-role");
    let trust = format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{account}:oidc-provider/{host}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{host}:sub":"system:serviceaccount:ns-{i}:app","{host}:aud":"sts.amazonaws.com"}}}}}}]}}"#,
        account = moto::ACCOUNT
    );
    iam.create_role()
        .role_name(&name)
        .assume_role_policy_document(trust)
        .send()
        .await
        .expect("role");
    iam.attach_role_policy()
        .role_name(&name)
        .policy_arn(format!(
            "arn:aws:iam::{}:policy/bench-policy-{}",
            moto::ACCOUNT,
            i % POLICIES
        ))
        .send()
        .await
        .expect("attach");
    iam.put_role_policy()
        .role_name(&name)
        .policy_name("inline")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"*"}]}"#,
        )
        .send()
        .await
        .expect("inline");
}
