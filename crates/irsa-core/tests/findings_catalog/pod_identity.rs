//! POD011–POD017: EKS Pod Identity as it is in 2026 — target roles, disabled session tags,
//! session policies, the agent on the node, host network, the credentials URI — positive and
//! negative cases, plus AUD013 with session tags disabled and Auto Mode nodes.

use super::lab::*;
use irsa_core::model::{
    ContainerInfo, EnvVarInfo, FindingCode as C, InlinePolicy, Inventory, PodInfo, ProjectedSource,
    RoleInfo, Subject, VolumeInfo, VolumeMountInfo, VolumeSourceInfo,
};
use serde_json::{Value, json};

const PI_ROLE: &str = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";
const TARGET: &str = "arn:aws:iam::210987654321:role/lake-reader";
const EXTERNAL_ID: &str = "7d1c0f5e-5b1a-4c8e-9f0a-2b3c4d5e6f70";
const POD: &str = "s3-reader-7d9f8c-abcde";
const AGENT_URI: &str = "http://169.254.170.23/v1/credentials";
const PI_DIR: &str = "/var/run/secrets/pods.eks.amazonaws.com/serviceaccount";

fn pod_subject() -> Subject {
    Subject::pod("demo", POD)
}

/// Adds what the webhook injects for Pod Identity to one container.
fn inject_pi(c: &mut ContainerInfo, uri: &str) {
    c.env.push(EnvVarInfo::literal(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI",
        uri,
    ));
    c.env.push(EnvVarInfo::literal(
        "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
        &format!("{PI_DIR}/eks-pod-identity-token"),
    ));
    c.volume_mounts.push(VolumeMountInfo {
        name: "eks-pod-identity-token".into(),
        mount_path: PI_DIR.into(),
        read_only: true,
        sub_path: None,
    });
}

fn pi_pod(uri: &str) -> PodInfo {
    let mut p = plain_pod("demo", POD, "s3-reader");
    p.labels
        .insert("eks.amazonaws.com/pod-identity".into(), "enabled".into());
    p.volumes.push(VolumeInfo {
        name: "eks-pod-identity-token".into(),
        source: VolumeSourceInfo::Projected {
            sources: vec![ProjectedSource::ServiceAccountToken {
                audience: Some("pods.eks.amazonaws.com".into()),
                expiration_seconds: Some(86400),
                path: "eks-pod-identity-token".into(),
            }],
        },
    });
    for c in &mut p.containers {
        inject_pi(c, uri);
    }
    p
}

fn agent_pod(node: &str) -> PodInfo {
    let mut p = PodInfo::new(
        "kube-system",
        &format!("eks-pod-identity-agent-{node}"),
        "eks-pod-identity-agent",
    );
    p.node_name = Some(node.into());
    p.host_network = true;
    p.phase = Some("Running".into());
    p.labels.insert(
        "app.kubernetes.io/name".into(),
        "eks-pod-identity-agent".into(),
    );
    p
}

/// `demo/s3-reader` on Pod Identity, healthy: association, role trusting EKS, the pod mutated
/// for Pod Identity on `n1`, and the agent running there.
fn pi_lab() -> Inventory {
    let mut inv = healthy();
    inv.service_accounts[0] = sa("demo", "s3-reader", None);
    inv.pod_identity_associations = Some(vec![association("demo", "s3-reader", PI_ROLE)]);
    role_mut(&mut inv, PI_ROLE).trust_policy = Some(pod_identity_trust());
    inv.pods[0] = pi_pod(AGENT_URI);
    inv.pods.push(agent_pod("n1"));
    inv
}

fn target_trust(source: &str, external_id: &str, tag_session: bool) -> Value {
    let mut statements = vec![json!({
        "Effect": "Allow", "Principal": {"AWS": source}, "Action": "sts:AssumeRole",
        "Condition": {"StringEquals": {"sts:ExternalId": external_id}}})];
    if tag_session {
        statements.push(json!({
            "Effect": "Allow", "Principal": {"AWS": source}, "Action": "sts:TagSession"}));
    }
    json!({"Version": "2012-10-17", "Statement": statements})
}

/// `pi_lab` with a target role in account 210987654321 that works.
fn chained_lab() -> Inventory {
    let mut inv = pi_lab();
    let assoc = &mut inv.pod_identity_associations.as_mut().expect("assocs")[0];
    assoc.target_role_arn = Some(TARGET.into());
    assoc.external_id = Some(EXTERNAL_ID.into());
    role_mut(&mut inv, PI_ROLE).inline_policies.push(InlinePolicy {
        name: "assume-target".into(),
        document: json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": TARGET}]}),
    });
    // The lab's role carries a boundary without a document: give it one that allows all.
    role_mut(&mut inv, PI_ROLE).permissions_boundary_document = Some(allow_all());
    let mut target = role(
        TARGET,
        target_trust(PI_ROLE, EXTERNAL_ID, true),
        "demo",
        "s3-reader",
    );
    target.permissions_boundary_document = Some(allow_all());
    inv.roles.as_mut().expect("roles").push(target);
    inv
}

fn allow_all() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
}

fn target_mut(inv: &mut Inventory) -> &mut RoleInfo {
    role_mut(inv, TARGET)
}

#[test]
fn the_pod_identity_labs_are_healthy() {
    let r = run(&pi_lab());
    assert_eq!(summary(&r), Vec::<String>::new());
    let r = run(&chained_lab());
    assert_eq!(summary(&r), Vec::<String>::new());
    // The pod gets the target role's credentials.
    let pod = r
        .pods
        .iter()
        .find(|p| p.pod.name == POD)
        .expect("pod in the report");
    assert!(
        format!("{:?}", pod.identity).contains("lake-reader"),
        "{:?}",
        pod.identity
    );
}

#[test]
fn pod011_the_role_may_not_assume_its_target() {
    let mut inv = chained_lab();
    role_mut(&mut inv, PI_ROLE).inline_policies.clear();
    let r = run(&inv);
    let f = fires(&r, C::POD011, &sa_subject("demo", "s3-reader"));
    assert!(f.title.contains("sts:AssumeRole"), "{}", f.title);
    assert!(f.fix.as_deref().is_some_and(|x| x.contains(TARGET)));
    quiet(&r, C::POD012);
    quiet(&run(&chained_lab()), C::POD011);

    // Only TagSession missing (the identity policy grants AssumeRole alone), tags on: fires.
    let mut only_assume = chained_lab();
    role_mut(&mut only_assume, PI_ROLE)
        .inline_policies
        .iter_mut()
        .find(|p| p.name == "assume-target")
        .expect("assume-target")
        .document = json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": TARGET}]});
    let r = run(&only_assume);
    let f = fires(&r, C::POD011, &sa_subject("demo", "s3-reader"));
    assert!(f.title.contains("sts:TagSession"), "{}", f.title);
    // The same with session tags disabled: EKS does not tag, so it works.
    only_assume.pod_identity_associations.as_mut().expect("a")[0].disable_session_tags = Some(true);
    quiet(&run(&only_assume), C::POD011);
}

#[test]
fn pod012_the_target_trust_does_not_admit_the_role() {
    let mut inv = chained_lab();
    target_mut(&mut inv).trust_policy = Some(target_trust(PI_ROLE, "another-association", true));
    let r = run(&inv);
    let f = fires(&r, C::POD012, &sa_subject("demo", "s3-reader"));
    let e = evidence(f, "sts:ExternalId");
    assert_eq!(e.expected.as_deref(), Some(EXTERNAL_ID));
    assert_eq!(e.actual.as_deref(), Some("another-association"));
    quiet(&r, C::POD011);
    // The pod's chain names the refusal.
    let pod = r.pods.iter().find(|p| p.pod.name == POD).expect("pod");
    assert_eq!(pod.worst, Some(C::POD012), "{pod:?}");

    // Without TagSession in the target trust while tags flow: fires; tags disabled: quiet.
    let mut no_tag = chained_lab();
    target_mut(&mut no_tag).trust_policy = Some(target_trust(PI_ROLE, EXTERNAL_ID, false));
    let r = run(&no_tag);
    let f = fires(&r, C::POD012, &sa_subject("demo", "s3-reader"));
    assert!(f.title.contains("sts:TagSession"), "{}", f.title);
    no_tag.pod_identity_associations.as_mut().expect("a")[0].disable_session_tags = Some(true);
    quiet(&run(&no_tag), C::POD012);
}

#[test]
fn a_missing_target_role_is_irsa006_and_an_unread_one_is_unknown() {
    let mut inv = chained_lab();
    inv.roles
        .as_mut()
        .expect("roles")
        .retain(|r| r.arn != TARGET);
    // The target's account is not loaded at all: unknown, no finding.
    let r = run(&inv);
    quiet(&r, C::POD011);
    quiet(&r, C::POD012);
    quiet(&r, C::IRSA006);
    // A target in the cluster's own account that does not exist: IRSA006.
    let missing = "arn:aws:iam::123456789012:role/gone";
    inv.pod_identity_associations.as_mut().expect("a")[0].target_role_arn = Some(missing.into());
    let r = run(&inv);
    let f = fires(&r, C::IRSA006, &sa_subject("demo", "s3-reader"));
    assert!(f.title.contains("target role"), "{}", f.title);
}

#[test]
fn pod013_tags_disabled_but_a_policy_reads_them() {
    let mut inv = pi_lab();
    inv.pod_identity_associations.as_mut().expect("a")[0].disable_session_tags = Some(true);
    role_mut(&mut inv, PI_ROLE)
        .inline_policies
        .push(InlinePolicy {
            name: "tenant".into(),
            document: json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "s3:GetObject",
            "Resource": "arn:aws:s3:::data/${aws:PrincipalTag/kubernetes-namespace}/*"}]}),
        });
    let r = run(&inv);
    let f = fires(&r, C::POD013, &sa_subject("demo", "s3-reader"));
    assert!(
        f.title.contains("aws:PrincipalTag/kubernetes-namespace"),
        "{}",
        f.title
    );
    // Tags on: quiet. Tags off but the role itself is tagged kubernetes-namespace: quiet.
    let mut on = inv.clone();
    on.pod_identity_associations.as_mut().expect("a")[0].disable_session_tags = Some(false);
    quiet(&run(&on), C::POD013);
    let mut tagged = inv.clone();
    role_mut(&mut tagged, PI_ROLE)
        .tags
        .insert("kubernetes-namespace".into(), "demo".into());
    quiet(&run(&tagged), C::POD013);
}

#[test]
fn pod014_a_session_policy_that_leaves_nothing() {
    let mut inv = pi_lab();
    role_mut(&mut inv, PI_ROLE).permissions_boundary_document = Some(allow_all());
    let assoc = &mut inv.pod_identity_associations.as_mut().expect("a")[0];
    assoc.disable_session_tags = Some(true);
    assoc.policy = Some(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "*"}]}));
    let r = run(&inv);
    let f = fires(&r, C::POD014, &sa_subject("demo", "s3-reader"));
    assert!(f.title.contains("leaves none"), "{}", f.title);
    // A session policy that keeps the S3 read: quiet.
    let mut keeps = inv.clone();
    keeps.pod_identity_associations.as_mut().expect("a")[0].policy =
        Some(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}));
    quiet(&run(&keeps), C::POD014);
}

#[test]
fn pod015_no_agent_on_the_node() {
    let mut inv = pi_lab();
    inv.nodes.push(ec2_node("n2", "i-0other"));
    inv.pods[1].node_name = Some("n2".into());
    let r = run(&inv);
    let f = fires(&r, C::POD015, &pod_subject());
    assert!(
        f.title.contains("no agent pod runs on node n1"),
        "{}",
        f.title
    );

    // No agent anywhere: the add-on is not installed.
    let mut none = pi_lab();
    none.pods[1].name = "coredns-6b9f7c-x2x2x".into();
    none.pods[1].labels.clear();
    let r = run(&none);
    let f = fires(&r, C::POD015, &pod_subject());
    assert!(f.title.contains("not installed"), "{}", f.title);

    // An agent that is not Running.
    let mut pending = pi_lab();
    pending.pods[1].phase = Some("Pending".into());
    fires(&run(&pending), C::POD015, &pod_subject());

    // EKS Auto Mode runs the agent built in; no kube-system pods listed: unknown, quiet.
    let mut auto = inv.clone();
    auto.nodes[0]
        .labels
        .insert("eks.amazonaws.com/compute-type".into(), "auto".into());
    quiet(&run(&auto), C::POD015);
    let mut unknown = pi_lab();
    unknown.pods.retain(|p| &*p.namespace != "kube-system");
    quiet(&run(&unknown), C::POD015);
    quiet(&run(&pi_lab()), C::POD015);
}

#[test]
fn pod016_host_network_pod_on_pod_identity() {
    let mut inv = pi_lab();
    inv.pods[0].host_network = true;
    let r = run(&inv);
    let f = fires(&r, C::POD016, &pod_subject());
    assert_eq!(
        evidence(f, "spec.hostNetwork").actual.as_deref(),
        Some("true")
    );
    // The agent pod itself is host-network by design: no POD016, no NODE003 for it.
    quiet(&run(&pi_lab()), C::POD016);
    quiet(&run(&pi_lab()), C::NODE003);
}

#[test]
fn pod017_credentials_uri_that_is_not_the_agent() {
    let mut inv = pi_lab();
    inv.pods[0] = pi_pod("http://169.254.170.2/v1/credentials");
    let r = run(&inv);
    let f = fires(&r, C::POD017, &pod_subject());
    assert!(f.title.contains("ECS agent"), "{}", f.title);
    let e = evidence(f, "AWS_CONTAINER_CREDENTIALS_FULL_URI");
    assert_eq!(
        e.actual.as_deref(),
        Some("http://169.254.170.2/v1/credentials")
    );
    // The IPv6 address of the agent is right on an IPv6 cluster, and where the family is not
    // known.
    let mut v6 = pi_lab();
    v6.pods[0] = pi_pod("http://[fd00:ec2::23]/v1/credentials");
    quiet(&run(&v6), C::POD017);
    set_ip_family(&mut v6, "ipv6");
    quiet(&run(&v6), C::POD017);
    quiet(&run(&pi_lab()), C::POD017);
    // On an IPv4 cluster the pod has no IPv6 route: the IPv6 address fails.
    set_ip_family(&mut v6, "ipv4");
    let r = run(&v6);
    let f = fires(&r, C::POD017, &pod_subject());
    assert!(f.title.contains("IPv4 cluster"), "{}", f.title);
    assert_eq!(
        evidence(f, "AWS_CONTAINER_CREDENTIALS_FULL_URI")
            .expected
            .as_deref(),
        Some("http://169.254.170.23/v1/credentials (what EKS injects on IPv4 clusters)")
    );
    // The IPv4 address stays right on an IPv4 cluster.
    let mut v4 = pi_lab();
    set_ip_family(&mut v4, "ipv4");
    quiet(&run(&v4), C::POD017);
}

fn set_ip_family(inv: &mut Inventory, family: &str) {
    inv.cluster
        .as_mut()
        .expect("the lab has a cluster")
        .ip_family = Some(family.to_owned());
}

#[test]
fn aud013_with_session_tags_disabled_needs_only_assume_role() {
    let mut inv = pi_lab();
    role_mut(&mut inv, PI_ROLE).trust_policy = Some(
        json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
    );
    fires(&run(&inv), C::AUD013, &sa_subject("demo", "s3-reader"));
    inv.pod_identity_associations.as_mut().expect("a")[0].disable_session_tags = Some(true);
    quiet(&run(&inv), C::AUD013);
}

#[test]
fn pod002_a_pod_started_on_irsa_before_the_move_to_pod_identity() {
    // The SA moved from IRSA to Pod Identity after the pod was created: the pod still carries
    // the IRSA injection and runs as the old role until it is recreated.
    let mut inv = pi_lab();
    inv.pods[0] = irsa_pod("demo", POD, "s3-reader", ROLE);
    let r = run(&inv);
    let f = fires(&r, C::POD002, &pod_subject());
    assert!(f.title.contains("moved to Pod Identity"), "{}", f.title);
    assert!(
        f.fix
            .as_deref()
            .is_some_and(|x| x.contains("rollout restart")),
        "{:?}",
        f.fix
    );
    quiet(&run(&pi_lab()), C::POD002);
}

#[test]
fn pod018_transitive_tags_travel_into_role_chaining() {
    let lake = "arn:aws:iam::210987654321:role/data-reader";
    let mut inv = pi_lab();
    role_mut(&mut inv, PI_ROLE)
        .inline_policies
        .push(InlinePolicy {
            name: "chain".into(),
            document: json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["sts:AssumeRole", "sts:TagSession"], "Resource": lake}]}),
        });
    let r = run(&inv);
    let f = fires(&r, C::POD018, &sa_subject("demo", "s3-reader"));
    assert_eq!(f.severity, irsa_core::model::Severity::Info);
    assert!(
        evidence(f, "sts:TagSession allowed")
            .actual
            .as_deref()
            .is_some_and(|a| a.contains(lake))
    );
    // Tags disabled: nothing travels.
    let mut off = inv.clone();
    off.pod_identity_associations.as_mut().expect("a")[0].disable_session_tags = Some(true);
    quiet(&run(&off), C::POD018);
    // Chaining without TagSession: quiet.
    let mut plain = pi_lab();
    role_mut(&mut plain, PI_ROLE)
        .inline_policies
        .push(InlinePolicy {
            name: "chain".into(),
            document: json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": lake}]}),
        });
    quiet(&run(&plain), C::POD018);
    quiet(&run(&pi_lab()), C::POD018);
}
