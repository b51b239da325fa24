//! One function per subcommand: load input, call the analysis core, render with `report`.
//! The one-shot commands show the progress of a live read on a terminal's standard error
//! ([`output::Progress`]); the terminal UI never does (it owns the screen).

/// `print!` for the commands: a closed standard output ends the command quietly
/// ([`output`]).
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::commands::output::write(format_args!($($arg)*))?
    };
}

/// `println!` for the commands ([`out!`]).
macro_rules! outln {
    () => {
        $crate::commands::output::write(format_args!("\n"))?
    };
    ($($arg:tt)*) => {
        $crate::commands::output::write(format_args!("{}\n", format_args!($($arg)*)))?
    };
}

mod audit;
mod decode_token;
mod explain;
mod fleet;
mod input;
mod live;
pub mod output;
mod permission;
mod snapshot_save;
mod trail;
mod trust;
mod webhook;

use crate::cli::{Cli, Command, PolicyCommand, SnapshotCommand, TrustCommand, WebhookCommand};
use anyhow::{Context, Result, bail};
use irsa_core::dataset::Dataset;
use irsa_core::model::Inventory;
use irsa_core::snapshot;
use irsa_inspector::app;
use irsa_inspector::messages::DataOrigin;
use irsa_inspector::sources::aws;
use jiff::Timestamp;
use output::Progress;
use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;

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
        Some(Command::Audit(args)) if fleet::wanted(&cli.source, &args) => {
            refuse_s3_when_read_only(&cli.source, &args)?;
            fleet::run(&cli.source, &args, now_flag)
        }
        Some(Command::Audit(args)) => {
            refuse_s3_when_read_only(&cli.source, &args)?;
            if let Some((context, _)) = args.context_profile.first() {
                bail!(
                    "--context-profile {context}=…: only for several contexts (--all-contexts, --context a,b); one cluster uses --profile"
                );
            }
            let inv = load_inventory(&cli.source, Progress::on_stderr())?;
            audit::run(&inv, clock(now_flag, &inv), &args, &cli.source)
        }
        Some(Command::Explain { target }) => {
            let inv = load_inventory(&cli.source, Progress::on_stderr())?;
            explain::run(&inv, clock(now_flag, &inv), &target, &cli.source)
        }
        Some(Command::Trust {
            command: TrustCommand::Evaluate(args),
        }) => trust::evaluate(&args),
        Some(Command::Webhook {
            command: WebhookCommand::Predict(args),
        }) => webhook::predict(&args, cli.source.region.as_deref()),
        Some(Command::Policy {
            command: PolicyCommand::Simulate(args),
        }) => permission::simulate(&args),
        Some(Command::CanI(args)) => {
            let inv = load_inventory(&cli.source, Progress::on_stderr())?;
            let now = clock(now_flag, &inv);
            let live = cli.source.aws.then(|| aws_options(&cli.source));
            permission::can_i(inv, now, &args, aws_options(&cli.source), live)
        }
        Some(Command::Snapshot {
            command: SnapshotCommand::Save { dir },
        }) => snapshot_save::run(&cli.source, &dir),
        Some(Command::Completions { shell }) => {
            let mut command = <crate::cli::Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut command, "irsa-inspector", &mut script);
            out!("{}", String::from_utf8_lossy(&script));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::Man) => {
            let command = <crate::cli::Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(command)
                .render(&mut page)
                .map_err(|e| anyhow::anyhow!("cannot render the manual page: {e}"))?;
            out!("{}", String::from_utf8_lossy(&page));
            Ok(ExitCode::SUCCESS)
        }
        Some(Command::DecodeToken(args)) => {
            decode_token::run(&args, now_flag.unwrap_or_else(Timestamp::now))
        }
        None if std::io::stdout().is_terminal() => tui(&cli.source, now_flag),
        None => {
            // Not a terminal (piped, redirected): print the audit table instead of the UI.
            let inv = load_inventory(&cli.source, Progress::on_stderr())?;
            audit::run(
                &inv,
                clock(now_flag, &inv),
                &crate::cli::AuditArgs {
                    format: crate::cli::AuditFormat::Table,
                    fail_on: None,
                    ignore_file: None,
                    output: None,
                    all_contexts: false,
                    jobs: 1,
                    context_profile: Vec::new(),
                },
                &cli.source,
            )
        }
    }
}

/// `--read-only` promises nothing is written anywhere: an S3 destination is refused before any
/// work starts.
fn refuse_s3_when_read_only(
    source: &crate::cli::SourceArgs,
    args: &crate::cli::AuditArgs,
) -> Result<()> {
    let s3 = matches!(
        audit::Output::parse(args.output.as_deref())?,
        audit::Output::S3(_)
    );
    if s3 && source.read_only {
        bail!(
            "--read-only: --output s3://… would write the report into a bucket; write it to a file (-o FILE) or leave --read-only off"
        );
    }
    Ok(())
}

/// Opens the terminal UI on the chosen source; loading and analysis run inside the UI (a
/// failure is shown on screen, not printed).
fn tui(source: &crate::cli::SourceArgs, now_flag: Option<Timestamp>) -> Result<ExitCode> {
    let origin = match (&source.snapshot, source.demo) {
        (_, true) => DataOrigin::Demo,
        (Some(dir), false) => DataOrigin::Snapshot(dir.display().to_string()),
        (None, false) => {
            let (origin, live) = live::ui_source(source, now_flag)?;
            app::run_source(origin, live)?;
            return Ok(ExitCode::SUCCESS);
        }
    };
    let read_only = source.read_only;
    let source = source.clone();
    let loader: irsa_inspector::sources::Loader = Arc::new(move || {
        let inv = load_inventory(&source, Progress::hidden()).map_err(|e| format!("{e:#}"))?;
        let now = clock(now_flag, &inv);
        Ok(Dataset::analyse(inv, now, Timestamp::now()))
    });
    app::run(origin, loader, read_only)?;
    Ok(ExitCode::SUCCESS)
}

/// The instant the analysis runs at: `--now`, else the snapshot's capture time, else the clock.
fn clock(flag: Option<Timestamp>, inv: &Inventory) -> Timestamp {
    flag.or(inv.captured_at).unwrap_or_else(Timestamp::now)
}

/// The chosen source's inventory, with the AWS side read live when `--aws` is given; the live
/// reads report their `progress`.
fn load_inventory(source: &crate::cli::SourceArgs, progress: Progress) -> Result<Inventory> {
    let mut inv = load_kubernetes_side(source, progress)?;
    if source.aws {
        progress.note(format_args!(
            "reading the AWS side (IAM roles, OIDC providers, EKS, EC2)"
        ));
        aws::blocking::enrich_inventory(&mut inv, aws_options(source))?;
        let count = |n: Option<usize>| n.map_or_else(|| "unknown".to_owned(), |n| n.to_string());
        progress.note(format_args!(
            "read {} IAM roles, {} OIDC providers, {} EC2 instances",
            count(inv.roles.as_ref().map(Vec::len)),
            count(inv.oidc_providers.as_ref().map(Vec::len)),
            count(inv.instances.as_ref().map(Vec::len)),
        ));
    }
    Ok(inv)
}

/// `--profile`, `--region`, `--account-profile` and `--request-timeout` as AWS source options.
fn aws_options(source: &crate::cli::SourceArgs) -> aws::AwsOptions {
    let defaults = aws::AwsOptions::default();
    aws::AwsOptions {
        profile: source.profile.clone(),
        region: source.region.clone(),
        account_profiles: source.account_profile.iter().cloned().collect(),
        call_timeout: source.request_timeout.unwrap_or(defaults.call_timeout),
        cluster_name: source.cluster.clone(),
        ..defaults
    }
}

fn load_kubernetes_side(source: &crate::cli::SourceArgs, progress: Progress) -> Result<Inventory> {
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
    progress.note(format_args!(
        "listing ServiceAccounts, pods and nodes of the cluster"
    ));
    let inv = live::inventory(source)?;
    progress.note(format_args!(
        "listed {} ServiceAccounts, {} pods, {} nodes",
        inv.service_accounts.len(),
        inv.pods.len(),
        inv.nodes.len()
    ));
    Ok(inv)
}
