"""Rehearse a migration plan on a scratch database under concurrent write load.

A plan is only as safe as its behaviour on a real server, so this applies it to a database the
user names for the purpose, and measures what the issue asks for:

1. The database must be empty (no table in its schema) unless the caller allows an existing one:
   rehearsing writes, and a database someone uses is not a scratch database. When empty, the
   current schema is created (rendered by :func:`dbarchitect.engines.ddl.render_schema`) and every
   table is filled with generated rows (deterministic per row number; foreign keys point at rows the
   referenced table has; unique columns get distinct values; ``IN (...)`` checks and enums get listed
   values).
2. A second connection, in a thread, writes single rows to the largest table (INSERT of a new row,
   then UPDATE of a row it inserted) and times every write. It writes only rows with keys above
   the ones present before the rehearsal, so the data check below is not disturbed by it. It runs
   only against a loopback server (the rehearsal is a local experiment, not load on a remote host).
3. Every step runs as planned: its session settings (``lock_timeout``), in a transaction when the
   step is transactional and the engine has transactional DDL, a batched step repeated until it
   changes no row, its check query after it; a lock timeout (or deadlock) rolls back, runs the
   step's ``on_failure_sql`` and retries with backoff. Any other error stops the rehearsal there.
4. Before and after: row count and a checksum per kept column (md5 of the column's text values in
   primary-key order) of every table, limited to the rows that existed before.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dbarchitect.advisors.migrations.backfill import BackfillReport, parse_backfill_notice
from dbarchitect.advisors.migrations.plan import MigrationPlan, Step
from dbarchitect.engines.connection import connection_failed, expand_env, redacted_url, url_engine
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import ConnectionFailed, DbarchError, Diagnostic, UnsupportedError, redact
from dbarchitect.model.catalog import Catalog, Column, ForeignKey, Table
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.ops import (
    AddForeignKey,
    AlterColumnType,
    DropColumn,
    DropTable,
    RenameColumn,
    RenameTable,
)
from dbarchitect.model.types import TypeKind

#: Rows generated per table when the scratch database is empty.
DEFAULT_ROWS = 10_000
#: Tries per step when it keeps hitting lock timeouts.
MAX_TRIES = 10
#: A batched step that still changes rows after this many batches is stopped (a plan bug).
MAX_BATCHES = 100_000


@dataclass(frozen=True)
class LoadSpec:
    """The concurrent write load: bounded by writes and seconds; ``pause_s`` between writes."""

    max_writes: int = 1_000_000
    max_seconds: float = 600.0
    pause_s: float = 0.002
    #: Seconds of load before the first step and after the last (the baseline).
    settle_s: float = 0.3
    #: Writes slower than this are listed as stalls in the report.
    stall_report_s: float = 0.1


@dataclass(frozen=True)
class StepResult:
    """One plan step as it ran in the rehearsal.

    Attributes:
        number: Its position in the plan (1-based).
        description: The plan step's description.
        ok: Whether it succeeded (within its retries).
        seconds: How long it took, retries included.
        tries: Attempts (a lock timeout rolls back and retries with backoff).
        batches: Batches run, for a batched backfill (0 otherwise).
        error: Why it failed, when it did.
        started_at: Seconds since the rehearsal started.
        backfill: What a backfill block reported (rows, batches, slowest batch...), when it is one.
    """

    number: int
    description: str
    ok: bool
    seconds: float
    tries: int
    batches: int
    error: str | None
    started_at: float
    backfill: BackfillReport | None = None


@dataclass(frozen=True)
class Write:
    started_at: float
    seconds: float
    ok: bool
    error: str | None


@dataclass(frozen=True)
class TableCheck:
    """Rows and per-column checksums of one table's pre-existing rows, before and after."""

    table: str
    rows_before: int
    rows_after: int | None
    changed_columns: tuple[str, ...]
    missing_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.rows_after == self.rows_before and not self.changed_columns and not self.missing_columns


@dataclass(frozen=True)
class Rehearsal:
    """A migration plan applied to a scratch database under concurrent writes, and measured
    (``dbarchitect.rehearse_migration``, ``dbarch migrate --rehearse``).

    Attributes:
        engine: The engine rehearsed on, e.g. ``PostgreSQL 15``.
        steps: Every step that ran, with its result and time.
        not_run: Steps not run because an earlier one failed.
        writes: Every single-row write of the concurrent load, timed (``max_stall`` is the slowest).
        load_table: The table the load wrote to (the largest with a single integer key).
        load_note: Why there was no write load, when there was none (a server not on loopback...).
        data: Per table: rows and per-column checksums of the rows that existed before, compared
            after (``.ok``, ``.changed_columns``).
        total_seconds: The whole rehearsal, data generation included.
        migration_seconds: The plan's steps alone.
        migration_started_at: When the first step started, seconds since the rehearsal started.
        generated_rows: Rows generated for the current schema (0 on an existing database).
        notes: What to know about the rehearsal.
    """

    engine: str
    steps: tuple[StepResult, ...]
    not_run: tuple[str, ...]
    writes: tuple[Write, ...]
    load_table: str | None
    load_note: str | None
    data: tuple[TableCheck, ...]
    total_seconds: float
    migration_seconds: float
    migration_started_at: float
    generated_rows: int
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Every step succeeded and the data that existed before is unchanged."""
        return all(s.ok for s in self.steps) and not self.not_run and all(t.ok for t in self.data)

    @property
    def steps_ok(self) -> bool:
        return all(s.ok for s in self.steps) and not self.not_run

    @property
    def data_ok(self) -> bool:
        return all(t.ok for t in self.data)

    @property
    def max_stall(self) -> Write | None:
        """The slowest write of the load (``.seconds``, ``.started_at``), if there was a load."""
        return max(self.writes, key=lambda w: w.seconds, default=None)

    def step_at(self, at: float) -> StepResult | None:
        """The step running at ``at`` (seconds since the start)."""
        for s in self.steps:
            if s.started_at <= at <= s.started_at + s.seconds:
                return s
        return None

    @property
    def failed_writes(self) -> int:
        return sum(1 for w in self.writes if not w.ok)


# ---------------------------------------------------------------------------------------------
# Connections (writable, unlike everything else in the tool: this is the scratch database)


class _Db:
    """A thin autocommit connection over psycopg or PyMySQL with the few calls needed here."""

    def __init__(self, url: str, family: EngineName) -> None:
        self.family = family
        self.url = url
        parsed = make_url(url)
        try:
            if family == EngineName.POSTGRESQL:
                import psycopg

                self.conn: Any = psycopg.connect(
                    host=parsed.host or "localhost",
                    port=parsed.port or 5432,
                    user=parsed.username,
                    password=parsed.password,
                    dbname=parsed.database,
                    autocommit=True,
                    connect_timeout=5,
                )
            else:
                import pymysql
                from pymysql.constants import CLIENT

                self.conn = pymysql.connect(
                    host=parsed.host or "localhost",
                    port=parsed.port or 3306,
                    user=parsed.username or "root",
                    password=parsed.password or "",
                    database=parsed.database,
                    autocommit=True,
                    connect_timeout=5,
                    client_flag=CLIENT.MULTI_STATEMENTS,
                )
        except Exception as exc:
            raise connection_failed(url, family, exc) from None
        #: Messages the server sent (PostgreSQL NOTICEs), e.g. a backfill block's closing report.
        self.notices: list[str] = []
        if family == EngineName.POSTGRESQL:
            self.conn.add_notice_handler(lambda d: self.notices.append(str(d.message_primary or "")))

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> int:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            if self.family != EngineName.POSTGRESQL:
                while cur.nextset():
                    pass
            return int(cur.rowcount or 0)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(sql, rows)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]

    @contextmanager
    def transaction(self, transactional: bool) -> Iterator[None]:
        if not transactional:
            yield
            return
        if self.family == EngineName.POSTGRESQL:
            with self.conn.transaction():
                yield
        else:
            self.conn.begin()
            try:
                yield
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()

    def is_lock_timeout(self, exc: BaseException) -> bool:
        """Lock timeout, lock not available, or deadlock: worth a retry."""
        if self.family == EngineName.POSTGRESQL:
            return getattr(exc, "sqlstate", None) in ("55P03", "40P01")
        args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
        return len(args) > 0 and args[0] in (1205, 1213)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection is not worth reporting
            self.conn.close()


def _message(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


def _is_loopback(host: str | None) -> bool:
    if host is None or host in ("", "localhost") or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------------------------------------
# Generated rows


_IN_LIST = re.compile(r"^\s*\(?\s*[\"`]?(\w+)[\"`]?\s+IN\s*\((.*)\)\s*\)?\s*$", re.IGNORECASE | re.DOTALL)
_COMPARE = re.compile(r"^\s*\(?\s*[\"`]?(\w+)[\"`]?\s*(>=|>)\s*(-?\d+(?:\.\d+)?)\s*\)?\s*$")
_LITERAL = re.compile(r"'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class _Rule:
    """What a check constraint allows for one column: listed values, or a lower bound."""

    values: tuple[Any, ...] = ()
    minimum: float | None = None


def _check_rules(table: Table) -> dict[str, _Rule]:
    """Column -> rule for the check shapes a generator can satisfy; other checks raise."""
    rules: dict[str, _Rule] = {}
    for check in table.checks:
        m = _IN_LIST.match(check.expression)
        if m:
            values = tuple(
                lit[0].replace("''", "'") if lit[0] or not lit[1] else Decimal(lit[1])
                for lit in _LITERAL.findall(m[2])
            )
            rules[m[1].lower()] = _Rule(values=values)
            continue
        m = _COMPARE.match(check.expression)
        if m:
            rules[m[1].lower()] = _Rule(minimum=float(m[3]) + (1 if m[2] == ">" else 0))
            continue
        raise UnsupportedError(
            Diagnostic(
                f"cannot generate rows for {table.name}: check ({check.expression}) is not of the forms "
                "'col IN (...)' or 'col > n'",
                hint="fill the scratch database yourself and rehearse with --rehearse-existing",
            )
        )
    return rules


_BASE_DAY = date(2020, 1, 1)
_BASE_TIME = datetime(2020, 1, 1, tzinfo=UTC)


def _value(table: Table, column: Column, i: int, rules: dict[str, _Rule]) -> Any:
    """The generated value of ``column`` in row ``i`` (1-based): distinct per row where the type
    allows, so unique columns and keys hold."""
    rule = rules.get(column.name.key)
    t = column.type
    if rule is not None and rule.values:
        return rule.values[i % len(rule.values)]
    base = int(rule.minimum) if rule is not None and rule.minimum is not None else 0
    kind = t.kind
    if kind == TypeKind.BOOLEAN:
        return i % 2 == 0
    if kind == TypeKind.SMALLINT:
        return base + i % 32_000
    if kind in (TypeKind.INTEGER, TypeKind.BIGINT):
        return base + i
    if kind == TypeKind.DECIMAL:
        scale = t.scale or 0
        whole = 10 ** max((t.precision or 18) - scale, 1) - 1
        return Decimal(base + i % whole) + (Decimal(i % 100) / 100 if scale >= 2 else Decimal(0))
    if kind in (TypeKind.REAL, TypeKind.DOUBLE):
        return base + i * 0.5
    if kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT):
        text = f"{column.name.value}-{i}"
        length = t.length if kind != TypeKind.TEXT else None
        if length is not None and len(text) > length:
            text = str(i)[-length:]
        return text
    if kind == TypeKind.BINARY:
        return str(i).encode()
    if kind == TypeKind.DATE:
        return _BASE_DAY + timedelta(days=i % 20_000)
    if kind == TypeKind.TIME:
        return (datetime(2020, 1, 1) + timedelta(seconds=i % 86_400)).time()
    if kind == TypeKind.TIMESTAMP:
        return datetime(2020, 1, 1) + timedelta(seconds=i)
    if kind == TypeKind.TIMESTAMPTZ:
        return _BASE_TIME + timedelta(seconds=i)
    if kind == TypeKind.INTERVAL:
        return timedelta(seconds=i)
    if kind == TypeKind.UUID:
        return str(uuid.UUID(int=i))
    if kind == TypeKind.JSON:
        return f'{{"i": {i}}}'
    if kind == TypeKind.ENUM and t.values:
        return t.values[i % len(t.values)]
    if column.nullable:
        return None
    raise UnsupportedError(
        Diagnostic(
            f"cannot generate values for {table.name}.{column.name} ({t})",
            hint="fill the scratch database yourself and rehearse with --rehearse-existing",
        )
    )


def _fill_order(catalog: Catalog) -> list[Table]:
    """Tables with every referenced table before its referrers (self-references allowed)."""
    done: list[Table] = []
    keys: set[str] = set()
    pending = list(catalog.tables)
    while pending:
        ready = [
            t
            for t in pending
            if all(fk.ref_table.key in keys or fk.ref_table.matches(t.name) for fk in t.foreign_keys)
        ]
        if not ready:
            names = ", ".join(str(t.name) for t in pending)
            raise UnsupportedError(
                Diagnostic(
                    f"cannot generate rows: foreign keys form a cycle among {names}",
                    hint="fill the scratch database yourself and rehearse with --rehearse-existing",
                )
            )
        for t in ready:
            done.append(t)
            keys.add(t.name.key)
            pending.remove(t)
    return done


class _Rows:
    """Row ``i`` of any table of the catalog; foreign keys reference row ``(i mod n) + 1`` of their
    table (row ``i - 1`` for a self-reference, so the referenced row exists)."""

    def __init__(self, catalog: Catalog, rows: int, plan: MigrationPlan | None = None) -> None:
        self.catalog = catalog
        self.rows = rows
        self.rules = {t.name.key: _check_rules(t) for t in catalog.tables}
        #: Foreign keys the plan adds: their columns must already point at existing rows.
        self.added: dict[str, list[ForeignKey]] = {}
        for op in plan.operations if plan is not None else ():
            if isinstance(op, AddForeignKey):
                self.added.setdefault(op.table.key, []).append(op.key)

    def columns(self, table: Table) -> list[Column]:
        return [c for c in table.columns if c.generated is None]

    def row(self, table: Table, i: int) -> list[Any]:
        refs: dict[str, Any] = {}
        for fk in (*table.foreign_keys, *self.added.get(table.name.key, ())):
            parent = self.catalog.table(fk.ref_table)
            if parent is None:
                continue
            j = max(i - 1, 1) if parent.name.matches(table.name) else (i % self.rows) + 1
            for col, ref in zip(fk.columns, fk.ref_columns, strict=False):
                ref_col = parent.column(ref)
                if ref_col is not None:
                    refs[col.key] = _value(parent, ref_col, j, self.rules[parent.name.key])
        rules = self.rules[table.name.key]
        return [
            refs[c.name.key] if c.name.key in refs else _value(table, c, i, rules)
            for c in self.columns(table)
        ]


def _placeholders(db: _Db, n: int) -> str:
    return ", ".join(["%s"] * n)


def _insert_sql(db: _Db, table: Table, columns: Sequence[Column], traits: EngineTraits) -> str:
    q = traits.quote
    cols = ", ".join(q(c.name) for c in columns)
    overriding = (
        " OVERRIDING SYSTEM VALUE"
        if db.family == EngineName.POSTGRESQL and any(c.identity for c in columns)
        else ""
    )
    return f"INSERT INTO {q(table.name)} ({cols}){overriding} VALUES ({_placeholders(db, len(columns))})"


# ---------------------------------------------------------------------------------------------
# Data checks


def _single_key(table: Table) -> Column | None:
    """The table's single-column integer primary key, if it has one."""
    if table.primary_key is None or len(table.primary_key.columns) != 1:
        return None
    col = table.column(table.primary_key.columns[0])
    return col if col is not None and col.type.is_integer else None


def _order_key(table: Table) -> tuple[Name, ...]:
    if table.primary_key is not None:
        return table.primary_key.columns
    return tuple(c.name for c in table.columns)


@dataclass(frozen=True)
class _Kept:
    """A table whose rows must survive, its name after the plan, and old -> new column names."""

    table: Table
    after_name: Name
    columns: tuple[tuple[Column, Name], ...]


def kept_columns(plan: MigrationPlan, catalog: Catalog) -> list[_Kept]:
    """Every table and column of ``catalog`` the plan keeps (following its renames)."""
    dropped_tables = {op.name.key for op in plan.operations if isinstance(op, DropTable)}
    table_renames = {op.old_name.key: op.new_name for op in plan.operations if isinstance(op, RenameTable)}
    out: list[_Kept] = []
    for table in catalog.tables:
        if table.name.key in dropped_tables:
            continue
        after = table_renames.get(table.name.key, table.name)
        dropped = {
            op.name.key
            for op in plan.operations
            if isinstance(op, DropColumn) and (op.table.matches(table.name) or op.table.matches(after))
        }
        renamed = {
            op.old_name.key: op.new_name
            for op in plan.operations
            if isinstance(op, RenameColumn) and (op.table.matches(table.name) or op.table.matches(after))
        }
        cols = tuple((c, renamed.get(c.name.key, c.name)) for c in table.columns if c.name.key not in dropped)
        out.append(_Kept(table, after, cols))
    return out


def _text(db: _Db, expr: str, traits: EngineTraits, column: Column | None = None) -> str:
    """``expr`` as comparable text; with ``column`` (its type before a type change), cast back first."""
    if db.family == EngineName.POSTGRESQL:
        if column is not None:
            expr = f"({expr})::{traits.type_sql(column.type)}"
        return f"coalesce(({expr})::text, '~null~')"
    return f"coalesce(cast({expr} as char), '~null~')"


def _checksums(
    db: _Db,
    kept: _Kept,
    after: bool,
    limit: int | None,
    traits: EngineTraits,
    type_changed: set[tuple[str, str]],
) -> tuple[int, dict[str, str | None]]:
    """Row count and md5 per column of the kept rows (keys up to ``limit`` when given)."""
    q = traits.quote
    table = kept.after_name if after else kept.table.name
    names = {c.name.key: new for c, new in kept.columns}
    order = ", ".join(q(names.get(n.key, n) if after else n) for n in _order_key(kept.table))
    exprs: list[str] = []
    for col, new in kept.columns:
        name = q(new if after else col.name)
        cast = col if after and (kept.table.name.key, col.name.key) in type_changed else None
        text = _text(db, name, traits, cast)
        if db.family == EngineName.POSTGRESQL:
            exprs.append(f"md5(string_agg({text}, ',' ORDER BY {order}))")
        else:
            exprs.append(f"md5(group_concat({text} ORDER BY {order} SEPARATOR ','))")
    key = _single_key(kept.table)
    where = ""
    if limit is not None and key is not None:
        where = f" WHERE {q(names[key.name.key] if after else key.name)} <= {int(limit)}"
    if db.family != EngineName.POSTGRESQL:
        db.execute("SET SESSION group_concat_max_len = 4294967295")
    row = db.query(f"SELECT count(*), {', '.join(exprs)} FROM {q(table)}{where}")[0]
    return int(row[0]), {c.name.value: v for (c, _), v in zip(kept.columns, row[1:], strict=True)}


# ---------------------------------------------------------------------------------------------
# The write load


class WriteLoad:
    """Single-row writes from their own connection, in a thread: INSERT of row ``base + k``, then
    UPDATE of it, each timed. ``make_insert(k)`` gives (sql, params); ``make_update(k)`` too."""

    def __init__(
        self,
        db: _Db,
        make_insert: Callable[[int], tuple[str, Sequence[Any]]],
        make_update: Callable[[int], tuple[str, Sequence[Any]]],
        spec: LoadSpec,
        clock_zero: float,
    ) -> None:
        self.db = db
        self.make_insert = make_insert
        self.make_update = make_update
        self.spec = spec
        self.zero = clock_zero
        self.writes: list[Write] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="dbarch-write-load", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()

    def _timed(self, sql: str, params: Sequence[Any]) -> None:
        started = time.perf_counter()
        error: str | None = None
        try:
            self.db.execute(sql, params)
        except Exception as exc:  # a failed write is a finding (e.g. a renamed column), not a crash
            error = _message(exc)
        self.writes.append(Write(started - self.zero, time.perf_counter() - started, error is None, error))

    def _run(self) -> None:
        deadline = time.perf_counter() + self.spec.max_seconds
        k = 0
        while not self._stop.is_set() and len(self.writes) < self.spec.max_writes:
            if time.perf_counter() > deadline:
                break
            k += 1
            self._timed(*self.make_insert(k))
            if k > 1:
                self._timed(*self.make_update(k - 1))
            if self.spec.pause_s:
                time.sleep(self.spec.pause_s)


# ---------------------------------------------------------------------------------------------
# Applying steps


def apply_step(
    db: _Db, number: int, step: Step, traits: EngineTraits, zero: float, *, max_tries: int = MAX_TRIES
) -> StepResult:
    """Run one step as planned (settings, transaction, batches, check), retrying lock timeouts."""
    started = time.perf_counter()
    wrap = step.transactional and traits.features.transactional_ddl
    tries = 0
    batches = 0
    error: str | None = None
    report: BackfillReport | None = None
    while tries < max_tries:
        tries += 1
        error = None
        db.notices.clear()
        try:
            for s in step.session_sql:
                db.execute(s)
            if step.repeat_until_no_rows:
                while True:
                    with db.transaction(wrap):
                        changed = sum(db.execute(s) for s in step.sql)
                    batches += 1
                    if changed == 0 or batches >= MAX_BATCHES:
                        break
            else:
                with db.transaction(wrap):
                    for s in step.sql:
                        db.execute(s)
                report = next((r for r in map(parse_backfill_notice, db.notices) if r), None)
                if report is not None:
                    batches = report.batches
            if step.check_sql:
                rows = db.query(step.check_sql)
                if not rows or not rows[0][0]:
                    error = f"check failed: {step.check_sql}"
                    break
            break
        except Exception as exc:
            error = _message(exc)
            if not db.is_lock_timeout(exc) or tries >= max_tries:
                break
            for s in step.on_failure_sql:
                with contextlib.suppress(Exception):  # cleanup before a retry; the retry reports
                    db.execute(s)
            time.sleep(min(0.2 * 2 ** (tries - 1), 5.0))
    if batches >= MAX_BATCHES and error is None:
        error = f"still changing rows after {MAX_BATCHES} batches"
    return StepResult(
        number,
        step.description,
        error is None,
        time.perf_counter() - started,
        tries,
        batches,
        error,
        started - zero,
        report,
    )


# ---------------------------------------------------------------------------------------------
# The rehearsal


def _has_tables(db: _Db) -> list[str]:
    if db.family == EngineName.POSTGRESQL:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "ORDER BY 1"
        )
    else:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
    return [str(r[0]) for r in db.query(sql)]


def open_scratch(url: str) -> _Db:
    """A writable connection to the scratch database at ``url`` (PostgreSQL, MySQL or MariaDB)."""
    expanded = expand_env(url)
    family = url_engine(expanded)
    if family == EngineName.SQLITE:
        raise UnsupportedError(
            Diagnostic(
                "rehearsing needs a PostgreSQL, MySQL or MariaDB scratch database",
                field="--rehearse",
                hint="create an empty database on a local server and name it",
            )
        )
    try:
        parsed = make_url(expanded)
    except (ArgumentError, ValueError):
        raise ConnectionFailed(Diagnostic(f"cannot read database URL {redact(url)!r}")) from None
    if not parsed.database:
        raise DbarchError(
            Diagnostic(
                f"{redacted_url(expanded)} names no database",
                field="--rehearse",
                hint="name an empty scratch database, e.g. postgresql://user@127.0.0.1/scratch",
            )
        )
    return _Db(expanded, family)


def _create_and_fill(db: _Db, catalog: Catalog, plan: MigrationPlan, traits: EngineTraits, rows: int) -> int:
    script = render_schema(catalog, traits)
    try:
        db.execute(script)
    except Exception as exc:
        raise DbarchError(
            Diagnostic(
                f"cannot create the current schema on the scratch database: {_message(exc)}",
                field="--rehearse",
            )
        ) from None
    gen = _Rows(catalog, rows, plan)
    total = 0
    for table in _fill_order(catalog):
        cols = gen.columns(table)
        sql = _insert_sql(db, table, cols, traits)
        data = [gen.row(table, i) for i in range(1, rows + 1)]
        try:
            db.executemany(sql, data)
        except Exception as exc:
            raise DbarchError(
                Diagnostic(
                    f"cannot fill {table.name} with generated rows: {_message(exc)}",
                    field="--rehearse",
                    hint="fill the scratch database yourself and rehearse with --rehearse-existing",
                )
            ) from None
        total += rows
    if db.family == EngineName.POSTGRESQL:
        db.execute("ANALYZE")
    return total


def _load_for(
    db: _Db, url: str, catalog: Catalog, plan: MigrationPlan, traits: EngineTraits, rows: int, existing: bool
) -> tuple[
    Table | None,
    int,
    str | None,
    Callable[[int], tuple[str, Sequence[Any]]] | None,
    Callable[[int], tuple[str, Sequence[Any]]] | None,
]:
    """The load's table, the key limit of pre-existing rows, a note, and its statement makers."""
    host = make_url(url).host
    if not _is_loopback(host):
        return None, 0, f"no write load: {host} is not a loopback address (stalls not measured)", None, None
    candidates = [t for t in catalog.tables if _single_key(t) is not None]
    if not candidates:
        return None, 0, "no write load: no table has a single-column integer primary key", None, None
    q = traits.quote
    counts = {t.name.key: int(db.query(f"SELECT count(*) FROM {q(t.name)}")[0][0]) for t in candidates}
    table = max(candidates, key=lambda t: (counts[t.name.key], t.name.value))
    key = _single_key(table)
    assert key is not None
    limit = int(db.query(f"SELECT coalesce(max({q(key.name)}), 0) FROM {q(table.name)}")[0][0])
    changing = {
        op.old_name.key
        for op in plan.operations
        if isinstance(op, RenameColumn) and op.table.matches(table.name)
    }
    changing |= {
        op.name.key for op in plan.operations if isinstance(op, DropColumn) and op.table.matches(table.name)
    }
    gen = _Rows(catalog, max(rows, 1) if not existing else max(limit, 1), plan)
    cols = [c for c in gen.columns(table) if c.name.key not in changing or not c.nullable]
    insert = _insert_sql(db, table, cols, traits)
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
    all_cols = gen.columns(table)

    def make_insert(k: int) -> tuple[str, Sequence[Any]]:
        full = dict(zip((c.name.key for c in all_cols), gen.row(table, limit + k), strict=True))
        return insert, [full[c.name.key] for c in cols]

    def make_update(k: int) -> tuple[str, Sequence[Any]]:
        value = gen.row(table, limit + k + 1)[all_cols.index(payload)]
        if payload is key:
            return f"UPDATE {q(table.name)} SET {q(key.name)} = {q(key.name)} WHERE {q(key.name)} = %s", [
                limit + k
            ]
        sql = f"UPDATE {q(table.name)} SET {q(payload.name)} = %s WHERE {q(key.name)} = %s"
        return sql, [value, limit + k]

    return table, limit, None, make_insert, make_update


def rehearse_plan(
    plan: MigrationPlan,
    current_catalog: Catalog,
    traits: EngineTraits,
    url: str,
    *,
    allow_existing: bool = False,
    load: LoadSpec | None = None,
    rows: int = DEFAULT_ROWS,
) -> Rehearsal:
    """Apply ``plan`` to the scratch database at ``url`` under write load (see the module text)."""
    spec = load or LoadSpec()
    zero = time.perf_counter()
    db = open_scratch(url)
    load_db: _Db | None = None
    try:
        existing = _has_tables(db)
        generated = 0
        if existing and not allow_existing:
            shown = ", ".join(existing[:5]) + (" ..." if len(existing) > 5 else "")
            raise DbarchError(
                Diagnostic(
                    f"{redacted_url(db.url)} is not empty (tables: {shown}); a rehearsal writes to it",
                    field="--rehearse",
                    hint="name an empty scratch database, or add --rehearse-existing if this one is a copy",
                )
            )
        if not existing:
            generated = _create_and_fill(db, current_catalog, plan, traits, rows)
        table, limit, note, make_insert, make_update = _load_for(
            db, db.url, current_catalog, plan, traits, rows, bool(existing)
        )
        kept = kept_columns(plan, current_catalog)
        type_changed = {
            (op.table.key, op.old.name.key) for op in plan.operations if isinstance(op, AlterColumnType)
        }
        limits = {
            k.table.name.key: (limit if table is not None and k.table.name.matches(table.name) else None)
            for k in kept
        }
        before = {
            k.table.name.key: _checksums(db, k, False, limits[k.table.name.key], traits, type_changed)
            for k in kept
        }
        writer: WriteLoad | None = None
        if table is not None and make_insert is not None and make_update is not None:
            load_db = _Db(db.url, db.family)
            writer = WriteLoad(load_db, make_insert, make_update, spec, zero)
            writer.start()
            time.sleep(spec.settle_s)
        results: list[StepResult] = []
        not_run: list[str] = []
        started = time.perf_counter()
        for i, step in enumerate(plan.steps, start=1):
            if results and not results[-1].ok:
                not_run.append(f"{i}. {step.description}")
                continue
            results.append(apply_step(db, i, step, traits, zero))
        migration = time.perf_counter() - started
        if writer is not None:
            time.sleep(spec.settle_s)
            writer.stop()
        checks: list[TableCheck] = []
        for k in kept:
            rows_before, sums_before = before[k.table.name.key]
            try:
                rows_after, sums_after = _checksums(
                    db, k, True, limits[k.table.name.key], traits, type_changed
                )
            except Exception as exc:
                checks.append(TableCheck(str(k.after_name), rows_before, None, (), (f"({_message(exc)})",)))
                continue
            changed = tuple(n for n, v in sums_before.items() if sums_after.get(n) != v)
            checks.append(TableCheck(str(k.after_name), rows_before, rows_after, changed, ()))
        return Rehearsal(
            engine=str(traits),
            steps=tuple(results),
            not_run=tuple(not_run),
            writes=tuple(writer.writes) if writer is not None else (),
            load_table=str(table.name) if table is not None else None,
            load_note=note,
            data=tuple(checks),
            total_seconds=time.perf_counter() - zero,
            migration_seconds=migration,
            migration_started_at=started - zero,
            generated_rows=generated,
        )
    finally:
        if load_db is not None:
            load_db.close()
        db.close()


# ---------------------------------------------------------------------------------------------
# Report


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms" if seconds < 10 else f"{seconds:.1f} s"


def rehearsal_markdown(r: Rehearsal) -> str:
    """The rehearsal as Markdown: steps, write stalls, totals, data check, verdict."""
    out = [f"# Rehearsal on {r.engine}", ""]
    if r.generated_rows:
        out += [f"Generated {r.generated_rows:,} rows for the current schema.", ""]
    out += ["## Steps", "", "| # | step | result | time | tries | batches |", "|---|---|---|---|---|---|"]
    for s in r.steps:
        result = "ok" if s.ok else f"FAILED: {s.error}"
        out.append(
            f"| {s.number} | {s.description} | {result} | {_ms(s.seconds)} | {s.tries} | {s.batches or ''} |"
        )
    out += [f"| - | {n} | not run | | | |" for n in r.not_run]
    out += ["", "## Concurrent writes", ""]
    if r.load_note:
        out += [r.load_note, ""]
    else:
        during = [w for w in r.writes if w.started_at >= r.migration_started_at]
        baseline = [w for w in r.writes if w.started_at < r.migration_started_at]
        worst = r.max_stall
        out.append(f"Single-row writes to {r.load_table}: {len(r.writes):,} ({r.failed_writes:,} failed).")
        if baseline:
            out.append(f"Slowest write before the migration: {_ms(max(w.seconds for w in baseline))}.")
        if worst is not None:
            step = r.step_at(worst.started_at)
            where = f"during step {step.number} ({step.description})" if step else "between steps"
            out.append(f"**Max write stall: {_ms(worst.seconds)}** at {worst.started_at:.2f} s, {where}.")
        if during:
            failed = next((w for w in during if not w.ok), None)
            if failed is not None:
                out.append(f"First failed write: {failed.error}")
        out.append("")
    out += [
        "## Totals",
        "",
        f"Migration: {_ms(r.migration_seconds)}; whole rehearsal: {_ms(r.total_seconds)}.",
        "",
        "## Data check (rows that existed before; per-column checksums)",
        "",
        "| table | rows before | rows after | result |",
        "|---|---|---|---|",
    ]
    for t in r.data:
        if t.ok:
            result = "same"
        else:
            parts = []
            if t.changed_columns:
                parts.append("changed: " + ", ".join(t.changed_columns))
            if t.missing_columns:
                parts.append("unreadable: " + ", ".join(t.missing_columns))
            if t.rows_after != t.rows_before:
                parts.append("row count differs")
            result = "**" + "; ".join(parts) + "**"
        after = "-" if t.rows_after is None else f"{t.rows_after:,}"
        out.append(f"| {t.table} | {t.rows_before:,} | {after} | {result} |")
    verdict = (
        "every step succeeded and the data is unchanged"
        if r.ok
        else (
            ("a step failed" if not r.steps_ok else "")
            + (" and " if not r.steps_ok and not r.data_ok else "")
            + ("data changed" if not r.data_ok else "")
        )
    )
    out += ["", f"**Result:** {verdict}.", ""]
    return "\n".join(out)
