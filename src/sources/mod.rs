//! Data sources: each only sends [`crate::messages::SourceEvent`]s ([`Source`]). The offline
//! loader ([`LoaderSource`]: the demo lab, a snapshot, a one-shot live list), the live
//! Kubernetes watchers ([`kube`]), the AWS reads ([`aws`]) and the live feeder that joins them
//! for the terminal UI ([`live`]). Imports the core crate, `messages` and the leaves; never
//! `state`, `ui` or the loop.

pub mod aws;
pub mod kube;
pub mod live;
mod loader;
mod source;

pub use loader::{Loader, LoaderSource};
pub use source::Source;
