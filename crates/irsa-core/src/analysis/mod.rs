//! The pure analysis core: everything irsa-inspector knows about IRSA and EKS Pod Identity.
//!
//! Rules (checked by `tests/architecture.rs`): no IO, no clock (`now` is a parameter), no
//! terminal, no async runtime, no AWS or Kubernetes clients. Inputs are `crate::model` types;
//! outputs are plain data the UI, the reports and the CLI render.

pub mod accepted;
pub mod audit;
pub mod checks;
pub mod credentials;
pub mod findings;
pub mod hash;
pub mod inventory;
pub mod issuer;
pub mod permission;
pub mod policy;
pub mod token;
pub mod triage;
pub mod trust;
pub mod verdict;
pub mod webhook;
