"""MariaDB operations: semi-synchronous replication with GTIDs, a scripted failover (MariaDB has no
failover manager in Debian: MaxScale is not packaged), mariadb-backup with binlog streaming for
point-in-time recovery; the files and the runbooks' commands.

Semi-synchronous replication with ``rpl_semi_sync_master_wait_point=AFTER_SYNC`` acknowledges a
commit to the client only once a replica has received its binlog events, so a failover to that
replica after it has applied its relay log loses no acknowledged commit. The old primary may hold
transactions it wrote to its binlog but never acknowledged: it is rebuilt from the new primary
(mariadb-backup) before it rejoins, never restarted as it was.
"""

from __future__ import annotations

from dbarchitect.engines.operations import (
    ClusterLayout,
    FailoverKind,
    LayoutDefaults,
    LogFacts,
    NodeAddress,
    OperationsProfile,
    Runbook,
    RunbookStep,
    ServerSizing,
    Setting,
)
from dbarchitect.model.names import EngineName

BINLOG = LogFacts(
    name="binlog",
    insert_row_bytes=4.0,
    update_row_bytes=4.0,
    delete_row_bytes=4.0,
    index_entry_bytes=0.0,
    statement_bytes=23.0 + 60.0 + 33.0,
    logs_statement_text=True,
    commit_bytes=42.0 + 31.0,
    logs_row_images=True,
    full_page_writes=False,
    alignment=1,
    page_bytes=16384,
    retained_by_time=True,
)


def profile() -> OperationsProfile:
    return OperationsProfile(
        engine=EngineName.MARIADB,
        label="MariaDB",
        log=BINLOG,
        replicates=True,
        ha_tool="MariaDB semi-synchronous replication (GTID) + scripted failover",
        failover=FailoverKind.SCRIPTED,
        backup_tool="mariadb-backup + binlog streaming",
        pooler=None,
        promotion_s=1.0,
        min_detection_s=3.0,
        buffer_share_max=0.75,
        uses_os_cache=False,
        connection_bytes=3e6,
        hash_memory_multiplier=1.0,
        sort_row_overhead=32.0,
        default_sort_memory=2 * 2**20,
        defaults=LayoutDefaults(
            3306,
            0,
            0,
            "/var/lib/mysql",
            "/usr/bin",
            "/run/mysqld",
            "/var/backups/mariadb",
            "root",
            "replicator",
        ),
        render=render_files,
        runbooks=runbooks,
        server_settings=server_settings,
    )


def _mb(value: float) -> str:
    return f"{max(1, int(value // 2**20))}M"


def server_settings(sizing: ServerSizing, layout: ClusterLayout) -> tuple[Setting, ...]:
    f = "my.cnf"
    repl = layout.replication
    sort = sizing.sort_bytes
    out = [
        Setting(f, "innodb_buffer_pool_size", _mb(sizing.cache_bytes.value), sizing.cache_bytes.reason),
        Setting(
            f,
            "innodb_flush_method",
            "O_DIRECT",
            "InnoDB caches pages itself: no second copy in the operating system's cache",
        ),
        Setting(f, "sort_buffer_size", _mb(sort.value), sort.reason),
        Setting(
            f,
            "tmp_table_size",
            _mb(sort.value),
            "in-memory temporary tables (GROUP BY, DISTINCT) as large "
            "as the largest sort, so none goes to disk",
        ),
        Setting(f, "max_heap_table_size", _mb(sort.value), "caps tmp_table_size: kept equal to it"),
        Setting(
            f,
            "join_buffer_size",
            _mb(min(sort.value, 64 * 2**20)),
            "joins without an index buffer at most "
            "this much per join (capped at 64M: an unindexed join is a design problem, not a setting)",
        ),
        Setting(f, "max_connections", str(int(sizing.max_connections.value)), sizing.max_connections.reason),
        Setting(
            f,
            "thread_handling",
            "pool-of-threads",
            "MariaDB's thread pool does the pooling PgBouncer does "
            "for PostgreSQL: many client connections, few running threads",
        ),
        Setting(f, "thread_pool_size", str(max(1, int(sizing.cores.value))), "one thread group per core"),
        Setting(f, "innodb_log_file_size", _mb(sizing.max_log_bytes.value), sizing.max_log_bytes.reason),
        Setting(f, "innodb_io_capacity", str(int(sizing.io_budget.value)), sizing.io_budget.reason),
        Setting(
            f,
            "innodb_io_capacity_max",
            str(int(sizing.io_budget.value * 2)),
            "twice the background rate for flushing bursts",
        ),
        # durability and replication
        Setting(
            f, "innodb_flush_log_at_trx_commit", "1", "every commit is on disk before it is acknowledged"
        ),
        Setting(
            f, "sync_binlog", "1", "the binlog is synced at each commit: what a replica received is durable"
        ),
        Setting(f, "log_bin", "mariadb-bin", "the binlog feeds the replica and point-in-time recovery"),
        Setting(f, "binlog_format", "ROW", "row images replay exactly on the replica and in a restore"),
        Setting(
            f, "binlog_row_image", "FULL", "whole rows in the binlog: a restore can be checked row by row"
        ),
        Setting(f, "log_slave_updates", "ON", "a replica logs what it applies, so it can become the primary"),
        Setting(
            f, "gtid_strict_mode", "ON", "global transaction ids stay in order: failover by GTID is exact"
        ),
        Setting(f, "relay_log_recovery", "ON", "a replica that crashed fetches its relay log again"),
        Setting(
            f,
            "rpl_semi_sync_master_enabled",
            "ON" if repl.mode == "synchronous" else "OFF",
            "commits wait for a replica's acknowledgement"
            if repl.mode == "synchronous"
            else f"asynchronous replication: the RPO allows up to {repl.max_lag_on_failover_bytes} "
            "bytes behind",
        ),
        Setting(f, "rpl_semi_sync_slave_enabled", "ON", "this node acknowledges when it is the replica"),
        Setting(
            f,
            "rpl_semi_sync_master_wait_point",
            "AFTER_SYNC",
            "lossless: a commit is visible only after a replica has received it",
        ),
        Setting(
            f,
            "rpl_semi_sync_master_timeout",
            str(repl.ack_timeout_ms),
            "wait this long for an acknowledgement before committing alone"
            + (
                " (strict: practically never, so no acknowledged commit exists only on the primary)"
                if repl.strict
                else ""
            ),
        ),
        Setting(
            f,
            "rpl_semi_sync_master_wait_no_slave",
            "ON" if len(layout.nodes) >= 3 else "OFF",
            "keep waiting while no replica is connected: another replica still acknowledges when one is down"
            if len(layout.nodes) >= 3
            else "with a single replica, do not wait while it is away (rebuilt after a failover): commits "
            "then rely on the primary alone until it is back, the RPO's exposure",
        ),
        Setting(
            f,
            "slave_parallel_threads",
            str(max(2, int(sizing.cores.value) // 2)),
            "the replica applies in parallel, to keep up with the primary's write rate",
        ),
        Setting(
            f, "slave_parallel_mode", "optimistic", "parallel apply of transactions that do not conflict"
        ),
        Setting(
            f,
            "binlog_expire_logs_seconds",
            str(int(sizing.log_retention_s.value)),
            sizing.log_retention_s.reason,
        ),
    ]
    return tuple(out)


def my_cnf(layout: ClusterLayout, node: NodeAddress, server_id: int) -> str:
    lines = [
        f"# my.cnf for {node.name}, generated by dbarchitect: each setting with its reason",
        "[mariadbd]",
        f"server_id = {server_id}",
        f"bind_address = {node.host}",
        f"port = {node.port}",
        f"datadir = {node.data_dir}",
        f"socket = {layout.run_dir}/{node.name}/mariadbd.sock",
        f"report_host = {node.host}",
        f"read_only = {'OFF' if node == layout.primary else 'ON'}",
    ]
    for s in layout.settings:
        if s.file != "my.cnf":
            continue
        if s.name == "rpl_semi_sync_master_enabled" and node != layout.primary:
            # a replica logs what it applies (log_slave_updates): waiting for acknowledgements of its
            # own would stall its apply; failover.sh turns this on when it promotes the replica
            lines.append("# off on a replica: failover.sh turns it on when it promotes this node")
            lines.append(f"{s.name} = OFF")
            continue
        lines.append(f"# {s.reason}")
        lines.append(f"{s.name} = {s.value}")
    return "\n".join(lines) + "\n"


def _client(layout: ClusterLayout, node: NodeAddress) -> str:
    return f"mariadb --protocol=tcp -h {node.host} -P {node.port} -u root"


def failover_script(layout: ClusterLayout) -> str:
    """The failover as a script: run by the operator or a monitor when the primary is lost."""
    t = layout.timing
    semi_sync = "ON" if layout.replication.mode == "synchronous" else "OFF"
    return f"""#!/bin/bash
# Failover for {layout.name}, generated by dbarchitect.
#   failover.sh OLD_HOST OLD_PORT NEW_HOST NEW_PORT
# Waits until the primary has failed {t.checks_to_fail} checks {t.check_interval_s:g}s apart, lets the
# replica apply every event it received, then makes it the writable primary.
set -euo pipefail
old_host=$1 old_port=$2 new_host=$3 new_port=$4
client=(mariadb --protocol=tcp -u root --connect-timeout=1)
failed=0
while (( failed < {t.checks_to_fail} )); do
    if mariadb-admin --protocol=tcp -h "$old_host" -P "$old_port" -u root --connect-timeout=1 \\
            ping >/dev/null 2>&1; then
        failed=0
    else
        failed=$((failed + 1))
    fi
    (( failed < {t.checks_to_fail} )) && sleep {t.check_interval_s:g}
done
# the replica keeps what it received: stop fetching, apply the relay log to its end (every GTID
# received, Gtid_IO_Pos, applied)
"${{client[@]}}" -h "$new_host" -P "$new_port" -e "STOP SLAVE IO_THREAD"
io_pos=$("${{client[@]}}" -h "$new_host" -P "$new_port" -e "SHOW SLAVE STATUS\\G" \\
    | awk '/Gtid_IO_Pos:/ {{print $2}}')
"${{client[@]}}" -h "$new_host" -P "$new_port" -N -e "SELECT MASTER_GTID_WAIT('$io_pos', 300)" | grep -qx 0
"${{client[@]}}" -h "$new_host" -P "$new_port" -e "STOP SLAVE; RESET SLAVE ALL; \\
    SET GLOBAL rpl_semi_sync_master_enabled = {semi_sync}; \\
    SET GLOBAL read_only = OFF"
echo "promoted $new_host:$new_port"
"""


def rebuild_script(layout: ClusterLayout) -> str:
    """Rebuild a replica (or a failed primary) from the current primary with mariadb-backup."""
    return f"""#!/bin/bash
# Replica rebuild for {layout.name}, generated by dbarchitect.
#   rebuild-replica.sh PRIMARY_HOST PRIMARY_PORT DATADIR SOCKET
# The replica's server must be stopped; DATADIR is replaced.
set -euo pipefail
primary_host=$1 primary_port=$2 datadir=$3
staging="$datadir.rebuild"
rm -rf "$staging" && mkdir -p "$staging"
mariadb-backup --backup --host="$primary_host" --port="$primary_port" --user=root --target-dir="$staging"
mariadb-backup --prepare --target-dir="$staging"
rm -rf "$datadir" && mkdir -p "$datadir"
mariadb-backup --copy-back --target-dir="$staging" --datadir="$datadir"
gtid=$(cut -f3 "$staging/xtrabackup_binlog_info")
echo "start the server (read_only = ON, rpl_semi_sync_master_enabled = OFF), then run:"
echo "  SET GLOBAL gtid_slave_pos = '$gtid';"
echo "  CHANGE MASTER TO MASTER_HOST='$primary_host', MASTER_PORT=$primary_port,"
echo "    MASTER_USER='{layout.replication_user}', MASTER_USE_GTID=slave_pos;"
echo "  START SLAVE;"
"""


def backup_crontab(layout: ClusterLayout) -> str:
    b = layout.backup
    primary = layout.primary
    repo = layout.repo_path
    base = f"mariadb-backup --backup --host={primary.host} --port={primary.port} --user=root"
    lines = [
        "# crontab of the backup host, generated by dbarchitect",
        f"{b.full_cron} {base} --target-dir={repo}/full-$(date +\\%Y\\%m\\%d)",
    ]
    if b.incr_cron:
        lines.append(
            f"{b.incr_cron} {base} --target-dir={repo}/incr-$(date +\\%Y\\%m\\%d\\%H) "
            f"--incremental-basedir=$(ls -d {repo}/full-* | tail -1)"
        )
    lines.append(
        f"@reboot mariadb-binlog --read-from-remote-server --host={primary.host} --port={primary.port} "
        f"--user=root --raw --stop-never --result-file={repo}/binlog/ mariadb-bin.000001"
    )
    lines.append(f"0 4 * * * find {repo} -maxdepth 1 -mtime +{round(b.pitr_days)} -exec rm -rf {{}} +")
    return "\n".join(lines) + "\n"


def render_files(layout: ClusterLayout) -> dict[str, str]:
    files: dict[str, str] = {}
    for i, node in enumerate(layout.nodes, start=1):
        files[f"my-{node.name}.cnf"] = my_cnf(layout, node, i)
    files["failover.sh"] = failover_script(layout)
    files["rebuild-replica.sh"] = rebuild_script(layout)
    files["backup.crontab"] = backup_crontab(layout)
    return files


def runbooks(layout: ClusterLayout) -> tuple[Runbook, ...]:
    primary = layout.primary
    replica = layout.nodes[1] if len(layout.nodes) > 1 else primary
    cfg = layout.config_dir
    on_replica = _client(layout, replica)
    on_primary = _client(layout, primary)
    repo = layout.repo_path
    return (
        Runbook(
            "Failover",
            "the primary is lost: promote the semi-synchronous replica",
            (
                RunbookStep(
                    f"Run the failover script: it waits for {layout.timing.checks_to_fail} failed checks, "
                    "applies the replica's relay log to its end and makes it writable",
                    f"bash {cfg}/failover.sh {primary.host} {primary.port} {replica.host} {replica.port}",
                ),
                RunbookStep(
                    "Applications connect to the node whose read_only is OFF; check it",
                    f"{on_replica} -e 'SELECT @@read_only, @@gtid_current_pos'",
                ),
                RunbookStep(
                    "Never restart the old primary as it was (it may hold unacknowledged transactions): "
                    "rebuild it as a replica of the new primary (Replica rebuild)",
                ),
            ),
        ),
        Runbook(
            "Switchover",
            "planned work on the primary: swap roles without losing a commit",
            (
                RunbookStep("Stop writes on the primary", f"{on_primary} -e 'SET GLOBAL read_only = ON'"),
                RunbookStep(
                    "Wait until the replica has applied the primary's last transaction",
                    f"{on_replica} -e \"SELECT MASTER_GTID_WAIT('$({on_primary} -N -e "
                    "'SELECT @@gtid_binlog_pos')', 30)\"",
                ),
                RunbookStep(
                    "Promote the replica",
                    f"{on_replica} -e 'STOP SLAVE; RESET SLAVE ALL; "
                    "SET GLOBAL rpl_semi_sync_master_enabled = ON; "
                    "SET GLOBAL read_only = OFF'",
                ),
                RunbookStep(
                    "Make the old primary its replica",
                    f'{on_primary} -e "SET GLOBAL rpl_semi_sync_master_enabled = OFF; '
                    f"CHANGE MASTER TO MASTER_HOST='{replica.host}', "
                    f"MASTER_PORT={replica.port}, MASTER_USER='{layout.replication_user}', "
                    'MASTER_USE_GTID=current_pos; START SLAVE"',
                ),
            ),
        ),
        Runbook(
            "Point-in-time restore",
            "restore the last backup to a new instance and replay the binlog up to a moment",
            (
                RunbookStep(
                    "Prepare the last full backup (apply its redo log) and copy it into an empty datadir",
                    f"mariadb-backup --prepare --target-dir={repo}/full-YYYYMMDD && mariadb-backup "
                    f"--copy-back --target-dir={repo}/full-YYYYMMDD --datadir=/var/lib/mysql-restore",
                ),
                RunbookStep(
                    "Start it on a spare port without binlog or replication",
                    "mariadbd --datadir=/var/lib/mysql-restore --port=3399 --skip-slave-start "
                    "--skip-log-bin &",
                ),
                RunbookStep(
                    "Replay the binlog from the backup's position to the chosen moment",
                    f"mariadb-binlog --start-position=$(cut -f2 {repo}/full-YYYYMMDD/xtrabackup_binlog_info) "
                    f"--stop-datetime='2024-01-01 12:00:00' {repo}/binlog/mariadb-bin.* | mariadb "
                    "--protocol=tcp "
                    "-h 127.0.0.1 -P 3399 -u root",
                ),
            ),
        ),
        Runbook(
            "Replica rebuild",
            "a replica is broken, or a failed primary must rejoin",
            (
                RunbookStep(
                    "Stop the replica's server, then copy the primary into its datadir",
                    f"bash {cfg}/rebuild-replica.sh {primary.host} {primary.port} {replica.data_dir}",
                ),
                RunbookStep("Start it and run the three statements the script prints"),
            ),
        ),
        Runbook(
            "Backups",
            "set up once, then on the schedule (backup.crontab)",
            (
                RunbookStep(
                    "Stream the binlog to the backup host continuously (point-in-time recovery)",
                    f"mariadb-binlog --read-from-remote-server --host={primary.host} --port={primary.port} "
                    f"--user=root --raw --stop-never --result-file={repo}/binlog/ mariadb-bin.000001",
                ),
                RunbookStep("Install the schedule", f"crontab {cfg}/backup.crontab"),
            ),
        ),
    )
