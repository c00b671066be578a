#!/usr/bin/env bash
# TPC-DS index-advisor benchmark (issue 3: a workload the advisor was not tuned for): ours (greedy,
# exact) against the two baselines of the TPC-H benchmark, at budgets that are shares of the database's
# size, costed by PostgreSQL 15's planner through HypoPG.
#
#   bash bench/indexes/run_tpcds.sh [--sf 1] [--budgets 1%,2%,5%,10%] [--skip-exact]
#                                   [--exact-time-limit 120] [--connections N]
#
# - Installs duckdb and duckdb-extension-tpcds (matching versions, from PyPI) into .venv when missing;
#   benchmark-only, not part of the project's extras. The extension is loaded from the installed
#   package's file: nothing is downloaded at run time.
# - Starts a PostgreSQL 15 (+HypoPG) on a free loopback port with shared_buffers = 2GB and
#   work_mem = 64MB, its cluster kept in bench/indexes/data/pg15-tpcds (gitignored, apart from the
#   TPC-H one so both can run at once); stopped on exit. With DBARCH_BENCH_PG_URL set, that server is
#   used instead.
# - Runs bench/indexes/tpcds.py: generates TPC-DS with DuckDB's dsdgen into
#   bench/indexes/data/tpcds-sfSF (PostgreSQL DDL, CSV, the 99 queries), loads it into the database
#   dbarch_bench_tpcds_sfSF once per SF, and prints the figures to stdout and to
#   bench/indexes/results/<timestamp>-tpcds-sfSF.md. Nothing but hypothetical indexes is created.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

VENV=.venv
PG_BIN=/usr/lib/postgresql/15/bin
WAIT_SECONDS=${DBARCH_BENCH_WAIT_SECONDS:-120}
IS_CI=true # a benchmark without its server has nothing to measure: fail rather than warn
PG_CLUSTER_DIR="$PWD/bench/indexes/data/pg15-tpcds"
PG_STOP_MODE=fast
PG_EXTRA_CONF="# dbarchitect index benchmark (issue 3)
shared_buffers = 2GB
work_mem = 64MB
max_wal_size = 8GB
checkpoint_timeout = 30min"
# duckdb-extension-tpcds ships the extension built for one duckdb version: keep the two equal.
DUCKDB_VERSION=1.5.5

# shellcheck source=scripts/engines.sh
source scripts/engines.sh

engines_cleanup_on_exit

[[ -x "$VENV/bin/python" ]] || die "no $VENV: run 'bash scripts/test.sh' once (it creates it with the test extra)"

if ! "$VENV/bin/python" -c "
import duckdb, duckdb_extension_tpcds, sys
sys.exit(duckdb.__version__ != '$DUCKDB_VERSION')" 2>/dev/null; then
    say "installing duckdb==$DUCKDB_VERSION and duckdb-extension-tpcds==$DUCKDB_VERSION into $VENV (benchmark only)"
    "$VENV/bin/python" -m pip install --quiet "duckdb==$DUCKDB_VERSION" \
        "duckdb-extension-tpcds==$DUCKDB_VERSION" || die "pip could not install DuckDB's TPC-DS extension"
fi

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

"$VENV/bin/python" bench/indexes/tpcds.py --server "$SERVER_URL" --started "$STARTED" "$@"
