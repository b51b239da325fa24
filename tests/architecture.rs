//! Keeps the architecture honest:
//!
//! - the core crate's dependency tree holds no IO crate (`cargo tree -e normal -p irsa-core`),
//!   and its analysis stays pure (no IO, no clock, no runtime, no terminal, no network clients;
//!   address *parsing* via `std::net::IpAddr` is pure and allowed, sockets are not);
//! - the application crate's top-level modules import in one direction: the edges are read from
//!   every `crate::…` path in non-test code (grouped `use crate::{a, b::c}` included), checked
//!   against the rules of CONTRIBUTING's layout section, and the graph has no cycle;
//! - non-test code has no `unwrap()`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

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
    // The core crate's model, analysis and reports; only `snapshot` reads files.
    let core = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/irsa-core/src");
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
    let mut files = Vec::new();
    for module in ["analysis", "model", "report"] {
        files.extend(rust_files(&core.join(module)));
    }
    assert!(
        files.len() >= 30,
        "expected the core modules under {}",
        core.display()
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
        "the core crate's model, analysis and reports must stay pure:\n{}",
        violations.join("\n")
    );
}

#[test]
fn no_unwrap_outside_tests() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut violations = Vec::new();
    let mut files = rust_files(&root.join("src"));
    files.extend(rust_files(&root.join("crates/irsa-core/src")));
    for file in files {
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

/// The core crate must build without any IO, async, cloud or terminal crate: the fast inner loop
/// (`cargo test -p irsa-core`) and the fuzz crate depend on it.
#[test]
fn core_crate_depends_on_no_io_crate() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = Command::new(env!("CARGO"))
        .current_dir(root)
        .args([
            "tree",
            "--offline",
            "-e",
            "normal",
            "-p",
            "irsa-core",
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .output()
        .expect("run cargo tree");
    assert!(
        out.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tree = String::from_utf8_lossy(&out.stdout);
    let crates: BTreeSet<&str> = tree
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(crates.contains("irsa-core"), "cargo tree printed:\n{tree}");
    assert!(crates.contains("serde_json"), "cargo tree printed:\n{tree}");
    let forbidden = |name: &str| {
        [
            "tokio",
            "kube",
            "hyper",
            "ratatui",
            "crossterm",
            "reqwest",
            "mio",
        ]
        .contains(&name)
            || name.starts_with("tokio-")
            || name.starts_with("kube-")
            || name.starts_with("hyper-")
            || name.starts_with("aws-")
            || name.starts_with("ratatui-")
    };
    let found: Vec<&str> = crates.iter().copied().filter(|c| forbidden(c)).collect();
    assert!(
        found.is_empty(),
        "irsa-core must not depend on IO crates, found: {found:?}"
    );
}

/// Non-test code of a file: before its first `#[cfg(test)]`, line comments removed.
fn code_of(text: &str) -> String {
    non_test_part(text)
        .lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first identifier of `text`.
fn ident(text: &str) -> Option<&str> {
    let text = text.trim_start();
    let end = text
        .find(|c: char| !(c.is_alphanumeric() || c == '_'))
        .unwrap_or(text.len());
    (end > 0).then(|| &text[..end])
}

/// The top-level modules a piece of code names through `crate::` paths.
fn crate_modules(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::{c, d}, e}`: the first identifier of each top-level item.
            let mut depth = 1;
            let mut item_start = 0;
            for (j, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' => depth -= 1,
                    ',' if depth == 1 => {
                        out.extend(ident(&group[item_start..j]).map(str::to_owned));
                        item_start = j + 1;
                    }
                    _ => {}
                }
                if depth == 0 {
                    out.extend(ident(&group[item_start..j]).map(str::to_owned));
                    break;
                }
            }
        } else {
            out.extend(ident(rest).map(str::to_owned));
        }
    }
    out
}

/// The application crate's module graph: top-level module → the top-level modules its
/// non-test code names. The binary's own modules (`main`, `cli`, `commands`) sit above
/// everything and are left out; `tests.rs` / `*_tests.rs` files are test code.
fn module_graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in rust_files(&src) {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let top = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        let name = file.file_name().expect("file name").to_string_lossy();
        if ["main", "cli", "commands", "lib"].contains(&top.as_str()) || name.ends_with("_tests.rs")
        {
            continue;
        }
        let text = fs::read_to_string(&file).expect("read source");
        let edges = graph.entry(top.clone()).or_default();
        edges.extend(
            crate_modules(&code_of(&text))
                .into_iter()
                .filter(|m| *m != top),
        );
    }
    graph
}

#[test]
fn the_module_graph_is_read_from_the_sources() {
    // The reader itself: a grouped, multi-line import counts every group's head.
    let code =
        "use crate::{\n    messages::{A, B},\n    rows::Row,\n};\nlet x = crate::tone::Tone::Good;";
    let found: Vec<String> = crate_modules(code).into_iter().collect();
    assert_eq!(found, ["messages", "rows", "tone"]);
    let graph = module_graph();
    for module in ["app", "sources", "state", "ui", "messages", "rows"] {
        assert!(
            graph.contains_key(module),
            "no module {module} in {graph:?}"
        );
    }
    assert!(
        graph["app"].contains("state"),
        "the loop owns the state: {graph:?}"
    );
}

#[test]
fn imports_point_one_way() {
    let graph = module_graph();
    // module → the modules it must never name.
    let rules: &[(&str, &[&str])] = &[
        // The UI never reaches into IO: it sees sources only through `messages`.
        ("state", &["sources", "app", "ui"]),
        ("ui", &["sources", "app", "side_effect"]),
        // Sources only send messages: never the state, the draw code, the loop or its input.
        (
            "sources",
            &["state", "ui", "app", "action", "keymap", "side_effect"],
        ),
        // What crosses between sources and the loop: the core crate plus the two leaves the
        // feeder needs to derive rows off the UI thread.
        (
            "messages",
            &[
                "state",
                "ui",
                "app",
                "sources",
                "action",
                "keymap",
                "side_effect",
            ],
        ),
        ("side_effect", &["state", "ui", "app", "sources"]),
        ("keymap", &["state", "ui", "app", "sources"]),
        (
            "rows",
            &[
                "state",
                "ui",
                "app",
                "sources",
                "messages",
                "action",
                "side_effect",
            ],
        ),
    ];
    let leaves = ["tone", "action", "runtime", "logging", "error"];
    let mut violations = Vec::new();
    for (module, never) in rules {
        let edges = graph.get(*module).cloned().unwrap_or_default();
        for target in *never {
            if edges.contains(*target) {
                violations.push(format!("{module} imports {target}"));
            }
        }
    }
    for leaf in leaves {
        if let Some(edges) = graph.get(leaf).filter(|e| !e.is_empty()) {
            violations.push(format!("{leaf} is a leaf but imports {edges:?}"));
        }
    }
    assert!(
        violations.is_empty(),
        "{}\n{graph:#?}",
        violations.join("\n")
    );
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = module_graph();
    // Depth-first search with colours: meeting a grey node again closes a cycle.
    fn visit<'a>(
        node: &'a str,
        graph: &'a BTreeMap<String, BTreeSet<String>>,
        colour: &mut BTreeMap<&'a str, u8>,
        path: &mut Vec<&'a str>,
    ) -> Option<Vec<String>> {
        match colour.get(node) {
            Some(2) => return None,
            Some(1) => {
                let start = path.iter().position(|n| *n == node).unwrap_or(0);
                let mut cycle: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
                cycle.push(node.to_owned());
                return Some(cycle);
            }
            _ => {}
        }
        colour.insert(node, 1);
        path.push(node);
        for next in graph.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, graph, colour, path) {
                return Some(cycle);
            }
        }
        path.pop();
        colour.insert(node, 2);
        None
    }
    let mut colour = BTreeMap::new();
    for node in graph.keys() {
        let mut path = Vec::new();
        if let Some(cycle) = visit(node, &graph, &mut colour, &mut path) {
            panic!("import cycle: {}\n{graph:#?}", cycle.join(" -> "));
        }
    }
}
