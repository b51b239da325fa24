//! The app loop: owns the [`State`], and is the only place that does IO for the UI.
//!
//! One current-thread tokio runtime; `select!` over the terminal's `EventStream` (never a
//! blocking poll), the data sources' [`SourceEvent`] channel, a one-second tick (the header's
//! freshness) and a frame deadline: while something changed, events keep being applied until
//! the deadline, then the screen is drawn once — at most ~60 frames a second, none when idle.
//!
//! The terminal is restored on every exit path: normal quit, error (the guard's `Drop`),
//! a panic on the UI thread (the panic hook, which also prints where the log is), Ctrl-C (a
//! key in raw mode, mapped to quit) and SIGTERM, SIGINT or SIGHUP (a clean quit).
//! Logs go to a file, never to the screen.
//!
//! Test-only hook: with `IRSA_INSPECTOR_TEST_PANIC=1` the UI panics right after its first
//! frame, so `tests/terminal.rs` can check what a panic leaves behind (no input is known to
//! make the UI panic).

use crate::action::Action;
use crate::effect::{Effect, SourceRequest};
use crate::event::{self, ActionOutcome, DataOrigin, Dataset, Prepared, SourceEvent};
use crate::state::{Capabilities, State, Tone};
use crate::ui;
use futures::StreamExt;
use jiff::Timestamp;
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::clipboard::CopyToClipboard;
use ratatui::crossterm::event::EventStream;
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::{DefaultTerminal, Terminal};
use std::panic::AssertUnwindSafe;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

/// At most one frame per this long.
const FRAME: Duration = Duration::from_millis(16);
/// The log file's name inside [`log_dir`].
pub const LOG_FILE: &str = "irsa-inspector.log";
/// How often time-dependent text (freshness) is refreshed.
const TICK: Duration = Duration::from_secs(1);

/// Produces one complete, analysed dataset (blocking: it reads files and runs the analysis).
/// The error is one line for the screen.
pub type Loader = Arc<dyn Fn() -> Result<Dataset, String> + Send + Sync>;

/// Where the UI's data comes from. A source only sends [`SourceEvent`]s; it never touches the
/// state. Both methods are called on the UI's runtime and must not block: spawn tasks (or
/// blocking tasks) that send on `tx`.
pub trait Source: Send + Sync {
    /// Starts producing data (a one-shot load, or long-lived watchers).
    fn start(&self, tx: &mpsc::UnboundedSender<SourceEvent>);
    /// The user asked for fresh data (`r`).
    fn refresh(&self, tx: &mpsc::UnboundedSender<SourceEvent>);
    /// What the source can do beyond loading; nothing by default.
    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }
    /// Runs a confirmed live action and answers with [`SourceEvent::ActionResult`]. By
    /// default the source cannot: it answers so and creates nothing.
    fn request(&self, request: SourceRequest, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let _ = tx.send(SourceEvent::ActionResult {
            id: request.id,
            outcome: Box::new(ActionOutcome::Unavailable(
                "not available for this source: demo/snapshot".to_owned(),
            )),
        });
    }
    /// `:ctx NAME`: watch another kubeconfig context ([`SourceEvent::ContextSwitched`], or a
    /// [`SourceEvent::Notice`] saying why not).
    fn switch_context(&self, name: String, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let _ = name;
        no_contexts(tx);
    }
    /// `:ctx`: the kubeconfig's contexts, as a [`SourceEvent::Notice`].
    fn list_contexts(&self, tx: &mpsc::UnboundedSender<SourceEvent>) {
        no_contexts(tx);
    }
    /// `:ns NAME` while cluster-wide lists are denied: restart the namespaced watches.
    fn watch_namespace(&self, namespace: Option<String>, tx: &mpsc::UnboundedSender<SourceEvent>) {
        let _ = (namespace, tx);
    }
}

fn no_contexts(tx: &mpsc::UnboundedSender<SourceEvent>) {
    let _ = tx.send(SourceEvent::Notice {
        tone: Tone::Dim,
        text: "no kubeconfig contexts in demo or snapshot mode".to_owned(),
    });
}

/// A [`Source`] that runs a blocking [`Loader`] off the UI thread, at start and on refresh.
pub struct LoaderSource {
    pub loader: Loader,
    /// `--read-only` (the header says so; this source writes nothing anyway).
    pub read_only: bool,
}

impl Source for LoaderSource {
    fn start(&self, tx: &mpsc::UnboundedSender<SourceEvent>) {
        load(&self.loader, tx);
    }
    fn refresh(&self, tx: &mpsc::UnboundedSender<SourceEvent>) {
        load(&self.loader, tx);
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            read_only: self.read_only,
            ..Capabilities::default()
        }
    }
}

/// Opens the UI on `origin`, loading with `loader`, until the user quits.
pub fn run(origin: DataOrigin, loader: Loader, read_only: bool) -> anyhow::Result<()> {
    run_source(origin, Box::new(LoaderSource { loader, read_only }))
}

/// Opens the UI on `origin` fed by `source` (live watchers plug in here), until the user quits.
pub fn run_source(origin: DataOrigin, source: Box<dyn Source>) -> anyhow::Result<()> {
    let _log = init_logging();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()?;
    runtime.block_on(run_async(origin, source))
}

/// Restores the terminal when dropped: every return path of the loop, errors included.
struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        ratatui::restore();
    }
}

/// Enters raw mode and the alternate screen, with a panic hook that restores the terminal when
/// the UI thread panics. A panic on a background thread (a loader) is logged only: it becomes
/// a failed load on screen (see [`load`]), and the UI keeps running in a sane terminal.
fn init_terminal() -> anyhow::Result<(DefaultTerminal, TerminalGuard)> {
    let ui_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            ratatui::restore();
            tracing::error!(panic = %info, "ui panicked");
            previous(info);
            eprintln!(
                "irsa-inspector crashed; details in {}",
                log_dir().join(LOG_FILE).display()
            );
        } else {
            tracing::error!(panic = %info, "background task panicked");
        }
    }));
    enable_raw_mode()?;
    let guard = TerminalGuard;
    execute!(std::io::stdout(), EnterAlternateScreen)?;
    let terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    Ok((terminal, guard))
}

async fn run_async(origin: DataOrigin, source: Box<dyn Source>) -> anyhow::Result<()> {
    let (mut terminal, _guard) = init_terminal()?;
    let size = terminal.size()?;
    let mut state = State::new(
        origin,
        Timestamp::now(),
        color_enabled(),
        size.width,
        size.height,
    );
    state.set_capabilities(source.capabilities());
    let (tx, mut rx) = mpsc::unbounded_channel();
    source.start(&tx);
    let mut events = EventStream::new();
    let mut signals = Termination::new()?;
    let test_panic = std::env::var_os("IRSA_INSPECTOR_TEST_PANIC").is_some_and(|v| v == "1");
    let mut tick = tokio::time::interval(TICK);
    let mut dirty = true;
    let mut last_frame = Instant::now() - FRAME;
    tracing::info!(origin = %state.origin(), "ui started");
    loop {
        let deadline = last_frame + FRAME;
        let effects = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match event::to_action(&ev, state.mode()) {
                    Some(action) => { dirty = true; state.update(action) }
                    None => Vec::new(),
                },
                Some(Err(e)) => return Err(e.into()),
                None => return Ok(()),
            },
            Some(msg) = rx.recv() => {
                dirty = true;
                match &msg {
                    SourceEvent::Failed { message } => tracing::warn!(%message, "load failed"),
                    // The outcome's kind only: decoded claims stay out of the log too.
                    SourceEvent::ActionResult { id, outcome } => {
                        tracing::info!(id, outcome = outcome.kind_name(), "live action answered");
                    }
                    _ => {}
                }
                state.apply(msg)
            }
            _ = tick.tick() => {
                let before = ui::clock_text(&state);
                let effects = state.update(Action::Tick(Timestamp::now()));
                // Live-action answers show token time left: redraw while a drill-down is open.
                dirty |= ui::clock_text(&state) != before || state.drill().is_some();
                effects
            }
            () = sleep_until(deadline), if dirty => {
                draw(&mut terminal, &state)?;
                dirty = false;
                last_frame = Instant::now();
                assert!(!test_panic, "IRSA_INSPECTOR_TEST_PANIC=1: test-only panic after the first frame");
                Vec::new()
            }
            signal = signals.recv() => {
                tracing::info!(signal, "quit on signal");
                return Ok(());
            }
        };
        for effect in effects {
            match effect {
                Effect::Quit => {
                    tracing::info!("quit");
                    return Ok(());
                }
                Effect::Copy(text) => {
                    // OSC 52: the terminal puts it on the clipboard (works over SSH and in tmux
                    // with set-clipboard on); the status line shows the text either way.
                    if let Err(e) =
                        execute!(std::io::stdout(), CopyToClipboard::to_clipboard_from(text))
                    {
                        tracing::warn!(error = %e, "clipboard copy failed");
                    }
                }
                Effect::Refresh => source.refresh(&tx),
                Effect::Request(request) => {
                    // What is created, never a token (requests carry none).
                    tracing::info!(id = request.id, creates = %request.kind.creates(), "live action confirmed");
                    source.request(request, &tx);
                }
                Effect::SwitchContext(name) => {
                    tracing::info!(context = %name, "switching context");
                    source.switch_context(name, &tx);
                }
                Effect::ListContexts => source.list_contexts(&tx),
                Effect::WatchNamespace(ns) => {
                    tracing::info!(namespace = ?ns, "restarting the watches");
                    source.watch_namespace(ns, &tx);
                }
            }
        }
    }
}

/// The signals that end the UI cleanly: SIGTERM (`kill`, a supervisor), SIGINT (Ctrl-C sent
/// from outside, as raw mode turns the key itself into input) and SIGHUP (the terminal went
/// away). Returning from the loop drops the terminal guard, which restores the terminal.
#[cfg(unix)]
struct Termination {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Termination {
    fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
            _ = self.hup.recv() => "SIGHUP",
        }
    }
}

/// Elsewhere Ctrl-C arrives as a key (raw mode) and ends the UI through the keymap.
#[cfg(not(unix))]
struct Termination;

#[cfg(not(unix))]
impl Termination {
    fn new() -> std::io::Result<Self> {
        Ok(Self)
    }

    async fn recv(&mut self) -> &'static str {
        std::future::pending().await
    }
}

fn draw(terminal: &mut DefaultTerminal, state: &State) -> anyhow::Result<()> {
    terminal.draw(|frame| ui::draw(frame, state))?;
    Ok(())
}

/// Runs the loader off the UI thread and sends its result.
fn load(loader: &Loader, tx: &mpsc::UnboundedSender<SourceEvent>) {
    let loader = Arc::clone(loader);
    let tx = tx.clone();
    tokio::task::spawn_blocking(move || {
        let started = std::time::Instant::now();
        let msg = match std::panic::catch_unwind(AssertUnwindSafe(|| loader())) {
            Ok(Ok(data)) => SourceEvent::Prepared(Box::new(Prepared::new(data))),
            Ok(Err(message)) => SourceEvent::Failed { message },
            Err(panic) => SourceEvent::Failed {
                message: format!(
                    "the analysis crashed ({}); details in {}",
                    panic_text(panic.as_ref()),
                    log_dir().join(LOG_FILE).display()
                ),
            },
        };
        tracing::info!(elapsed_ms = started.elapsed().as_millis(), "load finished");
        // The receiver is gone only when the UI has quit.
        let _ = tx.send(msg);
    });
}

/// The message of a panic payload.
fn panic_text(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_owned())
}

/// Colours unless `NO_COLOR` is set to a non-empty value (no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// Where the log file goes: `$IRSA_INSPECTOR_LOG_DIR`, else `$XDG_STATE_HOME/irsa-inspector`,
/// else `~/.local/state/irsa-inspector`, else the temp dir.
pub fn log_dir() -> PathBuf {
    let env = |k: &str| {
        std::env::var_os(k)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    env("IRSA_INSPECTOR_LOG_DIR")
        .or_else(|| env("XDG_STATE_HOME").map(|d| d.join("irsa-inspector")))
        .or_else(|| env("HOME").map(|h| h.join(".local/state/irsa-inspector")))
        .unwrap_or_else(|| std::env::temp_dir().join("irsa-inspector"))
}

/// Logs to `<log_dir>/irsa-inspector.log` (level from `RUST_LOG`, default info). A log that
/// cannot be opened is skipped: the UI must still start. The file is readable by its owner
/// only (mode 0600, also when it already existed) and its folder, when created here, is 0700.
fn init_logging() -> Option<tracing_appender::non_blocking::WorkerGuard> {
    let file = open_log(&log_dir()).ok()?;
    // tracing-appender's default queue preallocates 128,000 lines (4 MB of RSS, measured with
    // heaptrack); this log writes a few lines a second, so a few thousand are plenty.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(4096)
        .finish(file);
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer)
        .with_ansi(false)
        .try_init()
        .ok()?;
    Some(guard)
}

/// Opens `<dir>/irsa-inspector.log` for appending, owner-only.
fn open_log(dir: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut folder = std::fs::DirBuilder::new();
    folder.recursive(true);
    let mut options = std::fs::OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt};
        folder.mode(0o700);
        options.mode(0o600);
    }
    folder.create(dir)?;
    let file = options.open(dir.join(LOG_FILE))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o600))?;
    }
    Ok(file)
}
