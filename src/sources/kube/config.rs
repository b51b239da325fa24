//! The client, from the kubeconfig exactly as kubectl resolves it:
//!
//! 1. `--kubeconfig FILE`: that file only;
//! 2. else `KUBECONFIG` (several files, `:`-separated, merged first-wins by kube-rs's
//!    [`Kubeconfig::from_env`], the rules of kubectl);
//! 3. else `~/.kube/config`;
//! 4. else, inside a pod (`KUBERNETES_SERVICE_HOST` set), the in-cluster ServiceAccount.
//!
//! `--context` picks a context (default: `current-context`). Exec credential plugins
//! (`aws eks get-token`) and token files are run/read by kube-rs's auth layer on demand, like
//! kubectl does. `--namespace` narrows the ServiceAccount and pod watches to one namespace (for
//! users whose RBAC only allows that); all namespaces is the default, as with `kubectl -A`.
//!
//! Timeouts (kube-rs 5 sets only a 30 s connect timeout and no read timeout, so an API server
//! that accepts a request and never answers would hang a LIST or a watch start for ever):
//! - [`DEFAULT_TIMEOUT`] of silence on a connection fails the request (a read timeout, reset
//!   by every write, so a LIST that keeps streaming pages is never cut);
//! - watches ask the server to end them after [`WATCH_SECONDS`] (`timeoutSeconds`), below the
//!   read timeout, so a quiet cluster's healthy watch is closed and resumed by the server
//!   before the read timeout could mistake it for a dead one;
//! - kube-rs's own retry layer is off: a 429/503/504 reaches the watcher at once, is shown as
//!   "reconnecting (throttled …)", and is retried with the watcher's backoff (0.8 s doubling to
//!   30 s) and no sooner than the server's `Retry-After` ([`super::watch`]). With the layer on,
//!   a throttled LIST was retried silently for up to 15 attempts and the screen said nothing.
//!
//! `--request-timeout` (kubectl's flag) replaces [`DEFAULT_TIMEOUT`] through
//! [`ConnectOptions::timeout`]; `0` turns both timeouts off, as with kubectl, and leaves a
//! server that never answers to the operating system's TCP limits.

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};
use std::path::PathBuf;
use std::time::Duration;
use thiserror::Error;

/// How long a request may wait for the API server's next byte before it fails.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// How long to wait for a TCP (and TLS) connection to the API server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The server-side lifetime asked for each watch request; below [`DEFAULT_TIMEOUT`].
pub const WATCH_SECONDS: u32 = 25;

/// How to reach the cluster (the command line's `--kubeconfig`, `--context`, `--namespace`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `--kubeconfig`: use only this file (else `KUBECONFIG`, else `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: a context of the kubeconfig (else its `current-context`).
    pub context: Option<String>,
    /// `--namespace`: watch ServiceAccounts and pods of this namespace only (else all).
    pub namespace: Option<String>,
    /// Silence after which a request fails (default [`DEFAULT_TIMEOUT`]; `--request-timeout`);
    /// zero means no timeout at all. Values under [`WATCH_SECONDS`] end a quiet watch before
    /// the server does (the watcher then resumes it), so they suit one-shot commands and
    /// servers that send watch BOOKMARKs more often than that (tests' stand-in server).
    pub timeout: Option<Duration>,
}

/// A client and what it points at.
#[derive(Clone)]
pub struct Connection {
    pub client: Client,
    /// The context name (`in-cluster` inside a pod), for the header and the snapshot label.
    pub context: String,
    /// The namespace the watches are narrowed to, if any.
    pub namespace: Option<String>,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("context", &self.context)
            .field("namespace", &self.namespace)
            .finish_non_exhaustive()
    }
}

/// Why no client could be made. One line, naming the file or context.
#[derive(Debug, Error)]
pub enum ConnectError {
    #[error("cannot read kubeconfig {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("cannot read the kubeconfig files of KUBECONFIG: {0}")]
    Env(String),
    #[error(
        "no kubeconfig (KUBECONFIG unset, no ~/.kube/config) and not running in a pod — \
         use --kubeconfig FILE, --demo or --snapshot DIR"
    )]
    NoConfig,
    #[error("kubeconfig has no current-context — pass --context NAME")]
    NoContext,
    #[error("kubeconfig context {context:?}: {message}")]
    Context { context: String, message: String },
    #[error("in-cluster configuration: {0}")]
    InCluster(String),
    #[error("cannot create the Kubernetes client: {0}")]
    Client(String),
}

/// The kubeconfig kubectl would use, or `None` when there is none at all.
fn read_kubeconfig(opts: &ConnectOptions) -> Result<Option<Kubeconfig>, ConnectError> {
    if let Some(path) = &opts.kubeconfig {
        return Kubeconfig::read_from(path)
            .map(Some)
            .map_err(|e| ConnectError::Read {
                path: path.clone(),
                message: one_line(&e),
            });
    }
    if let Some(kc) = Kubeconfig::from_env().map_err(|e| ConnectError::Env(one_line(&e)))? {
        return Ok(Some(kc));
    }
    let Some(home) = std::env::var_os("HOME").map(PathBuf::from) else {
        return Ok(None);
    };
    let default = home.join(".kube").join("config");
    if !default.exists() {
        return Ok(None);
    }
    Kubeconfig::read_from(&default)
        .map(Some)
        .map_err(|e| ConnectError::Read {
            path: default,
            message: one_line(&e),
        })
}

/// Resolves the kubeconfig as kubectl does and makes a client (no request is sent yet).
pub async fn connect(opts: &ConnectOptions) -> Result<Connection, ConnectError> {
    let (config, context) = match read_kubeconfig(opts)? {
        Some(kubeconfig) => {
            let context = opts
                .context
                .clone()
                .or_else(|| kubeconfig.current_context.clone())
                .filter(|c| !c.is_empty())
                .ok_or(ConnectError::NoContext)?;
            let options = KubeConfigOptions {
                context: Some(context.clone()),
                ..KubeConfigOptions::default()
            };
            let config = Config::from_custom_kubeconfig(kubeconfig, &options)
                .await
                .map_err(|e| ConnectError::Context {
                    context: context.clone(),
                    message: context_message(&e),
                })?;
            (config, context)
        }
        None if std::env::var_os("KUBERNETES_SERVICE_HOST").is_some() => {
            let config = Config::incluster().map_err(|e| ConnectError::InCluster(one_line(&e)))?;
            (config, "in-cluster".to_owned())
        }
        None => return Err(ConnectError::NoConfig),
    };
    let config = with_timeouts(config, opts.timeout.unwrap_or(DEFAULT_TIMEOUT));
    let client = Client::try_from(config).map_err(|e| ConnectError::Client(one_line(&e)))?;
    Ok(Connection {
        client,
        context,
        namespace: opts.namespace.clone(),
    })
}

/// The client settings for a server that stops answering (see the module's documentation);
/// a zero `timeout` sets none.
fn with_timeouts(mut config: Config, timeout: Duration) -> Config {
    let limit = (!timeout.is_zero()).then_some(timeout);
    config.connect_timeout = limit.map(|t| CONNECT_TIMEOUT.min(t));
    config.read_timeout = limit;
    // Time counts from the request, not from when a pooled connection went idle.
    config.reset_reader_on_write = true;
    config.default_retry = false;
    config
}

/// True when `e` (or a cause) is a timeout: the server did not answer in time.
pub(super) fn is_timeout(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut next = Some(e);
    while let Some(err) = next {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::TimedOut
        {
            return true;
        }
        if err.downcast_ref::<tokio::time::error::Elapsed>().is_some() {
            return true;
        }
        next = err.source();
    }
    false
}

/// The kubeconfig's context names and its `current-context` (for `:ctx`); empty when there is
/// no kubeconfig (in a pod).
pub fn context_names(opts: &ConnectOptions) -> Result<(Vec<String>, Option<String>), ConnectError> {
    Ok(read_kubeconfig(opts)?
        .map(|kc| {
            (
                kc.contexts.iter().map(|c| c.name.clone()).collect(),
                kc.current_context,
            )
        })
        .unwrap_or_default())
}

fn context_message(e: &KubeconfigError) -> String {
    match e {
        KubeconfigError::LoadContext(name) => format!("no context named {name:?} in kubeconfig"),
        other => one_line(other),
    }
}

/// An error and its causes on one line.
pub(super) fn one_line(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new("https://127.0.0.1:6443".parse().expect("url"))
    }

    #[test]
    fn request_timeout_bounds_reads_and_connects_and_zero_waits_for_ever() {
        let one = with_timeouts(config(), Duration::from_secs(1));
        assert_eq!(one.read_timeout, Some(Duration::from_secs(1)));
        assert_eq!(one.connect_timeout, Some(Duration::from_secs(1)));
        let default = with_timeouts(config(), DEFAULT_TIMEOUT);
        assert_eq!(default.read_timeout, Some(DEFAULT_TIMEOUT));
        assert_eq!(default.connect_timeout, Some(CONNECT_TIMEOUT));
        let none = with_timeouts(config(), Duration::ZERO);
        assert_eq!(none.read_timeout, None);
        assert_eq!(none.connect_timeout, None);
    }
}
