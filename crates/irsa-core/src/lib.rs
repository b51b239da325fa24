//! irsa-core: everything irsa-inspector knows about IRSA and EKS Pod Identity, with no IO
//! crate in its dependency tree (no async runtime, no Kubernetes or AWS client, no terminal).
//!
//! - [`model`]: plain domain types and their projections from Kubernetes / AWS CLI shapes.
//! - [`analysis`]: the pure core (trust evaluation, webhook prediction, credential chain,
//!   findings): no IO, no clock (`now` is a parameter).
//! - [`report`]: rendering of audits and explanations for the command line (strings, no IO).
//! - [`snapshot`]: the offline snapshot loader (reads files with `std::fs`) and the embedded
//!   demo lab.
//!
//! `cargo test -p irsa-core` is the fast inner loop: it builds none of the application's
//! network or terminal crates.

pub mod analysis;
pub mod dataset;
#[cfg(feature = "fixtures")]
pub mod fixtures;
pub mod model;
pub mod report;
pub mod snapshot;
