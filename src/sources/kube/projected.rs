//! The objects the reflector stores hold: the model's projection of each ServiceAccount, pod and
//! node ([`Projected<P>`]), not the k8s-openapi object.
//!
//! Why not `Store<Pod>` with `.modify()` trimming, as kube-rs's examples do: trimming happens
//! *after* the whole object was parsed (managedFields and status included), and a trimmed
//! k8s-openapi `Pod` still carries every `Option` field of `PodSpec` and each `Container` —
//! several KB per pod, too much for the 150 MB budget at 50,000 pods. Here the trimming is
//! done while decoding instead: a lean wire shape skips `managedFields` and everything in
//! `status` but `phase` without building them (serde ignores unknown fields), the model's own
//! `From<&Pod>` projection runs once, and the store keeps the small [`PodInfo`] plus the three
//! metadata fields the watcher needs (name, namespace, resourceVersion). The projection is the
//! same one the snapshot source uses, so live and offline data cannot drift apart.

use irsa_core::model::last_applied::strip_last_applied;
use irsa_core::model::{NodeInfo, PodInfo, PodPools, ServiceAccountInfo};
use k8s_openapi::api::core::v1::{Node, NodeSpec, Pod, PodSpec, PodStatus, ServiceAccount};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{ObjectMeta, OwnerReference, Time};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt::Debug;

/// A model type the live source keeps per Kubernetes object, and how it is decoded.
pub trait Projection: Clone + Debug + Send + Sync + 'static {
    /// The Kubernetes type it projects (for the API path and kind).
    type Kube: k8s_openapi::Resource;
    /// The lean wire shape decoded from the API server's JSON.
    type Wire: DeserializeOwned;
    /// The projection and the object's metadata (name, namespace, uid, resourceVersion).
    fn project(wire: Self::Wire) -> (ObjectMeta, Self);
    /// What the watcher shares its projections' repeated parts through: the pods'
    /// [`PodPools`]; nothing for ServiceAccounts and nodes, which rarely repeat.
    type Pools: Default + Send;
    /// The projection with its repeated parts shared through the watcher's pools (decoding
    /// cannot do it: serde hands the decoder no state).
    fn share(self, pools: &mut Self::Pools) -> Self;
    /// The object's identity in its store: (namespace, name); `""` for cluster-scoped objects.
    fn key(&self) -> (&str, &str);
}

/// One stored object: its key metadata and its projection.
#[derive(Debug, Clone)]
pub struct Projected<P> {
    meta: ObjectMeta,
    /// What the analysis sees of the object.
    pub info: P,
}

impl<P> Projected<P> {
    /// The object's `metadata.resourceVersion`.
    pub fn resource_version(&self) -> Option<&str> {
        self.meta.resource_version.as_deref()
    }
}

impl<'de, P: Projection> Deserialize<'de> for Projected<P> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (meta, info) = P::project(P::Wire::deserialize(d)?);
        Ok(Projected { meta, info })
    }
}

impl<P: Projection> kube::Resource for Projected<P> {
    type DynamicType = ();
    type Scope = <P::Kube as k8s_openapi::Resource>::Scope;

    fn kind(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(<P::Kube as k8s_openapi::Resource>::KIND)
    }
    fn group(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(<P::Kube as k8s_openapi::Resource>::GROUP)
    }
    fn version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(<P::Kube as k8s_openapi::Resource>::VERSION)
    }
    fn api_version(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(<P::Kube as k8s_openapi::Resource>::API_VERSION)
    }
    fn plural(_: &()) -> Cow<'_, str> {
        Cow::Borrowed(<P::Kube as k8s_openapi::Resource>::URL_PATH_SEGMENT)
    }
    fn meta(&self) -> &ObjectMeta {
        &self.meta
    }
    fn meta_mut(&mut self) -> &mut ObjectMeta {
        &mut self.meta
    }
}

/// `metadata` without `managedFields` and the fields nobody reads.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MetaWire {
    name: Option<String>,
    namespace: Option<String>,
    uid: Option<String>,
    resource_version: Option<String>,
    labels: Option<BTreeMap<String, String>>,
    annotations: Option<BTreeMap<String, String>>,
    owner_references: Option<Vec<OwnerReference>>,
    creation_timestamp: Option<Time>,
}

impl MetaWire {
    fn into_meta(mut self) -> ObjectMeta {
        if let Some(annotations) = &mut self.annotations {
            strip_last_applied(annotations);
        }
        ObjectMeta {
            name: self.name,
            namespace: self.namespace,
            uid: self.uid,
            resource_version: self.resource_version,
            labels: self.labels,
            annotations: self.annotations,
            owner_references: self.owner_references,
            creation_timestamp: self.creation_timestamp,
            ..ObjectMeta::default()
        }
    }
}

/// The metadata a store entry keeps: its key and version.
fn key_meta(meta: &ObjectMeta) -> ObjectMeta {
    ObjectMeta {
        name: meta.name.clone(),
        namespace: meta.namespace.clone(),
        resource_version: meta.resource_version.clone(),
        ..ObjectMeta::default()
    }
}

/// A pod on the wire: spec whole (it is what the analysis reads), status reduced to `phase`.
#[derive(Debug, Deserialize)]
pub struct PodWire {
    #[serde(default)]
    metadata: MetaWire,
    spec: Option<PodSpec>,
    status: Option<PhaseWire>,
}

#[derive(Debug, Deserialize)]
pub struct PhaseWire {
    phase: Option<String>,
}

impl Projection for PodInfo {
    type Kube = Pod;
    type Wire = PodWire;
    fn project(wire: PodWire) -> (ObjectMeta, Self) {
        let pod = Pod {
            metadata: wire.metadata.into_meta(),
            spec: wire.spec,
            status: wire.status.map(|s| PodStatus {
                phase: s.phase,
                ..PodStatus::default()
            }),
        };
        (key_meta(&pod.metadata), PodInfo::from(&pod))
    }
    type Pools = PodPools;
    fn share(self, pools: &mut PodPools) -> Self {
        pools.share(self)
    }
    fn key(&self) -> (&str, &str) {
        (&self.namespace, &self.name)
    }
}

/// A ServiceAccount on the wire: metadata only (annotations carry the identity).
#[derive(Debug, Deserialize)]
pub struct ServiceAccountWire {
    #[serde(default)]
    metadata: MetaWire,
}

impl Projection for ServiceAccountInfo {
    type Kube = ServiceAccount;
    type Wire = ServiceAccountWire;
    fn project(wire: ServiceAccountWire) -> (ObjectMeta, Self) {
        let sa = ServiceAccount {
            metadata: wire.metadata.into_meta(),
            ..ServiceAccount::default()
        };
        (key_meta(&sa.metadata), ServiceAccountInfo::from(&sa))
    }
    type Pools = ();
    fn share(self, _: &mut ()) -> Self {
        self
    }
    fn key(&self) -> (&str, &str) {
        (&self.namespace, &self.name)
    }
}

/// A node on the wire: metadata and spec (`providerID`); the large status is skipped.
#[derive(Debug, Deserialize)]
pub struct NodeWire {
    #[serde(default)]
    metadata: MetaWire,
    spec: Option<NodeSpec>,
}

impl Projection for NodeInfo {
    type Kube = Node;
    type Wire = NodeWire;
    fn project(wire: NodeWire) -> (ObjectMeta, Self) {
        let node = Node {
            metadata: wire.metadata.into_meta(),
            spec: wire.spec,
            status: None,
        };
        (key_meta(&node.metadata), NodeInfo::from(&node))
    }
    type Pools = ();
    fn share(self, _: &mut ()) -> Self {
        self
    }
    fn key(&self) -> (&str, &str) {
        ("", &self.name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use irsa_core::model::last_applied::LAST_APPLIED;
    use serde_json::json;

    #[test]
    fn a_pod_decodes_to_the_same_projection_as_the_full_object_minus_status() {
        let json = json!({
            "apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": "p", "namespace": "ns", "resourceVersion": "7", "uid": "u1",
                "labels": {"app": "p"},
                "annotations": {(LAST_APPLIED): "{\"spec\":{\"containers\":[{\"env\":[{\"name\":\"AWS_SECRET_ACCESS_KEY\",\"value\":\"wJalrXUtnFEMI/K7MDENG\"}]}]}}"},
                "managedFields": [{"manager": "kubelet", "fieldsV1": {"f:status": {}}}],
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs",
                                     "uid": "r", "controller": true}]},
            "spec": {"serviceAccountName": "reader", "nodeName": "n1",
                "containers": [{"name": "app", "env": [
                    {"name": "AWS_ROLE_ARN", "value": "arn:aws:iam::1:role/r"},
                    {"name": "AWS_SECRET_ACCESS_KEY", "value": "wJalrXUtnFEMI/K7MDENG"}]}]},
            "status": {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}],
                "containerStatuses": [{"name": "app", "ready": true, "restartCount": 0,
                                       "image": "i", "imageID": "x"}]}
        });
        let lean: Projected<PodInfo> = serde_json::from_value(json.clone()).unwrap();
        let mut full: Pod = serde_json::from_value(json).unwrap();
        full.metadata.annotations = None;
        assert_eq!(lean.info, PodInfo::from(&full));
        assert_eq!(lean.resource_version(), Some("7"));
        assert_eq!(lean.info.owner.as_deref(), Some("ReplicaSet/rs"));
        // The secret literal never reaches the store.
        assert!(!format!("{lean:?}").contains("wJalrXUtnFEMI"));
    }

    #[test]
    fn nodes_keep_the_provider_id_and_service_accounts_their_annotations() {
        let node: Projected<NodeInfo> = serde_json::from_value(json!({
            "metadata": {"name": "n1", "resourceVersion": "3"},
            "spec": {"providerID": "aws:///eu-west-1a/i-0abc"},
            "status": {"images": [{"names": ["x"], "sizeBytes": 1}]}
        }))
        .unwrap();
        assert_eq!(
            node.info.provider_id.as_deref(),
            Some("aws:///eu-west-1a/i-0abc")
        );
        let sa: Projected<ServiceAccountInfo> = serde_json::from_value(json!({
            "metadata": {"name": "s", "namespace": "ns", "resourceVersion": "4",
                "annotations": {"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r"}}
        }))
        .unwrap();
        assert_eq!(
            sa.info
                .annotations
                .get("eks.amazonaws.com/role-arn")
                .map(String::as_str),
            Some("arn:aws:iam::1:role/r")
        );
    }
}
