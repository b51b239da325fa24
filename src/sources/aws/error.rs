//! What a failed AWS call means for the user: a denied permission names the IAM action and what
//! the view cannot tell without it; an expired SSO session names the command that fixes it.
//!
//! The SDK already retries throttling and transient errors with backoff (its standard retry
//! mode, tuned by `AWS_MAX_ATTEMPTS`/`AWS_RETRY_MODE` or the profile, as the AWS CLI is); what
//! reaches this module is the final outcome. Classification reads the service error code
//! (`ProvideErrorMetadata`), never the message text, except for the SSO case where the
//! credentials provider only gives text.

use aws_sdk_iam::config::http::HttpResponse;
use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use std::fmt;
use thiserror::Error;

/// Why one AWS call failed, classified for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FailureKind {
    /// `AccessDenied`, `UnauthorizedOperation`, … : the caller lacks the permission.
    Denied,
    /// Still throttled after the SDK's retries.
    Throttled,
    /// The entity does not exist (`NoSuchEntity`, `ResourceNotFoundException`, …).
    NotFound,
    /// No usable credentials (including an expired SSO session or session token); the text
    /// says how to fix it.
    Credentials(String),
    /// No answer within the SDK's timeouts ([`super::config::AwsOptions::call_timeout`]).
    TimedOut,
    /// The call could not be sent or got no answer (connection refused, DNS, TLS); the text
    /// is the transport's first line.
    Unreachable(String),
    /// An answer the SDK could not read (truncated or not the service's format); the detail is
    /// the parser's first line.
    Malformed(String),
    /// Anything else: the error code (or transport problem) in one line.
    Other(String),
}

/// One failed call: the IAM action it needed and what kind of failure it was.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct CallError {
    /// The IAM action of the call, e.g. `iam:GetRole`.
    pub action: &'static str,
    pub kind: FailureKind,
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            FailureKind::Denied => write!(f, "{} denied", self.action),
            FailureKind::Throttled => {
                write!(f, "{} throttled (gave up after retries)", self.action)
            }
            FailureKind::NotFound => write!(f, "{}: not found", self.action),
            FailureKind::Credentials(why) => f.write_str(why),
            FailureKind::TimedOut => {
                write!(f, "{} timed out (no answer from AWS in time)", self.action)
            }
            FailureKind::Malformed(why) => {
                write!(f, "{} answered something unreadable ({why})", self.action)
            }
            FailureKind::Other(why) | FailureKind::Unreachable(why) => {
                write!(f, "{} failed: {why}", self.action)
            }
        }
    }
}

impl CallError {
    /// The status line for the view: `iam:GetRole denied — trust policy unknown`.
    pub fn status(&self, consequence: &str) -> String {
        format!("{self} — {consequence}")
    }

    /// True when the caller lacks the permission.
    pub fn is_denied(&self) -> bool {
        self.kind == FailureKind::Denied
    }

    /// True when asking again later may succeed without the user changing anything
    /// (timeouts, throttling, unreadable answers, an unreachable endpoint); an unexpected
    /// error code is not (asking again gets the same answer).
    pub fn is_transient(&self) -> bool {
        matches!(
            self.kind,
            FailureKind::TimedOut
                | FailureKind::Throttled
                | FailureKind::Malformed(_)
                | FailureKind::Unreachable(_)
        )
    }

    /// Classifies an SDK error of any AWS service client.
    pub fn from_sdk<E>(action: &'static str, err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let kind = match err {
            // A success status whose body did not parse reaches here as an unhandled error.
            SdkError::ServiceError(service)
                if service.err().code().is_none() && service.raw().status().is_success() =>
            {
                FailureKind::Malformed(format!(
                    "HTTP {} whose body is not the expected answer",
                    service.raw().status().as_u16()
                ))
            }
            SdkError::ServiceError(service) => match service.err().code() {
                None => FailureKind::Other(format!(
                    "HTTP {} without an AWS error code (does the endpoint implement this API?)",
                    service.raw().status().as_u16()
                )),
                code => classify_code(code),
            },
            SdkError::TimeoutError(_) => FailureKind::TimedOut,
            // A success status whose body the SDK could not parse.
            SdkError::ResponseError(_) => {
                let text = chain(err);
                let detail = text.rsplit(": ").next().unwrap_or(&text);
                FailureKind::Malformed(detail.chars().take(120).collect())
            }
            // Nothing came back: the endpoint is unreachable (or the credentials provider
            // failed before sending).
            SdkError::DispatchFailure(_) => match classify_text(&chain(err)) {
                FailureKind::Other(why) => FailureKind::Unreachable(why),
                kind => kind,
            },
            other => classify_text(&chain(other)),
        };
        Self { action, kind }
    }
}

/// Maps a service error code to its kind. Codes from the IAM, STS, EKS and EC2 API references.
fn classify_code(code: Option<&str>) -> FailureKind {
    match code.unwrap_or_default() {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "UnauthorizedAccess" => FailureKind::Denied,
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException"
        | "RequestThrottled"
        | "RequestThrottledException"
        | "SlowDown" => FailureKind::Throttled,
        "NoSuchEntity" | "ResourceNotFoundException" | "NotFoundException" => FailureKind::NotFound,
        code @ ("ExpiredToken" | "ExpiredTokenException" | "RequestExpired") => {
            FailureKind::Credentials(format!(
                "the AWS credentials have expired ({code}) — run aws sso login (or refresh them); \
                 picked up by itself on the next refresh"
            ))
        }
        "AuthFailure"
        | "InvalidClientTokenId"
        | "SignatureDoesNotMatch"
        | "UnrecognizedClientException" => FailureKind::Credentials(format!(
            "AWS rejected the credentials ({}) — refresh them (aws sso login / aws configure) and retry",
            code.unwrap_or_default()
        )),
        other => FailureKind::Other(other.to_owned()),
    }
}

/// The messages of an error and its causes, `: `-joined, on one line (no Debug dumps).
fn chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![err.to_string()];
    let mut next = err.source();
    while let Some(e) = next {
        let text = e.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        next = e.source();
    }
    parts
        .join(": ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// Errors without a service answer: missing or expired credentials, transport failures.
fn classify_text(text: &str) -> FailureKind {
    let lower = text.to_ascii_lowercase();
    if lower.contains("sso") && (lower.contains("expired") || lower.contains("sso login")) {
        return FailureKind::Credentials(sso_expired_line(None));
    }
    if lower.contains("no credentials")
        || lower.contains("credentials provider")
        || lower.contains("loading credentials")
    {
        // The innermost cause says which provider of the chain gave up, and why.
        let cause = text.rsplit(": ").next().unwrap_or(text);
        return FailureKind::Credentials(format!(
            "no usable AWS credentials (env, profile, SSO, web identity, IMDS; last: {cause}) — \
             set AWS_PROFILE or --profile, or run aws configure / aws sso login"
        ));
    }
    // First line only: the view shows one line per problem.
    let first = text.lines().next().unwrap_or(text);
    FailureKind::Other(first.to_owned())
}

/// The one line an expired SSO session gives.
pub fn sso_expired_line(profile: Option<&str>) -> String {
    match profile {
        Some(p) => format!("the AWS SSO session has expired — run: aws sso login --profile {p}"),
        None => "the AWS SSO session has expired — run: aws sso login".to_owned(),
    }
}

/// Why the AWS source could not start. `Display` is one line a user can act on.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum AwsStartError {
    /// No region from `--region`, the environment, the profile, or the cluster's issuer.
    #[error(
        "no AWS region: pass --region, set AWS_REGION, or give the profile a region \
         (the cluster's issuer did not name one)"
    )]
    NoRegion,
    /// The credentials could not be resolved; the message says how to fix it.
    #[error("{0}")]
    Credentials(String),
    /// The AWS worker could not run (no threads, or it crashed).
    #[error("AWS worker: {0}")]
    Worker(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_codes_map_to_what_the_user_must_do() {
        let cases = [
            ("AccessDenied", FailureKind::Denied),
            ("UnauthorizedOperation", FailureKind::Denied),
            ("AccessDeniedException", FailureKind::Denied),
            ("Throttling", FailureKind::Throttled),
            ("RequestLimitExceeded", FailureKind::Throttled),
            ("NoSuchEntity", FailureKind::NotFound),
            ("ResourceNotFoundException", FailureKind::NotFound),
        ];
        for (code, kind) in cases {
            assert_eq!(classify_code(Some(code)), kind, "{code}");
        }
        for code in ["ExpiredToken", "ExpiredTokenException", "RequestExpired"] {
            assert!(matches!(
                classify_code(Some(code)),
                FailureKind::Credentials(m) if m.contains(code) && m.contains("expired")
                    && m.contains("aws sso login")
            ));
        }
        assert!(matches!(
            classify_code(Some("AuthFailure")),
            FailureKind::Credentials(m) if m.contains("AuthFailure")
        ));
    }

    #[test]
    fn a_denied_call_reads_as_action_and_consequence() {
        let e = CallError {
            action: "iam:GetRole",
            kind: FailureKind::Denied,
        };
        assert_eq!(
            e.status("trust policy unknown"),
            "iam:GetRole denied — trust policy unknown"
        );
    }

    #[test]
    fn an_expired_sso_session_names_the_login_command() {
        let text = "dispatch failure: other: the SSO session associated with this profile has \
                    expired or is otherwise invalid. To refresh this SSO session run aws sso \
                    login with the corresponding profile.\ncaused by …";
        assert_eq!(
            classify_text(text),
            FailureKind::Credentials(sso_expired_line(None))
        );
        assert_eq!(
            sso_expired_line(Some("prod")),
            "the AWS SSO session has expired — run: aws sso login --profile prod"
        );
    }
}
