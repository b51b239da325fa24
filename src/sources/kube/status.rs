//! The small messages the live source sends: "this store changed" and per-resource status.
//! Objects never travel in messages: the receiver builds an [`irsa_core::model::Inventory`] from
//! the stores when it is ready to (at most a few times a second under churn).

use crate::messages::{ResourceStatus, Watched};

/// A message from the live Kubernetes source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KubeEvent {
    /// The store of this resource changed (an object, or a complete relist swapped in).
    Changed(Watched),
    /// The issuer or webhook settings became known.
    ClusterFactsChanged,
    /// The resource's status changed.
    Status(Watched, ResourceStatus),
}
