//! `snapshot save DIR`: the live cluster written as a snapshot folder; with `--aws`, the AWS
//! side too (read live with the user's credentials, written as the AWS CLI would print it).

use super::live;
use crate::cli::SourceArgs;
use anyhow::{Context, Result, bail};
use irsa_core::snapshot;
use irsa_inspector::sources::aws::{self, AwsSource, EnrichRequest, region_from_context};
use irsa_inspector::sources::kube::{self, save};
use jiff::Timestamp;
use std::path::Path;
use std::process::ExitCode;

pub fn run(source: &SourceArgs, dir: &Path) -> Result<ExitCode> {
    if source.demo || source.snapshot.is_some() {
        bail!("snapshot save reads the live cluster: drop --demo / --snapshot");
    }
    let options = live::options(source);
    let runtime = irsa_inspector::runtime::background()?;
    let summary = runtime.block_on(async {
        let connection = kube::connect(&options).await?;
        let summary = save::save(&connection, dir, Timestamp::now()).await?;
        anyhow::Ok((connection.context, summary))
    })?;
    let (context, summary) = summary;
    outln!(
        "saved context {context} to {}: {} ServiceAccounts, {} pods, {} nodes",
        dir.display(),
        summary.service_accounts,
        summary.pods,
        summary.nodes
    );
    for problem in &summary.problems {
        eprintln!("warning: {problem}");
    }
    if source.aws {
        save_aws(source, dir, &context, &runtime)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// Reads the AWS side of the cluster just saved and writes it next to it.
fn save_aws(
    source: &SourceArgs,
    dir: &Path,
    context: &str,
    runtime: &tokio::runtime::Runtime,
) -> Result<()> {
    // The Kubernetes side as saved says what to read (annotated roles, nodes' instances).
    let inventory = snapshot::load_dir(dir)?;
    let mut options = super::aws_options(source);
    if options.region.is_none() {
        options.region = region_from_context(context).map(str::to_owned);
    }
    let enrichment = runtime.block_on(async {
        let aws = AwsSource::connect(options, inventory.issuer()).await?;
        anyhow::Ok(aws.enrich(&EnrichRequest::from_inventory(&inventory)).await)
    })?;
    let files = aws::save::snapshot_files(&enrichment)?;
    for (name, text) in &files {
        let path = dir.join(name);
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
    }
    let count = |v: &Option<Vec<_>>| v.as_ref().map_or(0, Vec::len);
    outln!(
        "saved the AWS side to {}: {} roles, {} OIDC providers, {} Pod Identity associations, \
         {} EC2 instances ({} files)",
        dir.display(),
        count(&enrichment.roles),
        enrichment.oidc_providers.as_ref().map_or(0, Vec::len),
        enrichment
            .pod_identity_associations
            .as_ref()
            .map_or(0, Vec::len),
        enrichment.instances.as_ref().map_or(0, Vec::len),
        files.len()
    );
    for problem in &enrichment.problems {
        eprintln!("warning: {}", problem.message);
    }
    Ok(())
}
