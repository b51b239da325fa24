//! The caller a pod's AWS calls run as, and the request keys IAM derives from it: the role
//! session ARN shapes of IRSA, EKS Pod Identity and the node's instance role, the six Pod
//! Identity session tags (`aws:PrincipalTag/…` unless the association disables them), and the
//! keys every request carries about its principal (`aws:PrincipalArn`, `aws:PrincipalAccount`,
//! `aws:PrincipalType`, `aws:username`).

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The principal keys IAM derives from the caller; their absence is known, not unknown.
pub const DERIVED_KEYS: [&str; 4] = [
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalType",
    "aws:username",
];

/// The six session tags EKS Pod Identity attaches (EKS User Guide, "List of session tags added
/// by EKS Pod Identity").
pub const POD_IDENTITY_SESSION_TAGS: [&str; 6] = [
    "eks-cluster-arn",
    "eks-cluster-name",
    "kubernetes-namespace",
    "kubernetes-service-account",
    "kubernetes-pod-name",
    "kubernetes-pod-uid",
];

/// How the session came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SessionKind {
    Irsa,
    PodIdentity,
    NodeRole,
}

/// A pod's session: its ARN, the role's, and the request keys it carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionPrincipal {
    pub kind: SessionKind,
    pub role_arn: String,
    /// `arn:aws:sts::<account>:assumed-role/<role>/<session name>`.
    pub session_arn: String,
    /// How the session name was chosen, when it is not exactly known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_name_note: Option<String>,
    /// `aws:PrincipalTag/…` and other keys the session carries, in order.
    pub keys: Vec<(String, String)>,
    /// True when the role's tags were known (so an absent principal tag is known absent).
    pub tags_known: bool,
}

/// What a Pod Identity session is built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodIdentitySession<'a> {
    pub role_arn: &'a str,
    pub cluster_name: &'a str,
    /// `arn:aws:eks:<region>:<account>:cluster/<name>`, when known.
    pub cluster_arn: Option<&'a str>,
    pub namespace: &'a str,
    pub service_account: &'a str,
    pub pod_name: &'a str,
    pub pod_uid: Option<&'a str>,
    pub session_tags_disabled: bool,
    /// The role's own tags (`None` = not loaded); session tags of the same key win.
    pub role_tags: Option<&'a BTreeMap<String, String>>,
}

impl SessionPrincipal {
    /// An IRSA session: the SDK calls `AssumeRoleWithWebIdentity` with
    /// `AWS_ROLE_SESSION_NAME` when the container sets it, else a name it generates.
    pub fn irsa(
        role_arn: &str,
        session_name: Option<&str>,
        role_tags: Option<&BTreeMap<String, String>>,
    ) -> Self {
        let (name, note) = match session_name {
            Some(n) => (n.to_owned(), None),
            None => (
                "<sdk-generated>".to_owned(),
                Some("no AWS_ROLE_SESSION_NAME: the SDK generates the session name".to_owned()),
            ),
        };
        Self {
            kind: SessionKind::Irsa,
            role_arn: role_arn.to_owned(),
            session_arn: session_arn(role_arn, &name),
            session_name_note: note,
            keys: tag_keys(role_tags.into_iter().flatten()),
            tags_known: role_tags.is_some(),
        }
    }

    /// A Pod Identity session: `eks-<cluster>-<pod>-<random>` (64 characters at most), tagged
    /// with the six session tags unless the association disables them.
    pub fn pod_identity(s: &PodIdentitySession<'_>) -> Self {
        let mut name: String = format!("eks-{}-{}-", s.cluster_name, s.pod_name);
        name.truncate(name.char_indices().nth(55).map_or(name.len(), |(i, _)| i));
        name.push_str("<random>");
        let mut tags: BTreeMap<String, String> = s.role_tags.cloned().unwrap_or_default();
        if !s.session_tags_disabled {
            let values = [
                s.cluster_arn.map(str::to_owned),
                Some(s.cluster_name.to_owned()),
                Some(s.namespace.to_owned()),
                Some(s.service_account.to_owned()),
                Some(s.pod_name.to_owned()),
                s.pod_uid.map(str::to_owned),
            ];
            for (tag, value) in POD_IDENTITY_SESSION_TAGS.iter().zip(values) {
                if let Some(value) = value {
                    tags.insert((*tag).to_owned(), value);
                }
            }
        }
        Self {
            kind: SessionKind::PodIdentity,
            role_arn: s.role_arn.to_owned(),
            session_arn: session_arn(s.role_arn, &name),
            session_name_note: Some(
                "the session name ends in a random id chosen per credential fetch".to_owned(),
            ),
            keys: tag_keys(&tags),
            tags_known: s.role_tags.is_some(),
        }
    }

    /// The node's instance role: the session is named after the instance id.
    pub fn node_role(
        role_arn: &str,
        instance_id: Option<&str>,
        role_tags: Option<&BTreeMap<String, String>>,
    ) -> Self {
        let name = instance_id.unwrap_or("<instance-id>");
        Self {
            kind: SessionKind::NodeRole,
            role_arn: role_arn.to_owned(),
            session_arn: session_arn(role_arn, name),
            session_name_note: instance_id
                .is_none()
                .then(|| "the node's instance id is not known".to_owned()),
            keys: tag_keys(role_tags.into_iter().flatten()),
            tags_known: role_tags.is_some(),
        }
    }
}

fn tag_keys<'a>(tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> Vec<(String, String)> {
    tags.into_iter()
        .map(|(k, v)| (format!("aws:PrincipalTag/{k}"), v.clone()))
        .collect()
}

/// `arn:aws:sts::<account>:assumed-role/<role name>/<session>` for a role ARN (the path is
/// not part of a session ARN).
pub fn session_arn(role_arn: &str, session: &str) -> String {
    let mut parts = role_arn.splitn(6, ':');
    let partition = parts.nth(1).unwrap_or("aws");
    let account = parts.nth(2).unwrap_or_default();
    let name = role_arn.rsplit('/').next().unwrap_or(role_arn);
    format!("arn:{partition}:sts::{account}:assumed-role/{name}/{session}")
}

/// The role ARN of a session ARN (`arn:aws:iam::<account>:role/<name>`; the role's path is
/// not in the session ARN, so it is left out).
pub fn role_arn_of_session(arn: &str) -> Option<String> {
    let mut parts = arn.splitn(6, ':');
    let (_, partition, service, _, account, resource) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    let role = resource.strip_prefix("assumed-role/")?.split('/').next()?;
    (service == "sts").then(|| format!("arn:{partition}:iam::{account}:role/{role}"))
}

/// `aws:PrincipalType` of a caller ARN.
pub fn principal_type_of(arn: &str) -> Option<&'static str> {
    let resource = arn.splitn(6, ':').nth(5)?;
    if resource.starts_with("assumed-role/") {
        Some("AssumedRole")
    } else if resource.starts_with("user/") {
        Some("User")
    } else if resource == "root" {
        Some("Account")
    } else if resource.starts_with("federated-user/") {
        Some("FederatedUser")
    } else {
        None
    }
}

/// The keys IAM derives from the caller ARN.
pub(super) fn principal_keys(arn: &str) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    let principal_arn = role_arn_of_session(arn).unwrap_or_else(|| arn.to_owned());
    out.push(("aws:PrincipalArn", principal_arn));
    if let Some(account) = crate::model::arn_account(arn) {
        out.push(("aws:PrincipalAccount", account.to_owned()));
    }
    if let Some(kind) = principal_type_of(arn) {
        out.push(("aws:PrincipalType", kind.to_owned()));
    }
    if let Some(user) = arn
        .splitn(6, ':')
        .nth(5)
        .and_then(|r| r.strip_prefix("user/"))
    {
        out.push((
            "aws:username",
            user.rsplit('/').next().unwrap_or(user).to_owned(),
        ));
    }
    out
}
