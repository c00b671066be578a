"""PostgreSQL operations: Patroni 3 with etcd 3.4 for failover, pgBackRest for backups and
point-in-time recovery, PgBouncer for pooling; the files they read and the runbooks' commands.

The layout: every node runs PostgreSQL, a Patroni agent (which starts and stops it, and holds the
leader key in etcd) and a PgBouncer in transaction mode in front of its own server. Applications
connect with a libpq multi-host string over the poolers and ``target_session_attrs=read-write``
(writes) or ``prefer-standby`` (reads that tolerate staleness): after a failover a client's next
connection attempt finds the new primary without any proxy to reconfigure. pgBackRest archives WAL
from the primary (``archive_command``) and backs up from the repository host, which reaches every
node (``pgN-host``) and picks the primary itself.
"""

from __future__ import annotations

from typing import Any

import yaml

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

WAL = LogFacts(
    name="WAL",
    insert_row_bytes=54.0,
    update_row_bytes=83.0,
    delete_row_bytes=62.0,
    index_entry_bytes=56.0,
    statement_bytes=0.0,
    logs_statement_text=False,
    commit_bytes=48.0,
    logs_row_images=False,
    full_page_writes=True,
    alignment=8,
    page_bytes=8192,
    inline_row_bytes=2032.0,  # TOAST_TUPLE_THRESHOLD with 8 kB pages
    out_of_line_pointer_bytes=18.0,
)

#: Settings Patroni keeps identical on every node (in etcd): they must match for a replica to run.
_CLUSTER_WIDE = {
    "max_connections",
    "max_worker_processes",
    "max_wal_senders",
    "max_prepared_transactions",
    "max_locks_per_transaction",
    "wal_level",
    "wal_log_hints",
    "track_commit_timestamp",
}


def profile() -> OperationsProfile:
    return OperationsProfile(
        engine=EngineName.POSTGRESQL,
        label="PostgreSQL",
        log=WAL,
        replicates=True,
        ha_tool="Patroni 3 + etcd 3",
        failover=FailoverKind.AUTOMATIC,
        backup_tool="pgBackRest",
        pooler="PgBouncer",
        promotion_s=2.0,
        min_detection_s=5.0,
        buffer_share_max=0.40,
        uses_os_cache=True,
        connection_bytes=10e6,
        hash_memory_multiplier=2.0,
        sort_row_overhead=48.0,
        default_sort_memory=4 * 2**20,
        defaults=LayoutDefaults(
            5432,
            6432,
            8008,
            "/var/lib/postgresql/15/main",
            "/usr/lib/postgresql/15/bin",
            "/var/run/postgresql",
            "/var/lib/pgbackrest",
            "postgres",
            "replicator",
        ),
        render=render_files,
        runbooks=runbooks,
        server_settings=server_settings,
    )


def memory_units(value: float) -> str:
    """Bytes as PostgreSQL's memory units, rounded down to whole kB/MB/GB (``256MB``, ``4GB``)."""
    kb = max(64, int(value // 1024))
    if kb >= 1024 * 1024 and kb % (1024 * 1024) == 0:
        return f"{kb // (1024 * 1024)}GB"
    if kb >= 1024:
        return f"{kb // 1024}MB"
    return f"{kb}kB"


def server_settings(sizing: ServerSizing, layout: ClusterLayout) -> tuple[Setting, ...]:
    f = "postgresql.conf"
    out = [
        Setting(f, "shared_buffers", memory_units(sizing.cache_bytes.value), sizing.cache_bytes.reason),
        Setting(
            f,
            "effective_cache_size",
            memory_units(sizing.effective_cache_bytes.value),
            sizing.effective_cache_bytes.reason,
        ),
        Setting(f, "work_mem", memory_units(sizing.sort_bytes.value), sizing.sort_bytes.reason),
        Setting(
            f,
            "hash_mem_multiplier",
            "2.0",
            "hash tables may take twice work_mem (PostgreSQL 15's default), as the sort memory above assumes",
        ),
        Setting(
            f,
            "maintenance_work_mem",
            memory_units(sizing.maintenance_bytes.value),
            sizing.maintenance_bytes.reason,
        ),
        Setting(f, "max_connections", str(int(sizing.max_connections.value)), sizing.max_connections.reason),
        Setting(f, "checkpoint_timeout", f"{int(sizing.checkpoint_s.value)}s", sizing.checkpoint_s.reason),
        Setting(
            f,
            "checkpoint_completion_target",
            "0.9",
            "spread each checkpoint's writes over 90% of the "
            "interval (PostgreSQL 15's default) so they do not burst",
        ),
        Setting(f, "max_wal_size", memory_units(sizing.max_log_bytes.value), sizing.max_log_bytes.reason),
        Setting(f, "min_wal_size", memory_units(sizing.min_log_bytes.value), sizing.min_log_bytes.reason),
        Setting(
            f, "random_page_cost", f"{sizing.random_page_cost.value:.2f}", sizing.random_page_cost.reason
        ),
        Setting(
            f,
            "effective_io_concurrency",
            str(int(sizing.io_concurrency.value)),
            sizing.io_concurrency.reason,
        ),
        Setting(
            f,
            "max_worker_processes",
            str(max(8, int(sizing.cores.value))),
            f"at least one background worker per core ({int(sizing.cores.value)} cores), 8 at least",
        ),
        Setting(
            f,
            "max_parallel_workers_per_gather",
            str(max(0, min(4, int(sizing.cores.value) // 4))),
            "a quarter of the cores (at most 4) for one query's parallel scan, the rest for concurrent "
            "statements",
        ),
        # replication and archiving, for the layout
        Setting(f, "wal_level", "replica", "replicas and point-in-time recovery read the WAL"),
        Setting(f, "hot_standby", "on", "replicas answer the reads that tolerate staleness"),
        Setting(f, "wal_log_hints", "on", "pg_rewind needs it to turn a failed primary back into a replica"),
        Setting(
            f,
            "max_wal_senders",
            str(len(layout.nodes) + 4),
            f"one per replica ({len(layout.nodes) - 1}), plus base backups and pgBackRest",
        ),
        Setting(
            f,
            "max_replication_slots",
            str(len(layout.nodes) + 4),
            "Patroni keeps a slot per replica so the primary holds the WAL a replica still needs",
        ),
        Setting(f, "archive_mode", "on", "WAL goes to the backup repository as each segment completes"),
        archive_command(layout),
        Setting(
            f,
            "archive_timeout",
            f"{layout.backup.archive_timeout_s}s",
            "a quiet server still archives its WAL this often, which bounds what a restore from the "
            "repository can lose",
        ),
        Setting(
            f,
            "wal_keep_size",
            memory_units(sizing.log_keep_bytes.value),
            sizing.log_keep_bytes.reason,
        ),
        Setting(
            f, "log_temp_files", "0", "log every temporary file: a sort or hash spilling to disk shows here"
        ),
        Setting(f, "log_checkpoints", "on", "each checkpoint's duration and cause, to check the WAL sizing"),
    ]
    return tuple(out)


def _conf_value(value: str) -> str:
    """A postgresql.conf value: numbers and units bare, anything else quoted."""
    bare = value.replace(".", "", 1).isdigit() or value in ("on", "off") or value[:1].isdigit()
    if bare and " " not in value:
        return value
    return "'" + value.replace("'", "''") + "'"


def _setting_value(value: str) -> Any:
    if value.isdigit():
        return int(value)
    return value


def postgresql_conf(layout: ClusterLayout) -> str:
    lines = [
        f"# postgresql.conf fragment for {layout.name}, generated by dbarchitect: each setting with "
        "its reason.",
        "# Patroni writes these into every node's configuration (patroni.yml: bootstrap.dcs and",
        "# postgresql.parameters); this file is the same list for review or a server without Patroni.",
    ]
    for s in layout.settings:
        if s.file != "postgresql.conf":
            continue
        lines.append(f"# {s.reason}")
        lines.append(f"{s.name} = {_conf_value(s.value)}")
    return "\n".join(lines) + "\n"


def _hba(layout: ClusterLayout) -> list[str]:
    method = "trust" if layout.scratch else "scram-sha-256"
    hosts = sorted({f"{n.host}/32" if n.host[:1].isdigit() else n.host for n in layout.nodes})
    out = [f"local all all {'trust' if layout.scratch else 'peer'}"]
    for host in hosts:
        out.append(f"host replication {layout.replication_user} {host} {method}")
        out.append(f"host all all {host} {method}")
    if not layout.scratch:
        out.append("host all all 0.0.0.0/0 scram-sha-256")
    return out


def patroni_config(layout: ClusterLayout, node: NodeAddress) -> dict[str, Any]:
    repl = layout.replication
    timing = layout.timing
    cluster_params: dict[str, Any] = {}
    local_params: dict[str, Any] = {}
    for s in layout.settings:
        if s.file != "postgresql.conf":
            continue
        target = cluster_params if s.name in _CLUSTER_WIDE or not layout.scratch else local_params
        target[s.name] = _setting_value(s.value)
    cluster_params.update(local_params)
    # each node archives with its own pgBackRest configuration (its data directory is pg1-path)
    cluster_params.pop("archive_command", None)
    dcs: dict[str, Any] = {
        "ttl": timing.ttl,
        "loop_wait": timing.loop_wait,
        "retry_timeout": timing.retry_timeout,
        "maximum_lag_on_failover": repl.max_lag_on_failover_bytes,
        "synchronous_mode": repl.mode == "synchronous",
        "synchronous_mode_strict": repl.mode == "synchronous" and repl.strict,
        "synchronous_node_count": max(1, repl.quorum),
        "postgresql": {
            "use_pg_rewind": True,
            "use_slots": True,
            "parameters": cluster_params,
        },
    }
    if repl.mode != "synchronous":
        for key in ("synchronous_mode_strict", "synchronous_node_count"):
            dcs.pop(key)
    etcd_hosts = ",".join(f"{m.host}:{m.client_port}" for m in layout.dcs)
    auth: dict[str, Any] = {
        "superuser": {"username": layout.superuser},
        "replication": {"username": layout.replication_user},
        "rewind": {"username": layout.superuser},
    }
    if layout.scratch:
        for entry in auth.values():
            entry["password"] = "scratch"
    config: dict[str, Any] = {
        "scope": layout.name,
        "namespace": "/dbarchitect/",
        "name": node.name,
        "log": {"level": "INFO", "dir": f"{layout.run_dir}/{node.name}"}
        if layout.scratch
        else {"level": "INFO"},
        "restapi": {
            "listen": f"{node.host}:{node.agent_port}",
            "connect_address": f"{node.host}:{node.agent_port}",
        },
        "etcd3": {"hosts": etcd_hosts},
        "bootstrap": {
            "dcs": dcs,
            "initdb": [{"encoding": "UTF8"}, {"locale": "C.UTF-8"}, "data-checksums"],
            "pg_hba": _hba(layout),
        },
        "postgresql": {
            "listen": f"{node.host}:{node.port}",
            "connect_address": f"{node.host}:{node.port}",
            "data_dir": node.data_dir,
            "bin_dir": layout.bin_dir,
            "pgpass": f"{layout.run_dir}/{node.name}.pgpass",
            "authentication": auth,
            "parameters": {
                "unix_socket_directories": f"{layout.run_dir}/{node.name}",
                "archive_command": node_archive_command(layout, node),
            },
            "create_replica_methods": ["basebackup"],
            "basebackup": [{"checkpoint": "fast"}],
        },
        "tags": {"nofailover": False, "noloadbalance": False, "clonefrom": False, "nosync": False},
    }
    callback = f"{layout.config_dir}/pgbouncer-role-{node.name}.sh"
    config["postgresql"]["callbacks"] = {"on_start": callback, "on_role_change": callback}
    return config


def etcd_config(layout: ClusterLayout, index: int) -> dict[str, Any]:
    member = layout.dcs[index]
    cluster = ",".join(f"{m.name}=http://{m.host}:{m.peer_port}" for m in layout.dcs)
    return {
        "name": member.name,
        "data-dir": member.data_dir,
        "listen-client-urls": f"http://{member.host}:{member.client_port}",
        "advertise-client-urls": f"http://{member.host}:{member.client_port}",
        "listen-peer-urls": f"http://{member.host}:{member.peer_port}",
        "initial-advertise-peer-urls": f"http://{member.host}:{member.peer_port}",
        "initial-cluster": cluster,
        "initial-cluster-token": f"{layout.name}-etcd",
        "initial-cluster-state": "new",
        # Patroni's leader key has a TTL of seconds: etcd must answer within them.
        "heartbeat-interval": 100,
        "election-timeout": 1000,
        "enable-v2": False,
        # Patroni's etcd3 client speaks to the gRPC gateway (a config file leaves it off by default)
        "enable-grpc-gateway": True,
    }


def pgbackrest_conf(layout: ClusterLayout) -> str:
    """The repository host's configuration: it reaches every node and backs up from the primary."""
    b = layout.backup
    lines = [
        "# pgbackrest.conf of the repository host, generated by dbarchitect",
        "[global]",
        f"repo1-path={layout.repo_path}",
        "# keep full backups (with their differentials, incrementals and WAL) for the PITR window",
        "repo1-retention-full-type=time",
        f"repo1-retention-full={max(1, round(b.pitr_days))}",
        "start-fast=y",
        "compress-type=lz4",
        "process-max=2",
        "log-level-console=info",
        "log-level-file=detail",
    ]
    if layout.scratch:
        lines += [f"log-path={layout.run_dir}/pgbackrest", f"lock-path={layout.run_dir}/pgbackrest"]
    lines += ["", f"[{layout.name}]"]
    for i, node in enumerate(layout.nodes, start=1):
        if not layout.scratch:
            lines.append(f"pg{i}-host={node.host}")
        lines += [
            f"pg{i}-path={node.data_dir}",
            f"pg{i}-port={node.port}",
            f"pg{i}-socket-path={layout.run_dir}/{node.name}",
        ]
    return "\n".join(lines) + "\n"


def node_archive_command(layout: ClusterLayout, node: NodeAddress) -> str:
    config = f"{layout.config_dir}/pgbackrest-{node.name}.conf"
    return f"pgbackrest --config={config} --stanza={layout.name} archive-push %p"


def pgbackrest_node_conf(layout: ClusterLayout, node: NodeAddress) -> str:
    """A database node's own pgBackRest configuration: it pushes its WAL to the repository."""
    lines = [f"# pgbackrest.conf of {node.name} (archive-push), generated by dbarchitect", "[global]"]
    if layout.scratch:
        lines += [
            f"repo1-path={layout.repo_path}",
            f"log-path={layout.run_dir}/pgbackrest",
            f"lock-path={layout.run_dir}/pgbackrest/{node.name}",
        ]
    else:
        lines += ["repo1-host=backup", "repo1-host-user=postgres", f"repo1-path={layout.repo_path}"]
    lines += [
        "compress-type=lz4",
        "log-level-console=info",
        "",
        f"[{layout.name}]",
        f"pg1-path={node.data_dir}",
        f"pg1-port={node.port}",
        f"pg1-socket-path={layout.run_dir}/{node.name}",
    ]
    return "\n".join(lines) + "\n"


def pgbouncer_ini(layout: ClusterLayout, node: NodeAddress) -> str:
    pool = layout.pool
    auth = "trust" if layout.scratch else "scram-sha-256"
    lines = [
        f"; pgbouncer.ini for {node.name}, generated by dbarchitect (its reasons are in the report)",
        "[databases]",
        "; the target is rewritten by pgbouncer-role-<node>.sh (Patroni's on_start/on_role_change",
        "; callback) whenever this node's role changes: the changed definition makes PgBouncer drop",
        "; its pool, whose cached server parameters (in_hot_standby) libpq's",
        "; target_session_attrs=read-write reads",
        f"%include {layout.config_dir}/pgbouncer-{node.name}-target.ini",
        "",
        "[pgbouncer]",
        f"listen_addr = {node.host}",
        f"listen_port = {node.pooler_port}",
        f"unix_socket_dir = {layout.run_dir}/{node.name}",
        f"auth_type = {auth}",
        f"auth_file = {layout.config_dir}/userlist.txt",
        f"pool_mode = {pool.mode}",
        f"default_pool_size = {pool.pool_size}",
        f"reserve_pool_size = {pool.reserve}",
        "reserve_pool_timeout = 1",
        f"max_client_conn = {pool.max_client_conn}",
        f"max_db_connections = {pool.pool_size + pool.reserve}",
        "server_reset_query = DISCARD ALL",
        "server_check_delay = 10",
        "server_connect_timeout = 3",
        "server_login_retry = 1",
        f"admin_users = {layout.superuser}",
        f"stats_users = {layout.superuser}",
        f"pidfile = {layout.run_dir}/{node.name}/pgbouncer.pid",
        f"logfile = {layout.run_dir}/{node.name}/pgbouncer.log",
    ]
    return "\n".join(lines) + "\n"


def autovacuum_sql(layout: ClusterLayout) -> str:
    lines = ["-- per-table autovacuum thresholds, generated by dbarchitect"]
    for v in layout.vacuum:
        lines.append(f"-- {v.reason}")
        lines.append(
            f'ALTER TABLE "{v.table.replace(chr(34), chr(34) * 2)}" SET '
            f"(autovacuum_vacuum_scale_factor = {v.scale_factor:g}, "
            f"autovacuum_vacuum_threshold = {v.threshold}, autovacuum_analyze_scale_factor = "
            f"{min(0.1, v.scale_factor * 2):g});"
        )
    return "\n".join(lines) + "\n"


def pgbouncer_target(node: NodeAddress, role: str) -> str:
    return f"* = host={node.host} port={node.port} application_name=pgbouncer_{role}\n"


def role_callback(layout: ClusterLayout, node: NodeAddress) -> str:
    """Patroni's callback (``ACTION ROLE SCOPE``): points the node's PgBouncer at its server anew,
    tagged with the role, and reloads it."""
    target = f"{layout.config_dir}/pgbouncer-{node.name}-target.ini"
    return f"""#!/bin/bash
# Patroni callback for {node.name}, generated by dbarchitect: $1 = action, $2 = role, $3 = scope.
exec >>"{layout.run_dir}/{node.name}-callback.log" 2>&1
echo "$(date -u +%FT%T) $1 $2"
case "$2" in
    master|primary|standby_leader) tag=primary ;;
    *) tag=replica ;;
esac
if [ "$tag" = primary ]; then
    # the callback runs as the promotion starts: wait until the server takes writes, or the pooler
    # would cache the standby's parameters again
    for _ in $(seq 1 150); do
        [ "$(psql -X -tA -h {node.host} -p {node.port} -U {layout.superuser} -d postgres \\
            -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
        sleep 0.2
    done
fi
printf '* = host={node.host} port={node.port} application_name=pgbouncer_%s\\n' "$tag" > "{target}.tmp"
mv "{target}.tmp" "{target}"
for _ in 1 2 3 4 5; do
    psql -X -q -h {node.host} -p {node.pooler_port} -U {layout.superuser} -d pgbouncer -c RELOAD && break
    sleep 0.5
done
exit 0
"""


def backup_crontab(layout: ClusterLayout) -> str:
    b = layout.backup
    cmd = f"pgbackrest --config={layout.config_dir}/pgbackrest.conf --stanza={layout.name}"
    lines = ["# crontab of the pgBackRest repository host (user postgres), generated by dbarchitect"]
    lines.append(f"{b.full_cron} {cmd} --type=full backup")
    if b.diff_cron:
        lines.append(f"{b.diff_cron} {cmd} --type=diff backup")
    if b.incr_cron:
        lines.append(f"{b.incr_cron} {cmd} --type=incr backup")
    return "\n".join(lines) + "\n"


def connection_strings(layout: ClusterLayout) -> tuple[str, str]:
    """The application's libpq strings: writes (read-write) and reads that tolerate staleness."""
    hosts = ",".join(n.host for n in layout.nodes)
    ports = ",".join(str(n.pooler_port) for n in layout.nodes)
    base = f"host={hosts} port={ports} dbname={layout.database} connect_timeout=2"
    return f"{base} target_session_attrs=read-write", f"{base} target_session_attrs=prefer-standby"


def render_files(layout: ClusterLayout) -> dict[str, str]:
    files: dict[str, str] = {"postgresql.conf": postgresql_conf(layout)}
    for node in layout.nodes:
        if layout.dcs:
            files[f"patroni-{node.name}.yml"] = yaml.safe_dump(
                patroni_config(layout, node), sort_keys=False, default_flow_style=False
            )
        files[f"pgbouncer-{node.name}.ini"] = pgbouncer_ini(layout, node)
        files[f"pgbouncer-{node.name}-target.ini"] = pgbouncer_target(node, "replica")
        if layout.dcs:
            files[f"pgbouncer-role-{node.name}.sh"] = role_callback(layout, node)
    for i, member in enumerate(layout.dcs):
        files[f"etcd-{member.name}.yml"] = yaml.safe_dump(etcd_config(layout, i), sort_keys=False)
    if layout.vacuum:
        files["autovacuum.sql"] = autovacuum_sql(layout)
    files["pgbackrest.conf"] = pgbackrest_conf(layout)
    if layout.dcs:
        for node in layout.nodes:
            files[f"pgbackrest-{node.name}.conf"] = pgbackrest_node_conf(layout, node)
    files["backup.crontab"] = backup_crontab(layout)
    writes, reads = connection_strings(layout)
    files["connections.txt"] = (
        "# libpq connection strings for the application (through the poolers)\n"
        f"writes: {writes}\nreads that tolerate staleness: {reads}\n"
        "# PgBouncer runs in transaction mode: disable server-side prepared statements in the driver\n"
        "# (psycopg: prepare_threshold=None; JDBC: prepareThreshold=0).\n"
    )
    return files


def runbooks(layout: ClusterLayout) -> tuple[Runbook, ...]:
    if not layout.dcs:
        return _single_node_runbooks(layout)
    cfg = layout.config_dir
    first, second = layout.nodes[0], layout.nodes[1] if len(layout.nodes) > 1 else layout.nodes[0]
    ctl = f"patronictl -c {cfg}/patroni-{first.name}.yml"
    br = f"pgbackrest --config={cfg}/pgbackrest.conf --stanza={layout.name}"
    psql = f"psql -h {first.host} -p {first.pooler_port} -U {layout.superuser} -d {layout.database}"
    out = [
        Runbook(
            "Failover",
            "the primary is lost (crash, host down): Patroni promotes a replica on its own",
            (
                RunbookStep(
                    f"Patroni notices within the leader key's TTL ({layout.timing.ttl}s) and promotes the "
                    "most up-to-date synchronous replica; watch it happen",
                    f"{ctl} list {layout.name}",
                ),
                RunbookStep(
                    "If no leader appears (e.g. every replica lags more than maximum_lag_on_failover), "
                    "promote one by hand, accepting the loss it implies",
                    f"{ctl} failover {layout.name} --candidate {second.name} --force",
                ),
                RunbookStep(
                    "Applications reconnect through the multi-host string (target_session_attrs=read-write); "
                    "check writes go through",
                    f"{psql} -c 'SELECT pg_is_in_recovery()'",
                ),
                RunbookStep(
                    "When the old primary's host is back, start its agent: Patroni rewinds it (pg_rewind) "
                    "and it rejoins as a replica",
                    f"patroni {cfg}/patroni-{first.name}.yml",
                ),
            ),
        ),
        Runbook(
            "Switchover",
            "planned work on the primary (upgrade, reboot): move the leader first",
            (
                RunbookStep("Check every member is streaming with no lag", f"{ctl} list {layout.name}"),
                RunbookStep(
                    f"Hand the leader key to {second.name}; writes pause for the promotion (seconds)",
                    f"{ctl} switchover {layout.name} --leader {first.name} --candidate {second.name} --force",
                ),
                RunbookStep("Confirm the new roles", f"{ctl} list {layout.name}"),
            ),
        ),
        Runbook(
            "Point-in-time restore",
            "data was damaged (a bad migration, a DELETE without WHERE): restore to a new instance just "
            "before it, then copy back what was lost",
            (
                RunbookStep("List the backups and the WAL range the repository holds", f"{br} info"),
                RunbookStep(
                    "Restore into an empty directory as of the chosen time (recovery stops there and "
                    "promotes)",
                    f"mkdir -m 700 /var/lib/postgresql/15/restore && {br} "
                    "--pg1-path=/var/lib/postgresql/15/restore "
                    "--type=time --target='2024-01-01 12:00:00+00' --target-action=promote "
                    "--archive-mode=off restore",
                ),
                RunbookStep(
                    "Start it on a spare port and check the data at that point",
                    f"{layout.bin_dir}/pg_ctl -D /var/lib/postgresql/15/restore -o '-p 5499' -w start",
                ),
                RunbookStep(
                    "Copy the lost rows back to the primary (pg_dump -t TABLE --data-only from the restored "
                    "instance), then stop and remove it",
                    f"{layout.bin_dir}/pg_ctl -D /var/lib/postgresql/15/restore -m fast stop",
                ),
            ),
        ),
        Runbook(
            "Replica rebuild",
            "a replica is broken or too far behind to catch up from WAL",
            (
                RunbookStep(
                    "Patroni wipes the member's data directory and clones it again from the leader",
                    f"{ctl} reinit {layout.name} {second.name} --force --wait",
                ),
                RunbookStep("Check it streams again", f"{ctl} list {layout.name}"),
            ),
        ),
        Runbook(
            "Backups",
            "set up once, then on the schedule (backup.crontab)",
            (
                RunbookStep("Create the stanza on the repository host", f"{br} stanza-create"),
                RunbookStep("Check WAL archiving reaches the repository", f"{br} check"),
                RunbookStep("Take the first full backup", f"{br} --type=full backup"),
                RunbookStep(
                    "Install the schedule",
                    f"crontab -u postgres {cfg}/backup.crontab",
                ),
            ),
        ),
    ]
    return tuple(out)


def _single_node_runbooks(layout: ClusterLayout) -> tuple[Runbook, ...]:
    cfg = layout.config_dir
    node = layout.primary
    br = f"pgbackrest --config={cfg}/pgbackrest.conf --stanza={layout.name}"
    restore_dir = node.data_dir
    return (
        Runbook(
            "Recovery from a node failure",
            "the only server is lost: no replica to promote, restore the latest state from the repository",
            (
                RunbookStep("List the backups and the archived WAL", f"{br} info"),
                RunbookStep(
                    "On the replacement host, restore the latest backup and replay every archived "
                    "WAL segment",
                    f"{br} --pg1-path={restore_dir} --delta restore",
                ),
                RunbookStep("Start PostgreSQL", f"{layout.bin_dir}/pg_ctl -D {restore_dir} -w start"),
            ),
        ),
        Runbook(
            "Point-in-time restore",
            "data was damaged: restore to a new instance as of a moment before it",
            (
                RunbookStep(
                    "Restore into an empty directory as of the chosen time",
                    f"{br} --pg1-path=/var/lib/postgresql/15/restore --type=time "
                    "--target='2024-01-01 12:00:00+00' --target-action=promote --archive-mode=off restore",
                ),
                RunbookStep(
                    "Start it on a spare port and copy the lost rows back",
                    f"{layout.bin_dir}/pg_ctl -D /var/lib/postgresql/15/restore -o '-p 5499' -w start",
                ),
            ),
        ),
        Runbook(
            "Backups",
            "set up once, then on the schedule (backup.crontab)",
            (
                RunbookStep("Create the stanza", f"{br} stanza-create"),
                RunbookStep("Check WAL archiving", f"{br} check"),
                RunbookStep("Install the schedule", f"crontab -u postgres {cfg}/backup.crontab"),
            ),
        ),
    )


def archive_command(layout: ClusterLayout) -> Setting:
    node = layout.primary.name if layout.dcs else None
    config = f"pgbackrest-{node}.conf" if node else "pgbackrest.conf"
    return Setting(
        "postgresql.conf",
        "archive_command",
        f"pgbackrest --config={layout.config_dir}/{config} --stanza={layout.name} archive-push %p",
        "every completed WAL segment goes to the pgBackRest repository: point-in-time recovery"
        + (" (each node names its own pgbackrest-<node>.conf: patroni-<node>.yml)" if node else ""),
    )
