//! NODE001–NODE003: positive and negative cases.

use super::lab::*;
use irsa_core::model::{FindingCode as C, Subject};

#[test]
fn node001_hop_limit_two_lets_pods_reach_imds() {
    let mut inv = healthy();
    inv.instances = Some(vec![instance("i-0closed", "required", 2)]);
    let r = run(&inv);
    let f = fires(&r, C::NODE001, &Subject::node("n1"));
    let hop = evidence(f, "HttpPutResponseHopLimit");
    assert_eq!(
        (hop.expected.as_deref(), hop.actual.as_deref()),
        (Some("1"), Some("2"))
    );
    assert_eq!(
        f.fix.as_deref(),
        Some(
            "aws ec2 modify-instance-metadata-options --instance-id i-0closed --http-put-response-hop-limit 1 --http-tokens required"
        )
    );

    let mut v1 = healthy();
    v1.instances = Some(vec![instance("i-0closed", "optional", 1)]);
    let r = run(&v1);
    assert_eq!(
        evidence(fires(&r, C::NODE001, &Subject::node("n1")), "HttpTokens")
            .actual
            .as_deref(),
        Some("optional")
    );

    quiet(&run(&healthy()), C::NODE001);
    // Instances unknown: an unknown, never "fine" and never a finding.
    let mut unknown = healthy();
    unknown.instances = None;
    let r = run(&unknown);
    quiet(&r, C::NODE001);
    assert!(
        r.unknowns.iter().any(|u| u.message.contains("node n1")),
        "{:?}",
        r.unknowns
    );
}

#[test]
fn node002_pod_without_identity_falls_back_to_the_node_role() {
    let mut inv = healthy();
    inv.instances = Some(vec![instance("i-0closed", "required", 2)]);
    inv.service_accounts.push(sa("tools", "default", None));
    inv.pods.push(plain_pod("tools", "debug-1", "default"));
    inv.pods.push(plain_pod("tools", "debug-2", "default"));
    let r = run(&inv);
    let f = fires(&r, C::NODE002, &Subject::pod("tools", "debug-1"));
    assert!(
        evidence(f, "identity of the pod")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains(NODE_ROLE))
    );
    assert_eq!(
        evidence(f, "blast radius").actual.as_deref(),
        Some("2 pod(s) on node n1 fall back to this role")
    );
    assert!(
        f.aws_error
            .as_deref()
            .is_some_and(|e| e.contains("assumed-role/eks-irsa-lab-node-role/i-0closed"))
    );
    // The IRSA pod on the same node is not on the node role.
    assert!(
        of(&r, C::NODE002)
            .iter()
            .all(|f| f.subject != Subject::pod("demo", "s3-reader-7d9f8c-abcde"))
    );
    let pod = r
        .pods
        .iter()
        .find(|p| p.pod.name == "debug-1")
        .map(|p| &*p.identity);
    assert_eq!(pod, Some("NODE ROLE FALLBACK eks-irsa-lab-node-role"));

    let mut closed = inv.clone();
    closed.instances = Some(vec![instance("i-0closed", "required", 1)]);
    quiet(&run(&closed), C::NODE002);
}

#[test]
fn node003_host_network_pod_reaches_imds_whatever_the_hop_limit() {
    let mut inv = healthy();
    inv.service_accounts
        .push(sa("kube-system", "kube-proxy", None));
    let mut p = plain_pod("kube-system", "kube-proxy-abc", "kube-proxy");
    p.host_network = true;
    inv.pods.push(p);
    let r = run(&inv);
    let f = fires(
        &r,
        C::NODE003,
        &Subject::pod("kube-system", "kube-proxy-abc"),
    );
    assert_eq!(
        evidence(f, "HttpEndpoint").actual.as_deref(),
        Some("enabled")
    );
    // Hop limit 1 does not protect it: the chain lands on the node role too.
    fires(
        &r,
        C::NODE002,
        &Subject::pod("kube-system", "kube-proxy-abc"),
    );
    quiet(&r, C::NODE001);

    let mut fargate = inv.clone();
    fargate.nodes.push(fargate_node("fargate-ip-1"));
    if let Some(p) = fargate.pods.iter_mut().find(|p| p.name == "kube-proxy-abc") {
        p.node_name = Some("fargate-ip-1".into());
    }
    quiet(&run(&fargate), C::NODE003);
}
