#!/usr/bin/env bash
# The cost of one scheduled audit (what deploy/'s CronJob runs) of a large cluster: the
# stand-in API server holds SAS ServiceAccounts, PODS pods and NODES nodes (default 5,000 /
# 50,000 / 200); `audit --format ndjson --output s3://…` lists them and puts the report into a
# bucket of moto_server (the test venv's). Reports wall time and peak RSS (/usr/bin/time -v),
# Kubernetes requests served (LIST pages of 500), the object's key and size.
#
#   scripts/scheduled-audit-bench.sh [SAS PODS NODES]
set -euo pipefail
SAS=${1:-5000} PODS=${2:-50000} NODES=${3:-200}
cd "$(dirname "$0")/.."
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target}
./scripts/moto-venv.sh >/dev/null
VENV=${IRSA_MOTO_VENV:-$HOME/.cache/irsa-inspector/moto-venv}
cargo build --release --quiet --example kube_standin
cargo build --release --quiet
BIN="$CARGO_TARGET_DIR/release"
WORK=$(mktemp -d)
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null || true; rm -rf "$WORK"' EXIT

"$BIN/examples/kube_standin" "$SAS" "$PODS" "$NODES" "$WORK/kubeconfig" > "$WORK/server.log" &
PIDS+=($!)
PORT=$((20000 + RANDOM % 20000))
"$VENV/bin/python" -c "from moto.server import main; main(['-H', '127.0.0.1', '-p', '$PORT'])" \
  > "$WORK/moto.log" 2>&1 &
PIDS+=($!)
export AWS_ENDPOINT_URL="http://127.0.0.1:$PORT" AWS_ACCESS_KEY_ID=testing-access-key \
  AWS_SECRET_ACCESS_KEY=testing-secret-key AWS_REGION=eu-west-1
until grep -q '^ready' "$WORK/server.log"; do sleep 0.2; done
S3="import boto3; s3 = boto3.client('s3', endpoint_url='$AWS_ENDPOINT_URL')"
until "$VENV/bin/python" -c "$S3; s3.create_bucket(Bucket='irsa-audit', CreateBucketConfiguration={'LocationConstraint': 'eu-west-1'})" 2>/dev/null; do
  sleep 0.5
done

/usr/bin/time -v "$BIN/irsa-inspector" --kubeconfig "$WORK/kubeconfig" audit --format ndjson \
  -o s3://irsa-audit/irsa-inspector 2> "$WORK/time.log" || { cat "$WORK/time.log"; exit 1; }
sleep 1.5
COUNTS=$(grep '^counts' "$WORK/server.log" | tail -1)
echo "cluster: $SAS ServiceAccounts, $PODS pods, $NODES nodes"
echo "wall: $(awk -F': ' '/Elapsed \(wall clock\)/ {print $2}' "$WORK/time.log")"
echo "peak RSS: $(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.log") KB"
echo "kubernetes: $COUNTS"
"$VENV/bin/python" -c "$S3
for o in s3.list_objects_v2(Bucket='irsa-audit')['Contents']:
    body = s3.get_object(Bucket='irsa-audit', Key=o['Key'])['Body'].read()
    print('object:', o['Key'], o['Size'], 'bytes,', body.count(b'\n'), 'records')"
