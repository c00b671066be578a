#!/usr/bin/env bash
# Migration benchmark (issue 4): naive single-statement DDL against dbarchitect's plan, under a steady
# stream of single-row writes, on a PostgreSQL 15 table of --rows rows (default 5,000,000).
#
#   bash bench/migrations/run.sh [--rows 5000000] [--parents 100000] [--settle 1] [--only add-index,...]
#
# - Starts a throwaway PostgreSQL 15 on a free loopback port (scripts/engines.sh; its data lives in a
#   temporary directory removed on exit). With DBARCH_BENCH_PG_URL set, that server is used instead.
# - Runs bench/migrations/bench.py: per change a fresh copy of the loaded database (CREATE DATABASE ...
#   TEMPLATE), the naive statement, then another fresh copy and the plan, each under load.
# - The table goes to stdout and to bench/migrations/results/<timestamp>.md; exit 1 if a planned change
#   failed, stalled writes for 1 s or more, or lost or changed a row.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

VENV=.venv
PG_BIN=/usr/lib/postgresql/15/bin
WAIT_SECONDS=${DBARCH_BENCH_WAIT_SECONDS:-120}
IS_CI=true # a benchmark without its server has nothing to measure: fail rather than warn
PG_STOP_MODE=fast
PG_EXTRA_CONF="# dbarchitect migration benchmark (issue 4)
shared_buffers = 1GB
max_wal_size = 8GB
checkpoint_timeout = 30min"

# shellcheck source=scripts/engines.sh
source scripts/engines.sh

engines_cleanup_on_exit

[[ -x "$VENV/bin/python" ]] || die "no $VENV: run 'bash scripts/test.sh' once (it creates it with the test extra)"

if [[ -n "${DBARCH_BENCH_PG_URL:-}" ]]; then
    say "PostgreSQL: using DBARCH_BENCH_PG_URL from the environment"
    SERVER_URL="$DBARCH_BENCH_PG_URL"
    STARTED=no
else
    start_postgres
    SERVER_URL="$PG_URL"
    STARTED=yes
    say "PostgreSQL 15 (throwaway) at $SERVER_URL"
fi

"$VENV/bin/python" bench/migrations/bench.py --server "$SERVER_URL" --started "$STARTED" "$@"
