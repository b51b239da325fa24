//! Keeps the architecture honest: the analysis core stays pure (no IO, no clock, no runtime,
//! (address *parsing* via `std::net::IpAddr` is pure and allowed; sockets are not)
//! no terminal, no network clients), and non-test code has no `unwrap()`.

use std::fs;
use std::path::{Path, PathBuf};

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in fs::read_dir(dir).expect("read src dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(rust_files(&path));
        } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("tests.rs") {
            // `foo/tests.rs` files are `#[cfg(test)] mod tests;` bodies: test code.
            out.push(path);
        }
    }
    out
}

/// The part of a file before its first `#[cfg(test)]`.
fn non_test_part(text: &str) -> &str {
    text.split("#[cfg(test)]").next().unwrap_or(text)
}

#[test]
fn analysis_core_is_pure() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/analysis");
    let forbidden = [
        "std::fs",
        "TcpStream",
        "TcpListener",
        "UdpSocket",
        "ToSocketAddrs",
        "std::process",
        "std::env",
        "std::io::stdin",
        "Timestamp::now",
        "SystemTime",
        "Instant::now",
        "tokio",
        "ratatui",
        "crossterm",
        "aws_sdk",
        "aws_config",
        "kube::",
        "reqwest",
        "println!",
        "eprintln!",
    ];
    let mut violations = Vec::new();
    let files = rust_files(&root);
    assert!(
        files.len() >= 8,
        "expected the analysis modules under {}",
        root.display()
    );
    for file in files {
        let text = fs::read_to_string(&file).expect("read source");
        for (n, line) in non_test_part(&text).lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for f in forbidden {
                if line.contains(f) {
                    violations.push(format!("{}:{}: uses {f}", file.display(), n + 1));
                }
            }
        }
    }
    assert!(
        violations.is_empty(),
        "src/analysis must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_unwrap_outside_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut violations = Vec::new();
    for file in rust_files(&root) {
        let text = fs::read_to_string(&file).expect("read source");
        for (n, line) in non_test_part(&text).lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") {
                continue;
            }
            if code.contains(".unwrap()") || code.contains(".expect(") {
                violations.push(format!("{}:{}: {}", file.display(), n + 1, code));
            }
        }
    }
    assert!(
        violations.is_empty(),
        "unwrap/expect outside tests:\n{}",
        violations.join("\n")
    );
}
