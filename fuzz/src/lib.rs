//! The parts of irsa-inspector the fuzz targets exercise, compiled from the product's own
//! source files (`#[path]`), not copies: the model, the pure analysis core, the reports and
//! the snapshot loader. They depend on no AWS SDK, kube client, terminal or async runtime, so
//! the instrumented fuzz build skips those crates (the AWS SDK alone needs more than 20 GB
//! of memory to compile with coverage instrumentation).

#[path = "../../src/model/mod.rs"]
pub mod model;

#[path = "../../src/analysis/mod.rs"]
pub mod analysis;

#[path = "../../src/report/mod.rs"]
pub mod report;

pub mod sources;
