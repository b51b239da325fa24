#!/usr/bin/env bash
# Soak: the real binary (release, terminal UI in tmux) against the stand-in API server with
# steady pod churn, recording the binary's RSS every 10 s. Memory should stay flat.
#
#   scripts/soak.sh [SAS PODS NODES EVENTS_PER_SECOND SECONDS]   (default 500 5000 50 100 600)
#
# Prints one line per sample: seconds, RSS in KB, and the server's event/LIST/WATCH counters;
# at the end, the binary's peak RSS over the whole run (/usr/bin/time -v).
# SOAK_ENV="NAME=value …" is put in the binary's environment (e.g. MALLOC_ARENA_MAX=1).
set -euo pipefail
SAS=${1:-500} PODS=${2:-5000} NODES=${3:-50} RATE=${4:-100} SECONDS_TOTAL=${5:-600}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
command -v tmux > /dev/null || { echo "tmux is required" >&2; exit 1; }
cargo build --release --quiet --example kube_soak --bin irsa-inspector
BIN="$CARGO_TARGET_DIR/release"
WORK=$(mktemp -d)
SESSION="irsa-soak-$$"
cleanup() {
    tmux kill-session -t "$SESSION" 2> /dev/null || true
    kill "$SERVER" 2> /dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT

"$BIN/examples/kube_soak" "$SAS" "$PODS" "$NODES" "$RATE" "$WORK/kubeconfig" > "$WORK/server.log" &
SERVER=$!
until grep -q '^ready' "$WORK/server.log"; do sleep 0.2; done

tmux new-session -d -s "$SESSION" -x 160 -y 45 \
    "HOME=/nonexistent KUBECONFIG= IRSA_INSPECTOR_LOG_DIR='$WORK/logs' ${SOAK_ENV:-} \
     /usr/bin/time -v -o '$WORK/time.log' '$BIN/irsa-inspector' --kubeconfig '$WORK/kubeconfig'; \
     sleep 600"
sleep 2
APP_PID=$(pgrep -n -f "^$BIN/irsa-inspector --kubeconfig $WORK/kubeconfig")
echo "seconds rss_kb server"
END=$(( $(date +%s) + SECONDS_TOTAL ))
START=$(date +%s)
while [ "$(date +%s)" -lt "$END" ]; do
    RSS=$(awk '/VmRSS/ {print $2}' "/proc/$APP_PID/status")
    echo "$(( $(date +%s) - START )) $RSS $(grep '^t=' "$WORK/server.log" | tail -1)"
    sleep 10
done
tmux capture-pane -p -t "$SESSION" | head -3
tmux send-keys -t "$SESSION" q
until grep -q 'Maximum resident' "$WORK/time.log" 2> /dev/null; do sleep 0.2; done
echo "binary peak RSS: $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.log") KB"
