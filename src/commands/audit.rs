//! `irsa-inspector audit`: the whole analysis, rendered in the chosen format (table, JSON,
//! Markdown, SARIF, JUnit) to standard output or whole to a file; exit 1 when a finding at or
//! above `--fail-on` is not accepted.

use crate::cli::{AuditArgs, AuditFormat, FailOn};
use anyhow::{Result, anyhow};
use irsa_core::analysis::accepted;
use irsa_core::analysis::audit::audit;
use irsa_core::model::{Inventory, Severity};
use irsa_core::report::{audit_json, audit_junit, audit_markdown, audit_sarif, audit_table};
use jiff::Timestamp;
use std::process::ExitCode;

/// The ignore file `audit` reads when none is named.
const DEFAULT_IGNORE_FILE: &str = ".irsa-inspector-ignore.yaml";

pub fn run(inv: &Inventory, now: Timestamp, args: &AuditArgs) -> Result<ExitCode> {
    let fail_on = args.fail_on.map(FailOn::severity);
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
    let text = match args.format {
        AuditFormat::Table => audit_table::render(&report),
        AuditFormat::Json => audit_json::render(&report)?,
        AuditFormat::Markdown => audit_markdown::render(&report),
        AuditFormat::Sarif => audit_sarif::render(&report)?,
        AuditFormat::Junit => audit_junit::render(&report, fail_on.unwrap_or(Severity::High)),
    };
    match &args.output {
        Some(path) => write_whole(path, &text)?,
        None => out!("{text}"),
    }
    let failed = fail_on.is_some_and(|min| {
        report
            .findings
            .iter()
            .any(|f| f.severity >= min && f.accepted.is_none())
    });
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Writes `text` to `path` whole or not at all: into a temporary file beside it, then renamed
/// over it (a CI job never uploads half a report).
fn write_whole(path: &std::path::Path, text: &str) -> Result<()> {
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
