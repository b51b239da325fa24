//! Minting a ServiceAccount token with the TokenRequest API (`create serviceaccounts/token`),
//! for the pod drill-down's "what would this pod's token say" view.
//!
//! The raw token exists only inside [`mint`]: it is decoded in memory with
//! [`crate::analysis::token::decode`] and dropped; only the header and claims leave. Tokens
//! are short-lived (`expirationSeconds`, the API's minimum is 600 s) and bound to the pod when
//! one is given, so it dies with the pod.

use super::config::one_line;
use crate::analysis::token::{self, DecodedToken};
use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::ServiceAccount;
use kube::Client;
use kube::api::{Api, PostParams};
use thiserror::Error;

/// The API server's minimum `expirationSeconds`.
pub const MIN_EXPIRATION_SECONDS: i64 = 600;

/// What to mint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MintRequest {
    pub namespace: String,
    pub service_account: String,
    /// The audience (`sts.amazonaws.com` for IRSA); the API server's default when `None`.
    pub audience: Option<String>,
    /// Raised to [`MIN_EXPIRATION_SECONDS`] when lower.
    pub expiration_seconds: i64,
    /// Bind the token to this pod (`name`, `uid`).
    pub bound_pod: Option<(String, Option<String>)>,
}

/// Why no token could be minted. Never contains the token.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum MintError {
    #[error(
        "cannot create serviceaccounts/token in namespace {namespace}: forbidden — token preview \
         unavailable"
    )]
    Forbidden { namespace: String },
    #[error("TokenRequest for {namespace}/{service_account} failed: {message}")]
    Failed {
        namespace: String,
        service_account: String,
        message: String,
    },
    #[error("the API server returned a token that does not decode: {0}")]
    Undecodable(String),
}

/// Mints a token and returns it decoded; the raw token never leaves this function.
pub async fn mint(client: &Client, request: &MintRequest) -> Result<DecodedToken, MintError> {
    let api: Api<ServiceAccount> = Api::namespaced(client.clone(), &request.namespace);
    let body = TokenRequest {
        spec: TokenRequestSpec {
            audiences: request.audience.iter().cloned().collect(),
            expiration_seconds: Some(request.expiration_seconds.max(MIN_EXPIRATION_SECONDS)),
            bound_object_ref: request
                .bound_pod
                .as_ref()
                .map(|(name, uid)| BoundObjectReference {
                    api_version: Some("v1".to_owned()),
                    kind: Some("Pod".to_owned()),
                    name: Some(name.clone()),
                    uid: uid.clone(),
                }),
        },
        ..TokenRequest::default()
    };
    let response = api
        .create_token_request(&request.service_account, &PostParams::default(), &body)
        .await
        .map_err(|e| match e {
            kube::Error::Api(status) if status.is_forbidden() => MintError::Forbidden {
                namespace: request.namespace.clone(),
            },
            other => MintError::Failed {
                namespace: request.namespace.clone(),
                service_account: request.service_account.clone(),
                message: one_line(&other),
            },
        })?;
    let raw = response.status.map(|s| s.token).unwrap_or_default();
    token::decode(&raw).map_err(|e| MintError::Undecodable(e.to_string()))
}
