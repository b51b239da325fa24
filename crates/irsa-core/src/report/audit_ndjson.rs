//! `audit --format ndjson`: the audit as flat records, one compact JSON object per line, for a
//! table over many clusters' runs (Athena over S3, DuckDB; `deploy/sql/`).
//!
//! Every record has the same envelope, its keys always present (`null` when unknown) so a
//! table sees fixed columns: `schema` ([`SCHEMA`]), `record` (`finding` | `binding`),
//! `generated_at` (RFC 3339, UTC), `context` (the kubeconfig context or snapshot label),
//! `cluster`, `account`, `region`.
//!
//! - `finding`, one per finding: `code`, `severity` (as in `audit --format json`),
//!   `subject_kind`, `namespace`, `name`, `title`, `accepted` (by the ignore file), `role_arn`
//!   (the role the finding is about, else the first role among its related objects, else null).
//! - `binding`, one per ServiceAccount: `namespace`, `service_account`, `mechanism`, `role_arn`
//!   (the role its pods get: the IRSA annotation's, or the Pod Identity association's, which
//!   the webhook prefers when both are set), `role_account` (null when the ARN is malformed),
//!   `verdict`, `worst`, `pods`, and
//!   `pods_node_role` (its pods whose first container falls back to the node's instance role).
//!   Pods whose ServiceAccount is not in the inventory (not read, or deleted) still get a
//!   binding record for that name, with `mechanism`, `verdict` and the role `null`, so every
//!   pod on the node role is counted once.
//!
//! Lines are built one at a time from the report (no copy of it); text is escaped like the
//! other JSON outputs ([`super::push_escaped_json`]). The shape only grows (new keys), and
//! `docs/audit-ndjson.schema.json` is its published schema.

use crate::analysis::audit::{AuditReport, Binding, IdentityKind};
use crate::analysis::checks::arn::parse_role_arn;
use crate::analysis::verdict::{Mechanism, Verdict};
use crate::model::{Finding, FindingCode, Severity, SubjectKind};
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA: &str = "irsa-inspector/ndjson/v1";

/// Where the run happened, beyond what the report itself knows.
#[derive(Debug, Clone, Copy, Default)]
pub struct RecordContext<'a> {
    /// The kubeconfig context (or snapshot label) the run read.
    pub context: Option<&'a str>,
    /// The AWS region of the cluster, when known.
    pub region: Option<&'a str>,
    /// The cluster's name when the report has none (no EKS `DescribeCluster`): the one the
    /// context names, else the context itself, so a fleet's records still group by cluster.
    pub cluster: Option<&'a str>,
}

/// The fields every record starts with.
#[derive(Serialize)]
struct Envelope<'a> {
    schema: &'static str,
    record: &'static str,
    generated_at: &'a str,
    context: Option<&'a str>,
    cluster: Option<&'a str>,
    account: Option<&'a str>,
    region: Option<&'a str>,
}

#[derive(Serialize)]
struct FindingRecord<'a> {
    #[serde(flatten)]
    envelope: &'a Envelope<'a>,
    code: FindingCode,
    severity: Severity,
    subject_kind: &'static str,
    namespace: Option<&'a str>,
    name: &'a str,
    title: &'a str,
    accepted: bool,
    role_arn: Option<&'a str>,
}

#[derive(Serialize)]
struct BindingRecord<'a> {
    #[serde(flatten)]
    envelope: &'a Envelope<'a>,
    namespace: Option<&'a str>,
    service_account: &'a str,
    mechanism: Option<Mechanism>,
    role_arn: Option<&'a str>,
    role_account: Option<&'a str>,
    verdict: Option<Verdict>,
    worst: Option<FindingCode>,
    pods: usize,
    pods_node_role: usize,
}

/// Pods per ServiceAccount (namespace, name): all of them, and those on the node role.
#[derive(Default, Clone, Copy)]
struct PodCounts {
    pods: usize,
    node_role: usize,
}

/// A `context_error` record: the context of a fleet run that could not be audited, and why
/// (one line), so a table over many runs shows the clusters missing from it.
pub fn context_error(
    context: &str,
    at: jiff::Timestamp,
    message: &str,
) -> Result<String, serde_json::Error> {
    #[derive(Serialize)]
    struct ContextError<'a> {
        #[serde(flatten)]
        envelope: Envelope<'a>,
        message: &'a str,
    }
    let generated_at = at.to_string();
    let mut out = String::new();
    push_line(
        &mut out,
        &ContextError {
            envelope: Envelope {
                schema: SCHEMA,
                record: "context_error",
                generated_at: &generated_at,
                context: Some(context),
                cluster: None,
                account: None,
                region: None,
            },
            message,
        },
    )?;
    Ok(out)
}

/// The records of `report`, one JSON object per line, each line newline-terminated: the
/// findings (in the report's order, worst first), then the bindings.
pub fn render(report: &AuditReport, ctx: &RecordContext<'_>) -> Result<String, serde_json::Error> {
    let generated_at = report.generated_at.to_string();
    let envelope = |record: &'static str| Envelope {
        schema: SCHEMA,
        record,
        generated_at: &generated_at,
        context: ctx.context,
        cluster: report.cluster.as_deref().or(ctx.cluster),
        account: report.account.as_deref(),
        region: ctx.region,
    };
    let mut out = String::new();

    let findings = envelope("finding");
    for f in &report.findings {
        push_line(&mut out, &finding_record(&findings, f))?;
    }

    let mut by_sa: BTreeMap<(&str, &str), PodCounts> = BTreeMap::new();
    for p in &report.pods {
        let key = (
            p.pod.namespace.as_deref().unwrap_or_default(),
            &*p.service_account,
        );
        let counts = by_sa.entry(key).or_default();
        counts.pods += 1;
        if p.identity_detail.kind == IdentityKind::NodeRole {
            counts.node_role += 1;
        }
    }
    let bindings = envelope("binding");
    for b in &report.bindings {
        let sa = &b.service_account;
        let key = (
            sa.namespace.as_deref().unwrap_or_default(),
            sa.name.as_str(),
        );
        let node_role = by_sa.remove(&key).unwrap_or_default().node_role;
        push_line(&mut out, &binding_record(&bindings, b, node_role))?;
    }
    // Pods whose ServiceAccount the inventory does not have.
    for ((namespace, service_account), counts) in by_sa {
        let record = BindingRecord {
            envelope: &bindings,
            namespace: Some(namespace),
            service_account,
            mechanism: None,
            role_arn: None,
            role_account: None,
            verdict: None,
            worst: None,
            pods: counts.pods,
            pods_node_role: counts.node_role,
        };
        push_line(&mut out, &record)?;
    }
    Ok(out)
}

fn finding_record<'a>(envelope: &'a Envelope<'a>, f: &'a Finding) -> FindingRecord<'a> {
    let role_arn = std::iter::once(&f.subject)
        .chain(&f.related)
        .find(|s| s.kind == SubjectKind::Role)
        .map(|s| s.name.as_str());
    FindingRecord {
        envelope,
        code: f.code,
        severity: f.severity,
        subject_kind: f.subject.kind.as_str(),
        namespace: f.subject.namespace.as_deref(),
        name: &f.subject.name,
        title: &f.title,
        accepted: f.accepted.is_some(),
        role_arn,
    }
}

fn binding_record<'a>(
    envelope: &'a Envelope<'a>,
    b: &'a Binding,
    pods_node_role: usize,
) -> BindingRecord<'a> {
    let irsa = b.role_arn.as_deref();
    let pod_identity = b.pod_identity_role_arn.as_deref();
    // The webhook injects Pod Identity when an association exists, whatever the annotation.
    let role_arn = match b.mechanism {
        Mechanism::Irsa => irsa,
        Mechanism::PodIdentity | Mechanism::Both => pod_identity.or(irsa),
        Mechanism::None => None,
    }
    .map(str::trim);
    BindingRecord {
        envelope,
        namespace: b.service_account.namespace.as_deref(),
        service_account: &b.service_account.name,
        mechanism: Some(b.mechanism),
        role_arn,
        role_account: role_arn
            .and_then(|arn| parse_role_arn(arn).ok())
            .map(|arn| arn.account),
        verdict: Some(b.verdict),
        worst: b.worst,
        pods: b.pods,
        pods_node_role,
    }
}

/// Appends `record` as one compact, terminal-safe JSON line.
fn push_line<T: Serialize>(out: &mut String, record: &T) -> Result<(), serde_json::Error> {
    let json = serde_json::to_string(record)?;
    super::push_escaped_json(out, &json);
    out.push('\n');
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::audit::{IdentityDetail, PodIdentity};
    use crate::model::{Acceptance, Subject};
    use serde_json::Value;
    use std::sync::Arc;

    fn lines(text: &str) -> Vec<Value> {
        assert!(text.ends_with('\n') || text.is_empty());
        text.lines()
            .map(|l| serde_json::from_str(l).expect("one JSON object per line"))
            .collect()
    }

    fn pod(ns: &str, name: &str, sa: &str, kind: IdentityKind) -> PodIdentity {
        PodIdentity {
            pod: Subject::pod(ns, name),
            service_account: Arc::from(sa),
            node: None,
            identity: Arc::from("x"),
            mutated: false,
            verdict: Verdict::None,
            worst: None,
            identity_detail: IdentityDetail {
                kind,
                role_arn: None,
                source: None,
            },
        }
    }

    fn report() -> AuditReport {
        let finding = Finding {
            code: FindingCode::AUD001,
            severity: Severity::High,
            subject: Subject::role("arn:aws:iam::111122223333:role/wide"),
            title: "trust \u{9b}wide".to_owned(),
            evidence: Vec::new(),
            aws_error: None,
            fix: None,
            related: Vec::new(),
            accepted: None,
        };
        let on_pod = Finding {
            code: FindingCode::NODE001,
            severity: Severity::Medium,
            subject: Subject::pod("apps", "web-1"),
            related: vec![
                Subject::node("n1"),
                Subject::role("arn:aws:iam::111122223333:role/node"),
            ],
            accepted: Some(Box::new(Acceptance {
                reason: "known".to_owned(),
                expires: None,
            })),
            title: "node role".to_owned(),
            ..finding.clone()
        };
        AuditReport {
            generated_at: "2026-04-10T10:00:00Z".parse().expect("instant"),
            cluster: Some("lab".to_owned()),
            account: None,
            issuer: None,
            bindings: vec![
                Binding {
                    service_account: Subject::service_account("apps", "web"),
                    mechanism: Mechanism::None,
                    role_arn: None,
                    pod_identity_role_arn: None,
                    verdict: Verdict::Warn,
                    worst: Some(FindingCode::NODE001),
                    pods: 2,
                },
                Binding {
                    service_account: Subject::service_account("apps", "s3"),
                    mechanism: Mechanism::Both,
                    role_arn: Some("arn:aws:iam::111122223333:role/irsa".to_owned()),
                    pod_identity_role_arn: Some(
                        " arn:aws:iam::444455556666:role/pod-identity".to_owned(),
                    ),
                    verdict: Verdict::Ok,
                    worst: None,
                    pods: 0,
                },
                Binding {
                    service_account: Subject::service_account("apps", "typo"),
                    mechanism: Mechanism::Irsa,
                    role_arn: Some("arn:aws:iam:111122223333:role/typo".to_owned()),
                    pod_identity_role_arn: None,
                    verdict: Verdict::Fail,
                    worst: Some(FindingCode::IRSA012),
                    pods: 0,
                },
            ],
            pods: vec![
                pod("apps", "web-1", "web", IdentityKind::NodeRole),
                pod("apps", "web-2", "web", IdentityKind::None),
                pod("jobs", "batch-1", "gone", IdentityKind::NodeRole),
            ],
            findings: vec![finding, on_pod],
            unknowns: Vec::new(),
        }
    }

    #[test]
    fn every_record_has_the_envelope_with_its_keys_present() {
        let ctx = RecordContext {
            context: Some("ctx"),
            region: None,
            cluster: None,
        };
        let text = render(&report(), &ctx).expect("render");
        let records = lines(&text);
        assert_eq!(records.len(), 2 + 3 + 1);
        for r in &records {
            assert_eq!(r["schema"], SCHEMA);
            assert_eq!(r["generated_at"], "2026-04-10T10:00:00Z");
            assert_eq!(r["context"], "ctx");
            assert_eq!(r["cluster"], "lab");
            for key in ["account", "region"] {
                assert!(r.get(key).is_some_and(Value::is_null), "{key} in {r}");
            }
        }
        // Compact: no line holds pretty-printing, and a C1 control is escaped.
        assert!(!text.contains(": "));
        assert!(text.contains("trust \\u009bwide"));
    }

    #[test]
    fn findings_name_their_role_and_whether_they_are_accepted() {
        let records = lines(&render(&report(), &RecordContext::default()).expect("render"));
        let wide = &records[0];
        assert_eq!(wide["record"], "finding");
        assert_eq!(wide["code"], "AUD001");
        assert_eq!(wide["severity"], "high");
        assert_eq!(wide["subject_kind"], "role");
        assert!(wide["namespace"].is_null());
        assert_eq!(wide["role_arn"], "arn:aws:iam::111122223333:role/wide");
        assert_eq!(wide["accepted"], false);
        let node = &records[1];
        assert_eq!(node["subject_kind"], "pod");
        assert_eq!(node["namespace"], "apps");
        assert_eq!(node["role_arn"], "arn:aws:iam::111122223333:role/node");
        assert_eq!(node["accepted"], true);
    }

    #[test]
    fn bindings_count_node_role_pods_even_without_their_service_account() {
        let records = lines(&render(&report(), &RecordContext::default()).expect("render"));
        let bindings: Vec<&Value> = records
            .iter()
            .filter(|r| r["record"] == "binding")
            .collect();
        assert_eq!(bindings.len(), 4);
        let web = bindings[0];
        assert_eq!(web["service_account"], "web");
        assert_eq!(web["mechanism"], "none");
        assert!(web["role_arn"].is_null() && web["role_account"].is_null());
        assert_eq!(web["worst"], "NODE001");
        assert_eq!(
            (web["pods"].as_u64(), web["pods_node_role"].as_u64()),
            (Some(2), Some(1))
        );
        let both = bindings[1];
        assert_eq!(
            both["role_arn"],
            "arn:aws:iam::444455556666:role/pod-identity"
        );
        assert_eq!(both["role_account"], "444455556666");
        assert_eq!(both["verdict"], "ok");
        assert!(both["worst"].is_null());
        // A malformed ARN is reported as written, with no account read out of it.
        let typo = bindings[2];
        assert_eq!(typo["role_arn"], "arn:aws:iam:111122223333:role/typo");
        assert!(typo["role_account"].is_null());
        let gone = bindings[3];
        assert_eq!(
            (gone["namespace"].as_str(), gone["service_account"].as_str()),
            (Some("jobs"), Some("gone"))
        );
        assert!(gone["mechanism"].is_null() && gone["verdict"].is_null());
        assert_eq!(
            (gone["pods"].as_u64(), gone["pods_node_role"].as_u64()),
            (Some(1), Some(1))
        );
    }

    #[test]
    fn an_empty_report_is_no_lines() {
        let mut empty = report();
        empty.findings.clear();
        empty.bindings.clear();
        empty.pods.clear();
        assert_eq!(
            render(&empty, &RecordContext::default()).expect("render"),
            ""
        );
    }
}
