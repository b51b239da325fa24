//! Text many objects repeat (a pod's ServiceAccount, node and identity line are each shared by
//! hundreds of pods): one `Arc<str>` per distinct value, shared by the report and the display
//! rows instead of a `String` per pod.
//!
//! The serde helpers exist because serde's own `rc` feature, the usual way to serialise an
//! `Arc<str>`, changes serde's build and with it every crate that depends on it (kube,
//! k8s-openapi, the AWS SDK): a full rebuild on every machine for two functions. The JSON is
//! the same as a `String`'s.

use serde::{Deserialize, Deserializer, Serializer};
use std::sync::Arc;

/// Hands out one shared `Arc<str>` per distinct text. A long-lived interner (the pod
/// projection's) drops the texts nobody holds any more once its inserts outnumber the texts it
/// kept, so it stays within about twice the live texts.
#[derive(Debug, Default)]
pub struct Interner {
    texts: HashSet<Arc<str>>,
    inserts: usize,
    kept: usize,
}

/// The set's hasher: interning runs per rebuild over every pod (foldhash, as in
/// `crate::analysis::hash`).
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

impl Interner {
    /// The shared copy of `text` (made on first sight).
    pub fn get(&mut self, text: &str) -> Arc<str> {
        if let Some(shared) = self.texts.get(text) {
            return Arc::clone(shared);
        }
        if self.inserts > self.kept.max(64) {
            self.texts.retain(|t| Arc::strong_count(t) > 1);
            self.kept = self.texts.len();
            self.inserts = 0;
        }
        self.inserts += 1;
        let shared: Arc<str> = Arc::from(text);
        self.texts.insert(Arc::clone(&shared));
        shared
    }

    /// How many texts it holds.
    pub fn len(&self) -> usize {
        self.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.texts.is_empty()
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

    #[test]
    fn texts_nobody_holds_are_dropped_in_time() {
        let mut interner = Interner::default();
        let held: Vec<Arc<str>> = (0..100)
            .map(|i| interner.get(&format!("held-{i}")))
            .collect();
        for i in 0..10_000 {
            drop(interner.get(&format!("gone-{i}")));
        }
        assert!(interner.len() <= 2 * held.len() + 65, "{}", interner.len());
        assert!(held.iter().all(|h| Arc::ptr_eq(h, &interner.get(h))));
    }
}
