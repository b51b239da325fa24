//! `explain error`: the error-text reader and the triage against the demo lab, over arbitrary
//! text (pasted logs are hostile input).
//!
//! Invariants besides "no panic": what the text report shows carries no control character
//! but newlines and no bidirectional override, whatever the paste held; a text that yields no
//! diagnosis says "not recognised".
#![no_main]

use irsa_core::analysis::audit::{AuditReport, audit};
use irsa_core::analysis::triage;
use irsa_core::model::Inventory;
use irsa_core::report::triage_text;
use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;

static DEMO: LazyLock<(Inventory, AuditReport)> = LazyLock::new(|| {
    let inv = irsa_core::snapshot::load_demo().expect("demo loads");
    let now = inv.captured_at.expect("capture time");
    let report = audit(&inv, now);
    (inv, report)
});

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let t = triage::explain(&DEMO.0, &DEMO.1, &text);
    let shown = triage_text::triage(&t);
    for c in shown.chars() {
        assert!(
            c == '\n' || !(c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')),
            "control or bidi character {c:?} shown"
        );
    }
    assert_eq!(t.diagnoses.is_empty(), t.not_recognised.is_some());
    let _ = serde_json::to_string(&t).expect("serialises");
});
