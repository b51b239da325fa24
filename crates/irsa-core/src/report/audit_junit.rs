//! `audit --format junit`: the audit as a JUnit XML report, for the test views of CI systems
//! (GitLab's test report and merge-request widget, Jenkins' JUnit plugin, …).
//!
//! **One test case per object, one suite per kind of object.** Every ServiceAccount and every
//! pod of the report is a test case (`service-account/NS/NAME`, `pod/NS/NAME`, the name the
//! ignore file and SARIF use), grouped in a suite per kind; a role, node, OIDC provider or the
//! cluster is a test case when a finding names it (the report lists every ServiceAccount and
//! pod, not every role). Why objects rather than findings: the CI views track a test by its
//! name across pipelines — GitLab shows a merge request's *new* and *fixed* failures, Jenkins
//! how long a test has been failing — and an object that gets fixed then turns from failed to
//! passed instead of vanishing from the report, while the number of tests says how much of the
//! cluster was checked. The `classname` is `irsa-inspector.KIND[.NAMESPACE]`, which Jenkins
//! shows as a package tree (kind, then namespace).
//!
//! A test case **fails** when a finding about its object is at or above the threshold
//! (`--fail-on`, high when not given) and not accepted: one `<failure>` (GitLab reads only the
//! first), typed with the worst code, its message naming it, its text every such finding with
//! evidence, AWS error and fix. When all such findings are accepted by the ignore file, the
//! case is **skipped** with the acceptance's reason. The other findings about the object, and
//! for pods and ServiceAccounts their identity and verdict, are its `<system-out>`. Each finding
//! fails at most one test case (a pod's inherited ServiceAccount finding fails the
//! ServiceAccount's), so the failures add up to the findings `--fail-on` counts. What could not
//! be checked (the report's `unknowns`) is a last suite, `unknowns`, of skipped cases.
//!
//! Written by hand rather than with an XML crate: the output is a fixed, shallow shape, and a
//! writer crate would still leave us the one part that needs care — characters XML 1.0 does
//! not allow at all (most C0 controls, which no escape can carry), replaced here with `?`
//! together with the bidi and C1 controls [`super::clean`] removes for terminals, before the
//! five markup characters are escaped.

use super::audit_table::mechanism_label;
use super::is_unsafe;
use crate::analysis::audit::{AuditReport, Binding, PodIdentity};
use crate::analysis::verdict::Verdict;
use crate::model::{Finding, Severity, Subject, SubjectKind};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

/// The suites, in the order they are written.
const KINDS: [SubjectKind; 6] = [
    SubjectKind::ServiceAccount,
    SubjectKind::Pod,
    SubjectKind::Role,
    SubjectKind::OidcProvider,
    SubjectKind::Node,
    SubjectKind::Cluster,
];

/// The JUnit XML of `report`: findings at or above `fail_at` that are not accepted fail their
/// object's test case. Newline-terminated.
pub fn render(report: &AuditReport, fail_at: Severity) -> String {
    let suites = suites(report, fail_at);
    let cases: usize = suites.iter().map(|s| s.cases.len()).sum();
    let failures: usize = suites.iter().map(Suite::failures).sum();
    let skipped: usize = suites.iter().map(Suite::skipped).sum();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        out,
        "<testsuites name=\"irsa-inspector audit\" tests=\"{cases}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\">",
    );
    let timestamp = report
        .generated_at
        .strftime("%Y-%m-%dT%H:%M:%S")
        .to_string();
    for suite in &suites {
        write_suite(&mut out, report, suite, &timestamp, fail_at);
    }
    out.push_str("</testsuites>\n");
    out
}

/// One test case: an object and what is wrong with it.
struct Case<'a> {
    name: String,
    classname: String,
    outcome: Outcome<'a>,
    /// `<system-out>` lines: the object's identity, the findings that do not fail it.
    notes: Vec<String>,
}

enum Outcome<'a> {
    Passed,
    /// The unaccepted findings at or above the threshold, worst first.
    Failed(Vec<&'a Finding>),
    /// Why it was not judged (accepted findings, an input that could not be read).
    Skipped(String),
}

struct Suite<'a> {
    name: &'static str,
    cases: Vec<Case<'a>>,
}

impl Suite<'_> {
    fn failures(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Failed(_)))
            .count()
    }
    fn skipped(&self) -> usize {
        self.cases
            .iter()
            .filter(|c| matches!(c.outcome, Outcome::Skipped(_)))
            .count()
    }
}

/// The suites of `report`: a case per ServiceAccount and pod, and per other subject of a
/// finding; then the unknowns.
fn suites(report: &AuditReport, fail_at: Severity) -> Vec<Suite<'_>> {
    // Findings by subject, in report order (worst first).
    let mut about: BTreeMap<&Subject, Vec<&Finding>> = BTreeMap::new();
    for f in &report.findings {
        about.entry(&f.subject).or_default().push(f);
    }
    let mut subjects: BTreeMap<SubjectKind, Vec<(Subject, Vec<String>)>> = BTreeMap::new();
    for b in &report.bindings {
        subjects
            .entry(SubjectKind::ServiceAccount)
            .or_default()
            .push((b.service_account.clone(), binding_notes(b)));
    }
    for p in &report.pods {
        subjects
            .entry(SubjectKind::Pod)
            .or_default()
            .push((p.pod.clone(), pod_notes(p)));
    }
    // Subjects only findings name (roles, nodes, …, and any object missing from the lists).
    let listed: BTreeSet<&Subject> = report
        .bindings
        .iter()
        .map(|b| &b.service_account)
        .chain(report.pods.iter().map(|p| &p.pod))
        .collect();
    for subject in about.keys() {
        if !listed.contains(subject) {
            subjects
                .entry(subject.kind)
                .or_default()
                .push(((*subject).clone(), Vec::new()));
        }
    }
    let mut suites: Vec<Suite<'_>> = KINDS
        .iter()
        .filter_map(|kind| {
            let listed = subjects.remove(kind)?;
            let cases = listed
                .into_iter()
                .map(|(subject, notes)| {
                    let findings = about.get(&subject).map_or(&[][..], Vec::as_slice);
                    case(&subject, findings, notes, fail_at)
                })
                .collect();
            Some(Suite {
                name: kind.as_str(),
                cases,
            })
        })
        .collect();
    if !report.unknowns.is_empty() {
        let cases = report
            .unknowns
            .iter()
            .map(|u| Case {
                name: format!("{}: {}", u.source.as_str(), u.message),
                classname: "irsa-inspector.unknown".to_owned(),
                outcome: Outcome::Skipped(format!("not checked: {}", u.message)),
                notes: Vec::new(),
            })
            .collect();
        suites.push(Suite {
            name: "unknowns",
            cases,
        });
    }
    suites
}

/// The test case of `subject`, whose findings are `findings` (worst first).
fn case<'a>(
    subject: &Subject,
    findings: &[&'a Finding],
    mut notes: Vec<String>,
    fail_at: Severity,
) -> Case<'a> {
    let (blocking, others): (Vec<&Finding>, Vec<&Finding>) =
        findings.iter().partition(|f| f.severity >= fail_at);
    let (accepted, failing): (Vec<&Finding>, Vec<&Finding>) =
        blocking.into_iter().partition(|f| f.accepted.is_some());
    let outcome = if !failing.is_empty() {
        Outcome::Failed(failing)
    } else if !accepted.is_empty() {
        let reasons: Vec<String> = accepted.iter().map(|f| accepted_line(f)).collect();
        Outcome::Skipped(reasons.join("; "))
    } else {
        Outcome::Passed
    };
    notes.extend(others.iter().map(|f| finding_line(f)));
    // An accepted finding of a failing case is still worth a line.
    if matches!(outcome, Outcome::Failed(_)) {
        notes.extend(accepted.iter().map(|f| accepted_line(f)));
    }
    let classname = match &subject.namespace {
        Some(ns) => format!("irsa-inspector.{}.{ns}", subject.kind.as_str()),
        None => format!("irsa-inspector.{}", subject.kind.as_str()),
    };
    Case {
        name: subject.qualified(),
        classname,
        outcome,
        notes,
    }
}

fn binding_notes(b: &Binding) -> Vec<String> {
    let mut line = format!("mechanism: {}", mechanism_label(b.mechanism));
    for role in [&b.role_arn, &b.pod_identity_role_arn]
        .into_iter()
        .flatten()
    {
        let _ = write!(line, ", role: {}", role.trim());
    }
    let _ = write!(
        line,
        ", verdict: {}, pods: {}",
        verdict_word(b.verdict),
        b.pods
    );
    vec![line]
}

fn pod_notes(p: &PodIdentity) -> Vec<String> {
    let mut line = format!(
        "identity: {}, verdict: {}",
        p.identity,
        verdict_word(p.verdict)
    );
    if let Some(worst) = p.worst {
        let _ = write!(line, " (worst: {worst})");
    }
    vec![line]
}

/// The verdict as the JSON report writes it.
fn verdict_word(v: Verdict) -> &'static str {
    match v {
        Verdict::None => "none",
        Verdict::Ok => "ok",
        Verdict::Unknown => "unknown",
        Verdict::Warn => "warn",
        Verdict::Fail => "fail",
    }
}

/// `CODE (severity): title`.
fn finding_line(f: &Finding) -> String {
    format!("{} ({}): {}", f.code, f.severity, f.title)
}

/// `CODE accepted: reason (until DATE)`.
fn accepted_line(f: &Finding) -> String {
    match &f.accepted {
        Some(a) => match a.expires {
            Some(d) => format!("{} accepted: {} (until {d})", f.code, a.reason),
            None => format!("{} accepted: {}", f.code, a.reason),
        },
        None => finding_line(f),
    }
}

/// A failing finding in full: the line, evidence, the error the workload sees, the fix.
fn finding_detail(f: &Finding, out: &mut String) {
    let _ = writeln!(out, "{}", finding_line(f));
    for e in &f.evidence {
        let _ = write!(out, "  - {}", e.item);
        if let Some(x) = &e.expected {
            let _ = write!(out, ": expected {x}");
        }
        if let Some(a) = &e.actual {
            let _ = write!(out, ", actual {a}");
        }
        out.push('\n');
    }
    if let Some(err) = &f.aws_error {
        let _ = writeln!(out, "  AWS error: {err}");
    }
    if let Some(fix) = &f.fix {
        let _ = writeln!(out, "  fix: {fix}");
    }
}

fn write_suite(
    out: &mut String,
    report: &AuditReport,
    suite: &Suite<'_>,
    timestamp: &str,
    fail_at: Severity,
) {
    let _ = writeln!(
        out,
        "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" timestamp=\"{timestamp}\">",
        suite.name,
        suite.cases.len(),
        suite.failures(),
        suite.skipped(),
    );
    out.push_str("    <properties>\n");
    let properties = [
        ("cluster", report.cluster.as_deref()),
        ("account", report.account.as_deref()),
        ("issuer", report.issuer.as_deref()),
        ("fail-on", Some(fail_at.as_str())),
    ];
    for (name, value) in properties {
        if let Some(value) = value {
            let _ = writeln!(
                out,
                "      <property name=\"{name}\" value=\"{}\"/>",
                attribute(value)
            );
        }
    }
    out.push_str("    </properties>\n");
    for case in &suite.cases {
        write_case(out, case);
    }
    out.push_str("  </testsuite>\n");
}

fn write_case(out: &mut String, case: &Case<'_>) {
    let _ = write!(
        out,
        "    <testcase name=\"{}\" classname=\"{}\"",
        attribute(&case.name),
        attribute(&case.classname)
    );
    if matches!(case.outcome, Outcome::Passed) && case.notes.is_empty() {
        out.push_str("/>\n");
        return;
    }
    out.push_str(">\n");
    match &case.outcome {
        Outcome::Passed => {}
        Outcome::Failed(findings) => {
            // Worst first: the first finding names the failure.
            if let Some(worst) = findings.first() {
                let more = match findings.len() {
                    1 => String::new(),
                    n => format!(" (+{} more)", n - 1),
                };
                let message = format!("{}{more}", finding_line(worst));
                let mut detail = String::new();
                for f in findings {
                    finding_detail(f, &mut detail);
                }
                let _ = writeln!(
                    out,
                    "      <failure type=\"{}\" message=\"{}\">{}</failure>",
                    worst.code,
                    attribute(&message),
                    text(detail.trim_end())
                );
            }
        }
        Outcome::Skipped(reason) => {
            let _ = writeln!(out, "      <skipped message=\"{}\"/>", attribute(reason));
        }
    }
    if !case.notes.is_empty() {
        let _ = writeln!(
            out,
            "      <system-out>{}</system-out>",
            text(&case.notes.join("\n"))
        );
    }
    out.push_str("    </testcase>\n");
}

/// A character XML 1.0 cannot carry at all, or one that must not reach a terminal showing
/// the report (C1 and bidi controls): written as `?`. Tab and line breaks stay.
fn unwritable(c: char) -> bool {
    (is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

/// `value` as element text.
fn text(value: &str) -> String {
    escape(value, false)
}

/// `value` as a double-quoted attribute value (line breaks and tabs as character
/// references, so the parser's attribute normalisation keeps them).
fn attribute(value: &str) -> String {
    escape(value, true)
}

fn escape(value: &str, in_attribute: bool) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            c if unwritable(c) => out.push('?'),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_and_characters_xml_cannot_carry_are_neutralised() {
        assert_eq!(
            attribute("a<b>&\"c'\n\td"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;&#9;d"
        );
        assert_eq!(text("x]]>y\u{0}\u{1b}[2J\u{202e}z\n"), "x]]&gt;y??[2J?z\n");
        assert_eq!(text("\u{fffe}ok"), "?ok");
    }
}
