//! DuckDB (PyPI `duckdb`, a wheel) in the moto venv, for `tests/fleet_queries.rs`: it runs the
//! fleet queries of `deploy/sql/queries/` as a user would on downloaded records.

use super::moto::ensure_venv;
use std::fs::File;
use std::path::PathBuf;
use std::process::Command;

/// The DuckDB release installed (a CPython 3.11 x86_64 wheel is on PyPI; keep in step with
/// `scripts/moto-venv.sh`).
pub const DUCKDB_VERSION: &str = "1.4.4";

/// The venv's Python with `duckdb` importable: the moto venv, with `duckdb==DUCKDB_VERSION`
/// added on first use under the same lock. A missing python3 or PyPI is a failure, as for moto.
pub fn python() -> PathBuf {
    let dir = ensure_venv();
    let ready = dir.join(format!(".duckdb-{DUCKDB_VERSION}-ready"));
    if !ready.exists() {
        let parent = dir.parent().expect("venv dir has a parent");
        let lock = File::create(parent.join("moto-venv.lock")).expect("create lock file");
        lock.lock().expect("lock the venv");
        if !ready.exists() {
            let status = Command::new(dir.join("bin/pip"))
                .args([
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    &format!("duckdb=={DUCKDB_VERSION}"),
                ])
                .status()
                .expect("run pip");
            assert!(
                status.success(),
                "pip install duckdb=={DUCKDB_VERSION}: {status}"
            );
            File::create(&ready).expect("mark duckdb ready");
        }
    }
    dir.join("bin/python")
}
