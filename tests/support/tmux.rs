//! The real `irsa-inspector` binary in a real terminal: a detached tmux session of a given size,
//! read back with `tmux capture-pane -p`, driven with `send-keys`, killed on drop. When tmux is
//! not installed a session does not start ([`available`] says so and the test returns), unless
//! `IRSA_REQUIRE_TMUX=1` (set by `.ci/run`, which installs tmux) makes that a failure.
//!
//! The binary runs with its log in a folder of the session's own (or the one given with
//! [`Builder::log_dir`]); when it ends, the shell prints `EXIT=<code>` and keeps the pane open.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

/// The binary under test; Cargo sets this for integration tests, not for the examples that
/// also include `tests/support`.
const BIN: Option<&str> = option_env!("CARGO_BIN_EXE_irsa-inspector");
/// How often the wait loops look at the screen.
const POLL: Duration = Duration::from_millis(100);

/// Runs `tmux ARGS`; its stdout, or `None` when tmux is missing or the command failed.
pub fn tmux(args: &[&str]) -> Option<String> {
    let out = Command::new("tmux").args(args).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// Whether tmux is installed; without it, says the test is skipped, or fails the test when
/// `IRSA_REQUIRE_TMUX` is set.
pub fn available() -> bool {
    if Command::new("tmux").arg("-V").output().is_err() {
        assert!(
            std::env::var_os("IRSA_REQUIRE_TMUX").is_none(),
            "tmux is not installed but IRSA_REQUIRE_TMUX is set: apt-get install tmux"
        );
        eprintln!("skipped: tmux is not installed");
        return false;
    }
    true
}

/// How to start a [`Session`]; made by [`Session::builder`].
pub struct Builder {
    name: String,
    width: u16,
    height: u16,
    env: Vec<String>,
    log_dir: Option<PathBuf>,
    pid_and_tty: bool,
    join_lines: bool,
    patience: Duration,
    key_pause: Duration,
}

impl Builder {
    /// The terminal's size (80×24 unless set).
    pub fn size(mut self, width: u16, height: u16) -> Self {
        (self.width, self.height) = (width, height);
        self
    }

    /// Shell assignments (`NAME=VALUE …`) for the binary; may be given more than once.
    pub fn env(mut self, env: &str) -> Self {
        self.env.push(env.to_owned());
        self
    }

    /// Where the binary writes its log (`IRSA_INSPECTOR_LOG_DIR`); by default
    /// [`Session::log_dir`], a folder of the session's own.
    pub fn log_dir(mut self, dir: &Path) -> Self {
        self.log_dir = Some(dir.to_owned());
        self
    }

    /// Runs the binary with `exec` from an inner shell that first writes its pid (so
    /// [`Session::pid`] is the binary's), and once it ended prints the terminal's line
    /// discipline as `TTY=icanon` or `TTY=-icanon` after `EXIT=`. Then `env` and the arguments
    /// are inside single quotes and must not contain one.
    pub fn report_pid_and_tty(mut self) -> Self {
        self.pid_and_tty = true;
        self
    }

    /// Captures the screen with wrapped lines joined (`capture-pane -J`).
    pub fn join_wrapped_lines(mut self) -> Self {
        self.join_lines = true;
        self
    }

    /// How long [`Session::wait_for`] waits (20 s unless set).
    pub fn patience(mut self, patience: Duration) -> Self {
        self.patience = patience;
        self
    }

    /// The pause after each key [`Session::keys`] sends (150 ms unless set), so that an
    /// `Escape` and the next key are not read as one Alt-key sequence.
    pub fn key_pause(mut self, pause: Duration) -> Self {
        self.key_pause = pause;
        self
    }

    /// Starts `irsa-inspector ARGS` (shell words: quote paths); `None` without tmux.
    pub fn start(self, args: &str) -> Option<Session> {
        if !available() {
            return None;
        }
        let bin = BIN.expect("a tmux session runs the binary from integration tests only");
        let dir = tempfile::tempdir().expect("temp dir");
        let d = dir.path().display();
        let logs = self.log_dir.unwrap_or_else(|| dir.path().join("logs"));
        let logs = logs.display();
        let env = self.env.join(" ");
        let command = if self.pid_and_tty {
            format!(
                "sh -c 'echo $$ > \"{d}/pid\"; IRSA_INSPECTOR_LOG_DIR=\"{logs}\" {env} exec \"{bin}\" {args}'; \
                 echo EXIT=$?; stty -a | grep -o -- '-*icanon' | sed 's/^/TTY=/'; sleep 60"
            )
        } else {
            format!("IRSA_INSPECTOR_LOG_DIR='{logs}' {env} '{bin}' {args}; echo EXIT=$?; sleep 60")
        };
        let (w, h) = (self.width.to_string(), self.height.to_string());
        let args = [
            "new-session",
            "-d",
            "-s",
            &self.name,
            "-x",
            &w,
            "-y",
            &h,
            &command,
        ];
        // Tests start sessions in parallel: while the first one brings the tmux server up, the
        // others can be refused ("server exited unexpectedly"). Try again briefly, then fail
        // with tmux's own message.
        let mut last_error = String::new();
        let started = (0..5).any(|attempt| {
            if attempt > 0 {
                std::thread::sleep(std::time::Duration::from_millis(200));
            }
            match Command::new("tmux").args(args).output() {
                Ok(out) if out.status.success() => true,
                Ok(out) => {
                    last_error = String::from_utf8_lossy(&out.stderr).trim().to_owned();
                    false
                }
                Err(e) => {
                    last_error = e.to_string();
                    false
                }
            }
        });
        assert!(started, "tmux new-session failed: {last_error}");
        Some(Session {
            name: self.name,
            dir,
            join_lines: self.join_lines,
            patience: self.patience,
            key_pause: self.key_pause,
        })
    }
}

/// One tmux session running the binary; killed on drop.
pub struct Session {
    name: String,
    dir: tempfile::TempDir,
    join_lines: bool,
    patience: Duration,
    key_pause: Duration,
}

impl Session {
    /// A session named `irsa-{suite}-{test}-{pid}` (unique per test process).
    pub fn builder(suite: &str, test: &str) -> Builder {
        Builder {
            name: format!("irsa-{suite}-{test}-{}", std::process::id()),
            width: 80,
            height: 24,
            env: Vec::new(),
            log_dir: None,
            pid_and_tty: false,
            join_lines: false,
            patience: Duration::from_secs(20),
            key_pause: Duration::from_millis(150),
        }
    }

    /// The session's own log folder (used unless [`Builder::log_dir`] gave another).
    pub fn log_dir(&self) -> PathBuf {
        self.dir.path().join("logs")
    }

    /// The screen as text.
    pub fn screen(&self) -> String {
        let mut args = vec!["capture-pane", "-p"];
        if self.join_lines {
            args.push("-J");
        }
        args.extend(["-t", &self.name]);
        tmux(&args).unwrap_or_default()
    }

    /// A tmux format variable of the pane (`alternate_on`, `cursor_flag`, …).
    pub fn format(&self, variable: &str) -> String {
        tmux(&[
            "display-message",
            "-p",
            "-t",
            &self.name,
            &format!("#{{{variable}}}"),
        ])
        .unwrap_or_default()
        .trim()
        .to_owned()
    }

    /// Sends one key as tmux names it (`Enter`, `Escape`, `C-c`, or literal text), no pause.
    pub fn send(&self, key: &str) {
        tmux(&["send-keys", "-t", &self.name, key]).expect("tmux send-keys");
    }

    /// Sends keys as tmux names them, each followed by the session's key pause.
    pub fn keys(&self, keys: &[&str]) {
        for k in keys {
            self.send(k);
            std::thread::sleep(self.key_pause);
        }
    }

    /// Types literal text.
    pub fn type_text(&self, text: &str) {
        tmux(&["send-keys", "-t", &self.name, "-l", text]).expect("tmux send-keys -l");
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Pastes `text` as a terminal paste: bracketed (`paste-buffer -p`) when the program asked
    /// for bracketed paste, so it arrives as one event, newlines included.
    pub fn paste(&self, text: &str) {
        let buffer = format!("{}-paste", self.name);
        tmux(&["set-buffer", "-b", &buffer, text]).expect("tmux set-buffer");
        tmux(&["paste-buffer", "-p", "-d", "-b", &buffer, "-t", &self.name])
            .expect("tmux paste-buffer");
        std::thread::sleep(Duration::from_millis(100));
    }

    /// Resizes the terminal.
    pub fn resize(&self, width: u16, height: u16) {
        tmux(&[
            "resize-window",
            "-t",
            &self.name,
            "-x",
            &width.to_string(),
            "-y",
            &height.to_string(),
        ])
        .expect("tmux resize-window");
    }

    /// Waits until the screen contains `text`; panics with the screen after the patience.
    pub fn wait_for(&self, text: &str) -> String {
        self.wait_until(&format!("{text:?} on screen"), self.patience, |s| {
            s.contains(text)
        })
    }

    /// Waits until `cond` holds of the screen; panics with `what` and the screen after `within`.
    pub fn wait_until(&self, what: &str, within: Duration, cond: impl Fn(&str) -> bool) -> String {
        let start = Instant::now();
        loop {
            if let Some(screen) = self.check(what, start, within, &cond) {
                return screen;
            }
            std::thread::sleep(POLL);
        }
    }

    /// One look for the wait loops: the screen when `cond` holds of it; panics with `what` and
    /// the screen once `within` has passed since `start`.
    fn check(
        &self,
        what: &str,
        start: Instant,
        within: Duration,
        cond: &impl Fn(&str) -> bool,
    ) -> Option<String> {
        let screen = self.screen();
        if cond(&screen) {
            return Some(screen);
        }
        assert!(
            start.elapsed() < within,
            "{what} never happened within {within:?}; screen:\n{screen}"
        );
        None
    }

    /// As [`Session::wait_for`], without blocking the runtime's other tasks.
    pub async fn wait_for_async(&self, text: &str) -> String {
        self.wait_until_async(&format!("{text:?} on screen"), self.patience, |s| {
            s.contains(text)
        })
        .await
    }

    /// As [`Session::wait_until`], without blocking the runtime's other tasks.
    pub async fn wait_until_async(
        &self,
        what: &str,
        within: Duration,
        cond: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            if let Some(screen) = self.check(what, start, within, &cond) {
                return screen;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Presses PageDown until the screen shows `text` (at most 10 pages), then waits for it.
    pub fn scroll_until(&self, text: &str) -> String {
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

    /// The binary's pid (only with [`Builder::report_pid_and_tty`]); panics after 10 s.
    pub fn pid(&self) -> String {
        let path = self.dir.path().join("pid");
        let start = Instant::now();
        loop {
            if let Ok(pid) = std::fs::read_to_string(&path)
                && !pid.trim().is_empty()
            {
                return pid.trim().to_owned();
            }
            assert!(start.elapsed() < Duration::from_secs(10), "no pid file");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Sends the signal `name` (`TERM`, `INT`, …) to the binary (see [`Session::pid`]).
    pub fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .args([&format!("-{name}"), &self.pid()])
            .status()
            .expect("kill");
        assert!(status.success(), "kill -{name} failed");
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        let _ = tmux(&["kill-session", "-t", &self.name]);
    }
}
