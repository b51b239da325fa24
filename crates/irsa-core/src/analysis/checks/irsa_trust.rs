//! IRSA003 / IRSA004 / IRSA005 / IRSA008 / IRSA009: classification of a trust verdict that is
//! not an Allow into the code that names what to fix. On an implicit deny: no statement with
//! the action → IRSA009; statements with the action only for other OIDC providers → IRSA004
//! (other principals → IRSA009); statements for our provider whose `:sub` / `:aud` condition
//! failed → IRSA003 / IRSA005 (both may fire); any other failed condition → IRSA009.

use super::irsa::{IrsaContext, trust_fix};
use crate::analysis::inventory::issuer_host;
use crate::analysis::policy::{Effect, PolicyDocument, PrincipalSpec};
use crate::analysis::trust::{ConditionTrace, Decision, StatementTrace, TrustVerdict};
use crate::model::{Evidence, Finding, FindingCode, RoleInfo};

fn stmt_label(t: &StatementTrace) -> String {
    match &t.sid {
        Some(sid) => format!("statement {} (Sid {sid})", t.index + 1),
        None => format!("statement {}", t.index + 1),
    }
}

fn cond_evidence(c: &ConditionTrace) -> Evidence {
    let actual = c.actual.as_ref().map_or_else(
        || "(key absent from the request)".to_owned(),
        |v| v.join(", "),
    );
    Evidence::compare(
        format!("{} {}", c.operator, c.key),
        c.expected.join(", "),
        actual,
    )
}

fn key_is(c: &ConditionTrace, claim: &str) -> bool {
    c.key.to_ascii_lowercase().ends_with(&format!(":{claim}"))
}

/// Classifies a non-allow trust verdict into IRSA008 / IRSA009 / IRSA004 / IRSA003 / IRSA005.
pub fn classify_trust(
    ctx: &IrsaContext<'_, '_>,
    role: &RoleInfo,
    doc: &PolicyDocument,
    verdict: &TrustVerdict,
    provider_arn: &str,
) -> Vec<Finding> {
    match verdict.decision {
        Decision::Allow => Vec::new(),
        Decision::Deny => {
            let deny = verdict
                .deciding_statement
                .and_then(|i| verdict.statements.iter().find(|s| s.index == i));
            let label = deny.map_or_else(|| "a Deny statement".to_owned(), stmt_label);
            let mut b = ctx
                .start(
                    FindingCode::IRSA008,
                    format!(
                        "{label} of the trust of {} denies {}",
                        role.name,
                        ctx.sa_label()
                    ),
                )
                .evidence(Evidence::observed(
                    "deciding statement",
                    format!("{label}: Effect Deny"),
                ));
            if let Some(d) = deny {
                b = b.evidences(d.conditions.iter().map(cond_evidence));
            }
            vec![
                b.fix(format!(
                    "remove or narrow {label}, then: {}",
                    trust_fix(ctx, role, &[])
                ))
                .build(),
            ]
        }
        Decision::ImplicitDeny => implicit_deny(ctx, role, doc, verdict, provider_arn),
    }
}

fn implicit_deny(
    ctx: &IrsaContext<'_, '_>,
    role: &RoleInfo,
    doc: &PolicyDocument,
    verdict: &TrustVerdict,
    provider_arn: &str,
) -> Vec<Finding> {
    let allow_action: Vec<&StatementTrace> = verdict
        .statements
        .iter()
        .filter(|s| s.effect == Effect::Allow && s.action.matched)
        .collect();
    if allow_action.is_empty() {
        let actions: Vec<String> = verdict
            .statements
            .iter()
            .map(|s| format!("{}: {}", stmt_label(s), s.action.detail))
            .collect();
        return vec![
            ctx.start(
                FindingCode::IRSA009,
                format!(
                    "no statement of the trust of {} allows sts:AssumeRoleWithWebIdentity",
                    role.name
                ),
            )
            .evidence(Evidence::new(
                "Allow statement for sts:AssumeRoleWithWebIdentity",
                Some("at least one".to_owned()),
                Some(if actions.is_empty() {
                    "no statements".to_owned()
                } else {
                    actions.join("; ")
                }),
            ))
            .fix(trust_fix(ctx, role, &[]))
            .build(),
        ];
    }
    let principal_ok: Vec<&StatementTrace> = allow_action
        .iter()
        .copied()
        .filter(|s| s.principal.matched)
        .collect();
    if principal_ok.is_empty() {
        let federated: Vec<&str> = allow_action
            .iter()
            .filter_map(|s| doc.statements.get(s.index))
            .filter_map(|st| match &st.principal {
                PrincipalSpec::Principal(p) => Some(p.federated.iter()),
                _ => None,
            })
            .flatten()
            .map(String::as_str)
            .filter(|f| f.contains(":oidc-provider/"))
            .collect();
        if federated.is_empty() {
            let names: Vec<String> = allow_action
                .iter()
                .map(|s| format!("{}: {}", stmt_label(s), s.principal.detail))
                .collect();
            return vec![
                ctx.start(
                    FindingCode::IRSA009,
                    format!(
                        "no statement of the trust of {} allows web identity from {}",
                        role.name, provider_arn
                    ),
                )
                .evidence(Evidence::compare(
                    "Federated principal",
                    provider_arn,
                    names.join("; "),
                ))
                .fix(trust_fix(ctx, role, &[]))
                .build(),
            ];
        }
        let ours_host = ctx.index.issuer().map(issuer_host).unwrap_or_default();
        let what = if federated
            .iter()
            .any(|f| f.ends_with(&format!("oidc-provider/{ours_host}")))
        {
            "another account's"
        } else {
            "another cluster's"
        };
        let mut b = ctx.start(
            FindingCode::IRSA004,
            format!(
                "trust of {} names {what} OIDC provider {} instead of {provider_arn}",
                role.name,
                federated.first().copied().unwrap_or_default()
            ),
        );
        for f in &federated {
            b = b.evidence(Evidence::compare(
                "trust Principal.Federated",
                provider_arn,
                *f,
            ));
        }
        return vec![b.fix(trust_fix(ctx, role, &[])).build()];
    }
    let failing: Vec<&ConditionTrace> = principal_ok
        .iter()
        .flat_map(|s| s.conditions.iter())
        .filter(|c| !c.passed)
        .collect();
    let mut out = Vec::new();
    let subs: Vec<&ConditionTrace> = failing
        .iter()
        .copied()
        .filter(|c| key_is(c, "sub"))
        .collect();
    if !subs.is_empty() {
        out.push(sub_mismatch(ctx, role, &subs));
    }
    let auds: Vec<&ConditionTrace> = failing
        .iter()
        .copied()
        .filter(|c| key_is(c, "aud"))
        .collect();
    if !auds.is_empty() {
        let expected: Vec<String> = auds
            .iter()
            .flat_map(|c| c.expected.iter().cloned())
            .collect();
        out.push(
            ctx.start(
                FindingCode::IRSA005,
                format!(
                    "trust of {} requires audience {}, the token of {} carries {}",
                    role.name,
                    expected.join(" or "),
                    ctx.sa_label(),
                    ctx.audience
                ),
            )
            .evidences(auds.iter().map(|c| with_note(cond_evidence(c), c)))
            .fix(trust_fix(ctx, role, &[]))
            .build(),
        );
    }
    if out.is_empty() {
        let first = failing.first().map_or_else(
            || "a condition".to_owned(),
            |c| format!("{} {}", c.operator, c.key),
        );
        out.push(
            ctx.start(
                FindingCode::IRSA009,
                format!(
                    "no statement of the trust of {} allows {}: {first} is not satisfied",
                    role.name,
                    ctx.sa_label()
                ),
            )
            .evidences(failing.iter().map(|c| with_note(cond_evidence(c), c)))
            .fix(trust_fix(ctx, role, &[]))
            .build(),
        );
    }
    out
}

fn with_note(mut e: Evidence, c: &ConditionTrace) -> Evidence {
    if let Some(note) = &c.note {
        e.item = format!("{} ({note})", e.item);
    }
    e
}

/// IRSA003 with expected vs actual and the nearest miss.
fn sub_mismatch(ctx: &IrsaContext<'_, '_>, role: &RoleInfo, subs: &[&ConditionTrace]) -> Finding {
    let expected: Vec<&String> = subs.iter().flat_map(|c| c.expected.iter()).collect();
    let nearest = expected
        .iter()
        .map(|e| (strsim::levenshtein(e, &ctx.sub), *e))
        .min();
    let shown = expected
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let title = format!("trust of {} admits {shown}, not {}", role.name, ctx.sub);
    let mut b = ctx
        .start(FindingCode::IRSA003, title)
        .evidences(subs.iter().map(|c| with_note(cond_evidence(c), c)));
    if let Some((d, near)) = nearest {
        b = b.evidence(Evidence::compare(
            format!("nearest miss (edit distance {d})"),
            near.clone(),
            ctx.sub.clone(),
        ));
    }
    let host = ctx.index.issuer().map(issuer_host).unwrap_or_default();
    let ours = format!("{host}:sub").to_ascii_lowercase();
    for c in subs.iter().filter(|c| c.key.to_ascii_lowercase() != ours) {
        b = b.evidence(Evidence::compare(
            "condition key",
            format!("{host}:sub"),
            c.key.clone(),
        ));
    }
    let keep: Vec<String> = expected
        .iter()
        .filter(|e| !e.contains(['*', '?']))
        .map(|e| e.to_string())
        .collect();
    b.fix(format!(
        "if {} should use this role, add its subject: {}; otherwise annotate it with its own role",
        ctx.sa_label(),
        trust_fix(ctx, role, &keep)
    ))
    .build()
}
