//! Drill-down lines about permissions: a role's effective permissions (per service, risky
//! grants marked, what the boundary removes), and a `:can ACTION RESOURCE` answer with its
//! trace — both computed by `irsa_core::analysis::permission`.

use super::{DrillLine, DrillSpan};
use crate::tone::Tone;
use irsa_core::analysis::permission::can_i::{CanIAnswer, CanIDecision, IdentityKind};
use irsa_core::analysis::permission::effective::{BoundaryEffect, EffectivePermissions, GrantFlag};
use irsa_core::analysis::permission::{Deciding, PolicyTrace, Unknown};
use irsa_core::analysis::policy::Effect;

/// The "Effective permissions" section of a role (or of the node role a pod falls back to).
pub(super) fn effective_lines(lines: &mut Vec<DrillLine>, heading: &str, e: &EffectivePermissions) {
    lines.push(DrillLine::blank());
    let boundary = e
        .boundary
        .as_deref()
        .map(|b| format!(" — boundary {b}"))
        .unwrap_or_else(|| " — no permissions boundary".to_owned());
    let session = e
        .session_policy
        .as_deref()
        .map(|s| format!(", session policy {s}"))
        .unwrap_or_default();
    lines.push(DrillLine::heading(format!("{heading}{boundary}{session}")));
    if e.services.is_empty() {
        lines.push(DrillLine::toned(
            Tone::Dim,
            "  no Allow statement: this role can do nothing",
        ));
    }
    for service in &e.services {
        for (i, g) in service.grants.iter().enumerate() {
            let label = if i == 0 { service.service.as_str() } else { "" };
            let mut spans = vec![
                DrillSpan::new(Tone::Dim, format!("  {label:<10} ")),
                DrillSpan::new(
                    if g.boundary == BoundaryEffect::Removes || g.session == BoundaryEffect::Removes
                    {
                        Tone::Dim
                    } else {
                        Tone::Plain
                    },
                    g.action.clone(),
                ),
                DrillSpan::new(Tone::Dim, format!(" on {}", g.resources.join(", "))),
            ];
            if g.conditional {
                spans.push(DrillSpan::new(Tone::Dim, " (if conditions hold)"));
            }
            for flag in &g.flags {
                let text = match flag {
                    GrantFlag::Wildcard => " WILDCARD",
                    GrantFlag::PassRole => " PASSROLE",
                    GrantFlag::AssumeRole => " ASSUMEROLE",
                    GrantFlag::Write => " WRITE",
                };
                spans.push(DrillSpan::new(Tone::Warn, text));
            }
            for (effect, by) in [(g.boundary, "boundary"), (g.session, "session policy")] {
                match effect {
                    BoundaryEffect::Keeps => {}
                    BoundaryEffect::Narrows => {
                        spans.push(DrillSpan::new(Tone::Dim, format!("  narrowed by the {by}")))
                    }
                    BoundaryEffect::Removes => {
                        spans.push(DrillSpan::new(Tone::Good, format!("  removed by the {by}")))
                    }
                }
            }
            spans.push(DrillSpan::new(Tone::Dim, format!("  [{}]", g.policy)));
            lines.push(DrillLine::new(spans));
        }
    }
    for d in &e.denies {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<10} ", "denies")),
            DrillSpan::new(Tone::Plain, d.clone()),
        ]));
    }
    unknown_lines(lines, &e.unknowns);
}

/// The answer of `:can ACTION RESOURCE`, then its trace.
pub(super) fn can_i_lines(a: &CanIAnswer) -> Vec<DrillLine> {
    let id = &a.identity;
    let kind = match id.kind {
        IdentityKind::Irsa => "IRSA",
        IdentityKind::PodIdentity => "EKS Pod Identity",
        IdentityKind::NodeRole => "NODE ROLE (instance profile)",
        IdentityKind::StaticKeys => "static access keys",
        IdentityKind::None => "no credentials",
        IdentityKind::Unknown => "unknown",
    };
    let (decision_tone, verdict) = match a.decision {
        CanIDecision::Allow => (Tone::Good, "ALLOW"),
        CanIDecision::ExplicitDeny => (Tone::Bad, "EXPLICIT DENY"),
        CanIDecision::ImplicitDeny => (Tone::Bad, "IMPLICIT DENY"),
        CanIDecision::NoCredentials => (Tone::Bad, "NO CREDENTIALS"),
        CanIDecision::Unknown => (Tone::Unknown, "UNKNOWN"),
    };
    let mut lines = vec![
        DrillLine::heading("Request"),
        DrillLine::field("action", a.action.clone()),
        DrillLine::field("resource", a.resource.clone()),
        DrillLine::field("pod", format!("{} (container {})", id.pod, id.container)),
        DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<18}", "runs as")),
            DrillSpan::new(
                if id.kind == IdentityKind::NodeRole {
                    Tone::Bad
                } else {
                    Tone::Plain
                },
                match &id.role_arn {
                    Some(role) => format!("{kind} {role}"),
                    None => kind.to_owned(),
                },
            ),
        ]),
    ];
    if let Some(session) = &id.session_arn {
        lines.push(DrillLine::field("session", session.clone()));
    }
    if let Some(intended) = &id.intended_role_arn {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<18}", "never obtains")),
            DrillSpan::new(Tone::Bad, intended.clone()),
        ]));
    }
    for note in &id.notes {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<18}", "note")),
            DrillSpan::new(Tone::Dim, note.clone()),
        ]));
    }
    lines.push(DrillLine::blank());
    lines.push(DrillLine::new(vec![
        DrillSpan::new(Tone::Heading, "Decision  "),
        DrillSpan::new(decision_tone, verdict),
    ]));
    lines.push(DrillLine::toned(Tone::Plain, format!("  {}", a.reason)));
    trace_lines(&mut lines, &a.trace, &a.deciding);
    unknown_lines(&mut lines, &a.unknowns);
    if !a.findings.is_empty() {
        lines.push(DrillLine::blank());
        lines.push(DrillLine::heading("Findings"));
        for f in &a.findings {
            lines.push(DrillLine::new(vec![
                DrillSpan::new(
                    super::severity_tone(f.severity),
                    format!("  {} {:<8}", f.code, f.severity.as_str().to_uppercase()),
                ),
                DrillSpan::new(Tone::Plain, format!(" {}", f.title)),
            ]));
        }
    }
    lines
}

fn trace_lines(lines: &mut Vec<DrillLine>, policies: &[PolicyTrace], deciding: &[Deciding]) {
    for p in policies {
        lines.push(DrillLine::blank());
        lines.push(DrillLine::heading(format!("{} {}", p.kind.label(), p.name)));
        for s in &p.statements {
            let decided = deciding
                .iter()
                .any(|d| d.policy == p.name && d.kind == p.kind && d.statement == s.index);
            let effect = match s.effect {
                Effect::Allow => "Allow",
                Effect::Deny => "Deny",
            };
            let sid = s
                .sid
                .as_deref()
                .map(|x| format!(" ({x})"))
                .unwrap_or_default();
            let tone = match (s.applies, s.effect) {
                (true, Effect::Allow) => Tone::Good,
                (true, Effect::Deny) => Tone::Bad,
                (false, _) => Tone::Dim,
            };
            lines.push(DrillLine::new(vec![
                DrillSpan::new(
                    tone,
                    format!(
                        "  {} statement {}{sid}: {effect} ",
                        if decided { "▶" } else { " " },
                        s.index + 1
                    ),
                ),
                DrillSpan::new(
                    Tone::Dim,
                    if s.applies {
                        "applies"
                    } else {
                        "does not apply"
                    },
                ),
            ]));
            let mut matched = vec![("action", &s.action), ("resource", &s.resource)];
            if let Some(principal) = &s.principal {
                matched.push(("principal", principal));
            }
            for (what, m) in matched {
                lines.push(DrillLine::new(vec![
                    DrillSpan::new(
                        if m.matched { Tone::Good } else { Tone::Bad },
                        format!("      {} {what:<10}", tick(m.matched)),
                    ),
                    DrillSpan::new(Tone::Plain, m.detail.clone()),
                ]));
            }
            for c in &s.conditions {
                lines.push(DrillLine::new(vec![
                    DrillSpan::new(
                        if c.passed { Tone::Good } else { Tone::Bad },
                        format!("      {} ", tick(c.passed)),
                    ),
                    DrillSpan::new(Tone::Plain, format!("{} {}", c.operator, c.key)),
                ]));
                lines.push(DrillLine::new(vec![
                    DrillSpan::new(Tone::Dim, "          expected "),
                    DrillSpan::new(Tone::Code, c.expected.join(" | ")),
                ]));
                lines.push(DrillLine::new(vec![
                    DrillSpan::new(Tone::Dim, "          actual   "),
                    DrillSpan::new(
                        Tone::Code,
                        c.actual
                            .as_ref()
                            .map_or_else(|| "(absent)".to_owned(), |v| v.join(", ")),
                    ),
                ]));
                if let Some(note) = &c.note {
                    lines.push(DrillLine::toned(
                        Tone::Dim,
                        format!("          note     {note}"),
                    ));
                }
            }
        }
    }
}

fn unknown_lines(lines: &mut Vec<DrillLine>, unknowns: &[Unknown]) {
    if unknowns.is_empty() {
        return;
    }
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Not known"));
    for u in unknowns {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Unknown, format!("  ? {}: ", u.what)),
            DrillSpan::new(Tone::Dim, u.why.clone()),
        ]));
    }
}

fn tick(ok: bool) -> &'static str {
    if ok { "✓" } else { "✗" }
}
