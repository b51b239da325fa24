//! Standard output for the commands. A reader that goes away (`irsa-inspector audit | head -1`)
//! is not an error of ours: the rest of the output is dropped and the process ends quietly with
//! the status a shell reports for a writer its pipe closed on (141 = 128 + SIGPIPE), instead
//! of Rust's `println!` panic. (Restoring the default SIGPIPE action would do the same for
//! stdout but would also kill the live source on a closed network socket.)

use std::fmt;
use std::io::{ErrorKind, Write};
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
