//! The trust-policy part of the ServiceAccount view: the role's trust document, pretty-printed,
//! and the evaluator's trace for the request a pod of this SA makes — each statement with its
//! principal, action and conditions (expected, actual, ✓/✗), the deciding statement marked.
//!
//! The request is built with `analysis::trust::web_identity_request` from the SA's token
//! claims as the webhook sets them (`sub` = `system:serviceaccount:<ns>:<sa>`, `aud` = the SA's
//! `eks.amazonaws.com/audience` annotation or `sts.amazonaws.com`) and the provider ARN of the
//! cluster's issuer in the role's account. The audit report does not (yet) carry each
//! binding's `TrustVerdict`; when it does, this view should show that one instead.

use super::{Line, Span, Tone};
use crate::analysis::audit::Binding;
use crate::analysis::policy;
use crate::analysis::trust::{self, Decision, StatementTrace};
use crate::event::Dataset;
use crate::model::{RoleLookup, arn_account};

const AUDIENCE_ANNOTATION: &str = "eks.amazonaws.com/audience";
const DEFAULT_AUDIENCE: &str = "sts.amazonaws.com";

pub(super) fn trust_section(lines: &mut Vec<Line>, data: &Dataset, b: &Binding) {
    let Some(arn) = b.role_arn.as_deref().or(b.pod_identity_role_arn.as_deref()) else {
        return;
    };
    lines.push(Line::blank());
    lines.push(Line::heading(format!("Trust policy of {arn}")));
    let role = match data.inventory.role(arn) {
        RoleLookup::Found(role) => role,
        RoleLookup::Missing => {
            lines.push(Line::toned(
                Tone::Bad,
                "  FAIL the role does not exist in the account's role list",
            ));
            return;
        }
        RoleLookup::Unknown => {
            lines.push(Line::toned(
                Tone::Unknown,
                "  UNKNOWN IAM roles could not be read: trust policy unknown",
            ));
            return;
        }
    };
    let Some(raw) = role.trust_policy.as_ref() else {
        lines.push(Line::toned(
            Tone::Unknown,
            "  UNKNOWN trust policy not readable",
        ));
        return;
    };
    let request = request_for(data, b, arn);
    let verdict = policy::parse(raw).map(|doc| request.map(|r| trust::evaluate(&doc, &r)));
    match &verdict {
        Ok(Some(v)) => {
            let (mark, tone) = match v.decision {
                Decision::Allow => ("✓ ALLOW", Tone::Good),
                Decision::Deny => ("✗ DENY (explicit)", Tone::Bad),
                Decision::ImplicitDeny => ("✗ DENY (no statement allows)", Tone::Bad),
            };
            lines.push(Line::new(vec![
                Span::new(Tone::Dim, "  decision for this ServiceAccount: "),
                Span::new(tone, mark),
            ]));
            for st in &v.statements {
                statement_lines(lines, st, v.deciding_statement == Some(st.index));
            }
        }
        Ok(None) => lines.push(Line::toned(
            Tone::Unknown,
            "  UNKNOWN cluster issuer unknown: cannot build the token's sub/aud to evaluate",
        )),
        Err(e) => lines.push(Line::toned(
            Tone::Bad,
            format!("  FAIL trust policy unreadable: {e}"),
        )),
    }
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

/// The web-identity request a pod of this SA sends; `None` without a known issuer.
fn request_for(data: &Dataset, b: &Binding, role_arn: &str) -> Option<trust::RequestContext> {
    let issuer = data.inventory.issuer()?;
    let ns = b.service_account.namespace.as_deref().unwrap_or_default();
    let name = &b.service_account.name;
    let aud = data
        .inventory
        .service_account(ns, name)
        .and_then(|sa| sa.annotations.get(AUDIENCE_ANNOTATION))
        .map_or(DEFAULT_AUDIENCE, String::as_str);
    let partition = role_arn.split(':').nth(1).unwrap_or("aws");
    let account = arn_account(role_arn).or(data.inventory.account())?;
    let provider = trust::provider_arn(partition, account, issuer);
    let sub = format!("system:serviceaccount:{ns}:{name}");
    Some(trust::web_identity_request(&provider, issuer, &sub, aud))
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
    let mut head = vec![
        Span::new(
            if deciding {
                Tone::Accent
            } else {
                Tone::Heading
            },
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
