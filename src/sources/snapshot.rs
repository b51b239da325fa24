//! Offline snapshots and the embedded demo lab. (placeholder: filled by the snapshot work)
