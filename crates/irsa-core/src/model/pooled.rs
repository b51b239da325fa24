//! [`Pooled<T>`]: a value that objects holding an equal one share, and the [`Pool`] that makes
//! them share it (values and texts alike).
//!
//! Most of a pod repeats across the replicas of its Deployment: labels, annotations, node
//! selector, containers (images, env, mounts) and volumes. The live source projects 50,000 pods
//! through one [`Pool`], so each distinct value is stored once and every pod holds a pointer.
//! `Pooled<T>` reads like a `T` (`Deref`), serialises as a `T`, and can still be edited like one
//! (`DerefMut` copies the value first when it is shared), so tests and generated clusters build
//! pods as before.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::collections::BTreeMap;
use std::fmt;
use std::hash::Hash;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;

/// A shared, copy-on-write value.
#[derive(PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pooled<T>(Arc<T>);

impl<T> Clone for Pooled<T> {
    fn clone(&self) -> Self {
        Self(Arc::clone(&self.0))
    }
}

impl<T> Pooled<T> {
    pub fn new(value: T) -> Self {
        Self(Arc::new(value))
    }

    /// The value, copied only when it is still shared.
    pub fn into_inner(self) -> T
    where
        T: Clone,
    {
        Arc::unwrap_or_clone(self.0)
    }

    /// True when both hold the very same allocation (not just equal values).
    pub fn ptr_eq(a: &Self, b: &Self) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl<T> Deref for Pooled<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.0
    }
}

impl<T: Clone> DerefMut for Pooled<T> {
    fn deref_mut(&mut self) -> &mut T {
        Arc::make_mut(&mut self.0)
    }
}

impl<T> From<T> for Pooled<T> {
    fn from(value: T) -> Self {
        Self::new(value)
    }
}

impl<T: fmt::Debug> fmt::Debug for Pooled<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl<'a, T> IntoIterator for &'a Pooled<Vec<T>> {
    type Item = &'a T;
    type IntoIter = std::slice::Iter<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<'a, T: Clone> IntoIterator for &'a mut Pooled<Vec<T>> {
    type Item = &'a mut T;
    type IntoIter = std::slice::IterMut<'a, T>;
    fn into_iter(self) -> Self::IntoIter {
        Arc::make_mut(&mut self.0).iter_mut()
    }
}

impl<'a, K, V> IntoIterator for &'a Pooled<BTreeMap<K, V>> {
    type Item = (&'a K, &'a V);
    type IntoIter = std::collections::btree_map::Iter<'a, K, V>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl<T: Serialize> Serialize for Pooled<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Pooled<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        T::deserialize(d).map(Self::new)
    }
}

/// Hands out one shared copy per distinct value: [`Pool::pooled`] for a [`Pooled`] value
/// (maps, containers, volumes), [`Pool::text`] for an `Arc<str>` (namespaces, ServiceAccount
/// and node names, identity lines). Values nobody else holds any more are dropped by a sweep
/// that runs once the inserts since the last one outnumber the values it kept (amortised O(1)
/// per insert, and at most about twice the live values held), so a long-running watch does not
/// keep deleted pods' values.
///
/// One type for both: deduplicating `Arc<str>` texts and copy-on-write values is the same
/// dedupe-and-sweep algorithm over a set of `Arc<T>`.
#[derive(Debug)]
pub struct Pool<T: ?Sized> {
    values: HashSet<Arc<T>>,
    /// Inserts since the last sweep.
    inserted: usize,
    /// Values left by the last sweep.
    kept: usize,
}

/// The set's hasher: pooling runs per pod on every decode and per rebuild (foldhash, as in
/// `crate::analysis::hash`).
type HashSet<T> = std::collections::HashSet<T, foldhash::fast::RandomState>;

/// Inserts always allowed before the first sweep: tiny pools never sweep.
const MIN_SWEEP: usize = 64;

impl<T: ?Sized> Default for Pool<T> {
    fn default() -> Self {
        Self {
            values: HashSet::default(),
            inserted: 0,
            kept: 0,
        }
    }
}

impl<T: ?Sized + Eq + Hash> Pool<T> {
    /// The pooled copy equal to `value`, if there is one.
    fn existing(&self, value: &T) -> Option<Arc<T>> {
        self.values.get(value).map(Arc::clone)
    }

    /// Keeps `value` as the shared copy (it is known to be new).
    fn insert(&mut self, value: Arc<T>) -> Arc<T> {
        self.inserted += 1;
        // Compared with what the last sweep kept, not with `values.len()`: that one grows with
        // every insert too, so the sweep would never come and dead values would pile up.
        if self.inserted > self.kept.max(MIN_SWEEP) {
            self.sweep();
        }
        self.values.insert(Arc::clone(&value));
        value
    }

    /// Forgets the values only the pool still holds.
    pub fn sweep(&mut self) {
        self.values.retain(|v| Arc::strong_count(v) > 1);
        self.inserted = 0;
        self.kept = self.values.len();
    }

    /// Distinct values pooled.
    pub fn len(&self) -> usize {
        self.values.len()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

impl<T: Eq + Hash> Pool<T> {
    /// The pooled copy of `value` (pooled now if it is new).
    pub fn pooled(&mut self, value: T) -> Pooled<T> {
        match self.existing(&value) {
            Some(shared) => Pooled(shared),
            None => Pooled(self.insert(Arc::new(value))),
        }
    }
}

impl Pool<str> {
    /// The shared copy of `text` (allocated only on first sight).
    pub fn text(&mut self, text: &str) -> Arc<str> {
        match self.existing(text) {
            Some(shared) => shared,
            None => self.insert(Arc::from(text)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_values_share_one_allocation_until_edited() {
        let mut pool = Pool::default();
        let a = pool.pooled(vec!["x".to_owned()]);
        let mut b = pool.pooled(vec!["x".to_owned()]);
        assert!(Pooled::ptr_eq(&a, &b));
        assert_eq!(pool.len(), 1);
        b.push("y".to_owned());
        assert_eq!(*a, ["x"]);
        assert_eq!(*b, ["x", "y"]);
    }

    #[test]
    fn a_sweep_forgets_values_nobody_holds() {
        let mut pool = Pool::default();
        let kept = pool.pooled(1);
        drop(pool.pooled(2));
        pool.sweep();
        assert_eq!(pool.len(), 1);
        assert!(Pooled::ptr_eq(&kept, &pool.pooled(1)));
    }

    #[test]
    fn values_nobody_holds_do_not_pile_up_under_churn() {
        let mut pool = Pool::default();
        // 2,000 values in use (pods that stay), then 20,000 that are dropped at once (each
        // modification of a pod brings a label map never seen before).
        let live: Vec<Pooled<usize>> = (0..2_000).map(|i| pool.pooled(i)).collect();
        for i in 0..20_000 {
            drop(pool.pooled(1_000_000 + i));
        }
        assert!(pool.len() <= 2 * live.len() + 1, "{} pooled", pool.len());
        assert!(live.iter().enumerate().all(|(i, v)| **v == i));
    }

    #[test]
    fn serialises_as_the_value() {
        let p = Pooled::new(vec![1, 2]);
        assert_eq!(serde_json::to_string(&p).unwrap(), "[1,2]");
        assert_eq!(
            serde_json::from_str::<Pooled<Vec<i32>>>("[1,2]").unwrap(),
            p
        );
    }

    #[test]
    fn equal_texts_share_one_allocation() {
        let mut pool = Pool::<str>::default();
        let a = pool.text("IRSA app-role");
        let b = pool.text(&String::from("IRSA app-role"));
        let c = pool.text("none");
        assert!(Arc::ptr_eq(&a, &b));
        assert!(!Arc::ptr_eq(&a, &c));
        assert_eq!(&*c, "none");
    }

    #[test]
    fn texts_nobody_holds_are_dropped_in_time() {
        let mut pool = Pool::<str>::default();
        let held: Vec<Arc<str>> = (0..100).map(|i| pool.text(&format!("held-{i}"))).collect();
        for i in 0..10_000 {
            drop(pool.text(&format!("gone-{i}")));
        }
        assert!(
            pool.len() <= 2 * held.len() + MIN_SWEEP + 1,
            "{}",
            pool.len()
        );
        assert!(held.iter().all(|h| Arc::ptr_eq(h, &pool.text(h))));
    }
}
