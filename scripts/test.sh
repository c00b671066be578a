#!/usr/bin/env bash
# Install what the tests need and run every check: ruff, mypy, the import-layer contract, pytest.
#
#   bash scripts/test.sh [pytest args...]      (from the repository root)
#
# - Creates or refreshes the virtualenv .venv with `pip install -e '.[test]'` (skipped when
#   pyproject.toml has not changed since the last successful install).
# - Installs missing Debian packages: postgresql-15, postgresql-15-hypopg, postgresql-15-partman,
#   mariadb-server, the drills' patroni, etcd-server, etcd-client, pgbackrest, pgbouncer and
#   mariadb-backup, and chromium
#   with chromium-driver for the HTML report's browser tests (screenshots in $DBARCH_ARTIFACTS, default
#   ./artifacts).
# - Starts THROWAWAY PostgreSQL 15 and MariaDB servers on free loopback ports, with their data, sockets
#   and logs in one temporary directory, and exports DBARCH_TEST_PG_URL / DBARCH_TEST_MARIADB_URL for
#   tests/conftest.py. When one of those variables is already set, that server is used and nothing is
#   started for it. The system servers (5432, 3306) are never touched.
# - Stops the servers and removes the temporary directory on exit, failure or Ctrl-C.
#
# Under CI=true an engine that cannot be installed or started fails the run; otherwise a warning is
# printed and the engine tests skip. The exit code is non-zero when any step failed.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

VENV=.venv
PG_BIN=/usr/lib/postgresql/15/bin
WAIT_SECONDS=${DBARCH_TEST_WAIT_SECONDS:-60}
IS_CI=false
[[ "${CI:-}" == "true" ]] && IS_CI=true

# shellcheck source=scripts/engines.sh
source scripts/engines.sh

engines_cleanup_on_exit

# --- virtualenv ----------------------------------------------------------------------------------
PYTHON=${PYTHON:-python3}
"$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
    || die "Python 3.11+ is required as '$PYTHON' (set PYTHON=/path/to/python3.11 to choose another)"

if ! "$VENV/bin/python" -c 'import sys' >/dev/null 2>&1; then
    if ! "$PYTHON" -c 'import ensurepip, venv' >/dev/null 2>&1; then
        apt_install_missing python3-venv || die "python3 has no venv module and python3-venv cannot be installed"
    fi
    say "creating virtualenv $VENV"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "could not create the virtualenv $VENV"
fi

STAMP="$VENV/.dbarch-test-install"
WANT_STAMP="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [[ "$(cat "$STAMP" 2>/dev/null)" != "$WANT_STAMP" ]] \
    || ! "$VENV/bin/python" -c 'import dbarchitect, pytest' >/dev/null 2>&1; then
    say "installing the project into $VENV (pip install -e '.[test]')"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e '.[test]' \
        || die "pip install -e '.[test]' failed"
    printf '%s\n' "$WANT_STAMP" >"$STAMP"
fi

# --- headless Chromium for the HTML report's browser tests (tests/report/test_browser.py) ---------
if ! apt_install_missing chromium chromium-driver; then
    if $IS_CI; then
        die "chromium and chromium-driver could not be installed (CI=true: the browser tests must run)"
    fi
    warn "chromium and chromium-driver could not be installed; the browser tests will be skipped"
fi
# --- the MCP Inspector's CLI, for tests/mcp/test_inspector.py (what agents' developers list tools with) ---
INSPECTOR_VERSION=0.15.0
INSPECTOR_DIR="$PWD/.cache/mcp-inspector"
export DBARCH_MCP_INSPECTOR="$INSPECTOR_DIR/node_modules/.bin/mcp-inspector"
if [[ ! -x "$DBARCH_MCP_INSPECTOR" ]] || ! grep -q "\"version\": \"$INSPECTOR_VERSION\"" \
        "$INSPECTOR_DIR/node_modules/@modelcontextprotocol/inspector/package.json" 2>/dev/null; then
    # npm may come with a nodejs that is not Debian's (NodeSource's bundles it): install only what is missing.
    if { command -v npm >/dev/null 2>&1 || apt_install_missing nodejs npm; } \
        && npm install --silent --no-audit --no-fund --prefix "$INSPECTOR_DIR" \
            "@modelcontextprotocol/inspector@$INSPECTOR_VERSION" >/dev/null; then
        say "MCP Inspector $INSPECTOR_VERSION in $INSPECTOR_DIR"
    elif $IS_CI; then
        die "the MCP Inspector could not be installed (CI=true: its test must run)"
    else
        warn "the MCP Inspector could not be installed; its test will be skipped"
    fi
fi

# Screenshots the browser tests take (and CI keeps).
export DBARCH_ARTIFACTS="${DBARCH_ARTIFACTS:-$PWD/artifacts}"

# --- operations tools for the drills (tests/verify/drill): fatal under CI when missing -------------
install_operations_tools

if [[ -n "${DBARCH_TEST_PG_URL:-}" ]]; then
    say "PostgreSQL: using DBARCH_TEST_PG_URL from the environment"
else
    start_postgres
    if [[ -n "$PG_URL" ]]; then
        export DBARCH_TEST_PG_URL="$PG_URL"
        say "PostgreSQL 15 (throwaway) at $DBARCH_TEST_PG_URL"
    fi
fi
if [[ -n "${DBARCH_TEST_MARIADB_URL:-}" ]]; then
    say "MariaDB: using DBARCH_TEST_MARIADB_URL from the environment"
else
    start_mariadb
    if [[ -n "$MARIADB_URL" ]]; then
        export DBARCH_TEST_MARIADB_URL="$MARIADB_URL"
        say "MariaDB (throwaway) at $DBARCH_TEST_MARIADB_URL"
    fi
fi

# --- checks --------------------------------------------------------------------------------------
FAILED=()
step() {
    local name=$1
    shift
    say "$name"
    "$@"
    local rc=$?
    if [[ $rc -ne 0 ]]; then
        FAILED+=("$name (exit $rc)")
    fi
}

step "ruff check src tests" "$VENV/bin/ruff" check src tests
step "mypy" "$VENV/bin/mypy"
step "lint-imports" "$VENV/bin/lint-imports"
# pytest runs on every core, up to 4 (pytest-xdist; DBARCH_TEST_WORKERS=N overrides, 0 runs in one
# process): most tests wait on an engine or a subprocess, and each worker uses its own scratch
# databases. Arguments after the script's name come last, so `-n 0` still wins.
WORKERS=${DBARCH_TEST_WORKERS:-$(nproc 2>/dev/null || echo 2)}
((WORKERS > 4)) && WORKERS=4
# Every non-zero pytest exit fails the run, including 5 (no tests collected).
step "pytest -n $WORKERS $*" "$VENV/bin/pytest" -n "$WORKERS" --dist worksteal "$@"

if [[ ${#FAILED[@]} -gt 0 ]]; then
    printf '\nFAILED steps:\n' >&2
    printf '  - %s\n' "${FAILED[@]}" >&2
    exit 1
fi
say "all checks passed"
