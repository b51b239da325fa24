//! Standard output for the commands. A reader that goes away (`irsa-inspector audit | head -1`)
//! is not an error of ours: the rest of the output is dropped and the process ends quietly with
//! the status a shell reports for a writer its pipe closed on (141 = 128 + SIGPIPE), instead
//! of Rust's `println!` panic. (Restoring the default SIGPIPE action would do the same for
//! stdout but would also kill the live source on a closed network socket.)
//!
//! Progress ([`Progress`]) goes to standard error and only when standard error is a terminal:
//! someone is watching a slow live read there, while a pipe, a file or a CI log gets the
//! report and the errors alone (a JSON, SARIF or JUnit report on stdout is never touched).

use std::fmt;
use std::io::{ErrorKind, IsTerminal, Write};
use thiserror::Error;

/// Standard output was closed by its reader.
#[derive(Debug, Error)]
#[error("standard output closed by its reader")]
pub struct ClosedStdout;

/// The exit status when standard output was closed (128 + SIGPIPE).
pub const CLOSED_STDOUT_STATUS: u8 = 141;

/// Writes `args` to standard output and flushes it.
pub fn write(args: fmt::Arguments<'_>) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_fmt(args).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Err(ClosedStdout.into()),
        Err(e) => Err(anyhow::Error::new(e).context("writing to standard output")),
    }
}

/// Progress of a slow read (the live cluster's lists, the AWS side), shown on standard error
/// when it is a terminal and nowhere otherwise.
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    shown: bool,
}

impl Progress {
    /// Shown when standard error is a terminal.
    pub fn on_stderr() -> Self {
        Self {
            shown: std::io::stderr().is_terminal(),
        }
    }

    /// Never shown (the terminal UI owns the screen).
    pub fn hidden() -> Self {
        Self { shown: false }
    }

    /// One line of progress (a whole line: an error that follows starts on its own).
    pub fn note(&self, line: fmt::Arguments<'_>) {
        if self.shown {
            eprintln!("irsa-inspector: {line}");
        }
    }
}
