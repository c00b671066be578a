#!/usr/bin/env bash
# Latency calibration (issue 5): fit the latency model of PostgreSQL, MariaDB and SQLite on the
# micro-workload (dbarch calibrate), then verify the five examples with it (held out) and report the
# measured/estimated ratio distributions.
#
#   bash bench/calibration/run.sh [bench.py options: --engines postgresql,sqlite --scale 1 --shipped ...]
#
# Servers: DBARCH_BENCH_PG_URL and DBARCH_BENCH_MARIADB_URL when set (the shipped constants come from the
# system PostgreSQL 15 and MariaDB 10.11 of the project's test machine, default settings); otherwise
# throwaway servers on free loopback ports (scripts/engines.sh), removed on exit.
set -uo pipefail

cd "$(dirname "$0")/../.." || exit 1

VENV=.venv
PG_BIN=/usr/lib/postgresql/15/bin
WAIT_SECONDS=${DBARCH_BENCH_WAIT_SECONDS:-120}
IS_CI=true # a benchmark without its server has nothing to measure: fail rather than warn
PG_STOP_MODE=fast

# shellcheck source=scripts/engines.sh
source scripts/engines.sh

engines_cleanup_on_exit

[[ -x "$VENV/bin/python" ]] || die "no $VENV: run 'bash scripts/test.sh' once (it creates it with the test extra)"

if [[ -n "${DBARCH_BENCH_PG_URL:-}" ]]; then
    PG="$DBARCH_BENCH_PG_URL"
else
    start_postgres
    PG="$PG_URL"
fi
if [[ -n "${DBARCH_BENCH_MARIADB_URL:-}" ]]; then
    MARIADB="$DBARCH_BENCH_MARIADB_URL"
else
    start_mariadb
    MARIADB="$MARIADB_URL"
fi

"$VENV/bin/python" bench/calibration/bench.py --pg "$PG" --mariadb "$MARIADB" "$@"
