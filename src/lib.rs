//! irsa-inspector: which AWS IAM identity every ServiceAccount and pod of an EKS cluster really
//! gets, and why `AssumeRoleWithWebIdentity` fails.
//!
//! The model, the analysis, the reports, the snapshot loader and the demo lab live in the
//! `irsa-core` crate (no IO crates); this crate adds the live sources and the terminal UI.
//!
//! - [`sources`]: the live Kubernetes and AWS sources.
//! - [`state`], [`ui`], [`app`]: the terminal UI — the state store, the pure draw function, and
//!   the loop that owns the state ([`action`], [`side_effect`], [`keymap`]; [`messages`] is what crosses between sources and the loop).

pub mod action;
pub mod app;
pub mod error;
pub mod keymap;
pub mod logging;
pub mod messages;
pub mod rows;
pub mod runtime;
pub mod side_effect;

pub mod sources;
pub mod state;
pub mod tone;
pub mod ui;
