//! `irsa-inspector explain pod|sa NS/NAME`: run the analysis, gather what concerns one
//! subject, render it with `report::explain_text`.

use super::input::namespace_name;
use crate::cli::ExplainTarget;
use anyhow::{Result, anyhow};
use irsa_core::analysis::audit::{AuditReport, audit};
use irsa_core::analysis::checks::binding::evaluate_binding;
use irsa_core::analysis::checks::pod_analysis;
use irsa_core::analysis::inventory::InventoryIndex;
use irsa_core::analysis::policy;
use irsa_core::analysis::webhook;
use irsa_core::model::{Finding, Inventory, Subject};
use irsa_core::report::explain_text::{self, PodExplanation, SaExplanation};
use jiff::Timestamp;
use std::process::ExitCode;

/// Findings whose subject is `s`, or that name `s` among the related objects.
fn findings_about<'r>(report: &'r AuditReport, s: &Subject) -> Vec<&'r Finding> {
    report
        .findings
        .iter()
        .filter(|f| &f.subject == s || f.related.contains(s))
        .collect()
}

/// `explain error TEXT|-`: the text (stdin read as bytes, so binary pastes do not fail) is
/// read by the core; nothing of it is logged.
fn explain_error(
    inv: &Inventory,
    report: &AuditReport,
    text: &str,
    format: crate::cli::TextOrJson,
    trail: Option<&irsa_core::report::trail_text::TrailSummary>,
) -> Result<ExitCode> {
    let text = if text == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes)
            .map_err(|e| anyhow!("standard input: cannot read ({e})"))?;
        String::from_utf8_lossy(&bytes).into_owned()
    } else {
        text.to_owned()
    };
    let triage = irsa_core::analysis::triage::explain(inv, report, &text);
    match format {
        crate::cli::TextOrJson::Json => {
            outln!("{}", irsa_core::report::to_json_pretty(&triage)?)
        }
        crate::cli::TextOrJson::Text => {
            out!("{}", irsa_core::report::triage_text::triage(&triage));
            if let Some(trail) = trail {
                out!(
                    "{}",
                    super::trail::section(trail, inv, &evidence_subjects(inv, &triage))
                );
            }
        }
    }
    Ok(if triage.diagnoses.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The ServiceAccounts (and pods) of the best-ranked subjects, for the evidence section.
fn evidence_subjects(
    inv: &Inventory,
    triage: &irsa_core::analysis::triage::Triage,
) -> Vec<Subject> {
    let mut out: Vec<Subject> = Vec::new();
    for d in &triage.diagnoses {
        for s in d.subjects.iter().take(3) {
            let sa = match s.subject.kind {
                irsa_core::model::SubjectKind::Pod => s
                    .subject
                    .namespace
                    .as_deref()
                    .and_then(|ns| inv.pod(ns, &s.subject.name))
                    .map(|p| Subject::service_account(&p.namespace, &p.service_account)),
                irsa_core::model::SubjectKind::ServiceAccount => Some(s.subject.clone()),
                _ => None,
            };
            for subject in [sa, Some(s.subject.clone())].into_iter().flatten() {
                if subject.kind != irsa_core::model::SubjectKind::Role && !out.contains(&subject) {
                    out.push(subject);
                }
            }
        }
    }
    out
}

pub fn run(
    inv: &Inventory,
    now: Timestamp,
    target: &ExplainTarget,
    source: &crate::cli::SourceArgs,
) -> Result<ExitCode> {
    let index = InventoryIndex::new(inv);
    let report = audit(inv, now);
    let trail = super::trail::read(source, inv, now)?;
    let text = match target {
        ExplainTarget::Error { text, format } => {
            return explain_error(inv, &report, text, *format, trail.as_ref());
        }
        ExplainTarget::Sa { name } => {
            let (ns, n) = namespace_name(name, "service account")?;
            let sa = index.service_account(&ns, &n).ok_or_else(|| {
                anyhow!(
                    "service account {ns}/{n} not found ({} service accounts loaded)",
                    inv.service_accounts.len()
                )
            })?;
            let binding = evaluate_binding(&index, sa);
            let trust_document = binding
                .irsa
                .as_ref()
                .and_then(|irsa| index.role(&irsa.role_arn))
                .and_then(|role| role.trust_policy.as_ref())
                .and_then(|raw| policy::decode(raw).ok())
                .and_then(|doc| irsa_core::report::to_json_pretty(&doc).ok());
            let subject = Subject::service_account(&ns, &n);
            let pods = report
                .pods
                .iter()
                .filter(|p| {
                    p.pod.namespace.as_deref() == Some(ns.as_str()) && *p.service_account == *n
                })
                .collect();
            let mut text = explain_text::service_account(&SaExplanation {
                sa,
                binding: &binding,
                trust_document,
                pods,
                findings: findings_about(&report, &subject),
            });
            if let Some(trail) = &trail {
                text.push_str(&super::trail::section(
                    trail,
                    inv,
                    std::slice::from_ref(&subject),
                ));
            }
            text
        }
        ExplainTarget::Pod { name } => {
            let (ns, n) = namespace_name(name, "pod")?;
            let pod = inv.pod(&ns, &n).ok_or_else(|| {
                anyhow!("pod {ns}/{n} not found ({} pods loaded)", inv.pods.len())
            })?;
            let (binding, analysis) = pod_analysis(&index, pod);
            let pi = (!index.associations_of(&ns, &pod.service_account).is_empty())
                .then(|| index.pod_identity_config());
            let deviations = index
                .service_account(&ns, &pod.service_account)
                .map(|sa| webhook::diff(sa, pod, &index.settings, pi.as_ref()))
                .unwrap_or_default();
            let tokens = index
                .tokens_of(&ns, &n)
                .iter()
                .map(|t| {
                    let decoded = t
                        .decoded
                        .as_ref()
                        .map(|d| (d, d.lifetime(now)))
                        .map_err(Clone::clone);
                    (t.origin.clone(), decoded)
                })
                .collect();
            let subject = Subject::pod(&ns, &n);
            let mut findings = findings_about(&report, &subject);
            let sa_subject = Subject::service_account(&ns, &pod.service_account);
            findings.extend(report.findings.iter().filter(|f| f.subject == sa_subject));
            let mut text = explain_text::pod(&PodExplanation {
                pod,
                analysis: &analysis,
                binding: binding.as_ref(),
                deviations,
                registration: webhook::admission(&inv.webhook_registration, pod),
                tokens,
                findings,
            });
            if let Some(trail) = &trail {
                text.push_str(&super::trail::section(
                    trail,
                    inv,
                    &[subject.clone(), sa_subject],
                ));
            }
            text
        }
    };
    out!("{text}");
    Ok(ExitCode::SUCCESS)
}
