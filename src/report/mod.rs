//! Rendering of audits, explanations, trust traces and tokens for the command line: plain
//! strings, no terminal control, no IO. The JSON shapes are a documented, stable interface.

pub mod audit_json;
pub mod audit_markdown;
pub mod audit_table;
pub mod explain_text;
pub mod token_text;
pub mod trust_text;

/// Collapses control characters (a hostile name must never drive the terminal) into `?`.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}
