//! Rows of the Nodes pane: instance, IMDS settings, instance role and blast radius.

use super::{Index, arn_name, haystack};
use crate::rows::Row;
use irsa_core::analysis::inventory::{instance_id_from_provider_id, is_fargate};
use irsa_core::model::{FindingCode, Severity, Subject};
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

/// One node.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeRow {
    pub key: String,
    pub name: String,
    pub instance_id: Option<String>,
    pub fargate: bool,
    /// `HttpTokens` (`required` / `optional`); `None` when unknown.
    pub http_tokens: Option<String>,
    pub hop_limit: Option<i64>,
    /// The instance role's name (else the instance profile's), when known.
    pub instance_role: Option<String>,
    /// False when EC2 instances could not be read (IMDS columns unknown).
    pub instances_known: bool,
    pub pods: usize,
    /// Pods the analysis says land on this node's role.
    pub fallback_pods: usize,
    pub worst: Option<FindingCode>,
    pub worst_severity: Option<Severity>,
    haystack: String,
}

pub(super) fn derive(ix: &Index) -> Vec<NodeRow> {
    let inventory = ix.inventory;
    // (pods, pods falling back to the node role) per node, in one pass over the pods.
    let mut per_node: HashMap<&str, (usize, usize)> = HashMap::new();
    for p in &ix.report.pods {
        if let Some(node) = p.node.as_deref() {
            let entry = per_node.entry(node).or_default();
            entry.0 += 1;
            if p.identity.starts_with("NODE ROLE") {
                entry.1 += 1;
            }
        }
    }
    inventory
        .nodes
        .iter()
        .map(|node| {
            let id = node
                .provider_id
                .as_deref()
                .and_then(instance_id_from_provider_id)
                .map(str::to_owned);
            let instance = id.as_deref().and_then(|id| {
                inventory
                    .instances
                    .as_ref()?
                    .iter()
                    .find(|i| i.instance_id == id)
            });
            let meta = instance.and_then(|i| i.metadata_options.as_ref());
            let instance_role = instance
                .and_then(|i| i.instance_profile_arn.as_deref())
                .map(|profile| {
                    inventory
                        .roles
                        .iter()
                        .flatten()
                        .find(|r| r.instance_profiles.iter().any(|p| p == profile))
                        .map(|r| r.name.clone())
                        .unwrap_or_else(|| arn_name(profile).to_owned())
                });
            let (pods, fallback_pods) = per_node
                .get(node.name.as_str())
                .copied()
                .unwrap_or_default();
            let worst = ix.worst_about(&Subject::node(&node.name));
            let fargate = is_fargate(node);
            let hay = haystack([
                node.name.as_str(),
                id.as_deref().unwrap_or(""),
                instance_role.as_deref().unwrap_or(""),
                if fargate { "fargate" } else { "" },
                worst.map(|w| w.1.as_str()).unwrap_or(""),
            ]);
            NodeRow {
                key: node.name.clone(),
                name: node.name.clone(),
                instance_id: id,
                fargate,
                http_tokens: meta.and_then(|m| m.http_tokens.clone()),
                hop_limit: meta.and_then(|m| m.http_put_response_hop_limit),
                instance_role,
                instances_known: inventory.instances.is_some(),
                pods,
                fallback_pods,
                worst: worst.map(|w| w.1),
                worst_severity: worst.map(|w| w.0),
                haystack: hay,
            }
        })
        .collect()
}

impl Row for NodeRow {
    const SORTS: &'static [&'static str] = &["worst first", "name", "blast radius"];

    fn key(&self) -> &str {
        &self.key
    }
    fn haystack(&self) -> Cow<'_, str> {
        Cow::Borrowed(&self.haystack)
    }
    fn namespace(&self) -> Option<&str> {
        None
    }
    fn copy_value(&self) -> Option<&str> {
        self.instance_id.as_deref().or(Some(&self.name))
    }
    fn compare(&self, other: &Self, sort: usize) -> Ordering {
        let by_name = || self.name.cmp(&other.name);
        match sort {
            0 => other
                .worst_severity
                .cmp(&self.worst_severity)
                .then(other.fallback_pods.cmp(&self.fallback_pods))
                .then_with(by_name),
            2 => other
                .fallback_pods
                .cmp(&self.fallback_pods)
                .then(other.pods.cmp(&self.pods))
                .then_with(by_name),
            _ => by_name(),
        }
    }
}
