//! `audit --format markdown`: for tickets and pull requests.

use super::audit_table::{binding_cells, mechanism_label, subject_label};
use crate::analysis::audit::AuditReport;

/// Escapes what would break a Markdown table cell, and control characters.
fn cell(text: &str) -> String {
    super::clean(text).replace('|', "\\|").replace('`', "'")
}

/// The audit as GitHub-flavoured Markdown, newline-terminated.
pub fn render(report: &AuditReport) -> String {
    let mut out = String::from("# irsa-inspector audit\n\n");
    out.push_str(&format!(
        "Cluster `{}` · account `{}` · issuer `{}` · at {}\n\n",
        cell(report.cluster.as_deref().unwrap_or("unknown")),
        cell(report.account.as_deref().unwrap_or("unknown")),
        cell(report.issuer.as_deref().unwrap_or("unknown")),
        report.generated_at
    ));
    out.push_str("## ServiceAccounts\n\n| Namespace | ServiceAccount | Mechanism | Role | Verdict | Pods |\n|---|---|---|---|---|---|\n");
    for b in &report.bindings {
        let (role, verdict) = binding_cells(b);
        out.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(b.service_account.namespace.as_deref().unwrap_or("")),
            cell(&b.service_account.name),
            mechanism_label(b.mechanism),
            cell(role),
            verdict,
            b.pods
        ));
    }
    out.push_str(&format!("\n## Findings ({})\n\n", report.findings.len()));
    if report.findings.is_empty() {
        out.push_str("None.\n");
    }
    for f in &report.findings {
        out.push_str(&format!(
            "### {} · {} · {}\n\n{}\n\n",
            f.code,
            f.severity,
            cell(&subject_label(&f.subject)),
            cell(&f.title)
        ));
        for e in &f.evidence {
            out.push_str(&format!("- {}", cell(&e.item)));
            if let Some(x) = &e.expected {
                out.push_str(&format!(" — expected `{}`", cell(x)));
            }
            if let Some(a) = &e.actual {
                out.push_str(&format!(" — actual `{}`", cell(a)));
            }
            out.push('\n');
        }
        if let Some(err) = &f.aws_error {
            out.push_str(&format!(
                "\nError a workload sees:\n\n```\n{}\n```\n",
                super::clean(err)
            ));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("\nFix:\n\n```sh\n{}\n```\n", super::clean(fix)));
        }
        out.push('\n');
    }
    if !report.unknowns.is_empty() {
        out.push_str("## Not checked\n\n");
        for u in &report.unknowns {
            out.push_str(&format!("- **{}**: {}\n", u.source, cell(&u.message)));
        }
    }
    out
}
