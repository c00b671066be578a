#!/usr/bin/env bash
# Start-up benchmark (issue 17): `dbarch --help`, `dbarch rules list` and the MCP server's
# `initialize`, CPU and import time against a baseline commit in the same run (no server needed).
#
#   bash bench/startup/run.sh [--baseline bbd04c3] [--runs 7] [--skip-mcp]
set -euo pipefail
cd "$(dirname "$0")/../.."
[[ -x .venv/bin/python ]] || { echo "no .venv: run 'bash scripts/test.sh' once" >&2; exit 1; }
exec .venv/bin/python bench/startup/bench.py "$@"
