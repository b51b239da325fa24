//! The files of one snapshot, read from a folder or embedded (the demo), by relative name.
//! For a folder, `load_dir` leaves `kubernetes.json` in its file and streams it
//! ([`SnapshotFiles::read_dir_streaming`]); every other file is small and held as text.

use super::SnapshotError;
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::fs::{self, File};
use std::path::{Path, PathBuf};

/// `snapshot.json`: `{"capturedAt": RFC 3339, "context": label}`.
pub const META: &str = "snapshot.json";
/// `kubectl get serviceaccounts,pods,nodes -A -o json`.
pub const KUBERNETES: &str = "kubernetes.json";
/// `kubectl get --raw /.well-known/openid-configuration` (optional; non-EKS clusters).
pub const OPENID_CONFIGURATION: &str = "openid-configuration.json";
/// `kubectl get mutatingwebhookconfigurations -o json`: whether the pod-identity-webhook is
/// registered (missing: unknown).
pub const MUTATING_WEBHOOKS: &str = "mutating-webhook-configurations.json";
/// `kubectl get configmap -n kube-system --field-selector metadata.name=pod-identity-webhook
/// -o json`: the webhook's ServiceAccount → role mappings (an empty list: no ConfigMap).
pub const WEBHOOK_CONFIG_MAP: &str = "pod-identity-webhook-configmap.json";
/// `aws iam get-account-authorization-details` of the cluster's account. Further accounts
/// may be added as `iam-authorization-details-<anything>.json`.
pub const IAM_DETAILS: &str = "iam-authorization-details.json";
/// `{"OpenIDConnectProviders": [...]}` of the cluster's account. Further accounts may be added
/// as `iam-oidc-providers-<anything>.json`.
pub const OIDC_PROVIDERS: &str = "iam-oidc-providers.json";
/// `aws eks describe-cluster`.
pub const EKS_CLUSTER: &str = "eks-cluster.json";
/// `{"associations": [...]}` of `aws eks describe-pod-identity-association`.
pub const POD_IDENTITY: &str = "eks-pod-identity-associations.json";
/// `aws ec2 describe-instances`.
pub const EC2_INSTANCES: &str = "ec2-instances.json";
/// `aws sts get-caller-identity`.
pub const CALLER: &str = "sts-caller-identity.json";
/// `{"ResourcePolicies": [{"Arn", "Policy"}]}`: resource-based policies the permission
/// evaluator reads — `aws s3api get-bucket-policy --bucket B` and `aws kms get-key-policy
/// --key-id K --policy-name default`, each as `{"Arn": <resource ARN>, "Policy": <its Policy>}`
/// (optional: without it a resource policy is "not loaded").
pub const RESOURCE_POLICIES: &str = "resource-policies.json";
/// `{"Levels": [{"Target", "Policies": [{"Name", "Content"}]}]}`: the SCPs of each level of the
/// organisation path, from the management account (`aws organizations
/// list-policies-for-target --target-id T --filter SERVICE_CONTROL_POLICY`, then
/// `describe-policy --policy-id P` for each `Content`) (optional: without it SCPs are "not
/// considered").
pub const ORGANIZATIONS_SCPS: &str = "organizations-scps.json";
/// Folder of projected tokens, `tokens/<namespace>.<pod>.jwt`.
pub const TOKENS_DIR: &str = "tokens";

/// Files that exist at most once (the IAM files are in [`MULTI_ACCOUNT`]).
const SINGLE_FILES: [&str; 11] = [
    META,
    KUBERNETES,
    OPENID_CONFIGURATION,
    MUTATING_WEBHOOKS,
    WEBHOOK_CONFIG_MAP,
    EKS_CLUSTER,
    POD_IDENTITY,
    EC2_INSTANCES,
    CALLER,
    RESOURCE_POLICIES,
    ORGANIZATIONS_SCPS,
];

/// `(primary file, prefix of the extra files of other accounts)`.
pub(super) const MULTI_ACCOUNT: [(&str, &str); 2] = [
    (IAM_DETAILS, "iam-authorization-details-"),
    (OIDC_PROVIDERS, "iam-oidc-providers-"),
];

/// True for a top-level file name a snapshot may hold.
pub fn is_snapshot_file(name: &str) -> bool {
    SINGLE_FILES.contains(&name)
        || MULTI_ACCOUNT
            .iter()
            .any(|(primary, prefix)| name == *primary || extra_of(name, prefix))
}

fn extra_of(name: &str, prefix: &str) -> bool {
    name.len() > prefix.len() + ".json".len() && name.starts_with(prefix) && name.ends_with(".json")
}

/// The files of one snapshot, keyed by name relative to the snapshot root with `/` separators
/// (`kubernetes.json`, `tokens/demo.s3-test.jwt`). Token files are credentials: `Debug`
/// prints names and sizes only, and the loader keeps nothing of them but the decoded claims.
#[derive(Clone, Default)]
pub struct SnapshotFiles {
    /// Where the files came from, for error messages (`/path/to/snapshot` or `embedded demo`).
    label: String,
    root: Option<PathBuf>,
    files: BTreeMap<String, Cow<'static, str>>,
}

impl fmt::Debug for SnapshotFiles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sizes: BTreeMap<&str, usize> = self
            .files
            .iter()
            .map(|(name, text)| (name.as_str(), text.len()))
            .collect();
        f.debug_struct("SnapshotFiles")
            .field("label", &self.label)
            .field("bytes", &sizes)
            .finish()
    }
}

impl SnapshotFiles {
    /// An empty set labelled `label` (used in error messages).
    pub fn new(label: impl Into<String>) -> Self {
        Self {
            label: label.into(),
            root: None,
            files: BTreeMap::new(),
        }
    }

    /// Adds or replaces one file.
    pub fn insert(&mut self, name: impl Into<String>, text: impl Into<Cow<'static, str>>) {
        self.files.insert(name.into(), text.into());
    }

    /// Builder-style [`SnapshotFiles::insert`].
    pub fn with(mut self, name: impl Into<String>, text: impl Into<Cow<'static, str>>) -> Self {
        self.insert(name, text);
        self
    }

    /// Drops one file (e.g. to simulate a snapshot without it).
    pub fn remove(&mut self, name: &str) -> bool {
        self.files.remove(name).is_some()
    }

    /// The text of one file.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.files.get(name).map(|t| t.as_ref())
    }

    /// Every file name, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.files.keys().map(String::as_str)
    }

    /// How a file is named in messages: the full path for a folder, else `label: name`.
    pub fn display_name(&self, name: &str) -> String {
        match &self.root {
            Some(root) => root.join(name).display().to_string(),
            None => format!("{} {name}", self.label),
        }
    }

    /// Reads the known files of a snapshot folder (unknown files are ignored) and the
    /// `tokens/*.jwt` files.
    pub fn read_dir(path: &Path) -> Result<Self, SnapshotError> {
        Self::read_dir_opening(path, None).map(|(files, _)| files)
    }

    /// [`SnapshotFiles::read_dir`], except that `kubernetes.json` is opened, not read: the
    /// loader streams it from the file instead of holding its text (hundreds of MB for a big
    /// cluster). The file is opened here so that it fails where reading it would have.
    pub(super) fn read_dir_streaming(path: &Path) -> Result<(Self, Option<File>), SnapshotError> {
        Self::read_dir_opening(path, Some(KUBERNETES))
    }

    /// Reads the folder's files but `open`, which is only opened.
    fn read_dir_opening(
        path: &Path,
        open: Option<&str>,
    ) -> Result<(Self, Option<File>), SnapshotError> {
        let mut files = Self::new(path.display().to_string());
        files.root = Some(path.to_path_buf());
        let mut opened = None;
        for name in list_files(path)? {
            if open == Some(name.as_str()) {
                let file = path.join(&name);
                opened = Some(
                    File::open(&file)
                        .map_err(|source| SnapshotError::Read { path: file, source })?,
                );
            } else if is_snapshot_file(&name) {
                let text = read_text(&path.join(&name))?;
                files.insert(name, text);
            }
        }
        let tokens = path.join(TOKENS_DIR);
        if tokens.is_dir() {
            for name in list_files(&tokens)? {
                if name.ends_with(".jwt") {
                    let text = read_text(&tokens.join(&name))?;
                    files.insert(format!("{TOKENS_DIR}/{name}"), text);
                }
            }
        }
        Ok((files, opened))
    }

    /// Where a file of a folder is (`None` for a set not read from a folder).
    pub(super) fn path_of(&self, name: &str) -> Option<PathBuf> {
        self.root.as_ref().map(|root| root.join(name))
    }
}

/// Names of the regular files (or links to them) directly in `dir`.
fn list_files(dir: &Path) -> Result<Vec<String>, SnapshotError> {
    let folder_error = |source| SnapshotError::Folder {
        path: dir.to_path_buf(),
        source,
    };
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).map_err(folder_error)? {
        let entry = entry.map_err(folder_error)?;
        let path = entry.path();
        if path.is_file()
            && let Some(name) = entry.file_name().to_str()
        {
            names.push(name.to_owned());
        }
    }
    names.sort();
    Ok(names)
}

fn read_text(path: &Path) -> Result<String, SnapshotError> {
    fs::read_to_string(path).map_err(|source| SnapshotError::Read {
        path: path.to_path_buf(),
        source,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_names_include_extra_accounts_but_not_strangers() {
        for name in [
            "kubernetes.json",
            "iam-authorization-details.json",
            "iam-authorization-details-210987654321.json",
            "iam-oidc-providers-accountb.json",
            "snapshot.json",
        ] {
            assert!(is_snapshot_file(name), "{name}");
        }
        for name in [
            "notes.json",
            "iam-authorization-details-.json",
            "kubernetes.yaml",
        ] {
            assert!(!is_snapshot_file(name), "{name}");
        }
    }

    #[test]
    fn debug_output_never_contains_file_contents() {
        let files = SnapshotFiles::new("t").with("tokens/a.b.jwt", "eyJsecret.eyJpayload.c2ln");
        let debug = format!("{files:?}");
        assert!(debug.contains("tokens/a.b.jwt"));
        assert!(!debug.contains("eyJ"), "{debug}");
    }
}
