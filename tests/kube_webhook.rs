//! The pod-identity-webhook's registration (MutatingWebhookConfigurations) and ConfigMap read
//! from the stand-in API server: what POD001 says when the webhook is registered, absent, or
//! blind to a namespace; a 403 degrading to a status line; `snapshot save` writing both so the
//! saved folder reads back the same.

mod support;

use irsa_core::analysis::audit::audit;
use irsa_core::model::{Finding, FindingCode, Inventory, WebhookRegistration};
use irsa_core::snapshot;
use irsa_inspector::sources::kube::{ConnectOptions, connect, save};
use serde_json::{Value, json};
use support::apiserver::{Kind, StandIn, Verb};
use support::live::Live;
use support::objects;

/// The demo pod whose ServiceAccount was annotated after it was created.
const NOT_MUTATED: &str = "annotated-after-pod-7r6dfgzdbt-b2t9g";

fn now() -> jiff::Timestamp {
    "2026-04-10T10:00:00Z".parse().unwrap()
}

/// Starts the live source on `objects` and waits until everything is listed and the facts read.
async fn live_inventory(server: StandIn) -> (Live, Inventory) {
    let mut live = Live::watch(server).await;
    live.settled().await;
    let inv = live.source.inventory();
    (live, inv)
}

fn pod001<'a>(findings: &'a [Finding], namespace: &str, pod: &str) -> &'a Finding {
    findings
        .iter()
        .find(|f| {
            f.code == FindingCode::POD001
                && f.subject.namespace.as_deref() == Some(namespace)
                && f.subject.name == pod
        })
        .unwrap_or_else(|| panic!("no POD001 for {namespace}/{pod}"))
}

fn lab_with(extra: impl IntoIterator<Item = Value>) -> Vec<Value> {
    let mut lab = objects::demo_lab();
    lab.extend(extra);
    lab
}

#[tokio::test]
async fn eks_registration_present_keeps_the_usual_explanation() {
    let server = StandIn::start(lab_with(objects::demo_webhook_configurations())).await;
    let (_live, inv) = live_inventory(server).await;
    let WebhookRegistration::Present { webhooks } = &inv.webhook_registration else {
        panic!("{:?}", inv.webhook_registration);
    };
    assert_eq!(
        webhooks.len(),
        1,
        "only the pod-identity entry: {webhooks:?}"
    );
    assert_eq!(webhooks[0].name, "iam-for-pods.amazonaws.com");

    let report = audit(&inv, now());
    let f = pod001(&report.findings, "broken", NOT_MUTATED);
    assert!(
        f.title
            .contains("created before the annotation, or the webhook was down or raced"),
        "{}",
        f.title
    );
    assert!(f.title.contains("failurePolicy Ignore"), "{}", f.title);
    assert_eq!(
        f.fix.as_deref(),
        Some("kubectl rollout restart deployment/annotated-after-pod -n broken")
    );
    // The registration itself is no problem: no status line about it.
    assert!(
        !inv.problems.iter().any(|p| p.message.contains("webhook")),
        "{:?}",
        inv.problems
    );
}

#[tokio::test]
async fn no_registration_means_pod001_says_nothing_mutates_pods() {
    let server = StandIn::start(objects::demo_lab()).await;
    let (_live, inv) = live_inventory(server).await;
    assert_eq!(inv.webhook_registration, WebhookRegistration::Absent);

    let report = audit(&inv, now());
    let f = pod001(&report.findings, "broken", NOT_MUTATED);
    assert!(f.title.contains("nothing mutates pods"), "{}", f.title);
    let fix = f.fix.as_deref().unwrap_or_default();
    assert!(
        fix.contains("restore the MutatingWebhookConfiguration pod-identity-webhook")
            && fix.ends_with("kubectl rollout restart deployment/annotated-after-pod -n broken"),
        "{fix}"
    );
    assert!(
        f.evidence.iter().any(|e| e.item == "webhook registration"
            && e.actual
                .as_deref()
                .is_some_and(|a| a.contains("no MutatingWebhookConfiguration"))),
        "{:?}",
        f.evidence
    );
}

#[tokio::test]
async fn a_namespace_selector_excluding_the_namespace_is_named_in_pod001() {
    let not_broken = json!({"matchExpressions": [
        {"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["broken"]}]});
    let mwc = objects::eks_webhook_configuration(not_broken, json!({}));
    let server = StandIn::start(lab_with([mwc])).await;
    let (_live, inv) = live_inventory(server).await;

    let report = audit(&inv, now());
    let f = pod001(&report.findings, "broken", NOT_MUTATED);
    assert!(
        f.title.contains(
            "webhook iam-for-pods.amazonaws.com does not see this pod: its namespaceSelector \
             kubernetes.io/metadata.name notin (broken) excludes namespace broken"
        ),
        "{}",
        f.title
    );
    // A namespace the selector lets through is unaffected: its mutated pods stay unflagged.
    assert!(
        !report.findings.iter().any(
            |f| f.code == FindingCode::POD001 && f.subject.namespace.as_deref() == Some("demo")
        ),
        "demo's pods are mutated and seen"
    );
}

#[tokio::test]
async fn a_config_map_mapping_counts_as_the_role_of_an_unannotated_service_account() {
    let sa = objects::service_account("shop", "cart", &[]);
    let pod = objects::pod(
        "shop",
        "cart-0",
        "cart",
        "ip-192-168-12-34.eu-west-1.compute.internal",
    );
    let role = "arn:aws:iam::123456789012:role/shop-cart";
    let cm = objects::webhook_config_map(&[("shop/cart", role)]);
    let server = StandIn::start(lab_with(
        [sa, pod, cm]
            .into_iter()
            .chain(objects::demo_webhook_configurations()),
    ))
    .await;
    let (_live, inv) = live_inventory(server).await;
    let roles = &inv.webhook.as_ref().unwrap().config_map_roles;
    assert_eq!(roles.len(), 1, "{roles:?}");

    let report = audit(&inv, now());
    let f = pod001(&report.findings, "shop", "cart-0");
    assert!(f.title.contains(role), "{}", f.title);
}

#[tokio::test]
async fn forbidden_webhook_reads_are_status_lines_and_the_rest_works() {
    let server = StandIn::start(lab_with(objects::demo_webhook_configurations())).await;
    server.forbid(Kind::MutatingWebhookConfiguration, Verb::List);
    server.forbid(Kind::ConfigMap, Verb::Get);
    let (_live, inv) = live_inventory(server).await;

    let messages: Vec<&str> = inv.problems.iter().map(|p| p.message.as_str()).collect();
    assert!(
        messages.contains(
            &"cannot list mutatingwebhookconfigurations: forbidden — webhook registration unknown"
        ),
        "{messages:?}"
    );
    assert!(
        messages.contains(
            &"cannot get configmaps kube-system/pod-identity-webhook: forbidden — the webhook \
              ConfigMap's ServiceAccount mappings unknown"
        ),
        "{messages:?}"
    );
    assert!(matches!(
        inv.webhook_registration,
        WebhookRegistration::Unknown { .. }
    ));
    assert_eq!(inv.pods.len(), 68, "pods are still read");
    let report = audit(&inv, now());
    let f = pod001(&report.findings, "broken", NOT_MUTATED);
    assert!(
        f.title.contains("(webhook registration unknown)"),
        "{}",
        f.title
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_save_writes_registration_and_config_map_that_read_back_the_same() {
    let cm = objects::webhook_config_map(&[("*/cart", "arn:aws:iam::123456789012:role/cart")]);
    let server = StandIn::start(lab_with(
        objects::demo_webhook_configurations()
            .into_iter()
            .chain([cm]),
    ))
    .await;
    let (live, inv) = live_inventory(server).await;
    let kubeconfig = live.server.write_kubeconfig(live.dir.path());
    let connection = connect(&ConnectOptions {
        kubeconfig: Some(kubeconfig),
        ..ConnectOptions::default()
    })
    .await
    .unwrap();
    let out = live.dir.path().join("snap");
    let summary = save::save(&connection, &out, now()).await.unwrap();
    assert!(summary.problems.is_empty(), "{:?}", summary.problems);

    let mwc = std::fs::read_to_string(out.join("mutating-webhook-configurations.json")).unwrap();
    assert!(!mwc.contains("caBundle"), "trimmed: {mwc}");
    assert!(
        !mwc.contains("mpod.vpc.k8s.aws"),
        "only the pod-identity entry: {mwc}"
    );

    let saved = snapshot::load_dir(&out).unwrap();
    assert_eq!(saved.webhook_registration, inv.webhook_registration);
    assert!(matches!(
        saved.webhook_registration,
        WebhookRegistration::Present { .. }
    ));
    assert_eq!(
        saved.webhook.as_ref().map(|w| &w.config_map_roles),
        inv.webhook.as_ref().map(|w| &w.config_map_roles)
    );
    assert_eq!(
        saved.webhook.as_ref().map(|w| w.config_map_roles.len()),
        Some(1)
    );

    // Without the two files the snapshot says the registration is unknown.
    std::fs::remove_file(out.join("mutating-webhook-configurations.json")).unwrap();
    let older = snapshot::load_dir(&out).unwrap();
    assert!(matches!(
        older.webhook_registration,
        WebhookRegistration::Unknown { .. }
    ));
    assert!(
        older.problems.iter().any(|p| p.message
            == "mutating-webhook-configurations.json not in snapshot — pod-identity-webhook \
                    registration unknown"),
        "{:?}",
        older.problems
    );
}

/// `webhook predict --mutating-webhooks FILE`: the same registration files decide whether the
/// predicted patch is anything at all.
#[test]
fn webhook_predict_with_the_cluster_registration() {
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/cli");
    let dir = tempfile::tempdir().unwrap();
    let predict = |list: Value| {
        let path = dir.path().join("mwc.json");
        std::fs::write(&path, list.to_string()).unwrap();
        let out = assert_cmd::Command::cargo_bin("irsa-inspector")
            .unwrap()
            .args(["webhook", "predict", "--format", "json"])
            .args([
                "--service-account",
                &format!("{fixtures}/s3-reader-sa.yaml"),
            ])
            .args(["--pod", &format!("{fixtures}/s3-test-pod.yaml")])
            .arg("--mutating-webhooks")
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice::<Value>(&out.stdout).unwrap()
    };
    let list = |items: Vec<Value>| json!({"apiVersion": "v1", "kind": "List", "items": items});

    let registered = predict(list(objects::demo_webhook_configurations()));
    assert_eq!(registered["mode"], "irsa");
    assert!(
        registered["registration"].as_str().is_some_and(|r| r
            .contains("iam-for-pods.amazonaws.com")
            && r.contains("sees this pod")),
        "{registered}"
    );

    let none = predict(list(Vec::new()));
    assert_eq!(none["mode"], "none");
    assert_eq!(none["patch"], json!([]));
    assert!(
        none["registration"]
            .as_str()
            .is_some_and(|r| r.contains("nothing mutates pods")),
        "{none}"
    );
}
