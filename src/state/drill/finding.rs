//! The finding view, for findings whose subject no pane lists (OIDC provider, cluster).

use super::{Line, finding_lines};
use crate::messages::Dataset;
use crate::rows::finding::subject_label;
use crate::tone::Tone;

pub(super) fn build(data: &Dataset, key: &str) -> (String, Vec<Line>, Option<String>) {
    let rows = crate::rows::derive_findings(&data.report);
    let found = rows
        .into_iter()
        .find(|r| r.key == key)
        .and_then(|row| Some((data.report.findings.get(row.at)?, row)));
    let Some((f, row)) = found else {
        return (
            "Finding".to_owned(),
            vec![Line::toned(
                Tone::Unknown,
                "This finding is no longer reported.",
            )],
            None,
        );
    };
    let mut lines = vec![Line::field("subject", subject_label(&f.subject))];
    for r in &f.related {
        lines.push(Line::field("related", subject_label(r)));
    }
    lines.push(Line::blank());
    lines.extend(finding_lines(f));
    (
        format!("{} {}", f.code, row.subject_label),
        lines,
        f.fix.clone(),
    )
}
