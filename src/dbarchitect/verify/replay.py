"""Verify a design against its SLOs: build it in a scratch database, fill it, replay the workload.

:func:`verify_design` creates the schema on the database the user names for the purpose (it must be
empty: a database with tables in it is refused) or on SQLite in a temporary file, fills it with
:mod:`dbarchitect.verify.synthetic` data, runs ``ANALYZE`` so the planner sees the data, and then
runs every workload statement repeatedly with parameters drawn from the same distributions as the
data (an equality on ``orders.customer_id`` gets customer ids at the frequencies orders have them; a
range bound on ``placed_at`` a value from ``placed_at``'s range; an ``INSERT`` a fresh row that
satisfies the table's keys and checks). Writes run in a transaction that is rolled back, so every
execution sees the same data. Wall latency of each execution (fetching every row included) gives
p50/p95/p99, compared with the statement's SLO and, when given, with an estimate.
"""

from __future__ import annotations

import json
import math
import random
import re
import sqlite3
import tempfile
import time
from collections.abc import Callable, Collection, Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import sqlglot
from sqlalchemy.engine import make_url
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.latency import LatencyEstimate, estimate_latency
from dbarchitect.engines.connection import connection_failed, expand_env, redacted_url, url_engine
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Statement, StatementKind, Workload
from dbarchitect.verify.synthetic import (
    Generation,
    Loader,
    MysqlLoader,
    PostgresLoader,
    ProgressCallback,
    SqliteLoader,
    SyntheticData,
    TableGen,
    adapt_row,
    generate,
    loaded_catalog,
    workload_values,
)

#: The cost clause of a PostgreSQL EXPLAIN line; group 1 is the total cost.
_PG_COST = re.compile(r"\s+\(cost=[0-9.]+\.\.([0-9.]+)[^)]*\)")
#: Executions before measuring (plan caches, prepared statements, buffer warm-up).
WARMUP = 2
#: Plan lines kept per statement.
PLAN_LINES = 8
#: Runs of the speed probe before each statement and after the last; their median scales the
#: latency model.
PROBE_RUNS = 20
#: The speed probe: a round trip and a fixed bit of work in the engine (200 rows of a recursive CTE,
#: counted), the same on every engine. Not ``SELECT 1``: on SQLite that is 2 microseconds of the
#: client's own call overhead and says little about the engine's speed.
PROBE_SQL = (
    "WITH RECURSIVE probe(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM probe WHERE x < 200) "
    "SELECT count(*) FROM probe"
)
#: A ratio measured/estimated within this factor counts as "within" (the issue's 2x target).
RATIO_TARGET = 2.0


@dataclass(frozen=True)
class StatementResult:
    """One statement replayed on the synthetic data, against its SLO.

    Attributes:
        name: The statement's name in the brief.
        kind: ``select``, ``insert``, ``update``, ``delete``...
        sql: The SQL as run on the scratch engine (transpiled, parameters in the driver's style).
        slo_p95_ms: The brief's p95 SLO in milliseconds, if it gives one.
        slo_p99_ms: The brief's p99 SLO in milliseconds, if it gives one.
        executions: Timed executions (bounded by the repetitions and seconds per statement).
        errors: Executions that failed.
        error: The first failure's message.
        p50_ms: Measured median latency, milliseconds.
        p95_ms: Measured 95th percentile latency, milliseconds.
        p99_ms: Measured 99th percentile latency, milliseconds.
        plan: The plan the engine chose (EXPLAIN / EXPLAIN QUERY PLAN), one node per line.
        estimated_ms: The estimate beside the measurement: the built-in cost model's plan cost on
            the design at the loaded sizes, through the measured engine's latency model (see
            ``Verification.estimate_source``); ``None`` when the statement could not be costed.
        unbound: Parameters no column could be found for (bound to NULL), named so the result is
            not trusted blindly.
        supplied: Identity columns (``table.column``) the engine cannot fill itself, which the
            replay gives fresh values (SQLite: an identity that is not the rowid).
        estimated_p50_ms: The estimated median (``estimated_ms`` is it x the model's p95/p50).
        estimated_cost: The plan cost behind the estimate, PostgreSQL planner units.
        estimate_detail: How the estimate adds up (per statement, writes, index entries, cost).
        committed: The write ran committed on its own (a calibration run), not rolled back.
        planner_cost: The engine's own plan cost for the statement on the loaded data (PostgreSQL's
            EXPLAIN total cost); None on engines whose EXPLAIN gives none.
        planner_estimated_ms: The estimated p95 from ``planner_cost`` through the latency model
            (its ``ms_per_cost_unit``): what a design made with ``--database`` estimates.
        planner_estimated_p50_ms: The estimated median from ``planner_cost``.
    """

    name: str
    kind: str
    sql: str
    slo_p95_ms: float | None
    slo_p99_ms: float | None
    executions: int
    errors: int
    error: str | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    plan: tuple[str, ...]
    estimated_ms: float | None = None
    unbound: tuple[str, ...] = ()
    supplied: tuple[str, ...] = ()
    estimated_p50_ms: float | None = None
    estimated_cost: float | None = None
    estimate_detail: str | None = None
    committed: bool = False
    planner_cost: float | None = None
    planner_estimated_ms: float | None = None
    planner_estimated_p50_ms: float | None = None

    @property
    def planner_ratio(self) -> float | None:
        """Measured p95 over the estimate from the engine's own plan cost."""
        if self.p95_ms is None or not self.planner_estimated_ms:
            return None
        return self.p95_ms / self.planner_estimated_ms

    @property
    def ratio(self) -> float | None:
        """Measured p95 over the estimate."""
        if self.p95_ms is None or not self.estimated_ms:
            return None
        return self.p95_ms / self.estimated_ms

    @property
    def median_ratio(self) -> float | None:
        """Measured p50 over the estimated median (the model without its p95/p50 factor)."""
        if self.p50_ms is None or not self.estimated_p50_ms:
            return None
        return self.p50_ms / self.estimated_p50_ms

    @property
    def meets_slo(self) -> bool | None:
        """True/False against the p95 (and p99) SLO; None without an SLO or a measurement."""
        if self.p95_ms is None or (self.slo_p95_ms is None and self.slo_p99_ms is None):
            return None
        ok = self.slo_p95_ms is None or self.p95_ms <= self.slo_p95_ms
        if self.slo_p99_ms is not None and self.p99_ms is not None:
            ok = ok and self.p99_ms <= self.slo_p99_ms
        return ok


@dataclass(frozen=True)
class Verification:
    """The design built on a scratch database, filled with synthetic data and the workload replayed
    (``dbarchitect.verify_brief``, ``dbarch verify``).

    Attributes:
        engine: The engine measured on, e.g. ``SQLite 3.40`` or ``PostgreSQL 15``.
        database: Redacted URL of the scratch database, or ``sqlite (temporary file)``.
        scale: The fraction of the brief's row counts generated.
        seed: The seed of the synthetic data and the parameters.
        generation: The data generated: per table rows, rows dropped and seconds (``.tables``),
            total ``.rows``, ``.seconds`` and ``.rows_per_second``.
        statements: Every statement's measurement, in the brief's order.
        notes: What was not measured, and why.
        estimate_source: How the estimates were made: the cost model, the sizes it was given and
            the latency model's calibration (``None`` without estimates).
        server: The server's own version string (``15.20 (Debian ...)``, ``10.11.19-MariaDB``).
        probe_ms: The median of the speed probe (:data:`PROBE_SQL`, :data:`PROBE_RUNS` runs before
            each statement and after the last) on the scratch database, milliseconds.
        speed_factor: How much the latency model was scaled to the probe (its ``probe_ms`` over the
            calibration run's); 1.0 when not scaled.
    """

    engine: str
    database: str
    scale: float
    seed: int
    generation: Generation
    statements: tuple[StatementResult, ...]
    notes: tuple[str, ...] = field(default=())
    estimate_source: str | None = None
    server: str = ""
    probe_ms: float = 0.0
    speed_factor: float = 1.0

    @property
    def ok(self) -> bool:
        """No statement missed its SLO or failed (``dbarch verify`` exits 1 otherwise)."""
        return all(s.meets_slo is not False and s.errors == 0 for s in self.statements)

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(sorted(r for s in self.statements if (r := s.ratio) is not None))

    @property
    def within_target(self) -> int:
        """Statements whose measured p95 is within :data:`RATIO_TARGET` x of the estimate."""
        return sum(1 for r in self.ratios if is_within_target(r))


# ---------------------------------------------------------------------------------------------
# Parameters: which column each one is compared with


_STRING = re.compile(r"'(?:[^']|'')*'")
_PARAM = re.compile(r"%\((\w+)\)s|(?<![:\w]):([A-Za-z_]\w*)|\$(\d+)|\?")


def _rewrite_params(sql: str, family: EngineName) -> tuple[str, list[str]]:
    """``sql`` with every parameter (``:name``, ``%(name)s``, ``$n``, ``?``) in the driver's named
    style, and the names in order (``$n`` and ``?`` become ``pn``)."""
    names: list[str] = []
    positional = 0
    pyformat = family != EngineName.SQLITE

    def one(m: re.Match[str]) -> str:
        nonlocal positional
        if m[1] or m[2]:
            name = m[1] or m[2]
        elif m[3]:
            name = f"p{m[3]}"
        else:
            positional += 1
            name = f"p{positional}"
        names.append(name)
        return f"%({name})s" if pyformat else f":{name}"

    def escape(text: str) -> str:
        return text.replace("%", "%%") if pyformat else text

    def code(text: str) -> str:
        parts: list[str] = []
        last = 0
        for m in _PARAM.finditer(text):
            parts += [escape(text[last : m.start()]), one(m)]
            last = m.end()
        return "".join([*parts, escape(text[last:])])

    out: list[str] = []
    last = 0
    for literal in _STRING.finditer(sql):
        out += [code(sql[last : literal.start()]), escape(literal[0])]
        last = literal.end()
    out.append(code(sql[last:]))
    return "".join(out), names


def _param_name(node: exp.Expr, positional: list[int]) -> str | None:
    if isinstance(node, exp.Placeholder):
        if node.name:
            return node.name
        positional[0] += 1
        return f"p{positional[0]}"
    if isinstance(node, exp.Parameter):
        return f"p{node.name}"
    return None


@dataclass(frozen=True)
class Binding:
    """Where a parameter's value comes from: a column (``fresh`` for an INSERT's new row), a LIMIT /
    OFFSET, or a LIKE pattern built from the column's values."""

    table: str | None = None
    column: str | None = None
    fresh: bool = False
    like: bool = False
    constant: Any = None


def bind_parameters(statement: Statement, source: EngineTraits, catalog: Catalog) -> dict[str, Binding]:
    """Parameter name -> :class:`Binding`, read from the statement's parse tree."""
    try:
        tree = sqlglot.parse_one(statement.sql, read=source.sqlglot_dialect)
    except SqlglotError:
        return {}
    aliases: dict[str, str] = {}
    for t in tree.find_all(exp.Table):
        aliases[(t.alias_or_name or t.name).lower()] = t.name.lower()
        aliases[t.name.lower()] = t.name.lower()
    touched = [a.table.key for a in statement.tables]

    def resolve(col: exp.Column) -> tuple[str, str] | None:
        name = col.name.lower()
        if col.table:
            table = aliases.get(col.table.lower())
            return (table, name) if table else None
        for key in touched:
            t = catalog.table(key)
            if t is not None and t.has_column(name):
                return t.name.key, name
        return None

    insert_target: str | None = None
    insert_columns: list[str] = []
    if isinstance(tree, exp.Insert):
        schema = tree.this
        target = schema.this if isinstance(schema, exp.Schema) else schema
        if isinstance(target, exp.Table):
            insert_target = target.name.lower()
        if isinstance(schema, exp.Schema):
            insert_columns = [e.name.lower() for e in schema.expressions]

    out: dict[str, Binding] = {}
    positional = [0]
    for node in tree.walk():
        name = _param_name(node, positional)
        if name is None or name in out:
            continue
        out[name] = _binding(node, resolve, insert_target, insert_columns)
    for name in statement.parameters:  # fall back on a column of the same name
        if name not in out or out[name] == Binding():
            for key in touched:
                table = catalog.table(key)
                if table is not None and table.has_column(name):
                    out[name] = Binding(table.name.key, name)
                    break
    return out


def _binding(
    node: exp.Expr,
    resolve: Callable[[exp.Column], tuple[str, str] | None],
    insert_target: str | None,
    insert_columns: list[str],
) -> Binding:
    parent = node.parent
    if isinstance(parent, exp.Limit):
        return Binding(constant=10)
    if isinstance(parent, exp.Offset):
        return Binding(constant=0)
    if isinstance(parent, exp.Tuple):
        holder = parent.parent
        if isinstance(holder, exp.Values) and insert_target is not None:
            position = parent.expressions.index(node)
            if position < len(insert_columns):
                return Binding(insert_target, insert_columns[position], fresh=True)
            return Binding()
        if isinstance(holder, exp.Binary):
            other = holder.left if holder.right is parent else holder.right
            position = parent.expressions.index(node)
            if isinstance(other, exp.Tuple) and position < len(other.expressions):
                target = other.expressions[position]
                found = resolve(target) if isinstance(target, exp.Column) else None
                return Binding(*found) if found else Binding()
        return Binding()
    if isinstance(parent, (exp.In, exp.Between)) and isinstance(parent.this, exp.Column):
        found = resolve(parent.this)
        return Binding(*found) if found else Binding()
    # climb arithmetic (``reserved + :q``) to the comparison or assignment it belongs to
    child: exp.Expr = node
    while isinstance(parent, (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Paren, exp.Cast)):
        child, parent = parent, parent.parent
    if isinstance(parent, exp.Binary):
        other = parent.left if parent.right is child else parent.right
        column = other if isinstance(other, exp.Column) else next(other.find_all(exp.Column), None)
        if column is None and child is not node:
            column = next(child.find_all(exp.Column), None)
        if column is not None:
            found = resolve(column)
            if found:
                return Binding(*found, like=isinstance(parent, (exp.Like, exp.ILike)))
    return Binding()


def _engine_generates(table: Table, column: Column, traits: EngineTraits) -> bool:
    """Whether ``traits``' engine fills ``column`` (an identity) itself: SQLite only for the single
    integer primary key (its rowid alias), as the DDL renderer declares it."""
    if not traits.features.identity_only_as_rowid:
        return True
    pk = table.primary_key
    return (
        column.type.is_integer
        and pk is not None
        and len(pk.columns) == 1
        and pk.columns[0].matches(column.name)
    )


def _supply_identities(sql: str, catalog: Catalog, traits: EngineTraits) -> tuple[str, dict[str, Binding]]:
    """An INSERT (in ``traits``' dialect) that leaves out an identity column the engine cannot fill
    (SQLite, unless it is the rowid) gets the column with a fresh value, as the application would have
    to supply it there; the added parameters' bindings. Anything else is returned as it is."""
    try:
        tree = sqlglot.parse_one(sql, read=traits.sqlglot_dialect)
    except SqlglotError:
        return sql, {}
    schema = tree.this if isinstance(tree, exp.Insert) else None
    values = tree.expression if isinstance(tree, exp.Insert) else None
    if not isinstance(schema, exp.Schema) or not isinstance(values, exp.Values):
        return sql, {}
    target = schema.this
    table = catalog.table(target.name) if isinstance(target, exp.Table) else None
    if table is None:
        return sql, {}
    named = {e.name.lower() for e in schema.expressions}
    added: dict[str, Binding] = {}
    for column in table.columns:
        if not column.identity or column.name.key in named or _engine_generates(table, column, traits):
            continue
        param = f"dbarch_fresh_{column.name.key}"
        schema.append("expressions", exp.to_identifier(column.name.value))
        for row in values.expressions:
            row.append("expressions", exp.Placeholder(this=param))
        added[param] = Binding(table.name.key, column.name.key, fresh=True)
    if not added:
        return sql, {}
    return tree.sql(dialect=traits.sqlglot_dialect), added


def _draw(binding: Binding, gens: Mapping[str, TableGen], rng: random.Random, fresh: dict[str, Any]) -> Any:
    if binding.table is None or binding.column is None:
        return binding.constant
    gen = gens.get(binding.table)
    if gen is None:
        return None
    if binding.fresh:
        return fresh.get(binding.column)
    value = gen.sample(binding.column, rng)
    if binding.like:
        return f"{str(value)[:3]}%" if value is not None else "%"
    return value


# ---------------------------------------------------------------------------------------------
# Engines: connection, emptiness, EXPLAIN


class _Target:
    """One scratch database: its family, driver connection and loader."""

    def __init__(
        self, family: EngineName, conn: Any, traits: EngineTraits, shown: str, server: str = ""
    ) -> None:
        self.family = family
        self.conn = conn
        self.traits = traits
        self.shown = shown
        self.server = server
        loaders: dict[EngineName, type[Loader]] = {
            EngineName.SQLITE: SqliteLoader,
            EngineName.POSTGRESQL: PostgresLoader,
            EngineName.MYSQL: MysqlLoader,
            EngineName.MARIADB: MysqlLoader,
        }
        self.loader = loaders[family](conn, traits)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        if self.family == EngineName.SQLITE:
            return [tuple(r) for r in self.conn.execute(sql, params or {}).fetchall()]
        cur = self.conn.cursor()
        try:
            cur.execute(sql, params) if params is not None else cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
        finally:
            cur.close()

    def tables(self) -> list[str]:
        if self.family == EngineName.SQLITE:
            sql = (
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE 'sqlite_%'"
            )
        elif self.family == EngineName.POSTGRESQL:
            sql = (
                "SELECT table_name FROM information_schema.tables WHERE table_schema NOT IN "
                "('pg_catalog', 'information_schema')"
            )
        else:
            sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE()"
        return sorted(str(r[0]) for r in self.query(sql))

    def analyze(self, catalog: Catalog) -> None:
        if self.family == EngineName.MYSQL or self.family == EngineName.MARIADB:
            for t in catalog.tables:
                self.query(f"ANALYZE TABLE {self.traits.quote(t.name)}")
        else:
            self.query("ANALYZE") if self.family == EngineName.SQLITE else self.loader.execute("ANALYZE")

    def explain(self, sql: str, params: Mapping[str, Any]) -> tuple[tuple[str, ...], float | None]:
        """The plan, one node per line, and the engine's own total cost for it (PostgreSQL's; None
        where EXPLAIN gives no cost)."""
        if self.family == EngineName.SQLITE:
            rows = self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            return tuple(str(r[-1]) for r in rows)[:PLAN_LINES], None
        if self.family == EngineName.POSTGRESQL:
            raw = [str(r[0]) for r in self.query(f"EXPLAIN {sql}", params)]
            total = _PG_COST.search(raw[0]) if raw else None
            lines = [_PG_COST.sub("", line).rstrip() for line in raw]
            return tuple(lines)[:PLAN_LINES], float(total.group(1)) if total else None
        cur = self.conn.cursor()
        try:
            cur.execute(f"EXPLAIN {sql}", params)
            names = [d[0].lower() for d in cur.description or ()]
            out: list[str] = []
            for row in cur.fetchall():
                r = dict(zip(names, row, strict=False))
                out.append(
                    f"{r.get('table')}: {r.get('type')} key={r.get('key')} rows={r.get('rows')} "
                    f"{r.get('extra') or ''}".rstrip()
                )
            return tuple(out)[:PLAN_LINES], None
        finally:
            cur.close()

    def run(self, sql: str, params: Mapping[str, Any], write: bool) -> float:
        """Execute once (in a rolled-back transaction for a write), fetching every row; seconds."""
        if write:
            self._execute("BEGIN")
        try:
            started = time.perf_counter()
            if self.family == EngineName.SQLITE:
                self.conn.execute(sql, params).fetchall()
            else:
                cur = self.conn.cursor()
                try:
                    cur.execute(sql, params)
                    if cur.description:
                        cur.fetchall()
                finally:
                    cur.close()
            return time.perf_counter() - started
        finally:
            if write:
                self._execute("ROLLBACK")

    def probe(self, runs: int) -> list[float]:
        """Milliseconds of ``runs`` executions of :data:`PROBE_SQL` from this client: a round trip
        and a fixed bit of the engine's work, measured now (the speed probe)."""
        return [self.run(PROBE_SQL, {}, False) * 1000 for _ in range(runs)]

    def _execute(self, sql: str) -> None:
        if self.family in (EngineName.MYSQL, EngineName.MARIADB):
            self.conn.begin() if sql == "BEGIN" else self.conn.rollback()
        else:
            self.loader.execute(sql)

    def recover(self) -> None:
        """After an error: leave any failed transaction."""
        with suppress(Exception):  # nothing to roll back is fine
            self._execute("ROLLBACK")

    def close(self) -> None:
        with suppress(Exception):  # closing a broken connection is not worth reporting
            self.conn.close()


def _same_family(a: EngineName, b: EngineName) -> bool:
    mysql = {EngineName.MYSQL, EngineName.MARIADB}
    return a == b or (a in mysql and b in mysql)


def _server_version(family: EngineName, conn: Any) -> str:
    """The server's own version string (probed, not assumed)."""
    if family == EngineName.SQLITE:
        return str(conn.execute("SELECT sqlite_version()").fetchone()[0])
    cur = conn.cursor()
    try:
        cur.execute("SHOW server_version" if family == EngineName.POSTGRESQL else "SELECT VERSION()")
        row = cur.fetchone()
        return str(row[0]) if row else ""
    finally:
        cur.close()


def _probed_traits(family: EngineName, server: str, traits: EngineTraits) -> EngineTraits:
    """Traits of the engine the server is (a ``mysql://`` URL may reach MariaDB) at its version; the
    brief's ``traits`` when the server cannot be read."""
    engine = EngineName.MARIADB if family != EngineName.POSTGRESQL and "mariadb" in server.lower() else family
    m = re.match(r"\s*(\d+(?:\.\d+){0,2})", server)
    if m is None:
        return traits if _same_family(traits.engine, family) else get_traits(family)
    try:
        return get_traits(engine, m.group(1))
    except DbarchError:  # older than the oldest supported: judge it as the oldest the tool knows
        return traits if _same_family(traits.engine, family) else get_traits(engine)


@contextmanager
def _open(url: str | None, traits: EngineTraits) -> Iterator[_Target]:
    """The scratch database: ``url``, or SQLite in a temporary file removed afterwards."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="dbarch-verify-") as tmp:
            temp = sqlite3.connect(Path(tmp) / "verify.db", isolation_level=None)
            temp.execute("PRAGMA foreign_keys = ON")
            server = _server_version(EngineName.SQLITE, temp)
            target = _Target(
                EngineName.SQLITE,
                temp,
                _probed_traits(EngineName.SQLITE, server, traits),
                "sqlite (temporary file)",
                server,
            )
            try:
                yield target
            finally:
                target.close()
        return
    family = url_engine(url)
    shown = redacted_url(url)
    parsed = make_url(expand_env(url))
    conn: Any
    try:
        if family == EngineName.SQLITE:
            conn = sqlite3.connect(parsed.database or ":memory:", isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
        elif family == EngineName.POSTGRESQL:
            import psycopg

            conn = psycopg.connect(
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

            if not parsed.database:
                raise DbarchError(
                    Diagnostic(f"{shown} names no database", hint="name an empty scratch database in the URL")
                )
            conn = pymysql.connect(
                host=parsed.host or "localhost",
                port=parsed.port or 3306,
                user=parsed.username or "root",
                password=parsed.password or "",
                database=parsed.database,
                autocommit=True,
                connect_timeout=5,
                client_flag=CLIENT.MULTI_STATEMENTS,
                local_infile=False,
            )
    except DbarchError:
        raise
    except Exception as exc:
        raise connection_failed(url, family, exc) from None
    try:
        server = _server_version(family, conn)
    except Exception:  # a server that cannot say its version is judged by the brief's
        server = ""
    target = _Target(family, conn, _probed_traits(family, server, traits), shown, server)
    try:
        existing = target.tables()
        if existing:
            listed = ", ".join(existing[:5]) + (" ..." if len(existing) > 5 else "")
            raise DbarchError(
                Diagnostic(
                    f"{shown} is not empty ({len(existing)} table(s): {listed}); verify and calibrate "
                    "write only to an empty scratch database",
                    field="--engine-url",
                    hint="create an empty database for the run (or leave out the URL for SQLite)",
                )
            )
        yield target
    finally:
        target.close()


# ---------------------------------------------------------------------------------------------
# Measuring


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) with linear interpolation between the nearest ranks."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def _with_estimate(result: StatementResult, estimate: LatencyEstimate | float | None) -> StatementResult:
    """``result`` with ``estimate`` beside it (a model's, with its parts, or a given number)."""
    detailed = estimate if isinstance(estimate, LatencyEstimate) else None
    return replace(
        result,
        estimated_ms=detailed.ms
        if detailed is not None
        else estimate
        if isinstance(estimate, float)
        else None,
        estimated_p50_ms=detailed.median_ms if detailed is not None else None,
        estimated_cost=detailed.cost if detailed is not None else None,
        estimate_detail=detailed.explain() if detailed is not None else None,
    )


def _with_planner_estimate(
    result: StatementResult, statement: Statement, catalog: Catalog, traits: EngineTraits, model: LatencyModel
) -> StatementResult:
    """``result`` with the estimate its engine's own plan cost gives through ``model`` (its cost per
    planner unit), as a design made against a live database estimates."""
    if result.planner_cost is None:
        return result
    estimate = estimate_latency(
        statement,
        result.planner_cost,
        catalog,
        traits,
        cost_source=f"{traits.label} planner",
        commit=result.committed,
        model=model,
    )
    return replace(result, planner_estimated_ms=estimate.ms, planner_estimated_p50_ms=estimate.median_ms)


def _measure(
    target: _Target,
    statement: Statement,
    source: EngineTraits,
    catalog: Catalog,
    data: SyntheticData,
    *,
    seconds: float,
    repetitions: int,
    rng: random.Random,
    estimate: LatencyEstimate | float | None,
    commit: bool = False,
) -> StatementResult:
    slo = statement.slo
    base = StatementResult(
        name=statement.name,
        kind=statement.kind.value,
        sql=statement.sql,
        slo_p95_ms=slo.p95_ms if slo else None,
        slo_p99_ms=slo.p99_ms if slo else None,
        executions=0,
        errors=0,
        error=None,
        p50_ms=None,
        p95_ms=None,
        p99_ms=None,
        plan=(),
        committed=commit,
    )
    base = _with_estimate(base, estimate)
    try:
        sql = transpile_statement(statement.sql, source.engine, target.traits.engine, catalog)
    except DbarchError as exc:
        return replace(base, errors=1, error=str(exc))
    sql, supplied = _supply_identities(sql, catalog, target.traits)
    sql, names = _rewrite_params(sql, target.family)
    bindings = {**bind_parameters(statement, source, catalog), **supplied}
    unbound = tuple(sorted({n for n in names if bindings.get(n, Binding()) == Binding()}))
    write = (statement.is_write or statement.kind == StatementKind.OTHER) and not commit
    insert_table = next((b.table for b in bindings.values() if b.fresh), None)
    counter = [0]

    def params() -> dict[str, Any]:
        fresh: dict[str, Any] = {}
        if insert_table is not None and insert_table in data.tables:
            counter[0] += 1
            fresh = data.tables[insert_table].fresh_row(counter[0])
        values = [_draw(bindings.get(n, Binding()), data.tables, rng, fresh) for n in names]
        return dict(zip(names, adapt_row(target.family, values), strict=True))

    plan: tuple[str, ...] = ()
    planner_cost: float | None = None
    error: str | None = None
    errors = 0
    try:
        plan, planner_cost = target.explain(sql, params())
    except Exception as exc:  # a plan that cannot be shown is reported, and the runs still tried
        target.recover()
        plan = (f"(no plan: {_first_line(exc)})",)
    timings: list[float] = []
    started = time.perf_counter()
    attempts = 0
    while attempts < repetitions + WARMUP:
        attempts += 1
        try:
            took = target.run(sql, params(), write)
        except Exception as exc:  # an execution error is data: counted, the first one shown
            target.recover()
            errors += 1
            error = error or _first_line(exc)
            if errors >= 5 and not timings:
                break
            continue
        if attempts > WARMUP:
            timings.append(took * 1000)
        if time.perf_counter() - started > seconds and len(timings) >= 1:
            break
    timings.sort()
    return replace(
        base,
        sql=sql,
        executions=len(timings),
        errors=errors,
        error=error,
        p50_ms=percentile(timings, 0.5) if timings else None,
        p95_ms=percentile(timings, 0.95) if timings else None,
        p99_ms=percentile(timings, 0.99) if timings else None,
        plan=plan,
        planner_cost=planner_cost,
        unbound=unbound,
        supplied=tuple(f"{b.table}.{b.column}" for b in supplied.values()),
    )


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


def verify_design(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    *,
    url: str | None = None,
    scale: float = 0.01,
    seconds_per_statement: float = 2.0,
    repetitions: int = 200,
    progress: ProgressCallback | None = None,
    seed: int = 0,
    estimates: Mapping[str, float] | None = None,
    latency: LatencyModel | None = None,
    committed: Collection[str] = (),
    on_loaded: Callable[[Catalog], None] | None = None,
) -> Verification:
    """Build ``catalog`` on the empty scratch database at ``url`` (None: SQLite in a temporary file),
    fill it with synthetic data at ``scale``, replay ``workload`` (written for ``traits``' engine) and
    measure each statement (up to ``repetitions`` runs or ``seconds_per_statement``).

    Beside each measurement goes an estimate made for the data as loaded (:func:`estimate_loaded`:
    the built-in cost model at the loaded sizes, through the measured engine's latency model, or
    ``latency`` when given), or the milliseconds ``estimates`` maps statement names to. Writes are
    rolled back, so their estimates leave out the commit; the write statements named in ``committed``
    run committed on their own instead (a calibration measures the commit so). ``on_loaded`` is
    given the catalog at the loaded sizes (:func:`~dbarchitect.verify.synthetic.loaded_catalog`)."""
    if seconds_per_statement <= 0 or repetitions < 1:
        raise DbarchError(Diagnostic("give a positive time per statement and at least one repetition"))
    with _open(url, traits) as target:
        data = generate(
            catalog,
            target.loader,
            scale=scale,
            seed=seed,
            progress=progress,
            named=workload_values(workload),
        )
        target.analyze(catalog)
        rng = random.Random(f"{seed}:replay")
        results: list[StatementResult] = []
        total = len(workload.statements)
        source: str | None = "given" if estimates is not None else None
        loaded: dict[str, LatencyEstimate] = {}
        sized = loaded_catalog(catalog, data, scale)
        if on_loaded is not None:
            on_loaded(sized)
        probes: list[float] = []
        for n, statement in enumerate(workload.statements):
            # the speed probe runs between the statements, so its median is the machine's speed
            # over the whole replay (a shared machine's speed drifts within minutes)
            probes += target.probe(PROBE_RUNS)
            estimate = estimates.get(statement.name) if estimates is not None else None
            results.append(
                _measure(
                    target,
                    statement,
                    traits,
                    catalog,
                    data,
                    seconds=seconds_per_statement,
                    repetitions=repetitions,
                    rng=rng,
                    estimate=estimate,
                    commit=statement.name in committed and statement.is_write,
                )
            )
            if progress is not None:
                progress("replay", n + 1, total)
        probes += target.probe(PROBE_RUNS)
        probe = percentile(sorted(probes), 0.5)
        factor = 1.0
        if estimates is None:
            model, factor = (latency or target.traits.latency).scaled(probe)
            loaded, source = estimate_loaded(sized, workload, target.traits, model, committed)
            results = [
                _with_planner_estimate(
                    _with_estimate(r, loaded.get(r.name)), statement, sized, target.traits, model
                )
                for r, statement in zip(results, workload.statements, strict=True)
            ]
        notes = list(data.generation.notes)
        for r in results:
            if r.unbound:
                notes.append(
                    f"{r.name}: no column found for parameter(s) {', '.join(r.unbound)}; bound to NULL"
                )
            if r.supplied:
                notes.append(
                    f"{r.name}: {target.traits.label} cannot generate {', '.join(r.supplied)} (an identity "
                    "that is not its rowid); the replay supplies fresh values, as an application must"
                )
        if target.family == EngineName.SQLITE and traits.engine != EngineName.SQLITE:
            notes.append(
                f"measured on SQLite, not on the brief's {traits}: latencies show plans, not production"
            )
        label = str(target.traits)
        return Verification(
            label,
            target.shown,
            scale,
            seed,
            data.generation,
            tuple(results),
            tuple(notes),
            source,
            target.server,
            probe,
            factor,
        )


def estimate_loaded(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    latency: LatencyModel | None = None,
    committed: Collection[str] = (),
) -> tuple[dict[str, LatencyEstimate], str]:
    """Each statement's estimated latency on ``traits``' engine over ``catalog`` at the sizes loaded
    (:func:`~dbarchitect.verify.synthetic.loaded_catalog`): the built-in cost model's plan cost through
    the engine's latency model (or ``latency``), without a commit unless the statement is named in
    ``committed``; and a sentence saying so. A statement the model cannot cost gets no estimate."""
    model = BuiltinCostModel(catalog, traits)
    used = latency or traits.latency
    out: dict[str, LatencyEstimate] = {}
    for statement in workload.statements:
        plan = model.plan_cost(statement, frozenset())
        if plan.error is not None or not math.isfinite(plan.cost):
            continue
        out[statement.name] = estimate_latency(
            statement,
            plan.cost,
            catalog,
            traits,
            io=plan.io,
            cost_source="built-in model",
            commit=statement.name in committed,
            model=used,
        )
    source = (
        f"built-in cost model on the design at the loaded sizes x the {traits} latency model "
        f"({used.source}); writes rolled back, so no commit"
    )
    return out, source


# ---------------------------------------------------------------------------------------------
# Reports


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def is_within_target(ratio: float) -> bool:
    """Whether a measured/estimated ratio is within :data:`RATIO_TARGET` x, either way."""
    return 1 / RATIO_TARGET <= ratio <= RATIO_TARGET


def _distribution(sorted_ratios: list[float]) -> dict[str, Any]:
    """Count, within :data:`RATIO_TARGET` x either way, above and below it, min / p25 / median / p75 /
    max of measured/estimated ratios (only ``count`` when there are none)."""
    r = sorted_ratios
    if not r:
        return {"count": 0}
    return {
        "count": len(r),
        "within_2x": sum(1 for x in r if is_within_target(x)),
        "measured_above_2x": sum(1 for x in r if x > RATIO_TARGET),
        "measured_below_half": sum(1 for x in r if x < 1 / RATIO_TARGET),
        "min": round(r[0], 3),
        "p25": round(percentile(r, 0.25), 3),
        "median": round(percentile(r, 0.5), 3),
        "p75": round(percentile(r, 0.75), 3),
        "max": round(r[-1], 3),
    }


def ratio_summary(v: Verification) -> dict[str, Any]:
    """The measured/estimated p95 ratio distribution: how many statements have both, how many are
    within :data:`RATIO_TARGET` x (either way), min / p25 / median / p75 / max, and how many the
    estimate under- (ratio above the target) and over-states; with the medians' counts."""
    summary = _distribution(list(v.ratios))
    if not summary["count"]:
        return summary
    medians = [r for s in v.statements if (r := s.median_ratio) is not None]
    return {
        **summary,
        "medians_within_2x": sum(1 for r in medians if is_within_target(r)),
        "medians_count": len(medians),
    }


def planner_ratio_summary(v: Verification) -> dict[str, Any]:
    """The measured p95 / estimate distribution for the estimates made from the engine's own plan
    costs (PostgreSQL; ``{"count": 0}`` elsewhere), in :func:`ratio_summary`'s form."""
    return _distribution(sorted(r for s in v.statements if (r := s.planner_ratio) is not None))


def planner_ratio_sentence(v: Verification) -> str | None:
    """One line for the estimates from the engine's own plan costs, or None without them."""
    r = planner_ratio_summary(v)
    if not r["count"]:
        return None
    return (
        f"From the engine's own plan costs (EXPLAIN on the loaded data x ms per cost unit, as a design "
        f"made with --database estimates): measured/estimated p95 {r['within_2x']} of {r['count']} within "
        f"{RATIO_TARGET:g}x; min {r['min']:g}, p25 {r['p25']:g}, median {r['median']:g}, p75 {r['p75']:g}, "
        f"max {r['max']:g}."
    )


def ratio_sentence(v: Verification) -> str | None:
    """One line: ``Measured/estimated p95: 12 of 17 within 2x (min 0.41, p25 0.8, ...)``."""
    r = ratio_summary(v)
    if not r["count"]:
        return None
    return (
        f"Measured/estimated p95: {r['within_2x']} of {r['count']} within {RATIO_TARGET:g}x "
        f"({r['measured_above_2x']} measured above, {r['measured_below_half']} below); min {r['min']:g}, "
        f"p25 {r['p25']:g}, median {r['median']:g}, p75 {r['p75']:g}, max {r['max']:g}. Measured p50 / "
        f"estimated median: {r['medians_within_2x']} of {r['medians_count']} within {RATIO_TARGET:g}x."
    )


def _verdict(s: StatementResult, over: str) -> str:
    verdict = {True: "meets SLO", False: over, None: "no SLO"}[s.meets_slo]
    if s.errors:
        verdict = f"{s.errors} error(s): {s.error}" if not s.executions else f"{verdict}; {s.errors} error(s)"
    return verdict


def verification_markdown(v: Verification) -> str:
    """The verification as a Markdown report."""
    g = v.generation
    lines = [
        f"# Verification on {v.engine}",
        "",
        f"Database: {v.database}; scale {v.scale:g}; seed {v.seed}.",
        f"Synthetic data: {g.rows:,} rows in {g.seconds:.1f} s ({g.rows_per_second * 60:,.0f} rows/min)"
        + (f"; {g.rejected:,} generated rows dropped" if g.rejected else "")
        + ".",
    ]
    if v.estimate_source:
        lines.append(f"Estimates: {v.estimate_source}.")
    lines += [
        "",
        "| statement | SLO p95 ms | p50 ms | p95 ms | p99 ms | runs | verdict | estimate ms | ratio | plan |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for s in v.statements:
        ratio = f"{s.ratio:.2f}" if s.ratio is not None else "-"
        plan = "; ".join(p.strip() for p in s.plan[:3]).replace("|", "\\|")
        lines.append(
            f"| {s.name} | {_ms(s.slo_p95_ms)} | {_ms(s.p50_ms)} | {_ms(s.p95_ms)} | {_ms(s.p99_ms)} | "
            f"{s.executions} | {_verdict(s, '**over SLO**')} | {_ms(s.estimated_ms)} | {ratio} | {plan} |"
        )
    sentence = ratio_sentence(v)
    if sentence:
        lines += ["", sentence]
    planner = planner_ratio_sentence(v)
    if planner:
        lines += ["", planner]
    lines += ["", "## Data", "", "| table | rows | dropped | seconds |", "|---|---:|---:|---:|"]
    lines += [f"| {t.table} | {t.rows:,} | {t.rejected:,} | {t.seconds:.2f} |" for t in g.tables]
    if v.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in v.notes]
    return "\n".join(lines) + "\n"


def verification_text(v: Verification) -> str:
    """The verification as plain text: one aligned row per statement, then the ratio distribution."""
    g = v.generation
    header = ("statement", "SLO p95", "p50", "p95", "p99", "runs", "estimate", "ratio", "verdict")
    rows = [
        (
            s.name,
            _ms(s.slo_p95_ms),
            _ms(s.p50_ms),
            _ms(s.p95_ms),
            _ms(s.p99_ms),
            str(s.executions),
            _ms(s.estimated_ms),
            f"{s.ratio:.2f}" if s.ratio is not None else "-",
            _verdict(s, "OVER SLO"),
        )
        for s in v.statements
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        middle = "  ".join(c.rjust(w) for c, w in zip(cells[1:-1], widths[1:], strict=True))
        return f"{first}  {middle}  {cells[-1]}".rstrip()

    out = [
        f"Verification on {v.engine} ({v.database}; scale {v.scale:g}; seed {v.seed}): "
        f"{g.rows:,} synthetic rows in {g.seconds:.1f} s. Latencies in ms.",
    ]
    if v.estimate_source:
        out.append(f"Estimates: {v.estimate_source}.")
    out += ["", line(header), *(line(r) for r in rows)]
    sentence = ratio_sentence(v)
    if sentence:
        out += ["", sentence]
    planner = planner_ratio_sentence(v)
    if planner:
        out.append(planner)
    out += [f"note: {n}" for n in v.notes]
    verdict = "pass" if v.ok else "FAIL"
    missed = sum(1 for s in v.statements if s.meets_slo is False)
    failed = sum(1 for s in v.statements if s.errors)
    out.append(f"{verdict}: {missed} statement(s) over their SLO, {failed} with errors")
    return "\n".join(out) + "\n"


def verification_json(v: Verification) -> str:
    """The verification as JSON (stable key order)."""
    doc = asdict(v)
    for s, out in zip(v.statements, doc["statements"], strict=True):
        out["ratio"] = s.ratio
        out["median_ratio"] = s.median_ratio
        out["planner_ratio"] = s.planner_ratio
        out["meets_slo"] = s.meets_slo
    doc["generation"]["rows"] = v.generation.rows
    doc["generation"]["rows_per_second"] = v.generation.rows_per_second
    doc["ratios"] = ratio_summary(v)
    doc["planner_ratios"] = planner_ratio_summary(v)
    doc["ok"] = v.ok
    return json.dumps(doc, indent=2, sort_keys=True, default=str)
