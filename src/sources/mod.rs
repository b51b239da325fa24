//! Data sources that fill an [`crate::model::Inventory`].

pub mod aws;
pub mod kube;
pub mod snapshot;
