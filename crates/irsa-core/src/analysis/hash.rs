//! The hash map of the analysis and the row indexes: std's `HashMap` with foldhash's hasher.
//! Their keys are short strings (namespaces, names, ARNs) hashed a few hundred thousand times
//! per rebuild of a 50,000-pod cluster, where std's SipHash was a seventh of the analysis's
//! time (perf, BENCHMARKS.md). foldhash seeds each map randomly, so names an attacker chooses
//! cannot be made to collide on purpose. Built without foldhash's `std` feature so the
//! dependencies that already use it (hashbrown) are not rebuilt with a different feature set.

/// `std::collections::HashMap` with foldhash; build one with `HashMap::default()`.
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
