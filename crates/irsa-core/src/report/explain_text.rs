//! `explain sa|pod`: the whole identity chain of one subject as readable text — the same facts
//! the drill-down views show. Rendering only: the caller runs the analysis.

use super::audit_table::role_name;
use super::clean;
use super::token_text;
use super::trust_text;
use crate::analysis::audit::PodIdentity;
use crate::analysis::checks::PodAnalysis;
use crate::analysis::checks::binding::BindingAnalysis;
use crate::analysis::checks::binding::{LinkStatus, TrustOutcome};
use crate::analysis::credentials::{ImdsReach, InstanceState, NodeRole, StepResult};
use crate::analysis::token::{DecodedToken, TokenLifetime};
use crate::analysis::verdict::Mechanism;
use crate::analysis::webhook::{Admission, Deviation};
use crate::model::{Finding, PodInfo, ProjectedSource, ServiceAccountInfo, VolumeSourceInfo};

/// A decoded token with its lifetime at `now`, or why it could not be decoded.
pub type TokenView<'a> = Result<(&'a DecodedToken, Option<TokenLifetime>), String>;

/// Everything `explain sa` prints, gathered by the caller.
pub struct SaExplanation<'a> {
    pub sa: &'a ServiceAccountInfo,
    pub binding: &'a BindingAnalysis,
    /// The role's trust document, decoded and pretty-printed, when known.
    pub trust_document: Option<String>,
    pub pods: Vec<&'a PodIdentity>,
    pub findings: Vec<&'a Finding>,
}

/// Everything `explain pod` prints, gathered by the caller.
pub struct PodExplanation<'a> {
    pub pod: &'a PodInfo,
    pub analysis: &'a PodAnalysis<'a>,
    pub binding: Option<&'a BindingAnalysis>,
    pub deviations: Vec<Deviation>,
    /// What the webhook's registration says about this pod.
    pub registration: Admission<'a>,
    /// Decoded observed tokens with their origin and lifetime, or the decode error.
    pub tokens: Vec<(String, TokenView<'a>)>,
    pub findings: Vec<&'a Finding>,
}

fn mechanism(m: Mechanism) -> &'static str {
    match m {
        Mechanism::Irsa => "IRSA",
        Mechanism::PodIdentity => "EKS Pod Identity",
        Mechanism::Both => "IRSA and EKS Pod Identity (Pod Identity wins in the webhook)",
        Mechanism::None => "none (no role-arn annotation, no Pod Identity association)",
    }
}

fn link_mark(s: LinkStatus) -> &'static str {
    match s {
        LinkStatus::Ok => "[✓]",
        LinkStatus::Broken => "[✗]",
        LinkStatus::Unknown => "[?]",
        LinkStatus::Skipped => "[-]",
    }
}

/// A chain's links as a checklist, the first broken one marked.
fn links_text(
    links: &[crate::analysis::checks::binding::ChainLink],
    first_broken: Option<usize>,
    out: &mut String,
) {
    for (i, link) in links.iter().enumerate() {
        let first = if first_broken == Some(i) {
            "  ◀ first broken link"
        } else {
            ""
        };
        let code = link.code.map(|c| format!(" ({c})")).unwrap_or_default();
        out.push_str(&format!(
            "  {} {}: {}{code}{first}\n",
            link_mark(link.status),
            link.kind.label(),
            clean(&link.detail)
        ));
    }
}

fn binding_text(b: &BindingAnalysis, trust_document: Option<&str>, out: &mut String) {
    out.push_str(&format!("mechanism: {}\n", mechanism(b.mechanism)));
    if let Some(irsa) = &b.irsa {
        out.push_str(&format!(
            "\nIRSA chain for role {}\n",
            clean(&irsa.role_arn)
        ));
        out.push_str(&format!(
            "  token sub {}  aud {}\n",
            clean(&irsa.subject),
            clean(&irsa.audience)
        ));
        if let Some(issuer) = &irsa.issuer {
            out.push_str(&format!("  issuer    {}\n", clean(issuer)));
        }
        links_text(&irsa.links, irsa.first_broken, out);
        if let Some(doc) = trust_document {
            out.push_str("\ntrust policy\n");
            for line in doc.lines() {
                out.push_str(&format!("  {}\n", clean(line)));
            }
        }
        match &irsa.trust {
            TrustOutcome::Evaluated { verdict } => {
                out.push_str("\ntrust evaluation\n");
                for line in trust_text::verdict(verdict).lines() {
                    out.push_str(&format!("  {line}\n"));
                }
            }
            TrustOutcome::Unparsable { error } => {
                out.push_str(&format!("\ntrust policy unparsable: {}\n", clean(error)))
            }
            TrustOutcome::NotEvaluated { reason } => {
                out.push_str(&format!("\ntrust not evaluated: {}\n", clean(reason)))
            }
        }
    }
    if let Some(pi) = &b.pod_identity {
        out.push_str(&format!(
            "\nEKS Pod Identity association {} → role {}\n",
            clean(&pi.association_id),
            clean(&pi.role_arn)
        ));
        if let Some(target) = &pi.target_role_arn {
            out.push_str(&format!("  target role  {}\n", clean(target)));
        }
        if let Some(id) = &pi.external_id {
            out.push_str(&format!("  external id  {}\n", clean(id)));
        }
        if !pi.session_tags {
            out.push_str("  session tags disabled\n");
        }
        if pi.links.is_empty() {
            let d = |x: Option<crate::analysis::trust::Decision>| {
                x.map(trust_text::decision_label).unwrap_or("unknown")
            };
            out.push_str(&format!(
                "  pods.eks.amazonaws.com sts:AssumeRole: {}\n",
                d(pi.assume_role)
            ));
            out.push_str(&format!(
                "  pods.eks.amazonaws.com sts:TagSession: {}\n",
                d(pi.tag_session)
            ));
        }
        links_text(&pi.links, pi.first_broken, out);
        if let Some(error) = &pi.aws_error {
            out.push_str(&format!("  a pod sees: {}\n", clean(error)));
        }
        if let Some(u) = &pi.unknown {
            out.push_str(&format!("  not checked: {}\n", clean(u)));
        }
    }
    for (source, why) in &b.unknowns {
        out.push_str(&format!("unknown ({source}): {}\n", clean(why)));
    }
}

fn findings_text(findings: &[&Finding], out: &mut String) {
    out.push_str(&format!("\nfindings ({})\n", findings.len()));
    for f in findings {
        out.push_str(&format!(
            "  [{}] {} {}\n",
            f.severity.as_str().to_uppercase(),
            f.code,
            clean(&f.title)
        ));
        for e in &f.evidence {
            let exp = e
                .expected
                .as_deref()
                .map(|x| format!("  expected: {}", clean(x)))
                .unwrap_or_default();
            let act = e
                .actual
                .as_deref()
                .map(|x| format!("  actual: {}", clean(x)))
                .unwrap_or_default();
            out.push_str(&format!("      {}{exp}{act}\n", clean(&e.item)));
        }
        if let Some(err) = &f.aws_error {
            out.push_str(&format!("      error: {}\n", clean(err)));
        }
        if let Some(fix) = &f.fix {
            out.push_str(&format!("      fix:   {}\n", clean(fix)));
        }
    }
}

/// The text of `explain sa`.
pub fn service_account(x: &SaExplanation<'_>) -> String {
    let mut out = format!(
        "ServiceAccount {}/{}\n",
        clean(&x.sa.namespace),
        clean(&x.sa.name)
    );
    for (k, v) in &x.sa.annotations {
        if k.starts_with("eks.amazonaws.com/") {
            out.push_str(&format!("  annotation {} = {}\n", clean(k), clean(v)));
        }
    }
    binding_text(x.binding, x.trust_document.as_deref(), &mut out);
    out.push_str(&format!("\npods ({})\n", x.pods.len()));
    for p in &x.pods {
        out.push_str(&format!(
            "  {}  {}  {}\n",
            clean(&p.pod.name),
            clean(&p.identity),
            if p.mutated { "mutated" } else { "not mutated" }
        ));
    }
    findings_text(&x.findings, &mut out);
    out
}

/// The text of `explain pod`.
pub fn pod(x: &PodExplanation<'_>) -> String {
    let p = x.pod;
    let mut out = format!("Pod {}/{}\n", clean(&p.namespace), clean(&p.name));
    out.push_str(&format!(
        "  service account {}\n",
        clean(&p.service_account)
    ));
    out.push_str(&format!(
        "  node            {}\n",
        clean(p.node_name.as_deref().unwrap_or("(not scheduled)"))
    ));
    if p.host_network {
        out.push_str("  hostNetwork     true\n");
    }
    if let Some(b) = x.binding {
        out.push('\n');
        binding_text(b, None, &mut out);
    } else {
        out.push_str("\nservice account not found in the inventory\n");
    }

    out.push_str("\nwebhook injection\n");
    let inj = &x.analysis.injection;
    out.push_str(&format!(
        "  live pod: {}{}\n",
        match inj.mode {
            crate::analysis::webhook::MutationMode::None => "not mutated",
            crate::analysis::webhook::MutationMode::Irsa => "IRSA-mutated",
            crate::analysis::webhook::MutationMode::PodIdentity => "Pod-Identity-mutated",
        },
        inj.role_arn
            .as_deref()
            .map(|r| format!(" (AWS_ROLE_ARN {})", clean(r)))
            .unwrap_or_default()
    ));
    out.push_str(&format!(
        "  registration: {}\n",
        clean(&x.registration.describe())
    ));
    if x.registration.never_mutated() {
        out.push_str("  a pod created now would not be mutated at all\n");
    }
    if x.deviations.is_empty() {
        out.push_str("  matches what the webhook would inject today\n");
    }
    for d in &x.deviations {
        let where_ = d
            .container
            .as_deref()
            .map(|c| format!("container {}: ", clean(c)))
            .unwrap_or_default();
        out.push_str(&format!(
            "  ✗ {where_}{}  expected: {}  actual: {}\n",
            clean(&d.item),
            clean(d.expected.as_deref().unwrap_or("(nothing)")),
            clean(d.actual.as_deref().unwrap_or("(missing)"))
        ));
    }

    out.push_str("\ntoken\n");
    if x.tokens.is_empty() {
        let projected: Vec<String> = p
            .volumes
            .iter()
            .filter_map(|v| match &v.source {
                VolumeSourceInfo::Projected { sources } => {
                    Some(sources.iter().filter_map(move |s| match s {
                        ProjectedSource::ServiceAccountToken {
                            audience,
                            expiration_seconds,
                            path,
                        } => Some(format!(
                                "  volume {}: audience {}, expirationSeconds {}, path {}",
                                clean(p.shown_volume_name(&v.name)),
                                clean(audience.as_deref().unwrap_or("(API server default)")),
                                expiration_seconds
                                    .map(|e| e.to_string())
                                    .unwrap_or_else(|| "(default)".to_owned()),
                                clean(path)
                            )),
                        _ => None,
                    }))
                }
                _ => None,
            })
            .flatten()
            .collect();
        out.push_str("  no token read (settings of the projected volumes instead)\n");
        if projected.is_empty() {
            out.push_str("  no projected ServiceAccount token volume\n");
        }
        for line in projected {
            out.push_str(&line);
            out.push('\n');
        }
    }
    for (origin, t) in &x.tokens {
        out.push_str(&format!("  from {}\n", clean(origin)));
        match t {
            Ok((decoded, lifetime)) => {
                for line in token_text::render(decoded, lifetime.as_ref()).lines() {
                    out.push_str(&format!("    {line}\n"));
                }
            }
            Err(e) => out.push_str(&format!("    cannot decode: {}\n", clean(e))),
        }
    }

    out.push_str("\ncredential chain per container\n");
    for c in &x.analysis.containers {
        out.push_str(&format!(
            "  {} → {}\n",
            clean(&c.container),
            clean(&c.label())
        ));
        for s in &c.steps {
            let mark = match s.result {
                StepResult::Selected => "▶",
                StepResult::Fails => "✗",
                StepResult::Skipped | StepResult::NotReached => "·",
                StepResult::Maybe | StepResult::Unknown => "?",
            };
            let detail = if s.detail.is_empty() {
                match s.result {
                    StepResult::NotReached => "not reached (an earlier provider was selected)",
                    _ => "-",
                }
            } else {
                s.detail.as_str()
            };
            out.push_str(&format!(
                "    {mark} {}: {}\n",
                clean(&s.checked),
                clean(detail)
            ));
        }
        if let Some(f) = &c.fallback {
            out.push_str(&format!(
                "    fails: {}\n    error: {}\n",
                clean(&f.reason),
                clean(&f.aws_error)
            ));
        }
    }

    out.push_str("\nnode\n");
    let node = &x.analysis.node;
    match &node.instance {
        InstanceState::Found(i) => {
            let m = i.metadata_options.as_ref();
            out.push_str(&format!(
                "  instance {}  HttpTokens {}  hop limit {}  endpoint {}\n",
                clean(&i.instance_id),
                clean(
                    m.and_then(|m| m.http_tokens.as_deref())
                        .unwrap_or("unknown")
                ),
                m.and_then(|m| m.http_put_response_hop_limit)
                    .map(|h| h.to_string())
                    .unwrap_or_else(|| "unknown".to_owned()),
                clean(
                    m.and_then(|m| m.http_endpoint.as_deref())
                        .unwrap_or("enabled (default)")
                )
            ));
        }
        InstanceState::NotEc2 => out.push_str("  Fargate: no IMDS, no Pod Identity agent\n"),
        InstanceState::Unknown(why) => {
            out.push_str(&format!("  instance unknown: {}\n", clean(why)))
        }
    }
    match &node.node_role {
        NodeRole::Known(r) => out.push_str(&format!("  node role {}\n", clean(role_name(&r.arn)))),
        NodeRole::None => {}
        NodeRole::Unknown(why) => out.push_str(&format!("  node role unknown: {}\n", clean(why))),
    }
    let reach = (!x.analysis.containers.is_empty()).then_some(&x.analysis.imds);
    if let Some(r) = reach {
        let (label, why) = match r {
            ImdsReach::Reachable(w) => ("reachable from this pod", w),
            ImdsReach::Unreachable(w) => ("not reachable from this pod", w),
            ImdsReach::Unknown(w) => ("reachability unknown", w),
        };
        out.push_str(&format!("  IMDS {label}: {}\n", clean(why)));
    }
    findings_text(&x.findings, &mut out);
    out
}
