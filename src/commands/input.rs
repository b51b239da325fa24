//! Reading the files (or standard input) a command is given, with errors naming the file.

use anyhow::{Context, Result, bail};
use std::io::Read;
use std::path::Path;

/// Reads `path`, or standard input when it is `-`.
pub fn read_text(path: &str) -> Result<String> {
    if path == "-" {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .context("standard input: cannot read")?;
        return Ok(text);
    }
    read_file(Path::new(path))
}

pub fn read_file(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("{}: cannot read", path.display()))
}

/// Parses YAML or JSON (JSON is YAML) into `T`, naming the file on error.
/// serde's message is shown without the values it quotes (they may be secrets).
pub fn parse_yaml<T: serde::de::DeserializeOwned>(label: &str, text: &str) -> Result<T> {
    serde_yaml_ng::from_str(text).map_err(|e| {
        anyhow::anyhow!(
            "{label}: not a valid object: {}",
            irsa_core::report::redact_serde_message(&e.to_string())
        )
    })
}

/// `NAMESPACE/NAME` (a pod or ServiceAccount argument); the error names `kind`.
pub fn namespace_name(name: &str, kind: &str) -> Result<(String, String)> {
    match name.split_once('/') {
        Some((ns, n)) if !ns.is_empty() && !n.is_empty() && !n.contains('/') => {
            Ok((ns.to_owned(), n.to_owned()))
        }
        _ => bail!("{kind} {name:?}: expected NAMESPACE/NAME"),
    }
}
