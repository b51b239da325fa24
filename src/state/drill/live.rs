//! The live-actions section of the pod and ServiceAccount drill-downs: which keys create what,
//! the analysis's prediction for the role, and each action's answer — decoded claims of a
//! minted or mounted token, AWS's exact answer to `AssumeRoleWithWebIdentity` — next to it.
//! Only decoded header and claims ever reach these lines.

use super::pod::duration;
use super::{Drill, DrillLine, DrillSpan, DrillTarget};
use crate::action::ActionKind;
use crate::messages::ActionOutcome;
use crate::messages::RequestKind;
use crate::messages::WebIdentityAnswer;
use crate::state::live::{ActionRecord, LiveActions, build_request};
use crate::tone::Tone;
use irsa_core::analysis::checks::binding::{IrsaAnalysis, TrustOutcome, evaluate_binding};
use irsa_core::analysis::credentials::WebIdentityOutlook;
use irsa_core::analysis::inventory::InventoryIndex;
use irsa_core::analysis::token::DecodedToken;
use irsa_core::analysis::trust::Decision;
use irsa_core::dataset::Dataset;
use irsa_core::report::clean;
use jiff::Timestamp;

/// Inserts the section after the drill-down's first block (Identity / Mapping), so answers are
/// visible without scrolling. Only pod and ServiceAccount drill-downs have one, and only when
/// the source can act (or `--read-only` says why it will not).
pub fn insert(drill: &mut Drill, data: &Dataset, live: &LiveActions, now: Timestamp) {
    if matches!(drill.target, DrillTarget::CanI { .. }) {
        return ask_aws_section(drill, data, live);
    }
    let (namespace, sa) = match &drill.target {
        DrillTarget::Pod { namespace, name } => match data.inventory.pod(namespace, name) {
            Some(pod) => (namespace.clone(), pod.service_account.to_string()),
            None => return,
        },
        DrillTarget::ServiceAccount { namespace, name } => (namespace.clone(), name.clone()),
        _ => return,
    };
    if !live.caps.live_actions && !live.caps.read_only {
        return;
    }
    let mut lines = vec![
        DrillLine::blank(),
        DrillLine::heading("Live checks — opt-in; each asks y/n, then creates what it names"),
    ];
    if live.caps.read_only {
        lines.push(DrillLine::toned(
            Tone::Warn,
            "  disabled by --read-only: t, x and a send nothing",
        ));
    } else {
        keys(&mut lines, data, &drill.target, live);
    }
    lines.push(DrillLine::new(vec![
        DrillSpan::new(Tone::Accent, "  E  "),
        DrillSpan::new(
            Tone::Dim,
            if live.caps.aws {
                "CloudTrail evidence of the last hour — reads only (cloudtrail:LookupEvents), no y/n"
            } else {
                "CloudTrail evidence of the last hour (needs --aws)"
            },
        ),
    ]));
    for record in live.of(&drill.target) {
        record_lines(&mut lines, data, &namespace, &sa, record, now);
    }
    let at = drill
        .lines
        .iter()
        .position(|l| l.spans.is_empty())
        .unwrap_or(drill.lines.len());
    drill.lines.splice(at..at, lines);
}

fn keys(lines: &mut Vec<DrillLine>, data: &Dataset, target: &DrillTarget, live: &LiveActions) {
    for (key, kind) in [
        ("t", ActionKind::MintToken),
        ("x", ActionKind::ReadMountedToken),
        ("a", ActionKind::TestWebIdentity),
    ] {
        let what = match build_request(data, target, kind) {
            Ok(request) => request.creates(),
            Err(why) => why,
        };
        let what = if kind == ActionKind::TestWebIdentity && !live.caps.aws {
            format!("{what} (needs --aws)")
        } else {
            what
        };
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Accent, format!("  {key}  ")),
            DrillSpan::new(Tone::Dim, what),
        ]));
    }
}

fn record_lines(
    lines: &mut Vec<DrillLine>,
    data: &Dataset,
    namespace: &str,
    sa: &str,
    record: &ActionRecord,
    now: Timestamp,
) {
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading(heading(&record.request)));
    let Some(outcome) = &record.outcome else {
        lines.push(DrillLine::toned(Tone::Dim, "  running…"));
        return;
    };
    match outcome {
        ActionOutcome::Token(token) => claims(lines, token, now),
        ActionOutcome::WebIdentity { token, answer } => {
            let role = match &record.request {
                RequestKind::TestWebIdentity { role_arn, .. } => role_arn.as_str(),
                _ => "",
            };
            let predicted = prediction(lines, data, namespace, sa, role);
            aws_answer(lines, answer, predicted);
            lines.push(DrillLine::toned(Tone::Dim, "  the token STS was shown:"));
            claims(lines, token, now);
        }
        ActionOutcome::AwsSimulation(_) => {}
        ActionOutcome::Trail(read) => trail_lines(lines, data, namespace, sa, record, read),
        ActionOutcome::Forbidden(m) | ActionOutcome::Failed(m) => {
            lines.push(DrillLine::toned(Tone::Bad, format!("  ✗ {}", clean(m))));
        }
        ActionOutcome::Unavailable(m) => lines.push(DrillLine::toned(Tone::Dim, format!("  {m}"))),
    }
}

/// `  label               value`, wide enough for `kubernetes.io/node`.
/// Values come from the cluster (claims): control characters are replaced.
fn field(label: &str, value: impl Into<String>) -> DrillLine {
    DrillLine::new(vec![
        DrillSpan::new(Tone::Dim, format!("  {label:<20}")),
        DrillSpan::new(Tone::Plain, clean(&value.into())),
    ])
}

fn heading(request: &RequestKind) -> String {
    match request {
        RequestKind::MintToken(m) => {
            let bound = m
                .bound_pod
                .as_ref()
                .map(|(pod, _)| format!(", bound to pod {pod}"))
                .unwrap_or_default();
            format!(
                "Minted token (TokenRequest, {} min{bound}) — decoded claims",
                m.expiration_seconds / 60
            )
        }
        RequestKind::ReadMountedToken(r) => format!(
            "Mounted token read via pods/exec from container {} path {} — decoded claims",
            r.container.as_deref().unwrap_or("(first)"),
            r.path
        ),
        RequestKind::AskAws(s) => format!(
            "AWS's simulator (iam:SimulatePrincipalPolicy) for {} — {} on {}",
            s.role_arn, s.action, s.resource
        ),
        RequestKind::CloudTrail { lookback_secs } => format!(
            "CloudTrail evidence, last {} min (cloudtrail:LookupEvents)",
            lookback_secs / 60
        ),
        RequestKind::TestWebIdentity { role_arn, mint, .. } => format!(
            "AWS answer to AssumeRoleWithWebIdentity for {role_arn} (token minted for {}/{}, \
             audience {})",
            mint.namespace,
            mint.service_account,
            mint.audience.as_deref().unwrap_or("(API server default)")
        ),
    }
}

/// What CloudTrail recorded about the view's pod and its ServiceAccount (or the
/// ServiceAccount), set against the prediction: the lines the CLI's `--cloudtrail` prints.
fn trail_lines(
    lines: &mut Vec<DrillLine>,
    data: &Dataset,
    namespace: &str,
    sa: &str,
    record: &ActionRecord,
    read: &crate::messages::TrailOutcome,
) {
    use irsa_core::model::Subject;
    use irsa_core::report::trail_text::{self, TrailSummary};
    let inv = &data.inventory;
    let summary = TrailSummary {
        evidence: irsa_core::analysis::triage::cloudtrail::attribute(inv, &read.records),
        window: match &record.request {
            RequestKind::CloudTrail { lookback_secs } => format!("{} min", lookback_secs / 60),
            _ => String::new(),
        },
        calls: read.calls,
        capped: read.capped.clone(),
        page_cap: irsa_core::analysis::triage::cloudtrail::LOOKUP_PAGE_CAP,
        unreadable: read.unreadable,
        problem: None,
        notes: read.problems.clone(),
    };
    let mut subjects = Vec::new();
    if let DrillTarget::Pod { namespace, name } = &record.target {
        subjects.push(Subject::pod(namespace, name));
    }
    subjects.push(Subject::service_account(namespace, sa));
    for line in trail_text::lines(&summary, inv, &subjects) {
        let tone = if line.contains("CONTRADICTED") || line.contains("failed ") {
            Tone::Bad
        } else if line.contains("— confirmed") {
            Tone::Good
        } else {
            Tone::Plain
        };
        lines.push(DrillLine::toned(tone, format!("  {}", clean(&line))));
    }
}

/// The decoded header and claims; never the signature (the decoder does not keep it).
fn claims(lines: &mut Vec<DrillLine>, token: &DecodedToken, now: Timestamp) {
    let h = &token.header;
    let c = &token.claims;
    let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "(none)".to_owned());
    lines.push(field(
        "alg / kid",
        format!("{} / {}", or_none(&h.alg), or_none(&h.kid)),
    ));
    lines.push(field("iss", or_none(&c.iss)));
    lines.push(field("sub", or_none(&c.sub)));
    lines.push(field("aud", c.aud.join(", ")));
    let at = |t: Option<i64>| {
        t.and_then(|s| Timestamp::from_second(s).ok())
            .map_or_else(|| "(none)".to_owned(), |t| t.to_string())
    };
    lines.push(field("iat", at(c.iat)));
    let left = token
        .lifetime(now)
        .map(|l| {
            if l.expired {
                format!("  (expired {} ago)", duration(-l.remaining_seconds))
            } else {
                format!("  ({} left)", duration(l.remaining_seconds))
            }
        })
        .unwrap_or_default();
    lines.push(field("exp", format!("{}{left}", at(c.exp))));
    if let Some(k) = &c.kubernetes {
        let bind = |b: &Option<irsa_core::analysis::token::ObjectBinding>| {
            b.as_ref().map_or_else(
                || "(not bound)".to_owned(),
                |b| match &b.uid {
                    Some(uid) => format!("{} (uid {uid})", b.name),
                    None => b.name.clone(),
                },
            )
        };
        lines.push(field(
            "kubernetes.io/ns",
            k.namespace.clone().unwrap_or_default(),
        ));
        lines.push(field("kubernetes.io/sa", bind(&k.serviceaccount)));
        lines.push(field("kubernetes.io/pod", bind(&k.pod)));
        if k.node.is_some() {
            lines.push(field("kubernetes.io/node", bind(&k.node)));
        }
    }
    lines.push(DrillLine::toned(
        Tone::Dim,
        "  (decoded in memory; the raw token and its signature were dropped, never shown)",
    ));
}

/// The analysis's prediction for `role` as an SA of `namespace/sa` presents its token:
/// `Some(true)` allow, `Some(false)` deny, `None` unknown.
fn prediction(
    lines: &mut Vec<DrillLine>,
    data: &Dataset,
    namespace: &str,
    sa: &str,
    role: &str,
) -> Option<bool> {
    let index = InventoryIndex::new(&data.inventory);
    let irsa = index
        .service_account(namespace, sa)
        .and_then(|sa| evaluate_binding(&index, sa).irsa);
    let Some(irsa) = irsa.filter(|i| i.role_arn == role) else {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<20}", "analysis predicted")),
            DrillSpan::new(
                Tone::Unknown,
                format!("UNKNOWN the ServiceAccount's annotation does not name {role}"),
            ),
        ]));
        return None;
    };
    let (tone, text, verdict) = match &irsa.outlook {
        WebIdentityOutlook::Works => (Tone::Good, "ALLOW".to_owned(), Some(true)),
        WebIdentityOutlook::Fails {
            code,
            reason,
            aws_error,
        } => (
            Tone::Bad,
            format!("DENY ({code}: {reason}) — {aws_error}"),
            Some(false),
        ),
        WebIdentityOutlook::Unknown { reason } => {
            (Tone::Unknown, format!("UNKNOWN {reason}"), None)
        }
    };
    lines.push(DrillLine::new(vec![
        DrillSpan::new(Tone::Dim, format!("  {:<20}", "analysis predicted")),
        DrillSpan::new(tone, text),
    ]));
    if let Some(deciding) = deciding_condition(&irsa) {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<20}", "deciding")),
            DrillSpan::new(Tone::Accent, deciding),
        ]));
    }
    verdict
}

/// The trust condition that decided: the deciding statement's conditions, or the first failed
/// condition of a statement whose principal matched.
fn deciding_condition(irsa: &IrsaAnalysis) -> Option<String> {
    let TrustOutcome::Evaluated { verdict } = &irsa.trust else {
        return None;
    };
    let cond = |c: &irsa_core::analysis::trust::ConditionTrace| {
        let actual = c
            .actual
            .as_ref()
            .map_or_else(|| "(absent)".to_owned(), |a| a.join(" | "));
        format!(
            "{} {} expected {} actual {actual}",
            c.operator,
            c.key,
            c.expected.join(" | ")
        )
    };
    match (verdict.decision, verdict.deciding_statement) {
        (Decision::Allow | Decision::Deny, Some(i)) => {
            let st = verdict.statements.get(i)?;
            let conditions: Vec<String> = st.conditions.iter().map(cond).collect();
            Some(format!(
                "statement {} ({:?}){}",
                i + 1,
                st.effect,
                if conditions.is_empty() {
                    String::new()
                } else {
                    format!(": {}", conditions.join("; "))
                }
            ))
        }
        _ => verdict
            .statements
            .iter()
            .filter(|s| s.principal.matched)
            .find_map(|s| {
                s.conditions
                    .iter()
                    .find(|c| !c.passed)
                    .map(|c| format!("statement {}: ✗ {}", s.index + 1, cond(c)))
            }),
    }
}

fn aws_answer(lines: &mut Vec<DrillLine>, answer: &WebIdentityAnswer, predicted: Option<bool>) {
    let (tone, text, allowed) = match answer {
        WebIdentityAnswer::Accepted {
            assumed_role_arn, ..
        } => (
            Tone::Good,
            format!(
                "✓ success: AssumedRoleUser {} (credentials discarded)",
                assumed_role_arn
                    .as_deref()
                    .unwrap_or("(no ARN in the answer)")
            ),
            Some(true),
        ),
        WebIdentityAnswer::Rejected { code, message } => {
            (Tone::Bad, format!("✗ {code}: {message}"), Some(false))
        }
        WebIdentityAnswer::Failed(why) => (Tone::Unknown, format!("no verdict: {why}"), None),
    };
    lines.push(DrillLine::new(vec![
        DrillSpan::new(Tone::Dim, format!("  {:<20}", "AWS answered")),
        DrillSpan::new(tone, clean(&text)),
    ]));
    let agreement = match (predicted, allowed) {
        (Some(p), Some(a)) if p == a => {
            DrillLine::toned(Tone::Good, "  ✓ AWS agrees with the analysis")
        }
        (Some(_), Some(_)) => DrillLine::toned(
            Tone::Bad,
            "  ✗ AWS DISAGREES with the analysis (the data on screen may be stale or incomplete)",
        ),
        _ => return,
    };
    lines.push(agreement);
}

/// The `:can` view's "AWS's own simulator" section, right after our decision: the key that
/// asks (read-only, so `--read-only` leaves it on), and AWS's answer beside ours.
fn ask_aws_section(drill: &mut Drill, data: &Dataset, live: &LiveActions) {
    use irsa_core::analysis::permission::PermissionDecision;
    use irsa_core::analysis::permission::ask_aws::compare;
    let mut lines = vec![
        DrillLine::blank(),
        DrillLine::heading("AWS's own simulator — read-only, with your AWS credentials"),
    ];
    let hint = match build_request(data, &drill.target, ActionKind::AskAws) {
        Ok(RequestKind::AskAws(s)) => format!(
            "ask AWS's simulator about {} (iam:SimulatePrincipalPolicy creates nothing){}",
            s.role_arn,
            if live.caps.aws {
                ""
            } else {
                " — needs --aws"
            }
        ),
        Ok(_) => String::new(),
        Err(why) => why,
    };
    lines.push(DrillLine::new(vec![
        DrillSpan::new(Tone::Accent, "  A  "),
        DrillSpan::new(Tone::Dim, hint),
    ]));
    for record in live.of(&drill.target) {
        let RequestKind::AskAws(asked) = &record.request else {
            continue;
        };
        lines.push(DrillLine::toned(
            Tone::Dim,
            format!("  asked about {} (keys as given to :can)", asked.role_arn),
        ));
        match &record.outcome {
            None => lines.push(DrillLine::toned(Tone::Dim, "  running…")),
            Some(ActionOutcome::AwsSimulation(sim)) => {
                let (tone, word) = match sim.decision {
                    PermissionDecision::Allow => (Tone::Good, "ALLOW"),
                    PermissionDecision::ExplicitDeny => (Tone::Bad, "EXPLICIT DENY"),
                    PermissionDecision::ImplicitDeny => (Tone::Bad, "IMPLICIT DENY"),
                };
                lines.push(DrillLine::new(vec![
                    DrillSpan::new(Tone::Dim, format!("  {:<18}", "AWS says")),
                    DrillSpan::new(tone, word),
                ]));
                if !sim.matched.is_empty() {
                    lines.push(DrillLine::field("matched", clean(&sim.matched.join(", "))));
                }
                if !sim.missing_context.is_empty() {
                    lines.push(DrillLine::field(
                        "missing context",
                        clean(&sim.missing_context.join(", ")),
                    ));
                }
                match super::can_i_answer(data, &drill.target) {
                    Ok(ours) => {
                        let c = compare(ours.decision, sim.clone(), ours.session_policy_applied);
                        if c.agrees {
                            lines.push(DrillLine::toned(Tone::Good, "  ✓ agrees with ours"));
                        } else {
                            lines.push(DrillLine::toned(Tone::Warn, "  ≠ differs from ours"));
                            if let Some(note) = c.note {
                                lines.push(DrillLine::toned(Tone::Dim, format!("    {note}")));
                            }
                        }
                    }
                    Err(e) => lines.push(DrillLine::toned(Tone::Unknown, format!("  {e}"))),
                }
            }
            Some(ActionOutcome::Forbidden(m) | ActionOutcome::Failed(m)) => {
                lines.push(DrillLine::toned(Tone::Bad, format!("  ✗ {}", clean(m))));
            }
            Some(ActionOutcome::Unavailable(m)) => {
                lines.push(DrillLine::toned(Tone::Dim, format!("  {}", clean(m))));
            }
            Some(_) => {}
        }
    }
    // Right after our decision and its reason: before the first trace block.
    let decision = drill
        .lines
        .iter()
        .position(|l| {
            l.spans
                .first()
                .is_some_and(|s| s.text.starts_with("Decision"))
        })
        .unwrap_or(0);
    let at = drill.lines[decision..]
        .iter()
        .position(|l| l.spans.is_empty())
        .map_or(drill.lines.len(), |i| decision + i);
    drill.lines.splice(at..at, lines);
}
