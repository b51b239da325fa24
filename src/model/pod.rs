//! A Kubernetes Pod, trimmed to what the analysis needs: identity-relevant env, volumes and
//! mounts, security context, placement. Literal env values whose names mark them as secrets are
//! dropped at projection time ([`EnvValue::Redacted`]) so they can never reach a screen or file.

use super::interned::Interner;
use super::pooled::{Pool, Pooled};
use jiff::Timestamp;
use k8s_openapi::api::core::v1::{Container, EnvVar, Pod, Volume};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock, Mutex};

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

/// kubectl's `last-applied-configuration` annotation: a copy of the whole manifest, which may
/// carry secret env literals in plain text. Never kept in the model.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// The annotations without [`LAST_APPLIED`].
pub fn without_last_applied(
    annotations: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    annotations
        .map(|a| {
            a.iter()
                .filter(|(k, _)| k.as_str() != LAST_APPLIED)
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        })
        .unwrap_or_default()
}

/// True when a literal value of an env var with this name is a secret that must never be shown.
/// Paths and URIs to secrets (`…_TOKEN_FILE`, `…_URI`) are not secrets themselves.
pub fn is_secret_env_name(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let pointer = ["_FILE", "_PATH", "_URI", "_URL", "_DIR"]
        .iter()
        .any(|s| upper.ends_with(s));
    let secretish = [
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "TOKEN",
        "CREDENTIAL",
        "PRIVATE_KEY",
        "API_KEY",
    ]
    .iter()
    .any(|s| upper.contains(s));
    secretish && !pointer
}

/// True when a literal value looks like a credential whatever its variable is called: a JWT
/// (`eyJ….….…`), a PEM private key, an AWS secret access key (40 characters of base64 with upper
/// case, lower case and digits — not a hex digest) or a long base64 blob such as an AWS session
/// token. Access key ids (`AKIA…`) are identifiers, not secrets, and stay visible: POD004 names
/// them.
pub fn is_secret_env_value(value: &str) -> bool {
    let v = value.trim();
    let b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '-' | '_');
    // Runs for every literal env var of every pod: the cheap tests first, scans only when the
    // shape can match.
    let jwt = || {
        v.starts_with("eyJ")
            && v.split('.').count() == 3
            && v.split('.').all(|p| !p.is_empty() && p.chars().all(b64))
    };
    let pem = || v.contains("-----BEGIN") && v.contains("PRIVATE KEY");
    // An AWS secret key (40 characters) or a long blob such as a session token.
    let key_or_blob = || {
        (v.len() == 40 || v.len() >= 100)
            && v.chars().all(b64)
            && v.chars().any(|c| c.is_ascii_uppercase())
            && v.chars().any(|c| c.is_ascii_lowercase())
            && v.chars().any(|c| c.is_ascii_digit())
    };
    jwt() || pem() || key_or_blob()
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

/// The pools every projected pod shares its repeated parts through.
#[derive(Debug, Default)]
struct PodPools {
    maps: Pool<BTreeMap<String, String>>,
    containers: Pool<Vec<ContainerInfo>>,
    volumes: Pool<Vec<VolumeInfo>>,
    security: Pool<PodSecurityInfo>,
    names: Interner,
}

static POOLS: LazyLock<Mutex<PodPools>> = LazyLock::new(Mutex::default);

impl PodInfo {
    /// The same pod with its namespace, ServiceAccount, node, labels, annotations, node
    /// selector, containers, volumes and security context shared with every other pod
    /// projected so far that has equal ones (the replicas of a
    /// Deployment, pods on one node pool, …).
    pub fn pooled(mut self) -> Self {
        self.share_api_access_name();
        if let Ok(mut pools) = POOLS.lock() {
            let pools = &mut *pools;
            for map in [
                &mut self.labels,
                &mut self.annotations,
                &mut self.node_selector,
            ] {
                *map = pools.maps.get(std::mem::take(map).into_inner());
            }
            for list in [&mut self.containers, &mut self.init_containers] {
                *list = pools.containers.get(std::mem::take(list).into_inner());
            }
            self.volumes = pools
                .volumes
                .get(std::mem::take(&mut self.volumes).into_inner());
            self.security = pools
                .security
                .get(std::mem::take(&mut self.security).into_inner());
            self.namespace = pools.names.get(&self.namespace);
            self.service_account = pools.names.get(&self.service_account);
            if let Some(node) = &mut self.node_name {
                *node = pools.names.get(node);
            }
        }
        self
    }
}

impl From<&Pod> for PodInfo {
    /// The projection of a pod, its repeated parts shared through [`PodInfo::pooled`].
    fn from(pod: &Pod) -> Self {
        PodInfo::project(pod).pooled()
    }
}

impl PodInfo {
    fn project(pod: &Pod) -> Self {
        let m = &pod.metadata;
        let spec = pod.spec.as_ref();
        let sec = spec.and_then(|s| s.security_context.as_ref());
        let owner = m.owner_references.as_ref().and_then(|refs| {
            refs.iter()
                .find(|r| r.controller == Some(true))
                .or_else(|| refs.first())
                .map(|r| format!("{}/{}", r.kind, r.name))
        });
        Self {
            namespace: m.namespace.as_deref().unwrap_or("default").into(),
            name: m.name.clone().unwrap_or_default(),
            uid: m.uid.clone(),
            labels: m.labels.clone().unwrap_or_default().into(),
            annotations: without_last_applied(m.annotations.as_ref()).into(),
            service_account: spec
                .and_then(|s| {
                    s.service_account_name
                        .clone()
                        .or_else(|| s.service_account.clone())
                })
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "default".to_owned())
                .into(),
            node_name: spec.and_then(|s| s.node_name.as_deref()).map(Arc::from),
            node_selector: spec
                .and_then(|s| s.node_selector.clone())
                .unwrap_or_default()
                .into(),
            host_network: spec.and_then(|s| s.host_network).unwrap_or(false),
            security: PodSecurityInfo {
                run_as_user: sec.and_then(|s| s.run_as_user),
                run_as_group: sec.and_then(|s| s.run_as_group),
                run_as_non_root: sec.and_then(|s| s.run_as_non_root),
                fs_group: sec.and_then(|s| s.fs_group),
            }
            .into(),
            containers: spec
                .map(|s| {
                    s.containers
                        .iter()
                        .map(|c| container(c, ContainerKind::Main))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .into(),
            init_containers: spec
                .and_then(|s| s.init_containers.as_ref())
                .map(|cs| {
                    cs.iter()
                        .map(|c| container(c, ContainerKind::Init))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
                .into(),
            volumes: spec
                .and_then(|s| s.volumes.as_ref())
                .map(|vs| vs.iter().map(volume).collect::<Vec<_>>())
                .unwrap_or_default()
                .into(),
            created: m.creation_timestamp.as_ref().map(|t| t.0),
            phase: pod.status.as_ref().and_then(|s| s.phase.clone()),
            owner,
            api_access_volume: None,
        }
    }
}

fn container(c: &Container, kind: ContainerKind) -> ContainerInfo {
    let sec = c.security_context.as_ref();
    ContainerInfo {
        name: c.name.clone(),
        kind,
        env: c
            .env
            .as_ref()
            .map(|e| {
                e.iter()
                    .filter(|e| is_kept_env_name(&e.name))
                    .map(env_var)
                    .collect()
            })
            .unwrap_or_default(),
        env_from: c
            .env_from
            .as_ref()
            .map(|list| {
                list.iter()
                    .filter_map(|f| {
                        if let Some(s) = &f.secret_ref {
                            Some(EnvFromInfo::Secret {
                                name: s.name.clone(),
                                prefix: f.prefix.clone(),
                            })
                        } else {
                            f.config_map_ref.as_ref().map(|c| EnvFromInfo::ConfigMap {
                                name: c.name.clone(),
                                prefix: f.prefix.clone(),
                            })
                        }
                    })
                    .collect()
            })
            .unwrap_or_default(),
        volume_mounts: c
            .volume_mounts
            .as_ref()
            .map(|ms| {
                ms.iter()
                    .map(|m| VolumeMountInfo {
                        name: m.name.clone(),
                        mount_path: m.mount_path.clone(),
                        read_only: m.read_only.unwrap_or(false),
                        sub_path: m.sub_path.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
        security: PodSecurityInfo {
            run_as_user: sec.and_then(|s| s.run_as_user),
            run_as_group: sec.and_then(|s| s.run_as_group),
            run_as_non_root: sec.and_then(|s| s.run_as_non_root),
            fs_group: None,
        },
        restart_policy: c.restart_policy.clone(),
    }
}

/// The env vars a projected container keeps: the `AWS_*` ones. The SDK credential chain, the
/// webhook's injection and every check read only these; the others (often an application's
/// own secrets) never enter the inventory, and the store stays small (a 50,000-pod cluster's
/// other variables were ~20 MB; BENCHMARKS.md).
pub fn is_kept_env_name(name: &str) -> bool {
    name.starts_with("AWS_")
}

fn env_var(e: &EnvVar) -> EnvVarInfo {
    let from = e.value_from.as_ref().map(|f| {
        if let Some(s) = &f.secret_key_ref {
            EnvValue::SecretKeyRef {
                name: s.name.clone(),
                key: s.key.clone(),
            }
        } else if let Some(c) = &f.config_map_key_ref {
            EnvValue::ConfigMapKeyRef {
                name: c.name.clone(),
                key: c.key.clone(),
            }
        } else if let Some(fr) = &f.field_ref {
            EnvValue::FieldRef {
                field_path: fr.field_path.clone(),
            }
        } else if let Some(r) = &f.resource_field_ref {
            EnvValue::ResourceFieldRef {
                resource: r.resource.clone(),
            }
        } else {
            EnvValue::Other
        }
    });
    EnvVarInfo::from_parts(&e.name, e.value.as_deref(), from)
}

fn volume(v: &Volume) -> VolumeInfo {
    let source = if let Some(p) = &v.projected {
        VolumeSourceInfo::Projected {
            sources: p
                .sources
                .as_ref()
                .map(|srcs| {
                    srcs.iter()
                        .map(|s| {
                            if let Some(t) = &s.service_account_token {
                                ProjectedSource::ServiceAccountToken {
                                    audience: t.audience.clone(),
                                    expiration_seconds: t.expiration_seconds,
                                    path: t.path.clone(),
                                }
                            } else if let Some(sec) = &s.secret {
                                ProjectedSource::Secret {
                                    name: sec.name.clone(),
                                }
                            } else if let Some(cm) = &s.config_map {
                                ProjectedSource::ConfigMap {
                                    name: cm.name.clone(),
                                }
                            } else if s.downward_api.is_some() {
                                ProjectedSource::DownwardApi
                            } else {
                                ProjectedSource::Other
                            }
                        })
                        .collect()
                })
                .unwrap_or_default(),
        }
    } else if let Some(s) = &v.secret {
        VolumeSourceInfo::Secret {
            secret_name: s.secret_name.clone().unwrap_or_default(),
        }
    } else if let Some(c) = &v.config_map {
        VolumeSourceInfo::ConfigMap {
            name: c.name.clone(),
        }
    } else if let Some(h) = &v.host_path {
        VolumeSourceInfo::HostPath {
            path: h.path.clone(),
        }
    } else if v.empty_dir.is_some() {
        VolumeSourceInfo::EmptyDir
    } else {
        VolumeSourceInfo::Other {
            kind: other_volume_kind(v).to_owned(),
        }
    };
    VolumeInfo {
        name: v.name.clone(),
        source,
    }
}

fn other_volume_kind(v: &Volume) -> &'static str {
    if v.persistent_volume_claim.is_some() {
        "persistentVolumeClaim"
    } else if v.csi.is_some() {
        "csi"
    } else if v.downward_api.is_some() {
        "downwardAPI"
    } else if v.ephemeral.is_some() {
        "ephemeral"
    } else if v.nfs.is_some() {
        "nfs"
    } else {
        "other"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A replica as the API server serves it: its token volume named with `suffix`.
    fn replica(name: &str, suffix: &str) -> Pod {
        let volume = format!("kube-api-access-{suffix}");
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": "team-a"},
            "spec": {"serviceAccountName": "app", "containers": [{"name": "app", "image": "app:1",
                "env": [{"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::111122223333:role/app"}],
                "volumeMounts": [{"name": volume, "readOnly": true,
                    "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]}],
                "volumes": [{"name": volume, "projected": {"sources": [
                    {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}}]}}]}
        }))
        .unwrap()
    }

    #[test]
    fn replicas_share_containers_and_volumes_yet_show_their_own_token_volume_name() {
        let a = PodInfo::from(&replica("app-1", "x7k2p"));
        let b = PodInfo::from(&replica("app-2", "q9z4m"));
        assert!(Pooled::ptr_eq(&a.containers, &b.containers));
        assert!(Pooled::ptr_eq(&a.volumes, &b.volumes));
        // Mount and volume still join, and each pod shows its real name.
        let mount = &a.containers[0].volume_mounts[0].name;
        assert!(a.volume(mount).is_some());
        assert_eq!(a.shown_volume_name(mount), "kube-api-access-x7k2p");
        assert_eq!(b.shown_volume_name(mount), "kube-api-access-q9z4m");
        assert_eq!(a.shown_volume_name("aws-iam-token"), "aws-iam-token");
    }

    #[test]
    fn only_aws_variables_are_projected() {
        let mut pod = replica("app-1", "x7k2p");
        pod.spec.as_mut().unwrap().containers[0].env = Some(
            serde_json::from_value(serde_json::json!([
                {"name": "DB_PASSWORD", "value": "hunter2"},
                {"name": "AWS_REGION", "value": "eu-west-1"},
                {"name": "LOG_LEVEL", "value": "info"},
                {"name": "AWS_SECRET_ACCESS_KEY", "valueFrom": {"secretKeyRef": {"name": "k", "key": "s"}}}
            ]))
            .unwrap(),
        );
        let info = PodInfo::from(&pod);
        let names: Vec<&str> = info.containers[0]
            .env
            .iter()
            .map(|e| e.name.as_str())
            .collect();
        assert_eq!(names, ["AWS_REGION", "AWS_SECRET_ACCESS_KEY"]);
        assert!(!serde_json::to_string(&info).unwrap().contains("hunter2"));
    }

    #[test]
    fn two_api_access_volumes_are_left_as_they_are() {
        let mut pod = replica("app-1", "x7k2p");
        let spec = pod.spec.as_mut().unwrap();
        let mut second = spec.volumes.as_ref().unwrap()[0].clone();
        second.name = "kube-api-access-other".to_owned();
        spec.volumes.as_mut().unwrap().push(second);
        let info = PodInfo::from(&pod);
        let names: Vec<&str> = info.volumes.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["kube-api-access-x7k2p", "kube-api-access-other"]);
        assert_eq!(info.api_access_volume, None);
    }

    #[test]
    fn credential_shaped_values_are_redacted_whatever_the_name() {
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJlLXBhcnQ";
        let key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
        let session = format!("IQoJb3JpZ2luX2VjE{}", "Ab9".repeat(40));
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----";
        for value in [jwt, key, session.as_str(), pem] {
            assert!(is_secret_env_value(value), "{value}");
            assert_eq!(
                EnvVarInfo::literal("HARMLESS_NAME", value).value,
                EnvValue::Redacted { len: value.len() }
            );
        }
        // Ordinary values stay visible: ids, ARNs, hex digests, URLs, regions.
        for value in [
            "AKIAIOSFODNN7EXAMPLE",
            "arn:aws:iam::123456789012:role/eks-irsa-lab-demo-s3-reader-role",
            "da39a3ee5e6b4b0d3255bfef95601890afd80709",
            "https://sts.eu-west-1.amazonaws.com",
            "eu-west-1",
            "true",
        ] {
            assert!(!is_secret_env_value(value), "{value}");
        }
    }

    #[test]
    fn secret_env_names_are_recognised_but_paths_are_not() {
        assert!(is_secret_env_name("AWS_SECRET_ACCESS_KEY"));
        assert!(is_secret_env_name("AWS_SESSION_TOKEN"));
        assert!(is_secret_env_name("db_password"));
        assert!(!is_secret_env_name("AWS_WEB_IDENTITY_TOKEN_FILE"));
        assert!(!is_secret_env_name("AWS_CONTAINER_CREDENTIALS_FULL_URI"));
        assert!(!is_secret_env_name("AWS_ACCESS_KEY_ID"));
    }

    #[test]
    fn last_applied_configuration_never_reaches_the_model() {
        let pod: Pod = serde_json::from_value(serde_json::json!({
            "metadata": {"name": "p", "namespace": "n", "annotations": {
                LAST_APPLIED: "{\"env\":[{\"name\":\"AWS_SECRET_ACCESS_KEY\",\"value\":\"s3cr3t\"}]}",
                "keep": "me"
            }},
            "spec": {"containers": [{"name": "c"}]}
        }))
        .unwrap();
        let info = PodInfo::from(&pod);
        assert!(!info.annotations.contains_key(LAST_APPLIED));
        assert_eq!(info.annotations.get("keep").map(String::as_str), Some("me"));
        assert!(!serde_json::to_string(&info).unwrap().contains("s3cr3t"));
    }

    #[test]
    fn literal_secret_values_are_dropped_at_projection() {
        let e = EnvVarInfo::literal(
            "AWS_SECRET_ACCESS_KEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        );
        assert_eq!(e.value, EnvValue::Redacted { len: 40 });
        assert_eq!(e.literal_value(), None);
    }
}
