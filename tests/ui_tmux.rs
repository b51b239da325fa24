//! End to end: the real binary in a real terminal (tmux), driven by keys, read back with
//! `capture-pane`. Skipped with a message when tmux is not installed, unless
//! `IRSA_REQUIRE_TMUX=1` (set by `.ci/run`, which installs tmux) makes that a failure.

mod support;

use std::time::Duration;
use support::tmux::Session;

/// Starts `irsa-inspector ARGS` in a detached `width`×`height` session; `None` without tmux.
fn start(test: &str, args: &str, width: u16, height: u16) -> Option<Session> {
    Session::builder("ui", test)
        .size(width, height)
        .key_pause(Duration::from_millis(60))
        .start(args)
}

/// Quits with `key` and checks the process exited 0 and left the alternate screen.
fn quit_cleanly(s: &Session, key: &str) {
    s.keys(&[key]);
    let screen = s.wait_for("EXIT=");
    assert!(screen.contains("EXIT=0"), "exit code not 0:\n{screen}");
    assert!(
        !screen.contains('┌'),
        "UI left on screen after quit:\n{screen}"
    );
}

#[test]
fn a_snapshot_that_cannot_load_shows_why_and_quits_cleanly() {
    let Some(s) = start("bad-snapshot", "--snapshot /nonexistent/snap", 100, 30) else {
        return;
    };
    let screen = s.wait_for("ERROR could not load snapshot /nonexistent/snap");
    assert!(screen.contains("/nonexistent/snap"), "{screen}");
    s.keys(&["?"]);
    s.wait_for("Keys");
    s.keys(&["Escape"]);
    quit_cleanly(&s, "q");
}

#[test]
fn ctrl_c_restores_the_terminal() {
    let Some(s) = start("ctrl-c", "--snapshot /nonexistent/snap", 80, 24) else {
        return;
    };
    s.wait_for("ERROR");
    quit_cleanly(&s, "C-c");
}

#[test]
fn demo2_trust_view_shows_expected_and_actual_sub() {
    let Some(s) = start("demo2-trust", "--demo", 160, 50) else {
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
    quit_cleanly(&s, "q");
}

#[test]
fn a_snapshot_folder_opens_with_its_capture_age_and_r_reloads_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let files = irsa_core::snapshot::demo_files();
    for name in files.names() {
        let path = dir.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, files.get(name).unwrap_or_default()).expect("write snapshot file");
    }
    let args = format!("--snapshot '{}'", dir.path().display());
    let Some(s) = start("snapshot", &args, 160, 40) else {
        return;
    };
    let screen = s.wait_for("ServiceAccounts (77)");
    assert!(screen.contains("captured"), "freshness missing:\n{screen}");
    s.keys(&["3"]);
    s.wait_for("Roles (");
    s.keys(&["r"]);
    s.wait_for("Roles (");
    quit_cleanly(&s, "q");
}

#[test]
fn at_80x24_the_trust_view_scrolls_to_the_sub_condition() {
    let Some(s) = start("narrow", "--demo", 80, 24) else {
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
    quit_cleanly(&s, "q");
}

#[test]
fn can_in_a_pod_view_answers_with_the_trace_and_esc_goes_back() {
    let Some(s) = start("can-i", "--demo", 160, 50) else {
        return;
    };
    s.wait_for("ServiceAccounts (");
    s.keys(&["2", "/"]);
    s.type_text("s3-test");
    s.keys(&["Enter", "Enter"]);
    s.wait_for("Pod demo/s3-test");
    s.keys(&["c"]);
    s.type_text("s3:GetObject arn:aws:s3:::my-app-bucket/x");
    s.keys(&["Enter"]);
    let screen = s.wait_for("Decision  ALLOW");
    assert!(
        screen.contains("eks-irsa-lab-demo-s3-reader-role"),
        "{screen}"
    );
    assert!(screen.contains("irsa-lab-s3-read-policy"), "{screen}");
    s.keys(&[":"]);
    s.type_text("can s3:PutObject arn:aws:s3:::my-app-bucket/x");
    s.keys(&["Enter"]);
    s.wait_for("Decision  IMPLICIT DENY");
    s.keys(&["Escape"]);
    s.wait_for("Pod demo/s3-test — identity");
    quit_cleanly(&s, "q");
}

#[test]
fn err_and_a_bracketed_paste_of_a_log_excerpt_open_the_answer() {
    let Some(s) = start("err-paste", "--demo", 160, 50) else {
        return;
    };
    s.wait_for("ServiceAccounts (");
    s.keys(&[":"]);
    s.type_text("err ");
    // Two log lines: without bracketed paste the newline would submit half of it.
    s.paste(
        "botocore.exceptions.ClientError: An error occurred (AccessDenied) when calling the PutObject operation:\n User: arn:aws:sts::123456789012:assumed-role/eks-irsa-lab-demo-s3-reader-role/botocore-session-1 is not authorized to perform: s3:PutObject on resource: \"arn:aws:s3:::my-app-bucket/x\" because no identity-based policy allows the s3:PutObject action",
    );
    s.keys(&["Enter"]);
    let screen = s.wait_for("can s3:PutObject on arn:aws:s3:::my-app-bucket/x?");
    assert!(screen.contains("Decision  IMPLICIT DENY"), "{screen}");
    assert!(screen.contains("demo/s3-test"), "{screen}");
    quit_cleanly(&s, "q");
}
