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

use kube::config::{KubeConfigOptions, Kubeconfig, KubeconfigError};
use kube::{Client, Config};
use std::path::PathBuf;
use thiserror::Error;

/// How to reach the cluster (the command line's `--kubeconfig`, `--context`, `--namespace`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnectOptions {
    /// `--kubeconfig`: use only this file (else `KUBECONFIG`, else `~/.kube/config`).
    pub kubeconfig: Option<PathBuf>,
    /// `--context`: a context of the kubeconfig (else its `current-context`).
    pub context: Option<String>,
    /// `--namespace`: watch ServiceAccounts and pods of this namespace only (else all).
    pub namespace: Option<String>,
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
    let client = Client::try_from(config).map_err(|e| ConnectError::Client(one_line(&e)))?;
    Ok(Connection {
        client,
        context,
        namespace: opts.namespace.clone(),
    })
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
