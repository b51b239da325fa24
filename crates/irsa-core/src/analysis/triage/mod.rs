//! From an error line to its cause: [`explain`] reads the AWS errors in a pasted text
//! ([`error_text`]), finds the subjects they are about in the cluster — the pods running as
//! the session's role (IRSA, Pod Identity, the node role they fall back to; a Pod Identity
//! session name names its pod), or, for the web-identity errors that name no principal, the
//! ServiceAccounts and pods whose findings predict exactly that error — and, for an
//! authorization error, evaluates the parsed action and resource for the best-matching pod
//! with the permission evaluator. The answer ranks subjects, says what was recognised and what
//! was looked for, and never presents a guess as a fact.

pub mod cloudtrail;
pub mod error_text;

use crate::analysis::audit::AuditReport;
use crate::analysis::permission::can_i::{
    CanIAnswer, CanIDecision, CanIQuery, CanISubject, IdentityKind, can_i,
};
use crate::model::{FindingCode, Inventory, Subject, SubjectKind};
use error_text::{AwsErrorText, DenyCause, PolicyKindNamed};
use serde::{Deserialize, Serialize};

/// How many candidate pods are evaluated in full.
const EVALUATED: usize = 10;

/// Everything a pasted text says, explained.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Triage {
    /// One per recognised error, in the order found; empty when nothing was recognised.
    pub diagnoses: Vec<Diagnosis>,
    /// When nothing was recognised: what the text was searched for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_recognised: Option<String>,
}

/// One error, its subjects and its cause.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub error: AwsErrorText,
    /// One line: what the error means here.
    pub summary: String,
    /// Best match first.
    pub subjects: Vec<RankedSubject>,
    /// What the subjects were looked for by (`pods running as role X`, `findings IRSA003…`).
    pub looked_for: String,
    /// For an authorization error: the permission evaluation for the best-matching pod.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub evaluation: Option<Box<CanIAnswer>>,
    /// Whether our evaluation agrees with what AWS said, and why not when it does not.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub agreement: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

/// A subject the error may be about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RankedSubject {
    pub subject: Subject,
    /// Why it matches (the finding, or how the pod gets the role).
    pub why: String,
    /// The analysis confirms it (the pod runs as that role; the finding predicts that error).
    pub confirmed: bool,
}

/// Explains every AWS error in `text` against the cluster.
pub fn explain(inv: &Inventory, report: &AuditReport, text: &str) -> Triage {
    let errors = error_text::parse(text);
    if errors.is_empty() {
        return Triage {
            diagnoses: Vec::new(),
            not_recognised: Some(
                "no AWS error recognised: looked for `User: ARN is not authorized to perform: \
                 ACTION …`, the STS web-identity errors (AccessDenied on \
                 AssumeRoleWithWebIdentity, InvalidIdentityToken, ExpiredTokenException, \
                 IDPRejectedClaim, ValidationError … Request ARN is invalid, WebIdentityErr), \
                 the Pod Identity agent's errors and \"Unable to locate credentials\""
                    .to_owned(),
            ),
        };
    }
    Triage {
        diagnoses: errors
            .into_iter()
            .map(|e| diagnose(inv, report, e))
            .collect(),
        not_recognised: None,
    }
}

fn diagnose(inv: &Inventory, report: &AuditReport, error: AwsErrorText) -> Diagnosis {
    match &error {
        AwsErrorText::NotAuthorized {
            principal,
            action,
            resource,
            because,
            ..
        } => not_authorized(
            inv,
            report,
            principal,
            action,
            resource.as_deref(),
            *because,
            error.clone(),
        ),
        AwsErrorText::WebIdentityDenied { role_arn } => by_findings(
            report,
            error.clone(),
            "STS refused AssumeRoleWithWebIdentity: the role's trust policy does not admit the token",
            &[
                FindingCode::IRSA003,
                FindingCode::IRSA004,
                FindingCode::IRSA005,
                FindingCode::IRSA006,
                FindingCode::IRSA008,
                FindingCode::IRSA009,
            ],
            role_arn.as_deref(),
        ),
        AwsErrorText::NoOidcProvider { issuer } => {
            let mut d = by_findings(
                report,
                error.clone(),
                "no IAM OIDC provider for the token's issuer in the role's account",
                &[FindingCode::IRSA001, FindingCode::IRSA004],
                None,
            );
            match inv.cluster.as_ref().and_then(|c| c.issuer.as_deref()) {
                Some(ours) if ours.trim_end_matches('/') != issuer.trim_end_matches('/') => {
                    d.notes.push(format!(
                        "the issuer in the error ({issuer}) is not this cluster's ({ours}): the \
                         pod runs in another cluster, or the text comes from elsewhere"
                    ))
                }
                Some(_) => {}
                None => d
                    .notes
                    .push("this cluster's issuer is not known: cannot compare".to_owned()),
            }
            d
        }
        AwsErrorText::IncorrectAudience => by_findings(
            report,
            error.clone(),
            "the token's audience is not in the OIDC provider's client IDs",
            &[FindingCode::IRSA002, FindingCode::IRSA005],
            None,
        ),
        AwsErrorText::TokenExpired => by_findings(
            report,
            error.clone(),
            "the projected token presented to STS had expired",
            &[FindingCode::POD009],
            None,
        ),
        AwsErrorText::InvalidRoleArn { role_arn } => by_findings(
            report,
            error.clone(),
            "the role ARN handed to STS is malformed",
            &[FindingCode::IRSA007],
            role_arn.as_deref(),
        ),
        AwsErrorText::IdpRejectedClaim => with_note(
            by_findings(
                report,
                error.clone(),
                "STS rejected a claim of the token",
                &[FindingCode::IRSA002, FindingCode::IRSA005],
                None,
            ),
            "IDPRejectedClaim usually means an audience or subject the provider refuses; \
             compare the token's claims (irsa-inspector decode-token) with the provider",
        ),
        AwsErrorText::IdpCommunication => with_note(
            empty(
                error.clone(),
                "STS could not reach the issuer's OIDC discovery document: transient",
                "nothing: this is not a configuration error",
            ),
            "retry; if it persists, check that the issuer URL is reachable from the internet",
        ),
        AwsErrorText::WebIdentityErr { cause } => with_note(
            by_findings(
                report,
                error.clone(),
                "the SDK could not read or use the web identity token",
                // The cause says which: an unreadable file is the non-root container's (POD006),
                // a missing one the injection's (POD001/POD003), an expired one POD009.
                match cause.as_deref().map(str::to_ascii_lowercase) {
                    Some(c) if c.contains("permission denied") => &[
                        FindingCode::POD006,
                        FindingCode::POD003,
                        FindingCode::POD001,
                        FindingCode::POD009,
                    ],
                    Some(c) if c.contains("expired") => &[
                        FindingCode::POD009,
                        FindingCode::POD006,
                        FindingCode::POD003,
                        FindingCode::POD001,
                    ],
                    _ => &[
                        FindingCode::POD001,
                        FindingCode::POD003,
                        FindingCode::POD006,
                        FindingCode::POD009,
                    ],
                },
                None,
            ),
            "also: an SDK too old for web identity (boto3 < 1.9.166, Go v1 < 1.23.13, Java v1 \
             < 1.11.704) reports this",
        ),
        AwsErrorText::PodIdentityAgent { detail } if error_text::is_sdk_refusal(detail) => {
            let ipv6 = detail.to_ascii_lowercase().contains("fd00:ec2::23");
            with_note(
                // IPv6 refused: the pods whose URI is the IPv6 one first.
                by_findings_preferring(
                    report,
                    error.clone(),
                    "the application's AWS SDK refused the agent's address before asking it",
                    &[FindingCode::POD017],
                    None,
                    ipv6.then_some("fd00:ec2::23"),
                ),
                if ipv6 {
                    "the SDK does not accept the agent's IPv6 address http://[fd00:ec2::23] (what \
                    EKS injects on IPv6 clusters): the AWS SDK for Java v2 accepts it only with \
                    AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE=IPv6 in the container's env until a \
                    release with aws/aws-sdk-java-v2#7086 (seen in aws/containers-roadmap#2683); \
                    set that variable or upgrade the SDK, then recreate the pod"
                } else {
                    "the SDK predates EKS Pod Identity: upgrade it to at least Java v2 2.21.30, \
                    Java v1 1.12.746, Go v1 1.47.11, Go v2 release-2023-11-14, boto3/botocore \
                    1.34.41, JS v2 2.1550.0, JS v3 3.458.0, Ruby 3.188.0, Rust \
                    release-2024-03-13, .NET 3.7.734.0, PHP 3.287.1 (EKS User Guide, \"Use pod \
                    identity with the AWS SDK\")"
                },
            )
        }
        AwsErrorText::PodIdentityAgent { detail } => {
            let lower = detail.to_ascii_lowercase();
            // EKS Auth refused the role: the chain. Nothing answered: the agent's reach.
            let codes: &[FindingCode] = if lower.contains("permissions to assume") {
                &[
                    FindingCode::AUD013,
                    FindingCode::POD012,
                    FindingCode::POD011,
                    FindingCode::POD016,
                ]
            } else {
                &[
                    FindingCode::POD007,
                    FindingCode::POD015,
                    FindingCode::POD017,
                    FindingCode::POD016,
                    FindingCode::AUD013,
                    FindingCode::POD012,
                    FindingCode::POD011,
                ]
            };
            by_findings(
                report,
                error.clone(),
                "the EKS Pod Identity agent could not give the pod credentials",
                codes,
                None,
            )
        }
        AwsErrorText::NoCredentials => no_credentials(report, error.clone()),
        AwsErrorText::BareAccessDenied => with_note(
            empty(
                error.clone(),
                "access denied, but the message names no principal, action or resource",
                "nothing to go on in the text",
            ),
            "S3 says more only for requests within the bucket owner's account or organisation; \
             ask the question directly: irsa-inspector can-i ACTION RESOURCE --pod NS/NAME",
        ),
    }
}

fn empty(error: AwsErrorText, summary: &str, looked_for: &str) -> Diagnosis {
    Diagnosis {
        error,
        summary: summary.to_owned(),
        subjects: Vec::new(),
        looked_for: looked_for.to_owned(),
        evaluation: None,
        agreement: None,
        fix: None,
        notes: Vec::new(),
    }
}

fn with_note(mut d: Diagnosis, note: &str) -> Diagnosis {
    d.notes.push(note.to_owned());
    d
}

/// Subjects whose findings predict the error, worst first; restricted to a role when the text
/// names one.
fn by_findings(
    report: &AuditReport,
    error: AwsErrorText,
    summary: &str,
    codes: &[FindingCode],
    role_arn: Option<&str>,
) -> Diagnosis {
    by_findings_preferring(report, error, summary, codes, role_arn, None)
}

/// [`by_findings`], with the findings whose title mentions `prefer` ranked first within a code
/// (the text names something only some of them are about).
fn by_findings_preferring(
    report: &AuditReport,
    error: AwsErrorText,
    summary: &str,
    codes: &[FindingCode],
    role_arn: Option<&str>,
    prefer: Option<&str>,
) -> Diagnosis {
    let names_role = |f: &crate::model::Finding| {
        role_arn.is_none_or(|arn| {
            let name = arn.rsplit('/').next().unwrap_or(arn);
            f.related
                .iter()
                .any(|r| r.kind == SubjectKind::Role && (r.name == arn || r.name == name))
                || f.evidence.iter().any(|e| {
                    e.actual.as_deref().is_some_and(|a| a.contains(arn))
                        || e.expected.as_deref().is_some_and(|x| x.contains(arn))
                })
                || f.title.contains(name)
        })
    };
    let mut subjects: Vec<RankedSubject> = Vec::new();
    let mut fix = None;
    // Ranked by the order of `codes` (the likeliest cause first), then as the report sorts.
    let mut matching: Vec<(usize, &crate::model::Finding)> = report
        .findings
        .iter()
        .filter(|f| names_role(f))
        .filter_map(|f| codes.iter().position(|c| *c == f.code).map(|i| (i, f)))
        .collect();
    matching.sort_by_key(|(i, f)| (*i, prefer.is_some_and(|p| !f.title.contains(p))));
    for (_, f) in matching {
        if subjects.iter().any(|s| s.subject == f.subject) {
            continue;
        }
        if fix.is_none() {
            fix = f.fix.clone();
        }
        subjects.push(RankedSubject {
            subject: f.subject.clone(),
            why: format!("{} {}", f.code.as_str(), f.title),
            confirmed: true,
        });
    }
    let looked_for = format!(
        "findings {}{}",
        codes
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", "),
        role_arn.map(|r| format!(" about {r}")).unwrap_or_default()
    );
    let mut d = empty(error, summary, &looked_for);
    if subjects.is_empty() {
        d.notes.push(
            "no subject in the loaded data has a finding that predicts this error: the data may \
             be older than the error, or the error comes from another cluster"
                .to_owned(),
        );
    }
    d.subjects = subjects;
    d.fix = fix;
    d
}

fn no_credentials(report: &AuditReport, error: AwsErrorText) -> Diagnosis {
    let subjects: Vec<RankedSubject> = report
        .pods
        .iter()
        .filter(|p| &*p.identity == "none")
        .map(|p| RankedSubject {
            subject: p.pod.clone(),
            why: "no IRSA, no Pod Identity, no static keys, and the node's IMDS is not reachable"
                .to_owned(),
            confirmed: true,
        })
        .collect();
    let mut d = empty(
        error,
        "the SDK found no credentials at all",
        "pods whose credential chain ends with no identity",
    );
    d.fix = Some(
        "give the ServiceAccount a role (eks.amazonaws.com/role-arn or a Pod Identity \
         association), then recreate the pod"
            .to_owned(),
    );
    d.subjects = subjects;
    d
}

/// The role name and session of a principal ARN (`assumed-role/ROLE/SESSION`, `role/PATH/ROLE`).
fn role_of(principal: &str) -> Option<(&str, Option<&str>)> {
    let resource = principal.splitn(6, ':').nth(5)?;
    if let Some(rest) = resource.strip_prefix("assumed-role/") {
        let (role, session) = rest.split_once('/').unwrap_or((rest, ""));
        return Some((role, (!session.is_empty()).then_some(session)));
    }
    resource
        .strip_prefix("role/")
        .map(|path| (path.rsplit('/').next().unwrap_or(path), None))
}

fn not_authorized(
    inv: &Inventory,
    report: &AuditReport,
    principal: &str,
    action: &str,
    resource: Option<&str>,
    because: Option<DenyCause>,
    error: AwsErrorText,
) -> Diagnosis {
    let said = match because {
        Some(DenyCause::NoAllow(k)) => format!(" (AWS: no {} allows it)", k.label()),
        Some(DenyCause::ExplicitDeny(k)) => format!(" (AWS: an explicit deny in a {})", k.label()),
        None => String::new(),
    };
    let summary = format!(
        "{principal} may not {action}{}{said}",
        resource.map(|r| format!(" on {r}")).unwrap_or_default()
    );
    let Some((role, session)) = role_of(principal) else {
        let mut d = empty(
            error,
            &summary,
            "a role: the principal is not an assumed role (an IAM user's keys, or the root)",
        );
        d.subjects = report
            .findings
            .iter()
            .filter(|f| f.code == FindingCode::POD004)
            .map(|f| RankedSubject {
                subject: f.subject.clone(),
                why: format!("POD004 {}", f.title),
                confirmed: false,
            })
            .collect();
        d.notes.push(
            "an IAM user in a pod means static access keys: the pods listed carry some".to_owned(),
        );
        return d;
    };
    // A Pod Identity session is named eks-<cluster>-<pod name>-<random>.
    let pod_named = session.and_then(|s| {
        let cluster = inv.cluster.as_ref().map(|c| c.name.as_str())?;
        s.strip_prefix(&format!("eks-{cluster}-"))
    });
    let node_instance = session.filter(|s| s.starts_with("i-"));
    let mut candidates: Vec<(u8, &crate::analysis::audit::PodIdentity)> = report
        .pods
        .iter()
        .filter(|p| {
            p.identity
                .split(" / ")
                .any(|part| part.split_whitespace().last() == Some(role))
        })
        .map(|p| {
            let rank = if pod_named.is_some_and(|rest| rest.starts_with(p.pod.name.as_str())) {
                0
            } else if node_instance.is_some() && p.identity.starts_with("NODE ROLE") {
                1
            } else {
                2
            };
            (rank, p)
        })
        .collect();
    candidates.sort_by_key(|(rank, _)| *rank);
    let mut subjects = Vec::new();
    let mut evaluation: Option<CanIAnswer> = None;
    let query = CanIQuery {
        action: action.to_owned(),
        resource: resource.unwrap_or("*").to_owned(),
        ..CanIQuery::default()
    };
    for (i, (rank, p)) in candidates.iter().enumerate() {
        let namespace = p.pod.namespace.clone().unwrap_or_default();
        let mut why = format!("runs as {}", p.identity);
        if *rank == 0 {
            why.push_str(" — the session name names this pod");
        }
        let mut confirmed = false;
        if i < EVALUATED {
            // (the answer also tells a pod configured for the role that never obtains it)
            let subject = CanISubject::Pod {
                namespace,
                name: p.pod.name.clone(),
            };
            if let Ok(answer) = can_i(inv, report, &subject, &query) {
                if answer.decision == CanIDecision::NoCredentials {
                    why = format!(
                        "configured for {role} but never obtains it: {}",
                        answer.reason
                    );
                }
                confirmed = answer
                    .identity
                    .role_arn
                    .as_deref()
                    .is_some_and(|arn| arn.rsplit('/').next() == Some(role));
                if confirmed && evaluation.is_none() {
                    evaluation = Some(answer);
                }
            }
        }
        subjects.push(RankedSubject {
            subject: p.pod.clone(),
            why,
            confirmed,
        });
    }
    subjects.sort_by_key(|s| !s.confirmed);
    let looked_for = format!(
        "pods running as role {role}{}",
        match (pod_named, node_instance) {
            (Some(_), _) => format!(
                " (the Pod Identity session {} names its pod)",
                session.unwrap_or_default()
            ),
            (_, Some(i)) => format!(" (node role: instance {i})"),
            _ => String::new(),
        }
    );
    let mut d = empty(error, &summary, &looked_for);
    if subjects.is_empty() {
        d.notes.push(format!(
            "no pod in the loaded data runs as {role}: the role may be used outside this \
             cluster, or by pods created since the data was loaded"
        ));
    }
    if resource.is_none() {
        d.notes.push(
            "the message names no resource: evaluated on \"*\" (pass the resource to can-i for \
             an exact answer)"
                .to_owned(),
        );
    }
    if let Some(answer) = &evaluation {
        d.agreement = Some(agreement(answer, because));
        d.fix = fix(answer, role, action, resource);
    }
    d.subjects = subjects;
    d.evaluation = evaluation.map(Box::new);
    d
}

/// Does our evaluation say what AWS said?
fn agreement(answer: &CanIAnswer, because: Option<DenyCause>) -> String {
    match (answer.decision, because) {
        (CanIDecision::Allow, _) => format!(
            "we predict ALLOW ({}) — AWS denied it: a policy the loaded data lacks decided (VPC \
             endpoint policy, resource control policy, a policy changed since the data was \
             loaded), or a condition key only known at request time",
            answer.reason
        ),
        (CanIDecision::Unknown, _) => format!("ours is unknown: {}", answer.reason),
        (CanIDecision::NoCredentials, _) => {
            "ours: this pod never obtains that role — the error comes from another pod".to_owned()
        }
        (decision, Some(cause)) => {
            use crate::analysis::permission::PolicyKind;
            let ours_kind = answer.deciding.first().map(|d| &d.kind);
            let named = match cause {
                DenyCause::NoAllow(k) | DenyCause::ExplicitDeny(k) => k,
            };
            let explicit = matches!(cause, DenyCause::ExplicitDeny(_));
            let same_effect = explicit == (decision == CanIDecision::ExplicitDeny);
            let same_kind = matches!(
                (named, ours_kind),
                (_, None)
                    | (PolicyKindNamed::Identity, Some(PolicyKind::Identity))
                    | (
                        PolicyKindNamed::Boundary,
                        Some(PolicyKind::PermissionsBoundary)
                    )
                    | (PolicyKindNamed::Session, Some(PolicyKind::SessionPolicy))
                    | (PolicyKindNamed::Scp, Some(PolicyKind::Scp { .. }))
                    | (PolicyKindNamed::Resource, Some(PolicyKind::ResourcePolicy))
            );
            if same_effect && same_kind {
                format!("agrees: {}", answer.reason)
            } else {
                format!("we say {} — {}", decision_word(decision), answer.reason)
            }
        }
        (decision, None) => format!("{}: {}", decision_word(decision), answer.reason),
    }
}

fn decision_word(d: CanIDecision) -> &'static str {
    match d {
        CanIDecision::Allow => "allow",
        CanIDecision::ExplicitDeny => "explicit deny",
        CanIDecision::ImplicitDeny => "implicit deny",
        CanIDecision::NoCredentials => "no credentials",
        CanIDecision::Unknown => "unknown",
    }
}

fn fix(answer: &CanIAnswer, role: &str, action: &str, resource: Option<&str>) -> Option<String> {
    match answer.decision {
        CanIDecision::ImplicitDeny if answer.reason.contains("no identity policy") => Some(format!(
            "add {action} on {} to a policy of role {role}, e.g. aws iam put-role-policy \
             --role-name {role} --policy-name allow-{} --policy-document '{{\"Version\":\"2012-10-17\",\"Statement\":[{{\"Effect\":\"Allow\",\"Action\":\"{action}\",\"Resource\":\"{}\"}}]}}'",
            resource.unwrap_or("*"),
            action.replace(':', "-").to_ascii_lowercase(),
            resource.unwrap_or("*")
        )),
        CanIDecision::ImplicitDeny | CanIDecision::ExplicitDeny => answer
            .deciding
            .first()
            .map(|d| format!("change {} {:?}: {}", d.kind.label(), d.policy, answer.reason))
            .or_else(|| Some(answer.reason.clone())),
        _ => None,
    }
    .filter(|_| answer.identity.kind != IdentityKind::Unknown)
}
