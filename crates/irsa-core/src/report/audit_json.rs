//! `audit --format json`: the stable machine-readable shape.
//!
//! Top level: `schema` (`irsa-inspector/audit/v1`), `generated_at`, `cluster`, `account`,
//! `issuer`, `summary` (counts per severity), `bindings`, `pods`, `findings`, `unknowns`.
//! Each finding: `code`, `severity`, `subject` {`kind`, `namespace`, `name`}, `title`,
//! `evidence` [{`item`, `expected`, `actual`}], `aws_error`, `fix`, `related`.

use crate::analysis::audit::AuditReport;
use crate::model::Severity;
use serde::Serialize;
use std::collections::BTreeMap;

pub const SCHEMA: &str = "irsa-inspector/audit/v1";

#[derive(Serialize)]
struct Envelope<'a> {
    schema: &'static str,
    summary: BTreeMap<&'static str, usize>,
    #[serde(flatten)]
    report: &'a AuditReport,
}

/// Pretty JSON of the report, newline-terminated.
pub fn render(report: &AuditReport) -> Result<String, serde_json::Error> {
    let mut summary: BTreeMap<&'static str, usize> =
        Severity::ALL.iter().map(|s| (s.as_str(), 0)).collect();
    for f in &report.findings {
        *summary.entry(f.severity.as_str()).or_default() += 1;
    }
    let mut text = super::to_json_pretty(&Envelope {
        schema: SCHEMA,
        summary,
        report,
    })?;
    text.push('\n');
    Ok(text)
}
