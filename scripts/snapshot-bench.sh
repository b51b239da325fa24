#!/usr/bin/env bash
# Offline review at scale: saves a snapshot of the stand-in API server's large cluster (default
# 5,000 ServiceAccounts, 50,000 real-sized pods, 200 nodes) with `snapshot save`, then runs
# `audit --format json` twice under /usr/bin/time -v — live against the server, and on the
# saved folder — and reports each run's wall time and peak RSS, the snapshot's size, and
# whether both runs found the same findings (the reports minus `generated_at`).
#
#   scripts/snapshot-bench.sh [SAS PODS NODES]
set -euo pipefail
SAS=${1:-5000} PODS=${2:-50000} NODES=${3:-200}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --bin irsa-inspector --example kube_standin
BIN="$CARGO_TARGET_DIR/release"
WORK=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN/examples/kube_standin" "$SAS" "$PODS" "$NODES" "$WORK/kubeconfig" > "$WORK/server.log" &
SERVER=$!
until grep -q '^ready' "$WORK/server.log"; do sleep 0.2; done
grep '^ready' "$WORK/server.log"

"$BIN/irsa-inspector" --kubeconfig "$WORK/kubeconfig" snapshot save "$WORK/snap" > /dev/null
echo "snapshot: $(du -sh "$WORK/snap" | cut -f1) ($(stat -c %s "$WORK/snap/kubernetes.json") bytes kubernetes.json)"

run() { # name, args...
  local name=$1; shift
  /usr/bin/time -v "$BIN/irsa-inspector" "$@" audit --format json > "$WORK/$name.json" 2> "$WORK/$name.time" || true
  echo "$name: wall $(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/$name.time"), peak RSS $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/$name.time") KB"
}
run live --kubeconfig "$WORK/kubeconfig"
run snapshot --snapshot "$WORK/snap"
python3 - "$WORK/live.json" "$WORK/snapshot.json" <<'PY'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
for r in (a, b):
    r.pop("generated_at", None)
same = a["findings"] == b["findings"]
print(f"findings: live {len(a['findings'])}, snapshot {len(b['findings'])}, identical: {same}")
print(f"pods: live {len(a['pods'])}, snapshot {len(b['pods'])}")
PY
