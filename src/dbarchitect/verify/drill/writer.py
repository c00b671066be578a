"""The drill's writer: the brief's write statements at their rates (in proportion, capped), each in a
transaction with a row in a ledger table, and a log of every commit the server acknowledged.

After a failover the ledger rows of acknowledged commits that the new primary lacks are the commits
lost. The writer keeps going through the failure: a failed statement is counted, the connection is
opened again (the engine's ``connect`` finds the writable node), and the first commit after the kill
dates the failover's end.
"""

from __future__ import annotations

import contextlib
import math
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement, Workload
from dbarchitect.verify.parameters import (
    Binding,
    bind_parameters,
    draw_value,
    rewrite_params,
    supply_identities,
)
from dbarchitect.verify.synthetic import SyntheticData, adapt_row

LEDGER = "dbarch_drill_ledger"


@dataclass(frozen=True)
class WriteOp:
    name: str
    sql: str
    names: tuple[str, ...]
    bindings: Mapping[str, Binding]
    insert_table: str | None
    rate: float


def write_ops(
    workload: Workload, catalog: Catalog, source: EngineTraits, target: EngineTraits
) -> list[WriteOp]:
    """The workload's write statements in the target's dialect with their parameter bindings."""
    out: list[WriteOp] = []
    for s in workload.statements:
        if not s.is_write or s.rate <= 0:
            continue
        out.append(_op(s, catalog, source, target))
    return out


def _op(s: Statement, catalog: Catalog, source: EngineTraits, target: EngineTraits) -> WriteOp:
    sql = transpile_statement(s.sql, source.engine, target.engine, catalog)
    sql, supplied = supply_identities(sql, catalog, target)
    sql, names = rewrite_params(sql, target.engine)
    bindings = {**bind_parameters(s, source, catalog), **supplied}
    insert_table = next((b.table for b in bindings.values() if b.fresh), None)
    return WriteOp(s.name, sql, tuple(names), bindings, insert_table, s.rate)


@dataclass
class WriterLog:
    """What the writer saw: acknowledged ledger ids with their times, errors, executions."""

    acked: list[tuple[int, float]] = field(default_factory=list)
    errors: list[tuple[float, str]] = field(default_factory=list)
    executions: dict[str, int] = field(default_factory=dict)
    attempts: int = 0

    def first_ack_after(self, moment: float) -> float | None:
        return next((t for _, t in self.acked if t > moment), None)

    def acked_before(self, moment: float) -> set[int]:
        return {i for i, t in self.acked if t <= moment}


class Writer:
    """Threads running the write mix through ``connect()`` connections (autocommit off)."""

    def __init__(
        self,
        ops: list[WriteOp],
        data: SyntheticData,
        family: Any,
        connect: Callable[[], Any],
        *,
        rate: float,
        threads: int,
        ledger: bool = True,
        seed: int = 0,
        id_start: int = 1,
    ) -> None:
        self.ops = ops
        self.data = data
        self.family = family
        self.connect = connect
        self.rate = rate
        self.threads = max(1, threads)
        self.ledger = ledger
        self.seed = seed
        self.log = WriterLog()
        self._lock = threading.Lock()
        self._next_id = id_start
        self._fresh = 0
        self._stop = threading.Event()
        self._paused = threading.Event()
        self._idle = threading.Semaphore(0)
        self._workers: list[threading.Thread] = []
        total = sum(op.rate for op in ops)
        self._weights = [op.rate / total for op in ops] if total > 0 else []

    # -- control
    def start(self) -> None:
        self._stop.clear()
        for i in range(self.threads):
            t = threading.Thread(target=self._run, args=(i,), daemon=True, name=f"drill-writer-{i}")
            t.start()
            self._workers.append(t)

    def stop(self) -> None:
        self._stop.set()
        self._paused.clear()
        for t in self._workers:
            t.join(timeout=30)
        self._workers.clear()

    def pause(self) -> None:
        """Stop issuing statements and wait until every thread has finished the one it was running."""
        self._paused.set()
        for _ in self._workers:
            self._idle.acquire(timeout=30)

    def resume(self) -> None:
        self._paused.clear()

    @property
    def next_id(self) -> int:
        return self._next_id

    # -- work
    def _ids(self) -> tuple[int, int]:
        with self._lock:
            ledger_id = self._next_id
            self._next_id += 1
            self._fresh += 1
            return ledger_id, self._fresh

    def _params(self, op: WriteOp, rng: random.Random, fresh_no: int) -> dict[str, Any]:
        fresh: dict[str, Any] = {}
        if op.insert_table is not None and op.insert_table in self.data.tables:
            fresh = self.data.tables[op.insert_table].fresh_row(fresh_no)
        values = [draw_value(op.bindings.get(n, Binding()), self.data.tables, rng, fresh) for n in op.names]
        return dict(zip(op.names, adapt_row(self.family, values), strict=True))

    def _run(self, index: int) -> None:
        rng = random.Random(self.seed * 1000 + index)
        interval = self.threads / self.rate if self.rate > 0 else 0.0
        conn: Any = None
        next_at = time.monotonic() + rng.random() * interval
        while not self._stop.is_set():
            if self._paused.is_set():
                self._idle.release()
                while self._paused.is_set() and not self._stop.is_set():
                    time.sleep(0.01)
                next_at = time.monotonic()
                continue
            wait = next_at - time.monotonic()
            if wait > 0:
                time.sleep(min(wait, 0.05))
                continue
            next_at += interval
            if next_at < time.monotonic() - 1.0:
                next_at = time.monotonic()  # behind by more than a second: do not burst to catch up
            op = rng.choices(self.ops, self._weights)[0] if self.ops else None
            ledger_id, fresh_no = self._ids()
            try:
                if conn is None:
                    conn = self.connect()
                cur = conn.cursor()
                try:
                    if op is not None:
                        cur.execute(op.sql, self._params(op, rng, fresh_no))
                    if self.ledger:
                        cur.execute(f"INSERT INTO {LEDGER} (id) VALUES (%(id)s)", {"id": ledger_id})
                finally:
                    cur.close()
                conn.commit()
                now = time.monotonic()
                with self._lock:
                    self.log.attempts += 1
                    if self.ledger:
                        self.log.acked.append((ledger_id, now))
                    if op is not None:
                        self.log.executions[op.name] = self.log.executions.get(op.name, 0) + 1
            except Exception as exc:  # a failure is data: counted, and the connection opened again
                with self._lock:
                    self.log.attempts += 1
                    self.log.errors.append((time.monotonic(), _first_line(exc)))
                if conn is not None:
                    with contextlib.suppress(Exception):
                        conn.rollback()
                    if _connection_lost(conn):
                        with contextlib.suppress(Exception):
                            conn.close()
                        conn = None
                if conn is None:
                    time.sleep(0.05)
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()


def _connection_lost(conn: Any) -> bool:
    closed = getattr(conn, "closed", None)
    if isinstance(closed, bool):
        return closed or getattr(getattr(conn, "info", None), "transaction_status", 0) == 4
    try:
        conn.ping(reconnect=False)
        return False
    except Exception:
        return True


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip() and not line.startswith("\t")]
    return " / ".join(lines)[:400] if lines else type(exc).__name__


def writer_threads(rate: float) -> int:
    """Threads enough for ``rate`` commits a second at a few milliseconds each (2 to 8)."""
    return max(2, min(8, math.ceil(rate / 50)))
