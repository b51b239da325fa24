//! Serde helpers for `Arc<str>` fields: text many objects repeat (a pod's ServiceAccount, node
//! and identity line are each shared by hundreds of pods) is held as one `Arc<str>` per distinct
//! value, handed out by a `Pool<str>` ([`super::Pool::text`]).
//!
//! The serde helpers exist because serde's own `rc` feature, the usual way to serialise an
//! `Arc<str>`, changes serde's build and with it every crate that depends on it (kube,
//! k8s-openapi, the AWS SDK): a full rebuild on every machine for two functions. The JSON is
//! the same as a `String`'s.

use serde::{Deserialize, Deserializer, Serializer};
use std::sync::Arc;

/// `#[serde(with = "interned")]` for an `Arc<str>` field.
pub fn serialize<S: Serializer>(value: &Arc<str>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(value)
}

/// See [`serialize`].
pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Arc<str>, D::Error> {
    String::deserialize(d).map(Arc::from)
}

/// `#[serde(with = "interned::option")]` for an `Option<Arc<str>>` field.
pub mod option {
    use serde::{Deserialize, Deserializer, Serializer};
    use std::sync::Arc;

    pub fn serialize<S: Serializer>(value: &Option<Arc<str>>, s: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(v) => s.serialize_some(&**v),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Arc<str>>, D::Error> {
        Option::<String>::deserialize(d).map(|v| v.map(Arc::from))
    }
}
