//! The webhook's registration and ConfigMap files of a snapshot:
//!
//! - `mutating-webhook-configurations.json`: `kubectl get mutatingwebhookconfigurations -o json`
//!   (a `List` or `MutatingWebhookConfigurationList`; a single object is accepted too). Listed
//!   without a pod-identity entry means the webhook is not registered; a missing file means the
//!   registration is unknown.
//! - `pod-identity-webhook-configmap.json`: `kubectl get configmap -n kube-system
//!   --field-selector metadata.name=pod-identity-webhook -o json` — a list, empty when there is
//!   no such ConfigMap (a single ConfigMap object is accepted too).
//!
//! `snapshot save` writes both in these shapes, trimmed to the fields read here.
//!
//! Both are read like `kubernetes.json` (`kubernetes::ListText`, no `Value` tree), although
//! they are small, so every kubectl list file has one reader. An item's schema error carries no
//! position: [`super::webhook_registration`] also reads YAML converted to JSON, where a line
//! and column would point nowhere in the user's file.

use super::kubernetes::{ItemHeader, ListItems, ListText, without_position};
use crate::model::{
    ConfigMapRole, WEBHOOK_CONFIG_MAP, WEBHOOK_CONFIG_MAP_KEY, WebhookRegistration,
    parse_config_map_roles,
};
use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::core::v1::ConfigMap;
use serde::de::DeserializeOwned;

/// The items of a list file (or the single object).
fn items<T: DeserializeOwned>(text: &str, kind: &str) -> Result<Vec<T>, String> {
    let list = ListText::read(text)?;
    let items = match list.items {
        ListItems::Array(items) => items,
        ListItems::NotArray => return Err("`items` is not an array".to_owned()),
        ListItems::Absent if list.kind.as_deref() == Some(kind) => vec![text],
        ListItems::Absent => return Err(format!("neither a List (`items`) nor a {kind}")),
    };
    items
        .into_iter()
        .enumerate()
        .map(|(index, item)| {
            serde_json::from_str(item).map_err(|e| {
                let header = ItemHeader::read(item);
                let name = header.name.as_deref().unwrap_or("<no name>");
                format!("items[{index}] ({kind} {name}): {}", without_position(&e))
            })
        })
        .collect()
}

/// The registration read from `mutating-webhook-configurations.json`.
pub(super) fn registration(text: &str) -> Result<WebhookRegistration, String> {
    let configurations: Vec<MutatingWebhookConfiguration> =
        items(text, "MutatingWebhookConfiguration")?;
    Ok(WebhookRegistration::from_configurations(&configurations))
}

/// The mappings read, and one line per oddity.
pub(super) type ConfigMapRead = (Vec<ConfigMapRole>, Vec<String>);

/// The ConfigMap's mappings: `None` when the file lists no `pod-identity-webhook` ConfigMap;
/// else the mappings and one line per oddity (unreadable `config`, bad keys).
pub(super) fn config_map_roles(text: &str) -> Result<Option<ConfigMapRead>, String> {
    let maps: Vec<ConfigMap> = items(text, "ConfigMap")?;
    let Some(cm) = maps
        .iter()
        .find(|m| m.metadata.name.as_deref() == Some(WEBHOOK_CONFIG_MAP))
    else {
        return Ok(None);
    };
    let where_ = format!(
        "ConfigMap {}/{WEBHOOK_CONFIG_MAP}",
        cm.metadata.namespace.as_deref().unwrap_or("kube-system")
    );
    let Some(config) = cm.data.as_ref().and_then(|d| d.get(WEBHOOK_CONFIG_MAP_KEY)) else {
        return Ok(Some((
            Vec::new(),
            vec![format!(
                "{where_} has no `{WEBHOOK_CONFIG_MAP_KEY}` key — it maps no ServiceAccount"
            )],
        )));
    };
    match parse_config_map_roles(config) {
        Ok((roles, bad)) => {
            let problems = bad
                .iter()
                .map(|k| {
                    format!(
                        "{where_}: key {k:?} is not <namespace>/<serviceaccount> — skipped \
                         (it crashes the webhook's ConfigMap reader)"
                    )
                })
                .collect();
            Ok(Some((roles, problems)))
        }
        Err(e) => Ok(Some((
            Vec::new(),
            vec![format!(
                "{where_}: `{WEBHOOK_CONFIG_MAP_KEY}` is not the webhook's JSON map ({}) — \
                 the webhook ignores it",
                crate::report::redact_serde_message(&e)
            )],
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn an_empty_list_means_absent_and_a_missing_kind_is_an_error() {
        let empty = json!({"apiVersion": "v1", "kind": "List", "items": []}).to_string();
        assert_eq!(registration(&empty).unwrap(), WebhookRegistration::Absent);
        assert_eq!(config_map_roles(&empty).unwrap(), None);
        assert!(registration("{\"kind\": \"Pod\"}").is_err());
    }

    #[test]
    fn a_config_map_with_a_bad_config_is_reported_not_fatal() {
        let cm = json!({"kind": "ConfigMap",
            "metadata": {"name": "pod-identity-webhook", "namespace": "kube-system"},
            "data": {"config": "not json"}})
        .to_string();
        let (roles, problems) = config_map_roles(&cm).unwrap().unwrap();
        assert!(roles.is_empty());
        assert!(
            problems[0].contains("kube-system/pod-identity-webhook"),
            "{problems:?}"
        );
    }

    #[test]
    fn a_bad_config_value_is_not_quoted_back() {
        let config = json!({"demo/app": {"RoleARN": "arn", "TokenExpiration": "hunter2-secret"}})
            .to_string();
        let cm = json!({"kind": "ConfigMap",
            "metadata": {"name": "pod-identity-webhook", "namespace": "kube-system"},
            "data": {"config": config}})
        .to_string();
        let (_, problems) = config_map_roles(&cm).unwrap().unwrap();
        assert_eq!(problems.len(), 1);
        assert!(
            problems[0].contains("is not the webhook's JSON map"),
            "{problems:?}"
        );
        assert!(!problems[0].contains("hunter2"), "{problems:?}");
    }
}
