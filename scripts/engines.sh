# shellcheck shell=bash
# Throwaway database servers for scripts/test.sh and the benchmarks: sourced, not run.
#
#   VENV=.venv PG_BIN=/usr/lib/postgresql/15/bin WAIT_SECONDS=60 IS_CI=false
#   source scripts/engines.sh
#   trap engines_cleanup EXIT ...; start_postgres; echo "$PG_URL"; start_mariadb; echo "$MARIADB_URL"
#
# - Missing Debian packages (postgresql-15, postgresql-15-hypopg, postgresql-15-partman, mariadb-server)
#   are installed; install_operations_tools adds patroni, etcd-server, etcd-client, pgbackrest, pgbouncer
#   and mariadb-backup for the drills.
# - Servers listen on free loopback ports; their data, sockets and logs live in one temporary directory
#   (or, for PostgreSQL, in PG_CLUSTER_DIR when set: a cluster kept between runs, e.g. a loaded
#   benchmark database). The system servers (5432, 3306) are never touched.
# - engines_cleanup stops what was started and removes the temporary directory.
# - An engine that cannot be provided calls engine_unavailable: fatal under IS_CI=true, else a warning
#   (PG_URL / MARIADB_URL then stay empty).
#
# Settings (set before sourcing or before the call):
#   PG_EXTRA_CONF   extra postgresql.conf lines (e.g. "shared_buffers = 2GB"), applied at every start
#   PG_CLUSTER_DIR  keep the PostgreSQL cluster in this directory (created by initdb when missing)
#   PG_STOP_MODE    pg_ctl stop mode at cleanup (default immediate; use fast for a kept cluster)

VENV=${VENV:-.venv}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
WAIT_SECONDS=${WAIT_SECONDS:-60}
IS_CI=${IS_CI:-false}
PG_EXTRA_CONF=${PG_EXTRA_CONF:-}
PG_CLUSTER_DIR=${PG_CLUSTER_DIR:-}
PG_STOP_MODE=${PG_STOP_MODE:-immediate}

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
PG_URL=""
MARIADB_PID=""
MARIADB_URL=""

# Stop the servers started here and remove the temporary directory (safe to call more than once).
engines_cleanup() {
    if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
        run_as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "$PG_STOP_MODE" -w -t 60 stop >/dev/null 2>&1 || true
    fi
    PG_DATA=""
    if [[ -n "$MARIADB_PID" ]] && kill -0 "$MARIADB_PID" 2>/dev/null; then
        kill -TERM "$MARIADB_PID" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$MARIADB_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL "$MARIADB_PID" 2>/dev/null || true
        wait "$MARIADB_PID" 2>/dev/null || true
    fi
    MARIADB_PID=""
    if [[ -n "$TMP_ROOT" && -d "$TMP_ROOT" ]]; then
        rm -rf "$TMP_ROOT"
    fi
    TMP_ROOT=""
}

# Stop everything started here whenever the calling script exits (keeping its exit code), and turn
# Ctrl-C / TERM into exits 130 / 143 so the cleanup runs then too.
engines_cleanup_on_exit() {
    trap '_engines_exit_cleanup' EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

_engines_exit_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    engines_cleanup
    exit "$rc"
}

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
        as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 update -qq || return 1
        APT_UPDATED=true
    fi
    # Wait for a lock another apt holds (a fresh machine's unattended-upgrades) instead of failing.
    as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends \
        "${missing[@]}" </dev/null || return 1
}

# --- operations tools (dbarch drill: Patroni + etcd + pgBackRest + PgBouncer, mariadb-backup) ------
# The drills start their own servers from these binaries on loopback in a temporary directory; the
# packages' own services are not used (and not started where policy-rc.d forbids it).
OPS_PACKAGES=(patroni etcd-server etcd-client pgbackrest pgbouncer mariadb-backup)
install_operations_tools() {
    local missing=() pkg
    for pkg in "${OPS_PACKAGES[@]}"; do
        is_installed "$pkg" || missing+=("$pkg")
    done
    [[ ${#missing[@]} -eq 0 ]] && return 0
    apt_install_missing "${missing[@]}" \
        || engine_unavailable "the operations tools (${missing[*]}) could not be installed"
}

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

# Start PostgreSQL 15 (with HypoPG available); sets PG_URL (postgresql://postgres@127.0.0.1:PORT/postgres).
start_postgres() {
    if [[ ! -x "$PG_BIN/initdb" ]] || ! is_installed postgresql-15-hypopg; then
        apt_install_missing postgresql-15 postgresql-15-hypopg || {
            engine_unavailable "PostgreSQL 15 with HypoPG (postgresql-15, postgresql-15-hypopg) could not be installed"
            return 0
        }
    fi
    # pg_partman: the partitioning advisor's alternative maintenance configuration is run in the tests.
    is_installed postgresql-15-partman || apt_install_missing postgresql-15-partman \
        || engine_unavailable "pg_partman (postgresql-15-partman) could not be installed"
    if [[ $(id -u) -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        engine_unavailable "no 'postgres' user to run the throwaway PostgreSQL as (initdb refuses root)"
        return 0
    fi
    make_tmp_root
    local dir="$TMP_ROOT/pg" data port
    mkdir -p "$dir/run"
    give_to postgres "$dir"
    data="$dir/data"
    if [[ -n "$PG_CLUSTER_DIR" ]]; then
        data="$PG_CLUSTER_DIR"
    fi
    port="$(free_port)"
    if [[ ! -f "$data/PG_VERSION" ]]; then
        if [[ -d "$data" && -n "$(ls -A "$data")" ]]; then
            engine_unavailable "$data is neither empty nor a PostgreSQL cluster; move it away"
            return 0
        fi
        mkdir -p "$data"
        give_to postgres "$data"
        if ! run_as_pg "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 \
            >"$dir/initdb.log" 2>&1; then
            show_log "$dir/initdb.log"
            engine_unavailable "initdb of the throwaway PostgreSQL failed"
            return 0
        fi
        printf "include_if_exists = 'dbarch.conf'\n" >>"$data/postgresql.conf"
    fi
    # Rewritten at every start: the port and socket directory change from run to run.
    cat >"$data/dbarch.conf" <<CONF
# dbarchitect test instance: loopback only, throwaway, fast rather than durable
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir/run'
shared_preload_libraries = 'pg_stat_statements'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 50
$PG_EXTRA_CONF
CONF
    give_to postgres "$data/dbarch.conf"
    PG_DATA="$data"
    if ! run_as_pg "$PG_BIN/pg_ctl" -D "$data" -l "$dir/server.log" -w -t "$WAIT_SECONDS" start \
        >"$dir/pg_ctl.log" 2>&1; then
        show_log "$dir/pg_ctl.log"
        show_log "$dir/server.log"
        engine_unavailable "the throwaway PostgreSQL did not accept connections within ${WAIT_SECONDS}s"
        return 0
    fi
    PG_URL="postgresql://postgres@127.0.0.1:$port/postgres"
}

# Start MariaDB; sets MARIADB_URL (mysql://root@127.0.0.1:PORT/).
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
    # its own tmpdir: internal temporary tables (#sql-temptable-*) never share /tmp with other servers
    mkdir -p "$dir/data" "$dir/tmp"
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
        --pid-file="$dir/mariadbd.pid" --log-error="$dir/server.log" --tmpdir="$dir/tmp" \
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
    MARIADB_URL="mysql://root@127.0.0.1:$port/"
}
