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

/// Runs one call on a freshly connected source, on a private runtime like
/// [`enrich_inventory`]; the error is one line (start-up or the call).
fn on_source<T: Send>(
    options: AwsOptions,
    call: impl AsyncFnOnce(&AwsSource) -> Result<T, super::CallError> + Send,
) -> Result<T, String> {
    std::thread::scope(|scope| {
        scope
            .spawn(move || {
                let runtime = crate::runtime::background().map_err(|e| e.to_string())?;
                runtime.block_on(async {
                    let source = AwsSource::connect(options, None)
                        .await
                        .map_err(|e| e.to_string())?;
                    call(&source).await.map_err(|e| e.to_string())
                })
            })
            .join()
            .unwrap_or_else(|_| Err("the AWS worker crashed (details in the log)".to_owned()))
    })
}

/// Asks `iam:SimulatePrincipalPolicy` (read-only) about one request by `role_arn`.
pub fn simulate(
    options: AwsOptions,
    role_arn: &str,
    action: &str,
    resource: &str,
    keys: &[irsa_core::analysis::trust::RequestKey],
) -> Result<irsa_core::analysis::permission::ask_aws::AwsSimulation, String> {
    on_source(options, async |source: &AwsSource| {
        source
            .simulate_principal_policy(role_arn, action, resource, keys)
            .await
    })
}

/// Reads the policy of `resource` live (an S3 bucket's, a KMS key's).
pub fn resource_policy(options: AwsOptions, resource: &str) -> Result<super::ResourceRead, String> {
    on_source(options, async |source: &AwsSource| {
        source.resource_policy(resource).await
    })
}

/// Reads CloudTrail's history of `[start, end]` (epoch seconds), read-only.
pub fn cloudtrail(
    options: AwsOptions,
    start: i64,
    end: i64,
) -> Result<super::cloudtrail::TrailRead, String> {
    on_source(options, async move |source: &AwsSource| {
        source.lookup_trail_all(start, end).await
    })
}
