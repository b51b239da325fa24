//! Every check of CHECKS-SPEC.md, one file per family, run over an [`InventoryIndex`]:
//!
//! - [`binding`] + [`irsa`] + [`pod_identity`]: per ServiceAccount (IRSA001–009, AUD013, POD005);
//! - [`pod`] + [`pod_token`]: per pod (POD001–004, POD006–010), over [`PodAnalysis`];
//! - [`node`]: IMDS (NODE001–003);
//! - [`audit_trust`], [`audit_role`], [`audit_grants`]: the roles the cluster uses or that
//!   trust it (AUD001–012).
//!
//! [`run`] computes each ServiceAccount's binding once, each pod's credential chain once, and
//! hands the results to the families, so the whole run is linear in the inventory. A pod's
//! per-pod checks run while its analysis exists; the run then keeps only its [`PodOutcome`]
//! (the chains of 50,000 pods take ~40 MB, their outcomes a few): the drill-down re-derives
//! one pod's full analysis with [`pod_analysis`].

pub mod arn;
pub mod assume_targets;
pub mod audit_grants;
pub mod audit_role;
pub mod audit_trust;
pub mod binding;
pub mod fix;
pub mod injection;
pub mod irsa;
mod irsa_chain;
pub mod irsa_trust;
mod near_miss;
pub mod node;
pub mod pod;
mod pod_analysis;
pub mod pod_identity;
mod pod_identity_pod;
mod pod_identity_session;
mod pod_identity_target;
pub mod pod_token;
mod policy_match;
mod run;

pub use pod_analysis::{
    NodeFallback, OutlookCache, PodAnalysis, PodOutcome, analyze_pod, identity_line, pod_analysis,
};
pub use run::{CheckRun, Unknowns, roles_in_scope, run};
