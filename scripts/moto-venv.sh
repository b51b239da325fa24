#!/usr/bin/env bash
# Creates (once) the Python venv with moto_server that the AWS integration tests use (and
# duckdb, for tests/fleet_queries.rs):
# $IRSA_MOTO_VENV, default ~/.cache/irsa-inspector/moto-venv (outside the clone, shared by
# worktrees and CI runs). The test harness (tests/support/moto.rs) does the same on first use;
# this script lets CI or a newcomer provision it up front. Needs python3 with venv and PyPI.
set -euo pipefail
MOTO_VERSION=5.2.5   # keep in step with tests/support/moto.rs
DUCKDB_VERSION=1.4.4 # keep in step with tests/support/duckdb.rs (tests/fleet_queries.rs)
VENV="${IRSA_MOTO_VENV:-$HOME/.cache/irsa-inspector/moto-venv}"
mkdir -p "$(dirname "$VENV")"
exec 9>"$(dirname "$VENV")/moto-venv.lock"
flock 9
if [ ! -e "$VENV/.moto-ready" ]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
  touch "$VENV/.moto-ready"
fi
if [ ! -e "$VENV/.duckdb-$DUCKDB_VERSION-ready" ]; then
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "duckdb==$DUCKDB_VERSION"
  touch "$VENV/.duckdb-$DUCKDB_VERSION-ready"
fi
echo "moto $("$VENV/bin/python" -c 'import moto; print(moto.__version__)'), duckdb $("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)') in $VENV"
