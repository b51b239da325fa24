//! Plain, serde-serialisable domain types: what the analysis core knows about a cluster and an
//! AWS account. No behaviour beyond trivial accessors lives here; IRSA knowledge is in
//! `crate::analysis`. Conversions from the wire shapes (k8s-openapi objects, AWS CLI JSON) live
//! next to each type so every source (snapshot, live Kubernetes, live AWS) projects the same way.

pub mod aws_cli;
mod caller;
mod cluster;
mod finding;
mod instance;
pub mod interned;
mod inventory;
pub mod last_applied;
mod node;
mod oidc_provider;
mod permission_inputs;
mod pod;
mod pod_identity;
mod pooled;
mod role;
mod service_account;
mod shared;
mod subject;
mod webhook_registration;

pub use caller::CallerIdentity;
pub use cluster::ClusterInfo;
pub use finding::{Acceptance, Evidence, Finding, FindingCode, Severity};
pub use instance::{Ec2Instance, MetadataOptions};
pub use inventory::{
    Inventory, ObservedToken, RoleLookup, SourceKind, SourceProblem, WebhookSettings,
};
pub use node::NodeInfo;
pub use oidc_provider::OidcProvider;
pub use permission_inputs::{
    ResourcePoliciesFile, ResourcePolicyInfo, ScpFile, ScpLevelInfo, ScpPolicyInfo,
};
pub use pod::{
    ContainerInfo, ContainerKind, EnvFromInfo, EnvValue, EnvVarInfo, PodInfo, PodPools,
    PodSecurityInfo, ProjectedSource, StringMap, VolumeInfo, VolumeMountInfo, VolumeSourceInfo,
};
pub use pod_identity::PodIdentityAssociation;
pub use pooled::{Pool, Pooled};
pub use role::{AttachedPolicy, InlinePolicy, RawPolicyDocument, RoleInfo, RoleLastUsed};
pub use service_account::ServiceAccountInfo;
pub use shared::Shared;
pub use subject::{Subject, SubjectKind};
pub use webhook_registration::{
    ConfigMapRole, LabelSelector, RegisteredWebhook, SelectorRequirement, WEBHOOK_CONFIG_MAP,
    WEBHOOK_CONFIG_MAP_KEY, WEBHOOK_CONFIGURATION, WEBHOOK_NAMES, WebhookRegistration,
    is_pod_identity_webhook, parse_config_map_roles,
};

/// An ARN's account id (the fifth `:`-separated field), when the string looks like an ARN.
pub fn arn_account(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    let (Some("arn"), Some(_partition), Some(_service), Some(_region), Some(account)) = (
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
        parts.next(),
    ) else {
        return None;
    };
    (!account.is_empty()).then_some(account)
}
