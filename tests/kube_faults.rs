//! The live source against a misbehaving API server (issue 6's faults): 5xx answers and
//! malformed JSON on LIST, a watch stream cut in the middle of an event, and no server at all
//! at start-up. Each time the fault is visible in the resource's status while it lasts, and the
//! source recovers by itself, with every object exactly once, when the fault ends.

mod support;

use irsa_inspector::messages::{ResourceStatus, Watched};
use irsa_inspector::sources::kube::{
    CHANNEL_CAPACITY, ConnectOptions, KubeEvent, KubeSource, connect,
};
use std::collections::BTreeSet;
use std::time::Duration;
use support::apiserver::{Fault, Kind, StandIn, Verb, kubeconfig};
use support::live::{Live, PATIENCE};
use support::objects;
use tokio::sync::mpsc;

/// The demo lab's pod count.
const DEMO_PODS: usize = 68;

fn pod_names(source: &KubeSource) -> Vec<String> {
    source
        .inventory()
        .pods
        .iter()
        .map(|p| format!("{}/{}", p.namespace, p.name))
        .collect()
}

fn assert_each_once(names: &[String]) {
    let unique: BTreeSet<&String> = names.iter().collect();
    assert_eq!(unique.len(), names.len(), "duplicates in {names:?}");
}

fn reconnecting_seen(seen: &[KubeEvent], what: Watched) -> Option<String> {
    seen.iter().find_map(|e| match e {
        KubeEvent::Status(w, ResourceStatus::Reconnecting { reason }) if *w == what => {
            Some(reason.clone())
        }
        _ => None,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_and_malformed_lists_are_shown_then_retried_until_whole() {
    let server = StandIn::start(objects::demo_lab()).await;
    server.inject(
        Kind::Pod,
        Verb::List,
        &[Fault::Status(500), Fault::Malformed, Fault::Status(503)],
    );
    let mut live = Live::watch(server).await;
    live.settled().await;
    live.until("every pod listed", |s| {
        s.inventory().pods.len() == DEMO_PODS
    })
    .await;

    let names = pod_names(&live.source);
    assert_each_once(&names);
    // The faults were visible while they lasted, naming what went wrong.
    let reason = reconnecting_seen(&live.seen, Watched::Pods)
        .unwrap_or_else(|| panic!("no reconnecting status for pods: {:?}", live.seen));
    assert!(!reason.is_empty() && !reason.contains('\n'), "{reason:?}");
    // Three failed LISTs, then the one that worked.
    assert!(live.server.requests(Kind::Pod, Verb::List) >= 4);
    assert!(matches!(
        live.source.statuses().get(&Watched::Pods),
        Some(ResourceStatus::Ready { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_cut_mid_event_resumes_and_misses_nothing() {
    let mut live = Live::start(objects::demo_lab()).await;
    live.settled().await;
    live.until("every pod listed", |s| {
        s.inventory().pods.len() == DEMO_PODS
    })
    .await;

    // The open watch ends; the next one is cut in the middle of an event line, and a 500
    // follows; meanwhile a pod is created.
    live.server.inject(
        Kind::Pod,
        Verb::Watch,
        &[Fault::CutMidEvent, Fault::Status(500)],
    );
    live.server.drop_watches();
    live.server.apply(objects::pod(
        "default",
        "created-during-the-fault",
        "default",
        "n1",
    ));

    live.until("the pod created during the fault", |s| {
        pod_names(s).contains(&"default/created-during-the-fault".to_owned())
    })
    .await;
    let names = pod_names(&live.source);
    assert_eq!(names.len(), DEMO_PODS + 1);
    assert_each_once(&names);
    assert!(
        live.server.requests(Kind::Pod, Verb::Watch) >= 3,
        "the watch was resumed after the cut and after the 500"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_server_at_start_up_is_reported_and_picked_up_when_it_comes() {
    // A free port with nothing listening on it (yet).
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port");
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("kubeconfig");
    std::fs::write(&path, kubeconfig("late", &format!("http://{addr}"))).expect("kubeconfig");
    let connection = connect(&ConnectOptions {
        kubeconfig: Some(path),
        ..ConnectOptions::default()
    })
    .await
    .expect("a kubeconfig needs no server to be read");
    let (tx, mut events) = mpsc::channel(CHANNEL_CAPACITY);
    let source = KubeSource::start(connection, tx);

    // While the server is gone: every resource says it is reconnecting, and why.
    let deadline = tokio::time::Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while reconnecting_seen(&seen, Watched::Pods).is_none() {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(e)) => seen.push(e),
            other => panic!("no reconnecting status while the server is down: {other:?} {seen:?}"),
        }
    }
    assert!(source.inventory().pods.is_empty());
    assert!(
        source
            .inventory()
            .problems
            .iter()
            .any(|p| p.message.contains("pods")),
        "{:?}",
        source.inventory().problems
    );

    // The server comes: the source finds it by itself.
    let _server = StandIn::start_on(
        &addr.to_string(),
        objects::demo_lab(),
        Duration::from_secs(1),
    )
    .await;
    let deadline = tokio::time::Instant::now() + PATIENCE + Duration::from_secs(30);
    while !(source.is_settled() && source.inventory().pods.len() == DEMO_PODS) {
        match tokio::time::timeout_at(deadline, events.recv()).await {
            Ok(Some(_)) => {}
            other => panic!("not recovered: {other:?}; statuses {:?}", source.statuses()),
        }
    }
    assert_each_once(&pod_names(&source));
}

/// The statuses the source sent for pods, in order.
fn pod_statuses(seen: &[KubeEvent]) -> Vec<&ResourceStatus> {
    seen.iter()
        .filter_map(|e| match e {
            KubeEvent::Status(Watched::Pods, s) => Some(s),
            _ => None,
        })
        .collect()
}

/// The live source on `server` with a short request timeout (the stand-in sends BOOKMARKs every
/// second, so a healthy watch never stays silent that long).
async fn watch_with_timeout(server: StandIn, timeout: Duration) -> Live {
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = server.write_kubeconfig(dir.path());
    let connection = connect(&ConnectOptions {
        kubeconfig: Some(kubeconfig),
        timeout: Some(timeout),
        ..ConnectOptions::default()
    })
    .await
    .expect("connect through the generated kubeconfig");
    let (tx, events) = mpsc::channel(CHANNEL_CAPACITY);
    let source = KubeSource::start(connection, tx);
    Live {
        server,
        source,
        events,
        seen: Vec::new(),
        dir,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lists_that_never_answer_time_out_are_shown_and_retried_until_the_server_answers() {
    let server = StandIn::start(objects::demo_lab()).await;
    // The first two pod LISTs get no answer at all (not even a status line).
    server.inject(Kind::Pod, Verb::List, &[Fault::Hang, Fault::Hang]);
    let mut live = watch_with_timeout(server, Duration::from_secs(2)).await;
    live.until("every pod listed", |s| {
        s.inventory().pods.len() == DEMO_PODS
    })
    .await;
    let reason = reconnecting_seen(&live.seen, Watched::Pods)
        .unwrap_or_else(|| panic!("no reconnecting status for pods: {:?}", live.seen));
    assert!(
        reason.contains("list pods") && reason.contains("timed out"),
        "{reason:?}"
    );
    // Before the first complete list, nothing but that list ends "reconnecting": no
    // "syncing"/"ready" flapping while the LISTs hang although /version answers.
    let pod_statuses = pod_statuses(&live.seen);
    let first_reconnect = pod_statuses
        .iter()
        .position(|s| matches!(s, ResourceStatus::Reconnecting { .. }))
        .expect("reconnecting seen");
    assert!(
        pod_statuses[first_reconnect..].iter().all(|s| matches!(
            s,
            ResourceStatus::Reconnecting { .. } | ResourceStatus::Ready { .. }
        )),
        "{pod_statuses:?}"
    );
    assert!(live.server.requests(Kind::Pod, Verb::List) >= 3);
    assert_each_once(&pod_names(&live.source));
    // The other resources never waited for the pods.
    assert!(matches!(
        live.source.statuses().get(&Watched::ServiceAccounts),
        Some(ResourceStatus::Ready { .. })
    ));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_watch_that_never_starts_times_out_and_resumes_without_missing_a_pod() {
    let server = StandIn::start(objects::demo_lab()).await;
    let mut live = watch_with_timeout(server, Duration::from_secs(2)).await;
    live.settled().await;
    live.until("every pod listed", |s| {
        s.inventory().pods.len() == DEMO_PODS
    })
    .await;
    live.server
        .inject(Kind::Pod, Verb::Watch, &[Fault::Hang; 3]);
    live.server.drop_watches();
    live.server.apply(objects::pod(
        "default",
        "created-while-the-watch-hung",
        "default",
        "n1",
    ));
    live.until("the pod created while the watch hung", |s| {
        pod_names(s).contains(&"default/created-while-the-watch-hung".to_owned())
    })
    .await;
    let reason = reconnecting_seen(&live.seen, Watched::Pods)
        .unwrap_or_else(|| panic!("no reconnecting status for pods: {:?}", live.seen));
    assert!(
        reason.contains("watch pods") && reason.contains("timed out"),
        "{reason:?}"
    );
    // "Reconnecting" lasts until watches are answered again: no "ready" in between while
    // watch requests still hang (the server answers `/version` all along).
    let after: Vec<&ResourceStatus> = pod_statuses(&live.seen)
        .into_iter()
        .skip_while(|s| !matches!(s, ResourceStatus::Reconnecting { .. }))
        .collect();
    let back = after
        .iter()
        .position(|s| matches!(s, ResourceStatus::Ready { .. }))
        .unwrap_or(after.len());
    assert!(
        after[back..]
            .iter()
            .all(|s| matches!(s, ResourceStatus::Ready { .. })),
        "flapped: {after:?}"
    );
    let names = pod_names(&live.source);
    assert_eq!(names.len(), DEMO_PODS + 1);
    assert_each_once(&names);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn throttling_429s_are_shown_as_throttled_and_the_source_recovers() {
    let server = StandIn::start(objects::demo_lab()).await;
    // kube-apiserver's answer when it sheds load: 429, reason TooManyRequests, Retry-After.
    server.inject(
        Kind::Pod,
        Verb::List,
        &[Fault::Status(429), Fault::Status(429)],
    );
    let mut live = Live::watch(server).await;
    live.settled().await;
    live.until("every pod listed", |s| {
        s.inventory().pods.len() == DEMO_PODS
    })
    .await;
    let reason = reconnecting_seen(&live.seen, Watched::Pods)
        .unwrap_or_else(|| panic!("no reconnecting status for pods: {:?}", live.seen));
    assert!(
        reason.contains("throttled") && reason.contains("429"),
        "{reason:?}"
    );
    assert!(live.server.requests(Kind::Pod, Verb::List) >= 3);
    assert_each_once(&pod_names(&live.source));

    // Throttled watches too: the resumed watch gets 429s, then goes on from where it was.
    live.seen.clear();
    live.server.inject(
        Kind::Pod,
        Verb::Watch,
        &[Fault::Status(429), Fault::Status(429)],
    );
    live.server.drop_watches();
    live.server.apply(objects::pod(
        "default",
        "created-while-throttled",
        "default",
        "n1",
    ));
    live.until("the pod created while throttled", |s| {
        pod_names(s).contains(&"default/created-while-throttled".to_owned())
    })
    .await;
    let reason = reconnecting_seen(&live.seen, Watched::Pods)
        .unwrap_or_else(|| panic!("no reconnecting status for the watch: {:?}", live.seen));
    assert!(
        reason.contains("watch pods") && reason.contains("throttled"),
        "{reason:?}"
    );
    let names = pod_names(&live.source);
    assert_eq!(names.len(), DEMO_PODS + 1);
    assert_each_once(&names);
}
