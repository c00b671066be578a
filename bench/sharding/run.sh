#!/usr/bin/env bash
# Sharding benchmark (issue 6): TPC-C distributed transactions under the advised keys against
# hash-by-primary-key and the other baselines, computed and counted on generated values in the same
# run. No server needed.
#
#   bash bench/sharding/run.sh [--executions 100000] [--seed 0] [--shards 8,32,128] [--skip-exhaustive]
set -euo pipefail
cd "$(dirname "$0")/../.."
exec .venv/bin/python bench/sharding/bench.py "$@"
