//! `irsa-inspector audit`.

use crate::cli::{AuditArgs, AuditFormat, FailOn};
use anyhow::Result;
use irsa_core::analysis::audit::audit;
use irsa_core::model::Inventory;
use irsa_core::report::{audit_json, audit_markdown, audit_table};
use jiff::Timestamp;
use std::process::ExitCode;

pub fn run(inv: &Inventory, now: Timestamp, args: &AuditArgs) -> Result<ExitCode> {
    let fail_on = args.fail_on.map(FailOn::severity);
    let report = audit(inv, now);
    let text = match args.format {
        AuditFormat::Table => audit_table::render(&report),
        AuditFormat::Json => audit_json::render(&report)?,
        AuditFormat::Markdown => audit_markdown::render(&report),
    };
    out!("{text}");
    let failed = fail_on.is_some_and(|min| report.findings.iter().any(|f| f.severity >= min));
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
