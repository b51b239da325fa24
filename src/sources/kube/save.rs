//! `snapshot save`: the live cluster written as the snapshot folder format of
//! [`irsa_core::snapshot`] (`snapshot.json`, `kubernetes.json`,
//! `openid-configuration.json`, `mutating-webhook-configurations.json`,
//! `pod-identity-webhook-configmap.json`), so `--snapshot DIR` reads it back. The two webhook
//! files are written only when they could be read (a missing file reads back as unknown), and
//! hold only the pod-identity entries and the ConfigMap's `config` key.
//!
//! `kubernetes.json` is the `v1 List` that `kubectl get serviceaccounts,pods,nodes -A -o json`
//! prints (plus the self-managed webhook's Deployment when there is one), written page by page
//! (500 objects per LIST) so a 50,000-pod cluster never sits in memory whole. Like kubectl's
//! output it has no `managedFields`. Unlike it, nothing secret is written:
//! - literal env values of variables whose names mark them as secrets
//!   (the model's rule: those [`EnvVarInfo::literal`] redacts) become `*` of the same length, which the
//!   snapshot loader projects exactly like the live source does (`Redacted { len }`);
//! - kubectl's `last-applied-configuration` annotation (the whole object again, literals
//!   included) is dropped;
//! - Secrets are never read.
//!
//! A resource the user may not list is left out and reported, the rest is still written.

use super::config::{Connection, one_line};
use super::facts::{self, WEBHOOK_DEPLOYMENT};
use irsa_core::model::last_applied::strip_last_applied;
use irsa_core::model::{EnvValue, EnvVarInfo};
use irsa_core::snapshot::files as snapshot_files;
use jiff::Timestamp;
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Container, EnvVar, Node, Pod, PodSpec, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::api::{Api, ListParams};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::fmt::Debug;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Objects per LIST page.
const PAGE: u32 = 500;

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SaveSummary {
    pub service_accounts: usize,
    pub pods: usize,
    pub nodes: usize,
    /// Files written, in order.
    pub files: Vec<PathBuf>,
    /// What is missing from the snapshot and why, one line each.
    pub problems: Vec<String>,
}

/// Why the snapshot could not be written.
#[derive(Debug, Error)]
pub enum SaveError {
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
    #[error("cannot list {resource}: {message}")]
    List {
        resource: &'static str,
        message: String,
    },
}

/// Writes the snapshot of the cluster of `connection` into `dir` (created if missing), as of
/// `now`.
pub async fn save(
    connection: &Connection,
    dir: &Path,
    now: Timestamp,
) -> Result<SaveSummary, SaveError> {
    std::fs::create_dir_all(dir).map_err(|source| SaveError::Write {
        path: dir.to_owned(),
        source,
    })?;
    let mut summary = SaveSummary::default();
    let client = &connection.client;
    let facts = facts::read(client).await;
    summary
        .problems
        .extend(facts.problems.iter().map(|p| p.message.clone()));

    let meta = serde_json::json!({"capturedAt": now.to_string(), "context": connection.context});
    write_json(dir, "snapshot.json", &meta, &mut summary)?;
    if let Some(doc) = &facts.openid_configuration {
        write_json(dir, "openid-configuration.json", doc, &mut summary)?;
    }
    if let Some(list) = &facts.mutating_webhooks {
        write_json(dir, snapshot_files::MUTATING_WEBHOOKS, list, &mut summary)?;
    }
    if let Some(list) = &facts.webhook_config_map {
        write_json(dir, snapshot_files::WEBHOOK_CONFIG_MAP, list, &mut summary)?;
    }

    let path = dir.join("kubernetes.json");
    let write_err = |source| SaveError::Write {
        path: path.clone(),
        source,
    };
    let file = File::create(&path).map_err(write_err)?;
    let mut list = ListWriter::new(BufWriter::new(file)).map_err(write_err)?;
    let ns = connection.namespace.as_deref();
    summary.service_accounts = copy(
        api::<ServiceAccount>(connection, ns),
        "serviceaccounts",
        &mut list,
        &mut summary.problems,
        redact_service_account,
    )
    .await?;
    summary.pods = copy(
        api::<Pod>(connection, ns),
        "pods",
        &mut list,
        &mut summary.problems,
        redact_pod,
    )
    .await?;
    summary.nodes = copy(
        Api::<Node>::all(client.clone()),
        "nodes",
        &mut list,
        &mut summary.problems,
        |n: &mut Node| trim_meta(&mut n.metadata),
    )
    .await?;
    if let Some(value) = facts.webhook_deployment {
        match serde_json::from_value::<Deployment>(value) {
            Ok(mut d) => {
                redact_deployment(&mut d);
                list.item(&d).map_err(write_err)?;
            }
            Err(e) => summary
                .problems
                .push(format!("{WEBHOOK_DEPLOYMENT} Deployment not saved: {e}")),
        }
    }
    list.finish().map_err(write_err)?;
    summary.files.push(path);
    Ok(summary)
}

fn api<K>(connection: &Connection, namespace: Option<&str>) -> Api<K>
where
    K: kube::Resource<Scope = k8s_openapi::NamespaceResourceScope>,
    K::DynamicType: Default,
{
    match namespace {
        Some(ns) => Api::namespaced(connection.client.clone(), ns),
        None => Api::all(connection.client.clone()),
    }
}

/// Lists `api` page by page into `list`, redacting each object; a 403 is a problem, not an
/// error. Returns how many objects were written.
async fn copy<K>(
    api: Api<K>,
    resource: &'static str,
    list: &mut ListWriter<BufWriter<File>>,
    problems: &mut Vec<String>,
    redact: impl Fn(&mut K),
) -> Result<usize, SaveError>
where
    K: kube::Resource + Clone + DeserializeOwned + Serialize + Debug,
{
    let mut count = 0;
    let mut token: Option<String> = None;
    loop {
        let mut params = ListParams::default().limit(PAGE);
        if let Some(t) = &token {
            params = params.continue_token(t);
        }
        let page = match api.list(&params).await {
            Ok(page) => page,
            Err(kube::Error::Api(status)) if status.is_forbidden() => {
                problems.push(format!(
                    "cannot list {resource}: forbidden — not in the snapshot"
                ));
                return Ok(count);
            }
            Err(e) => {
                return Err(SaveError::List {
                    resource,
                    message: one_line(&e),
                });
            }
        };
        for mut item in page.items {
            redact(&mut item);
            list.item(&item).map_err(|source| SaveError::Write {
                path: PathBuf::from("kubernetes.json"),
                source,
            })?;
            count += 1;
        }
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            return Ok(count);
        }
    }
}

fn write_json(
    dir: &Path,
    name: &str,
    value: &serde_json::Value,
    summary: &mut SaveSummary,
) -> Result<(), SaveError> {
    let path = dir.join(name);
    let mut text = serde_json::to_string_pretty(value).unwrap_or_default();
    text.push('\n');
    std::fs::write(&path, text).map_err(|source| SaveError::Write {
        path: path.clone(),
        source,
    })?;
    summary.files.push(path);
    Ok(())
}

/// Writes a `v1 List` one item at a time.
struct ListWriter<W: Write> {
    out: W,
    first: bool,
}

impl<W: Write> ListWriter<W> {
    fn new(mut out: W) -> io::Result<Self> {
        out.write_all(b"{\n  \"apiVersion\": \"v1\",\n  \"kind\": \"List\",\n  \"metadata\": {\"resourceVersion\": \"\"},\n  \"items\": [\n")?;
        Ok(ListWriter { out, first: true })
    }

    fn item(&mut self, item: &impl Serialize) -> io::Result<()> {
        if !self.first {
            self.out.write_all(b",\n")?;
        }
        self.first = false;
        serde_json::to_writer_pretty(&mut self.out, item).map_err(io::Error::other)
    }

    fn finish(mut self) -> io::Result<()> {
        self.out.write_all(b"\n  ]\n}\n")?;
        self.out.flush()
    }
}

fn trim_meta(meta: &mut ObjectMeta) {
    meta.managed_fields = None;
    if let Some(annotations) = &mut meta.annotations {
        strip_last_applied(annotations);
    }
}

fn redact_service_account(sa: &mut ServiceAccount) {
    trim_meta(&mut sa.metadata);
}

fn redact_pod(pod: &mut Pod) {
    trim_meta(&mut pod.metadata);
    if let Some(spec) = &mut pod.spec {
        redact_spec(spec);
    }
}

fn redact_deployment(d: &mut Deployment) {
    trim_meta(&mut d.metadata);
    if let Some(spec) = d.spec.as_mut().and_then(|s| s.template.spec.as_mut()) {
        redact_spec(spec);
    }
}

fn redact_spec(spec: &mut PodSpec) {
    let containers = spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten());
    for c in containers {
        redact_env(c);
    }
    for c in spec.ephemeral_containers.iter_mut().flatten() {
        c.env.iter_mut().flatten().for_each(redact_var);
    }
}

fn redact_env(c: &mut Container) {
    c.env.iter_mut().flatten().for_each(redact_var);
}

/// A secret literal becomes `*` of the same length (the snapshot loader then projects it to
/// `Redacted { len }`, as the live source does).
fn redact_var(var: &mut EnvVar) {
    if let Some(value) = &mut var.value
        && matches!(
            EnvVarInfo::literal(&var.name, value).value,
            EnvValue::Redacted { .. }
        )
    {
        *value = "*".repeat(value.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use irsa_core::model::last_applied::LAST_APPLIED;
    use serde_json::json;

    #[test]
    fn secret_literals_keep_their_length_and_everything_else_stays() {
        let mut pod: Pod = serde_json::from_value(json!({
            "metadata": {"name": "p", "namespace": "ns",
                "annotations": {(LAST_APPLIED): "{\"secret\": \"hunter2\"}", "keep": "me"},
                "managedFields": [{"manager": "kubectl"}]},
            "spec": {"containers": [{"name": "app", "env": [
                {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"},
                {"name": "AWS_ACCESS_KEY_ID", "value": "AKIAIOSFODNN7EXAMPLE"},
                {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/token"}]}],
                "initContainers": [{"name": "init", "env": [{"name": "DB_PASSWORD", "value": "hunter2"}]}]}
        }))
        .unwrap();
        redact_pod(&mut pod);
        let text = serde_json::to_string(&pod).unwrap();
        assert!(!text.contains("wJalrXUtnFEMI"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(!text.contains("managedFields"), "{text}");
        assert!(text.contains(&"*".repeat(40)));
        assert!(
            text.contains("AKIAIOSFODNN7EXAMPLE"),
            "key ids are not secret"
        );
        assert!(text.contains("/var/run/token"));
        assert!(text.contains("\"keep\":\"me\""));
    }
}
