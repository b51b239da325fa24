//! The node view: instance, IMDS settings, instance role and the pods that land on it.

use super::{Line, Span, Tone, findings_about, findings_section};
use crate::event::Dataset;
use crate::model::Subject;
use crate::state::rows::NodeRow;

pub(super) fn build(data: &Dataset, name: &str) -> (String, Vec<Line>, Option<String>) {
    let title = format!("Node {name}");
    let mut lines = vec![Line::heading("Instance")];
    imds_lines(&mut lines, data, name);
    lines.push(Line::blank());
    lines.push(Line::heading("Pods on this node"));
    let mut any = false;
    for p in data
        .report
        .pods
        .iter()
        .filter(|p| p.node.as_deref() == Some(name))
    {
        any = true;
        let tone = if p.identity.starts_with("NODE ROLE") {
            Tone::Bad
        } else {
            Tone::Plain
        };
        lines.push(Line::new(vec![
            Span::new(
                Tone::Plain,
                format!(
                    "  {}/{}  ",
                    p.pod.namespace.as_deref().unwrap_or(""),
                    p.pod.name
                ),
            ),
            Span::new(tone, p.identity.clone()),
        ]));
    }
    if !any {
        lines.push(Line::toned(Tone::Dim, "  none"));
    }
    let subject = Subject::node(name);
    findings_section(&mut lines, findings_about(data, &subject));
    let copy = row(data, name).and_then(|r| r.instance_id);
    (title, lines, copy)
}

fn row(data: &Dataset, name: &str) -> Option<NodeRow> {
    crate::state::rows::derive_node(&data.inventory, &data.report, name)
}

/// Instance id, Fargate, IMDS `HttpTokens` / hop limit and instance role of a node.
pub(super) fn imds_lines(lines: &mut Vec<Line>, data: &Dataset, name: &str) {
    let Some(r) = row(data, name) else {
        lines.push(Line::toned(Tone::Unknown, "  UNKNOWN node not in the data"));
        return;
    };
    if r.fargate {
        lines.push(Line::field("compute", "Fargate (no IMDS, no Pod Identity)"));
        return;
    }
    lines.push(Line::field(
        "instance",
        r.instance_id
            .clone()
            .unwrap_or_else(|| "(no EC2 providerID)".to_owned()),
    ));
    if !r.instances_known {
        lines.push(Line::toned(
            Tone::Unknown,
            "  UNKNOWN EC2 instances not readable: IMDS settings unknown",
        ));
        return;
    }
    let tokens = r
        .http_tokens
        .clone()
        .unwrap_or_else(|| "unknown".to_owned());
    let tokens_tone = if tokens == "required" {
        Tone::Good
    } else {
        Tone::Warn
    };
    lines.push(Line::new(vec![
        Span::new(Tone::Dim, format!("  {:<18}", "IMDS HttpTokens")),
        Span::new(tokens_tone, tokens),
    ]));
    let hop = r
        .hop_limit
        .map_or_else(|| "unknown".to_owned(), |h| h.to_string());
    let hop_tone = if r.hop_limit.is_some_and(|h| h < 2) {
        Tone::Good
    } else {
        Tone::Warn
    };
    lines.push(Line::new(vec![
        Span::new(Tone::Dim, format!("  {:<18}", "IMDS hop limit")),
        Span::new(hop_tone, hop),
    ]));
    lines.push(Line::field(
        "instance role",
        r.instance_role
            .clone()
            .unwrap_or_else(|| "unknown".to_owned()),
    ));
    lines.push(Line::field(
        "fall back here",
        format!("{} of {} pods", r.fallback_pods, r.pods),
    ));
}
