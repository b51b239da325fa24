//! Decoding of projected ServiceAccount tokens (JWTs) without verifying them: header and
//! claims only. The signature is checked to be present and then dropped: it is never stored,
//! returned or printed. (Contract written by the skeleton; bodies by the token work.)

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use thiserror::Error;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DecodedToken {
    pub header: JwtHeader,
    pub claims: TokenClaims,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JwtHeader {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TokenClaims {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iss: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub: Option<String>,
    /// `aud` as a list whether the token had a string or an array.
    #[serde(default)]
    pub aud: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exp: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iat: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
    /// The `kubernetes.io` claim binding the token to a namespace, SA, pod and node.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kubernetes: Option<KubernetesClaim>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KubernetesClaim {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serviceaccount: Option<ObjectBinding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<ObjectBinding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub node: Option<ObjectBinding>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectBinding {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
}

/// Times derived from `iat`/`exp` at a given `now`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenLifetime {
    pub issued_at: Timestamp,
    pub expires_at: Timestamp,
    pub ttl_seconds: i64,
    /// Negative once expired.
    pub remaining_seconds: i64,
    /// When kubelet refreshes the file: at 80 % of the TTL.
    pub refresh_at: Timestamp,
    pub expired: bool,
    pub past_refresh: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TokenError {
    #[error("placeholder")]
    Placeholder,
}

/// Decodes a compact JWT (`header.payload.signature`); surrounding white space is ignored.
pub fn decode(token: &str) -> Result<DecodedToken, TokenError> {
    let _ = token;
    todo!("token work")
}

impl DecodedToken {
    /// Lifetime figures at `now`; `None` when `iat` or `exp` is missing.
    pub fn lifetime(&self, now: Timestamp) -> Option<TokenLifetime> {
        let _ = now;
        todo!("token work")
    }
}
