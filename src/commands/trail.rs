//! `--cloudtrail` for `explain`: reads the window through the AWS source, attributes the
//! records with the core (`triage::cloudtrail`) and writes the evidence section
//! (`report::trail_text`, shared with the terminal UI's `E`).

use crate::cli::SourceArgs;
use anyhow::{Result, anyhow};
use irsa_core::analysis::triage::cloudtrail;
use irsa_core::model::{Inventory, Subject};
use irsa_core::report::trail_text::{self, TrailSummary};
use irsa_inspector::sources::aws::blocking;
use irsa_inspector::sources::aws::cloudtrail::PAGE_CAP;
use jiff::Timestamp;

/// Reads the window ending at `now` when `--cloudtrail` was given; `None` otherwise.
pub fn read(source: &SourceArgs, inv: &Inventory, now: Timestamp) -> Result<Option<TrailSummary>> {
    let Some(lookback) = source.cloudtrail else {
        return Ok(None);
    };
    if !source.aws {
        return Err(anyhow!(
            "--cloudtrail reads CloudTrail in your AWS account: add --aws"
        ));
    }
    let end = now.as_second();
    let start = end - lookback.as_secs();
    let mut t = TrailSummary {
        window: format!("{lookback:#}"),
        page_cap: PAGE_CAP,
        ..TrailSummary::default()
    };
    match blocking::cloudtrail(super::aws_options(source), start, end) {
        Ok(read) => {
            t.evidence = cloudtrail::attribute(inv, &read.records);
            t.calls = read.calls;
            t.capped = read.capped;
            t.unreadable = read.unreadable;
            t.notes = read.problems;
        }
        Err(e) => {
            t.problem = Some(format!(
                "CloudTrail not read: {e} (needs cloudtrail:LookupEvents in the cluster's region)"
            ));
        }
    }
    Ok(Some(t))
}

/// The evidence section for `subjects`.
pub fn section(t: &TrailSummary, inv: &Inventory, subjects: &[Subject]) -> String {
    let mut out = format!("\nCloudTrail evidence, last {}\n", t.window);
    // Messages come from AWS and the cluster: no control characters reach the terminal.
    for line in trail_text::lines(t, inv, subjects) {
        out.push_str("  ");
        out.push_str(&irsa_core::report::clean(&line));
        out.push('\n');
    }
    out
}
