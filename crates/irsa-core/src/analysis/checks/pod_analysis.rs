//! One pod, analysed: its placement (node context, IMDS reach), what the webhook left in it
//! and each container's credential chain ([`PodAnalysis`]), and the small outcome the
//! whole-cluster run keeps of it ([`PodOutcome`]).

use super::{binding, injection};
use crate::analysis::credentials::{
    self, ChainInputs, CredentialSource, CredentialVerdict, Detail, ImdsReach, NodeContext,
    WebIdentityOutlook,
};
use crate::analysis::hash::HashMap;
use crate::analysis::inventory::InventoryIndex;
use crate::analysis::webhook::MutationMode;
use crate::model::{PodInfo, ServiceAccountInfo};
use binding::BindingAnalysis;
use injection::Injection;
use std::sync::Arc;

/// One pod, analysed: where it runs, what the webhook left in it, and each container's chain.
#[derive(Debug, Clone)]
pub struct PodAnalysis<'a> {
    pub pod: &'a PodInfo,
    /// Shared by every pod of the node in a whole-cluster run.
    pub node: Arc<NodeContext<'a>>,
    /// Whether the instance metadata service answers this pod (the same for all its
    /// containers).
    pub imds: ImdsReach,
    pub injection: Injection,
    /// Main containers, then init containers.
    pub containers: Vec<CredentialVerdict>,
}

/// What the whole-cluster run keeps of one pod once its own checks ran: the outcome of its
/// containers' chains, not the chains.
#[derive(Debug, Clone, PartialEq)]
pub struct PodOutcome<'a> {
    pub pod: &'a PodInfo,
    /// Shared by every pod of the node.
    pub node: Arc<NodeContext<'a>>,
    /// What the webhook injected (IRSA, Pod Identity, nothing).
    pub mode: MutationMode,
    /// The role ARN the webhook injected (IRSA).
    pub injected_role: Option<String>,
    /// One line: each distinct container identity, in container order (see
    /// [`identity_line`]). Shared by every pod with the same line in a whole-cluster run.
    pub identity: Arc<str>,
    /// Some container's credential source is unknown (IMDS reachability unknown).
    pub unknown: bool,
    /// The containers whose chain lands on the node's instance role, when any do.
    pub fallback: Option<Box<NodeFallback<'a>>>,
}

/// Containers of one pod that silently get the node role through IMDS.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeFallback<'a> {
    /// Their names, in container order.
    pub containers: Vec<&'a str>,
    /// What IMDS answers the pod.
    pub imds: ImdsReach,
}

impl<'a> PodOutcome<'a> {
    /// The outcome of one analysed pod.
    pub fn of(analysis: PodAnalysis<'a>) -> Self {
        let PodAnalysis {
            pod,
            node,
            imds,
            injection,
            containers,
        } = analysis;
        let on_imds: Vec<&'a str> = pod
            .all_containers()
            .zip(&containers)
            .filter(|(_, v)| v.lands_on_imds())
            .map(|(c, _)| c.name.as_str())
            .collect();
        PodOutcome {
            pod,
            node,
            mode: injection.mode,
            injected_role: injection.role_arn,
            identity: Arc::from(identity_line(&containers)),
            unknown: containers
                .iter()
                .any(|c| matches!(c.source, CredentialSource::Unknown { .. })),
            fallback: (!on_imds.is_empty()).then(|| {
                Box::new(NodeFallback {
                    containers: on_imds,
                    imds,
                })
            }),
        }
    }

    /// The webhook mutated the pod (IRSA or Pod Identity).
    pub fn is_mutated(&self) -> bool {
        self.mode != MutationMode::None
    }
}

/// A pod's identity in one line: each distinct container label (`IRSA …`, `Pod Identity …`,
/// `NODE ROLE FALLBACK …`, `static keys`, …) joined by ` / `; `none` when it has none.
pub fn identity_line(containers: &[CredentialVerdict]) -> String {
    let mut labels: Vec<String> = Vec::new();
    for c in containers {
        let l = c.label();
        if !labels.contains(&l) {
            labels.push(l);
        }
    }
    if labels.is_empty() {
        "none".to_owned()
    } else {
        labels.join(" / ")
    }
}

/// Web-identity outlooks of role ARNs found in pods, per (namespace, ServiceAccount, role):
/// the SA's current role reuses its binding; another (stale) role is evaluated once.
#[derive(Debug, Default)]
pub struct OutlookCache(HashMap<(String, String, String), WebIdentityOutlook>);

impl OutlookCache {
    /// The outlook of `arn` when it is the ServiceAccount's current IRSA role (its binding
    /// has it already; nothing to cache).
    pub fn current(binding: Option<&BindingAnalysis>, arn: &str) -> Option<WebIdentityOutlook> {
        binding
            .and_then(|b| b.irsa.as_ref())
            .filter(|i| i.role_arn.trim() == arn)
            .map(|i| i.outlook.clone())
    }

    /// The outlook of `arn` for `pod`'s ServiceAccount.
    pub fn get(
        &mut self,
        index: &InventoryIndex<'_>,
        pod: &PodInfo,
        binding: Option<&BindingAnalysis>,
        arn: &str,
    ) -> WebIdentityOutlook {
        if let Some(outlook) = Self::current(binding, arn) {
            return outlook;
        }
        let key = (
            pod.namespace.to_string(),
            pod.service_account.to_string(),
            arn.to_owned(),
        );
        self.0
            .entry(key)
            .or_insert_with(|| {
                let sa = index
                    .service_account(&pod.namespace, &pod.service_account)
                    .cloned()
                    .unwrap_or_else(|| {
                        ServiceAccountInfo::new(&pod.namespace, &pod.service_account)
                    });
                let audience = binding::audience_of(index, &sa);
                binding::analyze_irsa(index, &sa, arn, &audience).0.outlook
            })
            .clone()
    }
}

/// One pod on its own, for drill-downs: evaluates its ServiceAccount's binding (when the SA
/// exists) and analyses the pod against it.
pub fn pod_analysis<'a>(
    index: &InventoryIndex<'a>,
    pod: &'a PodInfo,
) -> (Option<BindingAnalysis>, PodAnalysis<'a>) {
    let binding = index
        .service_account(&pod.namespace, &pod.service_account)
        .map(|sa| binding::evaluate_binding(index, sa));
    let mut cache = OutlookCache::default();
    let analysis = analyze_pod(index, pod, binding.as_ref(), Detail::Steps, &mut |arn| {
        cache.get(index, pod, binding.as_ref(), arn)
    });
    (binding, analysis)
}

/// Analyses one pod given its ServiceAccount's binding; `outlook_for` answers the web-identity
/// outlook of a role ARN found in a container's env; `detail` says whether each container's
/// chain keeps its steps (drill-downs) or only its outcome (the whole-cluster run).
pub fn analyze_pod<'a>(
    index: &InventoryIndex<'a>,
    pod: &'a PodInfo,
    binding: Option<&BindingAnalysis>,
    detail: Detail,
    outlook_for: &mut dyn FnMut(&str) -> WebIdentityOutlook,
) -> PodAnalysis<'a> {
    let place = Placement::of(index, pod.node_name.as_deref());
    analyze_pod_on(index, pod, binding, &place, detail, outlook_for)
}

/// Where pods run: a node's context and what IMDS answers its pods (with and without
/// hostNetwork). A whole-cluster run builds one per node and shares it between the node's
/// pods, instead of one copy per pod.
pub(super) struct Placement<'a> {
    node: Arc<NodeContext<'a>>,
    imds: ImdsReach,
    imds_host_network: ImdsReach,
}

impl<'a> Placement<'a> {
    pub(super) fn of(index: &InventoryIndex<'a>, node_name: Option<&str>) -> Self {
        let node = index.node_context(node_name);
        Placement {
            imds: credentials::imds_reach(&node, false),
            imds_host_network: credentials::imds_reach(&node, true),
            node: Arc::new(node),
        }
    }
}

/// Why the node's Pod Identity agent cannot serve `pod` (POD016, POD015), if it cannot.
fn agent_problem(
    index: &InventoryIndex<'_>,
    pod: &PodInfo,
    node: &credentials::NodeContext<'_>,
) -> Option<String> {
    use crate::analysis::inventory::AgentPresence;
    if pod.host_network {
        return Some(
            "hostNetwork: the agent cannot tell the pod from its node (POD016)".to_owned(),
        );
    }
    if node.fargate || node.windows {
        return None;
    }
    let name = node.node_name.as_deref()?;
    match index.pod_identity_agent_on(name) {
        AgentPresence::Running | AgentPresence::Unknown => None,
        _ => Some(format!(
            "no running eks-pod-identity-agent on node {name} (POD015)"
        )),
    }
}

pub(super) fn analyze_pod_on<'a>(
    index: &InventoryIndex<'a>,
    pod: &'a PodInfo,
    binding: Option<&BindingAnalysis>,
    place: &Placement<'a>,
    detail: Detail,
    outlook_for: &mut dyn FnMut(&str) -> WebIdentityOutlook,
) -> PodAnalysis<'a> {
    let node = Arc::clone(&place.node);
    let imds = if pod.host_network {
        &place.imds_host_network
    } else {
        &place.imds
    };
    let injection = injection::observe(pod, &index.settings);
    let pod_identity = binding.and_then(|b| b.pod_identity.as_ref());
    let pod_identity_role = pod_identity.map(|p| p.effective_role_arn().to_owned());
    let pod_identity_broken = pod_identity.and_then(|p| {
        let i = p.first_broken?;
        let link = p.links.get(i)?;
        Some((
            link.code?,
            format!("{}: {}", link.kind.label(), link.detail),
        ))
    });
    let pod_identity_agent = pod_identity_role
        .as_ref()
        .and_then(|_| agent_problem(index, pod, &node));
    let containers = pod
        .all_containers()
        .map(|c| {
            let web_identity = credentials::literal_env(c, credentials::ROLE_ARN)
                .map(|arn| outlook_for(arn.trim()));
            let inputs = ChainInputs {
                web_identity,
                pod_identity_role: pod_identity_role.clone(),
                pod_identity_broken: pod_identity_broken.clone(),
                pod_identity_agent: pod_identity_agent.clone(),
            };
            credentials::resolve_with(c, &node, &inputs, imds, detail)
        })
        .collect();
    PodAnalysis {
        pod,
        node,
        imds: imds.clone(),
        injection,
        containers,
    }
}
