//! One function per subcommand: load input, call the analysis core, render with `report`.

mod audit;
mod decode_token;
mod explain;
mod input;
mod live;
mod snapshot_save;
mod trust;
mod webhook;

use crate::cli::{Cli, Command, SnapshotCommand, TrustCommand, WebhookCommand};
use anyhow::{Context, Result, bail};
use irsa_inspector::model::Inventory;
use irsa_inspector::sources::snapshot;
use jiff::Timestamp;
use std::process::ExitCode;

pub fn run(cli: Cli) -> Result<ExitCode> {
    let now_flag = cli
        .now
        .as_deref()
        .map(|s| {
            s.parse::<Timestamp>()
                .with_context(|| format!("--now {s:?} is not an RFC 3339 instant"))
        })
        .transpose()?;
    match cli.command {
        Some(Command::Audit(args)) => {
            let inv = load_inventory(&cli.source)?;
            audit::run(&inv, clock(now_flag, &inv), &args)
        }
        Some(Command::Explain { target }) => {
            let inv = load_inventory(&cli.source)?;
            explain::run(&inv, clock(now_flag, &inv), &target)
        }
        Some(Command::Trust {
            command: TrustCommand::Evaluate(args),
        }) => trust::evaluate(&args),
        Some(Command::Webhook {
            command: WebhookCommand::Predict(args),
        }) => webhook::predict(&args),
        Some(Command::Snapshot {
            command: SnapshotCommand::Save { dir },
        }) => snapshot_save::run(&cli.source, &dir),
        Some(Command::DecodeToken(args)) => {
            decode_token::run(&args, now_flag.unwrap_or_else(Timestamp::now))
        }
        None => {
            // The interactive UI lands with the terminal-UI work; until then the default view is the
            // audit table of the chosen source.
            let inv = load_inventory(&cli.source)?;
            audit::run(
                &inv,
                clock(now_flag, &inv),
                &crate::cli::AuditArgs {
                    format: crate::cli::AuditFormat::Table,
                    fail_on: None,
                },
            )
        }
    }
}

/// The instant the analysis runs at: `--now`, else the snapshot's capture time, else the clock.
fn clock(flag: Option<Timestamp>, inv: &Inventory) -> Timestamp {
    flag.or(inv.captured_at).unwrap_or_else(Timestamp::now)
}

fn load_inventory(source: &crate::cli::SourceArgs) -> Result<Inventory> {
    if source.demo {
        return Ok(snapshot::load_demo()?);
    }
    if let Some(dir) = &source.snapshot {
        let inv = snapshot::load_dir(dir)?;
        if inv.service_accounts.is_empty() && inv.pods.is_empty() && inv.nodes.is_empty() {
            bail!(
                "{}: no ServiceAccounts, pods or nodes (kubernetes.json missing or empty) — nothing to analyse",
                dir.display()
            );
        }
        return Ok(inv);
    }
    live::inventory(source)
}
