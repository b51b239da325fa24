//! Whether the API server calls the pod-identity-webhook at all, as read from the cluster's
//! `admissionregistration.k8s.io/v1` MutatingWebhookConfigurations, and the ServiceAccount →
//! role mappings of its `pod-identity-webhook` ConfigMap.
//!
//! What the sources found (aws/amazon-eks-pod-identity-webhook and AWS's own troubleshooting):
//! - EKS registers the webhook as the MutatingWebhookConfiguration `pod-identity-webhook` with one
//!   webhook `iam-for-pods.amazonaws.com` (`clientConfig.url https://127.0.0.1:23443/mutate`),
//!   `failurePolicy: Ignore`, rules `CREATE` of `pods` in the core group, empty (match-all)
//!   namespace/object selectors, `reinvocationPolicy` `IfNeeded` (seen as `Never` on some
//!   clusters, upstream issue #187); re:Post "How do I troubleshoot IRSA errors in Amazon EKS?"
//!   tells users to check `kubectl get mutatingwebhookconfiguration pod-identity-webhook -o yaml`
//!   because "if you accidentally deleted or changed your webhook configuration, then IRSA stops
//!   working". The API server's audit annotations name both (`"configuration":
//!   "pod-identity-webhook", "webhook": "iam-for-pods.amazonaws.com"`, upstream issue #83).
//! - The self-managed install (`deploy/mutatingwebhook.yaml`) registers the same configuration
//!   name with the webhook `pod-identity-webhook.amazonaws.com`, `failurePolicy: Ignore`;
//!   upstream PR #216 suggests an `objectSelector` `eks.amazonaws.com/skip-pod-identity-webhook
//!   DoesNotExist` as the canonical opt-out label.
//! - With `--watch-config-map` the webhook also watches the ConfigMap `pod-identity-webhook` in
//!   its `--namespace`; its `config` key is JSON mapping `"<namespace>/<serviceaccount>"` (or
//!   `"*/<serviceaccount>"` for every namespace) to `{"RoleARN", "Audience", "UseRegionalSTS",
//!   "TokenExpiration"}` (`pkg/cache/cache.go`, `populateCacheFromCM`). An SA's own non-empty
//!   `role-arn` annotation wins; the ConfigMap is consulted only without one (`cache.Get`).

use k8s_openapi::api::admissionregistration::v1::{MutatingWebhook, MutatingWebhookConfiguration};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector as K8sLabelSelector;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// The MutatingWebhookConfiguration name EKS and the upstream manifests use.
pub const WEBHOOK_CONFIGURATION: &str = "pod-identity-webhook";
/// The webhook names EKS (`iam-for-pods.amazonaws.com`) and the upstream manifest use.
pub const WEBHOOK_NAMES: [&str; 2] = [
    "iam-for-pods.amazonaws.com",
    "pod-identity-webhook.amazonaws.com",
];
/// The ConfigMap the webhook watches with `--watch-config-map`, and its key.
pub const WEBHOOK_CONFIG_MAP: &str = "pod-identity-webhook";
pub const WEBHOOK_CONFIG_MAP_KEY: &str = "config";

/// The registration of the pod-identity-webhook, as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum WebhookRegistration {
    /// Registered: every pod-identity webhook entry found (usually one).
    Present { webhooks: Vec<RegisteredWebhook> },
    /// The configurations were listed and none registers the pod-identity-webhook.
    Absent,
    /// Could not be read: why, one line.
    Unknown { reason: String },
}

impl Default for WebhookRegistration {
    fn default() -> Self {
        Self::Unknown {
            reason: "MutatingWebhookConfigurations not read".to_owned(),
        }
    }
}

impl WebhookRegistration {
    /// From the listed configurations: the pod-identity entries of all of them.
    pub fn from_configurations<'a>(
        configurations: impl IntoIterator<Item = &'a MutatingWebhookConfiguration>,
    ) -> Self {
        let webhooks: Vec<RegisteredWebhook> = configurations
            .into_iter()
            .flat_map(|c| {
                let configuration = c.metadata.name.clone().unwrap_or_default();
                c.webhooks
                    .iter()
                    .flatten()
                    .filter(|w| is_pod_identity_webhook(&configuration, &w.name))
                    .map(|w| RegisteredWebhook::from_webhook(&configuration, w))
                    .collect::<Vec<_>>()
            })
            .collect();
        if webhooks.is_empty() {
            Self::Absent
        } else {
            Self::Present { webhooks }
        }
    }
}

/// True for a webhook entry that is the pod-identity-webhook: in the configuration EKS and the
/// upstream manifests name `pod-identity-webhook`, or under one of its known webhook names.
pub fn is_pod_identity_webhook(configuration: &str, webhook: &str) -> bool {
    configuration == WEBHOOK_CONFIGURATION || WEBHOOK_NAMES.contains(&webhook)
}

/// One webhook entry of a MutatingWebhookConfiguration, trimmed to what decides whether a pod
/// is sent to it and what happens when it fails.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RegisteredWebhook {
    /// The MutatingWebhookConfiguration's name.
    pub configuration: String,
    /// The webhook's name (`iam-for-pods.amazonaws.com` on EKS).
    pub name: String,
    /// `Ignore` or `Fail` (the v1 API defaults it to `Fail`).
    pub failure_policy: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace_selector: Option<LabelSelector>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object_selector: Option<LabelSelector>,
    /// The rules' operations and resources for the core API group (`""` or `*`).
    pub operations: Vec<String>,
    pub resources: Vec<String>,
    /// `Never` (the API's default) or `IfNeeded`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reinvocation_policy: Option<String>,
}

impl RegisteredWebhook {
    pub fn from_webhook(configuration: &str, w: &MutatingWebhook) -> Self {
        let core_rules = || {
            w.rules.iter().flatten().filter(|r| {
                r.api_groups
                    .iter()
                    .flatten()
                    .any(|g| g.is_empty() || g == "*")
            })
        };
        Self {
            configuration: configuration.to_owned(),
            name: w.name.clone(),
            failure_policy: w
                .failure_policy
                .clone()
                .unwrap_or_else(|| "Fail".to_owned()),
            namespace_selector: w.namespace_selector.as_ref().map(LabelSelector::from),
            object_selector: w.object_selector.as_ref().map(LabelSelector::from),
            operations: dedup(core_rules().flat_map(|r| r.operations.iter().flatten().cloned())),
            resources: dedup(core_rules().flat_map(|r| r.resources.iter().flatten().cloned())),
            reinvocation_policy: w.reinvocation_policy.clone(),
        }
    }

    /// True when its rules send pod CREATEs to it.
    pub fn covers_pod_create(&self) -> bool {
        let op = self.operations.iter().any(|o| o == "CREATE" || o == "*");
        let res = self
            .resources
            .iter()
            .any(|r| r == "pods" || r == "*" || r == "*/*");
        op && res
    }

    /// True for `failurePolicy: Ignore` (an unreachable webhook admits the pod unmutated).
    pub fn ignores_failures(&self) -> bool {
        self.failure_policy.eq_ignore_ascii_case("Ignore")
    }
}

fn dedup(items: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

/// A Kubernetes label selector (`matchLabels` + `matchExpressions`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LabelSelector {
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub match_labels: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub match_expressions: Vec<SelectorRequirement>,
}

/// One `matchExpressions` entry: `In`, `NotIn`, `Exists` or `DoesNotExist`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectorRequirement {
    pub key: String,
    pub operator: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
}

impl LabelSelector {
    /// An empty selector matches everything.
    pub fn is_empty(&self) -> bool {
        self.match_labels.is_empty() && self.match_expressions.is_empty()
    }
}

impl From<&K8sLabelSelector> for LabelSelector {
    fn from(s: &K8sLabelSelector) -> Self {
        Self {
            match_labels: s.match_labels.clone().unwrap_or_default(),
            match_expressions: s
                .match_expressions
                .iter()
                .flatten()
                .map(|e| SelectorRequirement {
                    key: e.key.clone(),
                    operator: e.operator.clone(),
                    values: e.values.clone().unwrap_or_default(),
                })
                .collect(),
        }
    }
}

impl fmt::Display for SelectorRequirement {
    /// kubectl's selector syntax: `k in (a,b)`, `k notin (a)`, `k`, `!k`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.operator.as_str() {
            "Exists" => write!(f, "{}", self.key),
            "DoesNotExist" => write!(f, "!{}", self.key),
            "In" => write!(f, "{} in ({})", self.key, self.values.join(",")),
            "NotIn" => write!(f, "{} notin ({})", self.key, self.values.join(",")),
            other => write!(f, "{} {other} ({})", self.key, self.values.join(",")),
        }
    }
}

impl fmt::Display for LabelSelector {
    /// kubectl's selector syntax; `(everything)` for the empty selector.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_empty() {
            return f.write_str("(everything)");
        }
        let parts: Vec<String> = self
            .match_labels
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .chain(self.match_expressions.iter().map(ToString::to_string))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// One ServiceAccount → role mapping of the webhook's ConfigMap (`config` key).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConfigMapRole {
    /// The namespace, or `*` for every namespace.
    pub namespace: String,
    pub service_account: String,
    pub role_arn: String,
    /// Used as written (the webhook does not default an empty one).
    #[serde(default)]
    pub audience: String,
    /// `UseRegionalSTS` (false when absent; the `--sts-regional-endpoint` flag does not apply).
    #[serde(default)]
    pub regional_sts: bool,
    /// `TokenExpiration`; 0 means the `--token-expiration` flag.
    #[serde(default)]
    pub token_expiration: i64,
}

/// The `config` key's entry shape (Go field names).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ConfigEntry {
    #[serde(default, rename = "RoleARN")]
    role_arn: String,
    #[serde(default)]
    audience: String,
    #[serde(default, rename = "UseRegionalSTS")]
    use_regional_sts: bool,
    #[serde(default)]
    token_expiration: i64,
}

/// Parses the ConfigMap's `config` text into mappings. Keys without a `/` (which crash the
/// real webhook's parser) are reported in the second list and skipped. The error is serde's
/// message when the text is not the expected JSON object.
pub fn parse_config_map_roles(text: &str) -> Result<(Vec<ConfigMapRole>, Vec<String>), String> {
    let map: BTreeMap<String, ConfigEntry> =
        serde_json::from_str(text).map_err(|e| e.to_string())?;
    let mut roles = Vec::new();
    let mut bad = Vec::new();
    for (key, e) in map {
        let Some((namespace, service_account)) = key.split_once('/') else {
            bad.push(key);
            continue;
        };
        roles.push(ConfigMapRole {
            namespace: namespace.to_owned(),
            service_account: service_account.to_owned(),
            role_arn: e.role_arn,
            audience: e.audience,
            regional_sts: e.use_regional_sts,
            token_expiration: e.token_expiration,
        });
    }
    Ok((roles, bad))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn eks_configuration(object_selector: serde_json::Value) -> MutatingWebhookConfiguration {
        serde_json::from_value(json!({
            "apiVersion": "admissionregistration.k8s.io/v1",
            "kind": "MutatingWebhookConfiguration",
            "metadata": {"name": "pod-identity-webhook"},
            "webhooks": [{
                "admissionReviewVersions": ["v1beta1"],
                "clientConfig": {"url": "https://127.0.0.1:23443/mutate"},
                "failurePolicy": "Ignore",
                "matchPolicy": "Equivalent",
                "name": "iam-for-pods.amazonaws.com",
                "namespaceSelector": {},
                "objectSelector": object_selector,
                "reinvocationPolicy": "IfNeeded",
                "rules": [{"apiGroups": [""], "apiVersions": ["v1"],
                           "operations": ["CREATE"], "resources": ["pods"], "scope": "*"}],
                "sideEffects": "None",
                "timeoutSeconds": 10
            }]
        }))
        .unwrap()
    }

    #[test]
    fn the_eks_registration_is_found_with_its_settings() {
        let other: MutatingWebhookConfiguration = serde_json::from_value(json!({
            "metadata": {"name": "vpc-resource-mutating-webhook"},
            "webhooks": [{"name": "mpod.vpc.k8s.aws", "sideEffects": "None",
                          "admissionReviewVersions": ["v1"], "clientConfig": {}}]
        }))
        .unwrap();
        let skip = json!({"matchExpressions": [
            {"key": "eks.amazonaws.com/skip-pod-identity-webhook", "operator": "DoesNotExist"}]});
        let eks = eks_configuration(skip);
        let WebhookRegistration::Present { webhooks } =
            WebhookRegistration::from_configurations([&other, &eks])
        else {
            panic!("not present");
        };
        assert_eq!(webhooks.len(), 1);
        let w = &webhooks[0];
        assert_eq!(w.name, "iam-for-pods.amazonaws.com");
        assert!(w.ignores_failures());
        assert!(w.covers_pod_create());
        assert_eq!(w.reinvocation_policy.as_deref(), Some("IfNeeded"));
        assert!(w.namespace_selector.as_ref().unwrap().is_empty());
        assert_eq!(
            w.object_selector.as_ref().unwrap().to_string(),
            "!eks.amazonaws.com/skip-pod-identity-webhook"
        );
        assert_eq!(
            WebhookRegistration::from_configurations([&other]),
            WebhookRegistration::Absent
        );
    }

    #[test]
    fn config_map_entries_are_read_with_go_field_names_and_bad_keys_reported() {
        let text = r#"{"demo/app": {"RoleARN": "arn:aws:iam::123456789012:role/app",
                       "Audience": "sts.amazonaws.com", "UseRegionalSTS": true,
                       "TokenExpiration": 3600},
                      "*/shared": {"RoleARN": "arn:aws:iam::123456789012:role/shared"},
                      "noslash": {"RoleARN": "x"}}"#;
        let (roles, bad) = parse_config_map_roles(text).unwrap();
        assert_eq!(bad, ["noslash"]);
        let shared = roles.iter().find(|r| &*r.namespace == "*").unwrap();
        assert_eq!(&*shared.service_account, "shared");
        assert_eq!(shared.token_expiration, 0);
        assert!(!shared.regional_sts);
        let app = roles.iter().find(|r| &*r.namespace == "demo").unwrap();
        assert!(app.regional_sts);
        assert_eq!(app.token_expiration, 3600);
        assert!(parse_config_map_roles("[1]").is_err());
    }
}
