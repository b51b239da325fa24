//! The feeder: watches the cluster, and after every burst of "changed" signals builds an
//! inventory from the stores, merges the AWS side, analyses it and derives the rows off the UI
//! thread, on the schedule of [`Pacing`]. Statuses reach the UI at once.

use super::aws_feed::AwsFeed;
use super::pacing::Pacing;
use crate::messages::{AwsStatus, Prepared, SourceEvent};
use crate::sources::aws::{AwsSource, EnrichRequest};
use crate::sources::kube::{CHANNEL_CAPACITY, Connection, KubeEvent, KubeSource};
use irsa_core::dataset::Dataset;
use jiff::Timestamp;
use std::sync::Arc;
use tokio::sync::mpsc;
use tokio::time::Instant;

/// Hands the memory a rebuild freed back to the system. glibc keeps freed chunks in the arena
/// of the thread that freed them (the watchers decode LIST pages on tokio's workers, the
/// analysis runs on a blocking thread and rayon's), so without this the RSS of a big cluster
/// holds every thread's high-water mark at once. Measured in BENCHMARKS.md; a no-op elsewhere.
fn give_back_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own arenas and returns unused pages; it has no
    // preconditions and touches no Rust-owned memory.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Watches the cluster and sends a prepared dataset after changes, throttled.
pub(super) async fn feed(
    connection: Connection,
    now_flag: Option<Timestamp>,
    tx: mpsc::UnboundedSender<SourceEvent>,
    mut refresh: mpsc::Receiver<()>,
    aws: Option<Arc<AwsSource>>,
) {
    let (events_tx, mut events) = mpsc::channel(CHANNEL_CAPACITY);
    let source = KubeSource::start(connection, events_tx);
    let (done_tx, mut done) = mpsc::channel(1);
    let mut aws = aws.map(|a| AwsFeed::new(a, done_tx));
    if aws.is_some() {
        let _ = tx.send(SourceEvent::AwsStatus(AwsStatus::Loading));
    }
    let mut pacing = Pacing::new(Instant::now());
    let mut dirty = false;
    loop {
        let settled = source.is_settled();
        let ready = pacing.ready(settled);
        let next_build = pacing.next_build(settled);
        let again_at = aws.as_ref().and_then(|a| a.again_at);
        tokio::select! {
            event = events.recv() => match event {
                Some(event) => {
                    dirty = true;
                    // Statuses reach the header at once (a "reconnecting" badge must not wait
                    // for a rebuild that only happens once the connection is back).
                    if let KubeEvent::Status(resource, status) = event {
                        let _ = tx.send(SourceEvent::WatchStatus { resource, status });
                    }
                }
                None => return,
            },
            request = refresh.recv() => match request {
                Some(()) => {
                    dirty = true;
                    pacing.refresh();
                    if let Some(aws) = &mut aws {
                        aws.ask_again(true);
                    }
                }
                None => return,
            },
            Some(enrichment) = done.recv() => {
                if let Some(aws) = &mut aws {
                    let status = aws.finished(enrichment);
                    let _ = tx.send(SourceEvent::AwsStatus(status));
                }
                dirty = true;
            },
            () = tokio::time::sleep_until(again_at.map_or_else(Instant::now, |(at, _)| at)), if again_at.is_some() => {
                if let (Some(aws), Some((_, clear))) = (&mut aws, again_at) {
                    aws.ask_again(clear);
                }
            },
            () = tokio::time::sleep_until(next_build), if pacing.owed(dirty) && ready => {
                dirty = false;
                pacing.begin();
                let t0 = std::time::Instant::now();
                let mut inventory = source.inventory();
                let inventory_ms = t0.elapsed().as_millis();
                if let Some(aws) = &mut aws {
                    aws.want(EnrichRequest::from_inventory(&inventory));
                    if let Some(shown) = &aws.shown {
                        shown.clone().merge_into(&mut inventory);
                    }
                }
                // What the watchers freed since the last rebuild (LIST pages, replaced pods).
                give_back_freed_memory();
                let prepared = tokio::task::spawn_blocking(move || {
                    let now = now_flag.unwrap_or_else(Timestamp::now);
                    let t1 = std::time::Instant::now();
                    let dataset = Dataset::analyse(inventory, now, Timestamp::now());
                    let analyse_ms = t1.elapsed().as_millis();
                    let t2 = std::time::Instant::now();
                    let prepared = Prepared::new(dataset);
                    tracing::info!(
                        inventory_ms,
                        analyse_ms,
                        rows_ms = t2.elapsed().as_millis(),
                        pods = prepared.dataset.inventory.pods.len(),
                        "dataset sent"
                    );
                    prepared
                })
                .await;
                pacing.finished(t0.elapsed());
                // And the analysis' temporaries.
                give_back_freed_memory();
                let event = match prepared {
                    Ok(p) => SourceEvent::Prepared(Box::new(p)),
                    Err(e) => SourceEvent::Failed { message: format!("the analysis crashed: {e}") },
                };
                if tx.send(event).is_err() {
                    return;
                }
            }
        }
    }
}
