//! `audit --format table`: the human view — mappings first, then findings worst first.

use super::clean;
use crate::analysis::audit::AuditReport;
use crate::model::Subject;
use comfy_table::{ContentArrangement, Table, presets::UTF8_FULL_CONDENSED};

/// The audit as aligned text tables, newline-terminated.
pub fn render(report: &AuditReport) -> String {
    let mut out = String::new();
    out.push_str(&header(report));

    let mut sas = Table::new();
    sas.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled);
    sas.set_header([
        "NAMESPACE",
        "SERVICE ACCOUNT",
        "MECHANISM",
        "ROLE",
        "VERDICT",
        "PODS",
    ]);
    for b in &report.bindings {
        let (role, verdict) = binding_cells(b);
        sas.add_row([
            clean(b.service_account.namespace.as_deref().unwrap_or("")),
            clean(&b.service_account.name),
            mechanism_label(b.mechanism).to_owned(),
            clean(role),
            verdict,
            b.pods.to_string(),
        ]);
    }
    out.push_str("\nServiceAccounts\n");
    out.push_str(&sas.to_string());
    out.push('\n');

    out.push_str(&format!("\nFindings ({})\n", report.findings.len()));
    if report.findings.is_empty() {
        out.push_str("none\n");
    }
    for f in &report.findings {
        out.push_str(&format!(
            "\n[{}] {} {} — {}\n",
            f.severity.as_str().to_uppercase(),
            f.code,
            subject_label(&f.subject),
            clean(&f.title)
        ));
        for e in &f.evidence {
            let mut line = format!("    {}", clean(&e.item));
            if let Some(x) = &e.expected {
                line.push_str(&format!("  expected: {}", clean(x)));
            }
            if let Some(a) = &e.actual {
                line.push_str(&format!("  actual: {}", clean(a)));
            }
            out.push_str(&line);
            out.push('\n');
        }
        if let Some(err) = &f.aws_error {
            out.push_str(&format!("    error: {}\n", clean(err)));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("    fix:   {}\n", clean(fix)));
        }
        if let Some(a) = &f.accepted {
            out.push_str(&format!(
                "    ACCEPTED: {}{}\n",
                clean(&a.reason),
                a.expires
                    .map(|d| format!(" (until {d})"))
                    .unwrap_or_default()
            ));
        }
    }
    if !report.unknowns.is_empty() {
        out.push_str("\nNot checked\n");
        for u in &report.unknowns {
            out.push_str(&format!("    {}: {}\n", u.source, clean(&u.message)));
        }
    }
    out
}

fn header(report: &AuditReport) -> String {
    format!(
        "cluster {}  account {}  issuer {}  at {}\n",
        clean(report.cluster.as_deref().unwrap_or("unknown")),
        clean(report.account.as_deref().unwrap_or("unknown")),
        clean(report.issuer.as_deref().unwrap_or("unknown")),
        report.generated_at
    )
}

/// The ROLE (name of the IRSA or Pod Identity role) and VERDICT (badge + worst code) cells.
pub fn binding_cells(b: &crate::analysis::audit::Binding) -> (&str, String) {
    let role = b
        .role_arn
        .as_deref()
        .or(b.pod_identity_role_arn.as_deref())
        .map(role_name)
        .unwrap_or("-");
    let verdict = match b.worst {
        Some(code) => format!("{} {code}", verdict_label(b.verdict)),
        None => verdict_label(b.verdict).to_owned(),
    };
    (role, verdict)
}

/// `kind ns/name`, with a role shown by its name rather than the whole ARN.
pub fn subject_label(s: &Subject) -> String {
    match &s.namespace {
        Some(ns) => format!("{} {}/{}", s.kind.as_str(), clean(ns), clean(&s.name)),
        None => format!("{} {}", s.kind.as_str(), clean(&s.name)),
    }
}

/// The last path segment of a role ARN.
pub fn role_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

pub fn verdict_label(v: crate::analysis::verdict::Verdict) -> &'static str {
    use crate::analysis::verdict::Verdict;
    match v {
        Verdict::None => "-",
        Verdict::Ok => "OK",
        Verdict::Unknown => "UNKNOWN",
        Verdict::Warn => "WARN",
        Verdict::Fail => "FAIL",
    }
}

pub fn mechanism_label(m: crate::analysis::verdict::Mechanism) -> &'static str {
    use crate::analysis::verdict::Mechanism;
    match m {
        Mechanism::Irsa => "IRSA",
        Mechanism::PodIdentity => "Pod Identity",
        Mechanism::Both => "both",
        Mechanism::None => "none",
    }
}
