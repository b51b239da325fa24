//! The CloudTrail evidence section (`--cloudtrail`, `E` in the UI) as text lines: per
//! subject the prediction set against what CloudTrail saw, the last success, the failures by
//! error code, the roles asked for (with the "pods need a restart" tell when it is not the
//! role configured now) and the refused calls each with the `can-i` question that explains
//! it. Shared by the CLI and the terminal UI so both say the same.

use crate::analysis::inventory::InventoryIndex;
use crate::analysis::triage::cloudtrail::{self, TrailEvidence};
use crate::model::{Inventory, Subject, SubjectKind};

/// What was read, or why nothing was.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailSummary {
    pub evidence: TrailEvidence,
    /// `1h`, `30m`: the window as given.
    pub window: String,
    pub calls: u32,
    /// Lookups that stopped at `page_cap` pages.
    pub capped: Vec<String>,
    pub page_cap: usize,
    pub unreadable: usize,
    /// The one-line status when the read failed (a denied LookupEvents names the permission).
    pub problem: Option<String>,
    /// Other accounts whose history could not be read, one line each.
    pub notes: Vec<String>,
}

/// The section's lines (without the heading) for `subjects`.
pub fn lines(t: &TrailSummary, inv: &Inventory, subjects: &[Subject]) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(problem) = &t.problem {
        out.push(problem.clone());
        return out;
    }
    out.push(format!(
        "{} records in {} LookupEvents calls{}{}",
        t.evidence.records,
        t.calls,
        if t.capped.is_empty() {
            String::new()
        } else {
            format!(
                "; stopped at {} pages: {} (older events not read)",
                t.page_cap,
                t.capped.join(", ")
            )
        },
        if t.unreadable > 0 {
            format!("; {} records unreadable", t.unreadable)
        } else {
            String::new()
        }
    ));
    out.extend(t.notes.iter().map(|n| format!("not read: {n}")));
    let index = InventoryIndex::new(inv);
    for subject in subjects {
        let evidence = t.evidence.of(subject);
        out.push(format!(
            "{} {}/{}",
            match subject.kind {
                SubjectKind::Pod => "pod",
                _ => "ServiceAccount",
            },
            subject.namespace.as_deref().unwrap_or_default(),
            subject.name
        ));
        if subject.kind == SubjectKind::ServiceAccount {
            let (_, line) = cloudtrail::compare(inv, subject, evidence, &t.window);
            out.push(format!("  {line}"));
        }
        let Some(e) = evidence else {
            out.push("  nothing recorded for it".to_owned());
            continue;
        };
        if e.successes > 0 || !e.failures.is_empty() {
            out.push(format!(
                "  last success: {}",
                e.last_success
                    .map_or_else(|| "none in the window".to_owned(), |t| t.to_string())
            ));
        }
        for (code, f) in &e.failures {
            out.push(format!(
                "  failed {code} ×{}{}{}",
                f.count,
                f.last.map(|t| format!(", last {t}")).unwrap_or_default(),
                f.message
                    .as_deref()
                    .map(|m| format!(": {m}"))
                    .unwrap_or_default()
            ));
        }
        let configured = configured_role(&index, subject);
        for (role, n) in &e.roles_requested {
            let tell = match &configured {
                Some(c) if c != role => format!(
                    " — not the role configured now ({c}): pods started before the change still ask for it; restart them"
                ),
                _ => String::new(),
            };
            out.push(format!("  asked for {role} ×{n}{tell}"));
        }
        for (action, d) in &e.denied {
            let resource = d.resource.as_deref().unwrap_or("*");
            let flag = match subject.kind {
                SubjectKind::Pod => "--pod",
                _ => "--sa",
            };
            out.push(format!(
                "  refused {action} ×{} on {resource} → irsa-inspector can-i {action} {resource} {flag} {}/{}",
                d.count,
                subject.namespace.as_deref().unwrap_or_default(),
                subject.name
            ));
        }
    }
    let others: u32 = t.evidence.unattributed.values().sum();
    if others > 0 {
        let what: Vec<String> = t
            .evidence
            .unattributed
            .iter()
            .map(|(k, n)| format!("{k} ×{n}"))
            .collect();
        out.push(format!(
            "not attributable to a ServiceAccount: {}",
            what.join(", ")
        ));
    }
    out
}

/// The role a ServiceAccount is configured for now (annotation, else its association's).
fn configured_role(index: &InventoryIndex<'_>, subject: &Subject) -> Option<String> {
    let ns = subject.namespace.as_deref()?;
    let sa = index.service_account(ns, &subject.name)?;
    if let Some(a) = sa.annotations.get(&index.keys.role_arn) {
        return Some(a.trim().to_owned());
    }
    index.associations_of(ns, &subject.name).first().map(|a| {
        a.target_role_arn
            .clone()
            .unwrap_or_else(|| a.role_arn.clone())
    })
}
