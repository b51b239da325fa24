//! Node placement: the EC2 instance behind a node (from `spec.providerID`), Fargate detection,
//! and the node's instance role via its instance profile.

use super::InventoryIndex;
use crate::analysis::credentials::{InstanceState, NodeContext, NodeRole};
use crate::model::NodeInfo;

/// Label EKS puts on Fargate nodes.
pub const COMPUTE_TYPE_LABEL: &str = "eks.amazonaws.com/compute-type";

/// The EC2 instance id of a node's `spec.providerID` (`aws:///<az>/i-…`), if it names one.
pub fn instance_id_from_provider_id(provider_id: &str) -> Option<&str> {
    let rest = provider_id.strip_prefix("aws://")?;
    rest.rsplit('/')
        .next()
        .filter(|id| id.starts_with("i-") && id.len() > 2)
}

/// True for Fargate nodes (label `eks.amazonaws.com/compute-type=fargate`, or a
/// `fargate-…` provider id).
pub fn is_fargate(node: &NodeInfo) -> bool {
    node.labels
        .get(COMPUTE_TYPE_LABEL)
        .is_some_and(|v| v.eq_ignore_ascii_case("fargate"))
        || node
            .provider_id
            .as_deref()
            .and_then(|p| p.rsplit('/').next())
            .is_some_and(|last| last.starts_with("fargate-"))
}

impl<'a> InventoryIndex<'a> {
    /// Everything the credential chain needs to know about where a pod runs.
    pub fn node_context(&self, node_name: Option<&str>) -> NodeContext<'a> {
        let Some(name) = node_name else {
            return NodeContext::unknown(None, "pod not scheduled on a node");
        };
        let Some(node) = self.node(name) else {
            return NodeContext::unknown(Some(name), "node not in the inventory");
        };
        let windows = node
            .labels
            .get("kubernetes.io/os")
            .is_some_and(|v| v.eq_ignore_ascii_case("windows"));
        if is_fargate(node) {
            return NodeContext {
                node_name: Some(node.name.clone()),
                node: Some(node),
                fargate: true,
                windows,
                instance: InstanceState::NotEc2,
                node_role: NodeRole::None,
            };
        }
        let instance_id = node
            .provider_id
            .as_deref()
            .and_then(instance_id_from_provider_id);
        let instance = match (instance_id, &self.instances) {
            (None, _) => InstanceState::Unknown(format!(
                "providerID {:?} names no EC2 instance",
                node.provider_id.as_deref().unwrap_or("")
            )),
            (Some(id), None) => {
                InstanceState::Unknown(format!("EC2 instances not loaded (node instance {id})"))
            }
            (Some(id), Some(map)) => match map.get(id) {
                Some(i) => InstanceState::Found(i),
                None => InstanceState::Unknown(format!("instance {id} not in the EC2 inventory")),
            },
        };
        let node_role = match &instance {
            InstanceState::Found(i) => match i.instance_profile_arn.as_deref() {
                None => NodeRole::None,
                Some(profile) => match self.role_for_instance_profile(profile) {
                    Some(role) => NodeRole::Known(role),
                    None if self.roles.is_none() => NodeRole::Unknown(format!(
                        "instance profile {profile}: IAM roles not loaded"
                    )),
                    None => NodeRole::Unknown(format!(
                        "instance profile {profile} contains no loaded role"
                    )),
                },
            },
            InstanceState::Unknown(why) => NodeRole::Unknown(why.clone()),
            InstanceState::NotEc2 => NodeRole::None,
        };
        NodeContext {
            node_name: Some(node.name.clone()),
            node: Some(node),
            fargate: false,
            windows,
            instance,
            node_role,
        }
    }
}
