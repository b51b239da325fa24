//! A stand-in for the EKS API on `127.0.0.1`, plain HTTP, for the three reads the AWS source
//! makes there (moto 5.2.5 has no Pod Identity API). It speaks EKS's wire protocol as the API
//! reference describes it (restJson1, service `eks`, API version 2017-11-01):
//!
//! - `GET /clusters/{name}` (DescribeCluster) → `{"cluster": …}`, the demo's
//!   `eks-cluster.json` (the `aws eks describe-cluster` output);
//! - `GET /clusters/{name}/pod-identity-associations` (ListPodIdentityAssociations), paged
//!   with `maxResults` (default 100, and never more than the stand-in's page cap) and an opaque
//!   `nextToken`, filtered by `namespace` and `serviceAccount` →
//!   `{"associations": [summary…], "nextToken": …}`;
//! - `GET /clusters/{name}/pod-identity-associations/{id}` (DescribePodIdentityAssociation)
//!   → `{"association": …}`, every field of the demo's `eks-pod-identity-associations.json`;
//! - timestamps as epoch seconds (restJson1's default), errors as the status, the
//!   `x-amzn-ErrorType` header and a `{"__type", "message"}` body: `ResourceNotFoundException`
//!   (404) for another cluster or an unknown id, `AccessDeniedException` (403) for a denied
//!   association, `InvalidParameterException` (400) for a bad `maxResults`/`nextToken`,
//!   `MissingAuthenticationTokenException` (403) for an unsigned request.
//!
//! It does not check SigV4 signatures (only that a request is signed for the `eks` service),
//! nor serve any other EKS operation (404 `UnknownOperationException`) or any write: a request
//! with another method than GET is refused (405) and recorded, since the tool must never write.
//! Requests are counted per operation.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Method, Request, Response, StatusCode};
use irsa_core::model::aws_cli::{PodIdentityAssociationDetail, PodIdentityAssociations};
use irsa_core::snapshot;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};

/// The page size when `maxResults` is absent (EKS's documented maximum and default).
const DEFAULT_PAGE: usize = 100;

/// The demo lab's associations, as `describe-pod-identity-association` prints them (read from
/// the embedded demo files at each call, so they follow the demo).
pub fn demo_associations() -> Vec<PodIdentityAssociationDetail> {
    let files = snapshot::demo_files();
    let text = files
        .get("eks-pod-identity-associations.json")
        .expect("demo associations file");
    serde_json::from_str::<PodIdentityAssociations>(text)
        .expect("parse demo associations")
        .associations
}

/// The demo lab's `describe-cluster` document (`{"cluster": …}`).
pub fn demo_cluster() -> Value {
    let files = snapshot::demo_files();
    let text = files.get("eks-cluster.json").expect("demo cluster file");
    serde_json::from_str(text).expect("parse demo cluster")
}

/// What the stand-in serves and what it saw.
struct State {
    /// The `cluster` object, timestamps as epoch seconds.
    cluster: Value,
    associations: Vec<PodIdentityAssociationDetail>,
    page_cap: usize,
    /// Association ids whose describe answers `AccessDeniedException`.
    denied: BTreeSet<String>,
    /// Requests per operation name (`DescribeCluster`, …, `Unknown`).
    requests: BTreeMap<&'static str, u64>,
    /// `METHOD PATH` of every request that was not a GET.
    writes: Vec<String>,
}

/// A running stand-in; stopped when dropped.
pub struct EksStandIn {
    state: Arc<Mutex<State>>,
    server: super::http_serve::Serving,
}

impl EksStandIn {
    /// Serves the demo lab's cluster and associations, at most `page_cap` associations a page.
    pub async fn start_demo(page_cap: usize) -> Self {
        let mut cluster = demo_cluster()["cluster"].take();
        epoch_seconds(&mut cluster);
        Self::start(cluster, demo_associations(), page_cap).await
    }

    /// Serves the demo lab's associations and the cluster of `describe_cluster` (an
    /// `aws eks describe-cluster` document, e.g. the demo's with moto's issuer substituted).
    pub async fn start_with_cluster(describe_cluster: &str, page_cap: usize) -> Self {
        let mut doc: Value = serde_json::from_str(describe_cluster).expect("describe-cluster JSON");
        let mut cluster = doc["cluster"].take();
        epoch_seconds(&mut cluster);
        Self::start(cluster, demo_associations(), page_cap).await
    }

    /// Serves `cluster` (the `cluster` object) and its `associations` on a free port.
    pub async fn start(
        cluster: Value,
        associations: Vec<PodIdentityAssociationDetail>,
        page_cap: usize,
    ) -> Self {
        assert!(page_cap > 0, "a page holds at least one association");
        let state = Arc::new(Mutex::new(State {
            cluster,
            associations,
            page_cap,
            denied: BTreeSet::new(),
            requests: BTreeMap::new(),
            writes: Vec::new(),
        }));
        let server = super::http_serve::serve(Arc::clone(&state), handle).await;
        Self { state, server }
    }

    /// `http://127.0.0.1:PORT`, the endpoint URL for the EKS client.
    pub fn url(&self) -> &str {
        &self.server.url
    }

    /// Answers DescribePodIdentityAssociation of `association_id` with `AccessDeniedException`.
    pub fn deny_describe(&self, association_id: &str) {
        let mut state = self.state.lock().expect("lock");
        state.denied.insert(association_id.to_owned());
    }

    /// How many requests of `operation` (e.g. `ListPodIdentityAssociations`) arrived.
    pub fn requests(&self, operation: &str) -> u64 {
        let state = self.state.lock().expect("lock");
        state.requests.get(operation).copied().unwrap_or(0)
    }

    /// `METHOD PATH` of every request that was not a GET (none, for a read-only tool).
    pub fn writes(&self) -> Vec<String> {
        self.state.lock().expect("lock").writes.clone()
    }
}

/// Rewrites `createdAt`/`modifiedAt` RFC 3339 strings (the CLI's form) as epoch seconds, the
/// form the restJson1 API sends, anywhere in `value`.
fn epoch_seconds(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, v) in map.iter_mut() {
                let at = v.as_str().and_then(|s| s.parse::<jiff::Timestamp>().ok());
                match at {
                    Some(t) if key == "createdAt" || key == "modifiedAt" => {
                        *v = json!(t.as_millisecond() as f64 / 1000.0);
                    }
                    _ => epoch_seconds(v),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(epoch_seconds),
        _ => {}
    }
}

type Answer = Response<Full<Bytes>>;

fn answer(status: StatusCode, body: &Value) -> Answer {
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .header("x-amzn-requestid", "eks-standin")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("response")
}

fn error(status: StatusCode, code: &str, message: &str) -> Answer {
    let mut response = answer(status, &json!({"__type": code, "message": message}));
    let value = code.parse().expect("header value");
    response.headers_mut().insert("x-amzn-errortype", value);
    response
}

/// Handles one request: counts it, then answers it.
async fn handle(state: Arc<Mutex<State>>, req: Request<Incoming>) -> Result<Answer, Infallible> {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let query = parse_query(req.uri().query().unwrap_or_default());
    let signed = req
        .headers()
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("AWS4-HMAC-SHA256") && v.contains("/eks/aws4_request"));
    let _ = req.into_body().collect().await;
    let segments: Vec<String> = path
        .trim_start_matches('/')
        .split('/')
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let segments: Vec<&str> = segments.iter().map(String::as_str).collect();
    let operation = match segments.as_slice() {
        ["clusters", _] => "DescribeCluster",
        ["clusters", _, "pod-identity-associations"] => "ListPodIdentityAssociations",
        ["clusters", _, "pod-identity-associations", _] => "DescribePodIdentityAssociation",
        _ => "Unknown",
    };
    let mut state = state.lock().expect("lock");
    *state.requests.entry(operation).or_default() += 1;
    if method != Method::GET {
        state.writes.push(format!("{method} {path}"));
        let message = format!("the EKS stand-in serves reads only, not {method}");
        return Ok(error(
            StatusCode::METHOD_NOT_ALLOWED,
            "BadRequestException",
            &message,
        ));
    }
    if !signed {
        return Ok(error(
            StatusCode::FORBIDDEN,
            "MissingAuthenticationTokenException",
            "Missing Authentication Token",
        ));
    }
    Ok(route(&state, operation, &segments, &query))
}

fn route(
    state: &State,
    operation: &str,
    segments: &[&str],
    query: &HashMap<String, String>,
) -> Answer {
    let cluster = segments.get(1).copied().unwrap_or_default();
    if operation != "Unknown" && state.cluster["name"].as_str() != Some(cluster) {
        let message = format!("No cluster found for name: {cluster}.");
        return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", &message);
    }
    match (operation, segments) {
        ("DescribeCluster", _) => answer(StatusCode::OK, &json!({"cluster": state.cluster})),
        ("ListPodIdentityAssociations", _) => list(state, cluster, query),
        ("DescribePodIdentityAssociation", [.., id]) => describe(state, cluster, id),
        _ => error(
            StatusCode::NOT_FOUND,
            "UnknownOperationException",
            "the EKS stand-in does not serve this operation",
        ),
    }
}

/// ListPodIdentityAssociations: one page of summaries. The token is the offset of the next
/// page (opaque to the client, as EKS's is).
fn list(state: &State, cluster: &str, query: &HashMap<String, String>) -> Answer {
    let bad = |message: &str| {
        error(
            StatusCode::BAD_REQUEST,
            "InvalidParameterException",
            message,
        )
    };
    let size = match query.get("maxResults").map(|m| m.parse::<usize>()) {
        None => DEFAULT_PAGE,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return bad("maxResults must be between 1 and 100"),
    }
    .min(state.page_cap);
    let start = match query.get("nextToken") {
        None => 0,
        Some(token) => match token.strip_prefix("standin-page-").map(str::parse::<usize>) {
            Some(Ok(offset)) => offset,
            _ => return bad("The nextToken is invalid"),
        },
    };
    let matching: Vec<&PodIdentityAssociationDetail> = state
        .associations
        .iter()
        .filter(|a| a.cluster_name == cluster)
        .filter(|a| query.get("namespace").is_none_or(|n| *n == a.namespace))
        .filter(|a| {
            query
                .get("serviceAccount")
                .is_none_or(|s| *s == a.service_account)
        })
        .collect();
    if start > matching.len() {
        return bad("The nextToken is invalid");
    }
    let end = (start + size).min(matching.len());
    let summaries: Vec<Value> = matching[start..end]
        .iter()
        .map(|a| {
            let mut summary = json!({
                "clusterName": a.cluster_name,
                "namespace": a.namespace,
                "serviceAccount": a.service_account,
                "associationId": a.association_id,
            });
            for (key, value) in [
                ("associationArn", &a.association_arn),
                ("ownerArn", &a.owner_arn),
            ] {
                if let Some(value) = value {
                    summary[key] = json!(value);
                }
            }
            summary
        })
        .collect();
    let mut body = json!({"associations": summaries});
    if end < matching.len() {
        body["nextToken"] = json!(format!("standin-page-{end}"));
    }
    answer(StatusCode::OK, &body)
}

/// DescribePodIdentityAssociation: the full association, or the switched-on denial.
fn describe(state: &State, cluster: &str, id: &str) -> Answer {
    if state.denied.contains(id) {
        let message = format!(
            "User is not authorized to perform: eks:DescribePodIdentityAssociation on \
             resource: association {id}"
        );
        return error(StatusCode::FORBIDDEN, "AccessDeniedException", &message);
    }
    let found = state
        .associations
        .iter()
        .find(|a| a.cluster_name == cluster && a.association_id == id);
    let Some(association) = found else {
        let message = format!("No Pod Identity Association found with id {id}.");
        return error(StatusCode::NOT_FOUND, "ResourceNotFoundException", &message);
    };
    let mut association = serde_json::to_value(association).expect("serialise association");
    epoch_seconds(&mut association);
    answer(StatusCode::OK, &json!({"association": association}))
}

fn parse_query(query: &str) -> HashMap<String, String> {
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| {
            let decode = |s: &str| percent_decode_str(s).decode_utf8_lossy().into_owned();
            (decode(k), decode(v))
        })
        .collect()
}
