//! The finding view, for findings whose subject no pane lists (OIDC provider, cluster).

use super::{DrillLine, finding_lines};
use crate::rows::finding::subject_label;
use crate::tone::Tone;
use irsa_core::dataset::Dataset;

pub(super) fn build(data: &Dataset, key: &str) -> (String, Vec<DrillLine>, Option<String>) {
    let rows = crate::rows::derive_findings(&data.report);
    let found = rows
        .into_iter()
        .find(|r| r.key == key)
        .and_then(|row| Some((data.report.findings.get(row.at)?, row)));
    let Some((f, row)) = found else {
        return (
            "Finding".to_owned(),
            vec![DrillLine::toned(
                Tone::Unknown,
                "This finding is no longer reported.",
            )],
            None,
        );
    };
    let mut lines = vec![DrillLine::field("subject", subject_label(&f.subject))];
    for r in &f.related {
        lines.push(DrillLine::field("related", subject_label(r)));
    }
    lines.push(DrillLine::blank());
    lines.extend(finding_lines(f));
    (
        format!("{} {}", f.code, row.subject_label),
        lines,
        f.fix.clone(),
    )
}
