//! Tokens for the pod drill-down, both opt-in:
//!
//! - [`mint`]: a new token from the TokenRequest API (`create serviceaccounts/token`) — short
//!   (`expirationSeconds`, the API's minimum is 600 s) and bound to the pod when one is given,
//!   so it dies with the pod;
//! - [`read_mounted`]: the token the kubelet mounted, read with `pods/exec` (`cat PATH` in the
//!   container, over the websocket kube-rs speaks).
//!
//! Either way the raw token exists only inside this module: it is decoded in memory with
//! [`irsa_core::analysis::token::decode`] and dropped; only the header and claims leave, and no
//! error message ever carries the command's output. [`mint_then`] lends a freshly minted token
//! to one call (STS for "test it for real", [`run_request`]) before dropping it.

use super::config::one_line;
use crate::messages::ActionOutcome;
use crate::messages::MIN_EXPIRATION_SECONDS;
use crate::messages::MintRequest;
use crate::messages::ReadRequest;
use crate::messages::RequestKind;
use irsa_core::analysis::token::{self, DecodedToken};
use k8s_openapi::api::authentication::v1::{BoundObjectReference, TokenRequest, TokenRequestSpec};
use k8s_openapi::api::core::v1::{Pod, ServiceAccount};
use kube::Client;
use kube::api::{Api, AttachParams, PostParams};
use thiserror::Error;
use tokio::io::AsyncReadExt;

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

/// Mints a token and returns it decoded; the raw token never leaves this module.
pub async fn mint(client: &Client, request: &MintRequest) -> Result<DecodedToken, MintError> {
    mint_then(client, request, async |_| ())
        .await
        .map(|(t, ())| t)
}

/// Mints a token, decodes it, and lends the raw token to `use_token` (e.g. to present it to
/// STS) before dropping it. The raw token is only ever a `&str` argument: it is never returned,
/// stored, logged or formatted.
pub async fn mint_then<T>(
    client: &Client,
    request: &MintRequest,
    use_token: impl AsyncFnOnce(&str) -> T,
) -> Result<(DecodedToken, T), MintError> {
    let raw = mint_raw(client, request).await?;
    let decoded = token::decode(&raw.0).map_err(|e| MintError::Undecodable(e.to_string()))?;
    let used = use_token(&raw.0).await;
    Ok((decoded, used))
}

/// A raw token on its way to being decoded: no `Debug`, `Display`, `Clone` or `Serialize`.
struct RawToken(String);

async fn mint_raw(client: &Client, request: &MintRequest) -> Result<RawToken, MintError> {
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
    Ok(RawToken(
        response.status.map(|s| s.token).unwrap_or_default(),
    ))
}

/// A token file is a few KB; more output than this is not a token.
const MAX_TOKEN_BYTES: u64 = 64 * 1024;

/// Why a mounted token could not be read. Never contains the token.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum ReadError {
    #[error(
        "cannot create pods/exec in namespace {namespace}: forbidden — mounted token unavailable"
    )]
    Forbidden { namespace: String },
    #[error("cannot read {path} in {namespace}/{pod}: {message}")]
    Failed {
        namespace: String,
        pod: String,
        path: String,
        message: String,
    },
    #[error("{path} in {namespace}/{pod} is not a token: {message}")]
    Undecodable {
        namespace: String,
        pod: String,
        path: String,
        message: String,
    },
}

/// How long reading a mounted token may take (a `cat` that hangs is cut off).
pub const READ_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(15);

/// Reads a mounted token with `kubectl exec POD -- cat PATH` and returns it decoded; the raw
/// token never leaves this function. Gives up after [`READ_TIMEOUT`].
pub async fn read_mounted(
    client: &Client,
    request: &ReadRequest,
) -> Result<DecodedToken, ReadError> {
    match tokio::time::timeout(READ_TIMEOUT, read_mounted_now(client, request)).await {
        Ok(result) => result,
        Err(_) => Err(ReadError::Failed {
            namespace: request.namespace.clone(),
            pod: request.pod.clone(),
            path: request.path.clone(),
            message: format!("no answer within {} s", READ_TIMEOUT.as_secs()),
        }),
    }
}

async fn read_mounted_now(
    client: &Client,
    request: &ReadRequest,
) -> Result<DecodedToken, ReadError> {
    let failed = |message: String| ReadError::Failed {
        namespace: request.namespace.clone(),
        pod: request.pod.clone(),
        path: request.path.clone(),
        message,
    };
    let api: Api<Pod> = Api::namespaced(client.clone(), &request.namespace);
    let mut params = AttachParams::default()
        .stdin(false)
        .stdout(true)
        .stderr(true);
    if let Some(container) = &request.container {
        params = params.container(container.clone());
    }
    let mut process = api
        .exec(&request.pod, ["cat", request.path.as_str()], &params)
        .await
        .map_err(|e| match e {
            kube::Error::Api(status) if status.is_forbidden() => ReadError::Forbidden {
                namespace: request.namespace.clone(),
            },
            other => failed(one_line(&other)),
        })?;
    // Both streams at once: a full stderr pipe must not stall stdout.
    let read_all = |stream: Option<tokio::io::ReadHalf<tokio::io::SimplexStream>>| async move {
        let mut bytes = Vec::new();
        if let Some(stream) = stream {
            stream
                .take(MAX_TOKEN_BYTES)
                .read_to_end(&mut bytes)
                .await
                .map(|_| bytes)
        } else {
            Ok(bytes)
        }
    };
    let (stdout, stderr) = tokio::join!(read_all(process.stdout()), read_all(process.stderr()));
    let stdout = stdout.map_err(|e| failed(e.to_string()))?;
    let stderr = stderr.map_err(|e| failed(e.to_string()))?;
    let status = match process.take_status() {
        Some(status) => status.await,
        None => None,
    };
    let _ = process.join().await;
    if status
        .as_ref()
        .is_some_and(|s| s.status.as_deref() == Some("Failure"))
    {
        // stderr is the shell's complaint (`No such file or directory`), never the token.
        let text = String::from_utf8_lossy(&stderr);
        let message = text.split_whitespace().collect::<Vec<_>>().join(" ");
        return Err(failed(if message.is_empty() {
            "the command failed".to_owned()
        } else {
            message
        }));
    }
    let raw = String::from_utf8_lossy(&stdout);
    token::decode(&raw).map_err(|e| ReadError::Undecodable {
        namespace: request.namespace.clone(),
        pod: request.pod.clone(),
        path: request.path.clone(),
        message: e.to_string(),
    })
}

/// Runs one confirmed live action against the cluster (and AWS for "test it for real") and
/// says what it found — decoded header and claims, AWS's verdict — never the token.
pub async fn run_request(
    client: &Client,
    aws: Option<&crate::sources::aws::AwsSource>,
    kind: &RequestKind,
) -> ActionOutcome {
    match kind {
        RequestKind::MintToken(request) => match mint(client, request).await {
            Ok(token) => ActionOutcome::Token(token),
            Err(e) => mint_failure(e),
        },
        RequestKind::ReadMountedToken(request) => match read_mounted(client, request).await {
            Ok(token) => ActionOutcome::Token(token),
            Err(e @ ReadError::Forbidden { .. }) => ActionOutcome::Forbidden(e.to_string()),
            Err(e) => ActionOutcome::Failed(e.to_string()),
        },
        RequestKind::TestWebIdentity {
            mint,
            role_arn,
            session_name,
        } => {
            let Some(aws) = aws else {
                return ActionOutcome::Unavailable(
                    "testing AssumeRoleWithWebIdentity for real needs --aws (AWS credentials)"
                        .to_owned(),
                );
            };
            let tested = mint_then(client, mint, async |raw| {
                aws.test_web_identity(role_arn, raw, session_name).await
            })
            .await;
            match tested {
                Ok((token, answer)) => ActionOutcome::WebIdentity { token, answer },
                Err(e) => mint_failure(e),
            }
        }
        RequestKind::AskAws(s) => {
            let Some(aws) = aws else {
                return ActionOutcome::Unavailable(
                    "asking AWS's simulator needs --aws (AWS credentials)".to_owned(),
                );
            };
            match aws
                .simulate_principal_policy(&s.role_arn, &s.action, &s.resource, &s.keys)
                .await
            {
                Ok(simulation) => ActionOutcome::AwsSimulation(simulation),
                Err(e) => ActionOutcome::Failed(e.to_string()),
            }
        }
        RequestKind::CloudTrail { lookback_secs } => {
            let Some(aws) = aws else {
                return ActionOutcome::Unavailable(
                    "reading CloudTrail needs --aws (AWS credentials)".to_owned(),
                );
            };
            let end = jiff::Timestamp::now().as_second();
            match aws.lookup_trail_all(end - lookback_secs, end).await {
                Ok(read) => ActionOutcome::Trail(crate::messages::TrailOutcome {
                    records: read.records,
                    calls: read.calls,
                    capped: read.capped,
                    unreadable: read.unreadable,
                    problems: read.problems,
                }),
                Err(e) => ActionOutcome::Failed(format!(
                    "{e} (needs cloudtrail:LookupEvents in the cluster's region)"
                )),
            }
        }
    }
}

fn mint_failure(e: MintError) -> ActionOutcome {
    match e {
        MintError::Forbidden { .. } => ActionOutcome::Forbidden(e.to_string()),
        other => ActionOutcome::Failed(other.to_string()),
    }
}
