//! Rendering of audits, explanations, trust traces and tokens for the command line: plain
//! strings, no terminal control, no IO. The JSON shapes (and the NDJSON records) are a
//! documented, stable interface.

pub mod audit_json;
pub mod audit_junit;
pub mod audit_markdown;
pub mod audit_ndjson;
pub mod audit_sarif;
pub mod audit_table;
pub mod explain_text;
pub mod permission_text;
pub mod token_text;
pub mod trail_text;
pub mod triage_text;
pub mod trust_text;

/// Collapses control characters (a hostile name must never drive the terminal) and the
/// Unicode bidirectional controls (which make text read differently from what it is, e.g.
/// `rtl\u{202e}txt.exe`) into `?`.
pub fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe(c) { '?' } else { c })
        .collect()
}

/// C0 and C1 control characters and the bidirectional formatting characters (embeddings,
/// overrides, isolates and the implicit marks).
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'
        )
}

/// Pretty JSON whose strings hold no raw C1 control (serde_json escapes only C0) and no bidi
/// control: those are written as `\uXXXX` escapes, so the JSON means the same but cannot
/// drive the terminal it is printed on. Use it for every JSON the command line prints.
pub fn to_json_pretty<T: serde::Serialize + ?Sized>(value: &T) -> serde_json::Result<String> {
    serde_json::to_string_pretty(value).map(|text| escape_unsafe_in_json(&text))
}

/// Replaces each unsafe character of JSON text by its `\uXXXX` escape. Apart from the
/// structural white space (kept), such characters can only occur inside JSON strings, where
/// the escape means the same character.
pub fn escape_unsafe_in_json(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    push_escaped_json(&mut out, json);
    out
}

/// [`escape_unsafe_in_json`], appending to `out` (one NDJSON line after another).
pub fn push_escaped_json(out: &mut String, json: &str) {
    for c in json.chars() {
        if is_unsafe(c) && !matches!(c, '\n' | '\r' | '\t') {
            out.push_str(&format!("\\u{:04x}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
}

/// A serde (JSON or YAML) error message without the input values it quotes. serde's
/// "invalid type: string \"…\", expected …" and "unknown variant `…`" messages repeat the
/// offending value, which may be a secret (an env list written as `["KEY=secret"]`); every
/// double-quoted segment becomes `"…"`, a back-quoted one too unless it is a plain identifier
/// (a field or variant name such as `name`, which says where the problem is). The result is
/// one line, cleaned of control characters.
pub fn redact_serde_message(message: &str) -> String {
    let mut out = String::with_capacity(message.len());
    let mut chars = message.chars();
    while let Some(c) = chars.next() {
        match c {
            '"' => {
                let mut escaped = false;
                for inner in chars.by_ref() {
                    match (escaped, inner) {
                        (false, '\\') => escaped = true,
                        (false, '"') => break,
                        _ => escaped = false,
                    }
                }
                out.push_str("\"…\"");
            }
            '`' => {
                let quoted: String = chars.by_ref().take_while(|&q| q != '`').collect();
                let identifier = quoted.len() <= 64
                    && quoted
                        .chars()
                        .all(|q| q.is_ascii_alphanumeric() || "_-.".contains(q));
                out.push('`');
                out.push_str(if identifier { &quoted } else { "…" });
                out.push('`');
            }
            c => out.push(c),
        }
    }
    clean(&out.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_replaces_controls_and_bidi_overrides() {
        assert_eq!(clean("a\u{1b}[2Jb\u{9b}c\rd"), "a?[2Jb?c?d");
        assert_eq!(clean("rtl\u{202e}txt.exe\u{2066}"), "rtl?txt.exe?");
        assert_eq!(clean("ünïcödé ok"), "ünïcödé ok");
    }

    #[test]
    fn json_output_escapes_c1_and_bidi_but_means_the_same() {
        let value = serde_json::json!({"name": "csi\u{9b}31m rtl\u{202e}x \u{1b}"});
        let text = to_json_pretty(&value).expect("json");
        assert!(text.contains("csi\\u009b31m rtl\\u202ex \\u001b"), "{text}");
        assert!(!text.chars().any(|c| is_unsafe(c) && c != '\n'));
        let back: serde_json::Value = serde_json::from_str(&text).expect("still JSON");
        assert_eq!(back, value);
    }

    #[test]
    fn serde_messages_lose_quoted_values_but_keep_field_names() {
        let secret = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPx\\\"q";
        let message = format!(
            "spec.containers[0].env[0]: invalid type: string \"{secret}\", expected EnvVar at line 6 column 11"
        );
        let redacted = redact_serde_message(&message);
        assert_eq!(
            redacted,
            "spec.containers[0].env[0]: invalid type: string \"…\", expected EnvVar at line 6 column 11"
        );
        assert_eq!(
            redact_serde_message("missing field `name` at line 1 column 2"),
            "missing field `name` at line 1 column 2"
        );
        assert_eq!(
            redact_serde_message("unknown variant `s3cr3t/+value`, expected `TCP` or `UDP`"),
            "unknown variant `…`, expected `TCP` or `UDP`"
        );
        assert_eq!(redact_serde_message("a\nb \u{1b}c"), "a b ?c");
    }
}
