//! Rows of the Findings pane: every finding, worst first, grouped by code.

use super::haystack;
use crate::rows::Row;
use irsa_core::analysis::audit::AuditReport;
use irsa_core::model::{FindingCode, Severity, Subject, SubjectKind};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One finding.
#[derive(Debug, Clone, PartialEq)]
pub struct FindingRow {
    pub key: String,
    pub code: FindingCode,
    pub severity: Severity,
    pub subject: Subject,
    /// `sa demo/s3-reader`, `role eks-…`, `node ip-…`.
    pub subject_label: String,
    pub title: String,
    /// Where the finding is in the report's list (the drill-down reads it there; a copy in
    /// every row doubled the findings' memory).
    pub at: usize,
    /// The finding's fix, for `y`.
    pub fix: Option<String>,
    haystack: String,
}

pub(super) fn derive(report: &AuditReport) -> Vec<FindingRow> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    report
        .findings
        .iter()
        .enumerate()
        .map(|(at, f)| {
            let base = format!("{} {}", f.code, f.subject);
            let n = seen.entry(base.clone()).or_insert(0);
            *n += 1;
            let key = if *n == 1 {
                base
            } else {
                format!("{base} #{n}")
            };
            let subject_label = subject_label(&f.subject);
            let hay = haystack([
                f.code.as_str(),
                f.severity.as_str(),
                subject_label.as_str(),
                f.title.as_str(),
            ]);
            FindingRow {
                key,
                code: f.code,
                severity: f.severity,
                subject: f.subject.clone(),
                subject_label,
                title: f.title.clone(),
                at,
                fix: f.fix.clone(),
                haystack: hay,
            }
        })
        .collect()
}

/// A short label for a subject: `sa ns/name`, `pod ns/name`, `role NAME`, `node NAME`, ….
pub fn subject_label(s: &Subject) -> String {
    let kind = match s.kind {
        SubjectKind::ServiceAccount => "sa",
        SubjectKind::Pod => "pod",
        SubjectKind::Node => "node",
        SubjectKind::Role => "role",
        SubjectKind::OidcProvider => "oidc",
        SubjectKind::Cluster => "cluster",
    };
    match (&s.namespace, s.kind) {
        (Some(ns), _) => format!("{kind} {ns}/{}", s.name),
        (None, SubjectKind::Role | SubjectKind::OidcProvider) => {
            format!("{kind} {}", super::arn_name(&s.name))
        }
        (None, _) => format!("{kind} {}", s.name),
    }
}

impl Row for FindingRow {
    const SORTS: &'static [&'static str] = &["worst first", "code", "subject"];

    fn key(&self) -> &str {
        &self.key
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn namespace(&self) -> Option<&str> {
        self.subject.namespace.as_deref()
    }
    fn copy_value(&self) -> Option<&str> {
        self.fix.as_deref()
    }
    fn compare(&self, other: &Self, sort: usize) -> Ordering {
        let by_subject = || self.subject.cmp(&other.subject);
        let by_code = || self.code.cmp(&other.code);
        match sort {
            0 => other
                .severity
                .cmp(&self.severity)
                .then_with(by_code)
                .then_with(by_subject),
            1 => by_code().then_with(by_subject),
            _ => by_subject().then_with(by_code),
        }
        .then_with(|| self.key.cmp(&other.key))
    }
}
