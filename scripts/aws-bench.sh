#!/usr/bin/env bash
# Measures AWS enrichment of an account with many IRSA roles (default 2000) against moto_server:
# fast path vs per-role path, call counts and wall time. Provisions moto like the tests do.
# Usage: scripts/aws-bench.sh [ROLES]
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/moto-venv.sh
cargo run --quiet --example aws_bench -- "${1:-2000}"
