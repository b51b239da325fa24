//! A finding: one thing that is wrong or risky, with the evidence that proves it.
//! The catalog (default severity and meaning of each code) lives in `analysis::findings`.

use super::Subject;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// How bad a finding is. Ordered: `Info < Low < Medium < High < Critical`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Low,
    Medium,
    High,
    Critical,
}

impl Severity {
    pub const ALL: [Severity; 5] = [
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|sev| sev.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                format!("unknown severity {s:?} (expected info, low, medium, high or critical)")
            })
    }
}

macro_rules! finding_codes {
    ($($code:ident),* $(,)?) => {
        /// The stable finding codes of IRSA.md §5. They appear in the UI, the JSON output and the docs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum FindingCode { $($code),* }

        impl FindingCode {
            pub const ALL: &'static [FindingCode] = &[$(FindingCode::$code),*];
            pub fn as_str(self) -> &'static str {
                match self { $(FindingCode::$code => stringify!($code)),* }
            }
        }
    };
}

finding_codes!(
    IRSA001, IRSA002, IRSA003, IRSA004, IRSA005, IRSA006, IRSA007, IRSA008, IRSA009, IRSA010,
    IRSA011, IRSA012, POD001, POD002, POD003, POD004, POD005, POD006, POD007, POD008, POD009,
    POD010, POD011, POD012, POD013, POD014, POD015, POD016, POD017, POD018, NODE001, NODE002,
    NODE003, AUD001, AUD002, AUD003, AUD004, AUD005, AUD006, AUD007, AUD008, AUD009, AUD010,
    AUD011, AUD012, AUD013,
);

impl fmt::Display for FindingCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for FindingCode {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FindingCode::ALL
            .iter()
            .copied()
            .find(|c| c.as_str().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| format!("unknown finding code {s:?}"))
    }
}

/// One value compared: what was expected, what was found. Either side may be absent
/// (e.g. "no OIDC provider" has only an expected side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Evidence {
    /// What is compared, e.g. `trust condition …:sub` or `IMDS HttpPutResponseHopLimit`.
    pub item: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actual: Option<String>,
}

impl Evidence {
    pub fn new(item: impl Into<String>, expected: Option<String>, actual: Option<String>) -> Self {
        Self {
            item: item.into(),
            expected,
            actual,
        }
    }
    /// Evidence with only an observed value.
    pub fn observed(item: impl Into<String>, actual: impl Into<String>) -> Self {
        Self {
            item: item.into(),
            expected: None,
            actual: Some(actual.into()),
        }
    }
    /// Evidence comparing an expected with an actual value.
    pub fn compare(
        item: impl Into<String>,
        expected: impl Into<String>,
        actual: impl Into<String>,
    ) -> Self {
        Self {
            item: item.into(),
            expected: Some(expected.into()),
            actual: Some(actual.into()),
        }
    }
}

/// One finding, as shown in the Findings pane and printed by `audit`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    pub code: FindingCode,
    pub severity: Severity,
    pub subject: Subject,
    /// One line, specific to the subject (names the values, not just the rule).
    pub title: String,
    pub evidence: Vec<Evidence>,
    /// The error a user of the workload would see, verbatim as AWS or the SDK prints it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub aws_error: Option<String>,
    /// The fix, as a command where one exists, else one sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<String>,
    /// Other objects involved (the role of an SA finding, the pods of a node finding, …).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<Subject>,
    /// Set when an ignore file accepts this finding (it stays in the report, marked, and no
    /// longer fails `--fail-on`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accepted: Option<Box<Acceptance>>,
}

/// Why a finding is accepted, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Acceptance {
    pub reason: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<jiff::civil::Date>,
}
