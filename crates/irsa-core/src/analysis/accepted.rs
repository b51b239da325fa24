//! Accepted findings: an ignore file (`.irsa-inspector-ignore.yaml`) lists findings a team has
//! decided to live with — by code and subject, each with a reason and an optional expiry date.
//! An accepted finding stays in the report, marked, and no longer fails `audit --fail-on`;
//! after its date it counts again and the run says so. An entry that matches nothing is
//! reported too (the finding was fixed, or the entry has a typo).
//!
//! ```yaml
//! accepted:
//!   - code: AUD002
//!     subject: role/arn:aws:iam::123456789012:role/legacy-batch   # KIND/[NAMESPACE/]NAME, `*` and `?` match
//!     reason: "trust pinned by an SCP on sts:AssumeRoleWithWebIdentity (SEC-1142)"
//!     expires: 2027-03-31
//! ```

use crate::analysis::audit::AuditReport;
use crate::model::{Acceptance, Finding, FindingCode};
use jiff::civil::Date;
use serde::Deserialize;
use std::str::FromStr;
use thiserror::Error;
use wildmatch::WildMatch;

/// The ignore file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreFile {
    #[serde(default)]
    pub accepted: Vec<IgnoreEntry>,
}

/// One accepted finding (or family of findings, with wildcards in `subject`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IgnoreEntry {
    pub code: String,
    pub subject: String,
    pub reason: String,
    #[serde(default)]
    pub expires: Option<Date>,
}

/// What is wrong with an ignore file, naming the entry.
#[derive(Debug, Error, PartialEq, Eq)]
pub enum IgnoreError {
    #[error("not a valid ignore file: {0}")]
    Syntax(String),
    #[error("entry {index}: {why}")]
    Entry { index: usize, why: String },
}

/// Parses and checks an ignore file: known codes, a reason on every entry.
pub fn parse(text: &str) -> Result<IgnoreFile, IgnoreError> {
    let file: IgnoreFile = serde_yaml_ng::from_str(text).map_err(|e| {
        // serde's message without the values it quotes (an ignore file is no secret, but
        // one line is enough).
        IgnoreError::Syntax(e.to_string().lines().next().unwrap_or_default().to_owned())
    })?;
    for (i, e) in file.accepted.iter().enumerate() {
        let index = i + 1;
        if FindingCode::from_str(e.code.trim()).is_err() {
            return Err(IgnoreError::Entry {
                index,
                why: format!("unknown finding code {:?}", e.code),
            });
        }
        if e.reason.trim().is_empty() {
            return Err(IgnoreError::Entry {
                index,
                why: "a reason is required (why is this finding acceptable?)".to_owned(),
            });
        }
        if e.subject.trim().is_empty() {
            return Err(IgnoreError::Entry {
                index,
                why: "a subject is required (KIND/[NAMESPACE/]NAME, e.g. service-account/demo/app)"
                    .to_owned(),
            });
        }
    }
    Ok(file)
}

fn matches(entry: &IgnoreEntry, f: &Finding) -> bool {
    f.code.as_str().eq_ignore_ascii_case(entry.code.trim())
        && WildMatch::new(entry.subject.trim()).matches(&f.subject.qualified())
}

/// Marks the findings `file` accepts as of `today`; returns one warning per expired entry
/// that still matches and per entry that matches nothing.
pub fn apply(report: &mut AuditReport, file: &IgnoreFile, today: Date) -> Vec<String> {
    let mut warnings = Vec::new();
    for (i, entry) in file.accepted.iter().enumerate() {
        let expired = entry.expires.is_some_and(|d| d < today);
        let mut matched = 0;
        for f in report.findings.iter_mut().filter(|f| matches(entry, f)) {
            matched += 1;
            if !expired {
                f.accepted = Some(Box::new(Acceptance {
                    reason: entry.reason.trim().to_owned(),
                    expires: entry.expires,
                }));
            }
        }
        match (matched, expired) {
            (0, _) => warnings.push(format!(
                "ignore entry {} ({} {}) matches no finding: fixed, or a typo — remove it",
                i + 1,
                entry.code.trim(),
                entry.subject.trim()
            )),
            (n, true) => warnings.push(format!(
                "ignore entry {} ({} {}) expired on {}: its {n} finding{} count{} again",
                i + 1,
                entry.code.trim(),
                entry.subject.trim(),
                entry.expires.map(|d| d.to_string()).unwrap_or_default(),
                if n == 1 { "" } else { "s" },
                if n == 1 { "s" } else { "" }
            )),
            _ => {}
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_need_a_known_code_a_subject_and_a_reason() {
        assert!(parse("accepted: []").is_ok());
        let bad = |text: &str| parse(text).unwrap_err().to_string();
        assert!(
            bad("accepted:\n  - code: NOPE1\n    subject: pod/a/b\n    reason: x\n")
                .contains("entry 1: unknown finding code")
        );
        assert!(
            bad("accepted:\n  - code: AUD002\n    subject: pod/a/b\n    reason: ' '\n")
                .contains("a reason is required")
        );
        assert!(bad("accepted:\n  - code: AUD002\n    subject: pod/a/b\n    reason: r\n    until: 2027-01-01\n").starts_with("not a valid ignore file"));
        assert!(bad("accepted:\n  - code: AUD002\n    subject: pod/a/b\n    reason: r\n    expires: tomorrow\n").starts_with("not a valid ignore file"));
    }
}
