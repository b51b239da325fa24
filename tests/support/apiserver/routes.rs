//! HTTP handling of the stand-in API server: the URL layout of kube-apiserver for the served
//! resources, paged LISTs, chunked WATCH streams, TokenRequest, discovery documents, and
//! `Status` errors.

use super::cluster::{Cluster, Fault, Kind, Live, Verb};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::{Method, Request, Response, StatusCode};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use tokio::sync::{broadcast, mpsc, watch};

pub type Body = BoxBody<Bytes, Infallible>;

/// What every request handler can reach.
#[derive(Clone)]
pub struct Shared {
    pub cluster: Arc<Mutex<Cluster>>,
    /// Flips to true when the server stops: open watch streams end.
    pub shutdown: watch::Receiver<bool>,
    pub bookmark_every: Duration,
}

/// Handles one request.
pub async fn handle(shared: Shared, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let exec = req.uri().path().ends_with("/exec");
    {
        let method = if exec {
            "EXEC".to_owned()
        } else {
            req.method().as_str().to_owned()
        };
        *shared
            .cluster
            .lock()
            .expect("lock")
            .methods
            .entry(method)
            .or_default() += 1;
    }
    if exec {
        return Ok(super::exec::handle(&shared, req));
    }
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = parse_query(req.uri().query().unwrap_or_default());
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let response = route(&shared, &method, &path, &query, &body);
    if response.extensions().get::<Held>().is_some() {
        // `Fault::Hang`: answer nothing; the client's timeout (or the server stopping) ends it.
        let mut shutdown = shared.shutdown.clone();
        tokio::select! {
            _ = shutdown.changed() => {}
            () = tokio::time::sleep(Duration::from_secs(600)) => {}
        }
    }
    Ok(response)
}

/// Marks a response that `handle` must hold back (`Fault::Hang`).
#[derive(Debug, Clone, Copy)]
struct Held;

fn route(
    shared: &Shared,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
    body: &[u8],
) -> Response<Body> {
    let cluster = &shared.cluster;
    if path == "/version" {
        return json_response(
            StatusCode::OK,
            &json!({"major": "1", "minor": "33", "gitVersion": "v1.33.5-standin",
                    "platform": "linux/amd64"}),
        );
    }
    if path == "/.well-known/openid-configuration" {
        let issuer = cluster.lock().expect("lock").issuer.clone();
        return json_response(
            StatusCode::OK,
            &json!({"issuer": issuer, "jwks_uri": format!("{issuer}/keys"),
                    "response_types_supported": ["id_token"], "subject_types_supported": ["public"],
                    "id_token_signing_alg_values_supported": ["RS256"]}),
        );
    }
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    // /api/v1/..., /apis/apps/v1/... or /apis/admissionregistration.k8s.io/v1/...
    let (group, rest): (&str, &[&str]) = match segments.as_slice() {
        ["api", "v1", rest @ ..] => ("", rest),
        [
            "apis",
            group @ ("apps" | "admissionregistration.k8s.io"),
            "v1",
            rest @ ..,
        ] => (*group, rest),
        _ => return not_found(path),
    };
    let (namespace, rest) = match rest {
        ["namespaces", ns, rest @ ..] if !rest.is_empty() => (Some(*ns), rest),
        _ => (None, rest),
    };
    let Some(kind) = rest
        .first()
        .and_then(|p| Kind::from_plural(p))
        .filter(|k| k.group() == group)
    else {
        return not_found(path);
    };
    match (method, &rest[1..]) {
        (&Method::GET, []) if is_true(query.get("watch")) => watch(shared, kind, namespace, query),
        (&Method::GET, []) => list(cluster, kind, namespace, query),
        (&Method::GET, [name]) => get(cluster, kind, namespace, name),
        (&Method::POST, [name, "token"]) if kind == Kind::ServiceAccount => {
            token_request(cluster, namespace.unwrap_or("default"), name, body)
        }
        _ => not_found(path),
    }
}

fn is_true(v: Option<&String>) -> bool {
    matches!(v.map(String::as_str), Some("true" | "1"))
}

fn parse_query(q: &str) -> HashMap<String, String> {
    q.split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(&s.replace('+', " "))
                    .decode_utf8_lossy()
                    .into_owned()
            };
            (decode(k), decode(v))
        })
        .collect()
}

/// `metadata.name=X` (the only field selector the source uses).
fn name_selector(query: &HashMap<String, String>) -> Option<String> {
    query.get("fieldSelector").and_then(|s| {
        s.split(',')
            .find_map(|term| term.strip_prefix("metadata.name=").map(str::to_owned))
    })
}

fn list(
    cluster: &Mutex<Cluster>,
    kind: Kind,
    namespace: Option<&str>,
    query: &HashMap<String, String>,
) -> Response<Body> {
    let mut c = cluster.lock().expect("lock");
    if !c.admit(kind, Verb::List) {
        return forbidden(kind, "list", namespace);
    }
    if let Some(fault) = c.take_fault(kind, Verb::List) {
        return fault_response(kind, fault);
    }
    let limit = query
        .get("limit")
        .and_then(|l| l.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .unwrap_or(usize::MAX);
    // continue token: "<list rv>:<namespace>/<name> of the last item served"
    let (list_rv, after) = match query.get("continue").filter(|t| !t.is_empty()) {
        Some(token) => {
            let decoded = URL_SAFE_NO_PAD.decode(token).unwrap_or_default();
            let text = String::from_utf8(decoded).unwrap_or_default();
            let (rv, key) = text.split_once(':').unwrap_or(("0", ""));
            let (ns, name) = key.split_once('/').unwrap_or(("", ""));
            (
                rv.parse::<u64>().unwrap_or(c.rv),
                Some((ns.to_owned(), name.to_owned())),
            )
        }
        None => (c.rv, None),
    };
    let name = name_selector(query);
    let mut items: Vec<Bytes> = Vec::new();
    let mut last_key = None;
    let mut more = false;
    for s in c.select(kind, namespace, name.as_deref()) {
        let key = (s.namespace.clone().unwrap_or_default(), s.name.clone());
        if after.as_ref().is_some_and(|a| &key <= a) {
            continue;
        }
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(s.json.clone());
        last_key = Some(key);
    }
    let continue_token = match (more, last_key) {
        (true, Some((ns, name))) => URL_SAFE_NO_PAD.encode(format!("{list_rv}:{ns}/{name}")),
        _ => String::new(),
    };
    if continue_token.is_empty() {
        c.last_page_at.insert(kind, SystemTime::now());
    }
    drop(c);
    let head = format!(
        r#"{{"kind":"{}List","apiVersion":"{}","metadata":{{"resourceVersion":"{list_rv}"{}}},"items":["#,
        kind.kind(),
        kind.api_version(),
        if continue_token.is_empty() {
            String::new()
        } else {
            format!(r#","continue":"{continue_token}""#)
        }
    );
    let size = head.len() + items.iter().map(|i| i.len() + 1).sum::<usize>() + 2;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(head.as_bytes());
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(item);
    }
    out.extend_from_slice(b"]}");
    bytes_response(StatusCode::OK, Bytes::from(out))
}

fn get(
    cluster: &Mutex<Cluster>,
    kind: Kind,
    namespace: Option<&str>,
    name: &str,
) -> Response<Body> {
    let mut c = cluster.lock().expect("lock");
    if !c.admit(kind, Verb::Get) {
        return forbidden(kind, "get", namespace);
    }
    match c.select(kind, namespace, Some(name)).next() {
        Some(s) => bytes_response(StatusCode::OK, s.json.clone()),
        None => status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("{} \"{name}\" not found", kind.plural()),
        ),
    }
}

fn watch(
    shared: &Shared,
    kind: Kind,
    namespace: Option<&str>,
    query: &HashMap<String, String>,
) -> Response<Body> {
    let mut c = shared.cluster.lock().expect("lock");
    if !c.admit(kind, Verb::Watch) {
        return forbidden(kind, "watch", namespace);
    }
    match c.take_fault(kind, Verb::Watch) {
        Some(fault @ (Fault::Status(_) | Fault::Hang)) => return fault_response(kind, fault),
        Some(Fault::Malformed | Fault::CutMidEvent) => {
            // Half an event line, then the stream ends.
            let (tx, rx) = mpsc::channel::<Bytes>(1);
            let _ = tx.try_send(Bytes::from(format!(
                r#"{{"type":"ADDED","object":{{"kind":"{}","apiVersion":"{}","metadata":{{"na"#,
                kind.kind(),
                kind.api_version()
            )));
            return stream_response(rx);
        }
        None => {}
    }
    let from: u64 = query
        .get("resourceVersion")
        .and_then(|v| v.parse().ok())
        .unwrap_or(c.rv);
    let (tx, rx) = mpsc::channel::<Bytes>(1024);
    if from < c.compacted_below {
        // kube-apiserver answers an expired resourceVersion with an ERROR event inside a
        // 200 stream, then closes it.
        let line = format!(
            "{}\n",
            json!({"type": "ERROR", "object": status_object(410, "Expired",
                &format!("too old resource version: {from} ({})", c.compacted_below))})
        );
        let _ = tx.try_send(Bytes::from(line));
        drop(tx);
        return stream_response(rx);
    }
    let ns = namespace.map(str::to_owned);
    let name = name_selector(query);
    let wanted = move |e: &super::cluster::Event| {
        e.kind == kind
            && (ns.is_none() || e.namespace == ns)
            && name.as_ref().is_none_or(|n| {
                // Cheap check: the name appears in the line as the object's name.
                let needle = format!(r#""name":"{n}""#);
                e.line.windows(needle.len()).any(|w| w == needle.as_bytes())
            })
    };
    let replay: Vec<Bytes> = c
        .history
        .iter()
        .filter(|e| e.rv > from && wanted(e))
        .map(|e| e.line.clone())
        .collect();
    let mut live = c.live.subscribe();
    let mut last_rv = c.rv;
    let generation = c.generation;
    drop(c);
    let bookmarks = is_true(query.get("allowWatchBookmarks"));
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse::<u64>().ok())
        .map_or(Duration::from_secs(1800), Duration::from_secs);
    let mut shutdown = shared.shutdown.clone();
    let every = shared.bookmark_every;
    let cluster = Arc::clone(&shared.cluster);
    tokio::spawn(async move {
        for line in replay {
            if tx.send(line).await.is_err() {
                return;
            }
        }
        let deadline = tokio::time::sleep(timeout);
        tokio::pin!(deadline);
        let mut tick = tokio::time::interval(every);
        loop {
            // Biased: a queued Drop (compaction) is handled before a bookmark could announce
            // a version newer than the compaction.
            tokio::select! {
                biased;
                _ = shutdown.changed() => return,
                () = tx.closed() => return,
                () = &mut deadline => return,
                msg = live.recv() => match msg {
                    Ok(Live::Event(e)) if e.rv > from && wanted(&e) => {
                        last_rv = e.rv;
                        if tx.send(e.line).await.is_err() { return; }
                    }
                    Ok(Live::Event(_)) => {}
                    Ok(Live::Drop) | Err(broadcast::error::RecvError::Closed) => return,
                    // Too slow to keep up: end the stream, the client resumes.
                    Err(broadcast::error::RecvError::Lagged(_)) => return,
                },
                _ = tick.tick(), if bookmarks => {
                    let rv = {
                        let c = cluster.lock().expect("lock");
                        if c.generation != generation {
                            return;
                        }
                        c.rv.max(last_rv)
                    };
                    let line = format!("{}\n", json!({"type": "BOOKMARK", "object": {
                        "kind": kind.kind(), "apiVersion": kind.api_version(),
                        "metadata": {"resourceVersion": rv.to_string()}}}));
                    if tx.send(Bytes::from(line)).await.is_err() { return; }
                }
            }
        }
    });
    stream_response(rx)
}

fn token_request(
    cluster: &Mutex<Cluster>,
    namespace: &str,
    name: &str,
    body: &[u8],
) -> Response<Body> {
    let mut c = cluster.lock().expect("lock");
    if !c.admit(Kind::ServiceAccount, Verb::CreateToken) {
        return status(
            StatusCode::FORBIDDEN,
            "Forbidden",
            &format!(
                "serviceaccounts \"{name}\" is forbidden: User \"tester\" cannot create resource \
                 \"serviceaccounts/token\" in API group \"\" in the namespace \"{namespace}\""
            ),
        );
    }
    let Some(sa) = c
        .select(Kind::ServiceAccount, Some(namespace), Some(name))
        .next()
    else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("serviceaccounts \"{name}\" not found"),
        );
    };
    let sa: Value = serde_json::from_slice(&sa.json).expect("stored JSON");
    let mut request: Value = serde_json::from_slice(body).unwrap_or_else(|_| json!({}));
    let spec = request.get("spec").cloned().unwrap_or_else(|| json!({}));
    let audiences = spec
        .get("audiences")
        .cloned()
        .filter(|a| a.as_array().is_some_and(|a| !a.is_empty()))
        .unwrap_or_else(|| json!([c.issuer.clone()]));
    let expiration = spec
        .get("expirationSeconds")
        .and_then(Value::as_i64)
        .unwrap_or(3600)
        .max(600);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let mut k8s = json!({
        "namespace": namespace,
        "serviceaccount": {"name": name, "uid": sa["metadata"]["uid"]},
    });
    if let Some(bound) = spec.get("boundObjectRef").filter(|b| b["kind"] == "Pod") {
        k8s["pod"] = json!({"name": bound["name"], "uid": bound["uid"]});
    }
    let claims = json!({
        "aud": audiences, "exp": now + expiration, "iat": now, "nbf": now,
        "iss": c.issuer, "jti": format!("jti-{}", c.rv),
        "kubernetes.io": k8s,
        "sub": format!("system:serviceaccount:{namespace}:{name}"),
    });
    let token = jwt(&claims);
    c.issued.push(token.clone());
    let expires = jiff::Timestamp::from_second(now + expiration)
        .map(|t| t.to_string())
        .unwrap_or_default();
    request["apiVersion"] = json!("authentication.k8s.io/v1");
    request["kind"] = json!("TokenRequest");
    request["metadata"] = json!({"name": name, "namespace": namespace,
                                 "creationTimestamp": null});
    request["spec"]["audiences"] = audiences;
    request["spec"]["expirationSeconds"] = json!(expiration);
    request["status"] = json!({"token": token, "expirationTimestamp": expires});
    json_response(StatusCode::CREATED, &request)
}

fn stream_response(rx: mpsc::Receiver<Bytes>) -> Response<Body> {
    let stream = futures::stream::unfold(rx, |mut rx| async move {
        rx.recv()
            .await
            .map(|b| (Ok::<_, Infallible>(Frame::data(b)), rx))
    });
    let mut resp = Response::new(StreamBody::new(stream).boxed());
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

/// What a faulty server sends instead of the answer.
fn fault_response(kind: Kind, fault: Fault) -> Response<Body> {
    match fault {
        Fault::Status(429) => {
            // What kube-apiserver's max-in-flight filter sends when it sheds load.
            let mut body = status_object(
                429,
                "TooManyRequests",
                "Too many requests, please try again later.",
            );
            body["details"] = json!({"retryAfterSeconds": 1});
            let mut resp = json_response(StatusCode::TOO_MANY_REQUESTS, &body);
            resp.headers_mut().insert(
                hyper::header::RETRY_AFTER,
                hyper::header::HeaderValue::from_static("1"),
            );
            resp
        }
        Fault::Status(code) => {
            let code = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            // The `reason` kube-apiserver puts in a `Status` for these codes.
            let reason = match code.as_u16() {
                500 => "InternalError",
                503 => "ServiceUnavailable",
                504 => "Timeout",
                _ => "Unknown",
            };
            status(
                code,
                reason,
                "injected fault: the stand-in answers with an error",
            )
        }
        Fault::Hang => {
            let mut resp = status(StatusCode::GATEWAY_TIMEOUT, "Timeout", "held back");
            resp.extensions_mut().insert(Held);
            resp
        }
        Fault::Malformed | Fault::CutMidEvent => bytes_response(
            StatusCode::OK,
            Bytes::from(format!(
                r#"{{"kind":"{}List","apiVersion":"{}","metadata":{{"resourceVersion":"1"}},"items":[{{"metadata":{{"name":"#,
                kind.kind(),
                kind.api_version()
            )),
        ),
    }
}

fn bytes_response(code: StatusCode, bytes: Bytes) -> Response<Body> {
    let mut resp = Response::new(Full::new(bytes).boxed());
    *resp.status_mut() = code;
    resp.headers_mut().insert(
        hyper::header::CONTENT_TYPE,
        hyper::header::HeaderValue::from_static("application/json"),
    );
    resp
}

pub(super) fn json_response(code: StatusCode, value: &Value) -> Response<Body> {
    bytes_response(code, Bytes::from(value.to_string()))
}

pub(super) fn status_object(code: u16, reason: &str, message: &str) -> Value {
    json!({"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
           "message": message, "reason": reason, "code": code})
}

pub(super) fn status(code: StatusCode, reason: &str, message: &str) -> Response<Body> {
    json_response(code, &status_object(code.as_u16(), reason, message))
}

pub(super) fn forbidden(kind: Kind, verb: &str, namespace: Option<&str>) -> Response<Body> {
    let scope = match namespace {
        Some(ns) => format!("in the namespace \"{ns}\""),
        None => "at the cluster scope".to_owned(),
    };
    let group = kind.group();
    status(
        StatusCode::FORBIDDEN,
        "Forbidden",
        &format!(
            "{plural} is forbidden: User \"tester\" cannot {verb} resource \"{plural}\" in API \
             group \"{group}\" {scope}",
            plural = kind.plural()
        ),
    )
}

fn not_found(path: &str) -> Response<Body> {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        &format!("the server could not find the requested resource ({path})"),
    )
}

/// A JWT with the stand-in's fake signature.
pub(super) fn jwt(claims: &Value) -> String {
    let header = json!({"alg": "RS256", "kid": "standin-key"});
    [
        URL_SAFE_NO_PAD.encode(header.to_string()),
        URL_SAFE_NO_PAD.encode(claims.to_string()),
        URL_SAFE_NO_PAD.encode("fake-signature-not-a-real-token"),
    ]
    .join(".")
}
