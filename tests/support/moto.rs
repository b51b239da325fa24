//! `moto_server` (PyPI `moto[server]`, the standard AWS emulator) for integration tests: one
//! server per test binary on a free loopback port, reset between tests, stopped when the test
//! process ends.
//!
//! Provisioning: the venv lives outside the clone (`$IRSA_MOTO_VENV`, default
//! `~/.cache/irsa-inspector/moto-venv`) and is created on first use with `python3 -m venv` and
//! `pip install "moto[server]==<MOTO_VERSION>"` under a file lock, so parallel test binaries do
//! not race and a fresh machine needs only python3 and network access to PyPI
//! (`scripts/moto-venv.sh` does the same by hand). The same venv also gets `duckdb` for the
//! fleet queries (`super::duckdb`).
//!
//! Stopping: the server runs under a tiny Python wrapper that exits as soon as its stdin closes.
//! The test process holds the write end, so the server dies with the test binary even though
//! the static harness is never dropped; `Drop` also kills it when a harness is dropped.

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::Credentials;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The moto release the harness installs (the one DESIGN.md's facts were measured with).
pub const MOTO_VERSION: &str = "5.2.5";
/// The account moto answers for.
pub const ACCOUNT: &str = "123456789012";
/// The region the demo lab lives in.
pub const REGION: &str = "eu-west-1";

const WRAPPER: &str = r#"
import os, sys, threading
def watch():
    sys.stdin.read()
    os._exit(0)
threading.Thread(target=watch, daemon=True).start()
from moto.server import main
main(["-H", "127.0.0.1", "-p", sys.argv[1]])
"#;

/// A running moto server.
pub struct Moto {
    pub endpoint: String,
    port: u16,
    child: Child,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Exclusive use of this binary's moto server for one test (reset on entry).
pub struct MotoGuard {
    pub endpoint: String,
    _lock: tokio::sync::MutexGuard<'static, ()>,
}

static SERVER: OnceLock<Moto> = OnceLock::new();
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// The venv folder.
pub fn venv_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("IRSA_MOTO_VENV") {
        return PathBuf::from(dir);
    }
    let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
    home.join(".cache/irsa-inspector/moto-venv")
}

/// Creates the venv with moto if it is missing (under a lock shared by all test binaries).
pub fn ensure_venv() -> PathBuf {
    let dir = venv_dir();
    let ready = dir.join(".moto-ready");
    if ready.exists() {
        return dir;
    }
    let parent = dir.parent().expect("venv dir has a parent");
    fs::create_dir_all(parent).expect("create venv parent");
    let lock = File::create(parent.join("moto-venv.lock")).expect("create lock file");
    lock.lock().expect("lock the venv");
    if !ready.exists() {
        run(Command::new("python3").arg("-m").arg("venv").arg(&dir));
        run(Command::new(dir.join("bin/pip")).args([
            "install",
            "--quiet",
            "--disable-pip-version-check",
            &format!("moto[server]=={MOTO_VERSION}"),
        ]));
        File::create(&ready).expect("mark venv ready");
    }
    dir
}

fn run(cmd: &mut Command) {
    let status = cmd.status().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(status.success(), "{cmd:?} failed: {status}");
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

/// Sends one bodiless HTTP request to moto and returns the status code.
fn http(port: u16, method: &str, path: &str) -> std::io::Result<u16> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    )?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    text.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {text:?}")))
}

fn start() -> Moto {
    let venv = ensure_venv();
    let port = free_port();
    let log = std::env::temp_dir().join(format!("irsa-inspector-moto-{port}.log"));
    let log = File::create(&log).expect("moto log file");
    let child = Command::new(venv.join("bin/python"))
        .arg("-c")
        .arg(WRAPPER)
        .arg(port.to_string())
        .env("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")
        .stdin(Stdio::piped())
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start moto_server");
    let deadline = Instant::now() + Duration::from_secs(60);
    while http(port, "GET", "/moto-api/").is_err() {
        assert!(Instant::now() < deadline, "moto_server did not start");
        std::thread::sleep(Duration::from_millis(100));
    }
    Moto {
        endpoint: format!("http://127.0.0.1:{port}"),
        port,
        child,
    }
}

/// This binary's moto server, started on first use, reset, for the caller's exclusive use.
pub async fn moto() -> MotoGuard {
    let lock = SERIAL.lock().await;
    let server = SERVER.get_or_init(start);
    let status = http(server.port, "POST", "/moto-api/reset").expect("reset moto");
    assert_eq!(status, 200, "moto reset");
    MotoGuard {
        endpoint: server.endpoint.clone(),
        _lock: lock,
    }
}

/// SDK configuration for an emulator at `endpoint`: static test credentials, the demo's region,
/// and SDK retries off (so unimplemented calls fail at once) unless `retries` is given.
pub async fn sdk_config(endpoint: &str, retries: Option<RetryConfig>) -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(Credentials::new(
            "testing-access-key",
            "testing-secret-key",
            None,
            None,
            "moto-test",
        ))
        .retry_config(retries.unwrap_or_else(RetryConfig::disabled))
        .load()
        .await
}
