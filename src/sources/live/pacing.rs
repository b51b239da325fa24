//! When the live feeder rebuilds the UI's data: the first time once every watched resource
//! has been listed (or after [`FIRST_FRAME_DEADLINE`], showing what is there and naming what
//! is missing), then after changes at most [`MAX_REBUILDS_PER_SECOND`] times a second and
//! never sooner than [`REBUILD_SHARE`] times the last rebuild's cost after it started — a
//! 50,000-pod cluster under steady churn takes ~0.35 s a rebuild, which four times a second
//! would keep both cores busy for good. Reads tokio's clock, so tests run it on a paused one.

use std::time::Duration;
use tokio::time::Instant;

/// Under churn, the UI's data is rebuilt at most this often.
pub const MAX_REBUILDS_PER_SECOND: u32 = 4;
/// Under churn, a rebuild starts at least this many times its predecessor's duration after it
/// started (so rebuilding takes at most a third of the time).
pub const REBUILD_SHARE: u32 = 3;
/// Show what is there (with what is missing named) if the cluster has not settled by then.
pub const FIRST_FRAME_DEADLINE: Duration = Duration::from_secs(5);

/// The feeder's rebuild schedule.
#[derive(Debug, Clone)]
pub struct Pacing {
    started: Instant,
    last_build: Option<Instant>,
    last_cost: Duration,
}

impl Pacing {
    /// A schedule for a feeder that started watching at `started`.
    pub fn new(started: Instant) -> Self {
        Self {
            started,
            last_build: None,
            last_cost: Duration::ZERO,
        }
    }

    /// Whether rebuilding may begin at all: the cluster is settled (every resource listed or
    /// forbidden), or the first-frame deadline has passed.
    pub fn ready(&self, settled: bool) -> bool {
        settled || self.started.elapsed() >= FIRST_FRAME_DEADLINE
    }

    /// Whether a rebuild is owed: something changed, or nothing was built yet (the first
    /// frame, or after a refresh).
    pub fn owed(&self, dirty: bool) -> bool {
        dirty || self.last_build.is_none()
    }

    /// The earliest moment the next rebuild may start.
    pub fn next_build(&self, settled: bool) -> Instant {
        let gap = Duration::from_secs(1) / MAX_REBUILDS_PER_SECOND;
        match self.last_build {
            Some(at) => at + gap.max(self.last_cost * REBUILD_SHARE),
            None if settled => Instant::now(),
            None => self.started + FIRST_FRAME_DEADLINE,
        }
    }

    /// A rebuild starts now.
    pub fn begin(&mut self) {
        self.last_build = Some(Instant::now());
    }

    /// The rebuild that began last took `cost`.
    pub fn finished(&mut self, cost: Duration) {
        self.last_cost = cost;
    }

    /// The user asked for fresh data (`r`): rebuild as soon as the cluster is settled.
    pub fn refresh(&mut self) {
        self.last_build = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::time::advance;

    const MS: Duration = Duration::from_millis(1);

    #[tokio::test(start_paused = true)]
    async fn the_first_frame_waits_for_the_lists_or_the_deadline() {
        let p = Pacing::new(Instant::now());
        assert!(!p.ready(false), "not settled, deadline not reached");
        assert!(p.ready(true), "settled: no need to wait");
        assert_eq!(p.next_build(true), Instant::now());
        assert_eq!(p.next_build(false), Instant::now() + FIRST_FRAME_DEADLINE);
        advance(FIRST_FRAME_DEADLINE - MS).await;
        assert!(!p.ready(false));
        advance(MS).await;
        assert!(p.ready(false), "the deadline shows what is there");
        assert!(p.owed(false), "nothing built yet: a build is owed");
    }

    #[tokio::test(start_paused = true)]
    async fn cheap_rebuilds_come_at_most_four_times_a_second() {
        let mut p = Pacing::new(Instant::now());
        p.begin();
        let began = Instant::now();
        advance(20 * MS).await;
        p.finished(20 * MS);
        assert!(!p.owed(false), "built and nothing changed");
        assert!(p.owed(true));
        assert_eq!(p.next_build(true), began + 250 * MS);
    }

    #[tokio::test(start_paused = true)]
    async fn an_expensive_rebuild_spaces_the_next_by_three_times_its_cost() {
        let mut p = Pacing::new(Instant::now());
        p.begin();
        let began = Instant::now();
        advance(350 * MS).await;
        p.finished(350 * MS);
        // 3 × 0.35 s after it began: rebuilding takes at most a third of the time.
        assert_eq!(p.next_build(true), began + 1050 * MS);
        // The share applies whatever the settled state: a later change waits as long.
        assert_eq!(p.next_build(false), began + 1050 * MS);
    }

    #[tokio::test(start_paused = true)]
    async fn a_refresh_rebuilds_at_once_once_settled() {
        let mut p = Pacing::new(Instant::now());
        p.begin();
        p.finished(400 * MS);
        advance(100 * MS).await;
        p.refresh();
        assert!(p.owed(false));
        assert_eq!(p.next_build(true), Instant::now());
    }
}
