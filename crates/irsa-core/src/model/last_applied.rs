//! kubectl's `last-applied-configuration` annotation: a copy of the whole manifest as last
//! applied, which repeats every literal value (secret env values included, which the pod
//! projection redacts) and which nothing reads. Every source drops it: the model's projections,
//! the live decoder, `snapshot save`.

use std::collections::BTreeMap;

/// The annotation's key.
pub const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// Removes [`LAST_APPLIED`] from annotations, in place.
pub fn strip_last_applied(annotations: &mut BTreeMap<String, String>) {
    annotations.remove(LAST_APPLIED);
}

/// A copy of the annotations without [`LAST_APPLIED`].
pub fn without_last_applied(
    annotations: Option<&BTreeMap<String, String>>,
) -> BTreeMap<String, String> {
    let mut out = annotations.cloned().unwrap_or_default();
    strip_last_applied(&mut out);
    out
}
