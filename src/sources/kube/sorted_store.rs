//! The store a watcher fills: every object's projection behind an `Arc`, kept sorted by
//! (namespace, name), so an [`irsa_core::model::Inventory`] is a copy of pointers, never of pods.
//!
//! Why not kube-rs's `reflector::Store`: it keys each object by an `ObjectRef` (name,
//! namespace, uid and resourceVersion copied again) in a hash map, keeps the object's
//! `ObjectMeta` beside the projection, and hands out an unordered list that every inventory
//! had to sort and deep-copy (≈ 0.6 s and 170 MB at 50,000 pods). The semantics are the same
//! as the reflector's writer: a (re)list is buffered and swapped in whole at `InitDone`, so
//! readers never see half a cluster.

use super::projected::Projection;
use std::sync::{Arc, RwLock};

/// A sorted, shared list of projections; clones share the same list.
#[derive(Debug)]
pub struct SortedStore<P> {
    items: Arc<RwLock<Vec<Arc<P>>>>,
}

impl<P> Clone for SortedStore<P> {
    fn clone(&self) -> Self {
        Self {
            items: Arc::clone(&self.items),
        }
    }
}

impl<P> Default for SortedStore<P> {
    fn default() -> Self {
        Self {
            items: Arc::default(),
        }
    }
}

impl<P: Projection> SortedStore<P> {
    /// Every object, sorted by namespace and name (pointers only).
    pub fn snapshot(&self) -> Vec<Arc<P>> {
        self.items.read().map(|v| v.clone()).unwrap_or_default()
    }

    pub fn len(&self) -> usize {
        self.items.read().map(|v| v.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Adds or replaces one object (a watch `ADDED`/`MODIFIED`).
    pub fn apply(&self, item: P) {
        if let Ok(mut items) = self.items.write() {
            match items.binary_search_by(|p| p.key().cmp(&item.key())) {
                Ok(at) => {
                    if let Some(slot) = items.get_mut(at) {
                        *slot = Arc::new(item);
                    }
                }
                Err(at) => items.insert(at, Arc::new(item)),
            }
        }
    }

    /// Removes one object (a watch `DELETED`).
    pub fn delete(&self, item: &P) {
        if let Ok(mut items) = self.items.write()
            && let Ok(at) = items.binary_search_by(|p| p.key().cmp(&item.key()))
        {
            items.remove(at);
        }
    }

    /// Replaces everything with a completed (re)list.
    pub fn replace(&self, mut listed: Vec<Arc<P>>) {
        listed.sort_by(|a, b| a.key().cmp(&b.key()));
        listed.dedup_by(|a, b| a.key() == b.key());
        listed.shrink_to_fit();
        if let Ok(mut items) = self.items.write() {
            *items = listed;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use irsa_core::model::PodInfo;

    fn names(shelf: &SortedStore<PodInfo>) -> Vec<String> {
        shelf
            .snapshot()
            .iter()
            .map(|p| format!("{}/{}", p.namespace, p.name))
            .collect()
    }

    #[test]
    fn objects_stay_sorted_through_lists_and_watch_events() {
        let shelf = SortedStore::<PodInfo>::default();
        shelf.replace(vec![
            Arc::new(PodInfo::new("b", "x", "sa")),
            Arc::new(PodInfo::new("a", "z", "sa")),
            Arc::new(PodInfo::new("a", "y", "sa")),
        ]);
        assert_eq!(names(&shelf), ["a/y", "a/z", "b/x"]);
        shelf.apply(PodInfo::new("a", "ya", "sa"));
        let mut changed = PodInfo::new("b", "x", "other");
        changed.phase = Some("Running".to_owned());
        shelf.apply(changed);
        shelf.delete(&PodInfo::new("a", "z", "sa"));
        assert_eq!(names(&shelf), ["a/y", "a/ya", "b/x"]);
        assert_eq!(&*shelf.snapshot()[2].service_account, "other");
        assert_eq!(shelf.len(), 3);
    }

    #[test]
    fn a_snapshot_shares_the_objects_and_is_not_changed_by_later_events() {
        let shelf = SortedStore::<PodInfo>::default();
        shelf.apply(PodInfo::new("a", "p", "sa"));
        let before = shelf.snapshot();
        let again = shelf.snapshot();
        assert!(Arc::ptr_eq(&before[0], &again[0]));
        shelf.delete(&PodInfo::new("a", "p", "sa"));
        assert_eq!(before.len(), 1);
        assert!(shelf.is_empty());
    }
}
