#!/usr/bin/env bash
# Operations benchmark (issue 16): `dbarch drill` on every example with an availability goal, each
# measured figure against its goal and the design's estimate, with the baselines measured in the same
# run (the default work_mem's temporary files; a WAL estimate of row bytes alone).
#
#   bash bench/operations/run.sh [--examples shop,saas] [--target-mb 150] [--kills 5] [--async-kills 1] [--rate 100]
#
# Installs the Debian packages the drills need (patroni, etcd-server, pgbackrest, pgbouncer,
# mariadb-backup) when missing; servers run on loopback in a temporary directory and are stopped.
set -euo pipefail
cd "$(dirname "$0")/../.."
VENV=.venv
# shellcheck source=scripts/engines.sh
source scripts/engines.sh
install_operations_tools
exec "$VENV/bin/python" bench/operations/bench.py "$@"
