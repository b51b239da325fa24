#!/usr/bin/env bash
# Measures `audit --all-contexts --format ndjson` over a fleet of stand-in API servers:
# CLUSTERS servers (default 20) of PODS pods each (default 2,000; SAS ServiceAccounts, NODES
# nodes), one kubeconfig with a context per server. Reports wall time and peak RSS of the audit
# (/usr/bin/time -v), the worker count, the records and bytes written, and LIST requests served.
#
#   scripts/fleet-bench.sh [CLUSTERS PODS SAS NODES JOBS]
set -euo pipefail
CLUSTERS=${1:-20} PODS=${2:-2000} SAS=${3:-200} NODES=${4:-20} JOBS=${5:-4}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
cargo build --release --quiet --example kube_standin
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release"
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

for i in $(seq 1 "$CLUSTERS"); do
  "$BIN/examples/kube_standin" "$SAS" "$PODS" "$NODES" "$WORK/kc-$i" > "$WORK/server-$i.log" &
  PIDS+=($!)
done
for i in $(seq 1 "$CLUSTERS"); do
  until grep -q '^ready' "$WORK/server-$i.log"; do sleep 0.2; done
done

# One kubeconfig, one context per server (the stand-in accepts any bearer token).
{
  echo "apiVersion: v1"; echo "kind: Config"; echo "current-context: fleet-1"; echo "clusters:"
  for i in $(seq 1 "$CLUSTERS"); do
    url=$(sed -n 's/^ready url=\([^ ]*\).*/\1/p' "$WORK/server-$i.log")
    printf -- "- name: fleet-%s\n  cluster:\n    server: %s\n" "$i" "$url"
  done
  echo "users:"
  for i in $(seq 1 "$CLUSTERS"); do
    printf -- "- name: fleet-%s\n  user:\n    token: bench\n" "$i"
  done
  echo "contexts:"
  for i in $(seq 1 "$CLUSTERS"); do
    printf -- "- name: fleet-%s\n  context:\n    cluster: fleet-%s\n    user: fleet-%s\n" "$i" "$i" "$i"
  done
} > "$WORK/kubeconfig"

/usr/bin/time -v "$BIN/irsa-inspector" --kubeconfig "$WORK/kubeconfig" audit --all-contexts \
  --format ndjson --jobs "$JOBS" -o "$WORK/fleet.ndjson" 2> "$WORK/time.log" || {
  cat "$WORK/time.log"; exit 1; }
sleep 1.5   # one more counter line from each server
LISTS=0
for i in $(seq 1 "$CLUSTERS"); do
  line=$(grep '^counts' "$WORK/server-$i.log" | tail -1)
  for k in lists_sa lists_pods lists_nodes; do
    LISTS=$((LISTS + $(echo "$line" | tr ' ' '\n' | sed -n "s/^$k=//p")))
  done
done
echo "clusters: $CLUSTERS x $PODS pods ($SAS ServiceAccounts, $NODES nodes), jobs: $JOBS"
echo "wall: $(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.log")"
echo "peak RSS: $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.log") KB"
echo "records: $(wc -l < "$WORK/fleet.ndjson") ($(grep -c '"record":"finding"' "$WORK/fleet.ndjson") findings, $(grep -c '"record":"binding"' "$WORK/fleet.ndjson") bindings), bytes: $(wc -c < "$WORK/fleet.ndjson")"
echo "contexts in the output: $(grep -o '"context":"fleet-[0-9]*"' "$WORK/fleet.ndjson" | sort -u | wc -l)"
echo "LIST requests served (pages of 500): $LISTS"
