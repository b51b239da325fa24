//! The offline source: a blocking [`Loader`] (the demo lab, a snapshot folder, a one-shot
//! live list) run off the UI thread at start and on refresh, its dataset's rows derived there
//! too. A crash inside the loader becomes a failed load on screen, not a dead UI.

use super::source::Source;
use crate::logging::{LOG_FILE, log_dir};
use crate::messages::{Capabilities, Prepared, SourceEvent};
use irsa_core::dataset::Dataset;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use tokio::sync::mpsc;

/// Produces one complete, analysed dataset (blocking: it reads files and runs the analysis).
/// The error is one line for the screen.
pub type Loader = Arc<dyn Fn() -> Result<Dataset, String> + Send + Sync>;

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
