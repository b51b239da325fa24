//! `kubernetes.json`: the `v1 List` that `kubectl get serviceaccounts,pods,nodes -A -o json`
//! prints (typed lists such as `PodList` and single objects are accepted too). Each item is
//! parsed by its `kind` into the k8s-openapi type and projected with the model's `From` impls;
//! unknown kinds are ignored. A Deployment named `pod-identity-webhook` (self-managed
//! clusters) yields the webhook's flags.

use crate::model::{NodeInfo, PodInfo, PodPools, ServiceAccountInfo, WebhookSettings};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Node, Pod, ServiceAccount};
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The Deployment the self-managed webhook runs as.
const WEBHOOK_DEPLOYMENT: &str = "pod-identity-webhook";

/// What `kubernetes.json` holds, projected.
#[derive(Debug, Default)]
pub(super) struct KubernetesObjects {
    pub service_accounts: Vec<ServiceAccountInfo>,
    pub pods: Vec<PodInfo>,
    pub nodes: Vec<NodeInfo>,
    /// From a `pod-identity-webhook` Deployment, when the file has one.
    pub webhook: Option<WebhookSettings>,
    /// Non-fatal oddities (a webhook flag with a bad value), one line each.
    pub problems: Vec<String>,
}

/// Parses the file text. The error is one line: serde's message with line/column for JSON
/// syntax, or the item index, kind and name for an item that does not fit its kind's schema.
pub(super) fn parse(text: &str) -> Result<KubernetesObjects, String> {
    let mut root: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
    let list_kind = root
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned();
    let (items, implied_kind) = match root.get_mut("items").map(Value::take) {
        Some(Value::Array(items)) => (items, list_kind.strip_suffix("List")),
        Some(_) => return Err("`items` is not an array".to_owned()),
        None if !list_kind.is_empty() => (vec![root], None),
        None => return Err("neither a List (`items`) nor an object with a `kind`".to_owned()),
    };
    let mut out = KubernetesObjects::default();
    // The replicas of a Deployment share their repeated parts; the pools live for this load.
    let mut pools = PodPools::default();
    for (index, item) in items.into_iter().enumerate() {
        let kind = item
            .get("kind")
            .and_then(Value::as_str)
            .or(implied_kind)
            .unwrap_or_default()
            .to_owned();
        match kind.as_str() {
            "ServiceAccount" => {
                let sa: ServiceAccount = typed(index, &kind, item)?;
                out.service_accounts.push(ServiceAccountInfo::from(&sa));
            }
            "Pod" => {
                let pod: Pod = typed(index, &kind, item)?;
                out.pods.push(pools.share(PodInfo::from(&pod)));
            }
            "Node" => {
                let node: Node = typed(index, &kind, item)?;
                out.nodes.push(NodeInfo::from(&node));
            }
            "Deployment" if object_name(&item) == Some(WEBHOOK_DEPLOYMENT) => {
                let deployment: Deployment = typed(index, &kind, item)?;
                let (settings, problems) = webhook_settings(&deployment);
                out.webhook = Some(settings);
                out.problems.extend(problems);
            }
            _ => {}
        }
    }
    Ok(out)
}

fn object_name(item: &Value) -> Option<&str> {
    item.pointer("/metadata/name").and_then(Value::as_str)
}

/// Deserializes one item into its k8s-openapi type, naming the item on failure.
fn typed<T: DeserializeOwned>(index: usize, kind: &str, item: Value) -> Result<T, String> {
    let namespace = item.pointer("/metadata/namespace").and_then(Value::as_str);
    let name = object_name(&item).unwrap_or("<no name>");
    let what = match namespace {
        Some(ns) => format!("items[{index}] ({kind} {ns}/{name})"),
        None => format!("items[{index}] ({kind} {name})"),
    };
    serde_json::from_value(item).map_err(|e| format!("{what}: {e}"))
}

/// The webhook's flags from its container's `command` and `args`.
fn webhook_settings(deployment: &Deployment) -> (WebhookSettings, Vec<String>) {
    let containers = deployment
        .spec
        .as_ref()
        .and_then(|s| s.template.spec.as_ref())
        .map(|s| s.containers.as_slice())
        .unwrap_or_default();
    let container = containers
        .iter()
        .find(|c| c.name == WEBHOOK_DEPLOYMENT)
        .or_else(|| containers.first());
    let args: Vec<String> = container
        .map(|c| {
            c.command
                .iter()
                .flatten()
                .chain(c.args.iter().flatten())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    settings_from_args(&args)
}

/// Parses Go `flag`-style arguments (`-f=v`, `--f=v`, `--f v`, bare `--bool`) into settings;
/// flags the analysis does not need are skipped. Bad values keep the default and are reported.
pub(super) fn settings_from_args(args: &[String]) -> (WebhookSettings, Vec<String>) {
    let mut settings = WebhookSettings {
        watch_config_map: Some(false),
        ..WebhookSettings::default()
    };
    let mut problems = Vec::new();
    let mut iter = args.iter().peekable();
    while let Some(arg) = iter.next() {
        let Some(flag) = arg.strip_prefix("--").or_else(|| arg.strip_prefix('-')) else {
            continue;
        };
        let (name, inline) = match flag.split_once('=') {
            Some((n, v)) => (n, Some(v.to_owned())),
            None => (flag, None),
        };
        if name == "sts-regional-endpoint" || name == "watch-config-map" {
            let slot = if name == "watch-config-map" {
                settings.watch_config_map.get_or_insert(false)
            } else {
                &mut settings.sts_regional_endpoints
            };
            match inline.as_deref().map(parse_go_bool) {
                None => *slot = true,
                Some(Some(b)) => *slot = b,
                Some(None) => problems.push(format!(
                    "pod-identity-webhook flag {arg:?} is not a boolean — assuming false"
                )),
            }
            continue;
        }
        let takes_value = matches!(
            name,
            "aws-default-region"
                | "token-expiration"
                | "annotation-prefix"
                | "token-audience"
                | "token-mount-path"
        );
        if !takes_value {
            continue;
        }
        let Some(value) = inline.or_else(|| iter.next_if(|next| !next.starts_with('-')).cloned())
        else {
            problems.push(format!("pod-identity-webhook flag {arg:?} has no value"));
            continue;
        };
        match name {
            "aws-default-region" => settings.region = Some(value).filter(|v| !v.is_empty()),
            "annotation-prefix" => settings.annotation_prefix = value,
            "token-audience" => settings.audience = value,
            "token-mount-path" => settings.token_mount_path = value,
            _ => match value.parse::<i64>() {
                Ok(seconds) => settings.default_token_expiration = seconds,
                Err(_) => problems.push(format!(
                    "pod-identity-webhook flag --token-expiration={value:?} is not a number of \
                     seconds — assuming {}",
                    settings.default_token_expiration
                )),
            },
        }
    }
    (settings, problems)
}

/// Go's `strconv.ParseBool`.
fn parse_go_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn webhook_flags_in_every_go_flag_form() {
        let (s, problems) = settings_from_args(&args(&[
            "/webhook",
            "--in-cluster=false",
            "--namespace=kube-system",
            "-aws-default-region=eu-west-1",
            "--sts-regional-endpoint",
            "--token-expiration",
            "3600",
            "--annotation-prefix=example.com",
            "--token-audience=internal",
            "--token-mount-path=/var/run/tok",
            "--watch-config-map",
            "--logtostderr",
        ]));
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert!(s.sts_regional_endpoints);
        assert_eq!(s.default_token_expiration, 3600);
        assert_eq!(s.annotation_prefix, "example.com");
        assert_eq!(s.audience, "internal");
        assert_eq!(s.token_mount_path, "/var/run/tok");
        assert_eq!(s.watch_config_map, Some(true));
    }

    #[test]
    fn webhook_defaults_hold_without_flags_and_bad_values_are_reported() {
        let (s, problems) = settings_from_args(&args(&[
            "--sts-regional-endpoint=false",
            "--token-expiration=soon",
        ]));
        assert_eq!(
            s,
            WebhookSettings {
                watch_config_map: Some(false),
                ..WebhookSettings::default()
            }
        );
        assert_eq!(problems.len(), 1);
        assert!(problems[0].contains("token-expiration"), "{problems:?}");
    }

    #[test]
    fn list_items_are_projected_by_kind_and_unknown_kinds_ignored() {
        let text = json!({
            "apiVersion": "v1", "kind": "List", "metadata": {"resourceVersion": ""},
            "items": [
                {"apiVersion": "v1", "kind": "ServiceAccount",
                 "metadata": {"name": "s3-reader", "namespace": "demo"}},
                {"apiVersion": "v1", "kind": "ConfigMap",
                 "metadata": {"name": "x", "namespace": "demo"}, "data": {}},
                {"apiVersion": "v1", "kind": "Node",
                 "metadata": {"name": "n1"}, "spec": {"providerID": "aws:///eu-west-1a/i-1"}},
                {"apiVersion": "apps/v1", "kind": "Deployment",
                 "metadata": {"name": "pod-identity-webhook", "namespace": "kube-system"},
                 "spec": {"selector": {}, "template": {"spec": {"containers": [
                     {"name": "pod-identity-webhook",
                      "command": ["/webhook", "--aws-default-region=eu-west-1"]}]}}}}
            ]
        })
        .to_string();
        let out = parse(&text).unwrap();
        assert_eq!(out.service_accounts.len(), 1);
        assert_eq!(
            out.nodes[0].provider_id.as_deref(),
            Some("aws:///eu-west-1a/i-1")
        );
        assert!(out.pods.is_empty());
        assert_eq!(
            out.webhook.and_then(|w| w.region).as_deref(),
            Some("eu-west-1")
        );
    }

    #[test]
    fn typed_lists_and_single_objects_are_accepted() {
        let list = json!({"kind": "PodList", "items": [
            {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"containers": []}}
        ]});
        assert_eq!(parse(&list.to_string()).unwrap().pods.len(), 1);
        let single = json!({"kind": "ServiceAccount", "metadata": {"name": "a", "namespace": "b"}});
        assert_eq!(
            parse(&single.to_string()).unwrap().service_accounts.len(),
            1
        );
    }

    #[test]
    fn an_item_that_does_not_fit_its_kind_is_named_in_the_error() {
        let text = json!({"kind": "List", "items": [
            {"kind": "Pod", "metadata": {"name": "p", "namespace": "ns"},
             "spec": {"containers": "not-a-list"}}
        ]})
        .to_string();
        let err = parse(&text).unwrap_err();
        assert!(err.starts_with("items[0] (Pod ns/p): "), "{err}");
        let err = parse("{\"kind\": \"List\", \"items\": [").unwrap_err();
        assert!(err.contains("line 1 column"), "{err}");
    }
}
