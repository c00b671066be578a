"""A live PostgreSQL session with HypoPG: hypothetical indexes and the planner's EXPLAIN, read-only.

HypoPG (https://github.com/HypoPG/hypopg) keeps hypothetical indexes in the memory of one backend
process: ``hypopg_create_index()`` writes nothing to the catalog or to disk, and the planner of that
session considers them as if they existed. So the advisor can ask PostgreSQL's own planner "what if"
without ever creating an index.

Safety, by construction rather than by promise:

- The session is opened through :mod:`dbarchitect.engines.connection`, so it is read-only
  (``default_transaction_read_only=on`` at startup and ``SET SESSION CHARACTERISTICS AS TRANSACTION
  READ ONLY``). HypoPG's functions work inside read-only transactions (checked on HypoPG 1.3.1 /
  PostgreSQL 15: they change backend memory only), and ``EXPLAIN`` without ``ANALYZE`` plans an
  ``UPDATE`` or ``DELETE`` without running it, which read-only transactions allow. Nothing else is sent:
  no DDL, no DML, and never ``CREATE EXTENSION`` — installing HypoPG is the DBA's decision.
- Each statement runs in its own (autocommit, read-only) transaction, so a statement that fails to plan
  aborts nothing else.

Session settings, for reproducible planning: ``jit = off`` (JIT never changes estimated costs, but it
would add a JIT section to plans and compile code for nothing), ``plan_cache_mode = force_generic_plan``
(a statement with parameters is planned once for any values — see :meth:`HypoSession.explain`) and a
``statement_timeout`` so a pathological plan search cannot hang the advisor. Everything that moves
costs (``work_mem``, ``random_page_cost``, ``effective_cache_size``...) stays as the server has it, and
:meth:`HypoSession.settings` reports it.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, cast

import psycopg
from psycopg import sql as pgsql
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError

from dbarchitect.engines.connection import (
    connection_failed,
    create_readonly_engine,
    expand_env,
    parse_server_version,
    redacted_url,
)
from dbarchitect.engines.postgres import NOT_DEDUPLICATED_TYPES, VARLENA_INDEX_EXTRA_BYTES, BtreeColumn
from dbarchitect.errors import ConnectionFailed, Diagnostic, UnsupportedError, redact
from dbarchitect.model.names import EngineName

#: Seconds one EXPLAIN may take (planning only: nothing is executed).
PLAN_TIMEOUT_S = 60

#: Settings that move planner costs (or explain them), reported with every figure.
PLANNER_SETTINGS = (
    "work_mem",
    "random_page_cost",
    "seq_page_cost",
    "cpu_tuple_cost",
    "cpu_index_tuple_cost",
    "cpu_operator_cost",
    "effective_cache_size",
    "shared_buffers",
    "jit",
    "max_parallel_workers_per_gather",
    "default_statistics_target",
)


class PlanFailed(Exception):
    """The server could not plan one statement (syntax, unknown name, parameter types...); the session
    is still usable. Not a user error on its own: the caller reports it for that statement."""


@dataclass(frozen=True)
class HypoIndex:
    """A hypothetical index in one session: HypoPG's object id and generated name
    (``<13543>btree_lineitem_l_shipdate``), which is how plans refer to it."""

    oid: int
    name: str


@dataclass(frozen=True)
class HypoPGServer:
    """What was probed on the server: versions, and where the extension's functions live."""

    server_version: str
    hypopg_version: str
    #: Schema the extension was created in (its functions are called qualified by it).
    schema: str
    database: str
    #: ``hypopg_hide_index`` exists (HypoPG 1.4+): plans can leave out real indexes.
    can_hide: bool = False


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


def _missing_hypopg(database: str, server_major: str, available: str | None) -> UnsupportedError:
    if available is not None:
        return UnsupportedError(
            Diagnostic(
                f"HypoPG {available} is available on the server but not installed in database {database!r}",
                hint=f"ask the DBA to run `CREATE EXTENSION hypopg;` in {database!r} (dbarchitect never "
                "installs extensions itself: it only reads), or use the built-in cost model",
            )
        )
    package = f"postgresql-{server_major}-hypopg" if server_major else "postgresql-<version>-hypopg"
    return UnsupportedError(
        Diagnostic(
            "the PostgreSQL server has no HypoPG extension, which the planner-based index costing needs",
            hint=f"install it on the server (`apt-get install {package}`, or build it from "
            f"github.com/HypoPG/hypopg), then the DBA runs `CREATE EXTENSION hypopg;` in {database!r}; "
            "or use the built-in cost model",
        )
    )


class HypoSession:
    """One read-only PostgreSQL session with HypoPG. Not thread-safe: one thread uses it at a time
    (the planner backend gives each worker thread its own session)."""

    def __init__(self, url: str) -> None:
        self._expanded = expand_env(url)
        self.url = redacted_url(self._expanded)
        engine, family = create_readonly_engine(url)
        if family != EngineName.POSTGRESQL:
            engine.dispose()
            raise UnsupportedError(
                Diagnostic(
                    f"{self.url} is a {family.value} database; the HypoPG costing needs PostgreSQL",
                    hint="name a PostgreSQL database with HypoPG, or use the built-in cost model",
                )
            )
        self._engine: Engine = engine
        try:
            raw = engine.raw_connection()
        except (DBAPIError, SQLAlchemyError, psycopg.Error, OSError) as exc:
            engine.dispose()
            raise connection_failed(self._expanded, family, exc) from None
        self._raw = raw
        self._conn = cast(psycopg.Connection[Any], raw.driver_connection)
        self._conn.autocommit = True
        self._statement_no = 0
        try:
            self.server = self._probe()
            self._execute("SET jit = off")
            self._execute("SET plan_cache_mode = force_generic_plan")
            self._execute(f"SET statement_timeout = '{PLAN_TIMEOUT_S}s'")
            self._schema = pgsql.Identifier(self.server.schema)
            self.reset()
        except BaseException:
            self.close()
            raise

    # --- plumbing ------------------------------------------------------------------------------

    def _execute(self, query: str | pgsql.Composed, params: Iterable[Any] | None = None) -> list[Any]:
        """Run one statement; rows (empty when it returns none). Connection loss -> ConnectionFailed,
        anything else the server rejects -> PlanFailed."""
        try:
            with self._conn.cursor() as cursor:
                # binary=True sends it by the extended protocol, which refuses more than one statement:
                # "EXPLAIN x; <anything>" cannot smuggle a second command into the session.
                cursor.execute(query, None if params is None else tuple(params), binary=True)
                return cursor.fetchall() if cursor.description is not None else []
        except psycopg.OperationalError as exc:
            if self._conn.closed or self._conn.broken:
                raise ConnectionFailed(
                    Diagnostic(
                        f"lost the connection to {self.url}: {_first_line(exc)}",
                        hint="check that the server is up; rerun the advisor",
                    )
                ) from None
            raise PlanFailed(_first_line(exc)) from None
        except psycopg.Error as exc:
            raise PlanFailed(_first_line(exc)) from None

    def _call(self, function: str, *args: Any) -> list[Any]:
        placeholders = pgsql.SQL(", ").join(pgsql.Placeholder() for _ in args)
        query = pgsql.SQL("SELECT * FROM {}.{}({})").format(
            self._schema, pgsql.Identifier(function), placeholders
        )
        return self._execute(query, args)

    def _probe(self) -> HypoPGServer:
        """Versions and the extension's schema; a clear error when HypoPG is missing."""
        rows = self._execute(
            "SELECT current_setting('server_version'), current_database(), "
            "(SELECT extversion FROM pg_extension WHERE extname = 'hypopg'), "
            "(SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace "
            " WHERE e.extname = 'hypopg'), "
            "(SELECT default_version FROM pg_available_extensions WHERE name = 'hypopg'), "
            "EXISTS (SELECT 1 FROM pg_proc WHERE proname = 'hypopg_hide_index')"
        )
        version, database, installed, schema, available, can_hide = rows[0]
        if installed is None or schema is None:
            major = ".".join(str(v) for v in parse_server_version(str(version))[:1])
            raise _missing_hypopg(str(database), major, available)
        return HypoPGServer(str(version), str(installed), str(schema), str(database), bool(can_hide))

    def close(self) -> None:
        # Closing a broken connection must not mask the error that broke it.
        with contextlib.suppress(Exception):
            self._raw.close()
        self._engine.dispose()

    def __enter__(self) -> HypoSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- hypothetical indexes ------------------------------------------------------------------

    def reset(self) -> None:
        """Forget every hypothetical index of this session."""
        self._call("hypopg_reset")

    def create_index(self, create_index_sql: str) -> HypoIndex:
        """A hypothetical index from a ``CREATE INDEX`` statement (its name is HypoPG's own)."""
        rows = self._call("hypopg_create_index", create_index_sql)
        if len(rows) != 1:
            raise PlanFailed(f"HypoPG made {len(rows)} indexes of {create_index_sql!r}")
        oid, name = rows[0]
        return HypoIndex(int(oid), str(name))

    def create_indexes(self, create_index_sqls: Sequence[str]) -> list[HypoIndex]:
        """Several hypothetical indexes in one round trip, created in the order given (a lateral call
        per row of the array, in array order). If one fails, those before it exist: the caller
        resets or drops them."""
        if not create_index_sqls:
            return []
        if len(create_index_sqls) == 1:
            return [self.create_index(create_index_sqls[0])]
        query = pgsql.SQL(
            "SELECT s.n, h.indexrelid, h.indexname FROM unnest(%s::text[]) WITH ORDINALITY AS s(def, n) "
            "CROSS JOIN LATERAL {}.hypopg_create_index(s.def) AS h ORDER BY s.n"
        ).format(self._schema)
        rows = self._execute(query, [list(create_index_sqls)])
        if [int(r[0]) for r in rows] != list(range(1, len(create_index_sqls) + 1)):
            raise PlanFailed(f"HypoPG made {len(rows)} indexes of {len(create_index_sqls)} statements")
        return [HypoIndex(int(oid), str(name)) for _, oid, name in rows]

    @property
    def can_hide(self) -> bool:
        """Whether this HypoPG can plan as if a real index were dropped (``hypopg_hide_index``,
        HypoPG 1.4 and later)."""
        return self.server.can_hide

    def hide_indexes(self, index_sqls: Sequence[str]) -> int:
        """Hide the real indexes named (quoted, qualified as needed) from this session's planner,
        after showing every index hidden before; how many were found and hidden."""
        if not self.server.can_hide:
            raise PlanFailed(f"HypoPG {self.server.hypopg_version} cannot hide indexes (1.4 can)")
        self._call("hypopg_unhide_all_indexes")
        if not index_sqls:
            return 0
        query = pgsql.SQL(
            "SELECT count({}.hypopg_hide_index(r.oid)) FROM unnest(%s::text[]) AS n, "
            "LATERAL (SELECT to_regclass(n) AS oid) AS r WHERE r.oid IS NOT NULL"
        ).format(self._schema)
        return int(self._execute(query, [list(index_sqls)])[0][0])

    def relation_size(self, relation_sql: str) -> int | None:
        """``pg_relation_size`` of a real relation (quoted, qualified as needed), or ``None``."""
        rows = self._execute("SELECT pg_relation_size(to_regclass(%s))", [relation_sql])
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def drop_index(self, index: HypoIndex) -> None:
        self._call("hypopg_drop_index", index.oid)

    def drop_indexes(self, indexes: Sequence[HypoIndex]) -> None:
        """Drop several hypothetical indexes in one round trip."""
        if len(indexes) == 1:
            self.drop_index(indexes[0])
        elif indexes:
            query = pgsql.SQL("SELECT {}.hypopg_drop_index(oid) FROM unnest(%s::oid[]) AS oid").format(
                self._schema
            )
            self._execute(query, [[i.oid for i in indexes]])

    def index_size(self, index: HypoIndex) -> int:
        """HypoPG's estimate of the index's size once built, in bytes (from the table's statistics)."""
        return int(self._call("hypopg_relation_size", index.oid)[0][0])

    def table_facts(self, table_sql: str) -> tuple[float, dict[str, BtreeColumn]]:
        """Row estimate (``pg_class.reltuples``) and, per column, what the B-tree size model needs:
        ``pg_stats`` width, distinct values and null fraction, the type's alignment, and whether its
        default B-tree operator class allows deduplication. ``table_sql`` is the quoted table name."""
        rows = self._execute(
            "SELECT c.reltuples, a.attname, t.typname, t.typlen, t.typalign, s.avg_width, s.n_distinct, "
            "s.null_frac, EXISTS (SELECT 1 FROM pg_opclass oc JOIN pg_amproc p "
            "  ON p.amprocfamily = oc.opcfamily AND p.amproclefttype = oc.opcintype AND p.amprocnum = 4 "
            "  WHERE oc.opcdefault AND oc.opcmethod = (SELECT oid FROM pg_am WHERE amname = 'btree') "
            "  AND (oc.opcintype = a.atttypid OR EXISTS (SELECT 1 FROM pg_cast k WHERE k.castsource = "
            "  a.atttypid AND k.casttarget = oc.opcintype AND k.castmethod = 'b'))) "
            "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
            "JOIN pg_type t ON t.oid = a.atttypid "
            "LEFT JOIN pg_stats s ON s.schemaname = n.nspname AND s.tablename = c.relname "
            "  AND s.attname = a.attname "
            "WHERE c.oid = to_regclass(%s)",
            [table_sql],
        )
        if not rows:
            raise PlanFailed(f"no table {table_sql}")
        reltuples = max(float(rows[0][0] or 0.0), 0.0)
        align = {"c": 1, "s": 2, "i": 4, "d": 8}
        columns: dict[str, BtreeColumn] = {}
        for _, name, typname, typlen, typalign, width, n_distinct, null_frac, equalimage in rows:
            distinct = None
            if n_distinct is not None:
                distinct = float(n_distinct) if n_distinct > 0 else -float(n_distinct) * reltuples
            stored = float(width if width is not None else (typlen if typlen > 0 else 32))
            alignment = align.get(str(typalign), 4)
            if typlen < 0:
                stored += VARLENA_INDEX_EXTRA_BYTES
                if stored < 127:
                    alignment = 1  # a short (1-byte header) varlena is stored unaligned
            columns[str(name)] = BtreeColumn(
                width=stored,
                align=alignment,
                distinct=distinct,
                null_fraction=float(null_frac or 0.0),
                deduplicable=bool(equalimage) and str(typname) not in NOT_DEDUPLICATED_TYPES,
            )
        return reltuples, columns

    def table_rows(self, table_sql: str) -> float | None:
        """``pg_class.reltuples`` of a table: ``None`` when it has never been analyzed."""
        rows = self._execute("SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)", [table_sql])
        if not rows:
            raise PlanFailed(f"no table {table_sql}")
        value = float(rows[0][0])
        return None if value < 0 else value

    def distinct_estimate(self, table_sql: str, column_sqls: Sequence[str], rows: float) -> float | None:
        """Distinct combinations of ``column_sqls`` in the table, estimated from a block sample of about
        30,000 rows (``TABLESAMPLE SYSTEM``: it reads only the sampled pages) with the Duj1 estimator
        PostgreSQL's ANALYZE uses. ``None`` when the sample is empty."""
        percent = min(100.0, max(0.01, 30_000.0 / max(rows, 1.0) * 100.0))
        columns = ", ".join(column_sqls)
        found = self._execute(
            f"SELECT count(*) FILTER (WHERE c = 1), count(*), coalesce(sum(c), 0) FROM "
            f"(SELECT count(*) AS c FROM {table_sql} TABLESAMPLE SYSTEM ({percent:.4f}) REPEATABLE (0) "
            f"GROUP BY {columns}) AS groups"
        )
        singles, groups, sampled = (float(v) for v in found[0])
        if sampled <= 0:
            return None
        if sampled >= rows or singles >= sampled:
            return groups * (rows / sampled) if singles >= sampled else groups
        # Duj1 (Haas and Stokes): n d / (n - f1 + f1 n / N).
        return sampled * groups / (sampled - singles + singles * sampled / rows)

    # --- planning ------------------------------------------------------------------------------

    def explain(self, statement_sql: str, parameters: int = 0) -> dict[str, Any]:
        """The planner's plan (``EXPLAIN (FORMAT JSON)``'s top object) for one statement.

        ``statement_sql`` must be a single PostgreSQL statement. When it has ``parameters`` (``$1`` ..
        ``$n``), it is prepared and its *generic* plan explained: ``plan_cache_mode =
        force_generic_plan`` makes ``EXPLAIN EXECUTE s(NULL, ...)`` plan for any values instead of
        folding the NULLs into a one-row "false" plan. The prepared statement is deallocated after, so
        the next call plans afresh with the hypothetical indexes then present.
        """
        if parameters <= 0:
            rows = self._execute("EXPLAIN (FORMAT JSON) " + statement_sql)
        else:
            self._statement_no += 1
            name = f"dbarch_whatif_{self._statement_no}"
            self._execute(f"PREPARE {name} AS {statement_sql}")
            try:
                nulls = ", ".join(["NULL"] * parameters)
                rows = self._execute(f"EXPLAIN (FORMAT JSON) EXECUTE {name}({nulls})")
            finally:
                self._execute(f"DEALLOCATE {name}")
        document = rows[0][0]
        if isinstance(document, str | bytes):
            document = json.loads(document)
        return cast(dict[str, Any], document[0])

    def settings(self, names: Iterable[str] = PLANNER_SETTINGS) -> dict[str, str]:
        """Current values of planner settings (as ``SHOW`` prints them), plus server and HypoPG versions."""
        names = tuple(names)
        rows = self._execute(
            "SELECT name, current_setting(name) FROM unnest(%s::text[]) AS name", [list(names)]
        )
        values = {str(n): str(v) for n, v in rows}
        out = {n: values[n] for n in names if n in values}
        out["server_version"] = self.server.server_version
        out["hypopg_version"] = self.server.hypopg_version
        return out


def plan_cost(plan: Mapping[str, Any]) -> float:
    """Total estimated cost of an EXPLAIN JSON plan."""
    return float(plan["Plan"]["Total Cost"])


__all__ = [
    "PLANNER_SETTINGS",
    "PLAN_TIMEOUT_S",
    "HypoIndex",
    "HypoPGServer",
    "HypoSession",
    "PlanFailed",
    "plan_cost",
]
