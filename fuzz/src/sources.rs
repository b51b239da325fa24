//! `crate::sources::snapshot`, at the path the product's modules expect.

#[path = "../../src/sources/snapshot/mod.rs"]
pub mod snapshot;
