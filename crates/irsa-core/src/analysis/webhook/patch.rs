//! The RFC 6902 JSON Patch the webhook answers with (`getPodSpecPatch`), built by editing the
//! raw pod JSON so container fields this crate does not model (probes, security contexts, …)
//! come back unchanged, exactly as the webhook round-trips them.
//!
//! Upstream's operation order: the Pod Identity label, the volume, then `/spec/containers`
//! (always, with the full list, even when nothing changed), then `/spec/initContainers` when
//! the pod has any. Paths depend on the pod: `/metadata/labels` (whole map) when the pod has no
//! labels map, else one `/metadata/labels/<key>` per label; `/spec/volumes` (a one-element
//! list) when the pod has no volume list, else `/spec/volumes/0` (prepend).

use super::{ContainerMutation, Mutation, MutationMode, PodIdentityConfig, predict};
use crate::model::{
    ContainerKind, PodInfo, ProjectedSource, ServiceAccountInfo, VolumeInfo, VolumeSourceInfo,
    WebhookSettings,
};
use k8s_openapi::api::core::v1::Pod;
use serde::Serialize;
use serde_json::{Map, Value, json};
use thiserror::Error;

/// What the webhook would do to a pod given as raw JSON: the mutation and its patch.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PatchPrediction {
    pub mutation: Mutation,
    pub patch: Vec<Value>,
}

/// The raw JSON handed to [`predict_json`] is not a Pod. The message never quotes the input
/// (a pod's env may hold secrets).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PodJsonError {
    #[error("expected a Pod, found kind {0:?}")]
    WrongKind(String),
    #[error("the JSON does not match the Kubernetes Pod schema ({0} error)")]
    Schema(String),
}

/// [`predict`] + [`to_json_patch`] for a pod as a manifest or `kubectl get pod -o json` gives
/// it (the path of `webhook predict`). The pod is projected with `PodInfo::from`; its
/// namespace defaults to `default` when absent.
pub fn predict_json(
    sa: &ServiceAccountInfo,
    pod: &Value,
    settings: &WebhookSettings,
    pod_identity: Option<&PodIdentityConfig>,
) -> Result<PatchPrediction, PodJsonError> {
    if let Some(kind) = pod
        .get("kind")
        .and_then(Value::as_str)
        .filter(|k| *k != "Pod")
    {
        return Err(PodJsonError::WrongKind(kind.to_owned()));
    }
    let typed: Pod = serde_json::from_value(pod.clone())
        .map_err(|e| PodJsonError::Schema(format!("{:?}", e.classify()).to_lowercase()))?;
    let mutation = predict(sa, &PodInfo::from(&typed), settings, pod_identity);
    let patch = to_json_patch(&mutation, pod);
    Ok(PatchPrediction { mutation, patch })
}

/// The patch the webhook would send for `mutation` of `pod` (the raw pod JSON as submitted).
/// Empty when the webhook does not mutate the pod ([`MutationMode::None`]).
pub fn to_json_patch(mutation: &Mutation, pod: &Value) -> Vec<Value> {
    if mutation.mode == MutationMode::None {
        return Vec::new();
    }
    let mut ops = Vec::new();
    if !mutation.labels.is_empty() {
        if pod
            .pointer("/metadata/labels")
            .is_some_and(Value::is_object)
        {
            for (key, value) in &mutation.labels {
                ops.push(add(
                    &format!("/metadata/labels/{}", escape(key)),
                    json!(value),
                ));
            }
        } else {
            ops.push(add("/metadata/labels", json!(mutation.labels)));
        }
    }
    if let Some(volume) = &mutation.volume {
        let value = volume_json(volume);
        if pod.pointer("/spec/volumes").is_some_and(Value::is_array) {
            ops.push(add("/spec/volumes/0", value));
        } else {
            ops.push(add("/spec/volumes", Value::Array(vec![value])));
        }
    }
    let containers = patched_containers(pod, "containers", ContainerKind::Main, mutation);
    ops.push(add("/spec/containers", Value::Array(containers)));
    let init = patched_containers(pod, "initContainers", ContainerKind::Init, mutation);
    if !init.is_empty() {
        ops.push(add("/spec/initContainers", Value::Array(init)));
    }
    ops
}

fn add(path: &str, value: Value) -> Value {
    json!({"op": "add", "path": path, "value": value})
}

/// RFC 6901 escaping of one path segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

/// The raw container list under `spec.<field>`, each with its mutation appended.
fn patched_containers(
    pod: &Value,
    field: &str,
    kind: ContainerKind,
    mutation: &Mutation,
) -> Vec<Value> {
    let Some(list) = pod
        .get("spec")
        .and_then(|s| s.get(field))
        .and_then(Value::as_array)
    else {
        return Vec::new();
    };
    list.iter()
        .map(|raw| {
            let name = raw.get("name").and_then(Value::as_str).unwrap_or_default();
            let mut out = raw.clone();
            if let (Some(m), Some(obj)) = (mutation.container(kind, name), out.as_object_mut()) {
                apply(obj, m);
            }
            out
        })
        .collect()
}

fn apply(container: &mut Map<String, Value>, m: &ContainerMutation) {
    if !m.env.is_empty() {
        let added = m
            .env
            .iter()
            .map(|e| json!({"name": e.name, "value": e.literal_value().unwrap_or_default()}));
        append(container, "env", added);
    }
    if let Some(mount) = &m.mount {
        let value = json!({
            "name": mount.name,
            "readOnly": mount.read_only,
            "mountPath": mount.mount_path,
        });
        append(container, "volumeMounts", std::iter::once(value));
    }
}

/// Appends to the array under `key`, creating it when absent or null.
fn append(container: &mut Map<String, Value>, key: &str, items: impl Iterator<Item = Value>) {
    let slot = container
        .entry(key)
        .or_insert_with(|| Value::Array(Vec::new()));
    if !slot.is_array() {
        *slot = Value::Array(Vec::new());
    }
    if let Value::Array(list) = slot {
        list.extend(items);
    }
}

/// The volume as Kubernetes JSON. A mutation only ever adds a projected ServiceAccount token
/// volume; other sources are rendered by name only.
fn volume_json(volume: &VolumeInfo) -> Value {
    let mut out = Map::new();
    out.insert("name".to_owned(), json!(volume.name));
    if let VolumeSourceInfo::Projected { sources } = &volume.source {
        let sources: Vec<Value> = sources
            .iter()
            .filter_map(|s| match s {
                ProjectedSource::ServiceAccountToken {
                    audience,
                    expiration_seconds,
                    path,
                } => {
                    let mut token = Map::new();
                    if let Some(a) = audience {
                        token.insert("audience".to_owned(), json!(a));
                    }
                    if let Some(e) = expiration_seconds {
                        token.insert("expirationSeconds".to_owned(), json!(e));
                    }
                    token.insert("path".to_owned(), json!(path));
                    Some(json!({"serviceAccountToken": token}))
                }
                _ => None,
            })
            .collect();
        out.insert("projected".to_owned(), json!({"sources": sources}));
    }
    Value::Object(out)
}
