//! `irsa-inspector audit`: the whole analysis, rendered in the chosen format (table, JSON,
//! Markdown, SARIF, JUnit, NDJSON records) to standard output, whole to a file, or as one object
//! into an S3 bucket (`-o s3://…`); exit 1 when a finding at or above `--fail-on` is not
//! accepted. The pieces are shared with the fleet run (`fleet.rs`).

use crate::cli::{AuditArgs, AuditFormat, FailOn, SourceArgs};
use anyhow::{Result, anyhow, bail};
use irsa_core::analysis::accepted;
use irsa_core::analysis::audit::{AuditReport, audit};
use irsa_core::model::{Inventory, Severity};
use irsa_core::report::{
    audit_json, audit_junit, audit_markdown, audit_ndjson, audit_sarif, audit_table,
};
use irsa_inspector::sources::aws::config::cluster_name_from_context;
use irsa_inspector::sources::aws::region_from_context;
use irsa_inspector::sources::aws::upload::{self, S3Destination};
use jiff::Timestamp;
use std::process::ExitCode;

/// The ignore file `audit` reads when none is named.
const DEFAULT_IGNORE_FILE: &str = ".irsa-inspector-ignore.yaml";

/// Runs the audit of `inv` at `now` and writes it where `--output` says; `source` gives
/// `--region` (the NDJSON records' region when the cluster's own is not known) and, for an S3
/// destination, the AWS credentials.
pub fn run(
    inv: &Inventory,
    now: Timestamp,
    args: &AuditArgs,
    source: &SourceArgs,
) -> Result<ExitCode> {
    let output = Output::parse(args.output.as_deref())?;
    let report = prepare(inv, now, args)?;
    let names = Names::of(inv, source.region.as_deref(), source.cluster.as_deref());
    let text = render(&report, args, &names)?;
    match output {
        Output::Stdout => out!("{text}"),
        Output::File(path) => write_whole(&path, &text)?,
        Output::S3(dest) => {
            let key = dest.key(
                report.generated_at,
                report.cluster.as_deref().or(names.cluster.as_deref()),
                names.context.as_deref(),
                extension(args.format),
            );
            upload::put_objects(&super::aws_options(source), &dest, vec![(key, text)])?;
        }
    }
    Ok(if fails(args, worst_unaccepted(&report)) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// The worst severity among the findings the ignore file does not accept.
pub fn worst_unaccepted(report: &AuditReport) -> Option<Severity> {
    report
        .findings
        .iter()
        .filter(|f| f.accepted.is_none())
        .map(|f| f.severity)
        .max()
}

/// True when `--fail-on` is given and `worst` reaches it (exit 1).
pub fn fails(args: &AuditArgs, worst: Option<Severity>) -> bool {
    args.fail_on
        .map(FailOn::severity)
        .is_some_and(|min| worst.is_some_and(|w| w >= min))
}

/// The analysis with the ignore file's acceptances applied (`--ignore-file`, else
/// `.irsa-inspector-ignore.yaml` when present); its warnings (expired entries, …) to stderr.
pub fn prepare(inv: &Inventory, now: Timestamp, args: &AuditArgs) -> Result<AuditReport> {
    let mut report = audit(inv, now);
    let ignore = match &args.ignore_file {
        Some(path) => Some(path.clone()),
        None => Some(std::path::PathBuf::from(DEFAULT_IGNORE_FILE)).filter(|p| p.is_file()),
    };
    if let Some(path) = ignore {
        let text = super::input::read_file(&path)?;
        let file = accepted::parse(&text).map_err(|e| anyhow!("{}: {e}", path.display()))?;
        let today = now.to_zoned(jiff::tz::TimeZone::UTC).date();
        for warning in accepted::apply(&mut report, &file, today) {
            eprintln!("{}: {warning}", path.display());
        }
    }
    Ok(report)
}

/// The report in the chosen format.
pub fn render(report: &AuditReport, args: &AuditArgs, names: &Names) -> Result<String> {
    let fail_on = args.fail_on.map(FailOn::severity);
    Ok(match args.format {
        AuditFormat::Table => audit_table::render(report),
        AuditFormat::Json => audit_json::render(report)?,
        AuditFormat::Markdown => audit_markdown::render(report),
        AuditFormat::Sarif => audit_sarif::render(report)?,
        AuditFormat::Junit => audit_junit::render(report, fail_on.unwrap_or(Severity::High)),
        AuditFormat::Ndjson => audit_ndjson::render(
            report,
            &audit_ndjson::RecordContext {
                context: names.context.as_deref(),
                region: names.region.as_deref(),
                cluster: names.cluster.as_deref(),
            },
        )?,
    })
}

/// The file extension of a format's report (its S3 object name).
pub fn extension(format: AuditFormat) -> &'static str {
    match format {
        AuditFormat::Table => "txt",
        AuditFormat::Json | AuditFormat::Sarif => "json",
        AuditFormat::Markdown => "md",
        AuditFormat::Junit => "xml",
        AuditFormat::Ndjson => "ndjson",
    }
}

/// Where the run happened, as the records and the S3 key name it: the kubeconfig context (or
/// snapshot label); the cluster's region — EKS's, else `--region`, else the one an EKS context
/// names; and the cluster's name when EKS did not say — `--cluster`, else the one the context
/// names, else the context itself.
#[derive(Debug, Clone, Default)]
pub struct Names {
    pub context: Option<String>,
    pub region: Option<String>,
    pub cluster: Option<String>,
}

impl Names {
    pub fn of(inv: &Inventory, region: Option<&str>, cluster: Option<&str>) -> Self {
        let context = inv.context.clone();
        let ctx = context.as_deref();
        Self {
            region: inv
                .cluster
                .as_ref()
                .and_then(|c| c.region.as_deref())
                .or(region)
                .or_else(|| ctx.and_then(region_from_context))
                .map(str::to_owned),
            cluster: cluster
                .or_else(|| ctx.map(|c| cluster_name_from_context(c).unwrap_or(c)))
                .map(str::to_owned),
            context,
        }
    }
}

/// Where `--output` sends the report.
#[derive(Debug)]
pub enum Output {
    Stdout,
    File(std::path::PathBuf),
    S3(S3Destination),
}

impl Output {
    pub fn parse(output: Option<&std::path::Path>) -> Result<Self> {
        let Some(path) = output else {
            return Ok(Self::Stdout);
        };
        match path.to_str().and_then(S3Destination::parse) {
            Some(Ok(dest)) => Ok(Self::S3(dest)),
            Some(Err(why)) => bail!("--output {why}"),
            None => Ok(Self::File(path.to_path_buf())),
        }
    }
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside it, then renamed
/// over it (a CI job never uploads half a report).
pub fn write_whole(path: &std::path::Path, text: &str) -> Result<()> {
    use anyhow::Context;
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("{}: cannot write beside it", path.display()))?;
    std::io::Write::write_all(&mut tmp, text.as_bytes())
        .with_context(|| format!("{}: cannot write", path.display()))?;
    tmp.persist(path)
        .map_err(|e| anyhow::anyhow!("{}: cannot write ({})", path.display(), e.error))?;
    Ok(())
}
