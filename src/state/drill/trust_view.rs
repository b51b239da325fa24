//! The trust-policy part of the ServiceAccount view: the evaluator's trace for the request a
//! pod of this SA makes (from the analysis) — each statement with its principal, action and
//! conditions (expected, actual, ✓/✗), the deciding statement marked — then the role's trust
//! document, pretty-printed.

use super::{Line, Span, Tone};
use crate::analysis::audit::{IrsaAnalysis, TrustOutcome};
use crate::analysis::policy;
use crate::analysis::trust::{Decision, StatementTrace};
use crate::event::Dataset;
use crate::model::RoleLookup;

pub(super) fn trust_section(lines: &mut Vec<Line>, data: &Dataset, irsa: &IrsaAnalysis) {
    lines.push(Line::blank());
    lines.push(Line::heading(format!("Trust policy of {}", irsa.role_arn)));
    match &irsa.trust {
        TrustOutcome::Evaluated { verdict } => {
            let (mark, tone) = match verdict.decision {
                Decision::Allow => ("✓ ALLOW", Tone::Good),
                Decision::Deny => ("✗ DENY (explicit)", Tone::Bad),
                Decision::ImplicitDeny => ("✗ DENY (no statement allows)", Tone::Bad),
            };
            lines.push(Line::new(vec![
                Span::new(Tone::Dim, "  decision for this ServiceAccount: "),
                Span::new(tone, mark),
            ]));
            for st in &verdict.statements {
                statement_lines(lines, st, verdict.deciding_statement == Some(st.index));
            }
        }
        TrustOutcome::NotEvaluated { reason } => {
            lines.push(Line::toned(
                Tone::Unknown,
                format!("  UNKNOWN not evaluated: {reason}"),
            ));
        }
        TrustOutcome::Unparsable { error } => {
            lines.push(Line::toned(
                Tone::Bad,
                format!("  FAIL trust policy unreadable: {error}"),
            ));
        }
    }
    let RoleLookup::Found(role) = data.inventory.role(&irsa.role_arn) else {
        return;
    };
    let Some(raw) = role.trust_policy.as_ref() else {
        return;
    };
    lines.push(Line::blank());
    lines.push(Line::toned(Tone::Dim, "  document:"));
    let pretty = policy::decode(raw)
        .map_err(|e| e.to_string())
        .and_then(|v| serde_json::to_string_pretty(&v).map_err(|e| e.to_string()));
    match pretty {
        Ok(text) => {
            for l in text.lines() {
                lines.push(Line::toned(Tone::Code, format!("    {l}")));
            }
        }
        Err(e) => lines.push(Line::toned(Tone::Bad, format!("    {e}"))),
    }
}

fn mark(ok: bool) -> (&'static str, Tone) {
    if ok {
        ("✓", Tone::Good)
    } else {
        ("✗", Tone::Bad)
    }
}

fn statement_lines(lines: &mut Vec<Line>, st: &StatementTrace, deciding: bool) {
    let sid = st
        .sid
        .as_deref()
        .map(|s| format!(" {s}"))
        .unwrap_or_default();
    let (m, tone) = mark(st.applies);
    let head_tone = if deciding {
        Tone::Accent
    } else {
        Tone::Heading
    };
    let mut head = vec![
        Span::new(
            head_tone,
            format!("  Statement {}{sid} ({:?})", st.index, st.effect),
        ),
        Span::new(
            tone,
            format!(
                "  {m} {}",
                if st.applies {
                    "applies"
                } else {
                    "does not apply"
                }
            ),
        ),
    ];
    if deciding {
        head.push(Span::new(Tone::Accent, "  ← decided"));
    }
    lines.push(Line::new(head));
    for (label, t) in [("principal", &st.principal), ("action", &st.action)] {
        let (m, tone) = mark(t.matched);
        lines.push(Line::new(vec![
            Span::new(tone, format!("    {m} ")),
            Span::new(Tone::Dim, format!("{label:<10}")),
            Span::new(Tone::Plain, t.detail.clone()),
        ]));
    }
    for c in &st.conditions {
        let (m, tone) = mark(c.passed);
        lines.push(Line::new(vec![
            Span::new(tone, format!("    {m} ")),
            Span::new(Tone::Plain, format!("{} {}", c.operator, c.key)),
        ]));
        lines.push(Line::new(vec![
            Span::new(Tone::Dim, "        expected "),
            Span::new(Tone::Plain, c.expected.join(" | ")),
        ]));
        let actual = c
            .actual
            .as_ref()
            .map_or_else(|| "(absent)".to_owned(), |a| a.join(" | "));
        lines.push(Line::new(vec![
            Span::new(Tone::Dim, "        actual   "),
            Span::new(tone, actual),
        ]));
        if let Some(note) = &c.note {
            lines.push(Line::toned(Tone::Dim, format!("        note: {note}")));
        }
    }
}
