//! The log file: where it goes and how it is opened (owner-only). Logs go to a file, never to
//! the screen. A leaf: the loop initialises it, the loader source names it in crash messages.

use std::path::PathBuf;

/// The log file's name inside [`log_dir`].
pub const LOG_FILE: &str = "irsa-inspector.log";

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
pub fn init() -> Option<tracing_appender::non_blocking::WorkerGuard> {
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
