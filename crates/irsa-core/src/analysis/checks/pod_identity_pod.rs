//! Pod Identity where the pod runs (subject: the pod): the agent on its node (POD015; EKS Auto
//! Mode nodes run it built in, Fargate and Windows are POD007's), `hostNetwork` (POD016: the
//! agent tells pods apart by their address, and a host-network pod has the node's —
//! aws/eks-pod-identity-agent#139), and the credentials URI in the container (POD017: the
//! agent answers only on `169.254.170.23` and `[fd00:ec2::23]`; ECS's `169.254.170.2` is the
//! usual copy-paste).

use super::PodAnalysis;
use super::fix;
use crate::analysis::credentials::{CONTAINER_FULL_URI, CONTAINER_TOKEN_FILE};
use crate::analysis::findings::finding;
use crate::analysis::inventory::{AgentPresence, InventoryIndex};
use crate::analysis::webhook::MutationMode;
use crate::model::{Evidence, Finding, FindingCode, Subject};

/// The agent's addresses (IPv4 and IPv6 clusters).
pub const AGENT_HOSTS: [&str; 2] = ["169.254.170.23", "[fd00:ec2::23]"];

/// The host of an `http://host[:port]/path` URI (brackets kept for IPv6).
fn uri_host(uri: &str) -> Option<&str> {
    let rest = uri.trim().strip_prefix("http://")?;
    let authority = rest.split('/').next()?;
    if authority.starts_with('[') {
        return authority.find(']').map(|i| &authority[..=i]);
    }
    authority.split(':').next()
}

/// POD017 on an IPv4 cluster: the container asks the agent's IPv6 address, which its pod (IPv4
/// only: EKS clusters are single-stack) has no route to — a chart or manifest copied from an
/// IPv6 cluster, where EKS injects exactly that URI.
fn ipv6_on_ipv4(
    pod: &crate::model::PodInfo,
    container: &str,
    uri: &str,
    recreate: &str,
) -> Finding {
    finding(
        FindingCode::POD017,
        Subject::pod(&pod.namespace, &pod.name),
        format!(
            "container {container} of {}/{} asks the agent's IPv6 address {uri} on an IPv4 cluster: the pod has no IPv6 route, the SDK's connection fails",
            pod.namespace, pod.name
        ),
    )
    .evidence(Evidence::compare(
        format!("{CONTAINER_FULL_URI} of container {container}"),
        "http://169.254.170.23/v1/credentials (what EKS injects on IPv4 clusters)",
        uri,
    ))
    .evidence(Evidence::observed(
        "cluster kubernetesNetworkConfig.ipFamily",
        "ipv4 (EKS pods are single-stack: no IPv6 address on an IPv4 cluster)",
    ))
    .fix(format!(
        "remove {CONTAINER_FULL_URI} from the container's spec (a value copied from an IPv6 cluster; the webhook injects the right one), then {recreate}"
    ))
    .build()
}

/// True when the container is set up for the Pod Identity agent (its token file env).
fn uses_pod_identity(pa: &PodAnalysis<'_>) -> bool {
    pa.injection.mode == MutationMode::PodIdentity
        || pa
            .pod
            .all_containers()
            .any(|c| c.env_var(CONTAINER_TOKEN_FILE).is_some())
}

pub fn check(index: &InventoryIndex<'_>, pa: &PodAnalysis<'_>) -> Vec<Finding> {
    let mut out = Vec::new();
    if !uses_pod_identity(pa) {
        return out;
    }
    let pod = pa.pod;
    let subject = || Subject::pod(&pod.namespace, &pod.name);
    let recreate = fix::recreate_pod(pod);

    // POD017: a credentials URI that is not the agent's.
    for c in pod.all_containers() {
        let Some(uri) = c
            .env_var(CONTAINER_FULL_URI)
            .and_then(|e| e.literal_value())
        else {
            continue;
        };
        let host = uri_host(uri);
        if host == Some(AGENT_HOSTS[1]) && index.cluster_ipv6() == Some(false) {
            out.push(ipv6_on_ipv4(pod, &c.name, uri, &recreate));
            continue;
        }
        if host.is_some_and(|h| AGENT_HOSTS.contains(&h)) {
            continue;
        }
        let ecs = host == Some("169.254.170.2");
        out.push(
            finding(
                FindingCode::POD017,
                subject(),
                format!(
                    "container {} of {}/{} asks {uri} for credentials, which is not the Pod Identity agent{}",
                    c.name,
                    pod.namespace,
                    pod.name,
                    if ecs { " (169.254.170.2 is the ECS agent's address)" } else { "" }
                ),
            )
            .evidence(Evidence::compare(
                format!("{CONTAINER_FULL_URI} of container {}", c.name),
                "http://169.254.170.23/v1/credentials (IPv6 clusters: http://[fd00:ec2::23]/v1/credentials)",
                uri,
            ))
            .fix(format!(
                "remove {CONTAINER_FULL_URI} from the container's spec (the webhook injects the right one), then {recreate}"
            ))
            .build(),
        );
    }

    // POD016: host network.
    if pod.host_network {
        out.push(
            finding(
                FindingCode::POD016,
                subject(),
                format!(
                    "pod {}/{} uses Pod Identity with hostNetwork: true — the agent sees the node's address, not the pod's, and refuses it",
                    pod.namespace, pod.name
                ),
            )
            .evidence(Evidence::observed("spec.hostNetwork", "true"))
            .evidence(Evidence::observed(
                "reported",
                "aws/eks-pod-identity-agent#139: works with hostNetwork false, fails with true",
            ))
            .related(Subject::service_account(&pod.namespace, &pod.service_account))
            .fix(format!(
                "run the pod without hostNetwork, or give its ServiceAccount IRSA instead (eks.amazonaws.com/role-arn), then {recreate}"
            ))
            .build(),
        );
    }

    // POD015: no agent on the node (Fargate and Windows are POD007's).
    if pa.node.fargate || pa.node.windows {
        return out;
    }
    let Some(node) = pa.node.node_name.as_deref() else {
        return out;
    };
    let (seen, why) = match index.pod_identity_agent_on(node) {
        AgentPresence::Running | AgentPresence::Unknown => return out,
        AgentPresence::NotRunning(agent) => (
            format!(
                "{} is {}",
                agent.name,
                agent.phase.as_deref().unwrap_or("not running")
            ),
            format!("the agent on node {node} is not running"),
        ),
        AgentPresence::AbsentHere => (
            "no eks-pod-identity-agent pod on this node".to_owned(),
            format!("no agent pod runs on node {node} (the DaemonSet does not cover it)"),
        ),
        AgentPresence::NoneInCluster => (
            "no eks-pod-identity-agent pod in kube-system".to_owned(),
            "the eks-pod-identity-agent add-on is not installed".to_owned(),
        ),
    };
    out.push(
        finding(
            FindingCode::POD015,
            subject(),
            format!(
                "pod {}/{} uses Pod Identity, but {why}: nothing answers on 169.254.170.23",
                pod.namespace, pod.name
            ),
        )
        .evidence(Evidence::compare(
            format!("Pod Identity agent on node {node}"),
            "a Running eks-pod-identity-agent pod (or an EKS Auto Mode node)",
            seen,
        ))
        .related(Subject::node(node))
        .fix(
            "aws eks create-addon --cluster-name <cluster> --addon-name eks-pod-identity-agent   \
             (or check the DaemonSet: kubectl -n kube-system get ds eks-pod-identity-agent -o wide; \
             its tolerations and nodeSelector must admit the node)",
        )
        .build(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::uri_host;

    #[test]
    fn uri_host_reads_ipv4_ipv6_and_ports() {
        assert_eq!(
            uri_host("http://169.254.170.23/v1/credentials"),
            Some("169.254.170.23")
        );
        assert_eq!(
            uri_host("http://[fd00:ec2::23]/v1/credentials"),
            Some("[fd00:ec2::23]")
        );
        assert_eq!(uri_host("http://169.254.170.2:80/x"), Some("169.254.170.2"));
        assert_eq!(uri_host("https://169.254.170.23/"), None);
    }
}
