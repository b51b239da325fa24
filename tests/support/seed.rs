//! Seeds an emulator with the demo lab's AWS side (account 123456789012) through the real SDK
//! clients: the EKS cluster, the customer managed policies, every role with its trust policy,
//! inline and attached policies, boundary, tags and instance profiles, the OIDC providers, and
//! the three node instances with their IMDS settings and instance profiles.
//!
//! moto picks its own cluster issuer id and instance ids, so the demo's are substituted with
//! moto's in every demo file ([`Seeded::files`]): the expected inventory then describes exactly
//! what was seeded. Role last use and creation dates cannot be seeded (IAM sets them).

use aws_config::SdkConfig;
use aws_sdk_ec2::types::{
    HttpTokensState, IamInstanceProfileSpecification, InstanceMetadataEndpointState,
    InstanceMetadataOptionsRequest, ResourceType, TagSpecification,
};
use aws_sdk_eks::types::VpcConfigRequest;
use irsa_core::model::aws_cli::{
    AccountAuthorizationDetails, DescribeClusterOutput, DescribeInstancesOutput,
    OpenIdConnectProviders,
};
use irsa_core::model::{Inventory, arn_account};
use irsa_core::snapshot::{self, SnapshotFiles};
use std::collections::BTreeSet;

/// The demo cluster's issuer id.
pub const DEMO_ISSUER_ID: &str = "4656D0B75473F4BFF2CFD94B17FB9DEC";

/// What was seeded, and the demo files rewritten to match it.
pub struct Seeded {
    /// The issuer moto gave the cluster.
    pub issuer: String,
    /// The demo lab's files with moto's issuer id and instance ids substituted.
    pub files: SnapshotFiles,
}

impl Seeded {
    /// The demo lab as the snapshot source loads it (with moto's ids).
    pub fn demo(&self) -> Inventory {
        snapshot::load_files(&self.files).expect("substituted demo loads")
    }
}

fn substitute(files: &SnapshotFiles, from: &str, to: &str) -> SnapshotFiles {
    files
        .names()
        .fold(SnapshotFiles::new("demo (moto ids)"), |acc, name| {
            let text = files.get(name).unwrap_or_default().replace(from, to);
            acc.with(name, text)
        })
}

fn json<T: serde::de::DeserializeOwned>(files: &SnapshotFiles, name: &str) -> T {
    serde_json::from_str(files.get(name).expect(name)).expect(name)
}

fn text(doc: &serde_json::Value) -> String {
    match doc {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Seeds the demo lab; returns moto's ids and the matching demo files.
pub async fn seed_demo_lab(config: &SdkConfig) -> Seeded {
    let eks = aws_sdk_eks::Client::new(config);
    let iam = aws_sdk_iam::Client::new(config);
    let ec2 = aws_sdk_ec2::Client::new(config);
    let mut files = snapshot::demo_files();

    let cluster: DescribeClusterOutput = json(&files, "eks-cluster.json");
    let created = eks
        .create_cluster()
        .name(&cluster.cluster.name)
        .role_arn(cluster.cluster.role_arn.clone().unwrap_or_default())
        .set_version(cluster.cluster.version.clone())
        .resources_vpc_config(VpcConfigRequest::builder().build())
        .send()
        .await
        .expect("create cluster");
    let issuer = created
        .cluster()
        .and_then(|c| c.identity())
        .and_then(|i| i.oidc())
        .and_then(|o| o.issuer())
        .expect("moto gives the cluster an issuer")
        .to_owned();
    let moto_id = issuer.rsplit('/').next().expect("issuer id");
    files = substitute(&files, DEMO_ISSUER_ID, moto_id);

    seed_iam(
        &iam,
        &files,
        "iam-authorization-details.json",
        "iam-oidc-providers.json",
    )
    .await;

    let instances: DescribeInstancesOutput = json(&files, "ec2-instances.json");
    let image = ec2
        .describe_images()
        .owners("amazon")
        .send()
        .await
        .expect("describe images")
        .images()
        .iter()
        .find_map(|i| i.image_id().map(str::to_owned))
        .expect("moto has an AMI");
    for demo in instances.reservations.iter().flat_map(|r| &r.instances) {
        let m = demo.metadata_options.clone().unwrap_or_default();
        let mut run = ec2
            .run_instances()
            .image_id(&image)
            .min_count(1)
            .max_count(1)
            .metadata_options(
                InstanceMetadataOptionsRequest::builder()
                    .set_http_tokens(m.http_tokens.as_deref().map(HttpTokensState::from))
                    .set_http_put_response_hop_limit(
                        m.http_put_response_hop_limit
                            .and_then(|h| i32::try_from(h).ok()),
                    )
                    .set_http_endpoint(
                        m.http_endpoint
                            .as_deref()
                            .map(InstanceMetadataEndpointState::from),
                    )
                    .build(),
            )
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::Instance)
                    .set_tags(Some(
                        demo.tags
                            .iter()
                            .map(|t| {
                                aws_sdk_ec2::types::Tag::builder()
                                    .key(&t.key)
                                    .value(&t.value)
                                    .build()
                            })
                            .collect(),
                    ))
                    .build(),
            );
        if let Some(profile) = demo
            .iam_instance_profile
            .as_ref()
            .and_then(|p| p.arn.clone())
        {
            run = run.iam_instance_profile(
                IamInstanceProfileSpecification::builder()
                    .arn(profile)
                    .build(),
            );
        }
        let out = run.send().await.expect("run instance");
        let id = out
            .instances()
            .first()
            .and_then(|i| i.instance_id())
            .expect("instance id");
        files = substitute(&files, &demo.instance_id, id);
    }
    Seeded { issuer, files }
}

/// SDK configuration acting in another `account` of the emulator: credentials from
/// `sts:AssumeRole` into a role of that account (moto answers every call made with them in
/// that account, as AWS would).
pub async fn account_config(config: &SdkConfig, account: &str) -> SdkConfig {
    let sts = aws_sdk_sts::Client::new(config);
    let out = sts
        .assume_role()
        .role_arn(format!("arn:aws:iam::{account}:role/moto-seeder"))
        .role_session_name("seed")
        .send()
        .await
        .expect("assume role into the other account");
    let c = out.credentials().expect("credentials");
    aws_config::defaults(aws_config::BehaviorVersion::latest())
        .region(config.region().cloned())
        .endpoint_url(config.endpoint_url().expect("emulator endpoint"))
        .credentials_provider(aws_sdk_sts::config::Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_owned()),
            None,
            "moto-other-account",
        ))
        .retry_config(aws_config::retry::RetryConfig::disabled())
        .load()
        .await
}

/// Seeds the demo lab's other `account` (its `iam-authorization-details-<account>.json` and
/// `iam-oidc-providers-<account>.json`); returns configuration acting in that account.
pub async fn seed_other_account(config: &SdkConfig, seeded: &Seeded, account: &str) -> SdkConfig {
    let other = account_config(config, account).await;
    seed_iam(
        &aws_sdk_iam::Client::new(&other),
        &seeded.files,
        &format!("iam-authorization-details-{account}.json"),
        &format!("iam-oidc-providers-{account}.json"),
    )
    .await;
    other
}

/// Customer managed policies, roles (trust, inline, attached, boundary, tags, instance
/// profiles) and OIDC providers of one account, from the demo's files of that account.
async fn seed_iam(
    iam: &aws_sdk_iam::Client,
    files: &SnapshotFiles,
    details_file: &str,
    providers_file: &str,
) {
    let details: AccountAuthorizationDetails = json(files, details_file);
    for p in details
        .policies
        .iter()
        .filter(|p| arn_account(&p.arn) != Some("aws"))
    {
        iam.create_policy()
            .policy_name(&p.policy_name)
            .set_path(p.path.clone())
            .policy_document(text(p.default_document().expect("default version")))
            .send()
            .await
            .unwrap_or_else(|e| panic!("create policy {}: {e:?}", p.policy_name));
    }
    let mut profiles = BTreeSet::new();
    for r in &details.role_detail_list {
        iam.create_role()
            .role_name(&r.role_name)
            .set_path(r.path.clone())
            .assume_role_policy_document(text(
                r.assume_role_policy_document.as_ref().expect("trust"),
            ))
            .set_permissions_boundary(
                r.permissions_boundary
                    .as_ref()
                    .map(|b| b.permissions_boundary_arn.clone()),
            )
            .set_tags(Some(
                r.tags
                    .iter()
                    .map(|t| {
                        aws_sdk_iam::types::Tag::builder()
                            .key(&t.key)
                            .value(&t.value)
                            .build()
                            .expect("tag")
                    })
                    .collect(),
            ))
            .send()
            .await
            .unwrap_or_else(|e| panic!("create role {}: {e:?}", r.role_name));
        for p in &r.role_policy_list {
            iam.put_role_policy()
                .role_name(&r.role_name)
                .policy_name(&p.policy_name)
                .policy_document(text(&p.policy_document))
                .send()
                .await
                .expect("put role policy");
        }
        for a in &r.attached_managed_policies {
            iam.attach_role_policy()
                .role_name(&r.role_name)
                .policy_arn(&a.policy_arn)
                .send()
                .await
                .unwrap_or_else(|e| panic!("attach {}: {e:?}", a.policy_arn));
        }
        for p in &r.instance_profile_list {
            let name = p.arn.rsplit('/').next().expect("profile name");
            if profiles.insert(name.to_owned()) {
                iam.create_instance_profile()
                    .instance_profile_name(name)
                    .send()
                    .await
                    .expect("create instance profile");
            }
            iam.add_role_to_instance_profile()
                .instance_profile_name(name)
                .role_name(&r.role_name)
                .send()
                .await
                .expect("add role to instance profile");
        }
    }
    let providers: OpenIdConnectProviders = json(files, providers_file);
    for p in &providers.providers {
        iam.create_open_id_connect_provider()
            .url(format!("https://{}", p.url.clone().unwrap_or_default()))
            .set_client_id_list(Some(p.client_id_list.clone()))
            .set_thumbprint_list(Some(p.thumbprint_list.clone()))
            .set_tags(Some(
                p.tags
                    .iter()
                    .map(|t| {
                        aws_sdk_iam::types::Tag::builder()
                            .key(&t.key)
                            .value(&t.value)
                            .build()
                            .expect("tag")
                    })
                    .collect(),
            ))
            .send()
            .await
            .expect("create OIDC provider");
    }
}
