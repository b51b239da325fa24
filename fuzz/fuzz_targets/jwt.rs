//! JWT decoder (`analysis::token::decode`) and the token report, over arbitrary text.
//!
//! Invariants besides "no panic": a decoded token and its rendering never hold the signature
//! (part 3) unless the header or payload itself carries that text; an error message never
//! quotes a part of the input (checked for runs of 24+ characters without white space: the
//! fuzzer found that input made of the messages' own words trivially "matches" them).
#![no_main]

use base64::Engine as _;
use irsa_core::analysis::token;
use irsa_core::report::token_text;
use jiff::Timestamp;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let parts: Vec<&str> = text.trim().split('.').collect();
    match token::decode(&text) {
        Ok(decoded) => {
            let mut shown = format!("{decoded:?}");
            shown.push_str(&serde_json::to_string(&decoded).unwrap_or_default());
            for now in [Timestamp::UNIX_EPOCH, Timestamp::MIN, Timestamp::MAX] {
                let lifetime = decoded.lifetime(now);
                shown.push_str(&token_text::render(&decoded, lifetime.as_ref()));
            }
            let _ = decoded.subject_service_account();
            if let [header, payload, signature] = parts.as_slice()
                && signature.len() >= 16
            {
                let carried = |part: &str| {
                    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .decode(part.trim_end_matches('='))
                        .unwrap_or_default();
                    String::from_utf8_lossy(&bytes).contains(signature)
                        || format!("{:?}", String::from_utf8_lossy(&bytes)).contains(signature)
                };
                assert!(
                    !shown.contains(signature) || carried(header) || carried(payload),
                    "signature leaked into the decoded token or its rendering"
                );
            }
        }
        Err(e) => {
            let message = e.to_string();
            // Every message is fixed text around numbers and claim names, whose space- and
            // dot-free runs are all shorter than 24 characters: a longer run of the input
            // (a base64url part) in the message can only be an echo of the token.
            for part in &parts {
                let quotable = part.len() >= 24 && !part.contains(char::is_whitespace);
                assert!(
                    !quotable || !message.contains(part),
                    "error message quotes the token: {message}"
                );
            }
        }
    }
});
