//! `pods/exec` over a websocket, the way kube-apiserver (and the kubelet behind it) answers
//! `kubectl exec POD -- cat PATH`: the upgrade to `v4.channel.k8s.io`, stdout on channel 1,
//! stderr on channel 2, the exit `Status` on channel 3. Only `cat` of a token path is
//! understood: it prints a token for the pod's ServiceAccount, as the kubelet would have
//! mounted it (audience `sts.amazonaws.com` under the EKS path, else the issuer).

use super::cluster::{Kind, Verb};
use super::routes::{Body, Shared, forbidden, jwt, status};
use futures::SinkExt;
use http_body_util::{BodyExt, Empty};
use hyper::body::{Bytes, Incoming};
use hyper::header::{
    CONNECTION, HeaderValue, SEC_WEBSOCKET_ACCEPT, SEC_WEBSOCKET_KEY, SEC_WEBSOCKET_PROTOCOL,
    UPGRADE,
};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;
use tokio_tungstenite::tungstenite::protocol::Role;

pub fn handle(shared: &Shared, req: Request<Incoming>) -> Response<Body> {
    let segments: Vec<String> = req
        .uri()
        .path()
        .trim_matches('/')
        .split('/')
        .map(str::to_owned)
        .collect();
    // api/v1/namespaces/NS/pods/NAME/exec
    let (Some(ns), Some(pod_name)) = (segments.get(3).cloned(), segments.get(5).cloned()) else {
        return status(StatusCode::NOT_FOUND, "NotFound", "bad exec path");
    };
    let command: Vec<String> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter_map(|kv| kv.strip_prefix("command="))
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
        .collect();
    let pod: Option<Value> = {
        let mut c = shared.cluster.lock().expect("lock");
        if !c.admit(Kind::Pod, Verb::Exec) {
            return forbidden(Kind::Pod, "create", Some(&ns));
        }
        c.select(Kind::Pod, Some(&ns), Some(&pod_name))
            .next()
            .map(|s| serde_json::from_slice(&s.json).expect("stored JSON"))
    };
    let Some(pod) = pod else {
        return status(
            StatusCode::NOT_FOUND,
            "NotFound",
            &format!("pods \"{pod_name}\" not found"),
        );
    };
    let issuer = shared.cluster.lock().expect("lock").issuer.clone();
    let (stdout, stderr, ok) = run(&command, &pod, &issuer);
    if ok && !stdout.is_empty() {
        shared
            .cluster
            .lock()
            .expect("lock")
            .issued
            .push(stdout.clone());
    }

    let Some(key) = req.headers().get(SEC_WEBSOCKET_KEY).cloned() else {
        return status(
            StatusCode::BAD_REQUEST,
            "BadRequest",
            "exec needs a websocket upgrade",
        );
    };
    tokio::spawn(async move {
        let Ok(upgraded) = hyper::upgrade::on(req).await else {
            return;
        };
        let mut ws =
            WebSocketStream::from_raw_socket(TokioIo::new(upgraded), Role::Server, None).await;
        let frame = |channel: u8, bytes: &[u8]| {
            let mut data = vec![channel];
            data.extend_from_slice(bytes);
            Message::Binary(data.into())
        };
        let exit = if ok {
            json!({"metadata": {}, "status": "Success"})
        } else {
            json!({"metadata": {}, "status": "Failure", "message": "command terminated with non-zero exit code: 1",
                   "reason": "NonZeroExitCode", "details": {"causes": [{"reason": "ExitCode", "message": "1"}]}})
        };
        let _ = ws.send(frame(1, stdout.as_bytes())).await;
        if !stderr.is_empty() {
            let _ = ws.send(frame(2, stderr.as_bytes())).await;
        }
        let _ = ws.send(frame(3, exit.to_string().as_bytes())).await;
        let _ = ws.close(None).await;
    });
    let mut resp = Response::new(
        Empty::<Bytes>::new()
            .map_err(|never| match never {})
            .boxed(),
    );
    *resp.status_mut() = StatusCode::SWITCHING_PROTOCOLS;
    let headers = resp.headers_mut();
    headers.insert(UPGRADE, HeaderValue::from_static("websocket"));
    headers.insert(CONNECTION, HeaderValue::from_static("Upgrade"));
    headers.insert(
        SEC_WEBSOCKET_PROTOCOL,
        HeaderValue::from_static("v4.channel.k8s.io"),
    );
    if let Ok(accept) = HeaderValue::from_str(&derive_accept_key(key.as_bytes())) {
        headers.insert(SEC_WEBSOCKET_ACCEPT, accept);
    }
    resp
}

/// What the container prints: (stdout, stderr, success).
fn run(command: &[String], pod: &Value, issuer: &str) -> (String, String, bool) {
    let [cat, path] = command else {
        return (
            String::new(),
            "stand-in: only `cat PATH` is supported\n".into(),
            false,
        );
    };
    if cat != "cat" || !path.ends_with("/token") {
        return (
            String::new(),
            format!("cat: {path}: No such file or directory\n"),
            false,
        );
    }
    let eks = path.starts_with("/var/run/secrets/eks.amazonaws.com/");
    let ns = pod["metadata"]["namespace"].as_str().unwrap_or("default");
    let sa = pod["spec"]["serviceAccountName"]
        .as_str()
        .unwrap_or("default");
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    let claims = json!({
        "aud": [if eks { "sts.amazonaws.com" } else { issuer }],
        "exp": now + 86_400, "iat": now, "nbf": now, "iss": issuer,
        "kubernetes.io": {"namespace": ns,
            "pod": {"name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]},
            "serviceaccount": {"name": sa, "uid": "sa-uid"}},
        "sub": format!("system:serviceaccount:{ns}:{sa}"),
    });
    (jwt(&claims), String::new(), true)
}
