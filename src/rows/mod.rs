//! Display rows, derived once per data change from the inventory and the audit report. Rows
//! only join and format what the analysis decided (verdicts, worst codes, identities,
//! findings); they decide nothing about IRSA themselves.

pub mod finding;
mod index;
pub mod node;
pub mod pod;
pub mod role;
mod row;
pub mod service_account;

pub use finding::FindingRow;
pub use node::NodeRow;
pub use pod::PodRow;
pub use role::{RoleFlag, RoleRow, RoleState};
pub use row::Row;
pub use service_account::SaRow;

use index::Index;
use irsa_core::analysis::audit::AuditReport;
use irsa_core::model::{Inventory, Severity};
use std::cmp::Ordering;

/// The rows of every pane for one dataset.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DerivedRows {
    pub service_accounts: Vec<SaRow>,
    pub pods: Vec<PodRow>,
    pub roles: Vec<RoleRow>,
    pub nodes: Vec<NodeRow>,
    pub findings: Vec<FindingRow>,
}

/// Derives every pane's rows.
pub fn derive(inventory: &Inventory, report: &AuditReport) -> DerivedRows {
    let ix = Index::new(inventory, report);
    DerivedRows {
        service_accounts: service_account::derive(&ix),
        pods: pod::derive(&ix),
        roles: role::derive(&ix),
        nodes: node::derive(&ix),
        findings: finding::derive(report),
    }
}

/// The Findings pane's rows (keys included), for the finding drill-down.
pub fn derive_findings(report: &AuditReport) -> Vec<FindingRow> {
    finding::derive(report)
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
