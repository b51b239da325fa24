//! A tiny HTTP proxy in front of moto that injects AWS faults for chosen calls: `AccessDenied`
//! (as AWS sends it when a permission is missing), a few `Throttling` answers before letting
//! the call through, an answer held back past the client's timeout, a truncated 200, or the
//! expired-credentials error each service sends. moto itself enforces no IAM permissions by
//! default, never throttles, hangs or expires a token, so this is how the tests provoke them.
//! The rules can be changed while the proxy runs ([`FaultProxy::set_rules`]): a fault that
//! starts and ends in the middle of a session.
//!
//! Each connection carries one request and is closed after the answer (`Connection: close`),
//! which hyper (the SDK's HTTP client) honours by opening a new connection for the next call.
//! A call is recognised by its service (the SigV4 credential scope in `Authorization`) and its
//! action (`Action=` of the query protocols: IAM, STS, EC2) or its path (EKS's REST API).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What to do to a matching call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Answer every matching call with the service's access-denied error.
    Deny,
    /// Answer the first `n` matching calls with the service's throttling error.
    Throttle(u32),
    /// Hold every matching call this long before forwarding it (a hanging endpoint).
    Delay(Duration),
    /// Answer every matching call with `200 OK` and a body that is not the answer (JSON cut
    /// off in the middle; an HTML page where XML was expected).
    Garbage,
    /// Answer every matching call with the service's expired-credentials error: IAM and STS
    /// `ExpiredToken`, EC2 `RequestExpired`, EKS `ExpiredTokenException`.
    Expire,
    /// Answer every matching call with `200 OK` and this body: a recorded response, for a call
    /// moto does not implement (IAM's query API answers XML).
    Answer(&'static str),
}

/// A rule: `service` (`iam`, `ec2`, `eks`, `sts`, `s3`) and an action name or path fragment.
#[derive(Debug, Clone)]
pub struct Rule {
    pub service: &'static str,
    pub action: &'static str,
    pub fault: Fault,
}

/// The running proxy.
pub struct FaultProxy {
    pub endpoint: String,
    /// Requests seen per `service:action`, and faults injected per `service:action`.
    seen: Arc<Mutex<BTreeMap<String, (u32, u32)>>>,
    rules: Arc<Mutex<Vec<Rule>>>,
}

impl FaultProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) applying `rules`.
    pub async fn start(upstream: &str, rules: Vec<Rule>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
        let upstream = upstream.trim_start_matches("http://").to_owned();
        let seen = Arc::new(Mutex::new(BTreeMap::new()));
        let rules = Arc::new(Mutex::new(rules));
        let (state, shared_rules) = (seen.clone(), rules.clone());
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let (rules, seen, upstream) =
                    (shared_rules.clone(), state.clone(), upstream.clone());
                tokio::spawn(async move {
                    let _ = serve(conn, &upstream, &rules, &seen).await;
                });
            }
        });
        Self {
            endpoint,
            seen,
            rules,
        }
    }

    /// Replaces the rules for the calls that come next (a fault starts, or ends with `[]`).
    pub fn set_rules(&self, rules: Vec<Rule>) {
        *self.rules.lock().expect("proxy rules") = rules;
    }

    /// (requests seen, faults injected) for `service:action`.
    pub fn seen(&self, key: &str) -> (u32, u32) {
        self.seen
            .lock()
            .expect("proxy state")
            .get(key)
            .copied()
            .unwrap_or_default()
    }
}

async fn read_request(conn: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::Error::other("closed before the request ended"));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let length: usize = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0);
    let mut body = buf.split_off(head_end);
    while body.len() < length {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

/// `service:action` of a request.
fn call_key(head: &str, body: &[u8]) -> String {
    let service = head
        .split("Credential=")
        .nth(1)
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or("?");
    let body = String::from_utf8_lossy(body);
    let action = body
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .map(str::to_owned)
        .unwrap_or_else(|| head.split_whitespace().nth(1).unwrap_or("?").to_owned());
    format!("{service}:{action}")
}

/// A `200 OK` that is not the service's answer: for the JSON service (EKS) a document cut off
/// in the middle, for the XML ones the HTML page a broken middlebox sends.
fn garbage_response(service: &str) -> String {
    let (content_type, body) = match service {
        "eks" => (
            "application/json",
            r#"{"associations":[{"clusterName":"irsa-lab","associationId":"a-"#,
        ),
        _ => (
            "text/xml",
            "<html><head><title>200 OK</title></head><body>upstream answer lost</body></html>",
        ),
    };
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

fn fault_response(service: &str, fault: Fault) -> String {
    let (status, code) = match (service, fault) {
        ("ec2", Fault::Deny) => ("403 Forbidden", "UnauthorizedOperation"),
        ("ec2", Fault::Throttle(_)) => ("503 Service Unavailable", "RequestLimitExceeded"),
        ("ec2", _) => ("400 Bad Request", "RequestExpired"),
        ("eks", Fault::Deny) => ("403 Forbidden", "AccessDeniedException"),
        ("eks", Fault::Throttle(_)) => ("429 Too Many Requests", "ThrottlingException"),
        ("eks", _) => ("403 Forbidden", "ExpiredTokenException"),
        (_, Fault::Deny) => ("403 Forbidden", "AccessDenied"),
        (_, Fault::Throttle(_)) => ("400 Bad Request", "Throttling"),
        (_, _) => ("403 Forbidden", "ExpiredToken"),
    };
    let message = match fault {
        Fault::Expire => "The security token included in the request is expired",
        _ => "injected by the test proxy",
    };
    let (content_type, extra, body) = match service {
        "eks" => (
            "application/json",
            format!("x-amzn-ErrorType: {code}\r\n"),
            format!(r#"{{"message":"{message}"}}"#),
        ),
        // S3's REST error document has no <ErrorResponse> wrapper.
        "s3" => (
            "application/xml",
            String::new(),
            format!(
                "<Error><Code>{code}</Code><Message>{message}</Message>\
                 <RequestId>test</RequestId></Error>"
            ),
        ),
        "ec2" => (
            "text/xml",
            String::new(),
            format!(
                "<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message>\
                 </Error></Errors><RequestID>test</RequestID></Response>"
            ),
        ),
        _ => (
            "text/xml",
            String::new(),
            format!(
                "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
                 <Message>{message}</Message></Error><RequestId>test</RequestId></ErrorResponse>"
            ),
        ),
    };
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\n{extra}Content-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
}

async fn serve(
    mut conn: TcpStream,
    upstream: &str,
    rules: &Mutex<Vec<Rule>>,
    seen: &Mutex<BTreeMap<String, (u32, u32)>>,
) -> std::io::Result<()> {
    let (head, body) = read_request(&mut conn).await?;
    let key = call_key(&head, &body);
    let (service, action) = key.split_once(':').unwrap_or(("?", "?"));
    let fault = {
        let mut seen = seen.lock().expect("proxy state");
        let entry = seen.entry(key.clone()).or_default();
        entry.0 += 1;
        let rules = rules.lock().expect("proxy rules");
        let rule = rules
            .iter()
            .find(|r| r.service == service && action.contains(r.action));
        let fault = match rule.map(|r| r.fault) {
            Some(Fault::Throttle(n)) if entry.1 < n => Some(Fault::Throttle(n)),
            Some(Fault::Throttle(_)) | None => None,
            Some(other) => Some(other),
        };
        if fault.is_some() {
            entry.1 += 1;
        }
        fault
    };
    match fault {
        Some(Fault::Delay(d)) => tokio::time::sleep(d).await,
        Some(Fault::Garbage) => {
            conn.write_all(garbage_response(service).as_bytes()).await?;
            return conn.shutdown().await;
        }
        Some(Fault::Answer(body)) => {
            let response = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n{body}",
                body.len()
            );
            conn.write_all(response.as_bytes()).await?;
            return conn.shutdown().await;
        }
        Some(fault) => {
            conn.write_all(fault_response(service, fault).as_bytes())
                .await?;
            return conn.shutdown().await;
        }
        None => {}
    }
    // Forward with `Connection: close` so moto ends the response with EOF.
    let head: String = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .map(|l| format!("{l}\r\n"))
        .collect();
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(head.as_bytes()).await?;
    up.write_all(b"Connection: close\r\n\r\n").await?;
    up.write_all(&body).await?;
    let mut answer = Vec::new();
    up.read_to_end(&mut answer).await?;
    conn.write_all(&answer).await?;
    conn.shutdown().await
}
