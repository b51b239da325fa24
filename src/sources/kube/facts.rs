//! Facts about the cluster read once at start, without any AWS permission:
//!
//! - the issuer, from the API server's `/.well-known/openid-configuration`
//!   (ServiceAccountIssuerDiscovery; readable by every authenticated user by default);
//! - the pod-identity-webhook's settings: a self-managed webhook's `pod-identity-webhook`
//!   Deployment (its flags), else the settings EKS runs it with when the issuer is an EKS one.
//!
//! Both are interpreted by the snapshot source's own code (a snapshot of just these two
//! documents is loaded), so a live cluster and its saved snapshot read the same.

use super::config::one_line;
use crate::model::{SourceKind, SourceProblem, WebhookSettings};
use crate::sources::snapshot::{self, SnapshotFiles};
use k8s_openapi::api::apps::v1::Deployment;
use kube::Client;
use kube::api::{Api, ListParams};
use serde_json::{Value, json};

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
    facts.webhook = webhook_settings(
        facts.webhook_deployment.as_ref(),
        facts.openid_configuration.as_ref(),
    );
    facts
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

/// The webhook settings the snapshot source derives from the same two documents.
fn webhook_settings(
    deployment: Option<&Value>,
    openid_configuration: Option<&Value>,
) -> Option<WebhookSettings> {
    let mut files = SnapshotFiles::new("live cluster");
    if let Some(d) = deployment {
        let list = json!({"apiVersion": "v1", "kind": "List", "items": [d]});
        files.insert("kubernetes.json", list.to_string());
    }
    if let Some(doc) = openid_configuration {
        files.insert("openid-configuration.json", doc.to_string());
    }
    snapshot::load_files(&files)
        .ok()
        .and_then(|inv| inv.webhook)
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
