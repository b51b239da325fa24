//! Snapshot loader (`sources::snapshot::load_files`, the path `load_dir` takes after reading
//! the folder) followed by the audit and its three renderings, over a set of files built from
//! the input.
//!
//! Input format (human-readable, so seeds are real snapshot files): one or more sections,
//! each starting with a line `=== <file name>` (e.g. `=== kubernetes.json`,
//! `=== tokens/demo.s3-test.jwt`), followed by that file's text. Text before the first
//! header is `kubernetes.json`.
#![no_main]

use irsa_core::analysis::audit;
use irsa_core::report::{audit_json, audit_markdown, audit_table};
use irsa_core::snapshot::{SnapshotFiles, load_files};
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let mut files = SnapshotFiles::new("fuzz");
    let mut name = "kubernetes.json".to_owned();
    let mut body = String::new();
    for line in text.split_inclusive('\n') {
        if let Some(next) = line.strip_prefix("=== ") {
            files.insert(name, std::mem::take(&mut body));
            name = next.trim_end().to_owned();
        } else {
            body.push_str(line);
        }
    }
    files.insert(name, body);
    let Ok(inventory) = load_files(&files) else {
        return;
    };
    let now = Timestamp::from_second(1_767_225_600).unwrap_or(Timestamp::UNIX_EPOCH);
    let report = audit::audit(&inventory, now);
    let _ = audit_table::render(&report);
    let _ = audit_markdown::render(&report);
    let _ = audit_json::render(&report);
});
