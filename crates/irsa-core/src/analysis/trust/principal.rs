//! Does a statement's `Principal` / `NotPrincipal` name the requester? Rules from the IAM
//! Principal reference:
//! - `"*"` and `{"AWS": "*"}` are equivalent: everyone.
//! - A list is a logical OR; no wildcards inside names or ARNs (a `*` there is literal).
//! - Federated (OIDC/SAML provider ARNs) and Service principals compare exactly.
//! - AWS: an exact ARN; an account (`123456789012` or `arn:aws:iam::123456789012:root`)
//!   covers every IAM principal of that account; a role ARN
//!   (`arn:aws:iam::<acct>:role/<path/>Name`) covers its sessions
//!   (`arn:aws:sts::<acct>:assumed-role/Name/<session>`), since "when a principal assumes a
//!   role … they become a role session principal" of that role; a session ARN in the policy
//!   names exactly that session.
//! - `NotPrincipal` matches every requester the block does not name.

use super::{MatchTrace, RequestPrincipal};
use crate::analysis::policy::{PrincipalSpec, Principals};

/// Matches the statement's principal block against the requester.
pub(crate) fn match_principal(spec: &PrincipalSpec, request: &RequestPrincipal) -> MatchTrace {
    let who = describe_request(request);
    match spec {
        PrincipalSpec::None => MatchTrace {
            matched: false,
            detail: "statement names no Principal (a trust policy statement must)".to_owned(),
        },
        PrincipalSpec::Principal(block) => match named_by(block, request) {
            Some(entry) => MatchTrace {
                matched: true,
                detail: format!("{entry} names the request principal"),
            },
            None => MatchTrace {
                matched: false,
                detail: format!(
                    "request principal {who} is not in Principal {}",
                    describe_block(block)
                ),
            },
        },
        PrincipalSpec::NotPrincipal(block) => match named_by(block, request) {
            Some(entry) => MatchTrace {
                matched: false,
                detail: format!("request principal {who} is excluded by NotPrincipal {entry}"),
            },
            None => MatchTrace {
                matched: true,
                detail: format!(
                    "request principal {who} is not in NotPrincipal {}",
                    describe_block(block)
                ),
            },
        },
    }
}

/// The entry of the block that names the requester, described for the trace.
fn named_by(block: &Principals, request: &RequestPrincipal) -> Option<String> {
    if block.any {
        return Some("Principal \"*\" (everyone)".to_owned());
    }
    if block.aws.iter().any(|p| p == "*") {
        return Some("AWS \"*\" (same as \"*\": everyone)".to_owned());
    }
    match request {
        RequestPrincipal::Federated(arn) => block
            .federated
            .iter()
            .find(|p| *p == arn)
            .map(|p| format!("Federated {p:?}")),
        RequestPrincipal::Service(name) => block
            .service
            .iter()
            .find(|p| *p == name)
            .map(|p| format!("Service {p:?}")),
        RequestPrincipal::Aws(arn) => block
            .aws
            .iter()
            .find_map(|p| aws_names(p, arn).map(|how| format!("AWS {p:?} ({how}) for {arn:?}"))),
    }
}

/// How the policy entry `p` names the AWS requester `request`, if it does.
pub(crate) fn aws_names(p: &str, request: &str) -> Option<&'static str> {
    if p == request {
        return Some("exact");
    }
    let req = Arn::parse(request);
    let request_account = match &req {
        Some(arn) => arn.account,
        None if is_account_id(request) => request,
        None => return None,
    };
    if is_account_id(p) {
        return (p == request_account).then_some("account");
    }
    let policy = Arn::parse(p)?;
    let same_partition = req.as_ref().is_none_or(|r| r.partition == policy.partition);
    if policy.service == "iam" && policy.resource == "root" {
        return (same_partition && policy.account == request_account).then_some("account");
    }
    let req = req?;
    let role_name = policy.resource.strip_prefix("role/")?.rsplit('/').next()?;
    let session_role = req
        .resource
        .strip_prefix("assumed-role/")?
        .split('/')
        .next()?;
    let is_session = policy.service == "iam"
        && req.service == "sts"
        && same_partition
        && policy.account == req.account
        && role_name == session_role;
    is_session.then_some("a session of this role")
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.chars().all(|c| c.is_ascii_digit())
}

/// The parts of an ARN this module reads.
struct Arn<'a> {
    partition: &'a str,
    service: &'a str,
    account: &'a str,
    resource: &'a str,
}

impl<'a> Arn<'a> {
    fn parse(text: &'a str) -> Option<Self> {
        let mut parts = text.splitn(6, ':');
        let (prefix, partition, service, _region, account, resource) = (
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
            parts.next()?,
        );
        (prefix == "arn").then_some(Self {
            partition,
            service,
            account,
            resource,
        })
    }
}

/// `Federated "arn:…"`, for trace lines.
pub(super) fn describe_request(request: &RequestPrincipal) -> String {
    match request {
        RequestPrincipal::Federated(v) => format!("Federated {v:?}"),
        RequestPrincipal::Aws(v) => format!("AWS {v:?}"),
        RequestPrincipal::Service(v) => format!("Service {v:?}"),
    }
}

/// `{Federated: ["…"], AWS: ["…"]}` (only the non-empty kinds).
fn describe_block(block: &Principals) -> String {
    let kinds = [
        ("AWS", &block.aws),
        ("Federated", &block.federated),
        ("Service", &block.service),
        ("CanonicalUser", &block.canonical_user),
    ];
    let parts: Vec<String> = kinds
        .iter()
        .filter(|(_, list)| !list.is_empty())
        .map(|(kind, list)| format!("{kind}: {list:?}"))
        .collect();
    format!("{{{}}}", parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arn_with_path_names_its_sessions() {
        assert!(
            aws_names(
                "arn:aws:iam::111122223333:role/team/Deployer",
                "arn:aws:sts::111122223333:assumed-role/Deployer/ci-42"
            )
            .is_some()
        );
        assert!(
            aws_names(
                "arn:aws:iam::111122223333:role/Deployer",
                "arn:aws:sts::444455556666:assumed-role/Deployer/ci-42"
            )
            .is_none()
        );
    }

    #[test]
    fn session_arn_names_only_that_session() {
        let session = "arn:aws:sts::111122223333:assumed-role/Deployer/ci-42";
        assert!(aws_names(session, session).is_some());
        assert!(
            aws_names(
                session,
                "arn:aws:sts::111122223333:assumed-role/Deployer/other"
            )
            .is_none()
        );
        assert!(aws_names(session, "arn:aws:iam::111122223333:role/Deployer").is_none());
    }

    #[test]
    fn account_forms_cover_the_account() {
        let user = "arn:aws:iam::111122223333:user/alice";
        assert!(aws_names("111122223333", user).is_some());
        assert!(aws_names("arn:aws:iam::111122223333:root", user).is_some());
        assert!(aws_names("arn:aws-cn:iam::111122223333:root", user).is_none());
        assert!(aws_names("444455556666", user).is_none());
    }
}
