#!/usr/bin/env bash
# Runs every cargo-fuzz target for SECONDS each (default 600) and prints, per target, the
# executions and whether a crash was found.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]      e.g. scripts/fuzz.sh 60 jwt policy
#
# Targets (fuzz/fuzz_targets/): policy (trust-policy parser + evaluator), jwt (token decoder),
# snapshot (snapshot loader + audit + reports), webhook (pod-identity-webhook predictor),
# permission (permission evaluator: identity, boundary and resource policies, ARNs, variables),
# triage (`explain error`: the AWS error-text reader and the triage on the demo lab),
# snapshot_stream (load_dir's streaming kubernetes.json reader against the whole-text parse).
# Seeds are fuzz/corpus/<target>/ (read only); inputs found while fuzzing go to a scratch
# corpus under the target dir, crashes to fuzz/artifacts/<target>/ (minimise one with
# `cargo fuzz tmin <target> <file>`, then add it as a regular test; see SECURITY.md).
#
# Toolchain: cargo-fuzz needs nightly-only rustc flags (-Zsanitizer, coverage options). The
# project's toolchain is stable, so this script sets RUSTC_BOOTSTRAP=1, which lets a stable
# rustc accept them. Install the tool once with `cargo install cargo-fuzz --locked`.
# Builds go to $CARGO_TARGET_DIR/fuzz (default target/fuzz), never to the main build's dirs.
set -euo pipefail

SECONDS_PER_TARGET="${1:-600}"
shift || true
TARGETS=("$@")
if [ "${#TARGETS[@]}" -eq 0 ]; then
  TARGETS=(policy jwt snapshot webhook permission triage snapshot_stream)
fi

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT/fuzz"
export RUSTC_BOOTSTRAP=1
BASE_TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
FUZZ_TARGET_DIR="$BASE_TARGET_DIR/fuzz"
unset CARGO_TARGET_DIR

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "cargo-fuzz is not installed: cargo install cargo-fuzz --locked" >&2
  exit 2
fi

status=0
summary=()
for target in "${TARGETS[@]}"; do
  work="$FUZZ_TARGET_DIR/corpus/$target"
  log="$FUZZ_TARGET_DIR/logs/$target.log"
  mkdir -p "$work" "$(dirname "$log")" "artifacts/$target"
  echo "== $target: building" >&2
  cargo fuzz build --target-dir "$FUZZ_TARGET_DIR" "$target" >&2
  echo "== $target: fuzzing for ${SECONDS_PER_TARGET}s (log: $log)" >&2
  set +e
  cargo fuzz run --target-dir "$FUZZ_TARGET_DIR" "$target" "$work" "corpus/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -print_final_stats=1 -rss_limit_mb=4096 \
    -timeout=30 >"$log" 2>&1
  rc=$?
  set -e
  execs="$( (grep -E '^stat::number_of_executed_units:' "$log" || true) | awk '{print $2}' | tail -n 1)"
  rate="$( (grep -E '^stat::average_exec_per_sec:' "$log" || true) | awk '{print $2}' | tail -n 1)"
  cov="$( (grep -Eo 'cov: [0-9]+' "$log" || true) | tail -n 1 | awk '{print $2}')"
  crashes="$( (grep -Eo 'Test unit written to [^ ]+' "$log" || true) | awk '{print $5}' | tr '\n' ' ')"
  if [ "$rc" -ne 0 ] || [ -n "$crashes" ]; then
    status=1
    summary+=("$(printf '%-9s %6ss  execs=%-12s exec/s=%-8s cov=%-6s CRASH %s' \
      "$target" "$SECONDS_PER_TARGET" "${execs:-?}" "${rate:-?}" "${cov:-?}" "${crashes:-(see $log)}")")
  else
    summary+=("$(printf '%-9s %6ss  execs=%-12s exec/s=%-8s cov=%-6s no crash' \
      "$target" "$SECONDS_PER_TARGET" "${execs:-?}" "${rate:-?}" "${cov:-?}")")
  fi
done

echo "target    seconds   executions / rate / coverage / result"
printf '%s\n' "${summary[@]}"
exit "$status"
