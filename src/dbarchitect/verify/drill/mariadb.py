"""The MariaDB drill: a primary and a semi-synchronous replica started from the design's ``my.cnf``
files on loopback, the generated ``failover.sh`` promoting the replica after a SIGKILL of the primary,
``rebuild-replica.sh`` turning the failed primary into the new primary's replica (mariadb-backup),
and a point-in-time restore from mariadb-backup plus the binlog.

With strict semi-synchronous replication and a single replica, the new primary's commits wait until
the rebuilt replica acknowledges them: the failover time measured includes the rebuild (the design
asks for a second replica so that it does not; the drill runs the primary and one replica).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.engines.operations import ClusterLayout, NodeAddress
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
from dbarchitect.verify.drill.processes import (
    DrillError,
    Processes,
    Started,
    free_port,
    give_to,
    need_tool,
    run,
    wait_until,
)
from dbarchitect.verify.drill.workload import DrillWorkload
from dbarchitect.verify.drill.writer import LEDGER, Writer, writer_threads

DB = "drill"
START_TIMEOUT = 120.0


def _mysql_user() -> str | None:
    if os.geteuid() != 0:
        return None
    import pwd

    try:
        pwd.getpwnam("mysql")
        return "mysql"
    except KeyError:
        return "root"


class MariaCluster:
    def __init__(self, root: Path, plan: OperationsPlan, options: DrillOptions) -> None:
        self.root = root
        self.plan = plan
        self.options = options
        self.user = _mysql_user()
        self.procs = Processes(root)
        self.conf = root / "conf"
        self.run_dir = root / "run"
        for d in (self.conf, self.run_dir, root / "repo", root / "my", root / "logs"):
            d.mkdir(parents=True, exist_ok=True)
        nodes = tuple(
            NodeAddress(f"node{i + 1}", "127.0.0.1", free_port(), 0, 0, str(root / "my" / f"node{i + 1}"))
            for i in range(2)
        )
        layout: ClusterLayout = replace(
            plan.layout,
            name="drill",
            database=DB,
            nodes=nodes,
            dcs=(),
            repo_path=str(root / "repo"),
            run_dir=str(self.run_dir),
            config_dir=str(self.conf),
            scratch=True,
        )
        self.layout = replace(layout, settings=plan.profile.server_settings(plan.sizing, layout))
        self.files = plan.profile.render(self.layout)
        self.server: dict[str, Started] = {}
        self.primary = nodes[0]
        self.replica = nodes[1]
        self.validated: list[str] = []
        #: False once the drill switched the cluster to asynchronous replication (``--async-kills``).
        self.synchronous = layout.replication.mode == "synchronous"
        #: The failover script the drill runs (the design's ``failover.sh``).
        self.failover = self.conf / "failover.sh"

    def write_files(self) -> None:
        for name, content in self.files.items():
            path = self.conf / name
            path.write_text(content, encoding="utf-8")
            if name.endswith(".sh"):
                path.chmod(0o755)
        for node in self.layout.nodes:
            (self.run_dir / node.name).mkdir(parents=True, exist_ok=True)
        if self.user == "mysql":
            give_to("mysql", self.run_dir, self.root / "my")

    def install(self, node: NodeAddress) -> None:
        tool = need_tool("mariadb-install-db", "mariadb-server")
        Path(node.data_dir).mkdir(parents=True, exist_ok=True)
        if self.user == "mysql":
            give_to("mysql", Path(node.data_dir))
        args = [
            tool,
            "--no-defaults",
            f"--datadir={node.data_dir}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
        ]
        if self.user:
            args.append(f"--user={self.user}")
        run(args, timeout=180)

    def start(self, node: NodeAddress, *, read_only: bool) -> None:
        server = need_tool("mariadbd", "mariadb-server")
        args = [
            server,
            f"--defaults-file={self.conf / f'my-{node.name}.cnf'}",
            f"--pid-file={self.run_dir / node.name / 'mariadbd.pid'}",
            f"--log-error={self.run_dir / node.name / 'error.log'}",
            f"--read-only={'ON' if read_only else 'OFF'}",
            # a replica does not wait for acknowledgements of its own (as my-<replica>.cnf says)
            *(["--rpl-semi-sync-master-enabled=OFF"] if read_only else []),
            "--skip-slave-start",
        ]
        if self.user:
            args.append(f"--user={self.user}")
        self.server[node.name] = self.procs.start(f"mariadbd-{node.name}", args)
        wait_until(
            f"MariaDB {node.name} accepting connections",
            lambda: bool(self.query(node, "SELECT 1")),
            START_TIMEOUT,
            log=self.run_dir / node.name / "error.log",
        )

    def connect(self, node: NodeAddress, database: str | None = None, autocommit: bool = True) -> Any:
        import pymysql

        return pymysql.connect(
            host=node.host,
            port=node.port,
            user="root",
            password="",
            database=database,
            autocommit=autocommit,
            connect_timeout=2,
            read_timeout=120,
            write_timeout=120,
        )

    def query(self, node: NodeAddress, sql: str, database: str | None = None) -> list[tuple[Any, ...]]:
        conn = self.connect(node, database)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall()) if cur.description else []
        finally:
            conn.close()

    def status(self, node: NodeAddress, name: str) -> str:
        rows = self.query(node, f"SHOW GLOBAL STATUS LIKE '{name}'")
        return str(rows[0][1]) if rows else ""

    def slave(self, node: NodeAddress) -> dict[str, Any]:
        conn = self.connect(node)
        try:
            with conn.cursor() as cur:
                cur.execute("SHOW SLAVE STATUS")
                row = cur.fetchone()
                names = [d[0] for d in cur.description or ()]
                return dict(zip(names, row, strict=False)) if row else {}
        finally:
            conn.close()

    def attach(self, replica: NodeAddress, primary: NodeAddress, gtid: str | None = None) -> None:
        if gtid is not None:
            self.query(replica, f"SET GLOBAL gtid_slave_pos = '{gtid}'")
        self.query(
            replica,
            f"CHANGE MASTER TO MASTER_HOST='{primary.host}', MASTER_PORT={primary.port}, "
            f"MASTER_USER='{self.layout.replication_user}', MASTER_PASSWORD='drill', "
            "MASTER_USE_GTID=slave_pos",
        )
        self.query(replica, "START SLAVE")
        wait_until(
            f"{replica.name} replicating from {primary.name}"
            + (" with semi-synchronous acknowledgements" if self.synchronous else ""),
            lambda: (
                self.slave(replica).get("Slave_IO_Running") == "Yes"
                and (
                    not self.synchronous
                    or self.status(primary, "Rpl_semi_sync_master_clients") not in ("", "0")
                )
            ),
            START_TIMEOUT,
            interval=0.2,
            log=self.run_dir / replica.name / "error.log",
        )

    def kill(self, node: NodeAddress) -> None:
        entry = self.server.pop(node.name, None)
        if entry is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(entry.proc.pid, signal.SIGKILL)
            with contextlib.suppress(Exception):
                entry.proc.wait(timeout=15)

    def writable_connect(self) -> Any:
        last: Exception | None = None
        for node in (self.primary, self.replica):
            try:
                conn = self.connect(node, DB, autocommit=False)
            except Exception as exc:  # not up: try the other node
                last = exc
                continue
            with conn.cursor() as cur:
                cur.execute("SELECT @@read_only")
                row = cur.fetchone()
            if row and int(row[0]) == 0:
                return conn
            conn.close()
        raise last or RuntimeError("no writable MariaDB node")

    def stop(self) -> None:
        self.procs.stop_all()


def _checksums(cluster: MariaCluster, node: NodeAddress, work: DrillWorkload) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    columns = {t.name.value: [c.name.value for c in t.columns] for t in work.catalog.tables}
    columns[LEDGER] = ["id", "at"]
    for table, cols in columns.items():
        quoted = ", ".join(f"`{c}`" for c in cols)
        rows = cluster.query(
            node, f"SELECT COUNT(*), COALESCE(SUM(CRC32(CONCAT_WS('|', {quoted}))), 0) FROM `{table}`", DB
        )
        out[table] = (int(rows[0][0]), int(rows[0][1]))
    return out


def _binlog_bytes(cluster: MariaCluster, node: NodeAddress) -> float:
    return float(sum(int(r[1]) for r in cluster.query(node, "SHOW BINARY LOGS")))


def run_drill(
    plan: OperationsPlan,
    work: DrillWorkload,
    root: Path,
    options: DrillOptions,
    *,
    full_bytes: float,
    progress: Callable[[str], None],
) -> RunOutput:
    cluster = MariaCluster(root, plan, options)
    t = cluster.layout.timing
    out = RunOutput(
        estimated_failover_s=plan.topology.failover_s,
        timing=f"failover.sh: {t.checks_to_fail} failed checks {t.check_interval_s:g}s apart",
    )
    try:
        cluster.write_files()
        progress("starting MariaDB (a primary and a semi-synchronous replica)")
        for node in cluster.layout.nodes:
            cluster.install(node)
            cluster.start(node, read_only=node is not cluster.primary)
        # the replication user exists on both nodes without going through the binlog: a strict
        # semi-synchronous primary holds every commit until a replica acknowledges it
        repl = cluster.layout.replication_user
        for node in cluster.layout.nodes:
            conn = cluster.connect(node)
            try:
                with conn.cursor() as cur:
                    cur.execute("SET SESSION sql_log_bin = 0")
                    cur.execute(f"CREATE USER '{repl}'@'%' IDENTIFIED BY 'drill'")
                    cur.execute(f"GRANT REPLICATION SLAVE, REPLICATION CLIENT ON *.* TO '{repl}'@'%'")
            finally:
                conn.close()
        cluster.attach(cluster.replica, cluster.primary)
        cluster.query(cluster.primary, f"CREATE DATABASE {DB}")
        out.validated.append(
            "MariaDB: both servers started from my-node*.cnf; the replica acknowledges semi-synchronously"
        )
        progress(f"loading synthetic data at scale {options.scale:g}")
        data = work.load(f"mysql://root@{cluster.primary.host}:{cluster.primary.port}/{DB}")
        cluster.query(
            cluster.primary,
            f"CREATE TABLE {LEDGER} (id bigint PRIMARY KEY, "
            "at datetime(6) NOT NULL DEFAULT current_timestamp(6))",
            DB,
        )

        def writer(ledger: bool = True, id_start: int = 1) -> Writer:
            return Writer(
                work.ops,
                data,
                EngineName.MARIADB,
                cluster.writable_connect,
                rate=work.rate,
                threads=writer_threads(work.rate),
                ledger=ledger,
                seed=options.seed,
                id_start=id_start,
            )

        if options.measure_log:
            progress("measuring binlog volume and replica lag")
            out.log = _measure_log(cluster, work, writer(ledger=False), options.log_seconds)
        if options.backups:
            progress("mariadb-backup and point-in-time restore")
            w = writer(id_start=10**9)
            w.start()
            try:
                out.restores.append(_backup_and_restore(cluster, work, w, label="1x"))
            finally:
                w.stop()
        if options.replay:
            progress("replaying the reads at concurrency (temporary tables and sorts on disk)")
            out.temp = _temp_tables(cluster, work, options)
        w = writer()
        w.start()
        try:
            mode = cluster.layout.replication.mode + (
                " (strict)" if cluster.layout.replication.strict else ""
            )
            for number in range(1, options.kills + 1):
                progress(f"kill {number} of {options.kills}: SIGKILL of the primary, failover.sh, rebuild")
                out.kills.append(replace(_kill_once(cluster, w, number), replication=mode))
            if options.async_kills and cluster.synchronous:
                progress("switching the cluster to asynchronous replication (semi-synchronous off)")
                _set_asynchronous(cluster)
                for number in range(options.kills + 1, options.kills + options.async_kills + 1):
                    progress(f"kill {number}: SIGKILL of the primary under asynchronous replication")
                    out.kills.append(replace(_kill_once(cluster, w, number), replication="asynchronous"))
        finally:
            w.stop()
        if options.backups and options.second_scale:
            progress("restore at twice the scale")
            cluster.query(cluster.primary, f"CREATE DATABASE {DB}_2x")
            work.load(
                f"mysql://root@{cluster.primary.host}:{cluster.primary.port}/{DB}_2x", seed=options.seed + 1
            )
            w = writer(id_start=2 * 10**9)
            w.start()
            try:
                out.restores.append(_backup_and_restore(cluster, work, w, label="2x"))
            finally:
                w.stop()
        return out
    finally:
        progress("stopping the servers")
        cluster.stop()


def _measure_log(cluster: MariaCluster, work: DrillWorkload, w: Writer, seconds: float) -> LogResult:
    before = _binlog_bytes(cluster, cluster.primary)
    w.start()
    started = time.monotonic()
    lags: list[float] = []
    while time.monotonic() - started < seconds:
        with contextlib.suppress(Exception):
            lag = cluster.slave(cluster.replica).get("Seconds_Behind_Master")
            if lag is not None:
                lags.append(float(lag))
        time.sleep(0.25)
    w.stop()
    elapsed = time.monotonic() - started
    measured = _binlog_bytes(cluster, cluster.primary) - before
    estimated = work.estimated_log_bytes(cluster.plan, w.log.executions, elapsed, commits=w.log.attempts)
    return LogResult(
        elapsed,
        dict(sorted(w.log.executions.items())),
        measured,
        estimated,
        max(lags) if lags else None,
        None,
        work.estimated_lag_s,
        lag_resolution_s=1.0,
    )


def _backup_and_restore(
    cluster: MariaCluster, work: DrillWorkload, w: Writer | None, *, label: str = "1x"
) -> RestoreResult:
    """Back the primary up, restore it on a new server and time it. With a writer: a point in time
    taken with the writer paused (every table's checksum recorded), more writes, and the binlog
    replayed up to that time on the restore, whose checksums are compared; without: the backup
    restored as it is."""
    primary = cluster.primary
    backup_tool = need_tool("mariadb-backup", "mariadb-backup")
    target_dir = cluster.root / "repo" / f"full-{label}"
    t0 = time.monotonic()
    run(
        [
            backup_tool,
            "--backup",
            f"--host={primary.host}",
            f"--port={primary.port}",
            "--user=root",
            f"--target-dir={target_dir}",
        ],
        timeout=900,
    )
    backup_s = time.monotonic() - t0
    # the bytes the restore copies: the backup's files (InnoDB's statistics lag behind the tables)
    size = float(sum(p.stat().st_size for p in target_dir.rglob("*") if p.is_file()))
    target: str | None = None
    expected: dict[str, tuple[int, int]] = {}
    binlogs: list[str] = []
    if w is not None:
        time.sleep(1.0)
        w.pause()
        time.sleep(1.2)
        expected = _checksums(cluster, primary, work)
        target = str(cluster.query(primary, "SELECT NOW()")[0][0])
        time.sleep(1.2)
        w.resume()
        time.sleep(2.0)
        w.pause()
        cluster.query(primary, "FLUSH BINARY LOGS")
        binlogs = [str(r[0]) for r in cluster.query(primary, "SHOW BINARY LOGS")]
        w.resume()
    # restore: prepare, copy back, start alone, replay the binlog up to the target
    started = time.monotonic()
    run([backup_tool, "--prepare", f"--target-dir={target_dir}"], timeout=900)
    restore_dir = cluster.root / "my" / f"restore-{label}"
    run([backup_tool, "--copy-back", f"--target-dir={target_dir}", f"--datadir={restore_dir}"], timeout=900)
    copy_s = time.monotonic() - started
    if cluster.user == "mysql":
        give_to("mysql", restore_dir)
    port = free_port()
    sock = cluster.run_dir / f"restore-{label}"
    sock.mkdir(exist_ok=True)
    if cluster.user == "mysql":
        give_to("mysql", sock)
    server = need_tool("mariadbd", "mariadb-server")
    args = [
        server,
        "--no-defaults",
        f"--datadir={restore_dir}",
        "--bind-address=127.0.0.1",
        f"--port={port}",
        f"--socket={sock}/mariadbd.sock",
        f"--log-error={sock}/error.log",
        "--skip-log-bin",
        "--skip-slave-start",
        "--innodb-buffer-pool-size=128M",
    ]
    if cluster.user:
        args.append(f"--user={cluster.user}")
    entry = cluster.procs.start(f"mariadbd-restore-{label}", args)
    node = NodeAddress("restore", "127.0.0.1", port, 0, 0, str(restore_dir))
    wait_until(
        "the restored MariaDB accepting connections",
        lambda: bool(cluster.query(node, "SELECT 1")),
        START_TIMEOUT,
        log=sock / "error.log",
    )
    replay_s = 0.0
    if target is not None:
        replay_started = time.monotonic()
        _replay_binlog(cluster, target_dir, binlogs, target, port)
        replay_s = time.monotonic() - replay_started
    restore_s = time.monotonic() - started
    mismatched: tuple[str, ...] = ()
    if expected:
        got = _checksums(cluster, node, work)
        mismatched = tuple(t for t in expected if got.get(t) != expected[t])
    cluster.procs.kill(entry, signal.SIGTERM)
    repo = float(sum(p.stat().st_size for p in target_dir.rglob("*") if p.is_file()))
    shutil.rmtree(restore_dir, ignore_errors=True)
    shutil.rmtree(target_dir, ignore_errors=True)
    return RestoreResult(
        label, size, backup_s, restore_s, repo, target, len(expected), mismatched, copy_s, replay_s
    )


def _replay_binlog(cluster: MariaCluster, backup: Path, binlogs: list[str], target: str, port: int) -> None:
    """Apply the primary's binlog from the backup's position up to ``target`` to the restore."""
    info = (backup / "xtrabackup_binlog_info").read_text().split()
    first, position = info[0], info[1]
    files = [str(Path(cluster.primary.data_dir) / name) for name in binlogs if name >= first]
    binlog_tool = need_tool("mariadb-binlog", "mariadb-client")
    client = need_tool("mariadb", "mariadb-client")
    import subprocess

    dump = subprocess.Popen(
        [binlog_tool, f"--start-position={position}", f"--stop-datetime={target}", *files],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    apply = subprocess.run(
        [client, "--protocol=tcp", "-h", "127.0.0.1", "-P", str(port), "-u", "root"],
        stdin=dump.stdout,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if dump.stdout is not None:
        dump.stdout.close()
    dump.wait(timeout=60)
    if apply.returncode != 0:
        raise DrillError(
            Diagnostic(f"replaying the binlog into the restore failed: {apply.stderr.strip()[-300:]}")
        )


def _set_asynchronous(cluster: MariaCluster) -> None:
    """Turn semi-synchronous acknowledgements off on the primary; later failovers promote with
    them off too (``failover.sh`` rendered for asynchronous replication)."""
    layout = cluster.layout
    async_layout = replace(layout, replication=replace(layout.replication, mode="asynchronous", strict=False))
    script = cluster.conf / "failover-async.sh"
    script.write_text(cluster.plan.profile.render(async_layout)["failover.sh"], encoding="utf-8")
    script.chmod(0o755)
    cluster.failover = script
    cluster.query(cluster.primary, "SET GLOBAL rpl_semi_sync_master_enabled = OFF")
    cluster.synchronous = False


def _temp_tables(cluster: MariaCluster, work: DrillWorkload, options: DrillOptions) -> TempResult | None:
    if not work.reads:
        return None
    generated = next((s.value for s in cluster.layout.settings if s.name == "sort_buffer_size"), "2M")
    threads = max(2, min(8, cluster.plan.pool.pool_size))

    requests = [0]
    lock = threading.Lock()

    def counted(prelude: str | None) -> Callable[[Any, str, dict[str, Any]], float]:
        def one(cur: Any, sql: str, params: dict[str, Any]) -> float:
            with lock:  # the statements below and the commit after: one request each
                requests[0] += 4 + (1 if prelude else 0)
            if prelude:
                cur.execute(prelude)
            cur.execute(
                "SHOW SESSION STATUS WHERE Variable_name IN ('Created_tmp_disk_tables', 'Sort_merge_passes')"
            )
            before = sum(int(r[1]) for r in cur.fetchall())
            cur.execute(sql, params)
            cur.fetchall()
            cur.execute(
                "SHOW SESSION STATUS WHERE Variable_name IN ('Created_tmp_disk_tables', 'Sort_merge_passes')"
            )
            after = sum(int(r[1]) for r in cur.fetchall())
            return float(after - before)

        return one

    def conn() -> Any:
        return cluster.connect(cluster.primary, DB, autocommit=False)

    with _QueueSampler(cluster) as queue:
        spilled_generated = work.replay_reads(
            conn, threads=threads, repetitions=options.replay_repetitions, run_one=counted(None)
        )
    wait_ms = queue.mean_wait_ms(requests[0])
    spilled_default = work.replay_reads(
        conn,
        threads=threads,
        repetitions=options.replay_repetitions,
        run_one=counted(
            "SET SESSION sort_buffer_size = 2097152, tmp_table_size = 16777216, "
            "max_heap_table_size = 16777216"
        ),
    )
    return TempResult(
        "sort_buffer_size",
        generated,
        "2M",
        spilled_generated[1],
        spilled_generated[0],
        spilled_default[0],
        wait_ms,
        threads,
        tuple(spilled_default[2]),
        tuple(spilled_generated[2]),
        unit="disk temporary tables and sort merge passes",
        pool_wait_how="per statement in the thread pool's queue: Little's law on its sampled length",
    )


class _QueueSampler:
    """Samples the length of the thread pool's queue (``information_schema.THREAD_POOL_QUEUES``)
    while the replay runs; the mean wait per request is then the mean length over the arrival rate
    (Little's law), as MariaDB keeps no cumulative wait counter."""

    INTERVAL_S = 0.02

    def __init__(self, cluster: MariaCluster) -> None:
        self.cluster = cluster
        self.lengths: list[int] = []
        self.seconds = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> _QueueSampler:
        self._started = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self.seconds = time.monotonic() - self._started

    def _run(self) -> None:
        try:
            conn = self.cluster.connect(self.cluster.primary)
        except Exception:  # no sampler: no figure, said as such
            return
        try:
            with conn.cursor() as cur:
                while not self._stop.is_set():
                    cur.execute("SELECT COUNT(*) FROM information_schema.THREAD_POOL_QUEUES")
                    row = cur.fetchone()
                    self.lengths.append(int(row[0]) if row else 0)
                    self._stop.wait(self.INTERVAL_S)
        except Exception:  # the thread pool's tables are missing: no figure
            self.lengths.clear()
        finally:
            conn.close()

    def mean_wait_ms(self, requests: int) -> float | None:
        if not self.lengths or requests <= 0 or self.seconds <= 0:
            return None
        mean_length = sum(self.lengths) / len(self.lengths)
        return mean_length / (requests / self.seconds) * 1000.0


def _kill_once(cluster: MariaCluster, w: Writer, number: int) -> KillResult:
    time.sleep(1.0)
    old, new = cluster.primary, cluster.replica
    killed_at = time.monotonic()
    errors_before = len(w.log.errors)
    cluster.kill(old)
    run(["bash", str(cluster.failover), old.host, str(old.port), new.host, str(new.port)], timeout=120)
    cluster.primary, cluster.replica = new, old
    acked = w.log.acked_before(killed_at)
    present = {int(r[0]) for r in cluster.query(new, f"SELECT id FROM {LEDGER}", DB)} if acked else set()
    lost = sorted(acked - present)
    # the failed primary is rebuilt from the new one and becomes its replica
    rebuild = cluster.conf / "rebuild-replica.sh"
    done = run(["bash", str(rebuild), new.host, str(new.port), old.data_dir], timeout=600)
    if cluster.user == "mysql":
        give_to("mysql", Path(old.data_dir))
    gtid = next((line.split("'")[1] for line in done.stdout.splitlines() if "gtid_slave_pos" in line), "")
    cluster.start(old, read_only=True)
    cluster.attach(old, new, gtid)
    wait_until(
        "a commit through the new primary", lambda: w.log.first_ack_after(killed_at) is not None, 120, 0.05
    )
    first = w.log.first_ack_after(killed_at)
    return KillResult(
        number,
        old.name,
        new.name,
        None if first is None else first - killed_at,
        len(acked),
        len(lost),
        tuple(lost[:10]),
        len(w.log.errors) - errors_before,
    )
