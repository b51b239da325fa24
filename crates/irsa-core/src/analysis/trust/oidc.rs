//! OIDC (web identity) specifics: the request STS builds for `AssumeRoleWithWebIdentity`, the
//! provider ARN, and the note that explains why a condition key written for another issuer,
//! or with an `https://` scheme or an ARN prefix, never matches.
//!
//! IAM names web-identity condition keys `<issuer without https://>:<claim>`, e.g.
//! `oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub`. Any other
//! spelling is simply a different key, absent from the request — the evaluator treats it so;
//! this module only adds the explanation.

use super::{RequestContext, RequestPrincipal};

/// The issuer as IAM writes it in keys and provider ARNs: no scheme, no trailing slash.
pub(super) fn issuer_path(issuer: &str) -> &str {
    let trimmed = issuer.trim();
    let without_scheme = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"))
        .unwrap_or(trimmed);
    without_scheme.trim_end_matches('/')
}

/// The request STS evaluates a role's trust policy against for `AssumeRoleWithWebIdentity`.
pub fn web_identity_request(
    provider_arn: &str,
    issuer: &str,
    sub: &str,
    aud: &str,
) -> RequestContext {
    let path = issuer_path(issuer);
    RequestContext::new(
        "sts:AssumeRoleWithWebIdentity",
        RequestPrincipal::Federated(provider_arn.to_owned()),
    )
    .with_key(&format!("{path}:sub"), sub)
    .with_key(&format!("{path}:aud"), aud)
}

/// `arn:<partition>:iam::<account>:oidc-provider/<issuer without https://>`.
pub fn provider_arn(partition: &str, account: &str, issuer: &str) -> String {
    format!(
        "arn:{partition}:iam::{account}:oidc-provider/{}",
        issuer_path(issuer)
    )
}

/// The issuer part of a key shaped like an OIDC key (`<host>/<path>:<claim>`, host with a
/// dot), compared case-insensitively; `None` for other keys (`aws:SourceIp`, `sts:ExternalId`).
fn key_issuer(key: &str) -> Option<&str> {
    let (issuer, claim) = key.rsplit_once(':')?;
    let (host, _) = issuer.split_once('/')?;
    let shaped = host.contains('.')
        && !host.is_empty()
        && !claim.is_empty()
        && !issuer.contains("://")
        && !issuer.starts_with("arn:");
    shaped.then_some(issuer)
}

/// A note for a condition key absent from the request that looks like a mis-written or
/// foreign OIDC key; `None` when nothing about the key itself explains the absence.
pub(super) fn key_note(key: &str, request: &RequestContext) -> Option<String> {
    let mut request_issuers: Vec<&str> = request
        .keys
        .iter()
        .filter_map(|k| key_issuer(&k.name))
        .collect();
    request_issuers.sort_unstable();
    request_issuers.dedup();
    let lower = key.to_ascii_lowercase();
    let prefixed = if let Some(pos) = lower.find("://") {
        Some(("a URL scheme", key.get(pos + 3..)))
    } else if lower.starts_with("arn:") {
        let rest = lower
            .find("oidc-provider/")
            .and_then(|pos| key.get(pos + "oidc-provider/".len()..));
        Some(("an ARN prefix", rest))
    } else {
        None
    };
    if let Some((what, rest)) = prefixed {
        let same_issuer = rest.and_then(key_issuer).is_some_and(|issuer| {
            request_issuers
                .iter()
                .any(|r| r.eq_ignore_ascii_case(issuer))
        });
        let hint = if same_issuer {
            "; without it the key would name the request's issuer"
        } else {
            ""
        };
        return Some(format!(
            "key written with {what}: IAM OIDC keys are <issuer host/path>:<claim>, so this key never matches{hint}"
        ));
    }
    let issuer = key_issuer(key)?;
    if request_issuers.is_empty()
        || request_issuers
            .iter()
            .any(|r| r.eq_ignore_ascii_case(issuer))
    {
        return None;
    }
    Some(format!(
        "key names issuer {issuer} but the request comes from {}: a trust policy for another cluster or account?",
        request_issuers.join(", ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ISSUER: &str =
        "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";

    #[test]
    fn provider_arn_drops_the_scheme() {
        assert_eq!(
            provider_arn("aws", "123456789012", ISSUER),
            "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC"
        );
        assert_eq!(
            provider_arn("aws-cn", "1", "oidc.example.com/x/"),
            "arn:aws-cn:iam::1:oidc-provider/oidc.example.com/x"
        );
    }

    #[test]
    fn request_keys_are_issuer_path_and_claim() {
        let r = web_identity_request(
            "arn:p",
            ISSUER,
            "system:serviceaccount:a:b",
            "sts.amazonaws.com",
        );
        let sub = "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC:sub";
        assert_eq!(
            r.key(sub),
            Some(&["system:serviceaccount:a:b".to_owned()][..])
        );
        assert_eq!(r.action, "sts:AssumeRoleWithWebIdentity");
        assert_eq!(r.principal, RequestPrincipal::Federated("arn:p".to_owned()));
    }

    #[test]
    fn ordinary_keys_get_no_note() {
        let r = web_identity_request("arn:p", ISSUER, "s", "a");
        assert_eq!(key_note("aws:SourceIp", &r), None);
        assert_eq!(key_note("sts:ExternalId", &r), None);
    }
}
