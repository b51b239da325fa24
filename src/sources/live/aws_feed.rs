//! The AWS side of one feeder (`--aws`): one read at a time, run beside the rebuilds and never
//! in front of them. The Kubernetes side shows first (header: `AWS loading…`); each rebuild
//! merges the latest answer; a new read starts when a rebuild asks for other roles or
//! instances. A read that met timeouts, throttling or unreadable answers is asked again after
//! [`AWS_RETRY`] (a good one after the cache's TTL, so AWS-side changes show without a key);
//! one whose credentials were rejected keeps the last good answer on screen, marked stale
//! since the first rejection ([`LastKnown`]), and is asked again after [`AWS_RETRY`] too, so
//! an `aws sso login` in another terminal is picked up by itself.

use crate::messages::AwsStatus;
use crate::sources::aws::{AwsSource, EnrichRequest, Enrichment, LastKnown};
use jiff::Timestamp;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// After an AWS read that failed in a way that may pass (timeout, throttling, rejected
/// credentials), AWS is asked again after this long.
pub const AWS_RETRY: Duration = Duration::from_secs(30);

/// The AWS side of one feeder: one read at a time, run beside the rebuilds.
pub(super) struct AwsFeed {
    source: Arc<AwsSource>,
    last: LastKnown,
    /// What rebuilds merge: the latest answer (or the last good one while stale).
    pub(super) shown: Option<Enrichment>,
    /// The request of the read under way or last made, and the newest one wanted.
    asked: Option<EnrichRequest>,
    wanted: Option<EnrichRequest>,
    running: Option<tokio::task::JoinHandle<()>>,
    done_tx: mpsc::Sender<Enrichment>,
    /// When to read again, and whether to forget the cached answers first: [`AWS_RETRY`] after
    /// a read that may pass next time (cache emptied), else the cache's TTL after the last
    /// read (only what expired is asked again).
    pub(super) again_at: Option<(Instant, bool)>,
}

impl AwsFeed {
    pub(super) fn new(source: Arc<AwsSource>, done_tx: mpsc::Sender<Enrichment>) -> Self {
        Self {
            source,
            last: LastKnown::default(),
            shown: None,
            asked: None,
            wanted: None,
            running: None,
            done_tx,
            again_at: None,
        }
    }

    /// Notes what the latest rebuild needs; starts a read if it differs from the last one.
    pub(super) fn want(&mut self, request: EnrichRequest) {
        self.wanted = Some(request);
        self.start_if_needed();
    }

    fn start_if_needed(&mut self) {
        if self.running.is_some() || self.wanted.is_none() || self.wanted == self.asked {
            return;
        }
        let Some(request) = self.wanted.clone() else {
            return;
        };
        self.asked = Some(request.clone());
        let (source, done) = (Arc::clone(&self.source), self.done_tx.clone());
        self.running = Some(tokio::spawn(async move {
            let enrichment = source.enrich(&request).await;
            let _ = done.send(enrichment).await;
        }));
    }

    /// Reads again, forgetting the cached answers first when `clear` (the `r` key, a retry).
    pub(super) fn ask_again(&mut self, clear: bool) {
        if clear {
            self.source.refresh();
        }
        self.asked = None;
        self.again_at = None;
        self.start_if_needed();
    }

    /// A read finished: what to show, and the status for the header.
    pub(super) fn finished(&mut self, enrichment: Enrichment) -> AwsStatus {
        self.running = None;
        let (shown, status) = self.last.update(enrichment, Timestamp::now());
        self.again_at = Some(if shown.retry_soon {
            (Instant::now() + AWS_RETRY, true)
        } else {
            (Instant::now() + self.source.ttl(), false)
        });
        self.shown = Some(shown);
        self.start_if_needed();
        status
    }
}

impl Drop for AwsFeed {
    fn drop(&mut self) {
        if let Some(task) = &self.running {
            task.abort();
        }
    }
}
