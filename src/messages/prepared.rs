//! [`Prepared`]: a [`Dataset`] with every pane's rows derived.

use crate::rows::{DerivedRows, derive};
use irsa_core::dataset::Dataset;

/// A dataset with every pane's rows already derived — done on the loader's thread, so a big
/// cluster never stalls the UI thread (deriving 50,000 pods takes ~0.2 s).
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub dataset: Dataset,
    pub rows: DerivedRows,
}

impl Prepared {
    /// Derives the rows of `dataset` (call it off the UI thread).
    pub fn new(dataset: Dataset) -> Prepared {
        let rows = derive(&dataset.inventory, &dataset.report);
        Prepared { dataset, rows }
    }
}
