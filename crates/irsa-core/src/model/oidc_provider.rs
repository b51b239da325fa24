//! An IAM OpenID Connect identity provider.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OidcProvider {
    /// `arn:aws:iam::<account>:oidc-provider/<host/path>`.
    pub arn: String,
    /// The issuer as IAM stores it: host and path, without `https://`
    /// (`oidc.eks.eu-west-1.amazonaws.com/id/4656…`).
    pub url: String,
    /// Accepted audiences (`ClientIDList`).
    #[serde(default)]
    pub client_ids: Vec<String>,
    #[serde(default)]
    pub thumbprints: Vec<String>,
    #[serde(default)]
    pub tags: BTreeMap<String, String>,
}

impl OidcProvider {
    pub fn account(&self) -> Option<&str> {
        super::arn_account(&self.arn)
    }
}
