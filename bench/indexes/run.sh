#!/usr/bin/env bash
# TPC-H index-advisor benchmark (issue 3): ours (greedy, exact) against two baselines and the
# published figures, at several storage budgets, costed by PostgreSQL 15's planner through HypoPG.
#
#   bash bench/indexes/run.sh [--sf 1] [--budgets 250MB,500MB,1GB,2GB] [--skip-real]
#                             [--exact-time-limit 120] [--real-timeout 60]
#
# - Starts a PostgreSQL 15 (+HypoPG) on a free loopback port with shared_buffers = 2GB and
#   work_mem = 64MB. Its cluster is kept in bench/indexes/data/pg15 (gitignored) so the loaded data
#   survives between runs; the server is stopped on exit. With DBARCH_BENCH_PG_URL set, that server is
#   used instead (its own settings are printed with the figures; nothing is started).
# - Generates TPC-H with `.venv/bin/tpchgen-cli csv -s SF` into bench/indexes/data/tpch-sfSF and loads it
#   into the database dbarch_bench_tpch_sfSF (primary keys only, then VACUUM ANALYZE), once per SF.
# - Runs bench/indexes/tpch.py: the figures go to stdout and to bench/indexes/results/<timestamp>.md.
# The real-effect step builds indexes for real, only in that benchmark database, and drops them after.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

VENV=.venv
PG_BIN=/usr/lib/postgresql/15/bin
WAIT_SECONDS=${DBARCH_BENCH_WAIT_SECONDS:-120}
IS_CI=true # a benchmark without its server has nothing to measure: fail rather than warn
PG_CLUSTER_DIR="$PWD/bench/indexes/data/pg15"
PG_STOP_MODE=fast
PG_EXTRA_CONF="# dbarchitect index benchmark (issue 3)
shared_buffers = 2GB
work_mem = 64MB
max_wal_size = 8GB
checkpoint_timeout = 30min"

# shellcheck source=scripts/engines.sh
source scripts/engines.sh

engines_cleanup_on_exit

[[ -x "$VENV/bin/python" ]] || die "no $VENV: run 'bash scripts/test.sh' once (it creates it with the test extra)"
[[ -x "$VENV/bin/tpchgen-cli" ]] || die "no $VENV/bin/tpchgen-cli: pip install -e '.[test]'"

if [[ -n "${DBARCH_BENCH_PG_URL:-}" ]]; then
    say "PostgreSQL: using DBARCH_BENCH_PG_URL from the environment"
    SERVER_URL="$DBARCH_BENCH_PG_URL"
    STARTED=no
else
    mkdir -p "$(dirname "$PG_CLUSTER_DIR")"
    start_postgres
    SERVER_URL="$PG_URL"
    STARTED=yes
    say "PostgreSQL 15 (benchmark, cluster kept in ${PG_CLUSTER_DIR#"$PWD"/}) at $SERVER_URL"
fi

"$VENV/bin/python" bench/indexes/tpch.py --server "$SERVER_URL" --started "$STARTED" "$@"
