//! Hand-built datasets — an inventory and the audit report that goes with it, written out
//! rather than computed — for the UI's tests, snapshot tests and benchmark. They fix the
//! clock ([`NOW`]) so snapshots never change with the time of day. Not used by the product.

use crate::messages::Dataset;
use irsa_core::analysis::audit::{AuditReport, Binding, PodIdentity};
use irsa_core::analysis::token::{DecodedToken, JwtHeader, TokenClaims};
use irsa_core::analysis::verdict::{Mechanism, Verdict};
use irsa_core::model::{
    CallerIdentity, ClusterInfo, ContainerInfo, ContainerKind, Ec2Instance, EnvVarInfo, Finding,
    FindingCode, Inventory, MetadataOptions, NodeInfo, ObservedToken, OidcProvider,
    PodIdentityAssociation, PodInfo, ProjectedSource, RoleInfo, ServiceAccountInfo, Severity,
    SourceKind, SourceProblem, Subject, VolumeInfo, VolumeMountInfo, VolumeSourceInfo,
};
use jiff::Timestamp;
use serde_json::json;

mod generated;
mod report;

pub use generated::generated;

/// The fixed "now" of every sample: 2026-11-28T12:00:00Z.
pub const NOW: Timestamp = Timestamp::constant(1_795_867_200, 0);

pub(super) const ACCOUNT: &str = "123456789012";
pub(super) const ISSUER: &str =
    "https://oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
const PROVIDER: &str = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/4656D0B75473F4BFF2CFD94B17FB9DEC";
pub(super) const ROLE_ANNOTATION: &str = "eks.amazonaws.com/role-arn";
const MOUNT: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount";

pub(super) fn role_arn(name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:role/{name}")
}

fn ts(seconds_before_now: i64) -> Option<Timestamp> {
    Timestamp::from_second(NOW.as_second() - seconds_before_now).ok()
}

/// A trust policy admitting exactly `system:serviceaccount:<ns>:<sa>` with audience STS.
fn trust_for(ns: &str, sa: &str) -> serde_json::Value {
    let path = ISSUER.trim_start_matches("https://");
    json!({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": PROVIDER},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                format!("{path}:sub"): format!("system:serviceaccount:{ns}:{sa}"),
                format!("{path}:aud"): "sts.amazonaws.com"
            }}
        }]
    })
}

/// A pod as the webhook leaves it after an IRSA mutation for `role`.
pub(super) fn irsa_pod(ns: &str, name: &str, sa: &str, role: &str, node: &str) -> PodInfo {
    let mut pod = PodInfo::new(ns, name, sa);
    pod.node_name = Some(node.into());
    pod.phase = Some("Running".to_owned());
    pod.created = ts(3 * 3600);
    pod.volumes.push(VolumeInfo {
        name: "aws-iam-token".to_owned(),
        source: VolumeSourceInfo::Projected {
            sources: vec![ProjectedSource::ServiceAccountToken {
                audience: Some("sts.amazonaws.com".to_owned()),
                expiration_seconds: Some(86400),
                path: "token".to_owned(),
            }],
        },
    });
    for c in &mut pod.containers {
        c.env.push(EnvVarInfo::literal(
            "AWS_STS_REGIONAL_ENDPOINTS",
            "regional",
        ));
        c.env
            .push(EnvVarInfo::literal("AWS_DEFAULT_REGION", "eu-west-1"));
        c.env.push(EnvVarInfo::literal("AWS_REGION", "eu-west-1"));
        c.env.push(EnvVarInfo::literal("AWS_ROLE_ARN", role));
        c.env.push(EnvVarInfo::literal(
            "AWS_WEB_IDENTITY_TOKEN_FILE",
            &format!("{MOUNT}/token"),
        ));
        c.volume_mounts.push(VolumeMountInfo {
            name: "aws-iam-token".to_owned(),
            mount_path: MOUNT.to_owned(),
            read_only: true,
            sub_path: None,
        });
    }
    pod
}

fn plain_pod(ns: &str, name: &str, sa: &str, node: &str) -> PodInfo {
    let mut pod = PodInfo::new(ns, name, sa);
    pod.node_name = Some(node.into());
    pod.phase = Some("Running".to_owned());
    pod.created = ts(26 * 3600);
    pod.containers = vec![ContainerInfo::new("worker", ContainerKind::Main)].into();
    pod
}

pub(super) fn finding(
    code: FindingCode,
    severity: Severity,
    subject: Subject,
    title: &str,
) -> Finding {
    Finding {
        code,
        severity,
        subject,
        title: title.to_owned(),
        evidence: Vec::new(),
        aws_error: None,
        fix: None,
        related: Vec::new(),
    }
}

pub(super) fn binding(
    ns: &str,
    sa: &str,
    role: Option<&str>,
    verdict: Verdict,
    worst: Option<FindingCode>,
    pods: usize,
) -> Binding {
    Binding {
        service_account: Subject::service_account(ns, sa),
        mechanism: if role.is_some() {
            Mechanism::Irsa
        } else {
            Mechanism::None
        },
        role_arn: role.map(role_arn),
        pod_identity_role_arn: None,
        verdict,
        worst,
        pods,
    }
}

pub(super) fn pod_identity(
    (ns, name, sa, node): (&str, &str, &str, &str),
    identity: &str,
    mutated: bool,
    (verdict, worst): (Verdict, Option<FindingCode>),
) -> PodIdentity {
    PodIdentity {
        pod: Subject::pod(ns, name),
        service_account: sa.into(),
        node: Some(node.into()),
        identity: identity.into(),
        mutated,
        verdict,
        worst,
    }
}

/// A small lab in the shape of the demo: healthy and broken IRSA, Pod Identity, a node-role
/// fallback, a cross-account role, an orphan role, three kinds of node, one decoded token.
pub fn lab() -> Dataset {
    let inventory = lab_inventory();
    let report = report::lab_report();
    Dataset {
        inventory,
        report,
        loaded_at: NOW,
    }
}

fn lab_inventory() -> Inventory {
    let sa = |ns: &str, name: &str, role: Option<&str>, age_days: i64| {
        let mut sa = ServiceAccountInfo::new(ns, name);
        if let Some(r) = role {
            sa = sa.with_annotation(ROLE_ANNOTATION, &role_arn(r));
        }
        sa.created = ts(age_days * 86400);
        sa
    };
    let mut cross = ServiceAccountInfo::new("data", "reader").with_annotation(
        ROLE_ANNOTATION,
        "arn:aws:iam::999988887777:role/accountb-data-reader",
    );
    cross.created = ts(40 * 86400);
    let service_accounts = vec![
        sa(
            "demo",
            "s3-reader",
            Some("eks-irsa-lab-demo-s3-reader-role"),
            12,
        ),
        sa(
            "demo2",
            "s3-reader",
            Some("eks-irsa-lab-demo-s3-reader-role"),
            2,
        ),
        sa(
            "kube-system",
            "aws-load-balancer-controller",
            Some("eks-irsa-lab-aws-lbc-role"),
            90,
        ),
        sa(
            "kube-system",
            "aws-node",
            Some("eksctl-irsa-lab-addon-vpc-cni-Role1"),
            90,
        ),
        sa("legacy", "batch", None, 400),
        sa("payments", "api", None, 5),
        sa("tf-demo", "tf-s3-reader", Some("tf-s3-reader"), 30),
        cross,
    ];
    let demo_role = role_arn("eks-irsa-lab-demo-s3-reader-role");
    let mut pods = vec![
        irsa_pod(
            "demo",
            "s3-test",
            "s3-reader",
            &demo_role,
            "ip-10-0-1-10.eu-west-1.compute.internal",
        ),
        irsa_pod(
            "demo2",
            "s3-test",
            "s3-reader",
            &demo_role,
            "ip-10-0-2-20.eu-west-1.compute.internal",
        ),
        irsa_pod(
            "kube-system",
            "aws-load-balancer-controller-7d9f",
            "aws-load-balancer-controller",
            &role_arn("eks-irsa-lab-aws-lbc-role"),
            "ip-10-0-1-10.eu-west-1.compute.internal",
        ),
        plain_pod(
            "legacy",
            "batch-28391",
            "batch",
            "ip-10-0-2-20.eu-west-1.compute.internal",
        ),
        plain_pod(
            "payments",
            "api-5c7b",
            "api",
            "fargate-ip-10-0-3-30.eu-west-1.compute.internal",
        ),
    ];
    pods[4].labels.insert(
        "eks.amazonaws.com/pod-identity".to_owned(),
        "enabled".to_owned(),
    );
    let mut fargate = NodeInfo::new(
        "fargate-ip-10-0-3-30.eu-west-1.compute.internal",
        Some("aws:///eu-west-1c/fargate-ip-10-0-3-30"),
    );
    fargate.labels.insert(
        "eks.amazonaws.com/compute-type".to_owned(),
        "fargate".to_owned(),
    );
    let nodes = vec![
        NodeInfo::new(
            "ip-10-0-1-10.eu-west-1.compute.internal",
            Some("aws:///eu-west-1a/i-0a1b2c3d4e5f60001"),
        ),
        NodeInfo::new(
            "ip-10-0-2-20.eu-west-1.compute.internal",
            Some("aws:///eu-west-1b/i-0a1b2c3d4e5f60002"),
        ),
        fargate,
    ];
    let instance = |id: &str, tokens: &str, hop: i64| Ec2Instance {
        instance_id: id.to_owned(),
        metadata_options: Some(MetadataOptions {
            http_tokens: Some(tokens.to_owned()),
            http_put_response_hop_limit: Some(hop),
            http_endpoint: Some("enabled".to_owned()),
        }),
        instance_profile_arn: Some(format!(
            "arn:aws:iam::{ACCOUNT}:instance-profile/eks-irsa-lab-nodes"
        )),
        private_dns_name: None,
        availability_zone: None,
        state: Some("running".to_owned()),
    };
    let mut node_role = RoleInfo::new(&role_arn("eks-irsa-lab-node-role"), None);
    node_role.instance_profiles = vec![format!(
        "arn:aws:iam::{ACCOUNT}:instance-profile/eks-irsa-lab-nodes"
    )];
    let mut demo = RoleInfo::new(&demo_role, Some(trust_for("demo", "s3-reader")));
    demo.attached_policies.push(irsa_core::model::AttachedPolicy {
        name: "AmazonS3ReadOnlyAccess".to_owned(),
        arn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess".to_owned(),
        document: Some(json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]})),
    });
    demo.tags
        .insert("cluster".to_owned(), "irsa-lab".to_owned());
    let roles = vec![
        demo,
        RoleInfo::new(
            &role_arn("eks-irsa-lab-aws-lbc-role"),
            Some(trust_for("kube-system", "aws-load-balancer-controller")),
        ),
        RoleInfo::new(
            &role_arn("eksctl-irsa-lab-addon-vpc-cni-Role1"),
            Some(trust_for("kube-system", "aws-node")),
        ),
        RoleInfo::new(
            &role_arn("tf-s3-reader"),
            Some(trust_for("tf-demo", "tf-s3-reader")),
        ),
        RoleInfo::new(&role_arn("payments-api-pod-identity"), None),
        RoleInfo::new(
            &role_arn("old-ci-deployer"),
            Some(trust_for("ci", "deployer")),
        ),
        node_role,
    ];
    Inventory {
        context: Some("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab".to_owned()),
        captured_at: Some(NOW),
        service_accounts: service_accounts.into(),
        pods: pods.into(),
        nodes,
        kubernetes_issuer: Some(ISSUER.to_owned()),
        webhook: None,
        // What EKS registers (as in the demo lab's mutating-webhook-configurations.json).
        webhook_registration: irsa_core::model::WebhookRegistration::Present {
            webhooks: vec![irsa_core::model::RegisteredWebhook {
                configuration: "pod-identity-webhook".to_owned(),
                name: "iam-for-pods.amazonaws.com".to_owned(),
                failure_policy: "Ignore".to_owned(),
                namespace_selector: Some(Default::default()),
                object_selector: Some(Default::default()),
                operations: vec!["CREATE".to_owned()],
                resources: vec!["pods".to_owned()],
                reinvocation_policy: Some("IfNeeded".to_owned()),
            }],
        },
        cluster: Some(ClusterInfo {
            name: "irsa-lab".to_owned(),
            arn: Some(format!("arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/irsa-lab")),
            region: Some("eu-west-1".to_owned()),
            issuer: Some(ISSUER.to_owned()),
            version: Some("1.33".to_owned()),
            platform_version: None,
        }),
        roles: Some(roles),
        oidc_providers: Some(vec![OidcProvider {
            arn: PROVIDER.to_owned(),
            url: ISSUER.trim_start_matches("https://").to_owned(),
            client_ids: vec!["sts.amazonaws.com".to_owned()],
            thumbprints: Vec::new(),
            tags: Default::default(),
        }]),
        pod_identity_associations: Some(vec![PodIdentityAssociation {
            association_id: "a-0123456789abcdef0".to_owned(),
            association_arn: None,
            cluster_name: "irsa-lab".to_owned(),
            namespace: "payments".to_owned(),
            service_account: "api".to_owned(),
            role_arn: role_arn("payments-api-pod-identity"),
            target_role_arn: None,
            external_id: None,
            disable_session_tags: None,
            tags: Default::default(),
        }]),
        instances: Some(vec![
            instance("i-0a1b2c3d4e5f60001", "required", 1),
            instance("i-0a1b2c3d4e5f60002", "optional", 2),
        ]),
        caller: Some(CallerIdentity {
            account: ACCOUNT.to_owned(),
            arn: format!("arn:aws:sts::{ACCOUNT}:assumed-role/sre-oncall/alice"),
            user_id: None,
        }),
        tokens: vec![ObservedToken {
            namespace: "demo".to_owned(),
            pod: "s3-test".to_owned(),
            origin: "snapshot file tokens/demo.s3-test.jwt".to_owned(),
            decoded: Ok(DecodedToken {
                header: JwtHeader {
                    alg: Some("RS256".to_owned()),
                    kid: Some("f1e2".to_owned()),
                    typ: None,
                },
                claims: TokenClaims {
                    iss: Some(ISSUER.to_owned()),
                    sub: Some("system:serviceaccount:demo:s3-reader".to_owned()),
                    aud: vec!["sts.amazonaws.com".to_owned()],
                    exp: Some(NOW.as_second() + 20 * 3600),
                    iat: Some(NOW.as_second() - 4 * 3600),
                    nbf: None,
                    kubernetes: None,
                },
            }),
        }],
        problems: Vec::new(),
    }
}

/// A cluster with nothing in it (and every AWS collection known and empty).
pub fn empty() -> Dataset {
    let inventory = Inventory {
        captured_at: Some(NOW),
        roles: Some(Vec::new()),
        oidc_providers: Some(Vec::new()),
        instances: Some(Vec::new()),
        ..Inventory::default()
    };
    let report = AuditReport {
        generated_at: NOW,
        cluster: Some("irsa-lab".to_owned()),
        account: Some(ACCOUNT.to_owned()),
        issuer: None,
        bindings: Vec::new(),
        pods: Vec::new(),
        findings: Vec::new(),
        unknowns: Vec::new(),
    };
    Dataset {
        inventory,
        report,
        loaded_at: NOW,
    }
}

/// A dataset whose AWS side could not be read: roles, OIDC providers and instances unknown.
pub fn lab_without_aws() -> Dataset {
    let mut data = lab();
    data.inventory.roles = None;
    data.inventory.oidc_providers = None;
    data.inventory.instances = None;
    data.report.unknowns = vec![
        SourceProblem {
            source: SourceKind::IamRoles,
            message: "iam:GetAccountAuthorizationDetails denied — trust policies unknown"
                .to_owned(),
        },
        SourceProblem {
            source: SourceKind::Ec2Instances,
            message: "ec2:DescribeInstances denied — IMDS settings unknown".to_owned(),
        },
    ];
    data
}
