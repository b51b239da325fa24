//! Loading a big `kubernetes.json` item by item (`snapshot::kubernetes`): what a user of a
//! large snapshot sees — the same inventory as before whatever the file's key order and
//! layout, typed lists without item kinds, and errors that still point into the file.
//!
//! The lists are generated here: Deployments' replicas in the shape kubectl prints them
//! (env, volumes, labels, ownerReferences, status), written with serde_json.
//!
//! `load_dir` streams `kubernetes.json` from the file (its own route, never holding the text)
//! while `load_files` parses text: the tests at the end write folders and check that both
//! routes give the same inventory and the same errors, word for word.

use irsa_core::model::Inventory;
use irsa_core::report::redact_serde_message;
use irsa_core::snapshot::{
    SnapshotError, SnapshotFiles, demo_files, load_demo, load_dir, load_files,
};
use k8s_openapi::api::core::v1::Pod;
use pretty_assertions::assert_eq;
use serde_json::{Value, json};
use std::fs;
use std::path::Path;

const KUBERNETES: &str = "kubernetes.json";

/// The demo's files without `tokens/` (the token work is not what is tested here).
fn demo_without_tokens() -> SnapshotFiles {
    let mut files = demo_files();
    let tokens: Vec<String> = files
        .names()
        .filter(|n| n.starts_with("tokens/"))
        .map(str::to_owned)
        .collect();
    for name in tokens {
        files.remove(&name);
    }
    files
}

/// The demo's `kubernetes.json` items, as written.
fn demo_items() -> Vec<Value> {
    let text = demo_files().get(KUBERNETES).unwrap().to_owned();
    let root: Value = serde_json::from_str(&text).unwrap();
    root["items"].as_array().unwrap().clone()
}

/// Replica `replica` of Deployment `deployment`, as `kubectl get pods -o json` prints it.
fn replica(deployment: usize, replica: usize) -> Value {
    let ns = format!("team-{:02}", deployment % 40);
    let app = format!("app-{deployment:04}");
    let rs = format!("{app}-7d9c6b5f4");
    let name = format!("{rs}-{replica:05}");
    let role = format!("arn:aws:iam::123456789012:role/{app}");
    json!({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {
            "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090"},
            "creationTimestamp": "2026-04-01T08:00:00Z",
            "generateName": format!("{rs}-"),
            "labels": {"app": app, "pod-template-hash": "7d9c6b5f4", "team": ns},
            "name": name,
            "namespace": ns,
            "ownerReferences": [{
                "apiVersion": "apps/v1", "blockOwnerDeletion": true, "controller": true,
                "kind": "ReplicaSet", "name": rs, "uid": format!("rs-{deployment}")
            }],
            "resourceVersion": "184246",
            "uid": format!("pod-{deployment}-{replica}")
        },
        "spec": {
            "containers": [{
                "env": [
                    {"name": "LOG_LEVEL", "value": "info"},
                    {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
                    {"name": "AWS_STS_REGIONAL_ENDPOINTS", "value": "regional"},
                    {"name": "AWS_DEFAULT_REGION", "value": "eu-west-1"},
                    {"name": "AWS_REGION", "value": "eu-west-1"},
                    {"name": "AWS_ROLE_ARN", "value": role},
                    {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/secrets/eks.amazonaws.com/serviceaccount/token"}
                ],
                "image": format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/{app}:1.4.2"),
                "imagePullPolicy": "IfNotPresent",
                "name": "app",
                "ports": [{"containerPort": 8080, "name": "http", "protocol": "TCP"}],
                "resources": {"limits": {"memory": "256Mi"}, "requests": {"cpu": "100m", "memory": "128Mi"}},
                "terminationMessagePath": "/dev/termination-log",
                "terminationMessagePolicy": "File",
                "volumeMounts": [
                    {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": "kube-api-access-x1y2z", "readOnly": true},
                    {"mountPath": "/var/run/secrets/eks.amazonaws.com/serviceaccount", "name": "aws-iam-token", "readOnly": true}
                ]
            }],
            "dnsPolicy": "ClusterFirst",
            "nodeName": format!("ip-10-0-{}-{}.eu-west-1.compute.internal", replica % 8, deployment % 200),
            "restartPolicy": "Always",
            "securityContext": {"fsGroup": 65534, "runAsNonRoot": true},
            "serviceAccount": app,
            "serviceAccountName": app,
            "tolerations": [
                {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300}
            ],
            "volumes": [
                {"name": "aws-iam-token", "projected": {"defaultMode": 420, "sources": [
                    {"serviceAccountToken": {"audience": "sts.amazonaws.com", "expirationSeconds": 86400, "path": "token"}}]}},
                {"name": "kube-api-access-x1y2z", "projected": {"defaultMode": 420, "sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                    {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}}]}}
            ]
        },
        "status": {
            "conditions": [
                {"lastTransitionTime": "2026-04-01T08:00:05Z", "status": "True", "type": "Ready"},
                {"lastTransitionTime": "2026-04-01T08:00:01Z", "status": "True", "type": "PodScheduled"}
            ],
            "containerStatuses": [{
                "containerID": format!("containerd://{deployment:08x}{replica:08x}"),
                "image": format!("123456789012.dkr.ecr.eu-west-1.amazonaws.com/{app}:1.4.2"),
                "imageID": "sha256:0123456789abcdef",
                "name": "app", "ready": true, "restartCount": 0, "started": true,
                "state": {"running": {"startedAt": "2026-04-01T08:00:04Z"}}
            }],
            "hostIP": "10.0.1.10",
            "phase": "Running",
            "podIP": format!("10.1.{}.{}", deployment % 250, replica % 250),
            "qosClass": "Burstable",
            "startTime": "2026-04-01T08:00:01Z"
        }
    })
}

/// `deployments` × `replicas` pods, Deployment by Deployment.
fn replicas(deployments: usize, replicas: usize) -> Vec<Value> {
    (0..deployments)
        .flat_map(|d| (0..replicas).map(move |r| replica(d, r)))
        .collect()
}

/// A `v1 List` of `items` as kubectl prints it: keys sorted, so `kind` after `items`.
fn kubectl_list(items: Vec<Value>) -> Value {
    json!({"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}})
}

/// The demo with `kubernetes.json` replaced by `text`.
fn demo_with_kubernetes(text: String) -> SnapshotFiles {
    demo_without_tokens().with(KUBERNETES, text)
}

fn load_kubernetes(text: String) -> Result<Inventory, String> {
    let files = SnapshotFiles::new("test").with(KUBERNETES, text);
    load_files(&files).map_err(|e| e.to_string())
}

/// serde's `line L column C` for byte `offset` of `text`.
fn position(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (before.matches('\n').count() + 1, offset - line_start)
}

#[test]
fn the_demo_loads_to_the_same_inventory_whatever_the_key_order_and_layout() {
    let mut demo = load_demo().unwrap();
    demo.tokens.clear();
    demo.problems.retain(|p| !p.message.contains("token"));
    let expected = load_files(&demo_without_tokens()).unwrap();
    assert_eq!(
        (expected.service_accounts.len(), expected.pods.len()),
        (demo.service_accounts.len(), demo.pods.len())
    );
    let items = demo_items();
    let kind_first = json!({"kind": "List", "apiVersion": "v1", "metadata": {}, "items": items});
    let variants = [
        (
            "kind after items, compact",
            kubectl_list(items.clone()).to_string(),
        ),
        (
            "kind after items, pretty",
            serde_json::to_string_pretty(&kubectl_list(items.clone())).unwrap(),
        ),
        ("kind before items", kind_first.to_string()),
        (
            "CRLF and tabs between tokens",
            serde_json::to_string_pretty(&kind_first)
                .unwrap()
                .replace('\n', "\r\n\t"),
        ),
    ];
    for (case, text) in variants {
        let inv = load_files(&demo_with_kubernetes(text)).unwrap();
        assert!(inv == expected, "{case}: the inventory differs");
    }
}

#[test]
fn three_thousand_generated_pods_load_beside_the_demo_and_leave_it_unchanged() {
    let expected = load_files(&demo_without_tokens()).unwrap();
    let mut items = demo_items();
    let generated = replicas(300, 10);
    items.extend(generated.iter().cloned());
    let text = serde_json::to_string_pretty(&kubectl_list(items)).unwrap();
    let inv = load_files(&demo_with_kubernetes(text)).unwrap();

    assert_eq!(inv.pods.len(), expected.pods.len() + 3000);
    assert_eq!(inv.service_accounts, expected.service_accounts);
    assert_eq!(inv.nodes, expected.nodes);
    assert_eq!(inv.roles, expected.roles);
    assert_eq!(inv.webhook, expected.webhook);
    assert_eq!(inv.webhook_registration, expected.webhook_registration);
    assert_eq!(inv.problems, expected.problems);
    for (got, want) in inv.pods.iter().zip(expected.pods.iter()) {
        assert_eq!(got, want);
    }
    // Each generated pod is projected as from its own JSON, in file order.
    for (pod, raw) in inv.pods.iter().skip(expected.pods.len()).zip(&generated) {
        assert_eq!(pod.name, raw["metadata"]["name"].as_str().unwrap());
        assert_eq!(&*pod.namespace, raw["metadata"]["namespace"]);
        assert_eq!(&*pod.service_account, raw["spec"]["serviceAccountName"]);
        assert_eq!(pod.phase.as_deref(), Some("Running"));
    }
    let last = inv.pods.last().unwrap();
    assert_eq!(last.name, "app-0299-7d9c6b5f4-00009");
    assert_eq!(last.owner.as_deref(), Some("ReplicaSet/app-0299-7d9c6b5f4"));
    assert_eq!(
        last.containers[0]
            .env_var("AWS_ROLE_ARN")
            .and_then(|e| e.literal_value()),
        Some("arn:aws:iam::123456789012:role/app-0299")
    );
    assert!(last.volume("aws-iam-token").is_some());
}

#[test]
fn a_pod_list_without_item_kinds_loads_with_its_kind_before_or_after_items() {
    // The raw API (`kubectl get --raw /api/v1/pods`) prints a `PodList` whose items carry no
    // `kind` or `apiVersion`.
    let items: Vec<Value> = replicas(100, 10)
        .into_iter()
        .map(|mut pod| {
            let object = pod.as_object_mut().unwrap();
            object.remove("kind");
            object.remove("apiVersion");
            pod
        })
        .collect();
    let kind_first = json!({"kind": "PodList", "apiVersion": "v1", "metadata": {}, "items": items});
    let kind_last = json!({"apiVersion": "v1", "items": items, "kind": "PodList", "metadata": {}});
    for (case, list) in [("kind first", kind_first), ("kind last", kind_last)] {
        let inv = load_kubernetes(list.to_string()).unwrap();
        assert_eq!(inv.pods.len(), 1000, "{case}");
        assert_eq!(inv.pods.get(999).unwrap().name, "app-0099-7d9c6b5f4-00009");
    }
    // A plain `List` implies no kind: kind-less items are not guessed at.
    let plain = json!({"apiVersion": "v1", "items": items, "kind": "List"});
    assert_eq!(load_kubernetes(plain.to_string()).unwrap().pods.len(), 0);
}

#[test]
fn a_syntax_error_deep_inside_item_2000_keeps_serdes_line_and_column_in_the_file() {
    let text = serde_json::to_string_pretty(&kubectl_list(replicas(210, 10))).unwrap();
    // Item 2000 is replica 0 of Deployment 200: break the number of its container port.
    let item = text.find("\"name\": \"app-0200-7d9c6b5f4-00000\"").unwrap();
    let port = item + text[item..].find("\"containerPort\": 8080").unwrap();
    let broken = port + "\"containerPort\": 80".len();
    let text = format!("{}x{}", &text[..broken], &text[broken + 1..]);

    let message = load_kubernetes(text.clone()).unwrap_err();
    // The same line and column a whole-file parse reports (what the loader said before).
    let tree = serde_json::from_str::<Value>(&text).unwrap_err();
    assert_eq!(
        message,
        format!(
            "test kubernetes.json: {}",
            redact_serde_message(&tree.to_string())
        )
    );
    assert_eq!((tree.line(), tree.column()), position(&text, broken + 1));
    assert!(
        tree.line() > 100_000,
        "deep in the file: line {}",
        tree.line()
    );
}

#[test]
fn a_schema_error_names_the_item_and_its_line_in_the_file() {
    let mut items = replicas(130, 10);
    items[1234]["spec"]["containers"] = json!("oops");
    let list = kubectl_list(items);

    // serde's own message and position when the whole file is read as typed pods.
    #[derive(Debug, serde::Deserialize)]
    struct Pods {
        #[allow(dead_code)]
        items: Vec<Pod>,
    }
    let pretty = serde_json::to_string_pretty(&list).unwrap();
    let compact = list.to_string();
    for (text, bad) in [
        (pretty, "\"containers\": \"oops\""),
        (compact, "\"containers\":\"oops\""),
    ] {
        let message = load_kubernetes(text.clone()).unwrap_err();
        let typed = serde_json::from_str::<Pods>(&text).unwrap_err();
        let after_oops = text.find(bad).unwrap() + bad.len();
        assert_eq!((typed.line(), typed.column()), position(&text, after_oops));
        assert_eq!(
            message,
            format!(
                "test kubernetes.json: items[1234] (Pod team-03/app-0123-7d9c6b5f4-00004): {}",
                redact_serde_message(&typed.to_string())
            )
        );
        assert!(!message.contains("oops"), "{message}");
    }
}

#[test]
fn the_files_shape_is_still_checked_and_said_in_the_same_words() {
    let cases = [
        (
            r#"{"kind": "List", "items": {"a": 1}}"#,
            "`items` is not an array",
        ),
        (
            r#"{"kind": "List", "items": null}"#,
            "`items` is not an array",
        ),
        ("[]", "neither a List (`items`) nor an object with a `kind`"),
        (
            r#"{"metadata": {}}"#,
            "neither a List (`items`) nor an object with a `kind`",
        ),
        (
            r#"{"kind": 7}"#,
            "neither a List (`items`) nor an object with a `kind`",
        ),
        (
            "{\"kind\": \"List\", \"items\": []}\n}",
            "trailing characters at line 2 column 1",
        ),
        ("", "EOF while parsing a value at line 1 column 0"),
    ];
    for (text, expected) in cases {
        let message = load_kubernetes(text.to_owned()).unwrap_err();
        assert_eq!(
            message,
            format!("test kubernetes.json: {expected}"),
            "{text}"
        );
    }
    // A single object, items of unknown or non-string kinds, and non-object items of a
    // plain `List` are all accepted.
    let single = json!({"kind": "Pod", "metadata": {"name": "p", "namespace": "n"}, "spec": {"containers": []}});
    assert_eq!(load_kubernetes(single.to_string()).unwrap().pods.len(), 1);
    let odd = json!({"kind": "List", "items": [
        {"kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"k": "v"}},
        {"kind": 7, "metadata": "not an object"},
        3, "text", null, [1, 2]
    ]});
    assert!(load_kubernetes(odd.to_string()).unwrap().pods.is_empty());
}

#[test]
fn the_webhook_list_files_are_read_the_same_way() {
    let demo = load_files(&demo_without_tokens()).unwrap();
    let text = demo_files()
        .get("mutating-webhook-configurations.json")
        .unwrap()
        .to_owned();
    let root: Value = serde_json::from_str(&text).unwrap();
    let kind_last = json!({"apiVersion": "v1", "items": root["items"], "kind": "List"});
    let files = demo_without_tokens().with(
        "mutating-webhook-configurations.json",
        kind_last.to_string(),
    );
    assert_eq!(
        load_files(&files).unwrap().webhook_registration,
        demo.webhook_registration
    );

    let bad = "{\"kind\": \"List\", \"items\": [\n  {\"metadata\": {\"name\": \"w\"}, \"webhooks\": 5}\n]}";
    let files = SnapshotFiles::new("t").with("mutating-webhook-configurations.json", bad);
    let message = load_files(&files).unwrap_err().to_string();
    assert!(
        message.starts_with(
            "t mutating-webhook-configurations.json: items[0] (MutatingWebhookConfiguration w): "
        ),
        "{message}"
    );
    // No position here: the same reader takes YAML converted to JSON (`webhook` command).
    assert!(
        message.ends_with("invalid type: integer `5`, expected a sequence"),
        "{message}"
    );
}

/// Writes `files` out as a snapshot folder (`tokens/` included).
fn write_folder(dir: &Path, files: &SnapshotFiles) {
    for name in files.names() {
        let path = dir.join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, files.get(name).unwrap()).unwrap();
    }
}

/// A folder of the demo's files (tokens included) with `kubernetes.json` replaced by `text`.
fn demo_folder(text: &[u8]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write_folder(dir.path(), &demo_files());
    fs::write(dir.path().join(KUBERNETES), text).unwrap();
    dir
}

/// What the text route says of the same folder: its files read as text, then `load_files`.
fn load_as_text(dir: &Path) -> Result<Inventory, SnapshotError> {
    load_files(&SnapshotFiles::read_dir(dir)?)
}

/// The message of a malformed `kubernetes.json` (without the file name, which differs:
/// a folder's path, or `test kubernetes.json`).
fn malformed_message(result: Result<Inventory, SnapshotError>) -> String {
    match result {
        Err(SnapshotError::Malformed { file, message }) => {
            assert!(file.ends_with(KUBERNETES), "{file}");
            message
        }
        other => panic!("not a malformed kubernetes.json: {other:?}"),
    }
}

/// kubectl's layout: keys sorted, four-space indentation.
fn kubectl_text(list: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    let formatter = serde_json::ser::PrettyFormatter::with_indent(b"    ");
    let mut serializer = serde_json::Serializer::with_formatter(&mut out, formatter);
    serde::Serialize::serialize(list, &mut serializer).unwrap();
    out.push(b'\n');
    out
}

#[test]
fn a_snapshot_folder_loads_to_the_same_inventory_as_its_texts() {
    let mut items = demo_items();
    items.extend(replicas(250, 10));
    let list = kubectl_list(items);
    for (layout, text) in [
        ("kubectl", kubectl_text(&list)),
        ("compact", list.to_string().into_bytes()),
    ] {
        let dir = demo_folder(&text);
        let streamed = load_dir(dir.path()).unwrap();
        let expected = load_as_text(dir.path()).unwrap();
        assert_eq!(streamed.pods.len(), 2500 + load_demo().unwrap().pods.len());
        assert!(
            !streamed.tokens.is_empty(),
            "{layout}: the tokens are read too"
        );
        assert!(streamed == expected, "{layout}: the inventory differs");
    }
    // The demo folder as it is, too.
    let dir = demo_folder(demo_files().get(KUBERNETES).unwrap().as_bytes());
    assert!(load_dir(dir.path()).unwrap() == load_demo().unwrap());
}

#[test]
fn a_syntax_error_deep_in_a_folders_file_keeps_its_line_and_column() {
    let text = String::from_utf8(kubectl_text(&kubectl_list(replicas(210, 10)))).unwrap();
    // Break the number of item 2000's container port.
    let item = text.find("\"name\": \"app-0200-7d9c6b5f4-00000\"").unwrap();
    let port = item + text[item..].find("\"containerPort\": 8080").unwrap();
    let broken = port + "\"containerPort\": 80".len();
    let text = format!("{}x{}", &text[..broken], &text[broken + 1..]);
    let tree = serde_json::from_str::<Value>(&text).unwrap_err();
    assert!(
        tree.line() > 100_000,
        "deep in the file: line {}",
        tree.line()
    );

    let dir = demo_folder(text.as_bytes());
    let message = malformed_message(load_dir(dir.path()));
    assert_eq!(message, redact_serde_message(&tree.to_string()));
    assert_eq!(message, malformed_message(load_as_text(dir.path())));
}

#[test]
fn a_folders_errors_say_what_the_text_route_says() {
    let mut items = replicas(30, 10);
    items[123]["spec"]["containers"] = json!("oops");
    let misfit = kubectl_list(items.clone());
    let mut broken_later = String::from_utf8(kubectl_text(&misfit)).unwrap();
    // A syntax error after the misfit item still comes first, as in a whole-file parse.
    let last = broken_later.rfind("\"Running\"").unwrap();
    broken_later.insert(last, ',');
    let kind_less = json!({"items": [{"metadata": {"name": "p"}, "spec": {"containers": 1}}],
                           "kind": "PodList"});
    let texts = [
        String::from_utf8(kubectl_text(&misfit)).unwrap(),
        misfit.to_string(),
        broken_later,
        kind_less.to_string(),
        r#"{"kind": "List", "items": {"a": 1}}"#.to_owned(),
        r#"{"kind": "List", "items": [1,]}"#.to_owned(),
        "[]".to_owned(),
        r#"{"metadata": {}}"#.to_owned(),
        "{\"kind\": \"List\", \"items\": []}\n}".to_owned(),
        "{\"kind\": \"List\", \"items\": [{\"kind\": \"Pod\"}]".to_owned(),
        String::new(),
        json!({"kind": "Pod", "metadata": {"name": "p"}, "spec": {"containers": "x"}}).to_string(),
    ];
    for text in texts {
        let dir = demo_folder(text.as_bytes());
        let streamed = malformed_message(load_dir(dir.path()));
        assert_eq!(
            streamed,
            malformed_message(load_as_text(dir.path())),
            "{text:.200}"
        );
    }
    let text = String::from_utf8(kubectl_text(&misfit)).unwrap();
    let dir = demo_folder(text.as_bytes());
    let message = malformed_message(load_dir(dir.path()));
    assert!(
        message.starts_with("items[123] (Pod team-12/app-0012-7d9c6b5f4-00003): "),
        "{message}"
    );
    assert!(message.contains(" at line "), "{message}");
}

#[test]
fn a_folders_file_cut_short_or_with_a_byte_changed_fails_as_its_text_does() {
    // Wherever a kubectl list is broken — in the root, between items, inside one — loading
    // the folder says what loading the text says (or loads the same inventory).
    let mut items = replicas(1, 2);
    items.push(
        json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"},
                      "data": {"k": "v \" \\ é"}}),
    );
    let text = kubectl_text(&kubectl_list(items));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(KUBERNETES);
    let mut cases = Vec::new();
    for at in (0..text.len()).step_by(53) {
        cases.push(text[..at].to_vec());
        for byte in [b'x', b'"', b',', b'}', b']', b'\\'] {
            let mut changed = text.clone();
            changed[at] = byte;
            cases.push(changed);
        }
    }
    for case in cases {
        fs::write(&path, &case).unwrap();
        let (streamed, text_route) = (load_dir(dir.path()), load_as_text(dir.path()));
        let shown = String::from_utf8_lossy(&case);
        match (streamed, text_route) {
            (Ok(a), Ok(b)) => assert!(a == b, "the inventory differs: {shown}"),
            (a, b) => assert_eq!(
                a.map(|_| ()).map_err(|e| e.to_string()),
                b.map(|_| ()).map_err(|e| e.to_string()),
                "{shown}"
            ),
        }
    }
}

#[test]
fn a_folders_kubernetes_json_that_is_not_utf8_cannot_be_read() {
    let mut text = kubectl_text(&kubectl_list(replicas(5, 10)));
    let at = text.len() / 2;
    text[at] = 0xff;
    let dir = demo_folder(&text);
    let path = dir.path().join(KUBERNETES);
    for err in [load_dir(dir.path()), load_as_text(dir.path())] {
        let err = err.unwrap_err();
        assert!(matches!(err, SnapshotError::Read { .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "cannot read {}: stream did not contain valid UTF-8",
                path.display()
            )
        );
    }
}

#[test]
fn a_folders_pod_list_without_item_kinds_loads_with_its_kind_after_items() {
    // The raw API's `PodList`: no item carries `kind`; kubectl's key order puts the list's
    // `kind` after `items`, so the items wait for it.
    let kind_less: Vec<Value> = replicas(100, 10)
        .into_iter()
        .map(|mut pod| {
            let object = pod.as_object_mut().unwrap();
            object.remove("kind");
            object.remove("apiVersion");
            pod
        })
        .collect();
    // Every other item keeps its `kind`: the pods still come out in file order.
    let mixed: Vec<Value> = kind_less
        .iter()
        .zip(replicas(100, 10))
        .enumerate()
        .map(|(i, (bare, full))| if i % 2 == 0 { bare.clone() } else { full })
        .collect();
    for (case, items) in [("kind-less", kind_less), ("mixed", mixed)] {
        let list = json!({"apiVersion": "v1", "items": items, "kind": "PodList", "metadata": {}});
        let dir = demo_folder(&kubectl_text(&list));
        let streamed = load_dir(dir.path()).unwrap();
        assert_eq!(streamed.pods.len(), 1000, "{case}");
        let names: Vec<&str> = streamed.pods.iter().map(|p| p.name.as_str()).collect();
        let expected: Vec<String> = (0..100)
            .flat_map(|d| (0..10).map(move |r| format!("app-{d:04}-7d9c6b5f4-{r:05}")))
            .collect();
        assert_eq!(names, expected, "{case}");
        assert!(
            streamed == load_as_text(dir.path()).unwrap(),
            "{case}: the inventory differs"
        );
    }
    // A plain `List` implies no kind: kind-less items are not guessed at.
    let plain = json!({"apiVersion": "v1", "items": [{"metadata": {"name": "p"}}], "kind": "List"});
    let dir = demo_folder(plain.to_string().as_bytes());
    assert!(load_dir(dir.path()).unwrap().pods.is_empty());
}

#[test]
fn a_folder_with_a_single_object_as_kubernetes_json_loads_it() {
    let pod = replica(7, 3);
    let dir = demo_folder(&kubectl_text(&pod));
    let inv = load_dir(dir.path()).unwrap();
    assert_eq!(inv.pods.len(), 1);
    assert_eq!(inv.pods[0].name, "app-0007-7d9c6b5f4-00003");
    assert!(inv == load_as_text(dir.path()).unwrap());
}
