//! [`Dataset`]: one loaded and analysed state of the world — the inventory and its audit —
//! as every consumer (the terminal UI, the command line, the fixtures) receives it.

use crate::analysis::audit::{AuditReport, audit};
use crate::model::Inventory;
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
