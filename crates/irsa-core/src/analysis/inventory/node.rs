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

/// The `eks.amazonaws.com/compute-type` of EKS Auto Mode nodes, which run the Pod Identity
/// agent built in (no `eks-pod-identity-agent` DaemonSet pod).
pub const AUTO_MODE_COMPUTE_TYPE: &str = "auto";

/// Name prefix and `app.kubernetes.io/name` of the EKS add-on's agent pods (DaemonSet
/// `eks-pod-identity-agent` in `kube-system`).
pub const POD_IDENTITY_AGENT: &str = "eks-pod-identity-agent";

/// True for EKS Auto Mode nodes (label `eks.amazonaws.com/compute-type=auto`).
pub fn is_auto_mode(node: &NodeInfo) -> bool {
    node.labels
        .get(COMPUTE_TYPE_LABEL)
        .is_some_and(|v| v.eq_ignore_ascii_case(AUTO_MODE_COMPUTE_TYPE))
}

/// True for a pod of the Pod Identity agent's DaemonSet.
pub fn is_pod_identity_agent(pod: &crate::model::PodInfo) -> bool {
    &*pod.namespace == "kube-system"
        && (pod
            .labels
            .get("app.kubernetes.io/name")
            .is_some_and(|v| v == POD_IDENTITY_AGENT)
            || pod
                .name
                .strip_prefix(POD_IDENTITY_AGENT)
                .is_some_and(|rest| rest.starts_with('-')))
}

/// Whether a node runs the Pod Identity agent, as far as the pod list tells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AgentPresence<'a> {
    /// A Running agent pod, or an Auto Mode node (built in).
    Running,
    /// An agent pod is there but not Running (its phase).
    NotRunning(&'a crate::model::PodInfo),
    /// The cluster has agent pods, none on this node.
    AbsentHere,
    /// No agent pod anywhere in the listed pods (the add-on is not installed).
    NoneInCluster,
    /// The pod list says nothing about kube-system (e.g. a namespace-limited snapshot).
    Unknown,
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
    /// Whether `node` runs the Pod Identity agent.
    pub fn pod_identity_agent_on(&self, node: &str) -> AgentPresence<'a> {
        if self.node(node).is_some_and(is_auto_mode) {
            return AgentPresence::Running;
        }
        let mut seen: Option<&'a crate::model::PodInfo> = None;
        for &pod in self.pods_on(node) {
            if is_pod_identity_agent(pod) {
                if pod.phase.as_deref().is_none_or(|p| p == "Running") {
                    return AgentPresence::Running;
                }
                seen = Some(pod);
            }
        }
        if let Some(pod) = seen {
            return AgentPresence::NotRunning(pod);
        }
        let (kube_system, agents) = self.kube_system_census();
        match (kube_system, agents) {
            (0, _) => AgentPresence::Unknown,
            (_, 0) => AgentPresence::NoneInCluster,
            _ => AgentPresence::AbsentHere,
        }
    }

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
