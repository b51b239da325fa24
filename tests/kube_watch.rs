//! The live Kubernetes source against the stand-in API server, through a generated kubeconfig:
//! initial sync, live changes, POD001 appearing live, 410 relists, dropped watches.

mod support;

use irsa_core::analysis::audit::audit;
use irsa_core::model::{FindingCode, Inventory};
use irsa_core::snapshot;
use irsa_inspector::messages::{ResourceStatus, Watched};
use irsa_inspector::sources::kube::KubeSource;
use jiff::Timestamp;
use serde_json::json;
use std::collections::BTreeSet;
use support::apiserver::{Kind, StandIn, Verb};
use support::live::Live;
use support::objects;

fn now() -> Timestamp {
    "2026-04-10T10:00:00Z".parse().unwrap()
}

fn pod_names(inv: &Inventory) -> Vec<String> {
    inv.pods
        .iter()
        .map(|p| format!("{}/{}", p.namespace, p.name))
        .collect()
}

fn has_pod(source: &KubeSource, ns: &str, name: &str) -> bool {
    source.inventory().pod(ns, name).is_some()
}

#[tokio::test]
async fn initial_sync_shows_every_object_of_the_lab_as_the_snapshot_does() {
    let mut live = Live::start(objects::demo_lab()).await;
    live.settled().await;
    let inv = live.source.inventory();
    let lab = snapshot::load_demo().unwrap();

    assert_eq!(inv.context.as_deref(), Some("standin"));
    assert_eq!(inv.service_accounts.len(), lab.service_accounts.len());
    assert_eq!(inv.pods.len(), lab.pods.len());
    assert_eq!(inv.nodes.len(), lab.nodes.len());
    // The same projection as the snapshot source, object for object.
    // ... except kubectl's last-applied copy, which repeats literal (secret) values.
    let last_applied = "kubectl.kubernetes.io/last-applied-configuration";
    for sa in &lab.service_accounts {
        let mut expected = sa.annotations.clone();
        expected.remove(last_applied);
        let live_sa = inv.service_account(&sa.namespace, &sa.name);
        assert_eq!(
            live_sa.map(|s| &s.annotations),
            Some(&expected),
            "{}",
            sa.name
        );
    }
    for pod in &lab.pods {
        let live_pod = inv.pod(&pod.namespace, &pod.name).expect("pod listed");
        assert_eq!(live_pod.containers, pod.containers, "{}", pod.name);
        assert_eq!(live_pod.volumes, pod.volumes, "{}", pod.name);
        assert_eq!(live_pod.node_name, pod.node_name, "{}", pod.name);
        assert!(!live_pod.annotations.contains_key(last_applied));
    }
    // Issuer from /.well-known/openid-configuration; an EKS issuer means EKS's webhook.
    assert_eq!(inv.issuer(), Some(support::apiserver::ISSUER));
    let webhook = inv.webhook.expect("webhook settings");
    assert_eq!(webhook.region.as_deref(), Some("eu-west-1"));
    assert!(inv.problems.is_empty(), "{:?}", inv.problems);
    // One LIST per resource, then only watches.
    for kind in [Kind::ServiceAccount, Kind::Pod, Kind::Node] {
        assert_eq!(live.server.requests(kind, Verb::List), 1, "{kind:?}");
    }
}

#[tokio::test]
async fn pods_added_modified_and_deleted_on_the_server_follow_in_the_inventory() {
    let mut live = Live::start([
        objects::service_account("shop", "web", &[]),
        objects::node("n1", "i-0aaa"),
    ])
    .await;
    live.settled().await;
    assert!(live.source.inventory().pods.is_empty());

    live.server
        .apply(objects::pod("shop", "web-1", "web", "n1"));
    live.until("pod added", |s| has_pod(s, "shop", "web-1"))
        .await;

    let mut modified = objects::pod("shop", "web-1", "web", "n1");
    modified["status"]["phase"] = json!("Succeeded");
    live.server.apply(modified);
    live.until("pod modified", |s| {
        s.inventory()
            .pod("shop", "web-1")
            .is_some_and(|p| p.phase.as_deref() == Some("Succeeded"))
    })
    .await;

    live.server.delete(Kind::Pod, Some("shop"), "web-1");
    live.until("pod deleted", |s| !has_pod(s, "shop", "web-1"))
        .await;
    assert_eq!(live.server.requests(Kind::Pod, Verb::List), 1);
}

#[tokio::test]
async fn a_service_account_annotated_after_its_pod_was_created_yields_pod001_live() {
    let mut live = Live::start([
        objects::service_account("shop", "orders", &[]),
        objects::pod("shop", "orders-1", "orders", "n1"),
        objects::node("n1", "i-0aaa"),
    ])
    .await;
    live.settled().await;
    let pod001 = |inv: &Inventory| {
        audit(inv, now())
            .findings
            .iter()
            .any(|f| f.code == FindingCode::POD001 && f.subject.name == "orders-1")
    };
    assert!(!pod001(&live.source.inventory()));

    live.server.apply(objects::service_account(
        "shop",
        "orders",
        &[(
            "eks.amazonaws.com/role-arn",
            "arn:aws:iam::123456789012:role/orders",
        )],
    ));
    live.until("annotation seen", |s| {
        s.inventory()
            .service_account("shop", "orders")
            .is_some_and(|sa| !sa.annotations.is_empty())
    })
    .await;
    assert!(
        pod001(&live.source.inventory()),
        "the running pod predates the annotation: it was never mutated"
    );
}

#[tokio::test]
async fn an_expired_resource_version_relists_once_without_duplicates() {
    let mut live = Live::start(objects::demo_lab()).await;
    live.settled().await;
    let before = pod_names(&live.source.inventory());

    // Compaction: every open watch ends and resuming from its version gets a 410 in-stream.
    live.server.compact();
    live.server
        .apply(objects::pod("demo", "late-arrival", "default", "n1"));
    live.until("relisted pods", |s| has_pod(s, "demo", "late-arrival"))
        .await;
    live.until_server("everything relisted", |server| {
        [Kind::ServiceAccount, Kind::Pod, Kind::Node]
            .iter()
            .all(|k| server.requests(*k, Verb::List) == 2)
    })
    .await;
    live.until("ready again", KubeSource::is_settled).await;

    let after = pod_names(&live.source.inventory());
    let unique: BTreeSet<&String> = after.iter().collect();
    assert_eq!(unique.len(), after.len(), "no duplicates after the relist");
    assert_eq!(after.len(), before.len() + 1);
    assert!(
        live.seen.iter().any(|e| matches!(
            e,
            irsa_inspector::sources::kube::KubeEvent::Status(
                Watched::Pods,
                ResourceStatus::Syncing
            )
        )),
        "the relist is shown as syncing: {:?}",
        live.seen
    );
}

#[tokio::test]
async fn a_dropped_watch_resumes_from_its_version_without_a_relist() {
    let mut live = Live::start([objects::node("n1", "i-0aaa")]).await;
    live.settled().await;
    live.server.drop_watches();
    live.server
        .apply(objects::pod("shop", "after-drop", "default", "n1"));
    live.until("event after the drop", |s| has_pod(s, "shop", "after-drop"))
        .await;
    assert_eq!(live.server.requests(Kind::Pod, Verb::List), 1);
    assert!(live.server.requests(Kind::Pod, Verb::Watch) >= 2);
}

#[tokio::test]
async fn objects_of_one_namespace_only_when_narrowed() {
    use irsa_inspector::sources::kube::{CHANNEL_CAPACITY, ConnectOptions, connect};
    let server = StandIn::start([
        objects::service_account("a", "sa", &[]),
        objects::service_account("b", "sa", &[]),
        objects::pod("a", "p", "sa", "n1"),
        objects::pod("b", "p", "sa", "n1"),
    ])
    .await;
    // RBAC that only allows namespace `a` for pods across the cluster would deny this; the
    // narrowed source never asks cluster-wide.
    server.forbid(Kind::Pod, Verb::List);
    let dir = tempfile::tempdir().unwrap();
    let connection = connect(&ConnectOptions {
        kubeconfig: Some(server.write_kubeconfig(dir.path())),
        namespace: Some("a".to_owned()),
        ..ConnectOptions::default()
    })
    .await
    .unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHANNEL_CAPACITY);
    let source = KubeSource::start(connection, tx);
    while !source.is_settled() {
        rx.recv().await.unwrap();
    }
    let inv = source.inventory();
    // The stand-in's 403 switch is per resource, not per namespace: the pods watch is denied
    // and reported with its namespace; ServiceAccounts are narrowed to `a`.
    assert_eq!(inv.service_accounts.len(), 1);
    assert_eq!(&*inv.service_accounts[0].namespace, "a");
    assert!(
        inv.problems
            .iter()
            .any(|p| p.message
                == "cannot list pods in namespace a: forbidden — pod checks unavailable"),
        "{:?}",
        inv.problems
    );
}

#[tokio::test]
async fn a_large_list_arrives_in_pages_and_is_shown_only_when_complete() {
    let mut live = Live::start(objects::large_cluster(20, 1_100, 2)).await;
    live.until("initial sync", |s| {
        // Readers never see a half-listed store.
        let pods = s.inventory().pods.len();
        assert!(pods == 0 || pods == 1_100, "partial list visible: {pods}");
        s.is_settled()
    })
    .await;
    assert_eq!(live.source.inventory().pods.len(), 1_100);
    assert_eq!(
        live.server.requests(Kind::Pod, Verb::List),
        3,
        "500 per page"
    );
}
