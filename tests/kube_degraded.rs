//! The live source when things go wrong: RBAC denials degrade one part with a status naming the
//! missing verb and resource, a restarted API server is reconnected to, and TokenRequest.

mod support;

use irsa_inspector::messages::MintRequest;
use irsa_inspector::messages::{ResourceStatus, StatusLine, Watched};
use irsa_inspector::sources::kube::KubeSource;
use irsa_inspector::sources::kube::token::{MintError, mint};
use support::apiserver::{Kind, StandIn, Verb};
use support::live::Live;
use support::objects;

fn status(source: &KubeSource, w: Watched) -> Option<ResourceStatus> {
    source.statuses().get(&w).cloned()
}

#[tokio::test]
async fn forbidden_nodes_degrade_imds_checks_and_the_rest_keeps_working() {
    let server = StandIn::start(objects::demo_lab()).await;
    server.forbid(Kind::Node, Verb::List);
    let mut live = Live::watch(server).await;
    live.settled().await;

    let nodes = status(&live.source, Watched::Nodes).unwrap();
    assert_eq!(
        StatusLine(Watched::Nodes, &nodes).to_string(),
        "cannot list nodes: forbidden — IMDS checks unavailable"
    );
    let inv = live.source.inventory();
    assert!(inv.nodes.is_empty());
    assert_eq!(inv.pods.len(), 68, "pods are still watched");
    assert!(
        inv.problems
            .iter()
            .any(|p| p.message == "cannot list nodes: forbidden — IMDS checks unavailable"),
        "{:?}",
        inv.problems
    );

    // Granted later: the watcher's backoff retries and the nodes arrive.
    live.server.allow(Kind::Node, Verb::List);
    live.until("nodes after the grant", |s| s.inventory().nodes.len() == 5)
        .await;
}

#[tokio::test]
async fn forbidden_watch_is_named_as_such() {
    let server = StandIn::start([objects::node("n1", "i-0aaa")]).await;
    server.forbid(Kind::ServiceAccount, Verb::Watch);
    let mut live = Live::watch(server).await;
    live.until("watch denied", |s| {
        matches!(
            status(s, Watched::ServiceAccounts),
            Some(ResourceStatus::Forbidden { verb: "watch", .. })
        )
    })
    .await;
}

#[tokio::test]
async fn a_restarted_api_server_is_reconnected_to_and_changes_flow_again() {
    let mut live = Live::start([objects::node("n1", "i-0aaa")]).await;
    live.settled().await;

    live.server.stop().await;
    live.until("reconnecting shown", |s| {
        Watched::ALL
            .iter()
            .any(|w| matches!(status(s, *w), Some(ResourceStatus::Reconnecting { .. })))
    })
    .await;
    assert!(
        live.source
            .inventory()
            .problems
            .iter()
            .any(|p| p.message.contains("reconnecting")),
        "the inventory says the data may be stale"
    );

    live.server.restart().await;
    live.until("ready again", |s| {
        Watched::ALL
            .iter()
            .all(|w| matches!(status(s, *w), Some(ResourceStatus::Ready { .. })))
    })
    .await;
    live.server
        .apply(objects::pod("shop", "after-restart", "default", "n1"));
    live.until("pod after restart", |s| {
        s.inventory().pod("shop", "after-restart").is_some()
    })
    .await;
    // The lab's objects were kept, and nothing was listed twice.
    assert_eq!(live.source.inventory().nodes.len(), 1);
}

#[tokio::test]
async fn a_minted_token_is_decoded_bound_to_the_pod_and_never_shown_raw() {
    let live = Live::start(objects::demo_lab()).await;
    let lab = irsa_core::snapshot::load_demo().unwrap();
    let pod = lab
        .pods
        .iter()
        .find(|p| &*p.service_account != "default")
        .unwrap();
    let decoded = mint(
        live.source.client(),
        &MintRequest {
            namespace: pod.namespace.to_string(),
            service_account: pod.service_account.to_string(),
            audience: Some("sts.amazonaws.com".to_owned()),
            expiration_seconds: 60,
            bound_pod: Some((pod.name.clone(), pod.uid.clone())),
        },
    )
    .await
    .expect("TokenRequest allowed");
    assert_eq!(
        decoded.subject_service_account(),
        Some((pod.namespace.to_string(), pod.service_account.to_string()))
    );
    assert_eq!(decoded.claims.aud, vec!["sts.amazonaws.com".to_owned()]);
    let claims = format!("{decoded:?}");
    assert!(claims.contains(&pod.name), "bound to the pod: {claims}");
    let lifetime = decoded.claims.exp.unwrap() - decoded.claims.iat.unwrap();
    assert_eq!(lifetime, 600, "short expiration, raised to the API minimum");
    // The stand-in's signature text never appears in what the function returns.
    assert!(!claims.contains("ZmFrZS1zaWduYXR1cmU"));
    assert!(!claims.contains("fake-signature"));
}

#[tokio::test]
async fn a_denied_token_request_says_what_is_missing() {
    let live = Live::start([objects::service_account("shop", "web", &[])]).await;
    live.server.forbid(Kind::ServiceAccount, Verb::CreateToken);
    let err = mint(
        live.source.client(),
        &MintRequest {
            namespace: "shop".to_owned(),
            service_account: "web".to_owned(),
            audience: None,
            expiration_seconds: 600,
            bound_pod: None,
        },
    )
    .await
    .unwrap_err();
    assert_eq!(
        err,
        MintError::Forbidden {
            namespace: "shop".to_owned()
        }
    );
    assert_eq!(
        err.to_string(),
        "cannot create serviceaccounts/token in namespace shop: forbidden — token preview \
         unavailable"
    );
}

#[tokio::test]
async fn a_mounted_token_is_read_through_exec_and_decoded_in_memory() {
    use irsa_inspector::messages::ReadRequest;
    use irsa_inspector::sources::kube::token::{ReadError, read_mounted};
    let live = Live::start([
        objects::service_account("shop", "orders", &[]),
        objects::pod("shop", "orders-1", "orders", "n1"),
    ])
    .await;
    let request = ReadRequest {
        namespace: "shop".to_owned(),
        pod: "orders-1".to_owned(),
        container: Some("app".to_owned()),
        path: "/var/run/secrets/eks.amazonaws.com/serviceaccount/token".to_owned(),
    };
    let decoded = read_mounted(live.source.client(), &request)
        .await
        .expect("exec allowed");
    assert_eq!(
        decoded.subject_service_account(),
        Some(("shop".to_owned(), "orders".to_owned()))
    );
    assert_eq!(decoded.claims.aud, vec!["sts.amazonaws.com".to_owned()]);
    assert!(!format!("{decoded:?}").contains("fake-signature"));

    // A path with no token: the shell's complaint, naming the path.
    let missing = ReadRequest {
        path: "/var/run/secrets/nothing-here".to_owned(),
        ..request.clone()
    };
    let err = read_mounted(live.source.client(), &missing)
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("No such file or directory"),
        "{err}"
    );

    live.server.forbid(Kind::Pod, Verb::Exec);
    let err = read_mounted(live.source.client(), &request)
        .await
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "cannot create pods/exec in namespace shop: forbidden — mounted token unavailable"
    );
    assert!(matches!(err, ReadError::Forbidden { .. }));
}
