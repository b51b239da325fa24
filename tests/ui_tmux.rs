//! End to end: the real binary in a real terminal (tmux), driven by keys, read back with
//! `capture-pane`. Skipped with a message when tmux is not installed, unless
//! `IRSA_REQUIRE_TMUX=1` (set by `.ci/run`, which installs tmux) makes that a failure.

use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_irsa-inspector");

/// One tmux session running the binary; killed on drop.
struct Session {
    name: String,
    _logs: tempfile::TempDir,
}

fn tmux(args: &[&str]) -> Option<String> {
    let out = Command::new("tmux").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

impl Session {
    /// Starts `irsa-inspector ARGS` in a detached `width`×`height` session; `None` without tmux.
    fn start(test: &str, args: &str, width: u16, height: u16) -> Option<Session> {
        if Command::new("tmux").arg("-V").output().is_err() {
            assert!(
                std::env::var_os("IRSA_REQUIRE_TMUX").is_none(),
                "tmux is not installed but IRSA_REQUIRE_TMUX is set: apt-get install tmux"
            );
            eprintln!("skipped: tmux is not installed");
            return None;
        }
        let logs = tempfile::tempdir().expect("temp dir");
        let name = format!("irsa-ui-{test}-{}", std::process::id());
        let command = format!(
            "IRSA_INSPECTOR_LOG_DIR='{}' '{BIN}' {args}; echo EXIT=$?; sleep 60",
            logs.path().display()
        );
        let (w, h) = (width.to_string(), height.to_string());
        tmux(&[
            "new-session",
            "-d",
            "-s",
            &name,
            "-x",
            &w,
            "-y",
            &h,
            &command,
        ])
        .expect("tmux new-session");
        Some(Session { name, _logs: logs })
    }

    fn screen(&self) -> String {
        tmux(&["capture-pane", "-p", "-t", &self.name]).unwrap_or_default()
    }

    /// Sends keys as tmux names them (`Enter`, `Escape`, `C-c`, or literal text).
    fn keys(&self, keys: &[&str]) {
        for k in keys {
            tmux(&["send-keys", "-t", &self.name, k]).expect("tmux send-keys");
            std::thread::sleep(Duration::from_millis(60));
        }
    }

    /// Types literal text.
    fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.name, "-l", text]).expect("tmux send-keys -l");
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Waits until the screen contains `text`; panics with the screen after 20 s.
    fn wait_for(&self, text: &str) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "{text:?} never appeared; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Presses PageDown until the screen shows `text` (at most 10 pages).
    fn scroll_until(&self, text: &str) -> String {
        for _ in 0..10 {
            std::thread::sleep(Duration::from_millis(150));
            let screen = self.screen();
            if screen.contains(text) {
                return screen;
            }
            self.keys(&["PageDown"]);
        }
        self.wait_for(text)
    }

    /// Quits with `key` and checks the process exited 0 and left the alternate screen.
    fn quit_cleanly(&self, key: &str) {
        self.keys(&[key]);
        let screen = self.wait_for("EXIT=");
        assert!(screen.contains("EXIT=0"), "exit code not 0:\n{screen}");
        assert!(
            !screen.contains('┌'),
            "UI left on screen after quit:\n{screen}"
        );
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux(&["kill-session", "-t", &self.name]);
    }
}

#[test]
fn a_snapshot_that_cannot_load_shows_why_and_quits_cleanly() {
    let Some(s) = Session::start("bad-snapshot", "--snapshot /nonexistent/snap", 100, 30) else {
        return;
    };
    let screen = s.wait_for("ERROR could not load snapshot /nonexistent/snap");
    assert!(screen.contains("/nonexistent/snap"), "{screen}");
    s.keys(&["?"]);
    s.wait_for("Keys");
    s.keys(&["Escape"]);
    s.quit_cleanly("q");
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let Some(s) = Session::start("ctrl-c", "--snapshot /nonexistent/snap", 80, 24) else {
        return;
    };
    s.wait_for("ERROR");
    s.quit_cleanly("C-c");
}

#[test]
fn demo2_trust_view_shows_expected_and_actual_sub() {
    let Some(s) = Session::start("demo2-trust", "--demo", 160, 50) else {
        return;
    };
    s.wait_for("ServiceAccounts (");
    s.keys(&["/"]);
    s.type_text("demo2/s3-reader");
    s.keys(&["Enter", "Enter"]);
    let screen = s.wait_for("ServiceAccount demo2/s3-reader");
    assert!(
        screen.contains("expected system:serviceaccount:demo:s3-reader"),
        "expected sub missing:\n{screen}"
    );
    assert!(
        screen.contains("actual   system:serviceaccount:demo2:s3-reader"),
        "actual sub missing:\n{screen}"
    );
    s.keys(&["Escape"]);
    s.wait_for("ServiceAccounts (");
    s.quit_cleanly("q");
}

#[test]
fn a_snapshot_folder_opens_with_its_capture_age_and_r_reloads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = irsa_inspector::sources::snapshot::demo_files();
    for name in files.names() {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, files.get(name).unwrap_or_default()).expect("write snapshot file");
    }
    let args = format!("--snapshot '{}'", dir.path().display());
    let Some(s) = Session::start("snapshot", &args, 160, 40) else {
        return;
    };
    let screen = s.wait_for("ServiceAccounts (60)");
    assert!(screen.contains("captured"), "freshness missing:\n{screen}");
    s.keys(&["3"]);
    s.wait_for("Roles (");
    s.keys(&["r"]);
    s.wait_for("Roles (");
    s.quit_cleanly("q");
}

#[test]
fn at_80x24_the_trust_view_scrolls_to_the_sub_condition() {
    let Some(s) = Session::start("narrow", "--demo", 80, 24) else {
        return;
    };
    s.wait_for("ServiceAccounts (");
    s.keys(&[":"]);
    s.type_text("ns demo2");
    s.keys(&["Enter"]);
    s.wait_for("ns: demo2");
    s.keys(&["Enter"]);
    s.wait_for("ServiceAccount demo2/s3-reader");
    let screen = s.scroll_until("expected system:serviceaccount:demo:s3-reader");
    assert!(
        screen.contains("actual   system:serviceaccount:demo2:s3-reader"),
        "{screen}"
    );
    s.keys(&["BSpace"]);
    let screen = s.wait_for("ServiceAccounts (2)");
    assert!(
        screen.contains("› demo2"),
        "back on the same row:\n{screen}"
    );
    s.quit_cleanly("q");
}
