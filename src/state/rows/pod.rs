//! Rows of the Pods pane.

use super::{Index, haystack, worst_first};
use crate::analysis::audit::Verdict;
use crate::model::{FindingCode, Severity};
use crate::state::table::Row;
use jiff::Timestamp;
use rayon::prelude::*;
use std::cmp::Ordering;

/// One pod and the identity its containers really get.
#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    /// `namespace/name` (neither may contain a `/`); [`PodRow::namespace_name`] splits it.
    /// One string instead of three: a 50,000-pod cluster has 50,000 rows.
    pub key: String,
    pub service_account: String,
    pub node: Option<String>,
    /// The analysis's one-line identity (`IRSA …`, `NODE ROLE FALLBACK …`, `none`, …).
    pub identity: String,
    pub mutated: bool,
    pub verdict: Verdict,
    pub worst: Option<FindingCode>,
    pub worst_severity: Option<Severity>,
    pub phase: Option<String>,
    pub created: Option<Timestamp>,
    /// The fix of the worst finding about this pod, for `y`.
    pub fix: Option<String>,
    haystack: String,
}

impl PodRow {
    /// The pod's namespace and name.
    pub fn namespace_name(&self) -> (&str, &str) {
        self.key.split_once('/').unwrap_or(("", &self.key))
    }

    /// True when the analysis says the pod lands on its node's instance role.
    pub fn is_node_fallback(&self) -> bool {
        self.identity.starts_with("NODE ROLE")
    }
}

pub(super) fn derive(ix: &Index) -> Vec<PodRow> {
    ix.report
        .pods
        .par_iter()
        .map(|p| {
            let namespace = p.pod.namespace.as_deref().unwrap_or_default();
            let info = ix.pod(namespace, &p.pod.name);
            let key = format!("{namespace}/{}", p.pod.name);
            let hay = haystack([
                key.as_str(),
                p.service_account.as_str(),
                p.node.as_deref().unwrap_or(""),
                p.identity.as_str(),
                p.worst.map(FindingCode::as_str).unwrap_or(""),
            ]);
            PodRow {
                key,
                service_account: p.service_account.clone(),
                node: p.node.clone(),
                identity: p.identity.clone(),
                mutated: p.mutated,
                verdict: p.verdict,
                worst: p.worst,
                worst_severity: p.worst.and_then(|c| ix.severity_of(c, &p.pod)),
                phase: info.and_then(|i| i.phase.clone()),
                created: info.and_then(|i| i.created),
                fix: ix.fix_for(&p.pod),
                haystack: hay,
            }
        })
        .collect()
}

impl Row for PodRow {
    const SORTS: &'static [&'static str] = &["worst first", "name", "node", "newest"];

    fn key(&self) -> &str {
        &self.key
    }
    fn haystack(&self) -> &str {
        &self.haystack
    }
    fn namespace(&self) -> Option<&str> {
        Some(self.namespace_name().0)
    }
    fn copy_value(&self) -> Option<&str> {
        self.fix.as_deref()
    }
    fn compare(&self, other: &Self, sort: usize) -> Ordering {
        let by_name = || self.key.cmp(&other.key);
        match sort {
            0 => worst_first(
                (self.verdict, self.worst_severity),
                (other.verdict, other.worst_severity),
            )
            .then_with(by_name),
            2 => self.node.cmp(&other.node).then_with(by_name),
            3 => other.created.cmp(&self.created).then_with(by_name),
            _ => by_name(),
        }
    }
}
