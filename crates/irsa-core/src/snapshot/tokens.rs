//! `tokens/<namespace>.<pod>.jwt`: projected tokens read from pods, decoded on load.
//! Namespaces cannot contain dots (they are DNS labels) but pod names can, so the name splits
//! at the first dot. Only the decoded header and claims (or the decode error) are kept.

use super::files::{SnapshotFiles, TOKENS_DIR};
use crate::analysis::token;
use crate::model::ObservedToken;

/// Decodes every token file; file names that do not follow the pattern become problems.
pub(super) fn observe(files: &SnapshotFiles) -> (Vec<ObservedToken>, Vec<String>) {
    let mut observed = Vec::new();
    let mut problems = Vec::new();
    for name in files.names() {
        let Some(stem) = name
            .strip_prefix(TOKENS_DIR)
            .and_then(|rest| rest.strip_prefix('/'))
            .and_then(|file| file.strip_suffix(".jwt"))
        else {
            continue;
        };
        let Some((namespace, pod)) = stem
            .split_once('.')
            .filter(|(ns, pod)| !ns.is_empty() && !pod.is_empty())
        else {
            problems.push(format!(
                "{name}: not named tokens/<namespace>.<pod>.jwt — ignored"
            ));
            continue;
        };
        let text = files.get(name).unwrap_or_default();
        observed.push(ObservedToken {
            namespace: namespace.to_owned(),
            pod: pod.to_owned(),
            origin: format!("snapshot file {name}"),
            decoded: token::decode(text).map_err(|e| e.to_string()),
        });
    }
    if observed.is_empty() && problems.is_empty() {
        problems.push(format!(
            "no {TOKENS_DIR}/*.jwt in snapshot — mounted token lifetimes unknown"
        ));
    }
    (observed, problems)
}
