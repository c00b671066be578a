"""The PostgreSQL drill: the generated 3-node Patroni cluster with etcd, a PgBouncer per node and a
pgBackRest repository, all on loopback in the scratch directory.

Each node has its own loopback address (127.0.0.11, .12, ...: Patroni refuses 127.0.0.1 as a
connect address), every port is free when taken. The configuration files are the design's, rendered
from a layout with these addresses and directories, and checked by the tools themselves
(``patroni --validate-config``, etcd, PgBouncer and PostgreSQL starting on them, ``pgbackrest check``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.engines.operations import NodeAddress
from dbarchitect.errors import Diagnostic
from dbarchitect.model.names import EngineName
from dbarchitect.verify.drill.model import (
    DrillOptions,
    KillResult,
    LogResult,
    RestoreResult,
    RunOutput,
    TempResult,
)
from dbarchitect.verify.drill.pg_cluster import (
    DB,
    PG_BIN,
    START_TIMEOUT,
    Node,
    PgCluster,
    checksums,
    cluster_bytes,
    connect,
    query,
    repo_bytes,
)
from dbarchitect.verify.drill.processes import (
    DrillError,
    free_port,
    give_to,
    run,
    wait_until,
)
from dbarchitect.verify.drill.workload import DrillWorkload, table_names
from dbarchitect.verify.drill.writer import LEDGER, Writer, writer_threads


def run_drill(
    plan: OperationsPlan,
    work: DrillWorkload,
    root: Path,
    options: DrillOptions,
    *,
    full_bytes: float,
    progress: Callable[[str], None],
) -> RunOutput:
    cluster = PgCluster(root, plan, options)
    notes: list[str] = []
    try:
        cluster.write_files()
        progress("starting etcd")
        cluster.start_etcd()
        cluster.validate_patroni()
        progress("starting Patroni (3 nodes)")
        for node in cluster.nodes:
            cluster.start_patroni(node)
        cluster.wait_healthy()
        leader = cluster.leader()
        assert leader is not None
        direct = cluster.conninfo(leader.address, pooled=False, dbname="postgres")
        query(direct, f"CREATE DATABASE {DB}")
        progress("pgBackRest stanza")
        cluster.backrest("stanza-create")
        cluster.backrest("check")
        cluster.validated.append("pgbackrest stanza-create and check: WAL archiving reaches the repository")
        restores: list[RestoreResult] = []

        for node in cluster.nodes:
            cluster.start_pooler(node)
        cluster.validated.append(f"PgBouncer: {len(cluster.nodes)} poolers started from pgbouncer-*.ini")
        progress(f"loading synthetic data at scale {options.scale:g}")
        data = work.load(
            f"postgresql://{cluster.layout.superuser}@{leader.address.host}:{leader.address.port}/{DB}"
        )
        query(
            cluster.conninfo(leader.address, pooled=False),
            f"CREATE TABLE {LEDGER} (id bigint PRIMARY KEY, "
            "at timestamptz NOT NULL DEFAULT clock_timestamp())",
        )
        tables = [*table_names(work.catalog), LEDGER]

        def writer(ledger: bool = True, id_start: int = 1) -> Writer:
            return Writer(
                work.ops,
                data,
                EngineName.POSTGRESQL,
                lambda: connect(cluster.writable_conninfo()),
                rate=work.rate,
                threads=writer_threads(work.rate),
                ledger=ledger,
                seed=options.seed,
                id_start=id_start,
            )

        # the change log under the write mix, and the replica lag
        log = None
        if options.measure_log:
            progress("measuring WAL volume and replica lag")
            log = _measure_log(cluster, work, writer(ledger=False), options.log_seconds)
        if options.backups:
            # point-in-time restore at the loaded scale
            progress("backup and point-in-time restore")
            w = writer(id_start=10**9)
            w.start()
            time.sleep(1.0)
            restores.append(_backup_and_restore(cluster, "1x", w, tables))
            w.stop()
        # failover drills
        kills: list[KillResult] = []
        w = writer()
        w.start()
        try:
            mode = cluster.layout.replication.mode + (
                " (strict)" if cluster.layout.replication.strict else ""
            )
            for number in range(1, options.kills + 1):
                progress(f"kill {number} of {options.kills}: SIGKILL of the primary")
                kills.append(replace(_kill_once(cluster, w, number), replication=mode))
            if options.async_kills and cluster.layout.replication.mode == "synchronous":
                progress("switching the cluster to asynchronous replication (Patroni dynamic configuration)")
                _set_asynchronous(cluster)
                for number in range(options.kills + 1, options.kills + options.async_kills + 1):
                    progress(f"kill {number}: SIGKILL of the primary under asynchronous replication")
                    kills.append(replace(_kill_once(cluster, w, number), replication="asynchronous"))
        finally:
            w.stop()
        # temporary files with the generated sort memory and the default, through the pool
        temp = None
        if options.replay:
            progress("replaying the reads at concurrency (temporary files, pool wait)")
            temp = _temp_files(cluster, work, options)
        if options.backups and options.second_scale:
            progress("restore at twice the scale")
            cluster.wait_healthy()
            leader = cluster.leader()
            assert leader is not None
            query(
                cluster.conninfo(leader.address, pooled=False, dbname="postgres"), f"CREATE DATABASE {DB}_2x"
            )
            work.load(
                f"postgresql://{cluster.layout.superuser}@{leader.address.host}:{leader.address.port}/{DB}_2x",
                seed=options.seed + 1,
            )
            # the same backup and point-in-time restore as at 1x, the writer going
            w = writer(id_start=2 * 10**9)
            w.start()
            try:
                restores.append(_backup_and_restore(cluster, "2x", w, tables))
            finally:
                w.stop()
        timing = cluster.layout.timing
        design = plan.layout.timing
        estimate = plan.topology.failover_s - (design.ttl + design.loop_wait) + timing.ttl + timing.loop_wait
        return RunOutput(
            kills,
            restores,
            log,
            temp,
            cluster.validated,
            timing.ttl,
            timing.loop_wait,
            notes,
            estimated_failover_s=estimate,
            timing=f"leader key TTL {timing.ttl}s, loop {timing.loop_wait}s",
        )
    finally:
        progress("stopping the cluster")
        cluster.stop()


def _measure_log(cluster: PgCluster, work: DrillWorkload, w: Writer, seconds: float) -> LogResult:
    cluster.wait_healthy()
    leader = cluster.leader()
    assert leader is not None
    direct = cluster.conninfo(leader.address, pooled=False)
    # A table loaded moments ago is what autovacuum works on next: its hint bits, visibility map and
    # statistics would be logged (page images, with checksums on) inside the window and counted as the
    # write mix's. A server that has run a while has done that already, so it is done here first.
    with contextlib.closing(connect(direct, autocommit=True)) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    start = query(direct, "SELECT pg_current_wal_lsn()")[0][0]
    w.start()
    started = time.monotonic()
    lag_s: list[float] = []
    lag_b: list[float] = []
    while time.monotonic() - started < seconds:
        with contextlib.suppress(Exception):
            for s, b in query(
                direct,
                "SELECT extract(epoch FROM replay_lag), pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn) "
                "FROM pg_stat_replication",
            ):
                if s is not None:
                    lag_s.append(float(s))
                if b is not None:
                    lag_b.append(float(b))
        time.sleep(0.25)
    w.stop()
    elapsed = time.monotonic() - started
    end = query(direct, "SELECT pg_current_wal_flush_lsn()")[0][0]
    measured = _wal_record_bytes(cluster, leader, str(start), str(end))
    estimated = work.estimated_log_bytes(
        cluster.plan, w.log.executions, elapsed, commits=sum(w.log.executions.values())
    )
    return LogResult(
        elapsed,
        dict(sorted(w.log.executions.items())),
        measured,
        estimated,
        max(lag_s) if lag_s else None,
        max(lag_b) if lag_b else None,
        work.estimated_lag_s,
    )


def _wal_record_bytes(cluster: PgCluster, node: Node, start: str, end: str) -> float:
    """The bytes of the WAL records (page images included) between two positions, as ``pg_waldump
    --stats`` totals them. Not the distance between the positions: a segment switch (``archive_timeout``
    fires every minute) moves the insert position to the next 16 MB boundary with nothing written."""
    if start == end:
        return 0.0
    done = run(
        [
            f"{PG_BIN}/pg_waldump",
            "--stats",
            "-p",
            str(Path(node.address.data_dir) / "pg_wal"),
            "-s",
            start,
            "-e",
            end,
        ],
        user=cluster.user,
        timeout=120,
    )
    for line in done.stdout.splitlines():
        words = line.split()
        if words and words[0] == "Total":
            # Total  <records> <record bytes> [pct] <FPI bytes> [pct] <combined bytes> [pct]
            numbers = [w for w in words[1:] if not w.startswith("[")]
            return float(numbers[-1])
    raise DrillError(Diagnostic(f"pg_waldump --stats printed no total for {start}..{end}"))


def _backup_and_restore(
    cluster: PgCluster, label: str, w: Writer | None, tables: list[str] | None
) -> RestoreResult:
    cluster.wait_healthy()
    leader = cluster.leader()
    assert leader is not None
    direct = cluster.conninfo(leader.address, pooled=False, dbname="postgres")
    size = cluster_bytes(direct)
    t0 = time.monotonic()
    cluster.backrest("--type=full", "backup")
    backup_s = time.monotonic() - t0
    target: str | None = None
    expected: dict[str, tuple[int, str]] = {}
    if w is not None and tables is not None:
        time.sleep(1.0)
        w.pause()
        expected = checksums(cluster.conninfo(leader.address, pooled=False), tables)
        target = str(query(direct, "SELECT clock_timestamp()")[0][0])
        time.sleep(0.2)
        w.resume()
        time.sleep(1.5)
        w.pause()
    lsn = query(direct, "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
    wait_until(
        "the last WAL segment archived",
        lambda: (query(direct, "SELECT last_archived_wal FROM pg_stat_archiver")[0][0] or "") >= lsn,
        60,
    )
    if w is not None:
        w.resume()
    restore_dir = cluster.root / "restore" / label
    restore_dir.parent.mkdir(parents=True, exist_ok=True)
    restore_dir.mkdir(mode=0o700)
    give_to(cluster.user, restore_dir.parent)
    port = free_port()
    sock = cluster.run_dir / f"restore-{label}"
    sock.mkdir(exist_ok=True)
    give_to(cluster.user, sock)
    args = [f"--pg1-path={restore_dir}", "--archive-mode=off"]
    if target is not None:
        args += ["--type=time", f"--target={target}", "--target-action=promote"]
    started = time.monotonic()
    cluster.backrest(*args, "restore")
    copy_s = time.monotonic() - started
    opts = (
        f"-c port={port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={sock} -c archive_mode=off "
        "-c synchronous_standby_names='' -c hot_standby=on -c shared_buffers=128MB"
    )
    log = cluster.run_dir / f"restore-{label}.log"
    run(
        [f"{PG_BIN}/pg_ctl", "-D", str(restore_dir), "-l", str(log), "-o", opts, "-w", "-t", "300", "start"],
        user=cluster.user,
        timeout=320,
    )
    conninfo = f"host=127.0.0.1 port={port} dbname=postgres user={cluster.layout.superuser} connect_timeout=3"
    wait_until(
        "the restored instance promoted",
        lambda: not query(conninfo, "SELECT pg_is_in_recovery()")[0][0],
        300,
        interval=0.1,
        log=log,
    )
    restore_s = time.monotonic() - started
    mismatched: list[str] = []
    if expected:
        got = checksums(conninfo.replace("dbname=postgres", f"dbname={DB}"), list(expected))
        mismatched = [t for t in expected if got.get(t) != expected[t]]
    run(
        [f"{PG_BIN}/pg_ctl", "-D", str(restore_dir), "-m", "immediate", "-w", "stop"],
        user=cluster.user,
        check=False,
    )
    import shutil

    shutil.rmtree(restore_dir, ignore_errors=True)
    return RestoreResult(
        label,
        size,
        backup_s,
        restore_s,
        repo_bytes(cluster.root),
        target,
        len(expected),
        tuple(mismatched),
        copy_s,
    )


def _set_asynchronous(cluster: PgCluster) -> None:
    """Turn synchronous replication off through Patroni's REST API (dynamic configuration)."""
    import json
    import urllib.request

    leader = cluster.leader()
    assert leader is not None
    body = json.dumps({"synchronous_mode": False, "synchronous_mode_strict": False}).encode()
    request = urllib.request.Request(
        f"http://{leader.address.host}:{leader.address.agent_port}/config", data=body, method="PATCH"
    )
    with urllib.request.urlopen(request, timeout=10):  # loopback only
        pass
    cluster.synchronous = False
    wait_until(
        "synchronous replication off",
        lambda: (
            not query(cluster.conninfo(leader.address, pooled=False), "SHOW synchronous_standby_names")[0][0]
        ),
        60,
        0.2,
    )


def _kill_once(cluster: PgCluster, w: Writer, number: int) -> KillResult:
    cluster.wait_healthy()
    time.sleep(1.0)  # the writer commits through the current primary
    leader = cluster.leader()
    assert leader is not None
    killed_at = time.monotonic()
    errors_before = len(w.log.errors)
    cluster.kill_node(leader)
    wait_until(
        "a new primary", lambda: (n := cluster.leader()) is not None and n is not leader, START_TIMEOUT, 0.1
    )
    new = cluster.leader()
    assert new is not None
    try:
        wait_until(
            "a commit through the new primary", lambda: w.log.first_ack_after(killed_at) is not None, 60, 0.05
        )
    except DrillError:
        seen = list(dict.fromkeys(e for _, e in w.log.errors[-50:]))[-3:]
        probe = ""
        with contextlib.suppress(Exception):
            conn = connect(cluster.conninfo(new.address, pooled=True), autocommit=True)
            probe = (
                f"; through {new.address.name}'s pooler in_hot_standby="
                f"{conn.info.parameter_status('in_hot_standby')}, "
                f"transaction_read_only={conn.execute('SHOW transaction_read_only').fetchone()}"
            )
            conn.close()
        raise DrillError(
            Diagnostic(
                "no write committed within 60s of the kill; the writer's last errors: "
                + " | ".join(seen)
                + probe
            )
        ) from None
    first = w.log.first_ack_after(killed_at)
    acked = w.log.acked_before(killed_at)
    present: set[int] = set()
    if acked:
        rows = query(
            cluster.conninfo(new.address, pooled=False),
            f"SELECT id FROM {LEDGER} WHERE id = ANY(%s)",
            (sorted(acked),),
        )
        present = {int(r[0]) for r in rows}
    lost = sorted(acked - present)
    # the old primary rejoins as a replica (Patroni rewinds it), with its pooler
    cluster.start_patroni(leader)
    cluster.start_pooler(leader)
    return KillResult(
        number,
        leader.address.name,
        new.address.name,
        None if first is None else first - killed_at,
        len(acked),
        len(lost),
        tuple(lost[:10]),
        len(w.log.errors) - errors_before,
    )


def _temp_files(cluster: PgCluster, work: DrillWorkload, options: DrillOptions) -> TempResult | None:
    cluster.wait_healthy()
    leader = cluster.leader()
    if leader is None or not work.reads:
        return None
    pooled = cluster.conninfo(leader.address, pooled=True)
    generated = next((s.value for s in cluster.layout.settings if s.name == "work_mem"), "4MB")
    default = "4MB"
    threads = max(2, min(8, cluster.plan.pool.pool_size))

    def one_pass(setting: str | None) -> tuple[float, int, list[str]]:
        prelude = None if setting is None else f"SET LOCAL work_mem = '{setting}'"
        return work.replay_reads(
            lambda: connect(pooled),
            threads=threads,
            repetitions=options.replay_repetitions,
            run_one=lambda cur, sql, params: _explain_temp_bytes(cur, sql, params, prelude),
        )

    stats_before = _pool_stats(cluster, leader.address)
    temp_generated, executions, spill_generated = one_pass(None)
    stats_after = _pool_stats(cluster, leader.address)
    temp_default, _, spill_default = one_pass(default)
    wait_ms = None
    if stats_before and stats_after:
        xacts = stats_after[0] - stats_before[0]
        wait_us = stats_after[1] - stats_before[1]
        wait_ms = wait_us / 1000.0 / xacts if xacts > 0 else None
    return TempResult(
        "work_mem",
        generated,
        default,
        executions,
        temp_generated,
        temp_default,
        wait_ms,
        threads,
        tuple(spill_default),
        tuple(spill_generated),
    )


def _explain_temp_bytes(cur: Any, sql: str, params: Any, prelude: str | None) -> float:
    """Run ``sql`` once under EXPLAIN (ANALYZE, BUFFERS) in its own transaction; bytes written to
    temporary files by its sorts and hashes."""
    if prelude:
        cur.execute(prelude)
    cur.execute(f"EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) {sql}", params)
    row = cur.fetchone()
    plan = row[0] if row else []
    if isinstance(plan, str):
        import json

        plan = json.loads(plan)
    blocks = 0

    def walk(node: dict[str, Any]) -> None:
        nonlocal blocks
        blocks = max(blocks, int(node.get("Temp Written Blocks", 0)))
        for child in node.get("Plans", []) or []:
            walk(child)

    for entry in plan:
        walk(entry.get("Plan", {}))
    return blocks * 8192.0


def _pool_stats(cluster: PgCluster, node: NodeAddress) -> tuple[float, float] | None:
    """(transactions, microseconds waited) PgBouncer counted for the drill database."""
    done = run(
        [
            "psql",
            "-h",
            node.host,
            "-p",
            str(node.pooler_port),
            "-U",
            cluster.layout.superuser,
            "-d",
            "pgbouncer",
            "-AtF",
            "\t",
            "-c",
            "SHOW STATS",
        ],
        check=False,
        timeout=30,
    )
    header = run(
        [
            "psql",
            "-h",
            node.host,
            "-p",
            str(node.pooler_port),
            "-U",
            cluster.layout.superuser,
            "-d",
            "pgbouncer",
            "-AF",
            "\t",
            "-c",
            "SHOW STATS",
        ],
        check=False,
        timeout=30,
    )
    names = header.stdout.splitlines()[0].split("\t") if header.stdout else []
    for line in done.stdout.splitlines():
        values = dict(zip(names, line.split("\t"), strict=False))
        if values.get("database") == DB:
            return float(values.get("total_xact_count", 0)), float(values.get("total_wait_time", 0))
    return None
