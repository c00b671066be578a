"""The concurrent load of a rehearsal: the application's writes and reads on the tables the plan
touches, at the brief's rates, every operation timed as a request arriving on schedule would see it.

Which tables: every table a step or an operation of the plan changes, the parent of a foreign key
the plan adds (its validation locks both sides) and every table holding a foreign key to a changed
table (its writes check the parent, so a lock on the parent stalls them). Each such table present in
the current schema gets a writer and a reader, each on its own connection in its own thread:

- the writer INSERTs a new row (keys above the ones present before, so the data check of the
  pre-existing rows is not disturbed) then UPDATEs it, alternately; tables without a single integer
  primary key get no writer (their new rows could not be told from the old ones);
- the reader SELECTs one pre-existing row by its primary key (keys sampled before the rehearsal), or
  a few rows of a table without one.

Rates are **open loop**: operation *k* of a thread is due at ``start + k / rate`` whatever happened
to operation *k - 1*, and its time is counted from when it was due, so a request that arrived while
the table was locked is charged the whole wait (no coordinated omission): the slowest one is the
stall an SLO sees. The rates are the brief's (per table: the rates of its workload's statements that
write it, and of those that read it), or :data:`DEFAULT_RATE` each when there is no brief, capped per
thread at :data:`MAX_THREAD_RATE` (one connection cannot do more on a shared 2-core machine); the
report says which. The load runs only against a loopback server.
"""

from __future__ import annotations

import gc
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from dbarchitect.advisors.migrations.plan import MigrationPlan
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.names import Name
from dbarchitect.model.ops import AddForeignKey, DropColumn, DropTable, RenameColumn
from dbarchitect.model.workload import Workload
from dbarchitect.verify.rehearse.rows import RowGenerator, insert_sql, single_key
from dbarchitect.verify.rehearse.scratch import ScratchDb, error_message

#: Writes (and reads) per second per loaded table when no brief gives rates.
DEFAULT_RATE = 50.0
#: The most one load thread is asked to do per second (one connection, open loop).
MAX_THREAD_RATE = 400.0
#: Keys sampled per table for the readers.
READ_KEYS = 1_000


@dataclass(frozen=True)
class TableRates:
    """A table's application writes and reads per second, and where they come from."""

    writes: float
    reads: float
    source: str = "brief"


@dataclass(frozen=True)
class LoadSpec:
    """The concurrent load (see the module text).

    Attributes:
        rates: Per table (name as in the schema): its writes and reads per second (the brief's);
            tables not listed get ``default_rate`` of each.
        default_rate: Writes and reads per second of a table the rates do not list.
        max_thread_rate: The cap on one thread's rate.
        max_seconds: The load stops after this long whatever happens.
        max_operations: ... or after this many operations per thread.
        settle_s: Seconds of load before the first step and after the last (the baseline).
        stall_report_s: Operations slower than this are listed as stalls in the report.
    """

    rates: Mapping[str, TableRates] = field(default_factory=dict)
    default_rate: float = DEFAULT_RATE
    max_thread_rate: float = MAX_THREAD_RATE
    max_seconds: float = 600.0
    max_operations: int = 1_000_000
    settle_s: float = 0.3
    stall_report_s: float = 0.1

    def rates_for(self, table: Name) -> TableRates:
        for name, rates in self.rates.items():
            if table.matches(name):
                return rates
        return TableRates(self.default_rate, self.default_rate, "default")


@dataclass(frozen=True, slots=True)
class Operation:
    """One timed operation of the load.

    Attributes:
        table: The table it wrote or read.
        kind: ``insert``, ``update`` or ``read``.
        started_at: When it was due, seconds since the rehearsal started.
        seconds: From when it was due to when it finished (the wait for a lock included).
        ok: Whether it succeeded.
        error: Why it failed, when it did.
    """

    table: str
    kind: str
    started_at: float
    seconds: float
    ok: bool
    error: str | None

    @property
    def is_write(self) -> bool:
        return self.kind != "read"


#: The name earlier versions gave a timed write.
Write = Operation


@dataclass(frozen=True)
class TableLoad:
    """What the load did to one table.

    Attributes:
        table: The table.
        why: Why it was loaded (``changed``, ``references a changed table``...).
        write_rate: Writes per second asked (0: no writer, see ``note``).
        read_rate: Reads per second asked.
        asked: The rates before the per-thread cap, and their source (``brief`` or ``default``).
        note: Why the table has no writer or reader, when it has none.
    """

    table: str
    why: str
    write_rate: float
    read_rate: float
    asked: TableRates
    note: str | None = None


def loaded_tables(plan: MigrationPlan, catalog: Catalog) -> list[tuple[Table, str]]:
    """The tables of ``catalog`` (the current schema) the load hits, with why (module text)."""
    why: dict[str, str] = {}
    for step in plan.steps:
        if step.table:
            why.setdefault(step.table.lower(), "changed")
    for op in plan.operations:
        target = getattr(op, "table", None)
        if not isinstance(target, Name):  # DropTable, RenameTable: the table is named otherwise
            target = getattr(op, "old_name", None) or (
                getattr(op, "name", None) if isinstance(op, DropTable) else None
            )
        if isinstance(target, Name) and catalog.table(target) is not None:
            why.setdefault(target.key, "changed")
        if isinstance(op, AddForeignKey):
            why.setdefault(op.key.ref_table.key, f"referenced by the foreign key added to {op.table}")
    changed = set(why)
    for table in catalog.tables:
        for fk in table.foreign_keys:
            if fk.ref_table.key in changed and table.name.key not in why:
                why[table.name.key] = f"references {fk.ref_table}, which the plan changes"
    out: list[tuple[Table, str]] = []
    for table in catalog.tables:
        reason = why.get(table.name.key) or why.get(table.name.value.lower())
        if reason is not None:
            out.append((table, reason))
    return sorted(out, key=lambda pair: pair[1] != "changed")  # the changed tables first


class _Thread:
    """One open-loop worker: ``make(k)`` gives operation k's (kind, sql, params)."""

    def __init__(
        self,
        db: ScratchDb,
        table: str,
        rate: float,
        make: Callable[[int], tuple[str, str, Sequence[Any]]],
        spec: LoadSpec,
        zero: float,
        stop: threading.Event,
    ) -> None:
        self.db = db
        self.table = table
        self.rate = rate
        self.make = make
        self.spec = spec
        self.zero = zero
        self.stop = stop
        self.operations: list[Operation] = []
        self.thread = threading.Thread(target=self._run, name=f"dbarch-load-{table}", daemon=True)

    def _run(self) -> None:
        start = time.perf_counter()
        deadline = start + self.spec.max_seconds
        k = 0
        while not self.stop.is_set() and k < self.spec.max_operations:
            due = start + k / self.rate
            now = time.perf_counter()
            if due > deadline:
                break
            if due > now:
                self.stop.wait(due - now)
                if self.stop.is_set():
                    break
            kind, sql, params = self.make(k)
            error: str | None = None
            try:
                self.db.execute(sql, params)
            except Exception as exc:  # a failed operation is a finding (a renamed column), not a crash
                error = error_message(exc)
            done = time.perf_counter()
            self.operations.append(
                Operation(self.table, kind, due - self.zero, done - due, error is None, error)
            )
            k += 1


class Load:
    """The writers and readers of the loaded tables, started and stopped together."""

    def __init__(self, threads: list[_Thread], stop: threading.Event, tables: list[TableLoad]) -> None:
        self.threads = threads
        self.stop_event = stop
        self.tables = tables

    def start(self) -> None:
        # The objects alive now (parsers, the catalog, the plan) move out of the collector's reach: a
        # full collection over them would freeze every load thread at once and show up as a stall.
        gc.freeze()
        for t in self.threads:
            t.thread.start()

    def stop(self) -> None:
        self.stop_event.set()
        for t in self.threads:
            t.thread.join()
        for t in self.threads:
            t.db.close()
        gc.unfreeze()

    @property
    def operations(self) -> list[Operation]:
        return sorted((o for t in self.threads for o in t.operations), key=lambda o: o.started_at)


def build_load(
    db: ScratchDb,
    catalog: Catalog,
    plan: MigrationPlan,
    traits: EngineTraits,
    spec: LoadSpec,
    zero: float,
    rows: int,
    existing: bool,
) -> tuple[Load, dict[str, int]]:
    """The load for ``plan`` (not started) and, per written table, the largest key present before
    (rows above it are the load's own)."""
    stop = threading.Event()
    threads: list[_Thread] = []
    tables: list[TableLoad] = []
    limits: dict[str, int] = {}
    q = traits.quote
    for table, why in loaded_tables(plan, catalog):
        asked = spec.rates_for(table.name)
        write_rate = min(asked.writes, spec.max_thread_rate)
        read_rate = min(asked.reads, spec.max_thread_rate)
        key = single_key(table)
        note = None
        if key is None and write_rate > 0:
            note = "no writer: the table has no single-column integer primary key to tell new rows from old"
            write_rate = 0.0
        if write_rate > 0 and key is not None:
            limit = int(db.query(f"SELECT coalesce(max({q(key.name)}), 0) FROM {q(table.name)}")[0][0])
            limits[table.name.key] = limit
            make = _writer(db, catalog, plan, traits, table, key, limit, rows, existing)
            threads.append(_Thread(db.clone(), str(table.name), write_rate, make, spec, zero, stop))
        if read_rate > 0:
            threads.append(
                _Thread(db.clone(), str(table.name), read_rate, _reader(db, table, traits), spec, zero, stop)
            )
        tables.append(TableLoad(str(table.name), why, write_rate, read_rate, asked, note))
    return Load(threads, stop, tables), limits


def _writer(
    db: ScratchDb,
    catalog: Catalog,
    plan: MigrationPlan,
    traits: EngineTraits,
    table: Table,
    key: Column,
    limit: int,
    rows: int,
    existing: bool,
) -> Callable[[int], tuple[str, str, Sequence[Any]]]:
    """INSERT of row ``limit + n`` then UPDATE of it, alternately. Columns the plan renames or drops
    are left out when they may be (nullable): the application's new code would not write them."""
    q = traits.quote
    changing = {
        op.old_name.key
        for op in plan.operations
        if isinstance(op, RenameColumn) and op.table.matches(table.name)
    }
    changing |= {
        op.name.key for op in plan.operations if isinstance(op, DropColumn) and op.table.matches(table.name)
    }
    gen = RowGenerator(catalog, max(rows, 1) if not existing else max(limit, 1), plan)
    all_cols = gen.columns(table)
    cols = [c for c in all_cols if c.name.key not in changing or not c.nullable]
    insert = insert_sql(db, table, cols, traits)
    payload = next(
        (
            c
            for c in cols
            if c is not key
            and c.name.key not in changing
            and not any(any(x.matches(c.name) for x in fk.columns) for fk in table.foreign_keys)
            and not any(any(x.matches(c.name) for x in u.columns) for u in table.uniques)
            and not any(i.unique and any(x.matches(c.name) for x in i.columns) for i in table.indexes)
        ),
        key,
    )

    def make(k: int) -> tuple[str, str, Sequence[Any]]:
        n = k // 2 + 1
        if k % 2 == 0:
            full = dict(zip((c.name.key for c in all_cols), gen.row(table, limit + n), strict=True))
            return "insert", insert, [full[c.name.key] for c in cols]
        if payload is key:
            return (
                "update",
                f"UPDATE {q(table.name)} SET {q(key.name)} = {q(key.name)} WHERE {q(key.name)} = %s",
                [limit + n],
            )
        value = gen.row(table, limit + n + 1)[all_cols.index(payload)]
        return (
            "update",
            f"UPDATE {q(table.name)} SET {q(payload.name)} = %s WHERE {q(key.name)} = %s",
            [value, limit + n],
        )

    return make


def _reader(
    db: ScratchDb, table: Table, traits: EngineTraits
) -> Callable[[int], tuple[str, str, Sequence[Any]]]:
    """SELECT of a pre-existing row by its primary key (sampled now), or of a few rows."""
    q = traits.quote
    key = table.primary_key.columns if table.primary_key is not None else ()
    if not key:
        sql = f"SELECT * FROM {q(table.name)} LIMIT 3"
        return lambda k: ("read", sql, [])
    cols = ", ".join(q(c) for c in key)
    sample = db.query(f"SELECT {cols} FROM {q(table.name)} ORDER BY {cols} LIMIT {READ_KEYS}")
    where = " AND ".join(f"{q(c)} = %s" for c in key)
    sql = f"SELECT * FROM {q(table.name)} WHERE {where}"
    if not sample:
        empty = f"SELECT * FROM {q(table.name)} LIMIT 1"
        return lambda k: ("read", empty, [])
    return lambda k: ("read", sql, list(sample[(k * 7919) % len(sample)]))


def rates_from_workload(workload: Workload) -> dict[str, TableRates]:
    """Per table, the brief's writes per second (statements that write it: INSERT, UPDATE, DELETE,
    upsert) and reads per second (statements that read it without writing it)."""
    writes: dict[str, float] = {}
    reads: dict[str, float] = {}
    names: dict[str, str] = {}
    for statement in workload.statements:
        target = statement.write_target if statement.is_write else None
        for access in statement.tables:
            names.setdefault(access.table.key, access.table.value)
            if target is not None and access.table.matches(target.table):
                writes[access.table.key] = writes.get(access.table.key, 0.0) + statement.rate
            else:
                reads[access.table.key] = reads.get(access.table.key, 0.0) + statement.rate
    return {
        names[key]: TableRates(writes.get(key, 0.0), reads.get(key, 0.0), "brief")
        for key in sorted(set(writes) | set(reads))
    }
