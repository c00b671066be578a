"""The PostgreSQL drill's cluster: a node's agent, server and pooler (:class:`PgCluster`), its
configuration files written from the design's layout, and the helpers the drill's steps query it with
(connections, queries, checksums, sizes). The steps themselves are in :mod:`.postgres`."""

from __future__ import annotations

import contextlib
import os
import signal
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.engines.operations import ClusterLayout, DcsMember, HaTiming, NodeAddress
from dbarchitect.errors import Diagnostic
from dbarchitect.verify.drill.model import DrillOptions
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


def connect(conninfo: str, autocommit: bool = False) -> Any:
    import psycopg

    conn = psycopg.connect(conninfo, autocommit=autocommit, prepare_threshold=None)
    return conn


def query(conninfo: str, sql: str, params: Any = None) -> list[tuple[Any, ...]]:
    with connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
        cur.execute(sql, params)
        return list(cur.fetchall()) if cur.description else []


def checksums(conninfo: str, tables: list[str]) -> dict[str, tuple[int, str]]:
    out: dict[str, tuple[int, str]] = {}
    with connect(conninfo, autocommit=True) as conn, conn.cursor() as cur:
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


def cluster_bytes(conninfo: str) -> float:
    rows = query(conninfo, "SELECT sum(pg_database_size(datname)) FROM pg_database WHERE datallowconn")
    return float(rows[0][0])


def repo_bytes(root: Path) -> float:
    total = 0
    for path in (root / "repo").rglob("*"):
        with contextlib.suppress(OSError):
            if path.is_file():
                total += path.stat().st_size
    return float(total)


# ---------------------------------------------------------------------------------------------
