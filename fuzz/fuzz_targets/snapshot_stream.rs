//! Differential check of the two ways `kubernetes.json` is loaded: `load_dir` streams the file
//! through the chunked scanner (`snapshot/scan.rs`, items parsed one at a time, a fallback to the
//! whole-text parse for unusual files), `load_files` parses the same text whole. On any input
//! they must agree: the same ServiceAccounts, pods, nodes and webhook settings, or both an
//! error. The input is the file's bytes (not necessarily UTF-8), written to a per-process
//! folder under the system temp dir.
#![no_main]

use irsa_core::snapshot::{SnapshotFiles, load_dir, load_files};
use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::sync::OnceLock;

static DIR: OnceLock<PathBuf> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let dir = DIR.get_or_init(|| {
        let d = std::env::temp_dir().join(format!("irsa-fuzz-stream-{}", std::process::id()));
        std::fs::create_dir_all(&d).expect("fuzz folder");
        d
    });
    std::fs::write(dir.join("kubernetes.json"), data).expect("write kubernetes.json");
    let streamed = load_dir(dir);
    let whole = match std::str::from_utf8(data) {
        Ok(text) => {
            load_files(&SnapshotFiles::new("fuzz").with("kubernetes.json", text.to_owned()))
        }
        // Not UTF-8: the folder route must refuse it.
        Err(_) => {
            assert!(streamed.is_err(), "non-UTF-8 kubernetes.json loaded");
            return;
        }
    };
    match (streamed, whole) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a.service_accounts, b.service_accounts);
            assert_eq!(a.pods, b.pods);
            assert_eq!(a.nodes, b.nodes);
            assert_eq!(a.webhook, b.webhook);
        }
        (Err(_), Err(_)) => {}
        (a, b) => panic!(
            "the routes disagree: load_dir {:?}, load_files {:?}",
            a.map(|i| i.pods.len()).map_err(|e| e.to_string()),
            b.map(|i| i.pods.len()).map_err(|e| e.to_string())
        ),
    }
});
