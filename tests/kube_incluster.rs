//! The in-cluster configuration, honestly: kube-rs reads the ServiceAccount from fixed paths
//! (`/var/run/secrets/kubernetes.io/serviceaccount/{token,ca.crt,namespace}`) and speaks https
//! to `KUBERNETES_SERVICE_HOST:KUBERNETES_SERVICE_PORT`. The binary runs in a private mount
//! namespace (`unshare -rm`, an unprivileged user namespace) where a tmpfs over `/run` holds
//! those files, so nothing is written to the host's system paths; the stand-in API server is
//! reached through a TLS front whose certificate is signed by the `ca.crt` the pod "mounts".
//! The CA and the server certificate are made in-process (`rcgen`, on the aws-lc-rs backend
//! the build already has).
//!
//! A machine that refuses unprivileged user namespaces (a container without `CAP_SYS_ADMIN`,
//! `kernel.unprivileged_userns_clone=0`, AppArmor's `restrict_unprivileged_userns`) cannot
//! run this test: it then says SKIPPED on standard error, past the test harness' capture, and
//! passes — unless `IRSA_REQUIRE_USERNS=1`, which makes that a failure (as `IRSA_REQUIRE_TMUX`
//! does for the tmux tests).

mod support;

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use std::io::Write;
use std::process::Command;
use std::sync::Arc;
use support::apiserver::StandIn;
use support::objects;
use tokio::net::{TcpListener, TcpStream};

/// Whether `unshare -rm` works here and may mount a tmpfs (what the test does). When it does
/// not: a failure under `IRSA_REQUIRE_USERNS`, else a SKIPPED line and `false`.
fn user_namespaces(test: &str) -> bool {
    let probe = Command::new("unshare")
        .args(["-rm", "sh", "-c", "mount -t tmpfs tmpfs /run"])
        .output();
    let why = match probe {
        Ok(out) if out.status.success() => return true,
        Ok(out) => format!(
            "`unshare -rm` is refused here ({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => format!("`unshare` (util-linux) cannot run ({e})"),
    };
    assert!(
        std::env::var_os("IRSA_REQUIRE_USERNS").is_none(),
        "{why}, and IRSA_REQUIRE_USERNS is set: allow unprivileged user namespaces \
         (sysctl kernel.unprivileged_userns_clone=1, \
         kernel.apparmor_restrict_unprivileged_userns=0) or run where they are allowed"
    );
    // Straight to the process' standard error: the harness captures eprintln! of passing tests.
    let _ = writeln!(
        std::io::stderr(),
        "\n*** SKIPPED {test}: {why}. Set IRSA_REQUIRE_USERNS=1 to make this a failure. ***\n"
    );
    false
}

/// A CA, and a certificate for `127.0.0.1` signed by it (webpki refuses a CA used as the
/// leaf): the CA's PEM (the pod's `ca.crt`), the server's certificate and key.
fn certificates() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let ca_key = KeyPair::generate().expect("CA key");
    let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name.push(DnType::CommonName, "standin-ca");
    ca.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca_pem = ca.self_signed(&ca_key).expect("self-signed CA").pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate().expect("server key");
    let mut server =
        CertificateParams::new(vec!["127.0.0.1".to_owned()]).expect("server parameters");
    server
        .distinguished_name
        .push(DnType::CommonName, "standin");
    let cert = server.signed_by(&key, &issuer).expect("server certificate");
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    (ca_pem, cert.der().clone(), key)
}

/// Terminates TLS on a local port and forwards each connection to the stand-in's plain port.
async fn tls_front(
    cert: CertificateDer<'static>,
    key: PrivateKeyDer<'static>,
    backend: std::net::SocketAddr,
) -> u16 {
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::aws_lc_rs::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(vec![cert], key)
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
    if !user_namespaces("inside_a_pod_the_mounted_service_account_and_https_are_used") {
        return;
    }
    let server = StandIn::start(objects::demo_lab()).await;
    let dir = tempfile::tempdir().unwrap();
    let (ca_pem, cert, key) = certificates();
    let port = tls_front(cert, key, server.addr()).await;
    let sa = dir.path().join("serviceaccount");
    std::fs::create_dir(&sa).unwrap();
    std::fs::write(sa.join("ca.crt"), ca_pem).unwrap();
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
