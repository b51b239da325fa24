//! A blocking front for callers without a tokio runtime of their own (the command-line
//! subcommands, and the terminal UI's loader, which runs on a blocking thread): one enrichment
//! of an inventory, on a private runtime in a thread of its own (so it can be called from
//! anywhere, including from inside another runtime's blocking pool).

use super::{AwsOptions, AwsSource, AwsStartError, EnrichRequest};
use irsa_core::model::Inventory;

/// Reads the AWS side of the cluster `inv` shows and merges it into `inv`. Only a start-up
/// failure (no usable credentials, no region) is an error; everything else becomes problems
/// in the inventory. Notes (e.g. "fast path denied, read role by role") go to the log.
pub fn enrich_inventory(inv: &mut Inventory, mut options: AwsOptions) -> Result<(), AwsStartError> {
    let request = EnrichRequest::from_inventory(inv);
    // An EKS kubeconfig context names the region.
    if options.region.is_none() {
        options.region = inv
            .context
            .as_deref()
            .and_then(super::region_from_context)
            .map(str::to_owned);
    }
    let enrichment = std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = crate::runtime::background()
                    .map_err(|e| AwsStartError::Worker(e.to_string()))?;
                runtime.block_on(async {
                    let source = AwsSource::connect(options, request.issuer.as_deref()).await?;
                    Ok(source.enrich(&request).await)
                })
            })
            .join()
            .unwrap_or_else(|_| {
                Err(AwsStartError::Worker(
                    "crashed (details in the log)".to_owned(),
                ))
            })
    })?;
    for note in &enrichment.notes {
        tracing::info!(note = %note, "aws");
    }
    enrichment.merge_into(inv);
    Ok(())
}
