//! irsa-inspector: which AWS IAM identity every ServiceAccount and pod of an EKS cluster really
//! gets, and why `AssumeRoleWithWebIdentity` fails.
//!
//! - [`model`]: plain domain types and their projections from Kubernetes / AWS shapes.
//! - [`analysis`]: the pure core (trust evaluation, webhook prediction, credential chain,
//!   findings).
//! - [`sources`]: where inventories come from (offline snapshots and the embedded demo).
//! - [`report`]: rendering of audits and explanations for the command line.

pub mod analysis;
pub mod error;
pub mod model;
pub mod report;
pub mod sources;
