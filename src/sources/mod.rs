//! Data sources that fill an [`crate::model::Inventory`].

pub mod kube;
pub mod snapshot;
