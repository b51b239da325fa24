//! The one place tokio runtimes are built: the UI loop's current-thread runtime and the
//! two-worker runtime the live sources (watchers, AWS reads, actions) and the one-shot
//! commands run on.

use std::io;
use tokio::runtime::{Builder, Runtime};

/// The UI loop's runtime: one thread, which owns the state; sources never run on it.
pub fn ui() -> io::Result<Runtime> {
    Builder::new_current_thread()
        .enable_time()
        .enable_io()
        .build()
}

/// The sources' runtime: two workers, so decoding 50,000 pods never stalls a frame and an AWS
/// read runs beside a rebuild.
pub fn background() -> io::Result<Runtime> {
    Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
}
