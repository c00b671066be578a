#!/usr/bin/env bash
# Scale benchmark (issue 14): inspect/design/check/indexes on generated briefs of 25 to 1,000 tables,
# CPU and peak memory against a baseline commit in the same run, and the fitted growth exponent.
#
#   bash bench/scale/run.sh [--baseline COMMIT] [--sizes 25,100,400,1000] [--commands design]
#                           [--timeout 1800] [--skip-baseline] [--examples]
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x .venv/bin/python ]] || { echo "no .venv: run 'bash scripts/test.sh' once" >&2; exit 1; }
exec .venv/bin/python bench/scale/bench.py "$@"
