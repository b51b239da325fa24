//! `snapshot save DIR`: the live cluster written as a snapshot folder.

use super::live;
use crate::cli::SourceArgs;
use anyhow::{Result, bail};
use irsa_inspector::sources::kube::{self, save};
use jiff::Timestamp;
use std::path::Path;
use std::process::ExitCode;

pub fn run(source: &SourceArgs, dir: &Path) -> Result<ExitCode> {
    if source.demo || source.snapshot.is_some() {
        bail!("snapshot save reads the live cluster: drop --demo / --snapshot");
    }
    let options = live::options(source);
    let summary = live::runtime()?.block_on(async {
        let connection = kube::connect(&options).await?;
        let summary = save::save(&connection, dir, Timestamp::now()).await?;
        anyhow::Ok((connection.context, summary))
    })?;
    let (context, summary) = summary;
    println!(
        "saved context {context} to {}: {} ServiceAccounts, {} pods, {} nodes",
        dir.display(),
        summary.service_accounts,
        summary.pods,
        summary.nodes
    );
    for problem in &summary.problems {
        eprintln!("warning: {problem}");
    }
    Ok(ExitCode::SUCCESS)
}
