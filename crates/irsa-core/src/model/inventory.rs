//! Everything known about one cluster and its AWS account at one moment: the input of the
//! analysis core. Every AWS-side collection is an `Option`: `None` means *unknown* (the source
//! was missing, denied or failed — see `problems`), which the analysis reports as unknown,
//! never as fine.

use super::Shared;
use super::{
    CallerIdentity, ClusterInfo, Ec2Instance, NodeInfo, OidcProvider, PodIdentityAssociation,
    PodInfo, RoleInfo, ServiceAccountInfo,
};
use super::{ConfigMapRole, WebhookRegistration};
use crate::analysis::token::DecodedToken;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A data source the inventory is filled from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    Kubernetes,
    IamRoles,
    OidcProviders,
    EksCluster,
    PodIdentity,
    Ec2Instances,
    CallerIdentity,
    Tokens,
    /// Roles and OIDC providers of accounts other than the caller's.
    OtherAccounts,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Kubernetes => "kubernetes",
            SourceKind::IamRoles => "iam-roles",
            SourceKind::OidcProviders => "oidc-providers",
            SourceKind::EksCluster => "eks-cluster",
            SourceKind::PodIdentity => "pod-identity",
            SourceKind::Ec2Instances => "ec2-instances",
            SourceKind::CallerIdentity => "caller-identity",
            SourceKind::Tokens => "tokens",
            SourceKind::OtherAccounts => "other-accounts",
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a source is unknown or partial: one line a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceProblem {
    pub source: SourceKind,
    pub message: String,
}

/// The pod-identity-webhook's settings (its command-line flags), as far as they are known.
/// On EKS the webhook runs in the control plane with the cluster's region and regional STS on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WebhookSettings {
    /// `--aws-default-region`: injects `AWS_DEFAULT_REGION` and `AWS_REGION`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `--sts-regional-endpoint`: injects `AWS_STS_REGIONAL_ENDPOINTS=regional`.
    #[serde(default)]
    pub sts_regional_endpoints: bool,
    /// `--token-expiration`, seconds (default 86400).
    #[serde(default = "default_expiration")]
    pub default_token_expiration: i64,
    /// `--annotation-prefix` (default `eks.amazonaws.com`).
    #[serde(default = "default_prefix")]
    pub annotation_prefix: String,
    /// `--token-audience` (default `sts.amazonaws.com`).
    #[serde(default = "default_audience")]
    pub audience: String,
    /// `--token-mount-path` (default `/var/run/secrets/eks.amazonaws.com/serviceaccount`).
    #[serde(default = "default_mount_path")]
    pub token_mount_path: String,
    /// `--watch-config-map`: `Some` when the webhook's flags were read (a self-managed
    /// Deployment), `None` when they are not visible (EKS runs the webhook off-cluster).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub watch_config_map: Option<bool>,
    /// The ServiceAccount → role mappings of the `pod-identity-webhook` ConfigMap, consulted
    /// for an SA without its own `role-arn` annotation (empty when there is none or it is
    /// not watched).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub config_map_roles: Vec<ConfigMapRole>,
}

fn default_expiration() -> i64 {
    86400
}
fn default_prefix() -> String {
    "eks.amazonaws.com".to_owned()
}
fn default_audience() -> String {
    "sts.amazonaws.com".to_owned()
}
fn default_mount_path() -> String {
    "/var/run/secrets/eks.amazonaws.com/serviceaccount".to_owned()
}

impl Default for WebhookSettings {
    /// The webhook's own defaults (no region, no regional STS).
    fn default() -> Self {
        Self {
            region: None,
            sts_regional_endpoints: false,
            default_token_expiration: default_expiration(),
            annotation_prefix: default_prefix(),
            audience: default_audience(),
            token_mount_path: default_mount_path(),
            watch_config_map: None,
            config_map_roles: Vec::new(),
        }
    }
}

impl WebhookSettings {
    /// The settings of the webhook EKS runs for a cluster in `region`.
    pub fn eks(region: Option<&str>) -> Self {
        Self {
            region: region.map(str::to_owned),
            sts_regional_endpoints: true,
            ..Self::default()
        }
    }
}

/// A projected token read from a pod (snapshot file, TokenRequest or exec), already decoded.
/// The raw token is never kept: only the decoded header and claims, or the decode error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ObservedToken {
    pub namespace: String,
    pub pod: String,
    /// Where it came from, for the label in the UI (`snapshot file tokens/demo.s3-test.jwt`).
    pub origin: String,
    pub decoded: Result<DecodedToken, String>,
}

/// All facts, as loaded. Kubernetes objects are always present (possibly empty); AWS-side
/// collections are `None` when unknown.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Inventory {
    /// Kubeconfig context or snapshot label, for the header.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    /// When the facts were captured (a snapshot's `snapshot.json`); the analysis of a snapshot
    /// runs as of this moment so token lifetimes read as they did then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub captured_at: Option<jiff::Timestamp>,
    pub service_accounts: Shared<ServiceAccountInfo>,
    /// Shared with the live source's store (and between successive inventories): a pod is
    /// never copied to be analysed. Reads like a `Vec<PodInfo>`.
    pub pods: Shared<PodInfo>,
    pub nodes: Vec<NodeInfo>,
    /// The cluster's issuer as the API server announces it (`/.well-known/openid-configuration`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes_issuer: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub webhook: Option<WebhookSettings>,
    /// Whether the API server calls the pod-identity-webhook (its MutatingWebhookConfiguration).
    #[serde(default)]
    pub webhook_registration: WebhookRegistration,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cluster: Option<ClusterInfo>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub roles: Option<Vec<RoleInfo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc_providers: Option<Vec<OidcProvider>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod_identity_associations: Option<Vec<PodIdentityAssociation>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instances: Option<Vec<Ec2Instance>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub caller: Option<CallerIdentity>,
    /// Resource-based policies (bucket, key policies) when loaded; `None` = not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_policies: Option<Vec<super::ResourcePolicyInfo>>,
    /// The organisation's SCPs per level of the path; `None` = not provided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scps: Option<Vec<super::ScpLevelInfo>>,
    #[serde(default)]
    pub tokens: Vec<ObservedToken>,
    #[serde(default)]
    pub problems: Vec<SourceProblem>,
}

impl Inventory {
    /// The issuer URL (with `https://`): the API server's when known (the `iss` of every token
    /// it mints), else EKS's. The two differ only when the kubeconfig context and the EKS
    /// cluster read from AWS are different clusters (`analysis::issuer::mismatch` says so).
    pub fn issuer(&self) -> Option<&str> {
        self.kubernetes_issuer
            .as_deref()
            .or_else(|| self.cluster.as_ref().and_then(|c| c.issuer.as_deref()))
    }

    /// The cluster's AWS account: from the cluster ARN, else the caller's account.
    pub fn account(&self) -> Option<&str> {
        self.cluster
            .as_ref()
            .and_then(ClusterInfo::account)
            .or_else(|| self.caller.as_ref().map(|c| c.account.as_str()))
    }

    pub fn service_account(&self, namespace: &str, name: &str) -> Option<&ServiceAccountInfo> {
        self.service_accounts
            .iter()
            .find(|sa| sa.namespace == namespace && sa.name == name)
    }

    pub fn pod(&self, namespace: &str, name: &str) -> Option<&PodInfo> {
        self.pods
            .iter()
            .find(|p| &*p.namespace == namespace && p.name == name)
    }

    pub fn node(&self, name: &str) -> Option<&NodeInfo> {
        self.nodes.iter().find(|n| n.name == name)
    }

    /// Looks a role up by ARN; distinguishes "missing" from "role list unknown".
    pub fn role(&self, arn: &str) -> RoleLookup<'_> {
        match &self.roles {
            None => RoleLookup::Unknown,
            Some(roles) => match roles.iter().find(|r| r.arn == arn) {
                Some(r) => RoleLookup::Found(r),
                None => RoleLookup::Missing,
            },
        }
    }

    pub fn problems_for(&self, source: SourceKind) -> impl Iterator<Item = &SourceProblem> {
        self.problems.iter().filter(move |p| p.source == source)
    }
}

/// The answer to "does this role exist?" when the role list may be unknown.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum RoleLookup<'a> {
    Found(&'a RoleInfo),
    Missing,
    Unknown,
}
