//! Test module: compiled only under `#[cfg(test)]` (declared so in its parent).
use super::*;
use crate::model::{CallerIdentity, ClusterInfo};

#[test]
fn provider_ids_yield_instance_ids_only_for_ec2() {
    let cases = [
        ("aws:///eu-west-1a/i-0abc123", Some("i-0abc123")),
        (
            "aws:///eu-west-1a/fargate-ip-10-0-1-2.eu-west-1.compute.internal",
            None,
        ),
        ("gce://project/zone/vm", None),
        ("aws:///eu-west-1a/", None),
    ];
    for (pid, want) in cases {
        assert_eq!(instance_id_from_provider_id(pid), want, "{pid}");
    }
}

#[test]
fn issuer_host_strips_scheme_and_trailing_slash() {
    assert_eq!(
        issuer_host("https://oidc.eks.eu-west-1.amazonaws.com/id/ABC/"),
        "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    );
    assert_eq!(issuer_host("oidc.example/id/X"), "oidc.example/id/X");
}

fn inv(roles: Option<Vec<RoleInfo>>) -> Inventory {
    Inventory {
        cluster: Some(ClusterInfo {
            name: "irsa-lab".into(),
            arn: Some("arn:aws:eks:eu-west-1:123456789012:cluster/irsa-lab".into()),
            region: Some("eu-west-1".into()),
            issuer: None,
            version: None,
            platform_version: None,
            ip_family: None,
        }),
        caller: Some(CallerIdentity {
            account: "123456789012".into(),
            arn: "arn:aws:iam::123456789012:user/me".into(),
            user_id: None,
        }),
        roles,
        ..Inventory::default()
    }
}

#[test]
fn role_status_is_three_valued() {
    let known = "arn:aws:iam::123456789012:role/a";
    let inventory = inv(Some(vec![RoleInfo::new(known, None)]));
    let idx = InventoryIndex::new(&inventory);
    assert!(matches!(idx.role_status(known), RoleStatus::Known(_)));
    assert_eq!(
        idx.role_status("arn:aws:iam::123456789012:role/b"),
        RoleStatus::Missing
    );
    assert!(matches!(
        idx.role_status("arn:aws:iam::210987654321:role/b"),
        RoleStatus::Unknown(_)
    ));
    let unloaded = inv(None);
    let idx = InventoryIndex::new(&unloaded);
    assert!(matches!(idx.role_status(known), RoleStatus::Unknown(_)));
}

#[test]
fn pods_are_indexed_by_service_account_and_node() {
    let mut inventory = inv(None);
    for i in 0..3 {
        let mut p = PodInfo::new("demo", &format!("p{i}"), if i == 0 { "a" } else { "b" });
        p.node_name = Some("n1".into());
        inventory.pods.push(p);
    }
    let idx = InventoryIndex::new(&inventory);
    assert_eq!(idx.pods_of("demo", "b").len(), 2);
    assert_eq!(idx.pods_of("other", "b").len(), 0);
    assert_eq!(idx.pods_on("n1").len(), 3);
}
