//! The trust-policy part of the ServiceAccount view: the evaluator's trace for the request a
//! pod of this SA makes (from the analysis) — each statement with its principal, action and
//! conditions (expected, actual, ✓/✗), the deciding statement marked — then the role's trust
//! document, pretty-printed.

use super::{DrillLine, DrillSpan};
use crate::tone::Tone;
use irsa_core::analysis::checks::binding::{IrsaAnalysis, TrustOutcome};
use irsa_core::analysis::policy;
use irsa_core::analysis::trust::{Decision, StatementTrace, TrustVerdict};
use irsa_core::dataset::Dataset;
use irsa_core::model::RoleLookup;

pub(super) fn trust_section(lines: &mut Vec<DrillLine>, data: &Dataset, irsa: &IrsaAnalysis) {
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading(format!(
        "Trust policy of {}",
        irsa.role_arn
    )));
    match &irsa.trust {
        TrustOutcome::Evaluated { verdict } => {
            let (mark, tone) = match verdict.decision {
                Decision::Allow => ("✓ ALLOW", Tone::Good),
                Decision::Deny => ("✗ DENY (explicit)", Tone::Bad),
                Decision::ImplicitDeny => ("✗ DENY (no statement allows)", Tone::Bad),
            };
            lines.push(DrillLine::new(vec![
                DrillSpan::new(Tone::Dim, "  decision for this ServiceAccount: "),
                DrillSpan::new(tone, mark),
            ]));
            for st in &verdict.statements {
                statement_lines(lines, st, verdict.deciding_statement == Some(st.index));
            }
        }
        TrustOutcome::NotEvaluated { reason } => {
            lines.push(DrillLine::toned(
                Tone::Unknown,
                format!("  UNKNOWN not evaluated: {reason}"),
            ));
        }
        TrustOutcome::Unparsable { error } => {
            lines.push(DrillLine::toned(
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
    lines.push(DrillLine::blank());
    lines.push(DrillLine::toned(
        Tone::Dim,
        "  document (deciding statement underlined, failed condition keys marked ✗):",
    ));
    let verdict = match &irsa.trust {
        TrustOutcome::Evaluated { verdict } => Some(verdict),
        _ => None,
    };
    match policy::decode(raw) {
        Ok(doc) => document_lines(lines, &doc, verdict),
        Err(e) => lines.push(DrillLine::toned(Tone::Bad, format!("    {e}"))),
    }
}

/// The document pretty-printed statement by statement, so the deciding statement and the
/// condition keys that failed can be marked where they are written.
fn document_lines(
    lines: &mut Vec<DrillLine>,
    doc: &serde_json::Value,
    verdict: Option<&TrustVerdict>,
) {
    let pretty = |v: &serde_json::Value| serde_json::to_string_pretty(v).unwrap_or_default();
    let statements: Vec<&serde_json::Value> = match doc.get("Statement") {
        Some(serde_json::Value::Array(list)) => list.iter().collect(),
        Some(one) => vec![one],
        None => Vec::new(),
    };
    if statements.is_empty() {
        lines.extend(
            pretty(doc)
                .lines()
                .map(|l| DrillLine::toned(Tone::Code, format!("    {l}"))),
        );
        return;
    }
    for (key, value) in doc.as_object().into_iter().flatten() {
        if key != "Statement" {
            lines.push(DrillLine::toned(
                Tone::Code,
                format!("    \"{key}\": {value}"),
            ));
        }
    }
    lines.push(DrillLine::toned(Tone::Code, "    \"Statement\": ["));
    for (i, statement) in statements.iter().enumerate() {
        let trace = verdict.and_then(|v| v.statements.get(i));
        let deciding = verdict.is_some_and(|v| v.deciding_statement == Some(i));
        for l in pretty(statement).lines() {
            let failed = trace.is_some_and(|t| {
                t.conditions
                    .iter()
                    .any(|c| !c.passed && l.contains(&format!("\"{}\"", c.key)))
            });
            let tone = match (failed, deciding) {
                (true, _) => Tone::Bad,
                (false, true) => Tone::Accent,
                (false, false) => Tone::Code,
            };
            let mark = if failed { "  ✗" } else { "" };
            lines.push(DrillLine::toned(tone, format!("      {l}{mark}")));
        }
    }
    lines.push(DrillLine::toned(Tone::Code, "    ]"));
}

fn mark(ok: bool) -> (&'static str, Tone) {
    if ok {
        ("✓", Tone::Good)
    } else {
        ("✗", Tone::Bad)
    }
}

fn statement_lines(lines: &mut Vec<DrillLine>, st: &StatementTrace, deciding: bool) {
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
        DrillSpan::new(
            head_tone,
            format!("  Statement {}{sid} ({:?})", st.index + 1, st.effect),
        ),
        DrillSpan::new(
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
        head.push(DrillSpan::new(Tone::Accent, "  ← decided"));
    }
    lines.push(DrillLine::new(head));
    for (label, t) in [("principal", &st.principal), ("action", &st.action)] {
        let (m, tone) = mark(t.matched);
        lines.push(DrillLine::new(vec![
            DrillSpan::new(tone, format!("    {m} ")),
            DrillSpan::new(Tone::Dim, format!("{label:<10}")),
            DrillSpan::new(Tone::Plain, t.detail.clone()),
        ]));
    }
    for c in &st.conditions {
        let (m, tone) = mark(c.passed);
        lines.push(DrillLine::new(vec![
            DrillSpan::new(tone, format!("    {m} ")),
            DrillSpan::new(Tone::Plain, format!("{} {}", c.operator, c.key)),
        ]));
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "        expected "),
            DrillSpan::new(Tone::Plain, c.expected.join(" | ")),
        ]));
        let actual = c
            .actual
            .as_ref()
            .map_or_else(|| "(absent)".to_owned(), |a| a.join(" | "));
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "        actual   "),
            DrillSpan::new(tone, actual),
        ]));
        if let Some(note) = &c.note {
            lines.push(DrillLine::toned(Tone::Dim, format!("        note: {note}")));
        }
    }
}
