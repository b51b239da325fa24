//! The live source as a process, for measurements (`scripts/kube-bench.sh`):
//! `kube_bench KUBECONFIG WATCH_SECONDS` connects like the binary does, waits for the first
//! complete inventory, analyses it and derives the UI's rows exactly as the live UI's feeder
//! does (`Dataset::analyse`, `Prepared::new`), keeps watching for WATCH_SECONDS, and prints the
//! wall time (Unix ms) of each step.

use irsa_core::dataset::Dataset;
use irsa_inspector::messages::Prepared;
use irsa_inspector::sources::kube::{CHANNEL_CAPACITY, ConnectOptions, KubeSource, connect};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Counts live heap bytes, to tell data from allocator overhead in the RSS figures.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
/// The most live heap bytes since the last [`peak_kb`] call.
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
        PEAK.fetch_max(live, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

fn heap_kb() -> usize {
    LIVE.load(Ordering::Relaxed) / 1024
}

/// The highest live heap since the previous call (so each step reports its own peak), KB.
fn peak_kb() -> usize {
    PEAK.swap(LIVE.load(Ordering::Relaxed), Ordering::Relaxed) / 1024
}

/// This process's resident set now, KB (Linux).
fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

fn unix_ms() -> u128 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let kubeconfig = std::env::args()
        .nth(1)
        .expect("usage: kube_bench KUBECONFIG SECONDS");
    let watch_for: u64 = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(30);
    let started = Instant::now();
    let connection = connect(&ConnectOptions {
        kubeconfig: Some(kubeconfig.into()),
        ..ConnectOptions::default()
    })
    .await
    .expect("connect");
    let (tx, mut rx) = tokio::sync::mpsc::channel(CHANNEL_CAPACITY);
    let source = KubeSource::start(connection, tx);
    while !source.is_settled() {
        rx.recv().await.expect("source running");
    }
    let (synced_rss, synced_heap, synced_peak) = (rss_kb(), heap_kb(), peak_kb());
    let settled_ms = unix_ms();
    let inventory = source.inventory();
    let inventory_ms = unix_ms();
    println!(
        "rss_kb_synced={synced_rss} heap_kb_synced={synced_heap} heap_kb_peak_listing={synced_peak} \
         rss_kb_with_inventory={} heap_kb_with_inventory={}",
        rss_kb(),
        heap_kb()
    );
    println!(
        "settled_ms={settled_ms} inventory_build_ms={}",
        inventory_ms - settled_ms
    );
    println!(
        "inventory_ready_ms={inventory_ms} since_start_ms={} service_accounts={} pods={} nodes={}",
        started.elapsed().as_millis(),
        inventory.service_accounts.len(),
        inventory.pods.len(),
        inventory.nodes.len()
    );
    let t = Instant::now();
    let now = jiff::Timestamp::now();
    let dataset = Dataset::analyse(inventory, now, now);
    let audit_ms = t.elapsed().as_millis();
    let (rss_analysed, heap_analysed, analysis_peak) = (rss_kb(), heap_kb(), peak_kb());
    let t = Instant::now();
    let prepared = Prepared::new(dataset);
    let rows_peak = peak_kb();
    println!(
        "audit_ms={audit_ms} rows_ms={} findings={} table_ready_ms={}",
        t.elapsed().as_millis(),
        prepared.dataset.report.findings.len(),
        unix_ms()
    );
    println!(
        "rss_kb_with_audit={rss_analysed} heap_kb_with_audit={heap_analysed} \
         heap_kb_peak_analysing={analysis_peak} rss_kb_with_rows={} heap_kb_with_rows={} \
         heap_kb_peak_deriving_rows={rows_peak}",
        rss_kb(),
        heap_kb()
    );
    drop(prepared);
    let until = tokio::time::Instant::now() + Duration::from_secs(watch_for);
    let mut events = 0usize;
    while let Ok(Some(_)) = tokio::time::timeout_at(until, rx.recv()).await {
        events += 1;
    }
    println!(
        "watched_s={watch_for} events={events} rss_kb_end={} statuses={:?}",
        rss_kb(),
        source.statuses()
    );
}
