//! Builders shared by the webhook unit tests.

use super::Mutation;
use crate::model::{
    ContainerInfo, ContainerKind, EnvVarInfo, PodInfo, ServiceAccountInfo, VolumeMountInfo,
};

pub const ROLE: &str = "arn:aws:iam::123456789012:role/s3-reader";
pub const OTHER_ROLE: &str = "arn:aws:iam::123456789012:role/old-s3-reader";

/// `demo/s3-reader` annotated with [`ROLE`].
pub fn irsa_sa() -> ServiceAccountInfo {
    ServiceAccountInfo::new("demo", "s3-reader").with_annotation("eks.amazonaws.com/role-arn", ROLE)
}

/// A pod of `demo/s3-reader` with main containers `app` and `sidecar`, as submitted.
pub fn pod() -> PodInfo {
    let mut p = PodInfo::new("demo", "s3-reader-1", "s3-reader");
    p.containers
        .push(ContainerInfo::new("sidecar", ContainerKind::Main));
    p
}

pub fn container<'a>(pod: &'a mut PodInfo, name: &str) -> &'a mut ContainerInfo {
    let found = pod
        .containers
        .iter_mut()
        .chain(pod.init_containers.iter_mut())
        .find(|c| c.name == name);
    match found {
        Some(c) => c,
        None => panic!("test pod has no container {name}"),
    }
}

pub fn set_env(pod: &mut PodInfo, container_name: &str, name: &str, value: &str) {
    let c = container(pod, container_name);
    c.env.retain(|e| e.name != name);
    c.env.push(EnvVarInfo::literal(name, value));
}

pub fn mount(name: &str, path: &str) -> VolumeMountInfo {
    VolumeMountInfo {
        name: name.to_owned(),
        mount_path: path.to_owned(),
        read_only: true,
        sub_path: None,
    }
}

/// What the API server stores after applying `m` to `pod`: the live pod.
pub fn admit(pod: &PodInfo, m: &Mutation) -> PodInfo {
    let mut live = pod.clone();
    live.labels.extend(m.labels.clone());
    if let Some(v) = &m.volume {
        live.volumes.insert(0, v.clone());
    }
    for c in live
        .containers
        .iter_mut()
        .chain(live.init_containers.iter_mut())
    {
        if let Some(cm) = m.container(c.kind, &c.name) {
            c.env.extend(cm.env.iter().cloned());
            c.volume_mounts.extend(cm.mount.iter().cloned());
        }
    }
    live
}
