"""The PostgreSQL drill: the generated 3-node Patroni cluster with etcd, a PgBouncer per node and a
pgBackRest repository, all on loopback in the scratch directory.

Each node has its own loopback address (127.0.0.11, .12, ...: Patroni refuses 127.0.0.1 as a
connect address), every port is free when taken. The configuration files are the design's, rendered
from a layout with these addresses and directories, and checked by the tools themselves
(``patroni --validate-config``, etcd, PgBouncer and PostgreSQL starting on them, ``pgbackrest check``).
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.engines.operations import ClusterLayout, DcsMember, HaTiming, NodeAddress
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
    http_json,
    need_tool,
    port_open,
    run,
    service_user,
    wait_until,
)
from dbarchitect.verify.drill.workload import DrillWorkload, table_names
from dbarchitect.verify.drill.writer import LEDGER, Writer, writer_threads

PG_BIN = "/usr/lib/postgresql/15/bin"
DB = "drill"
START_TIMEOUT = 180.0


@dataclass
class Node:
    address: NodeAddress
    patroni: Started | None = None
    pooler: Started | None = None


class PgCluster:
    """The cluster's processes and the layout they were started from."""

    def __init__(self, root: Path, plan: OperationsPlan, options: DrillOptions) -> None:
        self.root = root
        self.plan = plan
        self.options = options
        self.user = service_user("postgres")
        self.procs = Processes(root)
        self.conf = root / "conf"
        self.run_dir = root / "run"
        for d in (self.conf, self.run_dir, root / "repo", root / "pg", root / "etcd", root / "logs"):
            d.mkdir(parents=True, exist_ok=True)
        count = max(3, plan.layout.nodes.__len__())
        nodes = []
        for i in range(count):
            host = f"127.0.0.{11 + i}"
            nodes.append(
                NodeAddress(
                    f"node{i + 1}",
                    host,
                    free_port(host),
                    free_port(host),
                    free_port(host),
                    str(root / "pg" / f"node{i + 1}"),
                )
            )
        dcs = tuple(
            DcsMember(
                f"etcd{i + 1}", "127.0.0.1", free_port(), free_port(), str(root / "etcd" / f"etcd{i + 1}")
            )
            for i in range(3)
        )
        timing = plan.layout.timing
        if options.ttl is not None:
            ttl = max(3, options.ttl)
            loop_wait = 1
            timing = HaTiming(ttl, loop_wait, max(1, (ttl - loop_wait) // 2), timing.check_interval_s, 3)
        self.layout: ClusterLayout = replace(
            plan.layout,
            name="drill",
            database=DB,
            nodes=tuple(nodes),
            dcs=dcs,
            timing=timing,
            repo_path=str(root / "repo"),
            run_dir=str(self.run_dir),
            config_dir=str(self.conf),
            scratch=True,
        )
        settings = plan.profile.server_settings(plan.sizing, self.layout)
        self.layout = replace(self.layout, settings=settings)
        self.nodes = [Node(n) for n in self.layout.nodes]
        self.files = plan.profile.render(self.layout)
        self.validated: list[str] = []

    # -- files and processes
    def write_files(self) -> None:
        for name, content in self.files.items():
            (self.conf / name).write_text(content, encoding="utf-8")
            if name.endswith(".sh"):
                (self.conf / name).chmod(0o755)
        (self.conf / "userlist.txt").write_text(f'"{self.layout.superuser}" ""\n', encoding="utf-8")
        for node in self.nodes:
            (self.run_dir / node.address.name).mkdir(parents=True, exist_ok=True)
        (self.run_dir / "pgbackrest").mkdir(parents=True, exist_ok=True)
        give_to(self.user, self.root / "conf", self.root / "run", self.root / "repo", self.root / "pg")
        if self.user is not None:
            probe = self.conf / "pgbackrest.conf"
            if run(["test", "-r", str(probe)], user=self.user, check=False).returncode != 0:
                raise DrillError(
                    Diagnostic(
                        f"{self.root} is not reachable by the '{self.user}' user the servers run as",
                        field="--scratch-dir",
                        hint="give a scratch directory under /tmp (every parent must be searchable)",
                    )
                )

    def start_etcd(self) -> None:
        etcd = need_tool("etcd", "etcd-server")
        for member in self.layout.dcs:
            path = self.conf / f"etcd-{member.name}.yml"
            self.procs.start(member.name, [etcd, "--config-file", str(path)])
        for member in self.layout.dcs:
            wait_until(
                f"etcd {member.name} healthy",
                lambda m=member: _etcd_healthy(m),  # type: ignore[misc]
                START_TIMEOUT,
                log=self.root / "logs" / f"{member.name}.log",
            )
        self.validated.append(
            f"etcd: {len(self.layout.dcs)} members from etcd-*.yml formed a healthy cluster"
        )

    def validate_patroni(self) -> None:
        patroni = need_tool("patroni", "patroni")
        for node in self.nodes:
            path = self.conf / f"patroni-{node.address.name}.yml"
            done = run([patroni, "--validate-config", str(path)], user=self.user, check=False, timeout=60)
            if done.returncode != 0:
                raise DrillError(
                    Diagnostic(
                        f"patroni --validate-config refused patroni-{node.address.name}.yml: "
                        + " | ".join((done.stdout + done.stderr).strip().splitlines()[:12])
                    )
                )
        self.validated.append(f"patroni --validate-config: {len(self.nodes)} node files valid")

    def start_patroni(self, node: Node) -> None:
        patroni = need_tool("patroni", "patroni")
        path = self.conf / f"patroni-{node.address.name}.yml"
        node.patroni = self.procs.start(f"patroni-{node.address.name}", [patroni, str(path)], user=self.user)

    def start_pooler(self, node: Node) -> None:
        pgbouncer = need_tool("pgbouncer", "pgbouncer")
        path = self.conf / f"pgbouncer-{node.address.name}.ini"
        node.pooler = self.procs.start(
            f"pgbouncer-{node.address.name}", [pgbouncer, str(path)], user=self.user
        )
        wait_until(
            f"PgBouncer on {node.address.name} listening",
            lambda: port_open(node.address.host, node.address.pooler_port),
            30,
            log=node.pooler.log,
        )

    def members(self) -> list[dict[str, Any]]:
        for node in self.nodes:
            with contextlib.suppress(Exception):
                data = http_json(f"http://{node.address.host}:{node.address.agent_port}/cluster")
                if isinstance(data, dict):
                    return list(data.get("members", []))
        return []

    def leader(self) -> Node | None:
        for m in self.members():
            if m.get("role") == "leader" and m.get("state") == "running":
                return next((n for n in self.nodes if n.address.name == m.get("name")), None)
        return None

    def healthy(self) -> bool:
        return self._healthy(self.synchronous)

    synchronous = True

    def _healthy(self, synchronous: bool) -> bool:
        members = self.members()
        if len(members) != len(self.nodes):
            return False
        roles = [m.get("role") for m in members]
        if roles.count("leader") != 1:
            return False
        for m in members:
            if m.get("role") != "leader" and (
                m.get("state") not in ("running", "streaming") or m.get("lag") in (None, "unknown")
            ):
                return False
        if self.layout.replication.mode == "synchronous" and synchronous:
            return "sync_standby" in roles
        return True

    def wait_healthy(self, timeout: float = START_TIMEOUT) -> None:
        wait_until(
            "the Patroni cluster with a leader and streaming replicas",
            self.healthy,
            timeout,
            interval=0.3,
            log=self.nodes[0].patroni.log if self.nodes[0].patroni else None,
        )

    def conninfo(self, node: NodeAddress, *, pooled: bool, dbname: str = DB) -> str:
        port = node.pooler_port if pooled else node.port
        return f"host={node.host} port={port} dbname={dbname} user={self.layout.superuser} connect_timeout=3"

    def writable_conninfo(self) -> str:
        hosts = ",".join(n.address.host for n in self.nodes)
        ports = ",".join(str(n.address.pooler_port) for n in self.nodes)
        return (
            f"host={hosts} port={ports} dbname={DB} user={self.layout.superuser} connect_timeout=2 "
            "target_session_attrs=read-write"
        )

    def postmaster_pid(self, node: Node) -> int | None:
        pidfile = Path(node.address.data_dir) / "postmaster.pid"
        with contextlib.suppress(OSError, ValueError, IndexError):
            return int(pidfile.read_text().splitlines()[0])
        return None

    def kill_node(self, node: Node) -> None:
        """SIGKILL the node's agent, server and pooler at once: the host is gone."""
        pid = self.postmaster_pid(node)
        if node.patroni is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(node.patroni.proc.pid, signal.SIGKILL)
        if pid is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        if node.pooler is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(node.pooler.proc.pid, signal.SIGKILL)
        for entry in (node.patroni, node.pooler):
            if entry is not None:
                with contextlib.suppress(Exception):
                    entry.proc.wait(timeout=10)
        # backends of the killed postmaster exit on their own once they see it gone
        if pid is not None:
            with contextlib.suppress(Exception):
                wait_until("the killed server's processes to exit", lambda: not _alive(pid), 15)

    def backrest(self, *args: str, timeout: float = 600) -> str:
        tool = need_tool("pgbackrest", "pgbackrest")
        done = run(
            [tool, f"--config={self.conf / 'pgbackrest.conf'}", "--stanza=drill", *args],
            user=self.user,
            timeout=timeout,
        )
        return done.stdout

    def stop(self) -> None:
        for node in self.nodes:
            pid = self.postmaster_pid(node)
            if pid is not None:
                self.procs.remember(pid)
        self.procs.stop_all()


def _etcd_healthy(member: DcsMember) -> bool:
    data = http_json(f"http://{member.host}:{member.client_port}/health")
    return isinstance(data, dict) and data.get("health") == "true"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        if stat.split(")")[-1].split()[0] == "Z":
            return False
    return True


def _connect(conninfo: str, autocommit: bool = False) -> Any:
    import psycopg

    conn = psycopg.connect(conninfo, autocommit=autocommit, prepare_threshold=None)
    return conn


def _query(conninfo: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with _connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def _checksums(conninfo: str, tables: list[str]) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    with _connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
        for table in tables:
            quoted = '"' + table.replace('"', '""') + '"'
            cur.execute(
                f"SELECT count(*), coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') "
                f"FROM {quoted} t"
            )
            row = cur.fetchone()
            assert row is not None
            out[table] = (int(row[0]), str(row[1]))
    return out


def _cluster_bytes(conninfo: str) -> float:
    rows = _query(conninfo, "SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datallowconn")
    return float(rows[0][0])


def _repo_bytes(root: Path) -> float:
    total = 0
    for path in (root / "repo").rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return float(total)


# ---------------------------------------------------------------------------------------------


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
        _query(direct, f"CREATE DATABASE {DB}")
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
        _query(
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
                lambda: _connect(cluster.writable_conninfo()),
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
            _query(
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
    with contextlib.closing(_connect(direct, autocommit=True)) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    start = _query(direct, "SELECT pg_current_wal_lsn()")[0][0]
    w.start()
    started = time.monotonic()
    lag_s: list[float] = []
    lag_b: list[float] = []
    while time.monotonic() - started < seconds:
        with contextlib.suppress(Exception):
            for s, b in _query(
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
    end = _query(direct, "SELECT pg_current_wal_flush_lsn()")[0][0]
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
    size = _cluster_bytes(direct)
    t0 = time.monotonic()
    cluster.backrest("--type=full", "backup")
    backup_s = time.monotonic() - t0
    target: str | None = None
    expected: dict[str, tuple[int, str]] = {}
    if w is not None and tables is not None:
        time.sleep(1.0)
        w.pause()
        expected = _checksums(cluster.conninfo(leader.address, pooled=False), tables)
        target = str(_query(direct, "SELECT clock_timestamp()")[0][0])
        time.sleep(0.2)
        w.resume()
        time.sleep(1.5)
        w.pause()
    lsn = _query(direct, "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
    wait_until(
        "the last WAL segment archived",
        lambda: (_query(direct, "SELECT last_archived_wal FROM pg_stat_archiver")[0][0] or "") >= lsn,
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
        lambda: not _query(conninfo, "SELECT pg_is_in_recovery()")[0][0],
        300,
        interval=0.1,
        log=log,
    )
    restore_s = time.monotonic() - started
    mismatched: list[str] = []
    if expected:
        got = _checksums(conninfo.replace("dbname=postgres", f"dbname={DB}"), list(expected))
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
        _repo_bytes(cluster.root),
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
            not _query(cluster.conninfo(leader.address, pooled=False), "SHOW synchronous_standby_names")[0][0]
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
            conn = _connect(cluster.conninfo(new.address, pooled=True), autocommit=True)
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
        rows = _query(
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
            lambda: _connect(pooled),
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
