//! A Kubernetes Pod, trimmed to what the analysis needs: identity-relevant env, volumes and
//! mounts, security context, placement. The types are here; the projection from a k8s-openapi
//! `Pod` (and the [`PodPools`] that share replicas' repeated parts) is in [`projection`]; the
//! rules that decide which env literals are secrets are in [`secret_rules`]: literal values they
//! match are dropped at projection time ([`EnvValue::Redacted`]) so they can never reach a
//! screen or file.

mod projection;
mod secret_rules;
#[cfg(test)]
mod tests;

pub use projection::PodPools;

use super::pooled::Pooled;
use jiff::Timestamp;
use secret_rules::{is_secret_env_name, is_secret_env_value};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Labels, annotations or a node selector, shared between pods with equal ones.
pub type StringMap = Pooled<BTreeMap<String, String>>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PodInfo {
    /// Namespace, ServiceAccount and node are shared by the pods that have the same
    /// ([`super::interned`]).
    #[serde(with = "super::interned")]
    pub namespace: Arc<str>,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(default)]
    pub labels: StringMap,
    #[serde(default)]
    pub annotations: StringMap,
    /// `spec.serviceAccountName` (Kubernetes defaults it to `default`).
    #[serde(with = "super::interned")]
    pub service_account: Arc<str>,
    #[serde(
        default,
        with = "super::interned::option",
        skip_serializing_if = "Option::is_none"
    )]
    pub node_name: Option<Arc<str>>,
    #[serde(default)]
    pub node_selector: StringMap,
    #[serde(default)]
    pub host_network: bool,
    #[serde(default)]
    pub security: Pooled<PodSecurityInfo>,
    #[serde(default)]
    pub containers: Pooled<Vec<ContainerInfo>>,
    #[serde(default)]
    pub init_containers: Pooled<Vec<ContainerInfo>>,
    #[serde(default)]
    pub volumes: Pooled<Vec<VolumeInfo>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<Timestamp>,
    /// `status.phase` (Pending, Running, Succeeded, Failed, Unknown).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phase: Option<String>,
    /// The controlling owner (`kind/name`, e.g. `ReplicaSet/s3-reader-7d9f…`), for fix commands.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The real name of the pod's `kube-api-access-<suffix>` volume while the store keeps it
    /// as [`API_ACCESS_VOLUME`] (see [`PodInfo::pooled`]); names reach the screen through
    /// [`PodInfo::shown_volume_name`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_access_volume: Option<String>,
}

/// Pod-level `securityContext` fields that decide whether a container can read the token file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct PodSecurityInfo {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_user: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_group: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub run_as_non_root: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fs_group: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum ContainerKind {
    Main,
    Init,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct ContainerInfo {
    pub name: String,
    pub kind: ContainerKind,
    /// The container's `AWS_*` variables (the credential chain and the webhook read nothing
    /// else; a projected pod keeps only these, see [`is_kept_env_name`]).
    #[serde(default)]
    pub env: Vec<EnvVarInfo>,
    #[serde(default)]
    pub env_from: Vec<EnvFromInfo>,
    #[serde(default)]
    pub volume_mounts: Vec<VolumeMountInfo>,
    /// Container-level `securityContext.runAsUser` / `runAsGroup` / `runAsNonRoot`.
    #[serde(default)]
    pub security: PodSecurityInfo,
    /// `Always` on an init container makes it a native sidecar.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<String>,
}

impl ContainerInfo {
    pub fn new(name: &str, kind: ContainerKind) -> Self {
        Self {
            name: name.to_owned(),
            kind,
            env: Vec::new(),
            env_from: Vec::new(),
            volume_mounts: Vec::new(),
            security: PodSecurityInfo::default(),
            restart_policy: None,
        }
    }

    /// The env var of that name, if the container sets it directly.
    pub fn env_var(&self, name: &str) -> Option<&EnvVarInfo> {
        self.env.iter().find(|e| e.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct EnvVarInfo {
    pub name: String,
    pub value: EnvValue,
}

impl EnvVarInfo {
    pub fn literal(name: &str, value: &str) -> Self {
        Self::from_parts(name, Some(value), None)
    }

    fn from_parts(name: &str, value: Option<&str>, from: Option<EnvValue>) -> Self {
        let value = match (from, value) {
            (Some(from), _) => from,
            (None, Some(v)) if is_secret_env_name(name) || is_secret_env_value(v) => {
                EnvValue::Redacted { len: v.len() }
            }
            (None, Some(v)) => EnvValue::Literal(v.to_owned()),
            (None, None) => EnvValue::Literal(String::new()),
        };
        Self {
            name: name.to_owned(),
            value,
        }
    }

    /// The literal value, when the variable has one that may be shown.
    pub fn literal_value(&self) -> Option<&str> {
        match &self.value {
            EnvValue::Literal(v) => Some(v),
            _ => None,
        }
    }
}

/// Where an env var's value comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(tag = "from", content = "value", rename_all = "kebab-case")]
pub enum EnvValue {
    Literal(String),
    /// A literal value that was dropped at projection because the variable holds a secret
    /// (`AWS_SECRET_ACCESS_KEY`, `*_TOKEN`, `*PASSWORD*`, …). Only its length is kept.
    Redacted {
        len: usize,
    },
    SecretKeyRef {
        name: String,
        key: String,
    },
    ConfigMapKeyRef {
        name: String,
        key: String,
    },
    FieldRef {
        field_path: String,
    },
    ResourceFieldRef {
        resource: String,
    },
    Other,
}

/// `envFrom`: a whole Secret or ConfigMap imported as env (may carry AWS keys the pod spec does
/// not show).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum EnvFromInfo {
    Secret {
        name: String,
        prefix: Option<String>,
    },
    ConfigMap {
        name: String,
        prefix: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct VolumeMountInfo {
    pub name: String,
    pub mount_path: String,
    #[serde(default)]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sub_path: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
pub struct VolumeInfo {
    pub name: String,
    pub source: VolumeSourceInfo,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum VolumeSourceInfo {
    Projected {
        sources: Vec<ProjectedSource>,
    },
    Secret {
        secret_name: String,
    },
    ConfigMap {
        name: String,
    },
    HostPath {
        path: String,
    },
    EmptyDir,
    /// Any other volume type, by its field name (`persistentVolumeClaim`, `csi`, …).
    Other {
        kind: String,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum ProjectedSource {
    ServiceAccountToken {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        audience: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expiration_seconds: Option<i64>,
        path: String,
    },
    Secret {
        name: String,
    },
    ConfigMap {
        name: String,
    },
    DownwardApi,
    Other,
}

impl PodInfo {
    /// A pod with one container and no identity wiring, for tests and generated clusters.
    pub fn new(namespace: &str, name: &str, service_account: &str) -> Self {
        Self {
            namespace: namespace.into(),
            name: name.to_owned(),
            uid: None,
            labels: StringMap::default(),
            annotations: StringMap::default(),
            service_account: service_account.into(),
            node_name: None,
            node_selector: StringMap::default(),
            host_network: false,
            security: Pooled::default(),
            containers: vec![ContainerInfo::new("app", ContainerKind::Main)].into(),
            init_containers: Pooled::default(),
            volumes: Pooled::default(),
            created: None,
            phase: None,
            owner: None,
            api_access_volume: None,
        }
    }

    /// Main containers, then init containers (native sidecars included).
    pub fn all_containers(&self) -> impl Iterator<Item = &ContainerInfo> {
        self.containers.iter().chain(self.init_containers.iter())
    }

    pub fn volume(&self, name: &str) -> Option<&VolumeInfo> {
        self.volumes.iter().find(|v| v.name == name)
    }

    /// A volume's name as the cluster has it (the real `kube-api-access-<suffix>` of a pod
    /// whose store keeps [`API_ACCESS_VOLUME`]).
    pub fn shown_volume_name<'s>(&'s self, name: &'s str) -> &'s str {
        match &self.api_access_volume {
            Some(real) if name == API_ACCESS_VOLUME => real,
            _ => name,
        }
    }

    /// Renames the pod's one `kube-api-access-<suffix>` volume, and the mounts of it, to
    /// [`API_ACCESS_VOLUME`], keeping the real name in `api_access_volume`. The suffix is the
    /// only part of a replica's containers and volumes that differs from its siblings' (the
    /// ServiceAccount admission plugin picks it per pod); without it they can be shared.
    /// Nothing IRSA-related reads this volume, and the name is shown as the cluster has it.
    fn share_api_access_name(&mut self) {
        let is_api_access = |name: &str| {
            name.strip_prefix("kube-api-access-")
                .is_some_and(|suffix| !suffix.is_empty())
        };
        let mut matching = self.volumes.iter().filter(|v| is_api_access(&v.name));
        let (Some(volume), None) = (matching.next(), matching.next()) else {
            return;
        };
        if self.api_access_volume.is_some()
            || self.volumes.iter().any(|v| v.name == API_ACCESS_VOLUME)
        {
            return;
        }
        let real = volume.name.clone();
        for v in &mut self.volumes {
            if v.name == real {
                API_ACCESS_VOLUME.clone_into(&mut v.name);
            }
        }
        for c in self
            .containers
            .iter_mut()
            .chain(self.init_containers.iter_mut())
        {
            for m in &mut c.volume_mounts {
                if m.name == real {
                    API_ACCESS_VOLUME.clone_into(&mut m.name);
                }
            }
        }
        self.api_access_volume = Some(real);
    }
}

/// The name the store gives a pod's `kube-api-access-<suffix>` API token volume.
pub const API_ACCESS_VOLUME: &str = "kube-api-access";
