//! [`Shared<T>`]: a list whose items are reference-counted, so the live source's store and every
//! inventory built from it hold the same pods instead of copies. It reads like a `Vec<T>`
//! (`iter()` yields `&T`, `list[i]` is a `T`); writing through `list[i]` or `iter_mut()` copies
//! an item first only when someone else still holds it (`Arc::make_mut`), so tests and
//! generated clusters can build and edit inventories as before.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::ops::{Index, IndexMut};
use std::sync::Arc;

/// A `Vec` of `Arc<T>` with `Vec<T>`-like reading and copy-on-write editing.
#[derive(Clone, PartialEq)]
pub struct Shared<T>(Vec<Arc<T>>);

/// Iterator over the items of a [`Shared`] list.
pub type Iter<'a, T> = std::iter::Map<std::slice::Iter<'a, Arc<T>>, fn(&'a Arc<T>) -> &'a T>;

impl<T> Shared<T> {
    pub fn new() -> Self {
        Self(Vec::new())
    }

    /// A list over items someone else already shares (no copy).
    pub fn from_shared(items: Vec<Arc<T>>) -> Self {
        Self(items)
    }

    /// The shared items themselves.
    pub fn as_shared(&self) -> &[Arc<T>] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> Iter<'_, T> {
        self.0.iter().map(|a| &**a)
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.0.get(i).map(|a| &**a)
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&T> {
        self.0.last().map(|a| &**a)
    }

    pub fn push(&mut self, item: T) {
        self.0.push(Arc::new(item));
    }

    pub fn clear(&mut self) {
        self.0.clear();
    }
}

impl<T: Clone> Shared<T> {
    /// Editable items; an item still shared elsewhere is copied first.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.0.iter_mut().map(Arc::make_mut)
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.0.get_mut(i).map(Arc::make_mut)
    }

    pub fn retain(&mut self, mut keep: impl FnMut(&T) -> bool) {
        self.0.retain(|a| keep(a));
    }
}

impl<T> Default for Shared<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for Shared<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<T> Index<usize> for Shared<T> {
    type Output = T;
    fn index(&self, i: usize) -> &T {
        &self.0[i]
    }
}

impl<T: Clone> IndexMut<usize> for Shared<T> {
    fn index_mut(&mut self, i: usize) -> &mut T {
        Arc::make_mut(&mut self.0[i])
    }
}

impl<'a, T> IntoIterator for &'a Shared<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> FromIterator<T> for Shared<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        Self(items.into_iter().map(Arc::new).collect())
    }
}

impl<T> Extend<T> for Shared<T> {
    fn extend<I: IntoIterator<Item = T>>(&mut self, items: I) {
        self.0.extend(items.into_iter().map(Arc::new));
    }
}

impl<T> From<Vec<T>> for Shared<T> {
    fn from(items: Vec<T>) -> Self {
        items.into_iter().collect()
    }
}

impl<T: Serialize> Serialize for Shared<T> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Shared<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Vec::<T>::deserialize(d).map(Self::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn editing_an_item_leaves_other_holders_unchanged() {
        let mut list: Shared<String> = vec!["a".to_owned(), "b".to_owned()].into();
        let snapshot = list.clone();
        list[0].push('!');
        list.push("c".to_owned());
        assert_eq!(list.iter().collect::<Vec<_>>(), ["a!", "b", "c"]);
        assert_eq!(snapshot.iter().collect::<Vec<_>>(), ["a", "b"]);
        assert!(Arc::ptr_eq(&list.as_shared()[1], &snapshot.as_shared()[1]));
    }

    #[test]
    fn serialises_like_a_plain_list() {
        let list: Shared<u32> = vec![1, 2].into();
        let json = serde_json::to_string(&list).unwrap();
        assert_eq!(json, "[1,2]");
        assert_eq!(serde_json::from_str::<Shared<u32>>(&json).unwrap(), list);
    }
}
