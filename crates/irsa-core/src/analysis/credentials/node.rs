//! Where a pod runs, as far as the credential chain cares: the node's EC2 instance, its
//! instance role, and whether the instance metadata service answers pods there.

use crate::model::{Ec2Instance, NodeInfo, RoleInfo};
use serde::{Deserialize, Serialize};

/// The node's EC2 instance, as far as it is known.
#[derive(Debug, Clone, PartialEq)]
pub enum InstanceState<'a> {
    Found(&'a Ec2Instance),
    /// Not an EC2 instance (Fargate).
    NotEc2,
    Unknown(String),
}

/// The node's instance role.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeRole<'a> {
    Known(&'a RoleInfo),
    /// No instance profile (or not an EC2 node).
    None,
    Unknown(String),
}

impl NodeRole<'_> {
    /// The role ARN, when known.
    pub fn arn(&self) -> Option<&str> {
        match self {
            NodeRole::Known(r) => Some(&r.arn),
            _ => None,
        }
    }
    /// The role name, or `unknown`.
    pub fn name_or_unknown(&self) -> &str {
        match self {
            NodeRole::Known(r) => &r.name,
            _ => "unknown",
        }
    }
}

/// Where a pod runs, as the credential chain needs it (built by `InventoryIndex::node_context`).
#[derive(Debug, Clone, PartialEq)]
pub struct NodeContext<'a> {
    pub node_name: Option<String>,
    pub node: Option<&'a NodeInfo>,
    pub fargate: bool,
    pub windows: bool,
    pub instance: InstanceState<'a>,
    pub node_role: NodeRole<'a>,
}

impl NodeContext<'_> {
    /// A context about which nothing is known, with the reason.
    pub fn unknown(node_name: Option<&str>, why: &str) -> Self {
        Self {
            node_name: node_name.map(str::to_owned),
            node: None,
            fargate: false,
            windows: false,
            instance: InstanceState::Unknown(why.to_owned()),
            node_role: NodeRole::Unknown(why.to_owned()),
        }
    }

    /// The instance id, when the instance is known.
    pub fn instance_id(&self) -> Option<&str> {
        match &self.instance {
            InstanceState::Found(i) => Some(&i.instance_id),
            _ => None,
        }
    }
}

/// Whether the instance metadata service answers a pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", content = "why", rename_all = "kebab-case")]
pub enum ImdsReach {
    Reachable(String),
    Unreachable(String),
    Unknown(String),
}

impl ImdsReach {
    /// True only when known reachable.
    pub fn is_reachable(&self) -> bool {
        matches!(self, ImdsReach::Reachable(_))
    }
}

/// IMDS reachability from a pod on this node: endpoint enabled and (IMDSv1 allowed or hop limit
/// ≥ 2), or any hostNetwork pod; never on Fargate; unknown when the instance is unknown.
/// A missing `HttpEndpoint` counts as `enabled`, AWS's default.
pub fn imds_reach(node: &NodeContext<'_>, host_network: bool) -> ImdsReach {
    if node.fargate {
        return ImdsReach::Unreachable("Fargate: no instance metadata service".to_owned());
    }
    let instance = match &node.instance {
        InstanceState::Found(i) => *i,
        InstanceState::NotEc2 => {
            return ImdsReach::Unreachable("not an EC2 node".to_owned());
        }
        InstanceState::Unknown(why) => return ImdsReach::Unknown(why.clone()),
    };
    let id = &instance.instance_id;
    let Some(opts) = &instance.metadata_options else {
        return ImdsReach::Unknown(format!("{id}: MetadataOptions unknown"));
    };
    if opts
        .http_endpoint
        .as_deref()
        .is_some_and(|e| e.eq_ignore_ascii_case("disabled"))
    {
        return ImdsReach::Unreachable(format!("{id}: HttpEndpoint disabled"));
    }
    if host_network {
        return ImdsReach::Reachable(format!(
            "{id}: hostNetwork pod reaches IMDS whatever the hop limit"
        ));
    }
    let tokens = opts.http_tokens.as_deref();
    let hops = opts.http_put_response_hop_limit;
    if tokens.is_some_and(|t| t.eq_ignore_ascii_case("optional")) {
        return ImdsReach::Reachable(format!("{id}: HttpTokens optional (IMDSv1 allowed)"));
    }
    match (tokens, hops) {
        (_, Some(h)) if h >= 2 => {
            ImdsReach::Reachable(format!("{id}: HttpPutResponseHopLimit {h} (≥ 2)"))
        }
        (Some(_), Some(h)) => ImdsReach::Unreachable(format!(
            "{id}: HttpTokens required and HttpPutResponseHopLimit {h}"
        )),
        (None, _) => ImdsReach::Unknown(format!("{id}: HttpTokens unknown")),
        (Some(_), None) => ImdsReach::Unknown(format!("{id}: HttpPutResponseHopLimit unknown")),
    }
}
