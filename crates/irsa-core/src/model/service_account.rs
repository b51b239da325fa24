//! A Kubernetes ServiceAccount, trimmed to what the analysis needs.

use jiff::Timestamp;
use k8s_openapi::api::core::v1::ServiceAccount;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceAccountInfo {
    pub namespace: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
}

impl ServiceAccountInfo {
    /// A ServiceAccount with no annotations, for tests and generated clusters.
    pub fn new(namespace: &str, name: &str) -> Self {
        Self {
            namespace: namespace.to_owned(),
            name: name.to_owned(),
            uid: None,
            annotations: BTreeMap::new(),
            labels: BTreeMap::new(),
            created: None,
        }
    }

    /// Builder-style: add one annotation.
    pub fn with_annotation(mut self, key: &str, value: &str) -> Self {
        self.annotations.insert(key.to_owned(), value.to_owned());
        self
    }
}

impl From<&ServiceAccount> for ServiceAccountInfo {
    fn from(sa: &ServiceAccount) -> Self {
        let m = &sa.metadata;
        Self {
            namespace: m.namespace.clone().unwrap_or_else(|| "default".to_owned()),
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone(),
            annotations: super::last_applied::without_last_applied(m.annotations.as_ref()),
            labels: m.labels.clone().unwrap_or_default(),
            created: m.creation_timestamp.as_ref().map(|t| t.0),
        }
    }
}
