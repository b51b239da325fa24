//! The findings catalog (IRSA.md §5): for every [`FindingCode`] its default severity, a short
//! name, and the error text a workload sees (IRSA.md §6) as a template; plus a builder for
//! [`Finding`]s and the canonical sort order (worst first, then code, then subject).
//!
//! Error templates use `{issuer}`, `{account}`, `{node_role}` and `{instance_id}` placeholders,
//! filled by [`render_error`]; a placeholder without a value is written as `<issuer>` etc. so a
//! reader sees what belongs there instead of an empty gap.

use crate::model::{Evidence, Finding, FindingCode, Severity, Subject};

mod catalog;
pub use catalog::{CatalogEntry, default_severity, entry, short_name};

/// STS refuses a web-identity request because no trust statement applies (or one denies).
pub const ACCESS_DENIED_WEB_IDENTITY: &str = "An error occurred (AccessDenied) when calling the AssumeRoleWithWebIdentity operation: Not authorized to perform sts:AssumeRoleWithWebIdentity";
/// The issuer has no IAM OIDC provider in the role's account.
pub const NO_OIDC_PROVIDER: &str = "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: No OpenIDConnect provider found in your account for {issuer}";
/// The token's `aud` is not in the provider's ClientIDList.
pub const INCORRECT_AUDIENCE: &str = "An error occurred (InvalidIdentityToken) when calling the AssumeRoleWithWebIdentity operation: Incorrect token audience";
/// The role ARN handed to STS is not an ARN.
pub const INVALID_ARN: &str = "An error occurred (ValidationError) when calling the AssumeRoleWithWebIdentity operation: Request ARN is invalid";
/// The SDK could not read the web-identity token file (missing mount, permissions).
pub const WEB_IDENTITY_ERR: &str = "WebIdentityErr: failed to retrieve credentials";
/// The token presented to STS is past its `exp`.
pub const EXPIRED_TOKEN: &str = "An error occurred (ExpiredTokenException) when calling the AssumeRoleWithWebIdentity operation: Token expired";
/// The SDK found no provider at all (botocore's wording).
pub const NO_CREDENTIALS: &str =
    "botocore.exceptions.NoCredentialsError: Unable to locate credentials";
/// A service call made with the node's instance role (the pod fell back to IMDS).
pub const NODE_ROLE_DENIED: &str = "An error occurred (AccessDenied) when calling the <Operation> operation: User: arn:aws:sts::{account}:assumed-role/{node_role}/{instance_id} is not authorized to perform: <action>";
/// The Pod Identity agent endpoint cannot serve credentials (botocore's wording).
pub const CONTAINER_ROLE_ERR: &str = "botocore.exceptions.CredentialRetrievalError: Error when retrieving credentials from container-role";

/// EKS Auth refused the association's role (or its target role); the agent passes the
/// refusal on and the SDK prints it (wording of aws/eks-pod-identity-agent#139, Go SDK v2).
pub const POD_IDENTITY_DENIED: &str =
    "Unauthorized Exception! EKS does not have permissions to assume the associated role.";

/// Values for the placeholders of an error template.
#[derive(Debug, Clone, Copy, Default)]
pub struct ErrorVars<'a> {
    pub issuer: Option<&'a str>,
    pub account: Option<&'a str>,
    pub node_role: Option<&'a str>,
    pub instance_id: Option<&'a str>,
}

/// Fills a template's placeholders; a missing value becomes `<name>`.
pub fn render_error(template: &str, vars: &ErrorVars<'_>) -> String {
    let fill =
        |name: &str, value: Option<&str>| value.map_or_else(|| format!("<{name}>"), str::to_owned);
    template
        .replace("{issuer}", &fill("issuer", vars.issuer))
        .replace("{account}", &fill("account", vars.account))
        .replace("{node_role}", &fill("node-role", vars.node_role))
        .replace("{instance_id}", &fill("instance-id", vars.instance_id))
}

/// Starts a finding of `code` about `subject` with the catalog's severity.
pub fn finding(code: FindingCode, subject: Subject, title: impl Into<String>) -> FindingBuilder {
    FindingBuilder(Finding {
        code,
        severity: default_severity(code),
        subject,
        title: title.into(),
        evidence: Vec::new(),
        aws_error: None,
        fix: None,
        related: Vec::new(),
        accepted: None,
    })
}

/// Builder for a [`Finding`]; `build` returns it.
#[derive(Debug, Clone)]
pub struct FindingBuilder(Finding);

impl FindingBuilder {
    /// Overrides the catalog severity (used sparingly, and said so in the evidence).
    pub fn severity(mut self, severity: Severity) -> Self {
        self.0.severity = severity;
        self
    }
    /// Adds one piece of evidence.
    pub fn evidence(mut self, evidence: Evidence) -> Self {
        self.0.evidence.push(evidence);
        self
    }
    /// Adds several pieces of evidence.
    pub fn evidences(mut self, evidence: impl IntoIterator<Item = Evidence>) -> Self {
        self.0.evidence.extend(evidence);
        self
    }
    /// Sets the error a workload sees, verbatim.
    pub fn aws_error(mut self, error: impl Into<String>) -> Self {
        self.0.aws_error = Some(error.into());
        self
    }
    /// Sets the error from the catalog template of the finding's code, filled with `vars`.
    pub fn catalog_error(mut self, vars: &ErrorVars<'_>) -> Self {
        self.0.aws_error = entry(self.0.code).aws_error.map(|t| render_error(t, vars));
        self
    }
    /// Sets the fix (a command where one exists).
    pub fn fix(mut self, fix: impl Into<String>) -> Self {
        self.0.fix = Some(fix.into());
        self
    }
    /// Adds a related subject (duplicates are ignored).
    pub fn related(mut self, subject: Subject) -> Self {
        if !self.0.related.contains(&subject) && subject != self.0.subject {
            self.0.related.push(subject);
        }
        self
    }
    /// Adds several related subjects.
    pub fn related_all(self, subjects: impl IntoIterator<Item = Subject>) -> Self {
        subjects.into_iter().fold(self, Self::related)
    }
    /// The finished finding.
    pub fn build(self) -> Finding {
        self.0
    }
}

/// Sorts findings worst first, then by code, then by subject, then by title (stable output).
pub fn sort_findings(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.code.cmp(&b.code))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| a.title.cmp(&b.title))
    });
}

/// The worst finding of a set (highest severity; ties broken by the lowest code).
pub fn worst<'a>(findings: impl IntoIterator<Item = &'a Finding>) -> Option<&'a Finding> {
    findings
        .into_iter()
        .min_by(|a, b| b.severity.cmp(&a.severity).then(a.code.cmp(&b.code)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_follow_the_catalog_of_irsa_md() {
        let cases = [
            (FindingCode::IRSA001, Severity::High),
            (FindingCode::POD002, Severity::Medium),
            (FindingCode::POD005, Severity::Low),
            (FindingCode::POD008, Severity::Info),
            (FindingCode::AUD002, Severity::Critical),
            (FindingCode::AUD012, Severity::Info),
            (FindingCode::AUD013, Severity::Medium),
        ];
        for (code, sev) in cases {
            assert_eq!(default_severity(code), sev, "{code}");
        }
    }

    #[test]
    fn every_code_has_a_distinct_name() {
        let mut names: Vec<_> = FindingCode::ALL.iter().map(|c| short_name(*c)).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), FindingCode::ALL.len());
    }

    #[test]
    fn error_templates_fill_known_values_and_name_missing_ones() {
        let vars = ErrorVars {
            issuer: Some("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"),
            ..ErrorVars::default()
        };
        assert!(render_error(NO_OIDC_PROVIDER, &vars)
            .ends_with("No OpenIDConnect provider found in your account for https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"));
        let node = render_error(NODE_ROLE_DENIED, &ErrorVars::default());
        assert!(
            node.contains("assumed-role/<node-role>/<instance-id>"),
            "{node}"
        );
    }

    #[test]
    fn sort_puts_worst_first_then_code_then_subject() {
        let mk = |code, ns: &str| finding(code, Subject::service_account(ns, "sa"), "t").build();
        let mut v = vec![
            mk(FindingCode::POD010, "a"),
            mk(FindingCode::IRSA003, "b"),
            mk(FindingCode::AUD002, "z"),
            mk(FindingCode::IRSA003, "a"),
            mk(FindingCode::IRSA001, "c"),
        ];
        sort_findings(&mut v);
        let got: Vec<_> = v
            .iter()
            .map(|f| (f.code, f.subject.namespace.clone().unwrap_or_default()))
            .collect();
        assert_eq!(
            got,
            vec![
                (FindingCode::AUD002, "z".to_owned()),
                (FindingCode::IRSA001, "c".to_owned()),
                (FindingCode::IRSA003, "a".to_owned()),
                (FindingCode::IRSA003, "b".to_owned()),
                (FindingCode::POD010, "a".to_owned()),
            ]
        );
        assert_eq!(worst(&v).map(|f| f.code), Some(FindingCode::AUD002));
    }
}
