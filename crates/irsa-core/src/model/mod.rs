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

/// An ARN's account id (the fifth `:`-separated field), when the string looks like an ARN and
/// that field is an account: 12 digits, or `aws` (AWS managed policies). A malformed ARN that
/// lost a colon (`arn:aws:iam:123456789012:role/x`) has no account, not `role/x`.
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
    let id = account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit());
    (id || account == "aws").then_some(account)
}

#[cfg(test)]
mod arn_account_tests {
    use super::arn_account;

    #[test]
    fn the_account_field_only_when_it_is_one() {
        assert_eq!(
            arn_account("arn:aws:iam::123456789012:role/x"),
            Some("123456789012")
        );
        assert_eq!(
            arn_account("arn:aws:sts::123456789012:assumed-role/r/s"),
            Some("123456789012")
        );
        assert_eq!(
            arn_account("arn:aws:iam::aws:policy/AdministratorAccess"),
            Some("aws")
        );
        // One colon lost before the account: no account, not "role/x".
        assert_eq!(arn_account("arn:aws:iam:123456789012:role/x"), None);
        assert_eq!(arn_account("arn:aws:s3:::bucket"), None);
        assert_eq!(arn_account("arn:aws:iam::12345:role/x"), None);
        assert_eq!(arn_account("not an arn"), None);
    }
}
