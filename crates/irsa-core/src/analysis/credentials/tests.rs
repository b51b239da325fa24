//! Test module: compiled only under `#[cfg(test)]` (declared so in its parent).
use super::*;
use crate::model::{
    ContainerKind, Ec2Instance, EnvValue, EnvVarInfo, FindingCode, MetadataOptions, NodeInfo,
    RoleInfo, VolumeMountInfo,
};

const ROLE: &str = "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role";
const NODE_ROLE: &str = "arn:aws:iam::123456789012:role/eks-node-role";
const TOKEN: &str = "/var/run/secrets/eks.amazonaws.com/serviceaccount/token";

fn instance(tokens: Option<&str>, hops: Option<i64>, endpoint: Option<&str>) -> Ec2Instance {
    Ec2Instance {
        instance_id: "i-0abc".into(),
        metadata_options: Some(MetadataOptions {
            http_tokens: tokens.map(str::to_owned),
            http_put_response_hop_limit: hops,
            http_endpoint: endpoint.map(str::to_owned),
        }),
        instance_profile_arn: None,
        private_dns_name: None,
        availability_zone: None,
        state: None,
    }
}

fn ctx<'a>(node: &'a NodeInfo, inst: &'a Ec2Instance, role: &'a RoleInfo) -> NodeContext<'a> {
    NodeContext {
        node_name: Some(node.name.clone()),
        node: Some(node),
        fargate: false,
        windows: false,
        instance: InstanceState::Found(inst),
        node_role: NodeRole::Known(role),
    }
}

#[test]
fn imds_reachability_follows_tokens_hop_limit_and_host_network() {
    let node = NodeInfo::new("n1", Some("aws:///eu-west-1a/i-0abc"));
    let role = RoleInfo::new(NODE_ROLE, None);
    let cases = [
        (
            Some("optional"),
            Some(1),
            Some("enabled"),
            false,
            "reachable",
        ),
        (
            Some("required"),
            Some(2),
            Some("enabled"),
            false,
            "reachable",
        ),
        (
            Some("required"),
            Some(1),
            Some("enabled"),
            false,
            "unreachable",
        ),
        (
            Some("required"),
            Some(1),
            Some("enabled"),
            true,
            "reachable",
        ),
        (
            Some("optional"),
            Some(3),
            Some("disabled"),
            true,
            "unreachable",
        ),
        (None, Some(1), Some("enabled"), false, "unknown"),
        (Some("required"), None, None, false, "unknown"),
    ];
    for (tokens, hops, endpoint, host_network, want) in cases {
        let inst = instance(tokens, hops, endpoint);
        let got = match imds_reach(&ctx(&node, &inst, &role), host_network) {
            ImdsReach::Reachable(_) => "reachable",
            ImdsReach::Unreachable(_) => "unreachable",
            ImdsReach::Unknown(_) => "unknown",
        };
        assert_eq!(
            got, want,
            "{tokens:?} {hops:?} {endpoint:?} hostNetwork={host_network}"
        );
    }
    let mut fargate = NodeContext::unknown(Some("fargate-ip-1"), "x");
    fargate.fargate = true;
    assert!(matches!(
        imds_reach(&fargate, true),
        ImdsReach::Unreachable(_)
    ));
    let unknown = NodeContext::unknown(Some("n9"), "node not in the inventory");
    assert!(
        matches!(imds_reach(&unknown, false), ImdsReach::Unknown(w) if w.contains("not in the inventory"))
    );
}

fn irsa_container(mounted: bool) -> ContainerInfo {
    let mut c = ContainerInfo::new("app", ContainerKind::Main);
    c.env.push(EnvVarInfo::literal(ROLE_ARN, ROLE));
    c.env
        .push(EnvVarInfo::literal(WEB_IDENTITY_TOKEN_FILE, TOKEN));
    if mounted {
        c.volume_mounts.push(VolumeMountInfo {
            name: "aws-iam-token".into(),
            mount_path: "/var/run/secrets/eks.amazonaws.com/serviceaccount".into(),
            read_only: true,
            sub_path: None,
        });
    }
    c
}

#[test]
fn static_keys_win_and_their_values_never_appear() {
    let pod = PodInfo::new("demo", "p", "sa");
    let mut c = ContainerInfo::new("app", ContainerKind::Main);
    c.env
        .push(EnvVarInfo::literal(ACCESS_KEY_ID, "AKIAIOSFODNN7EXAMPLE"));
    c.env.push(EnvVarInfo {
        name: SECRET_ACCESS_KEY.into(),
        value: EnvValue::SecretKeyRef {
            name: "aws".into(),
            key: "secret".into(),
        },
    });
    c.env.extend(irsa_container(true).env);
    let v = resolve(
        &pod,
        &c,
        &NodeContext::unknown(None, "x"),
        &ChainInputs::default(),
    );
    assert_eq!(v.source, CredentialSource::StaticKeys);
    assert_eq!(v.label(), "static keys");
    assert_eq!(
        v.steps.get(1).map(|s| s.result),
        Some(StepResult::NotReached)
    );
    let text = format!("{v:?}");
    assert!(!text.contains("AKIAIOSFODNN7EXAMPLE"), "{text}");
}

#[test]
fn env_from_secret_is_a_maybe_and_the_chain_goes_on() {
    let pod = PodInfo::new("demo", "p", "sa");
    let mut c = ContainerInfo::new("app", ContainerKind::Main);
    c.env_from.push(EnvFromInfo::Secret {
        name: "aws-creds".into(),
        prefix: None,
    });
    let v = resolve(
        &pod,
        &c,
        &NodeContext::unknown(None, "pod not scheduled"),
        &ChainInputs::default(),
    );
    let first = v
        .steps
        .first()
        .map(|s| (s.result, s.detail.contains("Secret aws-creds")));
    assert_eq!(first, Some((StepResult::Maybe, true)));
    assert!(
        matches!(v.source, CredentialSource::Unknown { .. }),
        "unknown node must not read as none"
    );
}

#[test]
fn web_identity_that_works_lands_on_the_annotated_role() {
    let pod = PodInfo::new("demo", "p", "sa");
    let inputs = ChainInputs {
        web_identity: Some(WebIdentityOutlook::Works),
        pod_identity_role: None,
        pod_identity_broken: None,
        pod_identity_agent: None,
    };
    let v = resolve(
        &pod,
        &irsa_container(true),
        &NodeContext::unknown(None, "x"),
        &inputs,
    );
    assert_eq!(
        v.source,
        CredentialSource::WebIdentity {
            role_arn: Some(ROLE.into())
        }
    );
    assert_eq!(v.landing_role.as_deref(), Some(ROLE));
    assert_eq!(v.label(), "IRSA eks-irsa-lab-demo-s3-reader-role");
    assert!(v.fallback.is_none());
}

#[test]
fn unmounted_token_fails_and_falls_back_to_the_node_role_when_imds_is_open() {
    let node = NodeInfo::new("n1", None);
    let inst = instance(Some("optional"), Some(2), Some("enabled"));
    let role = RoleInfo::new(NODE_ROLE, None);
    let pod = PodInfo::new("demo", "p", "sa");
    let v = resolve(
        &pod,
        &irsa_container(false),
        &ctx(&node, &inst, &role),
        &ChainInputs::default(),
    );
    let fb = v.fallback.clone().expect("fallback");
    assert_eq!(fb.aws_error, crate::analysis::findings::WEB_IDENTITY_ERR);
    assert_eq!(
        fb.lands_on,
        CredentialSource::InstanceRole {
            role_arn: Some(NODE_ROLE.into())
        }
    );
    assert_eq!(v.landing_role.as_deref(), Some(NODE_ROLE));
    let web = v
        .steps
        .iter()
        .find(|s| s.provider == ChainProvider::WebIdentity)
        .expect("step");
    assert_eq!(web.result, StepResult::Fails);
    assert!(web.detail.contains("wrong permissions"), "{}", web.detail);
}

#[test]
fn trust_failure_with_closed_imds_ends_without_credentials() {
    let node = NodeInfo::new("n1", None);
    let inst = instance(Some("required"), Some(1), Some("enabled"));
    let role = RoleInfo::new(NODE_ROLE, None);
    let pod = PodInfo::new("demo", "p", "sa");
    let inputs = ChainInputs {
        web_identity: Some(WebIdentityOutlook::Fails {
            code: FindingCode::IRSA003,
            reason: "sub mismatch".into(),
            aws_error: "AccessDenied".into(),
        }),
        pod_identity_role: None,
        pod_identity_broken: None,
        pod_identity_agent: None,
    };
    let v = resolve(
        &pod,
        &irsa_container(true),
        &ctx(&node, &inst, &role),
        &inputs,
    );
    assert_eq!(v.fallback.map(|f| f.lands_on), Some(CredentialSource::None));
    assert_eq!(v.landing_role, None);
}

#[test]
fn nothing_configured_lands_on_imds_or_stays_unknown() {
    let node = NodeInfo::new("n1", None);
    let inst = instance(Some("required"), Some(2), Some("enabled"));
    let role = RoleInfo::new(NODE_ROLE, None);
    let pod = PodInfo::new("demo", "p", "sa");
    let c = ContainerInfo::new("app", ContainerKind::Main);
    let v = resolve(&pod, &c, &ctx(&node, &inst, &role), &ChainInputs::default());
    assert!(v.lands_on_imds());
    assert_eq!(v.label(), "NODE ROLE FALLBACK eks-node-role");
    let closed = instance(Some("required"), Some(1), Some("enabled"));
    let v = resolve(
        &pod,
        &c,
        &ctx(&node, &closed, &role),
        &ChainInputs::default(),
    );
    assert_eq!(v.source, CredentialSource::None);
    assert_eq!(v.label(), "none");
}

#[test]
fn reachable_imds_without_an_instance_profile_gives_no_credentials() {
    let node = NodeInfo::new("n1", None);
    let inst = instance(Some("optional"), Some(2), Some("enabled"));
    let pod = PodInfo::new("demo", "p", "sa");
    let c = ContainerInfo::new("app", ContainerKind::Main);
    let mut ctx = NodeContext::unknown(Some("n1"), "x");
    ctx.node = Some(&node);
    ctx.instance = InstanceState::Found(&inst);
    ctx.node_role = NodeRole::None;
    let v = resolve(&pod, &c, &ctx, &ChainInputs::default());
    assert_eq!(v.source, CredentialSource::None);
    assert!(!v.lands_on_imds());
}

#[test]
fn pod_identity_on_fargate_fails_without_a_fallback() {
    let pod = PodInfo::new("demo", "p", "sa");
    let mut c = ContainerInfo::new("app", ContainerKind::Main);
    c.env.push(EnvVarInfo::literal(
        CONTAINER_FULL_URI,
        "http://169.254.170.23/v1/credentials",
    ));
    let mut node = NodeContext::unknown(Some("fargate-ip-1"), "x");
    node.fargate = true;
    node.instance = InstanceState::NotEc2;
    let inputs = ChainInputs {
        web_identity: None,
        pod_identity_role: Some(ROLE.into()),
        pod_identity_broken: None,
        pod_identity_agent: None,
    };
    let v = resolve(&pod, &c, &node, &inputs);
    assert_eq!(v.label(), "Pod Identity eks-irsa-lab-demo-s3-reader-role");
    assert_eq!(v.fallback.map(|f| f.lands_on), Some(CredentialSource::None));
}

#[test]
fn windows_token_paths_match_their_mount() {
    let mut c = irsa_container(true);
    assert!(file_is_mounted(
        &c,
        "C:\\var\\run\\secrets\\eks.amazonaws.com\\serviceaccount\\token"
    ));
    c.volume_mounts.clear();
    assert!(!file_is_mounted(&c, TOKEN));
}

#[test]
fn the_whole_cluster_run_reaches_the_same_verdicts_as_the_drill_down() {
    // The bulk run resolves chains without steps (`Detail::Outcome`), shares node contexts and
    // keeps only each pod's outcome; the drill-down walks each pod on its own with every step.
    // Same answers, on every demo pod.
    let demo = crate::snapshot::load_demo().expect("demo");
    let index = crate::analysis::inventory::InventoryIndex::new(&demo);
    let now: jiff::Timestamp = "2026-04-10T10:00:00Z".parse().expect("time");
    let run = crate::analysis::checks::run(&index, now);
    assert_eq!(run.pods.len(), demo.pods.len());
    let (mut with_fallback, mut on_node_role) = (0, 0);
    for bulk in &run.pods {
        let (_, drill) = crate::analysis::checks::pod_analysis(&index, bulk.pod);
        for d in &drill.containers {
            assert_eq!(d.steps.len(), 4, "{}/{}", bulk.pod.name, d.container);
            with_fallback += usize::from(d.fallback.is_some());
        }
        on_node_role += usize::from(bulk.fallback.is_some());
        assert_eq!(
            &crate::analysis::checks::PodOutcome::of(drill),
            bulk,
            "{}",
            bulk.pod.name
        );
    }
    // The demo exercises the fallback paths too, not only the happy ones.
    assert!(with_fallback > 0);
    assert!(on_node_role > 0);
}
