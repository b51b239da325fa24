//! Rows of the ServiceAccounts pane.

use super::{Index, haystack, worst_first};
use crate::rows::Row;
use irsa_core::analysis::verdict::{Mechanism, Verdict};
use irsa_core::model::{FindingCode, Severity, arn_account};
use jiff::Timestamp;
use std::borrow::Cow;
use std::cmp::Ordering;

/// One ServiceAccount and the role it maps to.
#[derive(Debug, Clone, PartialEq)]
pub struct SaRow {
    pub key: String,
    pub namespace: String,
    pub name: String,
    /// The role ARN the SA maps to (IRSA annotation, else the Pod Identity association's).
    pub role_arn: Option<String>,
    /// The role's name, with its account when that differs from the cluster's.
    pub role_label: String,
    pub mechanism: Mechanism,
    pub verdict: Verdict,
    pub worst: Option<FindingCode>,
    pub worst_severity: Option<Severity>,
    pub pods: usize,
    pub created: Option<Timestamp>,
    haystack: String,
}

pub(super) fn derive(ix: &Index) -> Vec<SaRow> {
    let report = ix.report;
    let cluster_account = report.account.as_deref().or(ix.inventory.account());
    report
        .bindings
        .iter()
        .map(|b| {
            let subject = &b.service_account;
            let namespace = subject.namespace.clone().unwrap_or_default();
            let role_arn = b.role_arn.clone().or(b.pod_identity_role_arn.clone());
            let role_label = role_arn
                .as_deref()
                .map(|arn| role_label(arn, cluster_account))
                .unwrap_or_default();
            let created = ix
                .service_account(&namespace, &subject.name)
                .and_then(|sa| sa.created);
            let worst_severity = b.worst.and_then(|c| ix.severity_of(c, subject));
            let key = format!("{namespace}/{}", subject.name);
            let hay = haystack([
                key.as_str(),
                subject.name.as_str(),
                role_arn.as_deref().unwrap_or(""),
                mechanism_label(b.mechanism),
                b.worst.map(FindingCode::as_str).unwrap_or(""),
            ]);
            SaRow {
                key,
                namespace,
                name: subject.name.clone(),
                role_arn,
                role_label,
                mechanism: b.mechanism,
                verdict: b.verdict,
                worst: b.worst,
                worst_severity,
                pods: b.pods,
                created,
                haystack: hay,
            }
        })
        .collect()
}

/// `name`, or `name (acct 999…)` when the role lives in another account than the cluster.
pub fn role_label(arn: &str, cluster_account: Option<&str>) -> String {
    let name = super::arn_name(arn);
    match (arn_account(arn), cluster_account) {
        (Some(acct), Some(cluster)) if acct != cluster => format!("{name} ({acct})"),
        _ => name.to_owned(),
    }
}

/// The text of a mechanism, as the pane shows it.
pub fn mechanism_label(m: Mechanism) -> &'static str {
    match m {
        Mechanism::Irsa => "IRSA",
        Mechanism::PodIdentity => "Pod Identity",
        Mechanism::Both => "both",
        Mechanism::None => "none",
    }
}

impl Row for SaRow {
    const SORTS: &'static [&'static str] = &["worst first", "name", "pods", "newest"];

    fn key(&self) -> &str {
        &self.key
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn namespace(&self) -> Option<&str> {
        Some(&self.namespace)
    }
    fn copy_value(&self) -> Option<&str> {
        self.role_arn.as_deref()
    }
    fn compare(&self, other: &Self, sort: usize) -> Ordering {
        let by_name = || self.key.cmp(&other.key);
        match sort {
            0 => worst_first(
                (self.verdict, self.worst_severity),
                (other.verdict, other.worst_severity),
            )
            .then_with(by_name),
            2 => other.pods.cmp(&self.pods).then_with(by_name),
            3 => other.created.cmp(&self.created).then_with(by_name),
            _ => by_name(),
        }
    }
}
