//! The projection of a k8s-openapi `Pod` into a [`PodInfo`], and the [`PodPools`] through
//! which a source that projects many pods shares their repeated parts.

use super::*;
use crate::model::last_applied::without_last_applied;
use crate::model::pooled::Pool;
use k8s_openapi::api::core::v1::{Container, EnvVar, Pod, Volume};

/// The pools a projecting source shares its pods' repeated parts through. Owned by the source
/// that projects (the live watcher of pods, the snapshot loader) and passed in: nothing is
/// shared behind the caller's back, and the pools go away with their source.
#[derive(Debug, Default)]
pub struct PodPools {
    maps: Pool<BTreeMap<String, String>>,
    containers: Pool<Vec<ContainerInfo>>,
    volumes: Pool<Vec<VolumeInfo>>,
    security: Pool<PodSecurityInfo>,
    names: Pool<str>,
}

impl PodPools {
    /// The same pod with its namespace, ServiceAccount, node, labels, annotations, node
    /// selector, containers, volumes and security context shared with every other pod these
    /// pools have seen that has equal ones (the replicas of a Deployment, pods on one node
    /// pool, …).
    pub fn share(&mut self, mut pod: PodInfo) -> PodInfo {
        for map in [
            &mut pod.labels,
            &mut pod.annotations,
            &mut pod.node_selector,
        ] {
            *map = self.maps.pooled(std::mem::take(map).into_inner());
        }
        for list in [&mut pod.containers, &mut pod.init_containers] {
            *list = self.containers.pooled(std::mem::take(list).into_inner());
        }
        pod.volumes = self
            .volumes
            .pooled(std::mem::take(&mut pod.volumes).into_inner());
        pod.security = self
            .security
            .pooled(std::mem::take(&mut pod.security).into_inner());
        pod.namespace = self.names.text(&pod.namespace);
        pod.service_account = self.names.text(&pod.service_account);
        if let Some(node) = &mut pod.node_name {
            *node = self.names.text(node);
        }
        pod
    }
}

impl From<&Pod> for PodInfo {
    /// The projection of one pod, its token volume under the shared name
    /// ([`PodInfo::shown_volume_name`] still shows the real one). Sources that project many pods
    /// pass the result through their [`PodPools`].
    fn from(pod: &Pod) -> Self {
        let mut info = PodInfo::project(pod);
        info.share_api_access_name();
        info
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
