//! A stand-in for CloudTrail's `LookupEvents` on `127.0.0.1`, plain HTTP (moto 5.2.5 has no
//! LookupEvents). It speaks the API's wire protocol (awsJson1_1, `POST /` with
//! `X-Amz-Target: CloudTrail_20131101.LookupEvents`):
//! `LookupAttributes` (one `EventName` attribute, as the API allows one), `StartTime`/`EndTime`
//! (epoch seconds) filtering, `MaxResults` (≤ 50) and an opaque `NextToken`; each event carries
//! `EventId`, `EventName`, `EventTime`, `EventSource`, `Username` and the record as the
//! `CloudTrailEvent` JSON string, the shape `aws cloudtrail lookup-events` prints. Records are
//! built by the test in the shape CloudTrail documents for each event (see `records_for_demo`
//! in the test). Errors: `AccessDeniedException` (400) when switched on, and
//! `InvalidNextTokenException` for a token it did not give. Every request's arrival time is kept
//! so a test can check the 2-requests-per-second pace; anything but `LookupEvents` is refused
//! and recorded.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request, Response, StatusCode};
use serde_json::{Value, json};
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// The `X-Amz-Target` of LookupEvents: the SDK sends the short form, the API reference prints
/// the long one; the service accepts both.
const TARGETS: [&str; 2] = [
    "CloudTrail_20131101.LookupEvents",
    "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents",
];

struct State {
    /// (epoch seconds, record) in newest-first order, as CloudTrail returns them.
    records: Vec<(i64, Value)>,
    deny: bool,
    arrivals: Vec<Instant>,
    others: Vec<String>,
}

/// A running stand-in; stopped when dropped.
pub struct CloudTrailStandIn {
    pub url: String,
    state: Arc<Mutex<State>>,
    _server: super::http_serve::Serving,
}

impl CloudTrailStandIn {
    /// Serves `records` (each a CloudTrail record with an RFC 3339 `eventTime`).
    pub async fn start(records: Vec<Value>) -> Self {
        let mut timed: Vec<(i64, Value)> = records
            .into_iter()
            .map(|r| {
                let t: jiff::Timestamp = r["eventTime"]
                    .as_str()
                    .expect("eventTime")
                    .parse()
                    .expect("RFC 3339 eventTime");
                (t.as_second(), r)
            })
            .collect();
        timed.sort_by_key(|t| std::cmp::Reverse(t.0));
        let state = Arc::new(Mutex::new(State {
            records: timed,
            deny: false,
            arrivals: Vec::new(),
            others: Vec::new(),
        }));
        let server = super::http_serve::serve(Arc::clone(&state), handle).await;
        Self {
            url: server.url.clone(),
            state,
            _server: server,
        }
    }

    /// Answers every request with `AccessDeniedException`.
    pub fn deny(&self) {
        self.state.lock().expect("state").deny = true;
    }

    /// When each LookupEvents request arrived.
    pub fn arrivals(&self) -> Vec<Instant> {
        self.state.lock().expect("state").arrivals.clone()
    }

    /// Requests for anything but LookupEvents.
    pub fn others(&self) -> Vec<String> {
        self.state.lock().expect("state").others.clone()
    }
}

fn answer(status: StatusCode, body: Value, error: Option<&str>) -> Response<Full<Bytes>> {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1");
    if let Some(code) = error {
        b = b.header("x-amzn-errortype", code);
    }
    b.body(Full::new(Bytes::from(body.to_string())))
        .expect("response")
}

async fn handle(
    state: Arc<Mutex<State>>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let target = req
        .headers()
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let method = req.method().to_string();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut s = state.lock().expect("state");
    if method != "POST" || !TARGETS.contains(&target.as_str()) {
        s.others.push(format!("{method} {target}"));
        return Ok(answer(
            StatusCode::BAD_REQUEST,
            json!({"__type": "UnknownOperationException", "message": "not served"}),
            Some("UnknownOperationException"),
        ));
    }
    s.arrivals.push(Instant::now());
    if s.deny {
        return Ok(answer(
            StatusCode::BAD_REQUEST,
            json!({"__type": "AccessDeniedException",
                   "message": "User: arn:aws:sts::123456789012:assumed-role/irsa-inspector-readonly/alice is not authorized to perform: cloudtrail:LookupEvents because no identity-based policy allows the cloudtrail:LookupEvents action"}),
            Some("AccessDeniedException"),
        ));
    }
    let q: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let start = q["StartTime"].as_f64().map_or(i64::MIN, |t| t as i64);
    let end = q["EndTime"].as_f64().map_or(i64::MAX, |t| t as i64);
    let name = q["LookupAttributes"][0]["AttributeValue"]
        .as_str()
        .map(str::to_owned);
    let max = q["MaxResults"].as_u64().unwrap_or(50).clamp(1, 50) as usize;
    let offset = match q["NextToken"].as_str() {
        None => 0,
        Some(t) => match t
            .strip_prefix("page-")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) => n,
            None => {
                return Ok(answer(
                    StatusCode::BAD_REQUEST,
                    json!({"__type": "InvalidNextTokenException", "message": "bad token"}),
                    Some("InvalidNextTokenException"),
                ));
            }
        },
    };
    let matching: Vec<&(i64, Value)> = s
        .records
        .iter()
        .filter(|(t, _)| *t >= start && *t <= end)
        .filter(|(_, r)| name.as_deref().is_none_or(|n| r["eventName"] == n))
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(max)
        .map(|(t, r)| {
            json!({
                "EventId": r["eventID"],
                "EventName": r["eventName"],
                "ReadOnly": "false",
                "EventTime": *t as f64,
                "EventSource": r["eventSource"],
                "Username": r["userIdentity"]["userName"],
                "Resources": [],
                "CloudTrailEvent": r.to_string(),
            })
        })
        .collect();
    let mut out = json!({"Events": page});
    if offset + max < matching.len() {
        out["NextToken"] = json!(format!("page-{}", offset + max));
    }
    Ok(answer(StatusCode::OK, out, None))
}
