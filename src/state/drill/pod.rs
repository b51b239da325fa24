//! The pod identity view, read from the analysis's `pod_analysis`: the identity the pod gets,
//! its token (decoded claims and time left, or the projected volume's settings when no token
//! was read), the webhook's prediction against the live spec as a diff, the credential chain
//! of every container with where it lands, and the node's IMDS settings.

use super::{DrillLine, DrillSpan, findings_section};
use crate::tone::Tone;
use irsa_core::analysis::checks::pod_analysis;
use irsa_core::analysis::credentials::{
    CredentialVerdict, ImdsReach, InstanceState, NodeContext, NodeRole, StepResult,
};
use irsa_core::analysis::inventory::InventoryIndex;
use irsa_core::analysis::permission::can_i;
use irsa_core::analysis::webhook::{self, MutationMode};
use irsa_core::dataset::Dataset;
use irsa_core::model::{PodInfo, ProjectedSource, Subject, VolumeSourceInfo};
use jiff::Timestamp;

pub(super) fn build(
    data: &Dataset,
    namespace: &str,
    name: &str,
    now: Timestamp,
) -> (String, Vec<DrillLine>, Option<String>) {
    let title = format!("Pod {namespace}/{name} — identity");
    let index = InventoryIndex::new(&data.inventory);
    let Some(pod) = data.inventory.pod(namespace, name) else {
        return (
            title,
            vec![DrillLine::toned(
                Tone::Unknown,
                "This pod is no longer in the data.",
            )],
            None,
        );
    };
    let (_, analysis) = pod_analysis(&index, pod);
    let subject = Subject::pod(namespace, name);
    let sa_subject = Subject::service_account(namespace, &pod.service_account);
    let mut lines = vec![DrillLine::heading("Identity")];
    if let Some(s) = data.report.pods.iter().find(|p| p.pod == subject) {
        let tone = if s.identity.starts_with("NODE ROLE") {
            Tone::Bad
        } else {
            Tone::Plain
        };
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<18}", "gets")),
            DrillSpan::new(tone, &*s.identity),
        ]));
    }
    let mutated = match analysis.injection.mode {
        MutationMode::Irsa => "yes (IRSA)",
        MutationMode::PodIdentity => "yes (Pod Identity)",
        MutationMode::None => "no",
    };
    lines.push(DrillLine::field("webhook mutated", mutated));
    lines.push(DrillLine::field("ServiceAccount", &*pod.service_account));
    token_section(&mut lines, &index, pod, now);
    webhook_section(&mut lines, &index, pod);
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Credential chain per container"));
    for c in &analysis.containers {
        container_lines(&mut lines, c);
    }
    // A pod that falls back to the node's role can do whatever that role can.
    if analysis
        .containers
        .iter()
        .any(CredentialVerdict::lands_on_imds)
        && let NodeRole::Known(role) = &analysis.node.node_role
    {
        super::permissions::effective_lines(
            &mut lines,
            &format!("What the node role lets this pod do ({})", role.name),
            &can_i::role_summary(&data.inventory, role),
        );
    }
    node_section(&mut lines, &analysis.node, pod.host_network);
    let findings: Vec<_> = data
        .report
        .findings
        .iter()
        .filter(|f| f.subject == subject || f.related.contains(&subject) || f.subject == sa_subject)
        .collect();
    let copy = findings.iter().find_map(|f| f.fix.clone());
    findings_section(&mut lines, findings.into_iter());
    (title, lines, copy)
}

fn token_section(
    lines: &mut Vec<DrillLine>,
    index: &InventoryIndex,
    pod: &PodInfo,
    now: Timestamp,
) {
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Token"));
    let observed = index.tokens_of(&pod.namespace, &pod.name);
    for t in observed {
        lines.push(DrillLine::field("read from", t.origin.clone()));
        let token = match &t.decoded {
            Ok(token) => token,
            Err(e) => {
                lines.push(DrillLine::toned(
                    Tone::Bad,
                    format!("  FAIL could not decode: {e}"),
                ));
                continue;
            }
        };
        let c = &token.claims;
        lines.push(DrillLine::field("iss", c.iss.clone().unwrap_or_default()));
        lines.push(DrillLine::field("sub", c.sub.clone().unwrap_or_default()));
        lines.push(DrillLine::field("aud", c.aud.join(", ")));
        let Some(l) = token.lifetime(now) else {
            lines.push(DrillLine::field("lifetime", "unknown (no iat/exp claim)"));
            continue;
        };
        lines.push(DrillLine::field("issued", l.issued_at.to_string()));
        lines.push(DrillLine::field("expires", l.expires_at.to_string()));
        let (tone, left) = if l.expired {
            (
                Tone::Bad,
                format!("EXPIRED {} ago", duration(-l.remaining_seconds)),
            )
        } else if l.past_refresh {
            (
                Tone::Warn,
                format!(
                    "{} left, past its refresh point (kubelet should have rotated it)",
                    duration(l.remaining_seconds)
                ),
            )
        } else {
            (
                Tone::Good,
                format!("{} left", duration(l.remaining_seconds)),
            )
        };
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, format!("  {:<18}", "time left")),
            DrillSpan::new(tone, left),
        ]));
    }
    if !observed.is_empty() {
        return;
    }
    lines.push(DrillLine::toned(
        Tone::Dim,
        "  no token read; the projected volumes request:",
    ));
    let mut any = false;
    for v in &pod.volumes {
        let VolumeSourceInfo::Projected { sources } = &v.source else {
            continue;
        };
        for s in sources {
            if let ProjectedSource::ServiceAccountToken {
                audience,
                expiration_seconds,
                path,
            } = s
            {
                any = true;
                lines.push(DrillLine::plain(format!(
                    "    {}: audience {}, lifetime {}, file {path}",
                    pod.shown_volume_name(&v.name),
                    audience.as_deref().unwrap_or("(API server default)"),
                    expiration_seconds.map_or_else(|| "default".to_owned(), |s| format!("{s} s")),
                )));
            }
        }
    }
    if !any {
        lines.push(DrillLine::toned(
            Tone::Dim,
            "    no projected ServiceAccount token volume",
        ));
    }
}

fn webhook_section(lines: &mut Vec<DrillLine>, index: &InventoryIndex, pod: &PodInfo) {
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Webhook prediction vs live spec"));
    let Some(sa) = index.service_account(&pod.namespace, &pod.service_account) else {
        lines.push(DrillLine::toned(
            Tone::Unknown,
            "  UNKNOWN the pod's ServiceAccount is not in the data",
        ));
        return;
    };
    let pi = (!index
        .associations_of(&pod.namespace, &pod.service_account)
        .is_empty())
    .then(|| index.pod_identity_config());
    let gate = webhook::admission(&index.inventory.webhook_registration, pod);
    let tone = match gate {
        webhook::Admission::Sees(_) => Tone::Plain,
        webhook::Admission::Unknown(_) | webhook::Admission::MaybeExcluded(..) => Tone::Unknown,
        webhook::Admission::NotRegistered | webhook::Admission::Excluded(..) => Tone::Bad,
    };
    lines.push(DrillLine::toned(
        tone,
        format!("  registration: {}", gate.describe()),
    ));
    if gate.never_mutated() {
        lines.push(DrillLine::toned(
            Tone::Bad,
            "  a pod created now would not be mutated at all",
        ));
    }
    let deviations = webhook::diff(sa, pod, &index.settings, pi.as_ref());
    if deviations.is_empty() {
        lines.push(DrillLine::toned(
            Tone::Good,
            "  ✓ the live pod matches what the webhook would inject today",
        ));
    }
    for d in deviations {
        let place = d
            .container
            .as_deref()
            .map_or_else(|| "pod".to_owned(), |c| format!("container {c}"));
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Bad, "  ✗ "),
            DrillSpan::new(Tone::Plain, format!("{place}: {}", d.item)),
        ]));
        lines.push(DrillLine::toned(
            Tone::Good,
            format!(
                "      + webhook: {}",
                d.expected.as_deref().unwrap_or("(nothing)")
            ),
        ));
        lines.push(DrillLine::toned(
            Tone::Bad,
            format!(
                "      - live:    {}",
                d.actual.as_deref().unwrap_or("(absent)")
            ),
        ));
    }
}

fn container_lines(lines: &mut Vec<DrillLine>, c: &CredentialVerdict) {
    let tone = if c.lands_on_imds() {
        Tone::Bad
    } else {
        Tone::Plain
    };
    lines.push(DrillLine::new(vec![
        DrillSpan::new(Tone::Heading, format!("  {} ", c.container)),
        DrillSpan::new(Tone::Dim, "→ "),
        DrillSpan::new(tone, c.label()),
    ]));
    for step in &c.steps {
        let (mark, tone) = match step.result {
            StepResult::Selected => ("▶", Tone::Good),
            StepResult::Fails => ("✗", Tone::Bad),
            StepResult::Skipped | StepResult::NotReached => ("·", Tone::Dim),
            StepResult::Maybe | StepResult::Unknown => ("?", Tone::Unknown),
        };
        lines.push(DrillLine::new(vec![
            DrillSpan::new(tone, format!("    {mark} ")),
            DrillSpan::new(Tone::Plain, format!("{:<44} ", step.checked)),
            DrillSpan::new(Tone::Dim, step.detail.clone()),
        ]));
    }
    if let Some(f) = &c.fallback {
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Bad, "    fails: "),
            DrillSpan::new(Tone::Plain, f.reason.clone()),
        ]));
        lines.push(DrillLine::new(vec![
            DrillSpan::new(Tone::Dim, "    AWS says: "),
            DrillSpan::new(Tone::Bad, f.aws_error.clone()),
        ]));
    }
}

fn node_section(lines: &mut Vec<DrillLine>, node: &NodeContext, host_network: bool) {
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading(format!(
        "Node {}",
        node.node_name.as_deref().unwrap_or("(not scheduled)")
    )));
    super::node::context_lines(lines, node, host_network);
}

/// `2h 5m`, `3d 4h`, `45s`.
pub(super) fn duration(seconds: i64) -> String {
    let s = seconds.max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m {}s", s / 60, s % 60),
        3600..86400 => format!("{}h {}m", s / 3600, (s % 3600) / 60),
        _ => format!("{}d {}h", s / 86400, (s % 86400) / 3600),
    }
}

/// The IMDS verdict line.
pub(super) fn imds_line(reach: &ImdsReach) -> DrillLine {
    let (mark, tone, why) = match reach {
        ImdsReach::Reachable(why) => ("REACHABLE from pods", Tone::Bad, why),
        ImdsReach::Unreachable(why) => ("not reachable from pods", Tone::Good, why),
        ImdsReach::Unknown(why) => ("UNKNOWN", Tone::Unknown, why),
    };
    DrillLine::new(vec![
        DrillSpan::new(Tone::Dim, format!("  {:<18}", "IMDS")),
        DrillSpan::new(tone, mark),
        DrillSpan::new(Tone::Dim, format!("  {why}")),
    ])
}

/// Whether a node context has a known instance.
pub(super) fn has_instance(node: &NodeContext) -> bool {
    matches!(node.instance, InstanceState::Found(_))
}
