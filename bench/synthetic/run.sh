#!/usr/bin/env bash
# Synthetic-data benchmark (issue 5, section 3): rows/minute of dbarchitect's synthetic data into a
# throwaway PostgreSQL 15 (target: 1,000,000 rows/minute), against a plain-INSERT baseline of the same
# rows in the same run, and measured p95 latency against the estimate per workload statement.
#
#   bash bench/synthetic/run.sh [--brief examples/shop/brief.yaml] [--rows 1000000] [--seconds 2] [--seed 0]
#
# - Starts a throwaway PostgreSQL 15 on a free loopback port (scripts/engines.sh; its data lives in a
#   temporary directory removed on exit). With DBARCH_BENCH_PG_URL set, that server is used instead.
# - Runs bench/synthetic/bench.py: the figures go to stdout and to bench/synthetic/results/<timestamp>.md.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

VENV=.venv
PG_BIN=/usr/lib/postgresql/15/bin
WAIT_SECONDS=${DBARCH_BENCH_WAIT_SECONDS:-120}
IS_CI=true # a benchmark without its server has nothing to measure: fail rather than warn
PG_STOP_MODE=fast
PG_EXTRA_CONF="# dbarchitect synthetic-data benchmark (issue 5)
shared_buffers = 512MB
max_wal_size = 4GB
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

"$VENV/bin/python" bench/synthetic/bench.py --server "$SERVER_URL" --started "$STARTED" "$@"
