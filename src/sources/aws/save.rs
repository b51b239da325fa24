//! `snapshot save --aws`: the AWS side as read ([`Enrichment`]) written as the snapshot files
//! the AWS CLI would print (`sts-caller-identity.json`, `eks-cluster.json`,
//! `iam-authorization-details[-<account>].json`, `iam-oidc-providers[-<account>].json`,
//! `eks-pod-identity-associations.json`, `ec2-instances.json`), so `--snapshot DIR` reads the
//! same facts back without AWS access. The shapes are the model's own `aws_cli` types, so the
//! writer and the loader cannot drift apart.
//!
//! A collection that is unknown (denied, failed) is not written: the loader then reports the
//! file as missing and that part of the analysis stays *unknown*, exactly as it was live. The
//! AWS answers hold no secret (no credentials are ever read), so nothing needs redacting.

use super::enrichment::Enrichment;
use irsa_core::model::aws_cli::{
    AccountAuthorizationDetails, AttachedPermissionsBoundary, AttachedPolicy, Cluster,
    ClusterIdentity, ClusterOidc, DescribeClusterOutput, DescribeInstancesOutput,
    GetCallerIdentityOutput, IamInstanceProfile, Instance, InstanceMetadataOptions,
    InstanceProfile, InstanceState, ManagedPolicyDetail, NetworkConfig, OpenIdConnectProvider,
    OpenIdConnectProviders, Placement, PodIdentityAssociationDetail, PodIdentityAssociations,
    PolicyDetail, PolicyVersion, Reservation, RoleDetail, RoleLastUsed, Tag,
};
use irsa_core::model::{
    CallerIdentity, ClusterInfo, Ec2Instance, OidcProvider, PodIdentityAssociation, RoleInfo,
};
use irsa_core::snapshot::files;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// The snapshot files for `e`: `(file name, JSON text)`, the caller's account's IAM files
/// under the plain names and every other account's under `-<account>` names.
pub fn snapshot_files(e: &Enrichment) -> Result<Vec<(String, String)>, serde_json::Error> {
    let own = e.caller.as_ref().map(|c| c.account.clone()).or_else(|| {
        e.cluster
            .as_ref()
            .and_then(|c| c.account().map(str::to_owned))
    });
    let name_for = |base: &str, account: &str| {
        if Some(account) == own.as_deref() {
            base.to_owned()
        } else {
            base.replace(".json", &format!("-{account}.json"))
        }
    };
    let mut out = Vec::new();
    if let Some(c) = &e.caller {
        out.push((files::CALLER.to_owned(), json(&caller(c))?));
    }
    if let Some(c) = &e.cluster {
        out.push((
            files::EKS_CLUSTER.to_owned(),
            json(&DescribeClusterOutput {
                cluster: cluster(c),
            })?,
        ));
    }
    if let Some(roles) = &e.roles {
        let mut by_account: BTreeMap<String, Vec<&RoleInfo>> = BTreeMap::new();
        for r in roles {
            let account = r.account().unwrap_or_default().to_owned();
            by_account.entry(account).or_default().push(r);
        }
        // The caller's account is written even with no role (an empty account is a fact).
        if let Some(own) = &own {
            by_account.entry(own.clone()).or_default();
        }
        for (account, roles) in by_account {
            out.push((
                name_for(files::IAM_DETAILS, &account),
                json(&authorization_details(&roles))?,
            ));
        }
    }
    if let Some(providers) = &e.oidc_providers {
        let mut by_account: BTreeMap<String, Vec<OpenIdConnectProvider>> = BTreeMap::new();
        if let Some(own) = &own {
            by_account.entry(own.clone()).or_default();
        }
        for p in providers {
            let account = p.account().unwrap_or_default().to_owned();
            by_account.entry(account).or_default().push(provider(p));
        }
        for (account, providers) in by_account {
            out.push((
                name_for(files::OIDC_PROVIDERS, &account),
                json(&OpenIdConnectProviders { providers })?,
            ));
        }
    }
    if let Some(associations) = &e.pod_identity_associations {
        out.push((
            files::POD_IDENTITY.to_owned(),
            json(&PodIdentityAssociations {
                associations: associations.iter().map(association).collect(),
            })?,
        ));
    }
    if let Some(instances) = &e.instances {
        out.push((
            files::EC2_INSTANCES.to_owned(),
            json(&DescribeInstancesOutput {
                reservations: vec![Reservation {
                    reservation_id: None,
                    owner_id: own.clone(),
                    instances: instances.iter().map(instance).collect(),
                }],
            })?,
        ));
    }
    Ok(out)
}

fn json(value: &impl Serialize) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(value).map(|mut s| {
        s.push('\n');
        s
    })
}

fn tags(map: &BTreeMap<String, String>) -> Vec<Tag> {
    map.iter()
        .map(|(k, v)| Tag {
            key: k.clone(),
            value: v.clone(),
        })
        .collect()
}

fn caller(c: &CallerIdentity) -> GetCallerIdentityOutput {
    GetCallerIdentityOutput {
        user_id: c.user_id.clone(),
        account: c.account.clone(),
        arn: c.arn.clone(),
    }
}

fn cluster(c: &ClusterInfo) -> Cluster {
    Cluster {
        name: c.name.clone(),
        arn: c.arn.clone(),
        created_at: None,
        version: c.version.clone(),
        endpoint: None,
        role_arn: None,
        identity: c.issuer.as_ref().map(|issuer| ClusterIdentity {
            oidc: Some(ClusterOidc {
                issuer: Some(issuer.clone()),
            }),
        }),
        status: None,
        platform_version: c.platform_version.clone(),
        tags: BTreeMap::new(),
        kubernetes_network_config: c.ip_family.as_ref().map(|f| NetworkConfig {
            ip_family: Some(f.clone()),
        }),
    }
}

/// Roles of one account and the managed policies they attach or use as permissions boundary
/// (each once, with the document as its default version; the version id itself is not kept
/// by the model).
fn authorization_details(roles: &[&RoleInfo]) -> AccountAuthorizationDetails {
    let mut seen = BTreeSet::new();
    let mut policies = Vec::new();
    let attached = roles
        .iter()
        .flat_map(|r| &r.attached_policies)
        .map(|p| (p.name.as_str(), p.arn.as_str(), p.document.as_ref()));
    let boundaries = roles.iter().filter_map(|r| {
        let arn = r.permissions_boundary.as_deref()?;
        let name = arn.rsplit('/').next().unwrap_or(arn);
        Some((name, arn, r.permissions_boundary_document.as_ref()))
    });
    for (name, arn, document) in attached.chain(boundaries) {
        if let Some(document) = document
            && seen.insert(arn.to_owned())
        {
            policies.push(ManagedPolicyDetail {
                policy_name: name.to_owned(),
                arn: arn.to_owned(),
                policy_id: None,
                path: None,
                default_version_id: None,
                attachment_count: None,
                permissions_boundary_usage_count: None,
                is_attachable: None,
                description: None,
                create_date: None,
                update_date: None,
                policy_version_list: vec![PolicyVersion {
                    document: Some(document.clone()),
                    version_id: None,
                    is_default_version: true,
                    create_date: None,
                }],
            });
        }
    }
    AccountAuthorizationDetails {
        role_detail_list: roles.iter().map(|r| role(r)).collect(),
        policies,
        is_truncated: None,
        marker: None,
    }
}

fn role(r: &RoleInfo) -> RoleDetail {
    RoleDetail {
        arn: r.arn.clone(),
        role_name: r.name.clone(),
        role_id: r.role_id.clone(),
        path: Some(r.path.clone()),
        create_date: r.created,
        assume_role_policy_document: r.trust_policy.clone(),
        instance_profile_list: r
            .instance_profiles
            .iter()
            .map(|arn| InstanceProfile {
                arn: arn.clone(),
                instance_profile_name: None,
                instance_profile_id: None,
                path: None,
                create_date: None,
                roles: Vec::new(),
            })
            .collect(),
        role_policy_list: r
            .inline_policies
            .iter()
            .map(|p| PolicyDetail {
                policy_name: p.name.clone(),
                policy_document: p.document.clone(),
            })
            .collect(),
        attached_managed_policies: r
            .attached_policies
            .iter()
            .map(|p| AttachedPolicy {
                policy_name: p.name.clone(),
                policy_arn: p.arn.clone(),
            })
            .collect(),
        permissions_boundary: r.permissions_boundary.as_ref().map(|arn| {
            AttachedPermissionsBoundary {
                permissions_boundary_arn: arn.clone(),
                permissions_boundary_type: Some("Policy".to_owned()),
            }
        }),
        tags: tags(&r.tags),
        role_last_used: r.last_used.as_ref().map(|u| RoleLastUsed {
            last_used_date: u.date,
            region: u.region.clone(),
        }),
    }
}

fn provider(p: &OidcProvider) -> OpenIdConnectProvider {
    OpenIdConnectProvider {
        arn: p.arn.clone(),
        url: Some(p.url.clone()),
        client_id_list: p.client_ids.clone(),
        thumbprint_list: p.thumbprints.clone(),
        create_date: None,
        tags: tags(&p.tags),
    }
}

fn association(a: &PodIdentityAssociation) -> PodIdentityAssociationDetail {
    PodIdentityAssociationDetail {
        cluster_name: a.cluster_name.clone(),
        namespace: a.namespace.clone(),
        service_account: a.service_account.clone(),
        role_arn: a.role_arn.clone(),
        association_id: a.association_id.clone(),
        association_arn: a.association_arn.clone(),
        tags: a.tags.clone(),
        created_at: None,
        modified_at: None,
        owner_arn: None,
        disable_session_tags: a.disable_session_tags,
        target_role_arn: a.target_role_arn.clone(),
        external_id: a.external_id.clone(),
        policy: a.policy.as_ref().map(|p| match p {
            serde_json::Value::String(text) => text.clone(),
            other => other.to_string(),
        }),
    }
}

fn instance(i: &Ec2Instance) -> Instance {
    Instance {
        instance_id: i.instance_id.clone(),
        instance_type: None,
        image_id: None,
        launch_time: None,
        placement: i.availability_zone.as_ref().map(|az| Placement {
            availability_zone: Some(az.clone()),
        }),
        private_dns_name: i.private_dns_name.clone(),
        private_ip_address: None,
        state: i.state.as_ref().map(|s| InstanceState {
            code: None,
            name: Some(s.clone()),
        }),
        iam_instance_profile: i
            .instance_profile_arn
            .as_ref()
            .map(|arn| IamInstanceProfile {
                arn: Some(arn.clone()),
                id: None,
            }),
        metadata_options: i
            .metadata_options
            .as_ref()
            .map(|m| InstanceMetadataOptions {
                state: None,
                http_tokens: m.http_tokens.clone(),
                http_put_response_hop_limit: m.http_put_response_hop_limit,
                http_endpoint: m.http_endpoint.clone(),
                http_protocol_ipv6: None,
                instance_metadata_tags: None,
            }),
        tags: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use irsa_core::model::Inventory;
    use irsa_core::snapshot::{self, SnapshotFiles};

    /// The demo lab's AWS side as if read live.
    fn demo_enrichment(demo: &Inventory) -> Enrichment {
        Enrichment {
            caller: demo.caller.clone(),
            cluster: demo.cluster.clone(),
            roles: demo.roles.clone(),
            oidc_providers: demo.oidc_providers.clone(),
            pod_identity_associations: demo.pod_identity_associations.clone(),
            instances: demo.instances.clone(),
            problems: Vec::new(),
            notes: Vec::new(),
            ..Enrichment::default()
        }
    }

    #[test]
    fn the_demo_labs_aws_side_reads_back_identically() {
        let demo = snapshot::load_demo().expect("demo");
        let written = snapshot_files(&demo_enrichment(&demo)).expect("serialises");
        let names: Vec<&str> = written.iter().map(|(n, _)| n.as_str()).collect();
        assert!(
            names.contains(&"iam-authorization-details-210987654321.json"),
            "{names:?}"
        );
        assert!(
            names.contains(&"iam-oidc-providers-210987654321.json"),
            "{names:?}"
        );

        // The demo's Kubernetes side with the written AWS files instead of the demo's own.
        let demo_files = snapshot::demo_files();
        let mut files = SnapshotFiles::new("round trip");
        for name in demo_files.names() {
            let aws = name.starts_with("iam-")
                || name.starts_with("eks-")
                || name.starts_with("ec2-")
                || name.starts_with("sts-");
            if !aws {
                files.insert(
                    name.to_owned(),
                    demo_files.get(name).unwrap_or_default().to_owned(),
                );
            }
        }
        for (name, text) in written {
            files.insert(name, text);
        }
        let back = snapshot::load_files(&files).expect("loads");
        let sorted = |roles: &Option<Vec<RoleInfo>>| {
            let mut v = roles.clone().unwrap_or_default();
            v.sort_by(|a, b| a.arn.cmp(&b.arn));
            v
        };
        assert_eq!(sorted(&back.roles), sorted(&demo.roles));
        assert_eq!(back.caller, demo.caller);
        assert_eq!(back.cluster, demo.cluster);
        let mut providers = back.oidc_providers.clone().unwrap_or_default();
        let mut want = demo.oidc_providers.clone().unwrap_or_default();
        providers.sort_by(|a, b| a.arn.cmp(&b.arn));
        want.sort_by(|a, b| a.arn.cmp(&b.arn));
        assert_eq!(providers, want);
        assert_eq!(
            back.pod_identity_associations,
            demo.pod_identity_associations
        );
        assert_eq!(back.instances, demo.instances);
        assert!(back.problems.is_empty(), "{:?}", back.problems);
        assert!(
            back.roles
                .iter()
                .flatten()
                .any(|r| irsa_core::model::arn_account(&r.arn) == Some("210987654321"))
        );
    }

    #[test]
    fn unknown_collections_are_not_written() {
        let e = Enrichment::default();
        assert_eq!(snapshot_files(&e).expect("serialises"), Vec::new());
    }
}
