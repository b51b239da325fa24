//! Wiring only: parse the command line, pick the data source, run one command.
//! Errors that reach here are printed as one line and exit with code 2.

mod cli;
mod commands;

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    tune_malloc();
    let cli = cli::Cli::parse();
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) if err.is::<commands::output::ClosedStdout>() => {
            ExitCode::from(commands::output::CLOSED_STDOUT_STATUS)
        }
        Err(err) => {
            eprintln!("irsa-inspector: {err:#}");
            ExitCode::from(2)
        }
    }
}

/// glibc's allocator, set for a process that rebuilds tens of MB of short-lived data a few
/// times a second beside a long-lived store. A no-op elsewhere. Measured in BENCHMARKS.md.
///
/// - One arena for the whole process. By default glibc gives each thread that allocates its
///   own arena, and memory freed in one arena serves no other: the watchers decode LIST pages
///   on tokio's workers and the analysis runs on a blocking thread and rayon's, so the resident
///   size held every thread's high-water mark at once (a 50,000-pod cluster's first load
///   peaked 8 MB higher).
/// - A fixed mmap threshold (128 KiB, glibc's initial one). glibc raises the threshold each
///   time a mapped block is freed, so after the first rebuild its big vectors (50,000 rows,
///   outcomes, …) came from the heap instead, where they fragment it between rebuilds; mapped,
///   they go back to the system when freed. Under churn at 50,000 pods the peak RSS was lower.
fn tune_malloc() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets glibc allocator parameters; it is called before any thread
    // is started.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
        libc::mallopt(libc::M_MMAP_THRESHOLD, 128 * 1024);
    }
}
