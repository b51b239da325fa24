//! A small healthy lab (the guide's `demo/s3-reader`, done right) and helpers to break it one
//! thing at a time.

use irsa_core::analysis::audit::{AuditReport, audit};
use irsa_core::model::{
    AttachedPolicy, CallerIdentity, ClusterInfo, ContainerInfo, ContainerKind, Ec2Instance,
    EnvVarInfo, Evidence, Finding, FindingCode, InlinePolicy, Inventory, MetadataOptions, NodeInfo,
    OidcProvider, PodIdentityAssociation, PodInfo, ProjectedSource, RoleInfo, RoleLastUsed,
    ServiceAccountInfo, Subject, VolumeInfo, VolumeMountInfo, VolumeSourceInfo, WebhookSettings,
};
use jiff::Timestamp;
use serde_json::{Value, json};

pub const ACCOUNT: &str = "123456789012";
pub const CLUSTER: &str = "irsa-lab";
pub const ISSUER: &str =
    "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
pub const HOST: &str = "oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
pub const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
pub const ROLE: &str = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";
pub const NODE_ROLE: &str = "arn:aws:iam::123456789012:role/eks-irsa-lab-node-role";
pub const NODE_PROFILE: &str = "arn:aws:iam::123456789012:instance-profile/eks-irsa-lab-node";
pub const TOKEN_DIR: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

/// The fixed "now" of every case.
pub fn now() -> Timestamp {
    "2026-11-01T12:00:00Z".parse().expect("timestamp")
}

pub fn sub(ns: &str, sa: &str) -> String {
    format!("system:serviceaccount:{ns}:{sa}")
}

/// The guide's trust policy: provider, `:sub` pinned with StringEquals, `:aud` set.
pub fn trust(subs: &[&str]) -> Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{HOST}:sub"): subs,
                format!("{HOST}:aud"): "sts.amazonaws.com"
            }}
        }]
    })
}

/// A role with every hardening item in place and a read-only grant.
pub fn role(arn: &str, trust_policy: Value, ns: &str, app: &str) -> RoleInfo {
    let mut r = RoleInfo::new(arn, Some(trust_policy));
    r.permissions_boundary = Some(format!("arn:aws:iam::{ACCOUNT}:policy/irsa-boundary"));
    for (k, v) in [
        ("cluster", CLUSTER),
        ("namespace", ns),
        ("app", app),
        ("managed-by", "terraform"),
    ] {
        r.tags.insert(k.into(), v.into());
    }
    r.last_used = Some(RoleLastUsed {
        date: Some("2026-10-30T08:00:00Z".parse().expect("ts")),
        region: None,
    });
    r.inline_policies.push(InlinePolicy {
        name: "s3-read".into(),
        document: json!({"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"],
            "Resource": ["arn:aws:s3:::irsa-lab-bucket", "arn:aws:s3:::irsa-lab-bucket/*"]
        }]}),
    });
    r
}

pub fn sa(ns: &str, name: &str, role_arn: Option<&str>) -> ServiceAccountInfo {
    let s = ServiceAccountInfo::new(ns, name);
    match role_arn {
        Some(arn) => s.with_annotation("eks.amazonaws.com/role-arn", arn),
        None => s,
    }
}

fn mount() -> VolumeMountInfo {
    VolumeMountInfo {
        name: "aws-iam-token".into(),
        mount_path: TOKEN_DIR.into(),
        read_only: true,
        sub_path: None,
    }
}

/// Adds the webhook's IRSA env and mount to one container.
pub fn inject(c: &mut ContainerInfo, role_arn: &str) {
    c.env.push(EnvVarInfo::literal(
        "AWS_STS_REGIONAL_ENDPOINTS",
        "regional",
    ));
    c.env.push(EnvVarInfo::literal("AWS_ROLE_ARN", role_arn));
    c.env.push(EnvVarInfo::literal(
        "AWS_WEB_IDENTITY_TOKEN_FILE",
        &format!("{TOKEN_DIR}/token"),
    ));
    c.volume_mounts.push(mount());
}

/// A pod of a Deployment, not mutated, on node `n1`, with fsGroup set.
pub fn plain_pod(ns: &str, name: &str, sa: &str) -> PodInfo {
    let mut p = PodInfo::new(ns, name, sa);
    p.node_name = Some("n1".into());
    p.security.fs_group = Some(65534);
    p.labels.insert("pod-template-hash".into(), "7d9f8c".into());
    p.owner = Some(format!("ReplicaSet/{sa}-7d9f8c"));
    p
}

/// A pod as the webhook mutates it for IRSA with `role_arn`.
pub fn irsa_pod(ns: &str, name: &str, sa: &str, role_arn: &str) -> PodInfo {
    let mut p = plain_pod(ns, name, sa);
    p.volumes.push(VolumeInfo {
        name: "aws-iam-token".into(),
        source: VolumeSourceInfo::Projected {
            sources: vec![ProjectedSource::ServiceAccountToken {
                audience: Some("sts.amazonaws.com".into()),
                expiration_seconds: Some(86400),
                path: "token".into(),
            }],
        },
    });
    for c in &mut p.containers {
        inject(c, role_arn);
    }
    p
}

pub fn sidecar(name: &str) -> ContainerInfo {
    ContainerInfo::new(name, ContainerKind::Main)
}

pub fn instance(id: &str, tokens: &str, hops: i64) -> Ec2Instance {
    Ec2Instance {
        instance_id: id.into(),
        metadata_options: Some(MetadataOptions {
            http_tokens: Some(tokens.into()),
            http_put_response_hop_limit: Some(hops),
            http_endpoint: Some("enabled".into()),
        }),
        instance_profile_arn: Some(NODE_PROFILE.into()),
        private_dns_name: None,
        availability_zone: Some("eu-west-1a".into()),
        state: Some("running".into()),
    }
}

pub fn ec2_node(name: &str, id: &str) -> NodeInfo {
    NodeInfo::new(name, Some(&format!("aws:///eu-west-1a/{id}")))
}

pub fn fargate_node(name: &str) -> NodeInfo {
    let mut n = NodeInfo::new(name, Some(&format!("aws:///eu-west-1a/{name}")));
    n.labels
        .insert("eks.amazonaws.com/compute-type".into(), "fargate".into());
    n
}

pub fn node_role() -> RoleInfo {
    let mut r = RoleInfo::new(
        NODE_ROLE,
        Some(json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]})),
    );
    r.instance_profiles.push(NODE_PROFILE.into());
    r.attached_policies.push(AttachedPolicy {
        name: "AmazonEKSWorkerNodePolicy".into(),
        arn: "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy".into(),
        document: None,
    });
    r
}

pub fn association(ns: &str, sa: &str, role_arn: &str) -> PodIdentityAssociation {
    PodIdentityAssociation {
        association_id: format!("a-{sa}"),
        association_arn: None,
        cluster_name: CLUSTER.into(),
        namespace: ns.into(),
        service_account: sa.into(),
        role_arn: role_arn.into(),
        target_role_arn: None,
        external_id: None,
        disable_session_tags: None,
        policy: None,
        tags: Default::default(),
    }
}

/// The Pod Identity trust EKS documents.
pub fn pod_identity_trust() -> Value {
    json!({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Service": "pods.eks.amazonaws.com"},
        "Action": ["sts:AssumeRole", "sts:TagSession"]}]})
}

/// The healthy lab: `demo/s3-reader` with its role, one mutated pod on a closed-IMDS node.
pub fn healthy() -> Inventory {
    Inventory {
        context: Some("test".into()),
        cluster: Some(ClusterInfo {
            name: CLUSTER.into(),
            arn: Some(format!("arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/{CLUSTER}")),
            region: Some("eu-west-1".into()),
            issuer: Some(ISSUER.into()),
            version: Some("1.33".into()),
            platform_version: None,
            ip_family: None,
        }),
        caller: Some(CallerIdentity {
            account: ACCOUNT.into(),
            arn: format!("arn:aws:iam::{ACCOUNT}:user/auditor"),
            user_id: None,
        }),
        webhook: Some(WebhookSettings::eks(Some("eu-west-1"))),
        service_accounts: vec![sa("demo", "s3-reader", Some(ROLE))].into(),
        pods: vec![irsa_pod(
            "demo",
            "s3-reader-7d9f8c-abcde",
            "s3-reader",
            ROLE,
        )]
        .into(),
        nodes: vec![ec2_node("n1", "i-0closed")],
        roles: Some(vec![
            role(
                ROLE,
                trust(&[&sub("demo", "s3-reader")]),
                "demo",
                "s3-reader",
            ),
            node_role(),
        ]),
        oidc_providers: Some(vec![OidcProvider {
            arn: PROVIDER.into(),
            url: HOST.into(),
            client_ids: vec!["sts.amazonaws.com".into()],
            thumbprints: vec![],
            tags: Default::default(),
        }]),
        pod_identity_associations: Some(vec![]),
        instances: Some(vec![instance("i-0closed", "required", 1)]),
        ..Inventory::default()
    }
}

/// The role of the lab with this ARN, for editing.
pub fn role_mut<'a>(inv: &'a mut Inventory, arn: &str) -> &'a mut RoleInfo {
    inv.roles
        .as_mut()
        .and_then(|rs| rs.iter_mut().find(|r| r.arn == arn))
        .expect("role in lab")
}

pub fn run(inv: &Inventory) -> AuditReport {
    audit(inv, now())
}

/// The findings of `code`.
pub fn of(report: &AuditReport, code: FindingCode) -> Vec<&Finding> {
    report.findings.iter().filter(|f| f.code == code).collect()
}

/// The one finding of `code` about `subject`; fails listing what was found instead.
pub fn fires<'r>(report: &'r AuditReport, code: FindingCode, subject: &Subject) -> &'r Finding {
    report
        .findings
        .iter()
        .find(|f| f.code == code && &f.subject == subject)
        .unwrap_or_else(|| panic!("{code} on {subject} expected; got {:#?}", summary(report)))
}

/// Asserts no finding of `code`.
pub fn quiet(report: &AuditReport, code: FindingCode) {
    let found = of(report, code);
    assert!(found.is_empty(), "{code} not expected; got {found:#?}");
}

/// `(code, subject)` of every finding, for failure messages.
pub fn summary(report: &AuditReport) -> Vec<String> {
    report
        .findings
        .iter()
        .map(|f| format!("{} {} — {}", f.code, f.subject, f.title))
        .collect()
}

/// The evidence whose item contains `item`.
pub fn evidence<'f>(f: &'f Finding, item: &str) -> &'f Evidence {
    f.evidence
        .iter()
        .find(|e| e.item.contains(item))
        .unwrap_or_else(|| panic!("evidence {item:?} expected in {:#?}", f.evidence))
}

pub fn sa_subject(ns: &str, name: &str) -> Subject {
    Subject::service_account(ns, name)
}
