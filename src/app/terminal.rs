//! The terminal around the loop: raw mode and the alternate screen, restored on every exit
//! path (the guard's `Drop`, the panic hook of the UI thread), the signals that end the UI
//! cleanly, and whether to colour (`NO_COLOR`).

use crate::logging::{LOG_FILE, log_dir};
use ratatui::backend::CrosstermBackend;
use ratatui::crossterm::event::{DisableBracketedPaste, EnableBracketedPaste};
use ratatui::crossterm::execute;
use ratatui::crossterm::terminal::{EnterAlternateScreen, enable_raw_mode};
use ratatui::{DefaultTerminal, Terminal};

/// Restores the terminal when dropped: every return path of the loop, errors included.
pub struct TerminalGuard;

impl Drop for TerminalGuard {
    fn drop(&mut self) {
        restore();
    }
}

/// Leaves bracketed paste, raw mode and the alternate screen.
fn restore() {
    // Best effort: the terminal may already be gone (SIGHUP).
    let _ = execute!(std::io::stdout(), DisableBracketedPaste);
    ratatui::restore();
}

/// Enters raw mode and the alternate screen, with a panic hook that restores the terminal when
/// the UI thread panics. A panic on a background thread (a loader) is logged only: it becomes
/// a failed load on screen (see [`load`]), and the UI keeps running in a sane terminal.
pub fn init() -> anyhow::Result<(DefaultTerminal, TerminalGuard)> {
    let ui_thread = std::thread::current().id();
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if std::thread::current().id() == ui_thread {
            restore();
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
    // Bracketed paste: a pasted error line arrives as one event (`:err`), not as keys.
    execute!(
        std::io::stdout(),
        EnterAlternateScreen,
        EnableBracketedPaste
    )?;
    let terminal = Terminal::new(CrosstermBackend::new(std::io::stdout()))?;
    Ok((terminal, guard))
}

/// The signals that end the UI cleanly: SIGTERM (`kill`, a supervisor), SIGINT (Ctrl-C sent
/// from outside, as raw mode turns the key itself into input) and SIGHUP (the terminal went
/// away). Returning from the loop drops the terminal guard, which restores the terminal.
#[cfg(unix)]
pub struct Termination {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
    hup: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Termination {
    pub fn new() -> std::io::Result<Self> {
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate())?,
            int: signal(SignalKind::interrupt())?,
            hup: signal(SignalKind::hangup())?,
        })
    }

    pub async fn recv(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
            _ = self.hup.recv() => "SIGHUP",
        }
    }
}

/// Elsewhere Ctrl-C arrives as a key (raw mode) and ends the UI through the keymap.
#[cfg(not(unix))]
pub struct Termination;

#[cfg(not(unix))]
impl Termination {
    pub fn new() -> std::io::Result<Self> {
        Ok(Self)
    }

    pub async fn recv(&mut self) -> &'static str {
        std::future::pending().await
    }
}

/// Colours unless `NO_COLOR` is set to a non-empty value (no-color.org).
pub fn color_enabled() -> bool {
    std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}
