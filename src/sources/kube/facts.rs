//! Facts about the cluster read once at start, without any AWS permission:
//!
//! - the issuer, from the API server's `/.well-known/openid-configuration`
//!   (ServiceAccountIssuerDiscovery; readable by every authenticated user by default);
//! - the pod-identity-webhook's settings: a self-managed webhook's `pod-identity-webhook`
//!   Deployment (its flags), else the settings EKS runs it with when the issuer is an EKS one;
//! - whether the webhook is registered: the `admissionregistration.k8s.io/v1`
//!   MutatingWebhookConfigurations (cluster-scoped LIST; EKS's is `pod-identity-webhook` with the
//!   webhook `iam-for-pods.amazonaws.com`, see `model::webhook_registration` for the sources),
//!   kept trimmed to the pod-identity entries without their `caBundle`;
//! - the ServiceAccount → role mappings of the ConfigMap `kube-system/pod-identity-webhook`
//!   (`--watch-config-map`), a GET of that one ConfigMap (404: there is none). The webhook
//!   watches it in its own `--namespace`; a self-managed webhook running elsewhere keeps its
//!   ConfigMap there, which is not read. On EKS whether the managed webhook watches it is not
//!   visible, so an existing ConfigMap's mappings are used; a self-managed Deployment without
//!   `--watch-config-map` makes them ignored (and says so).
//!
//! A 403 on any of them is one status line naming the verb and resource, and that fact stays
//! unknown. All are interpreted by the snapshot source's own code (a snapshot of just these
//! documents is loaded), so a live cluster and its saved snapshot read the same.

use super::config::one_line;
use irsa_core::model::{
    SourceKind, SourceProblem, WEBHOOK_CONFIG_MAP, WEBHOOK_CONFIG_MAP_KEY, WebhookRegistration,
    WebhookSettings, is_pod_identity_webhook,
};
use irsa_core::snapshot::{self, SnapshotFiles, files};
use k8s_openapi::api::admissionregistration::v1::MutatingWebhookConfiguration;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::ConfigMap;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::Client;
use kube::api::{Api, ListParams};
use serde_json::{Value, json};

/// Where EKS's (and the upstream manifests') webhook ConfigMap lives.
pub const WEBHOOK_CONFIG_MAP_NAMESPACE: &str = "kube-system";

/// The name of the self-managed webhook's Deployment.
pub const WEBHOOK_DEPLOYMENT: &str = "pod-identity-webhook";

/// What was learnt, and what could not be.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ClusterFacts {
    pub issuer: Option<String>,
    pub webhook: Option<WebhookSettings>,
    /// The webhook Deployment as served (for `snapshot save`), when there is one.
    pub webhook_deployment: Option<Value>,
    /// The discovery document as served (for `snapshot save`).
    pub openid_configuration: Option<Value>,
    /// Whether the API server calls the webhook.
    pub registration: WebhookRegistration,
    /// The pod-identity MutatingWebhookConfigurations as a `v1 List`, trimmed (for `snapshot
    /// save`); `None` when they could not be listed.
    pub mutating_webhooks: Option<Value>,
    /// The webhook ConfigMap as a `v1 List` (empty when there is none), trimmed to its
    /// `config` key (for `snapshot save`); `None` when it could not be read.
    pub webhook_config_map: Option<Value>,
    pub problems: Vec<SourceProblem>,
}

/// Reads the issuer and the webhook settings.
pub async fn read(client: &Client) -> ClusterFacts {
    let mut facts = ClusterFacts::default();
    match openid_configuration(client).await {
        Ok(doc) => {
            facts.issuer = doc.get("issuer").and_then(Value::as_str).map(str::to_owned);
            facts.openid_configuration = Some(doc);
        }
        Err(message) => facts.problems.push(SourceProblem {
            source: SourceKind::Kubernetes,
            message: format!(
                "cannot read /.well-known/openid-configuration: {message} — issuer from the \
                 API server unknown"
            ),
        }),
    }
    let deployments: Api<Deployment> = Api::all(client.clone());
    let params = ListParams::default().fields(&format!("metadata.name={WEBHOOK_DEPLOYMENT}"));
    match deployments.list(&params).await {
        Ok(list) => {
            facts.webhook_deployment = list
                .items
                .into_iter()
                .next()
                .and_then(|d| serde_json::to_value(d).ok());
        }
        Err(kube::Error::Api(status)) if status.is_forbidden() => {
            facts.problems.push(SourceProblem {
                source: SourceKind::Kubernetes,
                message: format!(
                    "cannot list deployments: forbidden — a self-managed {WEBHOOK_DEPLOYMENT} \
                     would not be seen"
                ),
            });
        }
        Err(e) => facts.problems.push(SourceProblem {
            source: SourceKind::Kubernetes,
            message: format!("cannot list deployments: {}", one_line(&e)),
        }),
    }
    let configurations: Api<MutatingWebhookConfiguration> = Api::all(client.clone());
    match configurations.list(&ListParams::default()).await {
        Ok(list) => {
            let items: Vec<MutatingWebhookConfiguration> = list
                .items
                .into_iter()
                .filter_map(trim_configuration)
                .collect();
            facts.mutating_webhooks =
                Some(json!({"apiVersion": "v1", "kind": "List", "items": items}));
        }
        Err(e) => {
            let why = match &e {
                kube::Error::Api(status) if status.is_forbidden() => "forbidden".to_owned(),
                _ => one_line(&e),
            };
            let reason = format!("cannot list mutatingwebhookconfigurations: {why}");
            facts.problems.push(SourceProblem {
                source: SourceKind::Kubernetes,
                message: format!("{reason} — webhook registration unknown"),
            });
            facts.registration = WebhookRegistration::Unknown { reason };
        }
    }
    let config_maps: Api<ConfigMap> = Api::namespaced(client.clone(), WEBHOOK_CONFIG_MAP_NAMESPACE);
    match config_maps.get_opt(WEBHOOK_CONFIG_MAP).await {
        Ok(found) => {
            let items: Vec<ConfigMap> = found.into_iter().map(trim_config_map).collect();
            facts.webhook_config_map =
                Some(json!({"apiVersion": "v1", "kind": "List", "items": items}));
        }
        Err(e) => {
            let why = match &e {
                kube::Error::Api(status) if status.is_forbidden() => "forbidden".to_owned(),
                _ => one_line(&e),
            };
            facts.problems.push(SourceProblem {
                source: SourceKind::Kubernetes,
                message: format!(
                    "cannot get configmaps {WEBHOOK_CONFIG_MAP_NAMESPACE}/{WEBHOOK_CONFIG_MAP}: \
                     {why} — the webhook ConfigMap's ServiceAccount mappings unknown"
                ),
            });
        }
    }
    let loaded = load(&facts);
    facts.webhook = loaded.webhook;
    if facts.mutating_webhooks.is_some() {
        facts.registration = loaded.webhook_registration;
    }
    // The ConfigMap's own oddities (bad keys, ignored mappings); the loader's "not in
    // snapshot" lines do not apply to a live read.
    facts.problems.extend(
        loaded
            .problems
            .into_iter()
            .filter(|p| p.message.starts_with("ConfigMap ")),
    );
    facts
}

/// A pod-identity configuration without what is not read (other webhooks, `caBundle`,
/// annotations, managed fields); `None` for a configuration without a pod-identity entry.
fn trim_configuration(mut c: MutatingWebhookConfiguration) -> Option<MutatingWebhookConfiguration> {
    let name = c.metadata.name.clone().unwrap_or_default();
    let webhooks: Vec<_> = c
        .webhooks
        .take()
        .into_iter()
        .flatten()
        .filter(|w| is_pod_identity_webhook(&name, &w.name))
        .map(|mut w| {
            w.client_config.ca_bundle = None;
            w
        })
        .collect();
    if webhooks.is_empty() {
        return None;
    }
    c.metadata = ObjectMeta {
        name: Some(name),
        ..ObjectMeta::default()
    };
    c.webhooks = Some(webhooks);
    Some(c)
}

/// The ConfigMap with its name, namespace and `config` key only.
fn trim_config_map(cm: ConfigMap) -> ConfigMap {
    let data = cm.data.and_then(|mut d| {
        d.remove(WEBHOOK_CONFIG_MAP_KEY).map(|v| {
            [(WEBHOOK_CONFIG_MAP_KEY.to_owned(), v)]
                .into_iter()
                .collect()
        })
    });
    ConfigMap {
        metadata: ObjectMeta {
            name: cm.metadata.name,
            namespace: cm.metadata.namespace,
            ..ObjectMeta::default()
        },
        data,
        ..ConfigMap::default()
    }
}

async fn openid_configuration(client: &Client) -> Result<Value, String> {
    let request = http::Request::get("/.well-known/openid-configuration")
        .body(Vec::new())
        .map_err(|e| e.to_string())?;
    let text = client
        .request_text(request)
        .await
        .map_err(|e| one_line(&e))?;
    serde_json::from_str(&text).map_err(|e| format!("not JSON: {e}"))
}

/// The snapshot of just the documents read here, loaded by the snapshot source.
fn load(facts: &ClusterFacts) -> irsa_core::model::Inventory {
    let mut files = SnapshotFiles::new("live cluster");
    if let Some(d) = &facts.webhook_deployment {
        let list = json!({"apiVersion": "v1", "kind": "List", "items": [d]});
        files.insert(files::KUBERNETES, list.to_string());
    }
    if let Some(doc) = &facts.openid_configuration {
        files.insert(files::OPENID_CONFIGURATION, doc.to_string());
    }
    if let Some(list) = &facts.mutating_webhooks {
        files.insert(files::MUTATING_WEBHOOKS, list.to_string());
    }
    if let Some(list) = &facts.webhook_config_map {
        files.insert(files::WEBHOOK_CONFIG_MAP, list.to_string());
    }
    snapshot::load_files(&files).unwrap_or_default()
}

/// The webhook settings the snapshot source derives from the Deployment and discovery document.
#[cfg(test)]
fn webhook_settings(
    deployment: Option<&Value>,
    openid_configuration: Option<&Value>,
) -> Option<WebhookSettings> {
    let facts = ClusterFacts {
        webhook_deployment: deployment.cloned(),
        openid_configuration: openid_configuration.cloned(),
        ..ClusterFacts::default()
    };
    load(&facts).webhook
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_eks_issuer_means_the_eks_webhook_and_a_deployment_its_own_flags() {
        let eks = json!({"issuer": "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"});
        let w = webhook_settings(None, Some(&eks)).unwrap();
        assert_eq!(w.region.as_deref(), Some("eu-west-1"));
        assert!(w.sts_regional_endpoints);

        let deployment = json!({"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": WEBHOOK_DEPLOYMENT, "namespace": "kube-system"},
            "spec": {"selector": {}, "template": {"spec": {"containers": [
                {"name": WEBHOOK_DEPLOYMENT, "command": ["/webhook", "--token-expiration=3600"]}]}}}});
        let other = json!({"issuer": "https://kubernetes.default.svc"});
        let w = webhook_settings(Some(&deployment), Some(&other)).unwrap();
        assert_eq!(w.default_token_expiration, 3600);
        assert_eq!(webhook_settings(None, Some(&other)), None);
    }
}
