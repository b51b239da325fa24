//! Text rendering of a trust evaluation trace (`trust evaluate`, `explain sa`).

use super::clean;
use crate::analysis::policy::Effect;
use crate::analysis::trust::{
    ConditionTrace, Decision, RequestContext, RequestPrincipal, TrustVerdict,
};

pub fn decision_label(d: Decision) -> &'static str {
    match d {
        Decision::Allow => "ALLOW",
        Decision::Deny => "DENY (explicit)",
        Decision::ImplicitDeny => "IMPLICIT DENY (no statement allows)",
    }
}

/// The request, one line per part.
pub fn request(req: &RequestContext) -> String {
    let principal = match &req.principal {
        RequestPrincipal::Federated(a) => format!("Federated {a}"),
        RequestPrincipal::Aws(a) => format!("AWS {a}"),
        RequestPrincipal::Service(s) => format!("Service {s}"),
    };
    let mut out = format!("request: {} by {}\n", clean(&req.action), clean(&principal));
    for k in &req.keys {
        out.push_str(&format!(
            "  key {} = {}\n",
            clean(&k.name),
            clean(&k.values.join(", "))
        ));
    }
    out
}

/// The verdict and the per-statement, per-condition trace; the deciding statement is marked `▶`.
pub fn verdict(v: &TrustVerdict) -> String {
    let mut out = format!("decision: {}\n", decision_label(v.decision));
    for s in &v.statements {
        let mark = if v.deciding_statement == Some(s.index) {
            "▶"
        } else {
            " "
        };
        let effect = match s.effect {
            Effect::Allow => "Allow",
            Effect::Deny => "Deny",
        };
        let sid = s
            .sid
            .as_deref()
            .map(|x| format!(" (Sid {})", clean(x)))
            .unwrap_or_default();
        out.push_str(&format!(
            "{mark} statement {}{sid}: {effect} — {}\n",
            s.index + 1,
            if s.applies {
                "applies"
            } else {
                "does not apply"
            }
        ));
        out.push_str(&format!(
            "    {} principal: {}\n",
            tick(s.principal.matched),
            clean(&s.principal.detail)
        ));
        out.push_str(&format!(
            "    {} action:    {}\n",
            tick(s.action.matched),
            clean(&s.action.detail)
        ));
        for c in &s.conditions {
            out.push_str(&condition(c));
        }
    }
    out
}

/// One condition of a trace: `✓ Operator key`, then expected, actual and the note, indented
/// under its statement (shared with `permission_text`).
pub(super) fn condition(c: &ConditionTrace) -> String {
    let actual = match &c.actual {
        Some(vals) => vals.iter().map(|x| clean(x)).collect::<Vec<_>>().join(", "),
        None => "(absent)".to_owned(),
    };
    let mut out = format!(
        "    {} {} {}\n        expected: {}\n        actual:   {}\n",
        tick(c.passed),
        clean(&c.operator),
        clean(&c.key),
        c.expected
            .iter()
            .map(|x| clean(x))
            .collect::<Vec<_>>()
            .join(" | "),
        actual
    );
    if let Some(note) = &c.note {
        out.push_str(&format!("        note:     {}\n", clean(note)));
    }
    out
}

pub(super) fn tick(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}
