//! Offline snapshots and the embedded demo lab.
//!
//! A snapshot is a folder of the files a user captures with `kubectl` and the AWS CLI (the
//! exact commands are in `assets/demo/README.md`); every file is optional. The embedded demo
//! is one such snapshot compiled into the binary, so [`load_dir`] and [`load_demo`] share one
//! path: [`load_files`]'s — except that [`load_dir`] streams `kubernetes.json` from its file
//! (hundreds of MB for a big cluster) where [`load_files`] parses text it is given; both give
//! the same inventory and the same errors.
//!
//! Rules:
//! - A missing file leaves its collection unknown (`None`) and adds a [`SourceProblem`] that
//!   says what is unknown because of it. A missing `kubernetes.json` gives empty lists.
//! - A present but malformed file is an error whose one-line message names the file and the
//!   problem (serde's line/column, or the offending item).
//! - A token that does not decode is kept as an [`ObservedToken`] with the error; the raw
//!   token text is never stored in the inventory.
//! - IAM files of further accounts (`iam-authorization-details-<x>.json`,
//!   `iam-oidc-providers-<x>.json`) are merged into the primary file's collection, so
//!   cross-account roles and providers can be known; without the primary file (the cluster's
//!   account) the collection stays unknown, because "not listed" must mean "does not exist".

mod demo;
pub mod files;
mod iam;
mod kubernetes;
mod scan;
mod tokens;
mod webhook_config;

pub use files::{SnapshotFiles, is_snapshot_file};

use crate::model::aws_cli::{
    DescribeClusterOutput, DescribeInstancesOutput, GetCallerIdentityOutput,
    PodIdentityAssociations,
};
use crate::model::{
    CallerIdentity, ClusterInfo, Inventory, ResourcePoliciesFile, ScpFile, SourceKind,
    SourceProblem, WebhookRegistration, WebhookSettings,
};
use serde::de::DeserializeOwned;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use thiserror::Error;

/// Why a snapshot could not be loaded. `Display` is one line naming the folder or file.
#[derive(Debug, Error)]
pub enum SnapshotError {
    /// The folder (or its `tokens/`) cannot be listed.
    #[error("cannot read snapshot folder {}: {source}", path.display())]
    Folder { path: PathBuf, source: io::Error },
    /// A known file cannot be read (permissions, not UTF-8, …).
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    /// A file is not the JSON it should be; `message` is serde's (with line and column) or
    /// names the offending item.
    #[error("{file}: {message}")]
    Malformed { file: String, message: String },
}

/// Loads the snapshot in folder `path`. `kubernetes.json` is streamed from its file, never
/// held whole (see `kubernetes`); the other files are read as text.
pub fn load_dir(path: &Path) -> Result<Inventory, SnapshotError> {
    let (files, kubernetes) = SnapshotFiles::read_dir_streaming(path)?;
    load(&files, kubernetes.map(Kubernetes::File))
    // `files` (raw token text included) is dropped here.
}

/// Loads the embedded demo lab (`assets/demo/`).
pub fn load_demo() -> Result<Inventory, SnapshotError> {
    load_files(&demo_files())
}

/// The embedded demo lab's files, e.g. to write them out as a snapshot folder.
pub fn demo_files() -> SnapshotFiles {
    demo::files()
}

/// The pod-identity-webhook's registration in a `kubectl get mutatingwebhookconfigurations -o
/// json` text (a list or one configuration), as the snapshot loader reads it; the error is one
/// line (serde's, or the offending item).
pub fn webhook_registration(text: &str) -> Result<crate::model::WebhookRegistration, String> {
    webhook_config::registration(text)
}

/// `snapshot.json`.
#[derive(Debug, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct SnapshotMeta {
    #[serde(default)]
    captured_at: Option<jiff::Timestamp>,
    #[serde(default)]
    context: Option<String>,
}

/// `openid-configuration.json` (only the issuer is read).
#[derive(Debug, serde::Deserialize)]
struct OpenIdConfiguration {
    issuer: String,
}

/// Builds an inventory from a set of snapshot files.
pub fn load_files(files: &SnapshotFiles) -> Result<Inventory, SnapshotError> {
    load(files, files.get(files::KUBERNETES).map(Kubernetes::Text))
}

/// Where `kubernetes.json` is read from.
enum Kubernetes<'a> {
    /// Text already in memory (the demo, callers of [`load_files`]).
    Text(&'a str),
    /// The file of a folder, streamed ([`load_dir`]).
    File(File),
}

/// [`load_files`], with `kubernetes.json` from `kubernetes` instead of `files`.
fn load(
    files: &SnapshotFiles,
    kubernetes: Option<Kubernetes<'_>>,
) -> Result<Inventory, SnapshotError> {
    let mut inv = Inventory::default();

    if let Some(meta) = parse::<SnapshotMeta>(files, files::META)? {
        inv.captured_at = meta.captured_at;
        inv.context = meta.context;
    }

    let mut kube_webhook = None;
    match kubernetes {
        Some(source) => {
            let objects = match source {
                Kubernetes::Text(text) => kubernetes::parse(text)
                    .map_err(|message| malformed(files, files::KUBERNETES, message))?,
                Kubernetes::File(file) => kubernetes::read(file).map_err(|e| match e {
                    kubernetes::ReadError::Io(source) => SnapshotError::Read {
                        path: files.path_of(files::KUBERNETES).unwrap_or_default(),
                        source,
                    },
                    kubernetes::ReadError::Malformed(message) => {
                        malformed(files, files::KUBERNETES, message)
                    }
                })?,
            };
            inv.service_accounts = objects.service_accounts.into();
            inv.pods = objects.pods.into();
            inv.nodes = objects.nodes;
            kube_webhook = objects.webhook;
            for message in objects.problems {
                problem(&mut inv, SourceKind::Kubernetes, message);
            }
        }
        None => missing(
            &mut inv,
            SourceKind::Kubernetes,
            files::KUBERNETES,
            "ServiceAccounts, pods and nodes unknown",
        ),
    }

    if let Some(conf) = parse::<OpenIdConfiguration>(files, files::OPENID_CONFIGURATION)? {
        inv.kubernetes_issuer = Some(conf.issuer);
    }

    match parse::<DescribeClusterOutput>(files, files::EKS_CLUSTER)? {
        Some(out) => inv.cluster = Some(ClusterInfo::from(&out.cluster)),
        None => missing(
            &mut inv,
            SourceKind::EksCluster,
            files::EKS_CLUSTER,
            "EKS cluster (issuer, region, account) unknown",
        ),
    }

    if let Some(line) = crate::analysis::issuer::mismatch(&inv) {
        problem(&mut inv, SourceKind::EksCluster, line);
    }

    match parse::<GetCallerIdentityOutput>(files, files::CALLER)? {
        Some(out) => inv.caller = Some(CallerIdentity::from(&out)),
        None => missing(
            &mut inv,
            SourceKind::CallerIdentity,
            files::CALLER,
            "caller identity unknown",
        ),
    }

    inv.roles = iam::roles(files, &mut inv)?;
    inv.oidc_providers = iam::providers(files, &mut inv)?;

    match parse::<PodIdentityAssociations>(files, files::POD_IDENTITY)? {
        Some(out) => inv.pod_identity_associations = Some(out.associations()),
        None => missing(
            &mut inv,
            SourceKind::PodIdentity,
            files::POD_IDENTITY,
            "EKS Pod Identity associations unknown",
        ),
    }

    match parse::<DescribeInstancesOutput>(files, files::EC2_INSTANCES)? {
        Some(out) => inv.instances = Some(out.instances()),
        None => missing(
            &mut inv,
            SourceKind::Ec2Instances,
            files::EC2_INSTANCES,
            "node IMDS settings and instance profiles unknown",
        ),
    }

    // Optional inputs of the permission evaluator: absent means "not loaded" / "not
    // considered", which the evaluator says where it matters (not a problem of the audit).
    if let Some(out) = parse::<ResourcePoliciesFile>(files, files::RESOURCE_POLICIES)? {
        inv.resource_policies = Some(out.resource_policies);
    }
    if let Some(out) = parse::<ScpFile>(files, files::ORGANIZATIONS_SCPS)? {
        inv.scps = Some(out.levels);
    }

    inv.webhook = kube_webhook.or_else(|| eks_webhook(&inv));
    if inv.webhook.is_none() {
        problem(
            &mut inv,
            SourceKind::Kubernetes,
            "no pod-identity-webhook Deployment in kubernetes.json and the cluster is not known \
             to be EKS — webhook settings unknown"
                .to_owned(),
        );
    }
    match files.get(files::MUTATING_WEBHOOKS) {
        Some(text) => {
            inv.webhook_registration = webhook_config::registration(text)
                .map_err(|message| malformed(files, files::MUTATING_WEBHOOKS, message))?;
        }
        None => {
            let consequence = "pod-identity-webhook registration unknown";
            inv.webhook_registration = WebhookRegistration::Unknown {
                reason: format!("{} not in snapshot", files::MUTATING_WEBHOOKS),
            };
            missing(
                &mut inv,
                SourceKind::Kubernetes,
                files::MUTATING_WEBHOOKS,
                consequence,
            );
        }
    }
    match files.get(files::WEBHOOK_CONFIG_MAP) {
        Some(text) => {
            let read = webhook_config::config_map_roles(text)
                .map_err(|message| malformed(files, files::WEBHOOK_CONFIG_MAP, message))?;
            if let Some((roles, problems)) = read {
                for message in problems {
                    problem(&mut inv, SourceKind::Kubernetes, message);
                }
                attach_config_map_roles(&mut inv, roles);
            }
        }
        None => missing(
            &mut inv,
            SourceKind::Kubernetes,
            files::WEBHOOK_CONFIG_MAP,
            "the webhook ConfigMap's ServiceAccount mappings unknown",
        ),
    }
    if inv.issuer().is_none() {
        problem(
            &mut inv,
            SourceKind::EksCluster,
            format!(
                "cluster issuer unknown: neither {} (identity.oidc.issuer) nor {} gives it",
                files::EKS_CLUSTER,
                files::OPENID_CONFIGURATION
            ),
        );
    }

    let (observed, token_problems) = tokens::observe(files);
    inv.tokens = observed;
    for message in token_problems {
        problem(&mut inv, SourceKind::Tokens, message);
    }
    Ok(inv)
}

/// Parses one optional JSON file into `T`; `Ok(None)` when the file is absent.
fn parse<T: DeserializeOwned>(
    files: &SnapshotFiles,
    name: &str,
) -> Result<Option<T>, SnapshotError> {
    files
        .get(name)
        .map(|text| serde_json::from_str(text).map_err(|e| malformed(files, name, e.to_string())))
        .transpose()
}

fn malformed(files: &SnapshotFiles, name: &str, message: String) -> SnapshotError {
    SnapshotError::Malformed {
        file: files.display_name(name),
        // One line, without the values serde quotes (a malformed env list would otherwise
        // repeat a secret literal) and without control characters.
        message: crate::report::redact_serde_message(&message),
    }
}

fn problem(inv: &mut Inventory, source: SourceKind, message: String) {
    inv.problems.push(SourceProblem { source, message });
}

fn missing(inv: &mut Inventory, source: SourceKind, file: &str, consequence: &str) {
    problem(
        inv,
        source,
        format!("{file} not in snapshot — {consequence}"),
    );
}

/// Gives the webhook settings the ConfigMap's mappings, unless the webhook's own flags are
/// known and say it does not watch the ConfigMap (then a line says they are ignored).
fn attach_config_map_roles(inv: &mut Inventory, roles: Vec<crate::model::ConfigMapRole>) {
    if roles.is_empty() {
        return;
    }
    let Some(settings) = inv.webhook.as_mut() else {
        return;
    };
    if settings.watch_config_map == Some(false) {
        let n = roles.len();
        problem(
            inv,
            SourceKind::Kubernetes,
            format!(
                "ConfigMap pod-identity-webhook maps {n} ServiceAccount(s) but the webhook \
                 Deployment runs without --watch-config-map — the mappings are ignored"
            ),
        );
        return;
    }
    settings.config_map_roles = roles;
}

/// The settings of the webhook EKS runs, when the cluster is EKS (described, or its issuer is
/// an EKS one); region from the cluster ARN, else from the issuer host.
fn eks_webhook(inv: &Inventory) -> Option<WebhookSettings> {
    let issuer_host = inv
        .issuer()
        .map(|i| i.strip_prefix("https://").unwrap_or(i));
    let issuer_region = issuer_host
        .and_then(|h| h.strip_prefix("oidc.eks."))
        .and_then(|rest| rest.split('.').next());
    if inv.cluster.is_none() && issuer_region.is_none() {
        return None;
    }
    let region = inv
        .cluster
        .as_ref()
        .and_then(|c| c.region.as_deref())
        .or(issuer_region);
    Some(WebhookSettings::eks(region))
}
