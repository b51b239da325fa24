//! Terminal hygiene: however the UI ends — `q`, Ctrl-C, SIGTERM, SIGINT, SIGHUP, a panic — the
//! terminal is given back as it was (alternate screen left, cursor shown, canonical mode on)
//! and the exit is clean; a panic says where the log is. Resizing to 20×5 (and smaller) and
//! back never panics, in a real terminal (tmux) and in ratatui's `TestBackend` for every pane
//! and overlay down to 0×0.
//!
//! The tmux tests are skipped with a message when tmux is not installed, unless
//! `IRSA_REQUIRE_TMUX=1` makes that a failure (as in `tests/ui_tmux.rs`).

mod support;

use irsa_core::fixtures;
use irsa_inspector::action::Action;
use irsa_inspector::action::Pane;
use irsa_inspector::messages::{DataOrigin, SourceEvent};
use irsa_inspector::state::State;
use irsa_inspector::ui;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use std::path::Path;
use std::time::Duration;
use support::tmux::Session;

/// The binary at 120×40 in a detached tmux session whose inner shell writes its pid and `exec`s
/// the binary (so the pid is the binary's); the outer shell then prints the exit code and the
/// terminal's line discipline (`icanon` is back on once raw mode is left).
fn start(test: &str, env: &str, args: &str) -> Option<Session> {
    Session::builder("term", test)
        .size(120, 40)
        .env(env)
        .report_pid_and_tty()
        .join_wrapped_lines()
        .patience(Duration::from_secs(30))
        .key_pause(Duration::from_millis(40))
        .start(args)
}

/// The UI ended with `code` and left the terminal as it found it.
fn assert_restored(s: &Session, code: u8) -> String {
    let screen = s.wait_for("TTY=");
    assert!(
        screen.contains(&format!("EXIT={code}")),
        "exit code not {code}:\n{screen}"
    );
    assert_eq!(
        s.format("alternate_on"),
        "0",
        "still on the alternate screen"
    );
    assert_eq!(s.format("cursor_flag"), "1", "cursor left hidden");
    assert!(
        screen.contains("TTY=icanon") && !screen.contains("TTY=-icanon"),
        "terminal left in raw mode:\n{screen}"
    );
    assert!(!screen.contains('┌'), "UI left on screen:\n{screen}");
    screen
}

fn log_path(dir: &Path) -> String {
    dir.join(irsa_inspector::logging::LOG_FILE)
        .display()
        .to_string()
}

#[test]
fn sigterm_restores_the_terminal_and_exits_cleanly() {
    let Some(s) = start("sigterm", "", "--demo") else {
        return;
    };
    s.wait_for("ServiceAccounts (");
    assert_eq!(
        s.format("alternate_on"),
        "1",
        "the UI runs on the alternate screen"
    );
    s.signal("TERM");
    assert_restored(&s, 0);
}

#[test]
fn sigint_and_sighup_restore_the_terminal_and_exit_cleanly() {
    for signal in ["INT", "HUP"] {
        let Some(s) = start(&format!("sig{signal}"), "", "--demo") else {
            return;
        };
        s.wait_for("ServiceAccounts (");
        s.signal(signal);
        assert_restored(&s, 0);
    }
}

#[test]
fn ctrl_c_restores_the_terminal_and_exits_cleanly() {
    let Some(s) = start("ctrlc", "", "--demo") else {
        return;
    };
    s.wait_for("ServiceAccounts (");
    // Also from inside the filter bar, where other keys are typed text.
    s.send("/");
    s.wait_for("/");
    s.send("C-c");
    assert_restored(&s, 0);
}

#[test]
fn a_panic_restores_the_terminal_and_says_where_the_log_is() {
    // IRSA_INSPECTOR_TEST_PANIC is a documented test-only hook: the UI panics after its first
    // frame (there is no known input that makes it panic).
    let Some(s) = start("panic", "IRSA_INSPECTOR_TEST_PANIC=1", "--demo") else {
        return;
    };
    let screen = assert_restored(&s, 101);
    let log = log_path(&s.log_dir());
    assert!(
        screen.contains(&log),
        "the log's path {log} is not shown:\n{screen}"
    );
    let logged = std::fs::read_to_string(&log).expect("log written");
    assert!(logged.contains("ui panicked"), "{logged}");
}

#[test]
fn resizing_to_20x5_and_smaller_and_back_never_panics() {
    let Some(s) = start("resize", "", "--demo") else {
        return;
    };
    s.wait_for("ServiceAccounts (");
    for (w, h) in [(20, 5), (1, 1), (3, 2), (20, 5), (120, 40)] {
        s.resize(w, h);
        std::thread::sleep(Duration::from_millis(300));
        s.keys(&["Enter", "?", "Escape", "Escape", "/", "x", "Escape", "Tab"]);
    }
    // Still alive and drawing at full size.
    s.wait_for("q quit");
    s.send("q");
    assert_restored(&s, 0);
}

fn draw(state: &State, w: u16, h: u16) {
    let mut terminal = Terminal::new(TestBackend::new(w, h)).expect("test backend");
    terminal
        .draw(|f| ui::draw(f, state))
        .unwrap_or_else(|e| panic!("draw at {w}x{h}: {e}"));
}

#[test]
fn every_pane_and_overlay_draws_at_tiny_sizes() {
    let sizes: [(u16, u16); 6] = [(20, 5), (1, 1), (0, 0), (5, 1), (1, 5), (80, 24)];
    type Setup = fn(&mut State);
    let overlays: [(&str, Setup); 6] = [
        ("list", |_| {}),
        ("drill-down", |s| {
            s.update(Action::Open);
            s.update(Action::PageDown);
        }),
        ("help", |s| {
            s.update(Action::ToggleHelp);
        }),
        ("filter", |s| {
            s.update(Action::BeginFilter);
            for c in "demo".chars() {
                s.update(Action::Input(c));
            }
        }),
        ("command", |s| {
            s.update(Action::BeginCommand);
            s.update(Action::Input('n'));
        }),
        ("error", |s| {
            s.apply(SourceEvent::Failed {
                message:
                    "snapshot folder ./snap: kubernetes.json: expected value at line 1 column 1"
                        .into(),
            });
        }),
    ];
    for (w, h) in sizes {
        for pane in Pane::ALL {
            for (name, setup) in overlays {
                // Opened at the size, and resized to it from a normal terminal and back.
                for (start_w, start_h) in [(w, h), (120, 40)] {
                    let mut s = State::new(DataOrigin::Demo, fixtures::NOW, true, start_w, start_h);
                    s.apply(SourceEvent::Loaded(Box::new(fixtures::lab())));
                    s.update(Action::ShowPane(pane));
                    setup(&mut s);
                    s.update(Action::Resize {
                        width: w,
                        height: h,
                    });
                    draw(&s, w, h);
                    for action in [Action::Down, Action::PageDown, Action::Bottom, Action::Up] {
                        s.update(action);
                        draw(&s, w, h);
                    }
                    s.update(Action::Resize {
                        width: 120,
                        height: 40,
                    });
                    draw(&s, 120, 40);
                    let _ = name;
                }
            }
        }
        // Loading and empty states too.
        let s = State::new(DataOrigin::Demo, fixtures::NOW, false, w, h);
        draw(&s, w, h);
        let mut s = State::new(DataOrigin::Demo, fixtures::NOW, false, w, h);
        s.apply(SourceEvent::Loaded(Box::new(fixtures::empty())));
        draw(&s, w, h);
    }
}
