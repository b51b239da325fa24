//! The catalog table: default severity, short name, summary and error template per code
//! (IRSA.md §5 and §6).

use super::*;

/// What the catalog says about one code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogEntry {
    pub code: FindingCode,
    pub severity: Severity,
    /// Kebab-case short name, e.g. `trust-sub-mismatch`.
    pub name: &'static str,
    /// What the code means, one sentence.
    pub summary: &'static str,
    /// The error a workload sees, as a template (see the module comment), when there is one.
    pub aws_error: Option<&'static str>,
}

/// The catalog entry of a code.
pub fn entry(code: FindingCode) -> CatalogEntry {
    use FindingCode::*;
    use Severity::*;
    let (severity, name, summary, aws_error) = match code {
        IRSA001 => (
            High,
            "no-oidc-provider",
            "no IAM OIDC provider for the cluster issuer in the role's account",
            Some(NO_OIDC_PROVIDER),
        ),
        IRSA002 => (
            High,
            "audience-not-accepted",
            "token audience not in the OIDC provider's ClientIDList",
            Some(INCORRECT_AUDIENCE),
        ),
        IRSA003 => (
            High,
            "trust-sub-mismatch",
            "trust policy :sub condition does not admit this ServiceAccount",
            Some(ACCESS_DENIED_WEB_IDENTITY),
        ),
        IRSA004 => (
            High,
            "trust-other-provider",
            "trust policy names another cluster's or account's OIDC provider",
            Some(ACCESS_DENIED_WEB_IDENTITY),
        ),
        IRSA005 => (
            High,
            "trust-aud-mismatch",
            "trust policy :aud condition does not match the token audience",
            Some(ACCESS_DENIED_WEB_IDENTITY),
        ),
        IRSA006 => (
            High,
            "role-missing",
            "the annotated IAM role does not exist",
            Some(ACCESS_DENIED_WEB_IDENTITY),
        ),
        IRSA007 => (
            High,
            "role-arn-malformed",
            "the role-arn annotation is not a valid IAM role ARN",
            Some(INVALID_ARN),
        ),
        IRSA008 => (
            High,
            "trust-explicit-deny",
            "an explicit Deny in the trust policy applies",
            Some(ACCESS_DENIED_WEB_IDENTITY),
        ),
        IRSA009 => (
            High,
            "trust-no-allow",
            "no trust statement allows sts:AssumeRoleWithWebIdentity",
            Some(ACCESS_DENIED_WEB_IDENTITY),
        ),
        IRSA010 => (
            High,
            "near-miss-key",
            "an annotation or label key is almost one the webhook reads, which it then ignores (high for the role ARN and audience, medium otherwise)",
            None,
        ),
        IRSA011 => (
            High,
            "key-on-wrong-object",
            "a key the webhook reads is on the wrong object (the role ARN on the pod instead of its ServiceAccount; high when the ServiceAccount lacks it, medium otherwise)",
            None,
        ),
        IRSA012 => (
            Medium,
            "unreadable-value",
            "an annotation value the webhook cannot read, so it silently keeps its default (token-expiration not in whole seconds, a boolean it cannot parse, a quoted audience)",
            None,
        ),
        POD001 => (
            High,
            "pod-not-mutated",
            "ServiceAccount has an identity but the pod was not mutated by the webhook",
            Some(NO_CREDENTIALS),
        ),
        POD002 => (
            Medium,
            "pod-stale-role",
            "pod's AWS_ROLE_ARN differs from the ServiceAccount's current annotation",
            None,
        ),
        POD003 => (
            Medium,
            "container-not-injected",
            "a container lacks the injected env or token mount",
            Some(NO_CREDENTIALS),
        ),
        POD004 => (
            High,
            "static-keys",
            "static AWS access keys in the pod's environment",
            None,
        ),
        POD005 => (
            Low,
            "irsa-and-pod-identity",
            "both IRSA and Pod Identity apply (Pod Identity wins)",
            None,
        ),
        POD006 => (
            Medium,
            "token-unreadable-non-root",
            "non-root container without fsGroup may not read the token file",
            Some(WEB_IDENTITY_ERR),
        ),
        POD007 => (
            Medium,
            "pod-identity-unsupported-node",
            "Pod Identity on Fargate or Windows, where it is unsupported",
            Some(CONTAINER_ROLE_ERR),
        ),
        POD008 => (
            Info,
            "token-expiration-clamped",
            "token-expiration below 600 s is clamped to 600",
            None,
        ),
        POD009 => (
            Medium,
            "token-expired",
            "the mounted token is expired or past its refresh point",
            Some(EXPIRED_TOKEN),
        ),
        POD010 => (
            Info,
            "sts-regional-endpoints-off",
            "STS regional endpoints not enabled for an IRSA pod",
            None,
        ),
        POD011 => (
            High,
            "pod-identity-target-not-permitted",
            "the association's role may not sts:AssumeRole (or sts:TagSession) the target role",
            Some(POD_IDENTITY_DENIED),
        ),
        POD012 => (
            High,
            "pod-identity-target-trust",
            "the target role's trust does not admit the association's role (principal, sts:ExternalId or sts:TagSession)",
            Some(POD_IDENTITY_DENIED),
        ),
        POD013 => (
            Medium,
            "pod-identity-tags-disabled-abac",
            "session tags are disabled, but a policy still conditions on the Pod Identity session tags",
            None,
        ),
        POD014 => (
            Medium,
            "pod-identity-session-policy-empty",
            "the association's session policy leaves none of the role's grants",
            None,
        ),
        POD015 => (
            High,
            "pod-identity-agent-missing",
            "a Pod Identity pod runs on a node without a running eks-pod-identity-agent",
            Some(CONTAINER_ROLE_ERR),
        ),
        POD016 => (
            Medium,
            "pod-identity-host-network",
            "a hostNetwork pod uses Pod Identity: the agent cannot tell it from the node",
            Some(POD_IDENTITY_DENIED),
        ),
        POD017 => (
            High,
            "pod-identity-endpoint",
            "the container's credentials URI is not the Pod Identity agent's address",
            Some(CONTAINER_ROLE_ERR),
        ),
        POD018 => (
            Info,
            "pod-identity-transitive-tags",
            "sessions carry Pod Identity's six transitive session tags into the role chaining they may do",
            None,
        ),
        NODE001 => (
            High,
            "imds-reachable",
            "pods on this node can reach the instance metadata service",
            None,
        ),
        NODE002 => (
            High,
            "node-role-fallback",
            "the pod silently gets the node's instance role",
            Some(NODE_ROLE_DENIED),
        ),
        NODE003 => (
            Medium,
            "host-network-imds",
            "a hostNetwork pod reaches IMDS whatever the hop limit",
            None,
        ),
        AUD001 => (
            High,
            "wildcard-sub",
            "trust :sub uses a StringLike wildcard",
            None,
        ),
        AUD002 => (
            Critical,
            "no-sub-condition",
            "trust has no :sub condition: any ServiceAccount can assume the role",
            None,
        ),
        AUD003 => (
            Medium,
            "no-aud-condition",
            "trust has no :aud condition",
            None,
        ),
        AUD004 => (
            Medium,
            "shared-role",
            "one role used by several ServiceAccounts",
            None,
        ),
        AUD005 => (
            High,
            "dangling-subject",
            "trust admits a ServiceAccount that does not exist, or no ServiceAccount uses the role",
            None,
        ),
        AUD006 => (
            Low,
            "no-permissions-boundary",
            "role has no permissions boundary",
            None,
        ),
        AUD007 => (
            Low,
            "missing-tags",
            "role lacks the cluster/namespace/app/managed-by tags",
            None,
        ),
        AUD008 => (
            Info,
            "naming-convention",
            "role name differs from eks-<cluster>-<ns>-<sa>-role",
            None,
        ),
        AUD009 => (
            High,
            "cross-account-no-external-id",
            "role may assume a role in another account without sts:ExternalId",
            None,
        ),
        AUD010 => (
            High,
            "over-broad-grants",
            "over-broad permission grants",
            None,
        ),
        AUD011 => (Low, "unused-role", "role unused for 90 days or more", None),
        AUD012 => (
            Info,
            "trust-near-size-limit",
            "trust policy near the 2048-character limit",
            None,
        ),
        AUD013 => (
            Medium,
            "pod-identity-trust",
            "Pod Identity role trust lacks pods.eks.amazonaws.com sts:AssumeRole + sts:TagSession",
            None,
        ),
    };
    CatalogEntry {
        code,
        severity,
        name,
        summary,
        aws_error,
    }
}

/// The default severity of a code.
pub fn default_severity(code: FindingCode) -> Severity {
    entry(code).severity
}

/// The kebab-case short name of a code.
pub fn short_name(code: FindingCode) -> &'static str {
    entry(code).name
}
