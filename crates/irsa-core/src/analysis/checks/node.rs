//! NODE001–NODE003: the instance metadata service. NODE001 is about a node (pods can reach
//! IMDS there), NODE002 about a pod whose chain silently lands on the node role (with the blast
//! radius: how many pods on that node do too), NODE003 about hostNetwork pods.

use super::{PodAnalysis, PodOutcome, Unknowns, fix};
use crate::analysis::credentials::{ImdsReach, InstanceState, NodeRole, imds_reach};
use crate::analysis::findings::{ErrorVars, finding};
use crate::analysis::hash::HashMap;
use crate::analysis::inventory::{InventoryIndex, is_pod_identity_agent};
use crate::model::{Evidence, Finding, FindingCode, MetadataOptions, SourceKind, Subject};

/// NODE003's fix: IMDS cannot be closed for one pod without closing it for the node.
const HOST_NETWORK_FIX: &str = "run the pod without hostNetwork if it can; otherwise make sure it has its own IRSA role so it never relies on the node role";
/// At most this many related pods are listed on a node finding.
const MAX_RELATED: usize = 20;

fn opt(v: Option<&str>) -> String {
    v.unwrap_or("(unknown)").to_owned()
}

fn options_evidence(o: &MetadataOptions) -> Vec<Evidence> {
    vec![
        Evidence::compare("IMDS HttpTokens", "required", opt(o.http_tokens.as_deref())),
        Evidence::compare(
            "IMDS HttpPutResponseHopLimit",
            "1",
            o.http_put_response_hop_limit
                .map_or_else(|| "(unknown)".to_owned(), |h| h.to_string()),
        ),
        Evidence::observed(
            "IMDS HttpEndpoint",
            o.http_endpoint
                .clone()
                .unwrap_or_else(|| "enabled (default)".to_owned()),
        ),
    ]
}

/// The node findings (NODE001 per node, NODE002 per pod); NODE003 is a pod's own check
/// ([`host_network`]), run beside its analysis.
pub fn check(
    index: &InventoryIndex<'_>,
    pods: &[PodOutcome<'_>],
    unknowns: &mut Unknowns,
) -> Vec<Finding> {
    let mut out = Vec::new();
    for node in &index.inventory.nodes {
        let ctx = index.node_context(Some(&node.name));
        match imds_reach(&ctx, false) {
            ImdsReach::Reachable(why) => {
                let InstanceState::Found(instance) = &ctx.instance else {
                    continue;
                };
                let on_node = index.pods_on(&node.name);
                let mut b = finding(
                    FindingCode::NODE001,
                    Subject::node(&node.name),
                    format!(
                        "pods on node {} ({}) can reach IMDS: {}",
                        node.name,
                        instance.instance_id,
                        why.trim_start_matches(&format!("{}: ", instance.instance_id))
                    ),
                )
                .evidences(
                    instance
                        .metadata_options
                        .as_ref()
                        .map(options_evidence)
                        .unwrap_or_default(),
                )
                .evidence(Evidence::observed(
                    "pods on the node",
                    on_node.len().to_string(),
                ))
                .related_all(
                    on_node
                        .iter()
                        .take(MAX_RELATED)
                        .map(|p| Subject::pod(&p.namespace, &p.name)),
                )
                .fix(fix::close_imds(&instance.instance_id));
                if let Some(arn) = ctx.node_role.arn() {
                    b = b.related(Subject::role(arn));
                }
                out.push(b.build());
            }
            ImdsReach::Unknown(why) => unknowns.add(
                SourceKind::Ec2Instances,
                format!("IMDS settings unknown: {why}"),
                format!("node {}", node.name),
            ),
            ImdsReach::Unreachable(_) => {}
        }
    }
    let mut radius: HashMap<&str, usize> = HashMap::default();
    for pa in pods {
        if pa.fallback.is_some()
            && !is_pod_identity_agent(pa.pod)
            && let Some(n) = pa.node.node_name.as_deref()
        {
            *radius.entry(n).or_default() += 1;
        }
    }
    out.extend(
        pods.iter()
            .filter_map(|pa| node_role_fallback(index, pa, &radius)),
    );
    out
}

fn node_role_fallback(
    index: &InventoryIndex<'_>,
    pa: &PodOutcome<'_>,
    radius: &HashMap<&str, usize>,
) -> Option<Finding> {
    let pod = pa.pod;
    // The Pod Identity agent runs on the node role by design (its
    // eks-auth:AssumeRoleForPodIdentity comes from AmazonEKSWorkerNodePolicy).
    if is_pod_identity_agent(pod) {
        return None;
    }
    let fallback = pa.fallback.as_deref()?;
    let on_imds = &fallback.containers;
    let node_name = pa.node.node_name.as_deref().unwrap_or("(unknown)");
    let role_name = pa.node.node_role.name_or_unknown();
    let role_line = match &pa.node.node_role {
        NodeRole::Known(r) => r.arn.clone(),
        NodeRole::Unknown(why) => format!("unknown ({why})"),
        NodeRole::None => "none (no instance profile)".to_owned(),
    };
    let count = radius.get(node_name).copied().unwrap_or(1);
    let mut b = finding(
        FindingCode::NODE002,
        Subject::pod(&pod.namespace, &pod.name),
        format!(
            "pod {}/{} silently gets node role {role_name} via IMDS on {node_name} (container {})",
            pod.namespace,
            pod.name,
            on_imds.join(", ")
        ),
    )
    .evidence(Evidence::compare(
        "identity of the pod",
        "its own IRSA or Pod Identity role",
        format!("node instance role {role_line}"),
    ))
    .evidence(Evidence::observed(
        "blast radius",
        format!("{count} pod(s) on node {node_name} fall back to this role"),
    ))
    .related(Subject::node(node_name))
    .related(Subject::service_account(
        &pod.namespace,
        &pod.service_account,
    ))
    .catalog_error(&ErrorVars {
        account: index.account(),
        node_role: Some(role_name),
        instance_id: pa.node.instance_id(),
        ..ErrorVars::default()
    });
    if let NodeRole::Known(r) = &pa.node.node_role {
        let policies: Vec<&str> = r
            .attached_policies
            .iter()
            .map(|p| p.name.as_str())
            .chain(r.inline_policies.iter().map(|p| p.name.as_str()))
            .collect();
        b = b
            .evidence(Evidence::observed(
                "node role policies",
                if policies.is_empty() {
                    "(none listed)".to_owned()
                } else {
                    policies.join(", ")
                },
            ))
            .related(Subject::role(&r.arn));
    }
    if let ImdsReach::Reachable(why) = &fallback.imds {
        b = b.evidence(Evidence::observed("IMDS reachable", why.clone()));
    }
    let cluster = index.cluster_name().unwrap_or("<cluster>");
    let own_role = format!(
        "eksctl create iamserviceaccount --cluster {cluster} --namespace {ns} --name {sa} --role-name eks-{cluster}-{ns}-{sa}-role --attach-policy-arn <policy-arn> --approve",
        ns = pod.namespace,
        sa = pod.service_account
    );
    let fix = match pa.node.instance_id() {
        Some(id) => format!(
            "{}; give the workload its own role if it calls AWS: {own_role}",
            fix::close_imds(id)
        ),
        None => format!(
            "close IMDS to pods on {node_name} (hop limit 1, IMDSv2 required); give the workload its own role if it calls AWS: {own_role}"
        ),
    };
    Some(b.fix(fix).build())
}

/// NODE003: a hostNetwork pod reaches IMDS whatever the hop limit.
pub(super) fn host_network(pa: &PodAnalysis<'_>) -> Option<Finding> {
    let pod = pa.pod;
    // The Pod Identity agent needs the host network and the node role: that is its design.
    if !pod.host_network || pa.node.fargate || is_pod_identity_agent(pod) {
        return None;
    }
    let InstanceState::Found(instance) = &pa.node.instance else {
        return None;
    };
    let endpoint = instance
        .metadata_options
        .as_ref()
        .and_then(|o| o.http_endpoint.as_deref());
    if instance.metadata_options.is_none()
        || endpoint.is_some_and(|e| e.eq_ignore_ascii_case("disabled"))
    {
        return None;
    }
    let node_name = pa.node.node_name.as_deref().unwrap_or("(unknown)");
    let title = format!(
        "hostNetwork pod {}/{} reaches IMDS on {node_name} ({}) whatever the hop limit",
        pod.namespace, pod.name, instance.instance_id
    );
    let mut b = finding(
        FindingCode::NODE003,
        Subject::pod(&pod.namespace, &pod.name),
        title,
    )
    .evidence(Evidence::observed("pod spec.hostNetwork", "true"))
    .evidence(Evidence::compare(
        "IMDS HttpEndpoint",
        "disabled",
        endpoint.unwrap_or("enabled (default)"),
    ))
    .related(Subject::node(node_name))
    .fix(HOST_NETWORK_FIX);
    if let Some(arn) = pa.node.node_role.arn() {
        b = b
            .evidence(Evidence::observed("node role within reach", arn))
            .related(Subject::role(arn));
    }
    Some(b.build())
}
