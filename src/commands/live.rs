//! The live cluster from the command line: the kubeconfig options of `SourceArgs`, a one-shot
//! list for the commands ([`inventory`]), and the watched [`LiveSource`] for the terminal UI
//! ([`ui_source`]; the feeder itself lives in the library, `sources::live`).

use crate::cli::SourceArgs;
use anyhow::Result;
use irsa_core::model::Inventory;
use irsa_inspector::messages::DataOrigin;
use irsa_inspector::sources::Source;
use irsa_inspector::sources::kube::{self, ConnectOptions};
use irsa_inspector::sources::live::LiveSource;
use jiff::Timestamp;
use std::time::Duration;

/// How long a one-shot command waits for the API server and the initial lists.
const PATIENCE: Duration = Duration::from_secs(60);

/// `--kubeconfig`, `--context`, `--namespace`, `--request-timeout` as connection options.
pub fn options(source: &SourceArgs) -> ConnectOptions {
    ConnectOptions {
        kubeconfig: source.kubeconfig.clone(),
        context: source.context.clone(),
        namespace: source.namespace.clone(),
        timeout: source.request_timeout,
    }
}

/// The live cluster's inventory (Kubernetes side; AWS facts unknown).
pub fn inventory(source: &SourceArgs) -> Result<Inventory> {
    let options = options(source);
    irsa_inspector::runtime::background()?.block_on(async {
        let connection = kube::connect(&options).await?;
        Ok(kube::load_once(connection, PATIENCE).await?)
    })
}

/// The UI's origin and source for the live cluster. Kubeconfig problems (no file, unknown
/// context) and rejected AWS credentials are start-up errors, reported before the UI opens.
pub fn ui_source(
    source: &SourceArgs,
    now_flag: Option<Timestamp>,
) -> Result<(DataOrigin, Box<dyn Source>)> {
    let aws = source.aws.then(|| super::aws_options(source));
    let (origin, live) = LiveSource::connect(options(source), aws, source.read_only, now_flag)?;
    Ok((origin, Box::new(live)))
}
