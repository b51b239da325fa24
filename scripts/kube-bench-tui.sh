#!/usr/bin/env bash
# Measures the real binary (release `irsa-inspector`, terminal UI in tmux) against the stand-in
# API server holding a large cluster (default 5,000 ServiceAccounts, 50,000 real-sized pods,
# 200 nodes), as a user sees it:
#   - first table: wall time from the server's last LIST page to the first screen (tmux
#     capture-pane, polled every ~20 ms) whose tab line shows every pod ("Pods 50000");
#   - the feeder's own log line for that dataset (inventory / analysis / rows timings);
#   - peak RSS of the binary (/usr/bin/time -v) and its RSS after STEADY seconds;
#   - LIST/WATCH requests seen by the server after the initial sync.
#
#   scripts/kube-bench-tui.sh [SAS PODS NODES STEADY_SECONDS]
# BENCH_ENV="NAME=value …" is put in the binary's environment (e.g. MALLOC_ARENA_MAX=2).
set -euo pipefail
SAS=${1:-5000} PODS=${2:-50000} NODES=${3:-200} STEADY=${4:-30}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
command -v tmux > /dev/null || { echo "tmux is required" >&2; exit 1; }
cargo build --release --quiet --example kube_standin --bin irsa-inspector
BIN="$CARGO_TARGET_DIR/release"
WORK=$(mktemp -d)
SESSION="irsa-bench-$$"
cleanup() {
    tmux kill-session -t "$SESSION" 2> /dev/null || true
    kill "$SERVER" 2> /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
now_ms() { date +%s%3N; }

"$BIN/examples/kube_standin" "$SAS" "$PODS" "$NODES" "$WORK/kubeconfig" > "$WORK/server.log" &
SERVER=$!
until grep -q '^ready' "$WORK/server.log"; do sleep 0.2; done
grep '^ready' "$WORK/server.log"

# The binary runs under /usr/bin/time inside tmux; `q` quits it after the steady period.
tmux new-session -d -s "$SESSION" -x 160 -y 45 \
    "HOME=/nonexistent KUBECONFIG= IRSA_INSPECTOR_LOG_DIR='$WORK/logs' RUST_LOG=info ${BENCH_ENV:-} \
     /usr/bin/time -v -o '$WORK/time.log' '$BIN/irsa-inspector' --kubeconfig '$WORK/kubeconfig'; \
     echo EXIT=\$?; sleep 600"
START=$(now_ms)
SHOWN=""
while [ -z "$SHOWN" ]; do
    if tmux capture-pane -p -t "$SESSION" | grep -q "Pods $PODS "; then SHOWN=$(now_ms); fi
    [ $(( $(now_ms) - START )) -lt 120000 ] || { echo "no complete table within 120 s" >&2; exit 1; }
    sleep 0.02
done
APP_PID=$(pgrep -n -f "^$BIN/irsa-inspector --kubeconfig $WORK/kubeconfig" || true)
sleep 1.5   # one more counter line from the server
LAST=$(grep '^counts' "$WORK/server.log" | tail -1 | tr ' ' '\n' \
    | sed -n 's/^last_page_ms_[a-z]*=//p' | sort -n | tail -1)
SYNC_COUNTS=$(grep '^counts' "$WORK/server.log" | tail -1)
echo "first complete table on screen: $((SHOWN - LAST)) ms after the last LIST page (${SHOWN} - ${LAST})"
grep -h "dataset sent" "$WORK"/logs/*.log* 2> /dev/null | head -3 || true

sleep "$STEADY"
STEADY_RSS=$(awk '/VmRSS/ {print $2}' "/proc/$APP_PID/status" 2> /dev/null || echo "?")
END_COUNTS=$(grep '^counts' "$WORK/server.log" | tail -1)
tmux send-keys -t "$SESSION" q
until grep -q 'Maximum resident' "$WORK/time.log" 2> /dev/null; do sleep 0.2; done
echo "at first table: $SYNC_COUNTS"
echo "after ${STEADY} s:    $END_COUNTS"
echo "binary RSS after ${STEADY} s: ${STEADY_RSS} KB"
echo "binary peak RSS: $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.log") KB"
