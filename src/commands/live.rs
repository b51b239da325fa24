//! The live cluster for one-shot commands: the kubeconfig as kubectl resolves it, listed once.

use crate::cli::SourceArgs;
use anyhow::Result;
use irsa_inspector::model::Inventory;
use irsa_inspector::sources::kube::{self, ConnectOptions};
use std::time::Duration;

/// How long a one-shot command waits for the API server and the initial lists.
const PATIENCE: Duration = Duration::from_secs(60);

/// `--kubeconfig`, `--context`, `--namespace` as connection options.
pub fn options(source: &SourceArgs) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: source.kubeconfig.clone(),
        context: source.context.clone(),
        namespace: source.namespace.clone(),
    }
}

/// A tokio runtime for one command.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?)
}

/// The live cluster's inventory (Kubernetes side; AWS facts unknown).
pub fn inventory(source: &SourceArgs) -> Result<Inventory> {
    let options = options(source);
    runtime()?.block_on(async {
        let connection = kube::connect(&options).await?;
        Ok(kube::load_once(connection, PATIENCE).await?)
    })
}
