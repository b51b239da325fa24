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

pub mod terminal;

use crate::action::Action;
use crate::keymap;
use crate::messages::{DataOrigin, SourceEvent};
use crate::side_effect::SideEffect;
use crate::sources::{Loader, LoaderSource, Source};
use crate::state::State;
use crate::ui;
use futures::StreamExt;
use jiff::Timestamp;
use ratatui::DefaultTerminal;
use ratatui::crossterm::clipboard::CopyToClipboard;
use ratatui::crossterm::event::EventStream;
use ratatui::crossterm::execute;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::{Instant, sleep_until};

/// At most one frame per this long.
const FRAME: Duration = Duration::from_millis(16);
/// How often time-dependent text (freshness) is refreshed.
const TICK: Duration = Duration::from_secs(1);

/// Opens the UI on `origin`, loading with `loader`, until the user quits.
pub fn run(origin: DataOrigin, loader: Loader, read_only: bool) -> anyhow::Result<()> {
    run_source(origin, Box::new(LoaderSource { loader, read_only }))
}

/// Opens the UI on `origin` fed by `source` (live watchers plug in here), until the user quits.
pub fn run_source(origin: DataOrigin, source: Box<dyn Source>) -> anyhow::Result<()> {
    let _log = crate::logging::init();
    let runtime = crate::runtime::ui()?;
    runtime.block_on(run_async(origin, source))
}

async fn run_async(origin: DataOrigin, source: Box<dyn Source>) -> anyhow::Result<()> {
    let (mut terminal, _guard) = terminal::init()?;
    let size = terminal.size()?;
    let mut state = State::new(
        origin,
        Timestamp::now(),
        terminal::color_enabled(),
        size.width,
        size.height,
    );
    state.set_capabilities(source.capabilities());
    let (tx, mut rx) = mpsc::unbounded_channel();
    source.start(&tx);
    let mut events = EventStream::new();
    let mut signals = terminal::Termination::new()?;
    let test_panic = std::env::var_os("IRSA_INSPECTOR_TEST_PANIC").is_some_and(|v| v == "1");
    let mut tick = tokio::time::interval(TICK);
    let mut dirty = true;
    let mut last_frame = Instant::now() - FRAME;
    tracing::info!(origin = %state.origin(), "ui started");
    loop {
        let deadline = last_frame + FRAME;
        let effects = tokio::select! {
            ev = events.next() => match ev {
                Some(Ok(ev)) => match keymap::to_action(&ev, state.mode()) {
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
                SideEffect::Quit => {
                    tracing::info!("quit");
                    return Ok(());
                }
                SideEffect::Copy(text) => {
                    // OSC 52: the terminal puts it on the clipboard (works over SSH and in tmux
                    // with set-clipboard on); the status line shows the text either way.
                    if let Err(e) =
                        execute!(std::io::stdout(), CopyToClipboard::to_clipboard_from(text))
                    {
                        tracing::warn!(error = %e, "clipboard copy failed");
                    }
                }
                SideEffect::Refresh => source.refresh(&tx),
                SideEffect::Request(request) => {
                    // What is created, never a token (requests carry none).
                    tracing::info!(id = request.id, creates = %request.kind.creates(), "live action confirmed");
                    source.request(request, &tx);
                }
                SideEffect::SwitchContext(name) => {
                    tracing::info!(context = %name, "switching context");
                    source.switch_context(name, &tx);
                }
                SideEffect::ListContexts => source.list_contexts(&tx),
                SideEffect::WatchNamespace(ns) => {
                    tracing::info!(namespace = ?ns, "restarting the watches");
                    source.watch_namespace(ns, &tx);
                }
            }
        }
    }
}

fn draw(terminal: &mut DefaultTerminal, state: &State) -> anyhow::Result<()> {
    terminal.draw(|frame| ui::draw(frame, state))?;
    Ok(())
}
