//! The dedupe cache of AWS answers, keyed by ARN (DESIGN principle 3): each key is `Pending`
//! while its one call is in flight (every other asker awaits that same call), then `Ready` or
//! `Failed` until its TTL runs out or [`TtlCache::clear`] (the `r` refresh) empties it. A burst
//! of pod events asking for the same role therefore costs one IAM call.
//!
//! Hand-written because the need is small (a map of `tokio::sync::OnceCell`s with a birth time):
//! cache crates (moka, cached) bring their own executors or eviction machinery we do not need,
//! and none exposes the Pending/Ready/Failed state the view shows.

use super::error::CallError;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::sync::OnceCell;
use tokio::time::Instant;

/// What the cache knows about one key.
#[derive(Debug, Clone, PartialEq)]
pub enum CacheState<V> {
    /// The call is in flight.
    Pending,
    Ready(V),
    /// The call failed; the error says which action and why.
    Failed(CallError),
}

type Cell<V> = Arc<OnceCell<Result<V, CallError>>>;

struct Entry<V> {
    cell: Cell<V>,
    born: Instant,
}

/// A TTL cache whose concurrent askers of one key share one fetch.
pub struct TtlCache<V> {
    ttl: Duration,
    entries: Mutex<HashMap<String, Entry<V>>>,
}

impl<V: Clone> TtlCache<V> {
    /// An empty cache whose answers (successes and failures alike) live `ttl`.
    pub fn new(ttl: Duration) -> Self {
        Self {
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
    }

    /// The cached answer for `key`, or the answer of `fetch` (called at most once per key and
    /// TTL period, however many tasks ask at the same time).
    pub async fn get_or_fetch<F, Fut>(&self, key: &str, fetch: F) -> Result<V, CallError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, CallError>>,
    {
        let cell = {
            let mut entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
            match entries.get(key) {
                Some(e) if e.born.elapsed() < self.ttl => e.cell.clone(),
                _ => {
                    let cell: Cell<V> = Arc::new(OnceCell::new());
                    entries.insert(
                        key.to_owned(),
                        Entry {
                            cell: cell.clone(),
                            born: Instant::now(),
                        },
                    );
                    cell
                }
            }
        };
        cell.get_or_init(fetch).await.clone()
    }

    /// The state of `key`; `None` when never asked, expired, or cleared.
    pub fn state(&self, key: &str) -> Option<CacheState<V>> {
        let entries = self.entries.lock().unwrap_or_else(PoisonError::into_inner);
        let entry = entries.get(key).filter(|e| e.born.elapsed() < self.ttl)?;
        Some(match entry.cell.get() {
            None => CacheState::Pending,
            Some(Ok(v)) => CacheState::Ready(v.clone()),
            Some(Err(e)) => CacheState::Failed(e.clone()),
        })
    }

    /// Forgets everything: the next ask of every key calls AWS again (the `r` refresh).
    pub fn clear(&self) {
        self.entries
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::aws::error::FailureKind;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test(start_paused = true)]
    async fn concurrent_askers_share_one_call_until_the_ttl_runs_out() {
        let cache = TtlCache::<String>::new(Duration::from_secs(60));
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(10)).await;
            Ok("role".to_owned())
        };
        let (a, b, c) = tokio::join!(
            cache.get_or_fetch("arn:1", fetch),
            cache.get_or_fetch("arn:1", fetch),
            cache.get_or_fetch("arn:1", fetch)
        );
        assert_eq!((a.unwrap(), b.unwrap(), c.unwrap()).0, "role");
        assert_eq!(calls.load(Ordering::SeqCst), 1, "one call for a burst");
        assert_eq!(
            cache.state("arn:1"),
            Some(CacheState::Ready("role".to_owned()))
        );

        tokio::time::advance(Duration::from_secs(61)).await;
        assert_eq!(cache.state("arn:1"), None, "expired");
        cache.get_or_fetch("arn:1", fetch).await.unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2, "asked again after the TTL");
    }

    #[tokio::test]
    async fn failures_are_cached_until_a_refresh() {
        let cache = TtlCache::<String>::new(Duration::from_secs(60));
        let denied = CallError {
            action: "iam:GetRole",
            kind: FailureKind::Denied,
        };
        let calls = AtomicUsize::new(0);
        let fetch = || async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(denied.clone())
        };
        assert!(cache.get_or_fetch("arn:1", fetch).await.is_err());
        assert!(cache.get_or_fetch("arn:1", fetch).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            cache.state("arn:1"),
            Some(CacheState::Failed(denied.clone()))
        );
        cache.clear();
        assert!(cache.get_or_fetch("arn:1", fetch).await.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 2, "refresh asks again");
    }
}
