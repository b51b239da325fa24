#!/usr/bin/env bash
# Measures the live Kubernetes source against the stand-in API server holding a large cluster
# (default 5,000 ServiceAccounts, 50,000 real-sized pods, 200 nodes).
# Reports: time from the server's last LIST page to the first complete inventory and to the
# analysed dataset with the UI's rows derived (what the live UI's feeder does), the process's
# peak RSS (/usr/bin/time -v), and LIST/WATCH requests after the initial sync (pages count as
# LIST requests; 500 objects per page). The terminal UI as a whole: scripts/kube-bench-tui.sh.
#
#   scripts/kube-bench.sh [SAS PODS NODES WATCH_SECONDS]
set -euo pipefail
SAS=${1:-5000} PODS=${2:-50000} NODES=${3:-200} WATCH=${4:-30}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --example kube_standin --example kube_bench
BIN="$CARGO_TARGET_DIR/release/examples"
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN/kube_standin" "$SAS" "$PODS" "$NODES" "$WORK/kubeconfig" > "$WORK/server.log" &
SERVER=$!
until grep -q '^ready' "$WORK/server.log"; do sleep 0.2; done
grep '^ready' "$WORK/server.log"
SERVER_RSS=$(awk '/VmRSS/ {print $2}' "/proc/$SERVER/status")

/usr/bin/time -v "$BIN/kube_bench" "$WORK/kubeconfig" "$WATCH" > "$WORK/bench.log" 2> "$WORK/time.log"
cat "$WORK/bench.log"
sleep 1.5   # one more counter line from the server
COUNTS=$(grep '^counts' "$WORK/server.log" | tail -1)
echo "$COUNTS"

READY=$(sed -n 's/.*inventory_ready_ms=\([0-9]*\).*/\1/p' "$WORK/bench.log")
LAST=$(echo "$COUNTS" | tr ' ' '\n' | sed -n 's/^last_page_ms_[a-z]*=//p' | sort -n | tail -1)
TABLE=$(sed -n 's/.*table_ready_ms=\([0-9]*\).*/\1/p' "$WORK/bench.log")
echo "last list page -> complete inventory: $((READY - LAST)) ms"
echo "last list page -> analysed, rows derived: $((TABLE - LAST)) ms"
echo "source peak RSS: $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.log") KB"
echo "(stand-in server RSS, for scale: ${SERVER_RSS} KB)"
