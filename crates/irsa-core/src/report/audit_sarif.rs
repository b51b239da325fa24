//! `audit --format sarif`: the findings as a SARIF 2.1.0 log (OASIS), for code-scanning tools.
//!
//! Each finding code is a rule (`tool.driver.rules`, from the catalog: short name, summary,
//! default severity); each finding a result whose location is logical — the Kubernetes or IAM
//! object it is about (`serviceaccount/NS/NAME`, `pod/NS/NAME`, `role/NAME`, …): a cluster has
//! no source file to point at. `partialFingerprints` keep a finding's identity stable across
//! runs (code + subject), so a scanner can track it as the same alert. Written with
//! `serde_json` values rather than a SARIF crate: the few fields used are plain JSON, and the
//! SARIF crates on crates.io model the whole schema (thousands of lines) for no gain here.

use crate::analysis::audit::AuditReport;
use crate::analysis::findings::entry;
use crate::model::{Finding, FindingCode, Severity};
use serde_json::{Value, json};

/// SARIF's level for a severity: `error` for high and critical, `warning` for medium and
/// low, `note` for info.
fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium | Severity::Low => "warning",
        Severity::Info => "note",
    }
}

/// GitHub's `security-severity` (0–10) for a severity.
fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "3.0",
        Severity::Info => "0.0",
    }
}

fn result(f: &Finding, rule_index: usize) -> Value {
    let mut message = f.title.clone();
    for e in &f.evidence {
        message.push_str(&format!("\n- {}", e.item));
        if let Some(x) = &e.expected {
            message.push_str(&format!(": expected {x}"));
        }
        if let Some(a) = &e.actual {
            message.push_str(&format!(", actual {a}"));
        }
    }
    if let Some(fix) = &f.fix {
        message.push_str(&format!("\nFix: {fix}"));
    }
    let mut r = json!({
        "ruleId": f.code.as_str(),
        "ruleIndex": rule_index,
        "level": level(f.severity),
        "message": {"text": message},
        "locations": [{
            "logicalLocations": [{
                "name": f.subject.name,
                "fullyQualifiedName": f.subject.qualified(),
                "kind": "resource",
            }],
        }],
        "partialFingerprints": {
            "irsaInspectorFinding/v1": format!("{}:{}", f.code.as_str(), f.subject.qualified()),
        },
        "properties": {
            "severity": f.severity.as_str(),
        },
    });
    if let Some(err) = &f.aws_error {
        r["properties"]["awsError"] = json!(err);
    }
    // An ignore file's acceptance is SARIF's external suppression.
    if let Some(a) = &f.accepted {
        r["suppressions"] = json!([{
            "kind": "external",
            "justification": match a.expires {
                Some(d) => format!("{} (until {d})", a.reason),
                None => a.reason.clone(),
            },
        }]);
    }
    if !f.related.is_empty() {
        r["relatedLocations"] = Value::Array(
            f.related
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    json!({"id": i, "logicalLocations": [{
                        "name": s.name, "fullyQualifiedName": s.qualified(), "kind": "resource"}]})
                })
                .collect(),
        );
    }
    r
}

/// The SARIF log of `report`.
pub fn render(report: &AuditReport) -> Result<String, serde_json::Error> {
    let rules: Vec<Value> = FindingCode::ALL
        .iter()
        .map(|&code| {
            let e = entry(code);
            json!({
                "id": code.as_str(),
                "name": e.name,
                "shortDescription": {"text": e.summary},
                "defaultConfiguration": {"level": level(e.severity)},
                "properties": {
                    "security-severity": security_severity(e.severity),
                    "tags": ["security", "iam", "kubernetes"],
                },
            })
        })
        .collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|f| {
            let index = FindingCode::ALL
                .iter()
                .position(|c| *c == f.code)
                .unwrap_or_default();
            result(f, index)
        })
        .collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "irsa-inspector",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "columnKind": "unicodeCodePoints",
        }],
    });
    serde_json::to_string_pretty(&log)
}
