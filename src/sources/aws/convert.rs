//! SDK output types → the AWS CLI JSON shapes of `model::aws_cli`, so the live source projects
//! into `RoleInfo`, `OidcProvider`, `ClusterInfo`, … through exactly the code the snapshot
//! source uses.
//!
//! Policy documents arrive URL-encoded (real AWS) or plain (some moto calls); they are decoded
//! once here into the JSON object the CLI prints (`analysis::policy::decode`, the same decoder
//! the analysis uses), so both IAM paths and both encodings give identical facts. A document
//! that does not decode is kept as received: the analysis turns it into a finding.

use aws_sdk_iam::primitives::DateTime;
use irsa_core::analysis::policy;
use irsa_core::model::aws_cli as cli;
use jiff::Timestamp;
use serde_json::Value;

/// Puts a role's policy lists in one order (attached by ARN, inline by name, profiles by ARN):
/// IAM's list calls and `GetAccountAuthorizationDetails` return them in different orders, and
/// the order means nothing.
pub fn canonical(mut role: irsa_core::model::RoleInfo) -> irsa_core::model::RoleInfo {
    role.attached_policies.sort_by(|a, b| a.arn.cmp(&b.arn));
    role.inline_policies.sort_by(|a, b| a.name.cmp(&b.name));
    role.instance_profiles.sort();
    role
}

/// An SDK timestamp as a jiff one (`None` when out of jiff's range).
pub fn timestamp(t: &DateTime) -> Option<Timestamp> {
    let nanos = i32::try_from(t.subsec_nanos()).ok()?;
    Timestamp::new(t.secs(), nanos).ok()
}

/// A policy document as received, decoded to a JSON object when it decodes.
pub fn document(text: &str) -> Value {
    let raw = Value::String(text.to_owned());
    policy::decode(&raw).unwrap_or(raw)
}

fn tags(list: &[aws_sdk_iam::types::Tag]) -> Vec<cli::Tag> {
    list.iter()
        .map(|t| cli::Tag {
            key: t.key().to_owned(),
            value: t.value().to_owned(),
        })
        .collect()
}

fn last_used(u: &aws_sdk_iam::types::RoleLastUsed) -> cli::RoleLastUsed {
    cli::RoleLastUsed {
        last_used_date: u.last_used_date().and_then(timestamp),
        region: u.region().map(str::to_owned),
    }
}

fn boundary(
    b: &aws_sdk_iam::types::AttachedPermissionsBoundary,
) -> Option<cli::AttachedPermissionsBoundary> {
    b.permissions_boundary_arn()
        .map(|arn| cli::AttachedPermissionsBoundary {
            permissions_boundary_arn: arn.to_owned(),
            permissions_boundary_type: b.permissions_boundary_type().map(|t| t.as_str().to_owned()),
        })
}

fn instance_profile(p: &aws_sdk_iam::types::InstanceProfile) -> cli::InstanceProfile {
    cli::InstanceProfile {
        arn: p.arn().to_owned(),
        instance_profile_name: Some(p.instance_profile_name().to_owned()),
        instance_profile_id: Some(p.instance_profile_id().to_owned()),
        path: Some(p.path().to_owned()),
        create_date: timestamp(p.create_date()),
        roles: Vec::new(),
    }
}

/// `RoleDetail` of `GetAccountAuthorizationDetails`.
pub fn role_detail(r: &aws_sdk_iam::types::RoleDetail) -> cli::RoleDetail {
    cli::RoleDetail {
        arn: r.arn().unwrap_or_default().to_owned(),
        role_name: r.role_name().unwrap_or_default().to_owned(),
        role_id: r.role_id().map(str::to_owned),
        path: r.path().map(str::to_owned),
        create_date: r.create_date().and_then(timestamp),
        assume_role_policy_document: r.assume_role_policy_document().map(document),
        instance_profile_list: r
            .instance_profile_list()
            .iter()
            .map(instance_profile)
            .collect(),
        role_policy_list: r
            .role_policy_list()
            .iter()
            .map(|p| cli::PolicyDetail {
                policy_name: p.policy_name().unwrap_or_default().to_owned(),
                policy_document: document(p.policy_document().unwrap_or_default()),
            })
            .collect(),
        attached_managed_policies: r.attached_managed_policies().iter().map(attached).collect(),
        permissions_boundary: r.permissions_boundary().and_then(boundary),
        tags: tags(r.tags()),
        role_last_used: r.role_last_used().map(last_used),
    }
}

/// An attached managed policy (name and ARN).
pub fn attached(a: &aws_sdk_iam::types::AttachedPolicy) -> cli::AttachedPolicy {
    cli::AttachedPolicy {
        policy_name: a.policy_name().unwrap_or_default().to_owned(),
        policy_arn: a.policy_arn().unwrap_or_default().to_owned(),
    }
}

/// `ManagedPolicyDetail` of `GetAccountAuthorizationDetails`.
pub fn managed_policy(p: &aws_sdk_iam::types::ManagedPolicyDetail) -> cli::ManagedPolicyDetail {
    cli::ManagedPolicyDetail {
        policy_name: p.policy_name().unwrap_or_default().to_owned(),
        arn: p.arn().unwrap_or_default().to_owned(),
        policy_id: p.policy_id().map(str::to_owned),
        path: p.path().map(str::to_owned),
        default_version_id: p.default_version_id().map(str::to_owned),
        attachment_count: p.attachment_count().map(i64::from),
        permissions_boundary_usage_count: p.permissions_boundary_usage_count().map(i64::from),
        is_attachable: Some(p.is_attachable()),
        description: p.description().map(str::to_owned),
        create_date: p.create_date().and_then(timestamp),
        update_date: p.update_date().and_then(timestamp),
        policy_version_list: p.policy_version_list().iter().map(policy_version).collect(),
    }
}

/// A `PolicyVersion` (of `GetPolicyVersion` or of a `ManagedPolicyDetail`).
pub fn policy_version(v: &aws_sdk_iam::types::PolicyVersion) -> cli::PolicyVersion {
    cli::PolicyVersion {
        document: v.document().map(document),
        version_id: v.version_id().map(str::to_owned),
        is_default_version: v.is_default_version(),
        create_date: v.create_date().and_then(timestamp),
    }
}

/// A `Role` of `GetRole`/`ListRoles` as a `RoleDetail` without policies (the per-role path
/// adds them from their own calls).
pub fn role(r: &aws_sdk_iam::types::Role) -> cli::RoleDetail {
    cli::RoleDetail {
        arn: r.arn().to_owned(),
        role_name: r.role_name().to_owned(),
        role_id: Some(r.role_id().to_owned()),
        path: Some(r.path().to_owned()),
        create_date: timestamp(r.create_date()),
        assume_role_policy_document: r.assume_role_policy_document().map(document),
        instance_profile_list: Vec::new(),
        role_policy_list: Vec::new(),
        attached_managed_policies: Vec::new(),
        permissions_boundary: r.permissions_boundary().and_then(boundary),
        tags: tags(r.tags()),
        role_last_used: r.role_last_used().map(last_used),
    }
}

/// `GetOpenIDConnectProvider`'s answer for `arn`.
pub fn oidc_provider(
    arn: &str,
    out: &aws_sdk_iam::operation::get_open_id_connect_provider::GetOpenIdConnectProviderOutput,
) -> cli::OpenIdConnectProvider {
    cli::OpenIdConnectProvider {
        arn: arn.to_owned(),
        url: out.url().map(str::to_owned),
        client_id_list: out.client_id_list().to_vec(),
        thumbprint_list: out.thumbprint_list().to_vec(),
        create_date: out.create_date().and_then(timestamp),
        tags: tags(out.tags()),
    }
}

/// EKS `Cluster` (only what the model reads).
pub fn cluster(c: &aws_sdk_eks::types::Cluster) -> cli::Cluster {
    cli::Cluster {
        name: c.name().unwrap_or_default().to_owned(),
        arn: c.arn().map(str::to_owned),
        created_at: c.created_at().and_then(timestamp),
        version: c.version().map(str::to_owned),
        endpoint: c.endpoint().map(str::to_owned),
        role_arn: c.role_arn().map(str::to_owned),
        identity: c.identity().map(|i| cli::ClusterIdentity {
            oidc: i.oidc().map(|o| cli::ClusterOidc {
                issuer: o.issuer().map(str::to_owned),
            }),
        }),
        status: c.status().map(|s| s.as_str().to_owned()),
        platform_version: c.platform_version().map(str::to_owned),
        tags: c
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        kubernetes_network_config: c.kubernetes_network_config().map(|n| cli::NetworkConfig {
            ip_family: n.ip_family().map(|f| f.as_str().to_owned()),
        }),
    }
}

/// EKS `PodIdentityAssociation` of `DescribePodIdentityAssociation`.
pub fn pod_identity(
    a: &aws_sdk_eks::types::PodIdentityAssociation,
) -> Option<cli::PodIdentityAssociationDetail> {
    Some(cli::PodIdentityAssociationDetail {
        cluster_name: a.cluster_name()?.to_owned(),
        namespace: a.namespace()?.to_owned(),
        service_account: a.service_account()?.to_owned(),
        role_arn: a.role_arn()?.to_owned(),
        association_id: a.association_id()?.to_owned(),
        association_arn: a.association_arn().map(str::to_owned),
        tags: a
            .tags()
            .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        created_at: a.created_at().and_then(timestamp),
        modified_at: a.modified_at().and_then(timestamp),
        owner_arn: a.owner_arn().map(str::to_owned),
        disable_session_tags: a.disable_session_tags(),
        target_role_arn: a.target_role_arn().map(str::to_owned),
        external_id: a.external_id().map(str::to_owned),
        policy: a.policy().map(str::to_owned),
    })
}

/// EC2 `Instance` (only what the model reads).
pub fn instance(i: &aws_sdk_ec2::types::Instance) -> cli::Instance {
    cli::Instance {
        instance_id: i.instance_id().unwrap_or_default().to_owned(),
        instance_type: i.instance_type().map(|t| t.as_str().to_owned()),
        image_id: i.image_id().map(str::to_owned),
        launch_time: i.launch_time().and_then(timestamp),
        placement: i.placement().map(|p| cli::Placement {
            availability_zone: p.availability_zone().map(str::to_owned),
        }),
        private_dns_name: i.private_dns_name().map(str::to_owned),
        private_ip_address: i.private_ip_address().map(str::to_owned),
        state: i.state().map(|s| cli::InstanceState {
            code: s.code().map(i64::from),
            name: s.name().map(|n| n.as_str().to_owned()),
        }),
        iam_instance_profile: i.iam_instance_profile().map(|p| cli::IamInstanceProfile {
            arn: p.arn().map(str::to_owned),
            id: p.id().map(str::to_owned),
        }),
        metadata_options: i.metadata_options().map(|m| cli::InstanceMetadataOptions {
            state: m.state().map(|s| s.as_str().to_owned()),
            http_tokens: m.http_tokens().map(|s| s.as_str().to_owned()),
            http_put_response_hop_limit: m.http_put_response_hop_limit().map(i64::from),
            http_endpoint: m.http_endpoint().map(|s| s.as_str().to_owned()),
            http_protocol_ipv6: m.http_protocol_ipv6().map(|s| s.as_str().to_owned()),
            instance_metadata_tags: m.instance_metadata_tags().map(|s| s.as_str().to_owned()),
        }),
        tags: i
            .tags()
            .iter()
            .map(|t| cli::Tag {
                key: t.key().unwrap_or_default().to_owned(),
                value: t.value().unwrap_or_default().to_owned(),
            })
            .collect(),
    }
}
