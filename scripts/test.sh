#!/usr/bin/env bash
# Install what the tests need and run every check: ruff, mypy, the import-layer contract, pytest.
#
#   bash scripts/test.sh [pytest args...]      (from the repository root)
#
# - Creates or refreshes the virtualenv .venv with `pip install -e '.[test]'` (skipped when
#   pyproject.toml has not changed since the last successful install).
# - Installs missing Debian packages: postgresql-15, postgresql-15-hypopg, mariadb-server.
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

say() { printf '==> %s\n' "$*"; }
warn() { printf 'WARNING: %s\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# Run a command as root: directly when we are root, through sudo when it is available.
as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        return 1
    fi
}

# An engine could not be provided: fatal under CI, a warning (its tests skip) otherwise.
engine_unavailable() {
    if $IS_CI; then
        die "$1 (CI=true: the engine tests must run, so this fails the run)"
    fi
    warn "$1; its tests will be skipped"
}

# --- cleanup -----------------------------------------------------------------------------------
TMP_ROOT=""
PG_DATA=""
MARIADB_PID=""

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
        run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w -t 20 stop >/dev/null 2>&1 || true
    fi
    if [[ -n "$MARIADB_PID" ]] && kill -0 "$MARIADB_PID" 2>/dev/null; then
        kill -TERM "$MARIADB_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$MARIADB_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$MARIADB_PID" 2>/dev/null || true
        wait "$MARIADB_PID" 2>/dev/null || true
    fi
    if [[ -n "$TMP_ROOT" && -d "$TMP_ROOT" ]]; then
        rm -rf "$TMP_ROOT"
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- Debian packages ---------------------------------------------------------------------------
is_installed() {
    [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null)" == "install ok installed" ]]
}

APT_UPDATED=false
# Install the named Debian packages that are missing; returns non-zero when that is impossible.
apt_install_missing() {
    local missing=() pkg
    command -v dpkg-query >/dev/null 2>&1 || return 1
    for pkg in "$@"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    say "installing Debian packages: ${missing[*]}"
    if ! $APT_UPDATED; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq || return 1
        APT_UPDATED=true
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" </dev/null || return 1
}

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

# --- throwaway servers ---------------------------------------------------------------------------
free_port() {
    "$VENV/bin/python" -c '
import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])
s.close()'
}

# Give a directory we created to a service user when we are root (servers refuse to run as root).
give_to() {
    if [[ $(id -u) -eq 0 ]]; then
        chown -R "$1:$1" "$2"
    fi
}

run_as_pg() {
    if [[ $(id -u) -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

show_log() {
    printf -- '---- last lines of %s ----\n' "$1" >&2
    tail -n 30 "$1" >&2 2>/dev/null || true
    printf -- '----\n' >&2
}

make_tmp_root() {
    [[ -n "$TMP_ROOT" ]] && return 0
    # Under /tmp so the service users can traverse it (a root-only $TMPDIR would lock them out).
    if [[ $(id -u) -eq 0 ]]; then
        TMP_ROOT="$(mktemp -d /tmp/dbarch-test.XXXXXX)"
    else
        TMP_ROOT="$(mktemp -d -t dbarch-test.XXXXXX)"
    fi
    chmod 755 "$TMP_ROOT"
}

start_postgres() {
    if [[ ! -x "$PG_BIN/initdb" ]] || ! is_installed postgresql-15-hypopg; then
        apt_install_missing postgresql-15 postgresql-15-hypopg || {
            engine_unavailable "PostgreSQL 15 with HypoPG (postgresql-15, postgresql-15-hypopg) could not be installed"
            return 0
        }
    fi
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        engine_unavailable "no 'postgres' user to run the throwaway PostgreSQL as (initdb refuses root)"
        return 0
    fi
    make_tmp_root
    local dir="$TMP_ROOT/pg" port
    mkdir -p "$dir/data" "$dir/run"
    give_to postgres "$dir"
    port="$(free_port)"
    if ! run_as_pg "$PG_BIN/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
        >"$dir/initdb.log" 2>&1; then
        show_log "$dir/initdb.log"
        engine_unavailable "initdb of the throwaway PostgreSQL failed"
        return 0
    fi
    cat >>"$dir/data/postgresql.conf" <<EOF
# dbarchitect test instance: loopback only, throwaway, fast rather than durable
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
shared_preload_libraries = 'pg_stat_statements'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
EOF
    PG_DATA="$dir/data"
    if ! run_as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t "$WAIT_SECONDS" start \
        >"$dir/pg_ctl.log" 2>&1; then
        show_log "$dir/pg_ctl.log"
        show_log "$dir/server.log"
        engine_unavailable "the throwaway PostgreSQL did not accept connections within ${WAIT_SECONDS}s"
        return 0
    fi
    export DBARCH_TEST_PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
    say "PostgreSQL 15 (throwaway) at $DBARCH_TEST_PG_URL"
}

start_mariadb() {
    if ! command -v mariadbd >/dev/null 2>&1 && [[ ! -x /usr/sbin/mariadbd ]]; then
        apt_install_missing mariadb-server || {
            engine_unavailable "MariaDB (mariadb-server) could not be installed"
            return 0
        }
    fi
    local mariadbd install_db admin
    mariadbd="$(command -v mariadbd || echo /usr/sbin/mariadbd)"
    install_db="$(command -v mariadb-install-db || echo /usr/bin/mariadb-install-db)"
    admin="$(command -v mariadb-admin || echo /usr/bin/mariadb-admin)"
    local user_opt=()
    if [[ $(id -u) -eq 0 ]]; then
        if id mysql >/dev/null 2>&1; then user_opt=(--user=mysql); else user_opt=(--user=root); fi
    fi
    make_tmp_root
    local dir="$TMP_ROOT/mariadb" port
    mkdir -p "$dir/data"
    [[ ${user_opt[*]-} == "--user=mysql" ]] && give_to mysql "$dir"
    port="$(free_port)"
    # --no-defaults: never read /etc/mysql (the system server's datadir, port and socket live there).
    if ! "$install_db" --no-defaults --datadir="$dir/data" "${user_opt[@]}" \
        --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1; then
        show_log "$dir/install.log"
        engine_unavailable "mariadb-install-db for the throwaway MariaDB failed"
        return 0
    fi
    "$mariadbd" --no-defaults --datadir="$dir/data" "${user_opt[@]}" \
        --bind-address=127.0.0.1 --port="$port" --socket="$dir/mariadbd.sock" \
        --pid-file="$dir/mariadbd.pid" --log-error="$dir/server.log" \
        --skip-log-bin --innodb-buffer-pool-size=64M --innodb-flush-log-at-trx-commit=0 \
        --max-connections=50 --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        </dev/null >/dev/null 2>&1 &
    MARIADB_PID=$!
    local deadline=$((SECONDS + WAIT_SECONDS))
    until "$admin" --no-defaults --protocol=tcp -h 127.0.0.1 -P "$port" -u root --connect-timeout=2 \
        ping >/dev/null 2>&1; do
        if ! kill -0 "$MARIADB_PID" 2>/dev/null; then
            show_log "$dir/server.log"
            MARIADB_PID=""
            engine_unavailable "the throwaway MariaDB exited during startup (log above)"
            return 0
        fi
        if ((SECONDS >= deadline)); then
            show_log "$dir/server.log"
            engine_unavailable "the throwaway MariaDB did not accept connections within ${WAIT_SECONDS}s"
            return 0
        fi
        sleep 0.2
    done
    export DBARCH_TEST_MARIADB_URL="mysql://root@127.0.0.1:$port/"
    say "MariaDB (throwaway) at $DBARCH_TEST_MARIADB_URL"
}

if [[ -n "${DBARCH_TEST_PG_URL:-}" ]]; then
    say "PostgreSQL: using DBARCH_TEST_PG_URL from the environment"
else
    start_postgres
fi
if [[ -n "${DBARCH_TEST_MARIADB_URL:-}" ]]; then
    say "MariaDB: using DBARCH_TEST_MARIADB_URL from the environment"
else
    start_mariadb
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
# Every non-zero pytest exit fails the run, including 5 (no tests collected).
step "pytest $*" "$VENV/bin/pytest" "$@"

if [[ ${#FAILED[@]} -gt 0 ]]; then
    printf '\nFAILED steps:\n' >&2
    printf '  - %s\n' "${FAILED[@]}" >&2
    exit 1
fi
say "all checks passed"
