//! Text many objects repeat (a pod's ServiceAccount, node and identity line are each shared by
//! hundreds of pods): one `Arc<str>` per distinct value, shared by the report and the display
//! rows instead of a `String` per pod.
//!
//! The serde helpers exist because serde's own `rc` feature, the usual way to serialise an
//! `Arc<str>`, changes serde's build and with it every crate that depends on it (kube,
//! k8s-openapi, the AWS SDK): a full rebuild on every machine for two functions. The JSON is
//! the same as a `String`'s.

use crate::analysis::hash::HashSet;
use serde::{Deserialize, Deserializer, Serializer};
use std::sync::Arc;

/// Hands out one shared `Arc<str>` per distinct text.
#[derive(Debug, Default)]
pub struct Interner(HashSet<Arc<str>>);

impl Interner {
    /// The shared copy of `text` (made on first sight).
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.0.get(text) {
            return Arc::clone(shared);
        }
        let shared: Arc<str> = Arc::from(text);
        self.0.insert(Arc::clone(&shared));
        shared
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_texts_share_one_allocation() {
        let mut interner = Interner::default();
        let a = interner.get("IRSA app-role");
        let b = interner.get(&String::from("IRSA app-role"));
        let c = interner.get("none");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, "none");
    }
}
