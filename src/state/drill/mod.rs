//! Drill-downs: the detail views Enter opens. Each is built once (on Enter, and again when new
//! data arrives) into styled text lines; drawing only scrolls through them. The lines carry
//! semantic [`Tone`]s, not colours, so the theme (and `NO_COLOR`) decides how they look.

mod finding;
pub mod live;
mod node;
mod permissions;
mod pod;
mod role;
mod service_account;
mod trust_view;
mod wrap;

pub use wrap::wrap;

use crate::tone::Tone;
use irsa_core::dataset::Dataset;
use irsa_core::model::{Finding, Subject};
use jiff::Timestamp;

/// A run of text with one tone: the drill-down's own, ratatui-free span (`ui::drill` turns it
/// into a ratatui `Span`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrillSpan {
    pub tone: Tone,
    pub text: String,
}

impl DrillSpan {
    /// A span of text with a tone.
    pub fn new(tone: Tone, text: impl Into<String>) -> DrillSpan {
        DrillSpan {
            tone,
            text: text.into(),
        }
    }
}

/// One line of a drill-down (ratatui-free; `ui::drill` turns it into a ratatui `Line`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrillLine {
    pub spans: Vec<DrillSpan>,
}

impl DrillLine {
    /// A line of spans.
    pub fn new(spans: Vec<DrillSpan>) -> DrillLine {
        DrillLine { spans }
    }
    /// A line of one tone.
    pub fn toned(tone: Tone, text: impl Into<String>) -> DrillLine {
        DrillLine::new(vec![DrillSpan::new(tone, text)])
    }
    /// A plain line.
    pub fn plain(text: impl Into<String>) -> DrillLine {
        DrillLine::toned(Tone::Plain, text)
    }
    /// A section heading.
    pub fn heading(text: impl Into<String>) -> DrillLine {
        DrillLine::toned(Tone::Heading, text)
    }
    /// An empty line.
    pub fn blank() -> DrillLine {
        DrillLine::default()
    }
    /// `  label  value` with the label dimmed.
    pub fn field(label: &str, value: impl Into<String>) -> DrillLine {
        DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {label:<18}")),
            DrillSpan::new(Tone::Plain, value),
        ])
    }
    /// The text of the line without tones.
    pub fn text(&self) -> String {
        self.spans.iter().map(|s| s.text.as_str()).collect()
    }
}

/// Which object a drill-down shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DrillTarget {
    /// The trust view of a ServiceAccount.
    ServiceAccount { namespace: String, name: String },
    /// The identity view of a pod.
    Pod { namespace: String, name: String },
    /// The policies view of a role.
    Role { arn: String },
    /// A node's IMDS settings and the pods that fall back to its role.
    Node { name: String },
    /// One finding (by its Findings-pane key), for subjects no pane lists.
    Finding { key: String },
    /// `:can ACTION RESOURCE` asked in a pod or ServiceAccount view (`from`, where Esc goes
    /// back to).
    CanI {
        action: String,
        resource: String,
        /// `NAME=VALUE` condition keys given after the resource.
        keys: Vec<(String, String)>,
        from: Box<DrillTarget>,
    },
}

impl DrillTarget {
    /// The pod or ServiceAccount a `:can` question is about, when this view is about one.
    pub fn can_i_subject(&self) -> Option<&DrillTarget> {
        match self {
            DrillTarget::Pod { .. } | DrillTarget::ServiceAccount { .. } => Some(self),
            DrillTarget::CanI { from, .. } => from.can_i_subject(),
            _ => None,
        }
    }
}

/// An open drill-down.
#[derive(Debug, Clone, PartialEq)]
pub struct Drill {
    pub target: DrillTarget,
    pub title: String,
    pub lines: Vec<DrillLine>,
    /// First visible line.
    pub scroll: usize,
    /// What `y` copies here (the fix command, a role ARN).
    pub copy: Option<String>,
}

/// Builds the drill-down of a target from the current data at `now`.
pub fn build(target: &DrillTarget, data: &Dataset, now: Timestamp) -> Drill {
    let (title, lines, copy) = match target {
        DrillTarget::ServiceAccount { namespace, name } => {
            service_account::build(data, namespace, name)
        }
        DrillTarget::Pod { namespace, name } => pod::build(data, namespace, name, now),
        DrillTarget::Role { arn } => role::build(data, arn, now),
        DrillTarget::Node { name } => node::build(data, name),
        DrillTarget::Finding { key } => finding::build(data, key),
        DrillTarget::CanI { .. } => can_i(data, target),
    };
    Drill {
        target: target.clone(),
        title,
        lines,
        scroll: 0,
        copy,
    }
}

/// The `:can` view: the core's answer for the pod (or the ServiceAccount's first pod).
fn can_i(data: &Dataset, target: &DrillTarget) -> (String, Vec<DrillLine>, Option<String>) {
    let title = match target {
        DrillTarget::CanI {
            action, resource, ..
        } => format!("can {action} on {resource}?"),
        _ => "can-i".to_owned(),
    };
    match can_i_answer(data, target) {
        Ok(answer) => (title, permissions::can_i_lines(&answer), None),
        Err(e) => (
            title,
            vec![DrillLine::toned(Tone::Unknown, format!("  {e}"))],
            None,
        ),
    }
}

/// The core's answer to a `:can` view's question (for the view, and for `A`, which asks AWS
/// about the role this answer says the pod runs as).
pub fn can_i_answer(
    data: &Dataset,
    target: &DrillTarget,
) -> Result<irsa_core::analysis::permission::can_i::CanIAnswer, String> {
    use irsa_core::analysis::permission::can_i::{self, CanIQuery, CanISubject};
    let DrillTarget::CanI {
        action,
        resource,
        from,
        ..
    } = target
    else {
        return Err("not a :can view".to_owned());
    };
    let subject = match from.as_ref() {
        DrillTarget::Pod { namespace, name } => CanISubject::Pod {
            namespace: namespace.clone(),
            name: name.clone(),
        },
        DrillTarget::ServiceAccount { namespace, name } => CanISubject::ServiceAccount {
            namespace: namespace.clone(),
            name: name.clone(),
        },
        _ => return Err(":can asks about a pod or a ServiceAccount: open one first".to_owned()),
    };
    let query = CanIQuery {
        action: action.clone(),
        resource: resource.clone(),
        keys: request_keys(target),
        resource_account: None,
        resource_policy_unknown: None,
        container: None,
    };
    can_i::can_i(&data.inventory, &data.report, &subject, &query).map_err(|e| e.to_string())
}

/// The `NAME=VALUE` keys of a `:can` view as request keys (a repeated name is multi-valued).
pub fn request_keys(target: &DrillTarget) -> Vec<irsa_core::analysis::trust::RequestKey> {
    let mut keys = Vec::new();
    if let DrillTarget::CanI { keys: given, .. } = target {
        for (name, value) in given {
            irsa_core::analysis::trust::RequestKey::add(&mut keys, name, value);
        }
    }
    keys
}

/// Findings about a subject or naming it as related, worst first (the report's order).
fn findings_about<'a>(
    data: &'a Dataset,
    subject: &'a Subject,
) -> impl Iterator<Item = &'a Finding> {
    data.report
        .findings
        .iter()
        .filter(move |f| &f.subject == subject || f.related.contains(subject))
}

/// The lines of one finding: code, severity, title, evidence, AWS error, fix.
fn finding_lines(f: &Finding) -> Vec<DrillLine> {
    let tone = severity_tone(f.severity);
    let mut lines = vec![DrillLine::new(vec![
        DrillSpan::new(
            tone,
            format!("  {} {:<8}", f.code, f.severity.as_str().to_uppercase()),
        ),
        DrillSpan::new(Tone::Plain, format!(" {}", f.title)),
    ])];
    for e in &f.evidence {
        let mut spans = vec![DrillSpan::new(Tone::Dim, format!("      {}: ", e.item))];
        if let Some(expected) = &e.expected {
            spans.push(DrillSpan::new(Tone::Plain, format!("expected {expected}")));
        }
        if let Some(actual) = &e.actual {
            let sep = if e.expected.is_some() { ", " } else { "" };
            spans.push(DrillSpan::new(Tone::Plain, format!("{sep}actual {actual}")));
        }
        lines.push(DrillLine::new(spans));
    }
    if let Some(err) = &f.aws_error {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "      AWS says: "),
            DrillSpan::new(Tone::Bad, err.clone()),
        ]));
    }
    if let Some(fix) = &f.fix {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "      fix: "),
            DrillSpan::new(Tone::Code, fix.clone()),
        ]));
    }
    lines
}

/// The tone of a severity badge.
pub fn severity_tone(s: irsa_core::model::Severity) -> Tone {
    use irsa_core::model::Severity;
    match s {
        Severity::Critical | Severity::High => Tone::Bad,
        Severity::Medium | Severity::Low => Tone::Warn,
        Severity::Info => Tone::Dim,
    }
}

/// A "Findings" section: every finding about the subject, or a line saying there are none.
fn findings_section<'a>(lines: &mut Vec<DrillLine>, findings: impl Iterator<Item = &'a Finding>) {
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Findings"));
    let before = lines.len();
    for f in findings {
        lines.extend(finding_lines(f));
    }
    if lines.len() == before {
        lines.push(DrillLine::toned(Tone::Good, "  none"));
    }
}
