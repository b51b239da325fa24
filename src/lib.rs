//! irsa-inspector: which AWS IAM identity every ServiceAccount and pod of an EKS cluster really
//! gets, and why `AssumeRoleWithWebIdentity` fails.
//!
//! - [`model`]: plain domain types and their projections from Kubernetes / AWS shapes.
//! - [`analysis`]: the pure core (trust evaluation, webhook prediction, credential chain,
//!   findings).
//! - [`sources`]: where inventories come from (offline snapshots and the embedded demo).
//! - [`report`]: rendering of audits and explanations for the command line.
//! - [`state`], [`ui`], [`app`]: the terminal UI — the state store, the pure draw function, and
//!   the loop that owns the state ([`action`], [`effect`], [`event`], [`keymap`] are its messages).

pub mod action;
pub mod analysis;
pub mod app;
pub mod effect;
pub mod error;
pub mod event;
pub mod keymap;
pub mod model;
pub mod report;
pub mod sources;
pub mod state;
pub mod ui;
