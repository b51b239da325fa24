//! A loaded and analysed state of the world ([`Dataset`]), and the same with every pane's rows
//! derived ([`Prepared`]).

use crate::rows::{DerivedRows, derive};
use irsa_core::analysis::audit::{AuditReport, audit};
use irsa_core::model::Inventory;
use jiff::Timestamp;

/// One loaded and analysed state of the world.
#[derive(Debug, Clone, PartialEq)]
pub struct Dataset {
    pub inventory: Inventory,
    pub report: AuditReport,
    /// When the source delivered it (the header's freshness for live data).
    pub loaded_at: Timestamp,
}

impl Dataset {
    /// Runs the analysis over an inventory as of `now` (the snapshot's capture time for
    /// offline data). Call it off the UI thread for big clusters.
    pub fn analyse(inventory: Inventory, now: Timestamp, loaded_at: Timestamp) -> Dataset {
        let report = audit(&inventory, now);
        Dataset {
            inventory,
            report,
            loaded_at,
        }
    }
}

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
