//! `irsa-inspector decode-token`: header, claims and lifetime; the signature is never printed.

use super::input::read_text;
use crate::cli::{DecodeTokenArgs, TextOrJson};
use anyhow::{Result, anyhow};
use irsa_core::analysis::token;
use irsa_core::report::token_text;
use jiff::Timestamp;
use serde_json::json;
use std::process::ExitCode;

pub fn run(args: &DecodeTokenArgs, now: Timestamp) -> Result<ExitCode> {
    let label = if args.token == "-" {
        "standard input"
    } else {
        args.token.as_str()
    };
    let text = read_text(&args.token)?;
    let decoded = token::decode(&text).map_err(|e| anyhow!("{label}: {e}"))?;
    drop(text);
    let lifetime = decoded.lifetime(now);
    match args.format {
        TextOrJson::Json => outln!(
            "{}",
            irsa_core::report::to_json_pretty(&json!({
                "header": decoded.header,
                "claims": decoded.claims,
                "lifetime": lifetime,
            }))?
        ),
        TextOrJson::Text => out!("{}", token_text::render(&decoded, lifetime.as_ref())),
    }
    Ok(ExitCode::SUCCESS)
}
