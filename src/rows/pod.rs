//! Rows of the Pods pane.

use super::{Index, haystack, worst_first};
use crate::rows::Row;
use irsa_core::analysis::verdict::Verdict;
use irsa_core::model::{FindingCode, Severity};
use jiff::Timestamp;
use rayon::prelude::*;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::sync::Arc;

/// One pod and the identity its containers really get. Its ServiceAccount, node and identity
/// are the report's shared strings, not copies (a 50,000-pod cluster has 50,000 rows).
#[derive(Debug, Clone, PartialEq)]
pub struct PodRow {
    /// `namespace/name` (neither may contain a `/`); [`PodRow::namespace_name`] splits it.
    pub key: String,
    pub service_account: Arc<str>,
    pub node: Option<Arc<str>>,
    /// The analysis's one-line identity (`IRSA …`, `NODE ROLE FALLBACK …`, `none`, …).
    pub identity: Arc<str>,
    pub mutated: bool,
    pub verdict: Verdict,
    pub worst: Option<FindingCode>,
    pub worst_severity: Option<Severity>,
    pub phase: Option<Cow<'static, str>>,
    pub created: Option<Timestamp>,
    /// The fix of the worst finding about this pod, for `y`.
    pub fix: Option<String>,
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

/// The phases Kubernetes defines, kept without an allocation per pod.
const PHASES: [&str; 5] = ["Pending", "Running", "Succeeded", "Failed", "Unknown"];

fn phase(text: &str) -> Cow<'static, str> {
    PHASES
        .iter()
        .find(|p| **p == text)
        .map_or_else(|| Cow::Owned(text.to_owned()), |p| Cow::Borrowed(*p))
}

pub(super) fn derive(ix: &Index) -> Vec<PodRow> {
    ix.report
        .pods
        .par_iter()
        .enumerate()
        .map(|(at, p)| {
            let namespace = p.pod.namespace.as_deref().unwrap_or_default();
            let info = ix.pod(at, namespace, &p.pod.name);
            PodRow {
                key: format!("{namespace}/{}", p.pod.name),
                service_account: Arc::clone(&p.service_account),
                node: p.node.clone(),
                identity: Arc::clone(&p.identity),
                mutated: p.mutated,
                verdict: p.verdict,
                worst: p.worst,
                worst_severity: p.worst.and_then(|c| ix.severity_of(c, &p.pod)),
                phase: info.and_then(|i| i.phase.as_deref()).map(phase),
                created: info.and_then(|i| i.created),
                fix: ix.fix_for(&p.pod),
            }
        })
        .collect()
}

impl Row for PodRow {
    const SORTS: &'static [&'static str] = &["worst first", "name", "node", "newest"];

    fn key(&self) -> &str {
        &self.key
    }
    /// Built when the filter runs rather than kept: 50,000 kept haystacks took ~7 MB.
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Owned(haystack([
            self.key.as_str(),
            &self.service_account,
            self.node.as_deref().unwrap_or(""),
            &self.identity,
            self.worst.map(FindingCode::as_str).unwrap_or(""),
        ]))
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
