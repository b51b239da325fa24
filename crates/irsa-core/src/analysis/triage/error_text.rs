//! Reads an AWS error as a pod's log shows it: the STS errors of web identity, the
//! authorization errors of every service in their old and new wording (`User: ARN is not
//! authorized to perform: ACTION on resource: ARN because no identity-based policy allows…`),
//! the Pod Identity agent's and the SDKs' "no credentials" errors — inside SDK log prefixes,
//! JSON log lines (escaped quotes) or several lines of a stack.
//!
//! The patterns are the `regex` crate's (linear time in the input, so hostile text cannot make
//! them slow); input beyond [`MAX_INPUT`] bytes is ignored, and nothing here keeps the text
//! beyond what it recognised.

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::sync::LazyLock;

/// Only the first 64 KiB of a paste are read: an error line is far shorter, and a whole log
/// file pasted by mistake should not cost more.
pub const MAX_INPUT: usize = 64 * 1024;

/// What kind of policy an authorization error names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyKindNamed {
    Identity,
    Resource,
    Boundary,
    Session,
    Scp,
    Rcp,
    VpcEndpoint,
}

impl PolicyKindNamed {
    fn from_words(words: &str) -> Option<Self> {
        let w = words.to_ascii_lowercase();
        Some(if w.contains("identity-based") {
            Self::Identity
        } else if w.contains("resource-based") {
            Self::Resource
        } else if w.contains("permissions boundary") {
            Self::Boundary
        } else if w.contains("session policy") {
            Self::Session
        } else if w.contains("service control policy") {
            Self::Scp
        } else if w.contains("resource control policy") {
            Self::Rcp
        } else if w.contains("vpc endpoint policy") {
            Self::VpcEndpoint
        } else {
            return None;
        })
    }

    /// How the text names it.
    pub fn label(self) -> &'static str {
        match self {
            Self::Identity => "identity-based policy",
            Self::Resource => "resource-based policy",
            Self::Boundary => "permissions boundary",
            Self::Session => "session policy",
            Self::Scp => "service control policy",
            Self::Rcp => "resource control policy",
            Self::VpcEndpoint => "VPC endpoint policy",
        }
    }
}

/// Which policy AWS says decided, in the newer message form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "effect", content = "policy", rename_all = "kebab-case")]
pub enum DenyCause {
    /// `because no identity-based policy allows the s3:PutObject action`
    NoAllow(PolicyKindNamed),
    /// `with an explicit deny in a service control policy`
    ExplicitDeny(PolicyKindNamed),
}

/// One recognised error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum AwsErrorText {
    /// `AccessDenied … Not authorized to perform sts:AssumeRoleWithWebIdentity`
    WebIdentityDenied {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role_arn: Option<String>,
    },
    /// `InvalidIdentityToken: No OpenIDConnect provider found in your account for ISSUER`
    NoOidcProvider { issuer: String },
    /// `InvalidIdentityToken: Incorrect token audience`
    IncorrectAudience,
    /// `ExpiredTokenException: Token expired: …`
    TokenExpired,
    /// `IDPRejectedClaim`
    IdpRejectedClaim,
    /// `IDPCommunicationError` (transient: retry)
    IdpCommunication,
    /// `ValidationError … Request ARN is invalid`
    InvalidRoleArn {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        role_arn: Option<String>,
    },
    /// `WebIdentityErr: failed to retrieve credentials` (Go SDK v1), with its cause when one
    /// follows (`caused by: open …/token: permission denied`), at most 200 characters.
    WebIdentityErr {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        cause: Option<String>,
    },
    /// The Pod Identity agent (or the container credential provider talking to it) failed.
    PodIdentityAgent { detail: String },
    /// `Unable to locate credentials`, `NoCredentialProviders`, `Could not load credentials
    /// from any providers`: the SDK found no credentials at all.
    NoCredentials,
    /// `User: PRINCIPAL is not authorized to perform: ACTION [on resource: RESOURCE] …`
    NotAuthorized {
        principal: String,
        action: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        resource: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        because: Option<DenyCause>,
        /// The service's error code when the text carries one (`AccessDenied`,
        /// `AccessDeniedException`, `UnauthorizedOperation`, …).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
    },
    /// `Access Denied` with nothing else (S3 across accounts, or an old message): no
    /// principal, action or resource to go on.
    BareAccessDenied,
}

static NOT_AUTHORIZED: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:User|Principal):\s*(arn:[A-Za-z0-9:/_+=,.@\-]+)\s+is not authorized to perform:?\s*([A-Za-z0-9\-]+:[A-Za-z0-9*]+)(?:\s+on resource:?\s*"?([^"\s]+?)"?(?:[\s.,;]|$))?(.{0,200})"#,
    )
    .ok()
});
static BECAUSE_NO: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)because no ([a-z\- ]+?(?:policy|policies|boundary)) allows").ok()
});
static EXPLICIT_DENY: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?i)with an explicit deny in (?:an? |the )?([a-z\- ]+?(?:policy|boundary))").ok()
});
static ERROR_CODE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"\((AccessDenied(?:Exception)?|UnauthorizedOperation|AuthorizationError|AccessDeniedException|Forbidden)\)|\b(AccessDenied(?:Exception)?|UnauthorizedOperation|AuthorizationError):")
        .ok()
});
static NO_PROVIDER: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?i)No OpenIDConnect provider found in your account for\s+(https?://[^\s,;\x22']+)",
    )
    .ok()
});
static ROLE_ARN: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"arn:aws[a-z\-]*:iam::[0-9]{12}:role/[A-Za-z0-9/_+=,.@\-]+").ok());
static ANY_ROLE_ARN_LIKE: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"arn:[A-Za-z0-9:/_+=,.@\-]*role/[A-Za-z0-9/_+=,.@\-]+").ok());

/// A pattern of this module (each is a constant; `every_pattern_compiles` checks them, so
/// `None` — no match — cannot happen in a tested build).
fn re(pattern: &'static LazyLock<Option<Regex>>) -> Option<&'static Regex> {
    pattern.as_ref()
}

/// Undoes what JSON logging does to an error (`\"` and `\n`), keeps the first
/// [`MAX_INPUT`] bytes, and turns control characters into spaces.
pub fn normalise(text: &str) -> String {
    let mut end = text.len().min(MAX_INPUT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end]
        .replace("\\\"", "\"")
        .replace("\\n", "\n")
        .replace("\\t", " ")
        .chars()
        .map(|c| {
            if c == '\n' || !(c.is_control() || is_bidi(c)) {
                c
            } else {
                ' '
            }
        })
        .collect()
}

/// Bidirectional-override characters: shown as spaces, never echoed.
fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Every error the text holds, in the order found (most specific first within a line).
pub fn parse(text: &str) -> Vec<AwsErrorText> {
    let text = normalise(text);
    let mut found = Vec::new();
    for m in re(&NOT_AUTHORIZED)
        .into_iter()
        .flat_map(|r| r.captures_iter(&text))
    {
        let tail = m.get(4).map_or("", |t| t.as_str());
        // The reason may sit after the resource, or (no resource) right after the action.
        let because = re(&EXPLICIT_DENY)
            .and_then(|r| r.captures(tail))
            .and_then(|c| PolicyKindNamed::from_words(&c[1]).map(DenyCause::ExplicitDeny))
            .or_else(|| {
                re(&BECAUSE_NO)
                    .and_then(|r| r.captures(tail))
                    .and_then(|c| PolicyKindNamed::from_words(&c[1]).map(DenyCause::NoAllow))
            });
        let whole = m.get(0).map_or(0..0, |w| w.range());
        let code = re(&ERROR_CODE)
            .and_then(|r| r.captures_iter(&text[..whole.start]).last())
            .and_then(|c| c.get(1).or_else(|| c.get(2)))
            .map(|c| c.as_str().to_owned());
        found.push(AwsErrorText::NotAuthorized {
            principal: m[1].trim_end_matches(['.', ',']).to_owned(),
            action: m[2].to_owned(),
            resource: m
                .get(3)
                .map(|r| r.as_str().trim_end_matches(['.', ',', ')']).to_owned())
                .filter(|r| !r.is_empty()),
            because,
            code,
        });
    }
    let lower = text.to_ascii_lowercase();
    if lower.contains("not authorized to perform sts:assumerolewithwebidentity")
        || (lower.contains("assumerolewithwebidentity") && lower.contains("accessdenied"))
    {
        let role_arn = re(&ROLE_ARN)
            .and_then(|r| r.find(&text))
            .map(|m| m.as_str().to_owned());
        found.push(AwsErrorText::WebIdentityDenied { role_arn });
    }
    if let Some(c) = re(&NO_PROVIDER).and_then(|r| r.captures(&text)) {
        found.push(AwsErrorText::NoOidcProvider {
            issuer: c[1].trim_end_matches(['.', ')']).to_owned(),
        });
    }
    if lower.contains("incorrect token audience") {
        found.push(AwsErrorText::IncorrectAudience);
    }
    if lower.contains("expiredtokenexception") || lower.contains("token expired: current date/time")
    {
        found.push(AwsErrorText::TokenExpired);
    }
    if lower.contains("idprejectedclaim") {
        found.push(AwsErrorText::IdpRejectedClaim);
    }
    if lower.contains("idpcommunicationerror") {
        found.push(AwsErrorText::IdpCommunication);
    }
    if lower.contains("request arn is invalid") {
        let role_arn = re(&ANY_ROLE_ARN_LIKE)
            .and_then(|r| r.find(&text))
            .map(|m| m.as_str().to_owned());
        found.push(AwsErrorText::InvalidRoleArn { role_arn });
    }
    if lower.contains("webidentityerr") && !found.iter().any(is_web_identity) {
        let cause = text
            .lines()
            .find_map(|l| l.trim().strip_prefix("caused by:"))
            .map(|c| c.trim().chars().take(200).collect());
        found.push(AwsErrorText::WebIdentityErr { cause });
    }
    if let Some(detail) = pod_identity_agent(&text, &lower) {
        found.push(AwsErrorText::PodIdentityAgent { detail });
    }
    if lower.contains("unable to locate credentials")
        || lower.contains("nocredentialproviders")
        || lower.contains("could not load credentials from any providers")
        || lower.contains("unable to load aws credentials from any provider in the chain")
        || lower.contains("failed to retrieve credentials") && found.is_empty()
    {
        found.push(AwsErrorText::NoCredentials);
    }
    if found.is_empty() && (lower.contains("access denied") || lower.contains("accessdenied")) {
        found.push(AwsErrorText::BareAccessDenied);
    }
    found
}

fn is_web_identity(e: &AwsErrorText) -> bool {
    matches!(
        e,
        AwsErrorText::WebIdentityDenied { .. }
            | AwsErrorText::NoOidcProvider { .. }
            | AwsErrorText::IncorrectAudience
            | AwsErrorText::TokenExpired
            | AwsErrorText::IdpRejectedClaim
            | AwsErrorText::InvalidRoleArn { .. }
    )
}

/// What the SDKs print when EKS Auth refuses the association's role or its target
/// (aws/eks-pod-identity-agent#139), lower-cased.
const ASSOCIATED_ROLE: &str = "eks does not have permissions to assume the associated role";

/// The agent's address (`169.254.170.23`, `[fd00:ec2::23]`) or its API in a failure line.
fn pod_identity_agent(text: &str, lower: &str) -> Option<String> {
    let names_agent = lower.contains("169.254.170.23")
        || lower.contains("fd00:ec2::23")
        || lower.contains("assumeroleforpodidentity")
        || lower.contains("eks-auth")
        || lower.contains(ASSOCIATED_ROLE);
    if !names_agent {
        return None;
    }
    let line = text
        .lines()
        .find(|l| {
            let l = l.to_ascii_lowercase();
            l.contains("169.254.170.23")
                || l.contains("fd00:ec2::23")
                || l.contains("assumeroleforpodidentity")
                || l.contains("eks-auth")
                || l.contains(ASSOCIATED_ROLE)
        })
        .unwrap_or_default()
        .trim();
    // An SDK refusing the URI says so after a long prefix (Java v2 names its whole provider
    // chain first): keep the words that say why, with the URI just before them.
    let lower_line = line.to_ascii_lowercase();
    let start = SDK_REFUSAL
        .iter()
        .filter_map(|w| lower_line.find(w))
        .min()
        .map_or(0, |i| {
            let mut at = i.saturating_sub(140);
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            at
        });
    Some(line[start..].chars().take(200).collect())
}

/// How SDKs word a credentials URI host they refuse (Java v2, Kotlin: "… has an invalid host";
/// JS v3: "… is not a valid container metadata service hostname").
const SDK_REFUSAL: [&str; 2] = [
    "has an invalid host",
    "is not a valid container metadata service hostname",
];

/// True when `text` is an SDK refusing the credentials URI's host before any request (the
/// Pod Identity agent was never asked).
pub fn is_sdk_refusal(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    SDK_REFUSAL.iter().any(|w| lower.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_new_form_names_principal_action_resource_and_policy_kind() {
        let e = parse(
            r#"An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1712743200 is not authorized to perform: s3:PutObject on resource: "arn:aws:s3:::my-app-bucket/x" because no identity-based policy allows the s3:PutObject action"#,
        );
        assert_eq!(
            e,
            vec![AwsErrorText::NotAuthorized {
                principal: "arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1712743200".to_owned(),
                action: "s3:PutObject".to_owned(),
                resource: Some("arn:aws:s3:::my-app-bucket/x".to_owned()),
                because: Some(DenyCause::NoAllow(PolicyKindNamed::Identity)),
                code: Some("AccessDenied".to_owned()),
            }]
        );
    }

    #[test]
    fn every_pattern_compiles() {
        for p in [
            &NOT_AUTHORIZED,
            &BECAUSE_NO,
            &EXPLICIT_DENY,
            &ERROR_CODE,
            &NO_PROVIDER,
            &ROLE_ARN,
            &ANY_ROLE_ARN_LIKE,
        ] {
            assert!(re(p).is_some());
        }
    }

    #[test]
    fn hostile_text_is_bounded_and_never_panics() {
        let huge =
            "User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: ".repeat(10_000);
        let _ = parse(&huge);
        let _ = parse("\u{202E}User: arn:\u{0}\u{7}");
        let cut = "é".repeat(MAX_INPUT);
        assert!(normalise(&cut).len() <= MAX_INPUT);
        assert!(!normalise("a\u{202E}b\u{1b}c").contains(['\u{202E}', '\u{1b}']));
    }
}
