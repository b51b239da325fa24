//! What a finding or a row is about.

use serde::{Deserialize, Serialize};
use std::fmt;

/// The kind of object a finding is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SubjectKind {
    ServiceAccount,
    Pod,
    Node,
    Role,
    OidcProvider,
    Cluster,
}

impl SubjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SubjectKind::ServiceAccount => "service-account",
            SubjectKind::Pod => "pod",
            SubjectKind::Node => "node",
            SubjectKind::Role => "role",
            SubjectKind::OidcProvider => "oidc-provider",
            SubjectKind::Cluster => "cluster",
        }
    }
}

/// A namespaced or cluster-scoped object, or an AWS resource named by its ARN.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Subject {
    pub kind: SubjectKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
}

impl Subject {
    /// `KIND/NAMESPACE/NAME` or `KIND/NAME` (`service-account/demo/app`, `role/ARN`): how ignore
    /// files and SARIF locations name a subject.
    pub fn qualified(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{}/{}/{}", self.kind.as_str(), ns, self.name),
            None => format!("{}/{}", self.kind.as_str(), self.name),
        }
    }

    pub fn service_account(namespace: &str, name: &str) -> Self {
        Self {
            kind: SubjectKind::ServiceAccount,
            namespace: Some(namespace.to_owned()),
            name: name.to_owned(),
        }
    }
    pub fn pod(namespace: &str, name: &str) -> Self {
        Self {
            kind: SubjectKind::Pod,
            namespace: Some(namespace.to_owned()),
            name: name.to_owned(),
        }
    }
    pub fn node(name: &str) -> Self {
        Self {
            kind: SubjectKind::Node,
            namespace: None,
            name: name.to_owned(),
        }
    }
    /// A role, named by its ARN.
    pub fn role(arn: &str) -> Self {
        Self {
            kind: SubjectKind::Role,
            namespace: None,
            name: arn.to_owned(),
        }
    }
    pub fn oidc_provider(arn: &str) -> Self {
        Self {
            kind: SubjectKind::OidcProvider,
            namespace: None,
            name: arn.to_owned(),
        }
    }
    pub fn cluster(name: &str) -> Self {
        Self {
            kind: SubjectKind::Cluster,
            namespace: None,
            name: name.to_owned(),
        }
    }
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.namespace {
            Some(ns) => write!(f, "{} {}/{}", self.kind.as_str(), ns, self.name),
            None => write!(f, "{} {}", self.kind.as_str(), self.name),
        }
    }
}
