//! Counts of AWS calls made, per IAM action, for the benchmark and for tests that check the
//! cache and the fast path really save calls. Counted once per call as the code issues it (the
//! SDK's own retries of one call are not counted again).

use super::error::{CallError, FailureKind};
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Calls per IAM action (`iam:GetRole` → 12).
#[derive(Debug, Default)]
pub struct CallCounter {
    counts: Mutex<BTreeMap<&'static str, u64>>,
    in_flight: Mutex<(usize, usize)>,
    failures: Mutex<Failures>,
}

/// Failed calls that say something about the whole source rather than one part: rejected
/// credentials, and failures that may pass if asked again.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Failures {
    /// Calls rejected for their credentials, and the last such line (how to fix it).
    pub credentials: u64,
    pub credentials_line: Option<String>,
    /// Calls that timed out, stayed throttled, or got unreadable or unexpected answers.
    pub transient: u64,
}

impl CallCounter {
    /// Records how a call failed.
    pub fn failed(&self, error: &CallError) {
        let mut f = self.failures.lock().unwrap_or_else(PoisonError::into_inner);
        if let FailureKind::Credentials(line) = &error.kind {
            f.credentials += 1;
            f.credentials_line = Some(line.clone());
        } else if error.is_transient() {
            f.transient += 1;
        }
    }

    /// The failures so far (compare two snapshots to see what one enrichment met).
    pub fn failures(&self) -> Failures {
        self.failures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Records one call of `action`.
    pub fn count(&self, action: &'static str) {
        *self
            .counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(action)
            .or_default() += 1;
    }

    /// The counts so far, by action.
    pub fn snapshot(&self) -> BTreeMap<&'static str, u64> {
        self.counts
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The total number of calls so far.
    pub fn total(&self) -> u64 {
        self.snapshot().values().sum()
    }

    /// Marks the start of a rate-limited call; returns a guard that marks its end.
    pub fn enter(&self) -> InFlight<'_> {
        let mut g = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        g.0 += 1;
        g.1 = g.1.max(g.0);
        InFlight(self)
    }

    /// The most rate-limited calls that were ever in flight at once.
    pub fn peak_in_flight(&self) -> usize {
        self.in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .1
    }
}

/// Ends an in-flight call when dropped.
pub struct InFlight<'a>(&'a CallCounter);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut g = self
            .0
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        g.0 = g.0.saturating_sub(1);
    }
}
