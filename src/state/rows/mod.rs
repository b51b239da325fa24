//! Display rows, derived once per data change from the inventory and the audit report. Rows
//! only join and format what the analysis decided (verdicts, worst codes, identities,
//! findings); they decide nothing about IRSA themselves.

pub mod finding;
pub mod node;
pub mod pod;
pub mod role;
pub mod service_account;

pub use finding::FindingRow;
pub use node::NodeRow;
pub use pod::PodRow;
pub use role::{RoleFlag, RoleRow, RoleState};
pub use service_account::SaRow;

use crate::analysis::audit::AuditReport;
use crate::model::{FindingCode, Inventory, Severity, Subject};
use std::cmp::Ordering;

/// The rows of every pane for one dataset.
#[derive(Debug, Clone, Default)]
pub struct DerivedRows {
    pub service_accounts: Vec<SaRow>,
    pub pods: Vec<PodRow>,
    pub roles: Vec<RoleRow>,
    pub nodes: Vec<NodeRow>,
    pub findings: Vec<FindingRow>,
}

/// Derives every pane's rows.
pub fn derive(inventory: &Inventory, report: &AuditReport) -> DerivedRows {
    DerivedRows {
        service_accounts: service_account::derive(inventory, report),
        pods: pod::derive(inventory, report),
        roles: role::derive(inventory, report),
        nodes: node::derive(inventory, report),
        findings: finding::derive(report),
    }
}

/// The row of one node (for its drill-down).
pub fn derive_node(inventory: &Inventory, report: &AuditReport, name: &str) -> Option<NodeRow> {
    node::derive(inventory, report)
        .into_iter()
        .find(|r| r.name == name)
}

/// The Findings pane's rows (keys included), for the finding drill-down.
pub fn derive_findings(report: &AuditReport) -> Vec<FindingRow> {
    finding::derive(report)
}

/// The worst finding about a subject, as (severity, code); findings are sorted worst first.
fn worst_about(report: &AuditReport, subject: &Subject) -> Option<(Severity, FindingCode)> {
    report
        .findings
        .iter()
        .find(|f| &f.subject == subject)
        .map(|f| (f.severity, f.code))
}

/// The severity the report gives a code for this subject, else for any subject.
fn severity_of(report: &AuditReport, code: FindingCode, subject: &Subject) -> Option<Severity> {
    let for_code = || report.findings.iter().filter(|f| f.code == code);
    for_code()
        .find(|f| &f.subject == subject)
        .or_else(|| for_code().next())
        .map(|f| f.severity)
}

/// The fix of the worst finding about (or involving) a subject that has one.
fn fix_for(report: &AuditReport, subject: &Subject) -> Option<String> {
    report
        .findings
        .iter()
        .filter(|f| &f.subject == subject || f.related.contains(subject))
        .find_map(|f| f.fix.clone())
}

/// Lower-cased, space-joined text for the `/` filter.
fn haystack<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Worst first: higher rank first, then higher severity, then the tiebreak.
fn worst_first<T: Ord>(a: (T, Option<Severity>), b: (T, Option<Severity>)) -> Ordering {
    b.0.cmp(&a.0).then(b.1.cmp(&a.1))
}

/// The last `/`-separated part of an ARN (a role's name), or the whole text.
pub fn arn_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}
