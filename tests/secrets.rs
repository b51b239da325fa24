//! Secrets never leave memory. A cluster whose pods carry a real-shaped projected token (an
//! RS256 JWT with a 256-byte signature), static `AWS_SECRET_ACCESS_KEY` / `AWS_SESSION_TOKEN`
//! literals in their env (also inside kubectl's `last-applied-configuration` copy), and a
//! Secret, is read every way the tool reads it — a snapshot folder and the stand-in
//! kube-apiserver — and every output is searched for the token's signature, the raw token, the
//! secret access key and the session token: `audit` (every format), `explain sa|pod`,
//! `decode-token`, `snapshot save`'s files, the terminal UI's frames (every pane and
//! drill-down) and the log file (at `RUST_LOG=trace`), which must also be mode 0600.

mod support;

use assert_cmd::Command;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use irsa_core::dataset::Dataset;
use irsa_core::snapshot;
use irsa_inspector::action::Action;
use irsa_inspector::action::Pane;
use irsa_inspector::messages::{DataOrigin, SourceEvent};
use irsa_inspector::state::State;
use irsa_inspector::ui;
use jiff::Timestamp;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::Duration;
use support::apiserver::{BEARER_TOKEN, StandIn};
use support::objects;
use support::tmux::{self, Session};

const SECRET_ACCESS_KEY: &str = "Zm9vYmFyL2Jhei9xdXV4K0FCQ0RFRkdISUpLTE1Oz";
const SESSION_TOKEN: &str = "IQoJb3JpZ2luX2VjEJ7//////////wEaCWV1LXdlc3QtMSJHMEUCIQDx3v+Y2VzaW9uLXRva2VuLXRoYXQtbXVzdC1uZXZlci1sZWF2ZS1tZW1vcnk/AiB6dGVzdC1zZXNzaW9uLXRva2VuLXNlY29uZC1oYWxmKpwCCBcQARoMMTIzNDU2Nzg5MDEyIgz0";
const SECRET_DATA: &str = "c2VjcmV0LW9iamVjdC1kYXRhLXRoYXQtaXMtbmV2ZXItcmVhZA==";
const NOW: &str = "2026-04-10T10:00:00Z";

/// A projected ServiceAccount token as kubelet mounts it: RS256, the demo issuer, 24 h, and a
/// 256-byte (RSA-2048) signature.
fn projected_token(namespace: &str, pod: &str, sa: &str) -> (String, String) {
    let header = json!({"alg": "RS256", "kid": "8b3e9c2a1f0d4e5b6a7c8d9e0f1a2b3c4d5e6f70"});
    let claims = json!({
        "aud": ["sts.amazonaws.com"], "exp": 1_775_899_819, "iat": 1_775_813_419, "nbf": 1_775_813_419,
        "iss": support::apiserver::ISSUER,
        "kubernetes.io": {"namespace": namespace,
            "node": {"name": "ip-192-168-45-67.eu-west-1.compute.internal", "uid": "4298d02f-e7a4-5af0-ba18-04cf673a2ab5"},
            "pod": {"name": pod, "uid": "eb01d793-cfd9-5770-941a-ea553f2d6833"},
            "serviceaccount": {"name": sa, "uid": "f336988f-ea3e-58ba-9845-db91275d532d"}},
        "sub": format!("system:serviceaccount:{namespace}:{sa}"),
    });
    // Deterministic bytes that look random (no run of a repeated character to find by luck).
    let mut x: u32 = 0x9e37_79b9;
    let signature_bytes: Vec<u8> = (0..256)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x.to_le_bytes()[0]
        })
        .collect();
    let signature = URL_SAFE_NO_PAD.encode(signature_bytes);
    let token = format!(
        "{}.{}.{signature}",
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string())
    );
    (token, signature)
}

/// A pod with static AWS keys as env literals and kubectl's copy of them.
fn leaky_pod() -> Value {
    let mut pod = objects::pod(
        "demo",
        "leaky",
        "s3-reader",
        "ip-192-168-45-67.eu-west-1.compute.internal",
    );
    let env = json!([
        {"name": "AWS_ACCESS_KEY_ID", "value": "ASIAIOSFODNN7EXAMPLE"},
        {"name": "AWS_SECRET_ACCESS_KEY", "value": SECRET_ACCESS_KEY},
        {"name": "AWS_SESSION_TOKEN", "value": SESSION_TOKEN},
        {"name": "AWS_REGION", "value": "eu-west-1"},
    ]);
    pod["spec"]["containers"][0]["env"] = env.clone();
    pod["spec"]["initContainers"] = json!([{"name": "init", "image": "busybox", "env": env}]);
    pod["metadata"]["annotations"] = json!({
        "kubectl.kubernetes.io/last-applied-configuration":
            json!({"spec": {"containers": [{"env": pod["spec"]["containers"][0]["env"]}]}}).to_string()
    });
    pod
}

fn secret_object() -> Value {
    json!({"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
           "metadata": {"name": "aws-keys", "namespace": "demo"},
           "data": {"AWS_SECRET_ACCESS_KEY": STANDARD.encode(SECRET_ACCESS_KEY), "other": SECRET_DATA}})
}

/// Everything that must never be shown: the token, its signature, the keys, the Secret.
struct Secrets {
    needles: Vec<(String, &'static str)>,
}

impl Secrets {
    fn new(token: &str, signature: &str) -> Secrets {
        Secrets {
            needles: vec![
                (token.to_owned(), "the raw token"),
                (signature.to_owned(), "the token signature"),
                // Any 24-character window of the signature (a cut or wrapped copy).
                (
                    signature[100..124].to_owned(),
                    "part of the token signature",
                ),
                (SECRET_ACCESS_KEY.to_owned(), "the secret access key"),
                (
                    SECRET_ACCESS_KEY[..20].to_owned(),
                    "part of the secret access key",
                ),
                (SESSION_TOKEN.to_owned(), "the session token"),
                (
                    SESSION_TOKEN[60..90].to_owned(),
                    "part of the session token",
                ),
                (STANDARD.encode(SECRET_ACCESS_KEY), "the Secret's data"),
                (SECRET_DATA.to_owned(), "the Secret's data"),
                (BEARER_TOKEN.to_owned(), "the kubeconfig bearer token"),
            ],
        }
    }

    fn assert_absent(&self, haystack: &str, what: &str) {
        for (needle, name) in &self.needles {
            assert!(
                !haystack.contains(needle.as_str()),
                "{name} found in {what}"
            );
        }
    }
}

/// The demo lab as a snapshot folder, plus the leaky pod, a Secret, and the real-shaped token
/// as `tokens/demo.s3-test.jwt` and `tokens/demo.leaky.jwt`.
fn leaky_snapshot() -> (tempfile::TempDir, Secrets) {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = snapshot::demo_files();
    for name in files.names() {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, files.get(name).unwrap_or_default()).expect("write");
    }
    let kube_path = dir.path().join("kubernetes.json");
    let mut list: Value =
        serde_json::from_str(&std::fs::read_to_string(&kube_path).expect("read")).expect("json");
    if let Some(items) = list["items"].as_array_mut() {
        items.push(leaky_pod());
        items.push(secret_object());
    }
    std::fs::write(&kube_path, list.to_string()).expect("write");
    let (token, signature) = projected_token("demo", "s3-test", "s3-reader");
    std::fs::write(dir.path().join("tokens/demo.s3-test.jwt"), &token).expect("write");
    let (leaky_token, _) = projected_token("demo", "leaky", "s3-reader");
    std::fs::write(dir.path().join("tokens/demo.leaky.jwt"), leaky_token).expect("write");
    (dir, Secrets::new(&token, &signature))
}

fn bin() -> Command {
    let mut cmd = Command::cargo_bin("irsa-inspector").expect("binary");
    cmd.env_remove("KUBECONFIG")
        .env("HOME", "/nonexistent")
        .env("RUST_LOG", "trace")
        .timeout(Duration::from_secs(120));
    cmd
}

fn all_output(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn audit_explain_and_decode_token_never_print_a_secret() {
    let (dir, secrets) = leaky_snapshot();
    let snap = dir.path().display().to_string();
    for format in ["table", "json", "markdown", "sarif", "junit", "ndjson"] {
        let out = bin()
            .args([
                "audit",
                "--format",
                format,
                "--snapshot",
                &snap,
                "--now",
                NOW,
            ])
            .output()
            .expect("run");
        let text = all_output(&out);
        // No --fail-on: findings never change the exit status.
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(
            text.contains("leaky"),
            "the leaky pod is audited ({format})"
        );
        secrets.assert_absent(&text, &format!("audit --format {format}"));
    }
    for target in [
        ["sa", "demo/s3-reader"],
        ["pod", "demo/s3-test"],
        ["pod", "demo/leaky"],
    ] {
        let out = bin()
            .args([
                "explain",
                target[0],
                target[1],
                "--snapshot",
                &snap,
                "--now",
                NOW,
            ])
            .output()
            .expect("run");
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        secrets.assert_absent(&text, &format!("explain {} {}", target[0], target[1]));
    }
    // The leaky pod's explanation says a literal key is there, without its value.
    let out = bin()
        .args([
            "explain",
            "pod",
            "demo/leaky",
            "--snapshot",
            &snap,
            "--now",
            NOW,
        ])
        .output()
        .expect("run");
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("AWS_SECRET_ACCESS_KEY"),
        "{}",
        all_output(&out)
    );

    let token_file = dir.path().join("tokens/demo.s3-test.jwt");
    for format in ["text", "json"] {
        let out = bin()
            .args([
                "decode-token",
                &token_file.display().to_string(),
                "--format",
                format,
                "--now",
                NOW,
            ])
            .output()
            .expect("run");
        let text = all_output(&out);
        assert_eq!(out.status.code(), Some(0), "{text}");
        assert!(text.contains("system:serviceaccount:demo:s3-reader"));
        secrets.assert_absent(&text, &format!("decode-token --format {format}"));
    }
}

fn frame(state: &State) -> String {
    let (w, h) = state.size();
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal.draw(|f| ui::draw(f, state)).expect("draw");
    let buf = terminal.backend().buffer().clone();
    (0..h)
        .map(|y| {
            (0..w)
                .map(|x| buf.cell((x, y)).map_or(" ", |c| c.symbol()))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Every pane, every row's drill-down (scrolled through), the help and a copy of each row.
fn assert_frames_clean(dataset: &Dataset, secrets: &Secrets, label: &str) {
    let now = Timestamp::from_second(1_775_815_000).expect("time");
    for (w, h) in [(200, 60), (80, 24)] {
        for pane in Pane::ALL {
            let mut state = State::new(DataOrigin::Demo, now, true, w, h);
            state.apply(SourceEvent::Loaded(Box::new(dataset.clone())));
            state.update(Action::ShowPane(pane));
            let mut seen = std::collections::BTreeSet::new();
            for _ in 0..80 {
                let list = frame(&state);
                secrets.assert_absent(&list, &format!("{label}: {pane:?} list at {w}x{h}"));
                for effect in state.update(Action::Copy) {
                    secrets.assert_absent(
                        &format!("{effect:?}"),
                        &format!("{label}: copy in {pane:?}"),
                    );
                }
                state.update(Action::Open);
                for _ in 0..6 {
                    let drill = frame(&state);
                    secrets
                        .assert_absent(&drill, &format!("{label}: {pane:?} drill-down at {w}x{h}"));
                    state.update(Action::PageDown);
                }
                state.update(Action::Back);
                if !seen.insert(list) {
                    break;
                }
                state.update(Action::Down);
            }
        }
    }
}

#[test]
fn the_terminal_ui_never_draws_a_secret() {
    let (dir, secrets) = leaky_snapshot();
    let inventory = snapshot::load_dir(dir.path()).expect("loads");
    secrets.assert_absent(&format!("{inventory:?}"), "the inventory's Debug");
    secrets.assert_absent(
        &serde_json::to_string(&inventory).expect("json"),
        "the inventory's JSON",
    );
    let now = Timestamp::from_second(1_775_815_000).expect("time");
    let dataset = Dataset::analyse(inventory, now, now);
    assert_frames_clean(&dataset, &secrets, "snapshot");
}

// ---------------------------------------------------------------------------------------------
// The live stand-in: `snapshot save`, the UI's log file

/// Runs the binary off the runtime's threads (the server keeps serving meanwhile).
async fn run(args: Vec<String>) -> Output {
    tokio::task::spawn_blocking(move || bin().args(args).output().expect("run"))
        .await
        .expect("join")
}

fn read_tree(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(read_tree(&path));
        } else {
            let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
            out.push((path, text));
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn snapshot_save_from_the_live_cluster_writes_no_secret() {
    let mut lab = objects::demo_lab();
    lab.push(leaky_pod());
    let server = StandIn::start(lab).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let config = server.write_kubeconfig(dir.path());
    let out_dir = dir.path().join("snap");
    let out = run(vec![
        "--kubeconfig".into(),
        config.display().to_string(),
        "snapshot".into(),
        "save".into(),
        out_dir.display().to_string(),
    ])
    .await;
    let (_, secrets) = leaky_snapshot();
    let text = all_output(&out);
    assert!(out.status.success(), "{text}");
    secrets.assert_absent(&text, "snapshot save's output");
    let files = read_tree(&out_dir);
    assert!(files.iter().any(|(p, _)| p.ends_with("kubernetes.json")));
    for (path, text) in &files {
        secrets.assert_absent(text, &path.display().to_string());
        assert!(
            !text.contains("last-applied-configuration"),
            "{}",
            path.display()
        );
    }
    // Read back, the saved folder still knows the pod had a literal secret key (redacted).
    let saved = snapshot::load_dir(&out_dir).expect("saved snapshot loads");
    let pod = saved.pod("demo", "leaky").expect("leaky pod saved");
    assert!(
        pod.containers[0]
            .env
            .iter()
            .any(|e| e.name == "AWS_SECRET_ACCESS_KEY")
    );
    let now = Timestamp::from_second(1_775_815_000).expect("time");
    assert_frames_clean(
        &Dataset::analyse(saved, now, now),
        &secrets,
        "saved snapshot",
    );
}

/// Runs the UI in tmux on `args` with the log in `logs` at `RUST_LOG=trace`, walks every pane
/// and opens each one's first rows (waiting each time for the screen to show what was asked
/// for, never for a fixed time), quits, and returns every screen seen.
async fn drive_ui(test: &str, args: &str, logs: &Path, ready: &str) -> Vec<String> {
    let s = Session::builder("secrets", test)
        .size(200, 50)
        .env("HOME=/nonexistent KUBECONFIG= RUST_LOG=trace")
        .log_dir(logs)
        .start(args)
        .expect("tmux is available (checked by the test)");
    let patience = Duration::from_secs(30);
    let mut screens = Vec::new();
    s.wait_until_async("UI ready", patience, |screen| screen.contains(ready))
        .await;
    // In a drill-down the bottom line says how to go back; in a pane it does not.
    let in_drill = |screen: &str| screen.contains("Esc back");
    for (key, title) in [
        ("1", "ServiceAccounts ("),
        ("2", "Pods ("),
        ("3", "Roles ("),
        ("4", "Nodes ("),
        ("5", "Findings ("),
    ] {
        s.send(key);
        let pane = s
            .wait_until_async(title, patience, |screen| {
                screen.contains(title) && !in_drill(screen)
            })
            .await;
        // The pane's row count, from its title: `Pods (12)`.
        let rows: usize = pane
            .split(title)
            .nth(1)
            .and_then(|rest| rest.split(')').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no row count after {title:?} in:\n{pane}"));
        screens.push(pane);
        for row in 1..=rows.min(4) {
            let at = format!(" {row}/{rows} ");
            s.wait_until_async(
                &format!("{title} cursor on row {row}"),
                patience,
                |screen| screen.contains(&at) && !in_drill(screen),
            )
            .await;
            // Enter opens the row's drill-down; on a finding it jumps to its subject's row in
            // that subject's pane when one lists it.
            s.send("Enter");
            let opened = s
                .wait_until_async(&format!("{title} row {row} opened"), patience, |screen| {
                    in_drill(screen) || !screen.contains(title)
                })
                .await;
            if in_drill(&opened) {
                s.send("Escape");
            }
            screens.push(opened);
            s.send(key);
            s.wait_until_async(&format!("{title} again"), patience, |screen| {
                screen.contains(title) && !in_drill(screen)
            })
            .await;
            s.send("Down");
        }
    }
    s.send("q");
    let quit = s
        .wait_until_async("quit", Duration::from_secs(20), |screen| {
            screen.contains("EXIT=")
        })
        .await;
    screens.push(quit);
    screens
}

fn assert_log_clean(logs: &Path, secrets: &Secrets) {
    let path = logs.join(irsa_inspector::logging::LOG_FILE);
    let text = std::fs::read_to_string(&path).expect("the UI wrote its log");
    assert!(!text.is_empty(), "empty log");
    secrets.assert_absent(&text, "the log file");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path)
            .expect("stat log")
            .permissions()
            .mode()
            & 0o777;
        assert_eq!(mode, 0o600, "log file mode {mode:o}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ui_over_a_snapshot_and_the_live_cluster_logs_no_secret() {
    if !tmux::available() {
        return;
    }
    let (dir, secrets) = leaky_snapshot();
    let logs = tempfile::tempdir().expect("temp dir");
    let args = format!("--snapshot '{}'", dir.path().display());
    for screen in drive_ui("snapshot", &args, logs.path(), "ServiceAccounts (").await {
        secrets.assert_absent(&screen, "a tmux screen (snapshot)");
    }
    assert_log_clean(logs.path(), &secrets);

    let mut lab = objects::demo_lab();
    lab.push(leaky_pod());
    let server = StandIn::start(lab).await;
    let live_logs = tempfile::tempdir().expect("temp dir");
    let config = server.write_kubeconfig(live_logs.path());
    let args = format!("--kubeconfig '{}'", config.display());
    for screen in drive_ui("live", &args, live_logs.path(), "live standin").await {
        secrets.assert_absent(&screen, "a tmux screen (live)");
    }
    assert_log_clean(live_logs.path(), &secrets);
}

#[test]
fn a_log_file_that_already_exists_with_loose_permissions_is_tightened() {
    if !tmux::available() {
        return;
    }
    let logs = tempfile::tempdir().expect("temp dir");
    let path = logs.path().join(irsa_inspector::logging::LOG_FILE);
    std::fs::write(&path, "old line\n").expect("write");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).expect("chmod");
    }
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    rt.block_on(async {
        drive_ui("loose", "--demo", logs.path(), "ServiceAccounts (").await;
    });
    let (_, secrets) = leaky_snapshot();
    assert_log_clean(logs.path(), &secrets);
    let text = std::fs::read_to_string(&path).expect("log");
    assert!(
        text.starts_with("old line"),
        "the log is appended to, not replaced"
    );
}
