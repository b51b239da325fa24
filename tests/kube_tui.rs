//! End to end: the real binary with no `--demo`/`--snapshot` in a real terminal (tmux), pointed
//! at the stand-in API server by a generated kubeconfig: the live cluster fills the UI and the
//! screen follows changes made on the server. Skipped with a message when tmux is not
//! installed, unless `IRSA_REQUIRE_TMUX=1` makes that a failure (as in `tests/ui_tmux.rs`).

mod support;

use std::process::Command;
use std::time::{Duration, Instant};
use support::apiserver::{Kind, StandIn, Verb};
use support::objects;

const BIN: &str = env!("CARGO_BIN_EXE_irsa-inspector");

fn tmux(args: &[&str]) -> Option<String> {
    let out = Command::new("tmux").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

struct Session {
    name: String,
}

impl Session {
    fn start(test: &str, args: &str, logs: &std::path::Path) -> Option<Session> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("IRSA_REQUIRE_TMUX").is_none(),
                "tmux is not installed but IRSA_REQUIRE_TMUX is set"
            );
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        let name = format!("irsa-kube-{test}-{}", std::process::id());
        let command = format!(
            "HOME=/nonexistent KUBECONFIG= IRSA_INSPECTOR_LOG_DIR='{}' '{BIN}' {args}; \
             echo EXIT=$?; sleep 60",
            logs.display()
        );
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            "160",
            "-y",
            "45",
            &command,
        ])
        .expect("tmux new-session");
        Some(Session { name })
    }

    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.name]).unwrap_or_default()
    }

    /// Waits (without blocking the runtime's other tasks) until `cond` holds of the screen.
    async fn wait(&self, what: &str, cond: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if cond(&screen) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{what} never happened; screen:\n{screen}"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    async fn wait_for(&self, text: &str) -> String {
        self.wait(&format!("{text:?} on screen"), |s| s.contains(text))
            .await
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux(&["kill-session", "-t", &self.name]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_flags_opens_the_live_cluster_and_the_screen_follows_the_server() {
    let server = StandIn::start(objects::demo_lab()).await;
    server.forbid(Kind::Node, Verb::List);
    let dir = tempfile::tempdir().unwrap();
    let config = server.write_kubeconfig(dir.path());
    let args = format!("--kubeconfig '{}'", config.display());
    let Some(s) = Session::start("live", &args, dir.path()) else {
        return;
    };
    let screen = s.wait_for("live standin").await;
    assert!(!screen.contains("FAILED"), "{screen}");
    s.wait_for("SA 60 ").await;
    // Denied nodes: the rest is shown, and the status line says what is missing.
    s.wait_for("cannot list nodes: forbidden").await;

    server.apply(objects::service_account(
        "shop",
        "added-while-watching",
        &[],
    ));
    s.wait_for("SA 61 ").await;
    server.delete(Kind::ServiceAccount, Some("shop"), "added-while-watching");
    s.wait_for("SA 60 ").await;

    tmux(&["send-keys", "-t", &s.name, "q"]);
    let screen = s.wait_for("EXIT=").await;
    assert!(screen.contains("EXIT=0"), "{screen}");
}
