//! Text rendering of a permission evaluation (`policy simulate`, `can-i`): the decision and its
//! reason, then each policy with each statement and condition (the deciding ones marked `▶`),
//! then what is unknown.

use super::clean;
use super::trust_text::{self, tick};
use crate::analysis::permission::can_i::{CanIAnswer, IdentityKind};
use crate::analysis::permission::{
    Deciding, PermissionRequest, PermissionVerdict, PolicyTrace, Unknown,
};
use crate::analysis::policy::Effect;

/// `policy simulate`: the request, the verdict, the trace and the unknowns.
pub fn simulation(request: &PermissionRequest, v: &PermissionVerdict) -> String {
    let mut out = format!(
        "request: {} on {}\n  by {}\n",
        clean(&request.action),
        clean(&request.resource),
        clean(&request.principal)
    );
    for k in &request.keys {
        out.push_str(&format!(
            "  key {} = {}\n",
            clean(&k.name),
            clean(&k.values.join(", "))
        ));
    }
    if v.cross_account {
        out.push_str("  cross-account: the resource's own policy must allow too\n");
    }
    out.push_str(&format!(
        "decision: {}\n  {}\n",
        v.decision.as_str(),
        clean(&v.reason)
    ));
    out.push_str(&trace(&v.policies, &v.deciding));
    out.push_str(&unknowns(&v.unknowns));
    out
}

/// `can-i`: the identity, the decision, the trace, the unknowns and the related findings.
pub fn can_i(a: &CanIAnswer) -> String {
    let id = &a.identity;
    let kind = match id.kind {
        IdentityKind::Irsa => "IRSA",
        IdentityKind::PodIdentity => "EKS Pod Identity",
        IdentityKind::NodeRole => "the node's instance role",
        IdentityKind::StaticKeys => "static access keys",
        IdentityKind::None => "no credentials",
        IdentityKind::Unknown => "unknown",
    };
    let mut out = format!(
        "can {} {} do {} on {}?\n",
        clean(&id.pod),
        clean(&format!("(container {})", id.container)),
        clean(&a.action),
        clean(&a.resource)
    );
    out.push_str(&format!("identity: {kind}"));
    if let Some(role) = &id.role_arn {
        out.push_str(&format!(" — {}", clean(role)));
    }
    out.push('\n');
    if let Some(session) = &id.session_arn {
        out.push_str(&format!("  session: {}\n", clean(session)));
    }
    if let Some(intended) = &id.intended_role_arn {
        out.push_str(&format!(
            "  configured for {} but never obtains it\n",
            clean(intended)
        ));
    }
    for note in &id.notes {
        out.push_str(&format!("  note: {}\n", clean(note)));
    }
    out.push_str(&format!(
        "decision: {}\n  {}\n",
        a.decision.as_str(),
        clean(&a.reason)
    ));
    if let Some(c) = &a.aws {
        out.push_str(&format!(
            "AWS's simulator (iam:SimulatePrincipalPolicy): {} — {}\n",
            c.aws.decision.as_str(),
            if c.agrees { "agrees" } else { "DISAGREES" }
        ));
        if !c.aws.matched.is_empty() {
            out.push_str(&format!(
                "  matched: {}\n",
                clean(&c.aws.matched.join(", "))
            ));
        }
        if !c.aws.missing_context.is_empty() {
            out.push_str(&format!(
                "  it lacked context keys: {}\n",
                clean(&c.aws.missing_context.join(", "))
            ));
        }
        if let Some(note) = &c.note {
            out.push_str(&format!("  why they may differ: {}\n", clean(note)));
        }
    }
    if let Some(e) = &a.aws_error {
        out.push_str(&format!("AWS's simulator: {}\n", clean(e)));
    }
    if let Some(source) = &a.resource_policy_source {
        out.push_str(&format!("resource policy: {}\n", clean(source)));
    }
    out.push_str(&trace(&a.trace, &a.deciding));
    out.push_str(&unknowns(&a.unknowns));
    if !a.findings.is_empty() {
        out.push_str("findings:\n");
        for f in &a.findings {
            out.push_str(&format!(
                "  {} {} {}: {}\n",
                f.code.as_str(),
                f.severity.as_str(),
                clean(&f.subject),
                clean(&f.title)
            ));
        }
    }
    out
}

fn trace(policies: &[PolicyTrace], deciding: &[Deciding]) -> String {
    let mut out = String::new();
    for p in policies {
        out.push_str(&format!("{} {}:\n", p.kind.label(), clean(&p.name)));
        for s in &p.statements {
            let decided = deciding
                .iter()
                .any(|d| d.policy == p.name && d.kind == p.kind && d.statement == s.index);
            let mark = if decided { "▶" } else { " " };
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
                "    {} action:    {}\n",
                tick(s.action.matched),
                clean(&s.action.detail)
            ));
            out.push_str(&format!(
                "    {} resource:  {}\n",
                tick(s.resource.matched),
                clean(&s.resource.detail)
            ));
            if let Some(principal) = &s.principal {
                out.push_str(&format!(
                    "    {} principal: {}\n",
                    tick(principal.matched),
                    clean(&principal.detail)
                ));
            }
            for c in &s.conditions {
                out.push_str(&trust_text::condition(c));
            }
        }
    }
    out
}

fn unknowns(list: &[Unknown]) -> String {
    if list.is_empty() {
        return String::new();
    }
    let mut out = "unknown:\n".to_owned();
    for u in list {
        out.push_str(&format!("  ? {}: {}\n", clean(&u.what), clean(&u.why)));
    }
    out
}
