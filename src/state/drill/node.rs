//! The node view: instance, IMDS settings and reachability (from the analysis's node context),
//! instance role, and the pods that run there with the identity each gets.

use super::pod::{has_instance, imds_line};
use super::{DrillLine, DrillSpan, findings_about, findings_section};
use crate::tone::Tone;
use irsa_core::analysis::credentials::{InstanceState, NodeContext, NodeRole, imds_reach};
use irsa_core::analysis::inventory::InventoryIndex;
use irsa_core::dataset::Dataset;
use irsa_core::model::Subject;

pub(super) fn build(data: &Dataset, name: &str) -> (String, Vec<DrillLine>, Option<String>) {
    let title = format!("Node {name}");
    let index = InventoryIndex::new(&data.inventory);
    let node = index.node_context(Some(name));
    let mut lines = vec![DrillLine::heading("Instance")];
    context_lines(&mut lines, &node, false);
    lines.push(DrillLine::blank());
    lines.push(DrillLine::heading("Pods on this node"));
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
        lines.push(DrillLine::new(vec![
            DrillSpan::new(
                Tone::Plain,
                format!(
                    "  {}/{}  ",
                    p.pod.namespace.as_deref().unwrap_or(""),
                    p.pod.name
                ),
            ),
            DrillSpan::new(tone, &*p.identity),
        ]));
    }
    if !any {
        lines.push(DrillLine::toned(Tone::Dim, "  none"));
    }
    findings_section(&mut lines, findings_about(data, &Subject::node(name)));
    let copy = node.instance_id().map(str::to_owned);
    (title, lines, copy)
}

/// Instance id, IMDS settings and reachability, and instance role of a node.
pub(super) fn context_lines(lines: &mut Vec<DrillLine>, node: &NodeContext, host_network: bool) {
    match &node.instance {
        InstanceState::NotEc2 => {
            lines.push(DrillLine::field(
                "compute",
                "Fargate (no IMDS, no Pod Identity)",
            ));
        }
        InstanceState::Unknown(why) => {
            lines.push(DrillLine::toned(
                Tone::Unknown,
                format!("  UNKNOWN instance: {why}"),
            ));
        }
        InstanceState::Found(instance) => {
            lines.push(DrillLine::field("instance", instance.instance_id.clone()));
            let opts = instance.metadata_options.as_ref();
            let tokens = opts
                .and_then(|o| o.http_tokens.clone())
                .unwrap_or_else(|| "unknown".to_owned());
            lines.push(DrillLine::field("IMDS HttpTokens", tokens));
            let hops = opts
                .and_then(|o| o.http_put_response_hop_limit)
                .map_or_else(|| "unknown".to_owned(), |h| h.to_string());
            lines.push(DrillLine::field("IMDS hop limit", hops));
        }
    }
    if has_instance(node) || node.fargate {
        lines.push(imds_line(&imds_reach(node, host_network)));
    }
    let role = match &node.node_role {
        NodeRole::Known(r) => r.arn.clone(),
        NodeRole::None => "none".to_owned(),
        NodeRole::Unknown(why) => format!("unknown ({why})"),
    };
    lines.push(DrillLine::field("instance role", role));
}
