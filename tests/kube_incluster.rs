//! The in-cluster configuration, honestly: kube-rs reads the ServiceAccount from fixed paths
//! (`/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}`) and speaks https
//! to `KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT`. The binary runs in a private mount
//! namespace (`unshare -rm`, an unprivileged user namespace) where a tmpfs over `/run` holds
//! those files, so nothing is written to the host's system paths; the stand-in API server is
//! reached through a TLS front whose certificate is signed by the `ca.crt` the pod "mounts".
//! Needs `unshare` with user namespaces and the `openssl` CLI; without them the test fails
//! saying so rather than passing vacuously.

mod support;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use support::apiserver::StandIn;
use support::objects;
use tokio::net::{TcpListener, TcpStream};

fn openssl(dir: &Path, args: &[&str]) {
    let out = Command::new("openssl")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("the openssl CLI is needed for this test");
    assert!(
        out.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A CA and a leaf for `127.0.0.1` signed by it (webpki refuses a CA used as the leaf).
fn certificates(dir: &Path) {
    let ec = [
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
    ];
    let mut ca = vec!["req", "-x509"];
    ca.extend(ec);
    ca.extend([
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-days",
        "1",
        "-subj",
        "/CN=standin-ca",
    ]);
    openssl(dir, &ca);
    let mut csr = vec!["req"];
    csr.extend(ec);
    csr.extend([
        "-keyout",
        "tls.key",
        "-out",
        "tls.csr",
        "-subj",
        "/CN=standin",
    ]);
    openssl(dir, &csr);
    std::fs::write(dir.join("san.ext"), "subjectAltName=IP:127.0.0.1\n").unwrap();
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "tls.csr",
            "-CA",
            "ca.crt",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "tls.crt",
            "-days",
            "1",
            "-extfile",
            "san.ext",
        ],
    );
}

/// Terminates TLS on a local port and forwards each connection to the stand-in's plain port.
async fn tls_front(dir: &Path, backend: std::net::SocketAddr) -> u16 {
    let certs: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(dir.join("tls.crt"))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let key = PrivateKeyDer::from_pem_file(dir.join("tls.key")).unwrap();
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(certs, key)
    .unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(Arc::new(config));
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let Ok(mut tls) = acceptor.accept(stream).await else {
                    return;
                };
                if let Ok(mut plain) = TcpStream::connect(backend).await {
                    let _ = tokio::io::copy_bidirectional(&mut tls, &mut plain).await;
                }
            });
        }
    });
    port
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_a_pod_the_mounted_service_account_and_https_are_used() {
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    certificates(dir.path());
    let port = tls_front(dir.path(), server.addr()).await;
    let sa = dir.path().join("serviceaccount");
    std::fs::create_dir(&sa).unwrap();
    std::fs::copy(dir.path().join("ca.crt"), sa.join("ca.crt")).unwrap();
    std::fs::write(sa.join("namespace"), "tools").unwrap();
    std::fs::write(sa.join("token"), "in-cluster-test-token").unwrap();

    let bin = assert_cmd::cargo::cargo_bin("irsa-inspector");
    let script = "mount -t tmpfs tmpfs /run \
        && mkdir -p /var/run/secrets/kubernetes.io/serviceaccount \
        && cp \"$SA_DIR\"/* /var/run/secrets/kubernetes.io/serviceaccount/ \
        && exec \"$BIN\" audit --format json";
    let out = tokio::task::spawn_blocking(move || {
        Command::new("unshare")
            .args(["-rm", "sh", "-c", script])
            .env_remove("KUBECONFIG")
            .env("HOME", "/nonexistent")
            .env("KUBERNETES_SERVICE_HOST", "127.0.0.1")
            .env("KUBERNETES_SERVICE_PORT", port.to_string())
            .env("SA_DIR", &sa)
            .env("BIN", &bin)
            .output()
            .expect("unshare (util-linux) is needed for this test")
    })
    .await
    .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).expect("audit json");
    assert_eq!(
        report["pods"].as_array().map(Vec::len),
        Some(
            objects::demo_lab()
                .iter()
                .filter(|o| o["kind"] == "Pod")
                .count()
        ),
        "every pod of the stand-in, read over https with the mounted ServiceAccount"
    );
    assert!(!stderr.contains("in-cluster-test-token"), "{stderr}");
}
