"""A live database -> catalog: tables, columns, constraints, indexes, views, partitioning and the
engine's own statistics, read over a read-only connection.

SQLAlchemy's Inspector reads what it reads well on every engine (table and view names, columns,
nullability, primary, unique and foreign keys, comments). Facts it drops or flattens are read
from the engine's catalog, per engine:

- PostgreSQL: column types as ``format_type`` prints them (so ``numeric(12,2)``, ``timestamp with
  time zone`` and enum type names survive), identity columns, enums, index access methods,
  partial predicates, INCLUDE columns, expression keys, declarative partitioning
  (``pg_partitioned_table`` and each child's bound), and statistics: ``pg_class.reltuples``,
  ``pg_relation_size`` and ``pg_stats`` (``n_distinct`` below zero is a fraction of the rows).
- MariaDB / MySQL: ``information_schema.COLUMNS.COLUMN_TYPE`` and ``EXTRA`` (auto_increment),
  ``CHECK_CONSTRAINTS`` (MariaDB's ``JSON`` is ``LONGTEXT`` with a ``json_valid`` check: read back as
  JSON, the check dropped), referential actions from ``REFERENTIAL_CONSTRAINTS``, index key order
  from ``STATISTICS.COLLATION``, ``PARTITIONS``, and statistics: ``TABLES.TABLE_ROWS`` and
  ``DATA_LENGTH`` (InnoDB estimates), ``mysql.column_stats`` when it was collected and readable,
  and the index cardinality of a leading index column as its distinct count.
- SQLite: declared column types (``PRAGMA table_xinfo``), indexes from their stored
  ``CREATE INDEX`` text (expression keys, DESC and partial predicates, which the Inspector skips), the
  ``INTEGER PRIMARY KEY`` rowid alias as an identity, and statistics from ``sqlite_stat1`` when
  ``ANALYZE`` has run — otherwise ``count(*)`` per table, which reads every row and so is meant for
  the small databases SQLite usually holds.

Names keep their quoting facts: on PostgreSQL a name that is not lower case (or not a plain word)
was created quoted, so it is ``Name(..., quoted=True)``. Expressions the server deparses (checks,
predicates, index expressions, view bodies) are stored as neutral SQL, with the server's own
decorations removed where they carry no meaning: casts of literals (``0::numeric``), casts of
columns to text, ``x = ANY (ARRAY[...])`` written back as ``x IN (...)``, and outer parentheses.
System schemas are never read; only the named schema (or the connection's default one).
"""

from __future__ import annotations

import difflib
import logging
import re
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import sqlglot
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import text
from sqlalchemy.engine import Connection, Inspector
from sqlalchemy.exc import SAWarning, SQLAlchemyError
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.connection import (
    connect_readonly,
    connection_failed,
    detect_server,
    expand_env,
    redacted_url,
)
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import COMMON_RESERVED
from dbarchitect.errors import CatalogError, DbarchError, Diagnostic
from dbarchitect.ingest.ddl import default_from_node, index_key_from_node
from dbarchitect.ingest.live_objects import mariadb_objects, postgres_objects
from dbarchitect.ingest.types import narrow_unsigned_keys, parse_column_type
from dbarchitect.model.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    ColumnStats,
    Default,
    DefaultKind,
    ForeignKey,
    Index,
    IndexKey,
    Partition,
    Partitioning,
    PartitionMethod,
    PrimaryKey,
    ReferentialAction,
    SchemaObject,
    Table,
    TableStats,
    UniqueConstraint,
    View,
)
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind

logging.getLogger("sqlglot").setLevel(logging.ERROR)

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SYSTEM_SCHEMAS = frozenset(
    {"information_schema", "pg_catalog", "pg_toast", "mysql", "performance_schema", "sys"}
)
_ACTIONS = {a.value: a for a in ReferentialAction}
#: MySQL / MariaDB ``BIGINT UNSIGNED`` as ``COLUMNS.COLUMN_TYPE`` shows it.
_UNSIGNED_BIGINT = re.compile(r"^\s*bigint(\(\d+\))?\s+unsigned\b", re.IGNORECASE)


# -- expressions ------------------------------------------------------------------------------


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _is_literal(node: exp.Expression) -> bool:
    node = _unparen(node)
    if isinstance(node, exp.Neg):
        node = _unparen(node.this)
    return isinstance(node, exp.Literal | exp.Boolean | exp.Null)


_TEXT_TYPES = {exp.DataType.Type.TEXT, exp.DataType.Type.VARCHAR, exp.DataType.Type.CHAR}


def _tidy_node(node: exp.Expression) -> exp.Expression:
    """Undo a server's deparse decorations that carry no meaning (see the module docstring)."""

    def strip(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Cast):
            inner = _unparen(n.this)
            to = n.args.get("to")
            if _is_literal(inner):
                return inner.copy()
            if isinstance(inner, exp.Column) and isinstance(to, exp.DataType) and to.this in _TEXT_TYPES:
                return inner.copy()
        if isinstance(n, exp.EQ) and isinstance(n.expression, exp.Any):
            array = _unparen(n.expression.this)
            if isinstance(array, exp.Array):
                return exp.In(this=n.this.copy(), expressions=[e.copy() for e in array.expressions])
        if isinstance(n, exp.NEQ) and isinstance(n.expression, exp.All):
            array = _unparen(n.expression.this)
            if isinstance(array, exp.Array):
                return exp.Not(
                    this=exp.In(this=n.this.copy(), expressions=[e.copy() for e in array.expressions])
                )
        if isinstance(n, exp.Paren) and isinstance(_unparen(n.this), exp.Column | exp.Literal):
            return _unparen(n.this).copy()
        if isinstance(n, exp.Where) and isinstance(n.this, exp.Paren):
            n.set("this", _unparen(n.this))
            return n
        if isinstance(n, exp.Identifier) and n.args.get("quoted") and _plain_lower(n.this):
            return exp.Identifier(this=n.this, quoted=False)
        return n

    # Strip inside-out so that casts revealed by a rewrite are stripped too.
    tidy = _unparen(node.transform(strip)).transform(strip)
    assert isinstance(tidy, exp.Expression)
    return tidy


def _plain_lower(value: str) -> bool:
    return bool(_PLAIN.match(value)) and value == value.lower() and value not in COMMON_RESERVED


def _parse_expression(sql: str, dialect: str) -> exp.Expression | None:
    try:
        node = sqlglot.parse_one(sql, read=dialect)
    except (SqlglotError, ValueError):
        return None
    return node if isinstance(node, exp.Expression) else None


def neutral_expression(sql: str, engine: EngineName) -> str:
    """A server-deparsed expression as neutral SQL, without its meaningless decorations
    (unparsable text is kept as the server gave it)."""
    node = _parse_expression(sql, get_traits(engine).sqlglot_dialect)
    if node is None:
        return sql.strip()
    return _tidy_node(node).sql()


def _quoted_fact(engine: EngineName) -> Callable[[str], Name]:
    """How to tell, from a stored name, whether it was created quoted on this engine."""
    if engine == EngineName.POSTGRESQL:
        return lambda v: Name(v, quoted=not (_PLAIN.match(v) and v == v.lower()))
    return lambda v: Name(v, quoted=not _PLAIN.match(v))


def _default(text_: str | None, engine: EngineName, type_: LogicalType) -> tuple[Default | None, bool]:
    """The catalog default for a server's default text, and whether it makes an identity."""
    if text_ is None or not text_.strip():
        return None, False
    raw = text_.strip()
    if "nextval(" in raw.lower():
        return None, True
    if engine == EngineName.MYSQL and type_.is_string and not raw.startswith("'"):
        # MySQL 8 reports string defaults without quotes (MariaDB quotes them).
        return Default(DefaultKind.STRING, raw), False
    node = _parse_expression(raw, get_traits(engine).sqlglot_dialect)
    if node is None:
        return Default(DefaultKind.EXPRESSION, raw), False
    if isinstance(_unparen(node), exp.Column) and engine in (EngineName.MYSQL, EngineName.MARIADB):
        # MySQL reports a bare literal for some string defaults (no quotes).
        return Default(DefaultKind.STRING, raw), False
    default = default_from_node(_tidy_node(node))
    if default.kind == DefaultKind.NULL:
        return None, False
    if type_.kind == TypeKind.BOOLEAN and default.kind == DefaultKind.NUMBER and default.value in ("0", "1"):
        default = Default(DefaultKind.BOOLEAN, "TRUE" if default.value == "1" else "FALSE")
    if default.kind == DefaultKind.EXPRESSION and default.value is not None:
        default = Default(DefaultKind.EXPRESSION, neutral_expression(raw, engine))
    return default, False


def _action(text_: str | None) -> ReferentialAction:
    if not text_:
        return ReferentialAction.NO_ACTION
    return _ACTIONS.get(" ".join(text_.upper().split()), ReferentialAction.NO_ACTION)


def _number(value: Any) -> float | None:
    if value is None:
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


# -- per-engine facts -------------------------------------------------------------------------


@dataclass
class _ColumnFacts:
    """What the Inspector does not say well about one column."""

    type_text: str
    identity: bool = False
    default: str | None = None
    has_default: bool = False


@dataclass
class _Facts:
    """Engine-catalog facts about one schema, keyed by table name."""

    columns: dict[str, dict[str, _ColumnFacts]] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    checks: dict[str, list[CheckConstraint]] | None = None
    #: Columns whose check constraint only validates JSON (MariaDB): table -> columns.
    json_columns: dict[str, set[str]] = field(default_factory=dict)
    #: Foreign key actions by (table, constraint name) when the Inspector's are unreliable.
    fk_actions: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)
    #: Descending index keys by (table, index name) -> set of column names.
    descending: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    #: Indexes read by the engine reader itself (SQLite), replacing the Inspector's.
    indexes: dict[str, list[Index]] | None = None
    partitioning: dict[str, Partitioning] = field(default_factory=dict)
    #: Partition children, never reported as tables of their own.
    children: set[str] = field(default_factory=set)
    table_stats: dict[str, TableStats] = field(default_factory=dict)
    column_stats: dict[str, dict[str, ColumnStats]] = field(default_factory=dict)
    views: dict[str, str] = field(default_factory=dict)


class _Reader:
    """Reads one engine's catalog facts; subclasses fill :class:`_Facts` for one schema."""

    engine: EngineName

    def __init__(self, connection: Connection, inspector: Inspector, engine: EngineName) -> None:
        self.connection = connection
        self.inspector = inspector
        self.engine = engine

    def rows(self, sql: str, **params: Any) -> list[Any]:
        return list(self.connection.execute(text(sql), params).fetchall())

    def default_schema(self) -> str:
        return str(self.inspector.default_schema_name or "")

    def schemas(self) -> list[str]:
        return [s for s in self.inspector.get_schema_names() if s.lower() not in _SYSTEM_SCHEMAS]

    def facts(self, schema: str, tables: list[str]) -> _Facts:
        raise NotImplementedError

    def objects(self, schema: str) -> tuple[SchemaObject, ...]:
        """What the catalog does not model field by field (functions, triggers, grants...)."""
        return ()


class _PostgresReader(_Reader):
    def objects(self, schema: str) -> tuple[SchemaObject, ...]:
        return postgres_objects(self.rows, schema)

    def facts(self, schema: str, tables: list[str]) -> _Facts:
        f = _Facts()
        for row in self.rows(
            "select t.typname, array_agg(e.enumlabel::text order by e.enumsortorder) from pg_type t "
            "join pg_enum e on e.enumtypid = t.oid join pg_namespace n on n.oid = t.typnamespace "
            "where n.nspname = :s or n.nspname = any (current_schemas(false)) group by t.typname",
            s=schema,
        ):
            f.enums[str(row[0]).lower()] = tuple(row[1])
        for row in self.rows(
            "select c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attidentity, "
            "pg_get_expr(d.adbin, d.adrelid), a.atthasdef "
            "from pg_attribute a join pg_class c on c.oid = a.attrelid "
            "join pg_namespace n on n.oid = c.relnamespace "
            "left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum "
            "where n.nspname = :s and c.relkind in ('r', 'p', 'v', 'm') "
            "and a.attnum > 0 and not a.attisdropped "
            "order by c.relname, a.attnum",
            s=schema,
        ):
            f.columns.setdefault(row[0], {})[row[1]] = _ColumnFacts(
                type_text=str(row[2]), identity=row[3] in ("a", "d"), default=row[4], has_default=bool(row[5])
            )
        for row in self.rows(
            "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s and c.relispartition",
            s=schema,
        ):
            f.children.add(row[0])
        self.read_partitioning(schema, f)
        self.read_indexes(schema, f)
        self.read_stats(schema, f)
        return f

    def read_indexes(self, schema: str, f: _Facts) -> None:
        """Index keys with their direction, expressions, INCLUDE columns, predicate and method."""
        f.indexes = {}
        for row in self.rows(
            "select t.relname, i.relname, ix.indisunique, am.amname, ix.indnkeyatts, ix.indnatts, "
            "pg_get_expr(ix.indpred, ix.indrelid), ix.indoption::int2[], "
            "array(select pg_get_indexdef(ix.indexrelid, k, true) from generate_series(1, ix.indnatts) k), "
            "array(select a.attname from unnest(ix.indkey::int2[]) with ordinality u(attnum, ord) "
            "       left join pg_attribute a on a.attrelid = ix.indrelid and a.attnum = u.attnum "
            "       order by u.ord), "
            "exists (select 1 from pg_constraint c "
            "        where c.conindid = ix.indexrelid and c.contype in ('p', 'u', 'x')) "
            "from pg_index ix join pg_class i on i.oid = ix.indexrelid "
            "join pg_class t on t.oid = ix.indrelid "
            "join pg_namespace n on n.oid = t.relnamespace join pg_am am on am.oid = i.relam "
            "where n.nspname = :s and not t.relispartition order by t.relname, i.relname",
            s=schema,
        ):
            table, name, unique, method, nkey, _natts, pred, options, defs, attnames, backs_constraint = row
            if backs_constraint:
                continue
            keys: list[IndexKey] = []
            for i in range(nkey):
                descending = bool(options[i] & 1) if options and i < len(options) else False
                attname = attnames[i] if i < len(attnames) else None
                if attname is not None:
                    keys.append(IndexKey(column=_quoted_fact(self.engine)(attname), descending=descending))
                else:
                    keys.append(
                        IndexKey(expression=neutral_expression(defs[i], self.engine), descending=descending)
                    )
            include = tuple(_quoted_fact(self.engine)(a) for a in attnames[nkey:] if a is not None)
            f.indexes.setdefault(table, []).append(
                Index(
                    _quoted_fact(self.engine)(name),
                    tuple(keys),
                    unique=bool(unique),
                    where=neutral_expression(pred, self.engine) if pred else None,
                    include=include,
                    method=None if method == "btree" else str(method),
                )
            )

    def read_partitioning(self, schema: str, f: _Facts) -> None:
        bounds: dict[str, list[tuple[str, str]]] = {}
        for row in self.rows(
            "select p.relname, c.relname, pg_get_expr(c.relpartbound, c.oid) from pg_inherits h "
            "join pg_class c on c.oid = h.inhrelid join pg_class p on p.oid = h.inhparent "
            "join pg_namespace n on n.oid = p.relnamespace where n.nspname = :s and c.relispartition "
            "order by p.relname, c.relname",
            s=schema,
        ):
            bounds.setdefault(row[0], []).append((row[1], row[2] or ""))
        for row in self.rows(
            "select c.relname, pg_get_partkeydef(c.oid) from pg_partitioned_table pt "
            "join pg_class c on c.oid = pt.partrelid join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s",
            s=schema,
        ):
            m = re.match(r"(?i)\s*(RANGE|LIST|HASH)\s*\((.*)\)\s*$", row[1] or "")
            if not m:
                continue
            method = PartitionMethod(m.group(1).lower())
            columns = tuple(_quoted_fact(self.engine)(c.strip().strip('"')) for c in m.group(2).split(","))
            partitions = tuple(
                _partition(child, bound, self.engine) for child, bound in bounds.get(row[0], [])
            )
            count = len(partitions) if method == PartitionMethod.HASH else None
            f.partitioning[row[0]] = Partitioning(method, columns, partitions, count)

    def read_stats(self, schema: str, f: _Facts) -> None:
        for row in self.rows(
            "select c.relname, c.relkind, "
            "case when c.relkind = 'p' then (select sum(greatest(k.reltuples, 0)) from pg_inherits h "
            "  join pg_class k on k.oid = h.inhrelid where h.inhparent = c.oid) else c.reltuples end, "
            "case when c.relkind = 'p' then (select sum(pg_relation_size(h.inhrelid)) from pg_inherits h "
            "  where h.inhparent = c.oid) else pg_relation_size(c.oid) end "
            "from pg_class c join pg_namespace n on n.oid = c.relnamespace "
            "where n.nspname = :s and c.relkind in ('r', 'p') and not c.relispartition",
            s=schema,
        ):
            rows = _number(row[2])
            # reltuples is -1 (PostgreSQL 14+) or 0 with no pages before the first VACUUM/ANALYZE.
            f.table_stats[row[0]] = TableStats(
                rows=rows if rows is not None and rows >= 0 else None, data_bytes=_number(row[3])
            )
        for row in self.rows(
            "select tablename, attname, null_frac, avg_width, n_distinct, "
            "most_common_vals::text::text[], most_common_freqs, correlation "
            "from pg_stats where schemaname = :s order by tablename, attname, inherited",
            s=schema,
        ):
            table_rows = f.table_stats.get(row[0], TableStats()).rows
            n_distinct = _number(row[4])
            distinct: float | None = None
            if n_distinct is not None and n_distinct >= 0:
                distinct = n_distinct
            elif n_distinct is not None and table_rows is not None:
                distinct = -n_distinct * table_rows
            values = list(row[5] or [])
            freqs = list(row[6] or [])
            f.column_stats.setdefault(row[0], {})[row[1]] = ColumnStats(
                distinct=distinct,
                null_fraction=_number(row[2]),
                avg_width=_number(row[3]),
                most_common=tuple((str(v), float(q)) for v, q in zip(values, freqs, strict=False)),
                correlation=_number(row[7]),
            )


def _partition(child: str, bound: str, engine: EngineName) -> Partition:
    name = _quoted_fact(engine)(child)
    if bound.strip().upper() == "DEFAULT":
        return Partition(name, (), is_default=True)
    m = re.match(r"(?is)\s*FOR VALUES FROM \((.*)\) TO \((.*)\)\s*$", bound)
    if m:
        return Partition(
            name, (neutral_expression(m.group(1), engine), neutral_expression(m.group(2), engine))
        )
    m = re.match(r"(?is)\s*FOR VALUES IN \((.*)\)\s*$", bound)
    if m:
        node = _parse_expression(f"x IN ({m.group(1)})", get_traits(engine).sqlglot_dialect)
        if isinstance(node, exp.In):
            return Partition(name, tuple(_tidy_node(e).sql() for e in node.expressions))
        return Partition(name, (m.group(1).strip(),))
    return Partition(name, ())


class _MysqlReader(_Reader):
    def objects(self, schema: str) -> tuple[SchemaObject, ...]:
        return mariadb_objects(self.rows, schema)

    def facts(self, schema: str, tables: list[str]) -> _Facts:
        f = _Facts()
        for row in self.rows(
            "select TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, EXTRA, COLUMN_DEFAULT "
            "from information_schema.COLUMNS "
            "where TABLE_SCHEMA = :s order by TABLE_NAME, ORDINAL_POSITION",
            s=schema,
        ):
            f.columns.setdefault(row[0], {})[row[1]] = _ColumnFacts(
                type_text=str(row[2]),
                identity="auto_increment" in str(row[3] or "").lower(),
                default=row[4],
                has_default=row[4] is not None,
            )
        self.read_checks(schema, f)
        for row in self.rows(
            "select TABLE_NAME, CONSTRAINT_NAME, DELETE_RULE, UPDATE_RULE "
            "from information_schema.REFERENTIAL_CONSTRAINTS where CONSTRAINT_SCHEMA = :s",
            s=schema,
        ):
            f.fk_actions[(row[0], row[1])] = (row[2], row[3])
        for row in self.rows(
            "select TABLE_NAME, INDEX_NAME, COLUMN_NAME from information_schema.STATISTICS "
            "where TABLE_SCHEMA = :s and COLLATION = 'D'",
            s=schema,
        ):
            f.descending.setdefault((row[0], row[1]), set()).add(row[2])
        self.read_partitioning(schema, f)
        self.read_stats(schema, f)
        return f

    def read_checks(self, schema: str, f: _Facts) -> None:
        f.checks = {}
        try:
            rows = self.rows(
                "select TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE from information_schema.CHECK_CONSTRAINTS "
                "where CONSTRAINT_SCHEMA = :s order by TABLE_NAME, CONSTRAINT_NAME",
                s=schema,
            )
        except SQLAlchemyError:  # MySQL before 8.0.16 has no CHECK_CONSTRAINTS
            return
        for table, name, clause in rows:
            m = re.fullmatch(r"\s*json_valid\(`?([^`()]+)`?\)\s*", str(clause), re.IGNORECASE)
            if m and m.group(1) == name:
                f.json_columns.setdefault(table, set()).add(name)
                continue
            f.checks.setdefault(table, []).append(
                CheckConstraint(neutral_expression(str(clause), self.engine), _quoted_fact(self.engine)(name))
            )

    def read_partitioning(self, schema: str, f: _Facts) -> None:
        rows = self.rows(
            "select TABLE_NAME, PARTITION_NAME, PARTITION_METHOD, PARTITION_EXPRESSION, "
            "PARTITION_DESCRIPTION "
            "from information_schema.PARTITIONS where TABLE_SCHEMA = :s and PARTITION_NAME is not null "
            "order by TABLE_NAME, PARTITION_ORDINAL_POSITION",
            s=schema,
        )
        grouped: dict[str, list[Any]] = {}
        for row in rows:
            grouped.setdefault(row[0], []).append(row)
        for table, parts in grouped.items():
            method_text = str(parts[0][2] or "").upper()
            kind = method_text.split()[-1] if "COLUMNS" not in method_text else method_text.split()[0]
            method = {"RANGE": PartitionMethod.RANGE, "LIST": PartitionMethod.LIST}.get(
                kind, PartitionMethod.HASH
            )
            columns = tuple(
                _quoted_fact(self.engine)(c.strip().strip("`"))
                for c in str(parts[0][3] or "").split(",")
                if c.strip()
            )
            partitions: list[Partition] = []
            # RANGE bounds are (from, to) as in DDL ingest: each partition starts where the one
            # before it ends, the first at MINVALUE.
            lower = "MINVALUE"
            for _table, name, _m, _e, description in parts:
                pname = _quoted_fact(self.engine)(name)
                desc = str(description or "").strip()
                if method == PartitionMethod.HASH:
                    partitions.append(Partition(pname))
                elif method == PartitionMethod.RANGE:
                    upper = (
                        "MAXVALUE" if desc.upper() == "MAXVALUE" else neutral_expression(desc, self.engine)
                    )
                    partitions.append(Partition(pname, (lower, upper), is_default=upper == "MAXVALUE"))
                    lower = upper
                elif desc.upper() == "DEFAULT":
                    partitions.append(Partition(pname, (), is_default=True))
                else:
                    node = _parse_expression(f"x IN ({desc})", "mysql")
                    values = (
                        tuple(_tidy_node(e).sql() for e in node.expressions)
                        if isinstance(node, exp.In)
                        else (desc,)
                    )
                    partitions.append(Partition(pname, values))
            count = len(partitions) if method == PartitionMethod.HASH else None
            f.partitioning[table] = Partitioning(method, columns, tuple(partitions), count)

    def read_stats(self, schema: str, f: _Facts) -> None:
        for row in self.rows(
            "select TABLE_NAME, TABLE_ROWS, DATA_LENGTH from information_schema.TABLES "
            "where TABLE_SCHEMA = :s and TABLE_TYPE = 'BASE TABLE'",
            s=schema,
        ):
            f.table_stats[row[0]] = TableStats(rows=_number(row[1]), data_bytes=_number(row[2]))
        # The leading column of an index: its cardinality is that column's distinct count.
        for row in self.rows(
            "select TABLE_NAME, COLUMN_NAME, max(CARDINALITY) from information_schema.STATISTICS "
            "where TABLE_SCHEMA = :s and SEQ_IN_INDEX = 1 and CARDINALITY is not null "
            "group by TABLE_NAME, COLUMN_NAME",
            s=schema,
        ):
            f.column_stats.setdefault(row[0], {})[row[1]] = ColumnStats(distinct=_number(row[2]))
        try:
            stats_rows = self.rows(
                "select table_name, column_name, nulls_ratio, avg_length, avg_frequency "
                "from mysql.column_stats "
                "where db_name = :s",
                s=schema,
            )
        except SQLAlchemyError:  # not MariaDB, or not readable by this user: index cardinality only
            return
        for table, column, nulls, avg_length, avg_frequency in stats_rows:
            rows = f.table_stats.get(table, TableStats()).rows
            freq = _number(avg_frequency)
            nulls_ratio = _number(nulls)
            distinct = None
            if rows is not None and freq:
                distinct = rows * (1 - (nulls_ratio or 0.0)) / freq
            old = f.column_stats.get(table, {}).get(column, ColumnStats())
            f.column_stats.setdefault(table, {})[column] = replace(
                old,
                distinct=distinct if distinct is not None else old.distinct,
                null_fraction=nulls_ratio,
                avg_width=_number(avg_length),
            )


class _SqliteReader(_Reader):
    def default_schema(self) -> str:
        return "main"

    def schemas(self) -> list[str]:
        return [str(r[1]) for r in self.rows("pragma database_list")]

    def facts(self, schema: str, tables: list[str]) -> _Facts:
        f = _Facts()
        q = _sqlite_quote
        for table in tables:
            info = self.rows(f"pragma {q(schema)}.table_xinfo({q(table)})")
            pk = [r for r in info if r[5]]
            create_sql = self.rows(
                f"select sql from {q(schema)}.sqlite_master where type = 'table' and name = :t", t=table
            )
            autoincrement = bool(create_sql) and "AUTOINCREMENT" in str(create_sql[0][0] or "").upper()
            for row in info:
                declared = str(row[2] or "")
                rowid_alias = len(pk) == 1 and bool(row[5]) and declared.upper() == "INTEGER"
                f.columns.setdefault(table, {})[row[1]] = _ColumnFacts(
                    type_text=declared,
                    identity=rowid_alias or (autoincrement and bool(row[5])),
                    default=row[4],
                    has_default=row[4] is not None,
                )
        self.read_indexes(schema, tables, f)
        self.read_stats(schema, tables, f)
        return f

    def read_indexes(self, schema: str, tables: list[str], f: _Facts) -> None:
        f.indexes = {}
        for table in tables:
            for row in self.rows(
                f"select name, sql from {_sqlite_quote(schema)}.sqlite_master "
                "where type = 'index' and tbl_name = :t and sql is not null order by name",
                t=table,
            ):
                node = _parse_expression(str(row[1]), "sqlite")
                index = node.this if isinstance(node, exp.Create) else None
                params = index.args.get("params") if isinstance(index, exp.Index) else None
                if not isinstance(params, exp.IndexParameters) or node is None:
                    continue
                keys = tuple(index_key_from_node(_tidy_node(e)) for e in params.args.get("columns") or [])
                where = params.args.get("where")
                f.indexes.setdefault(table, []).append(
                    Index(
                        _quoted_fact(self.engine)(str(row[0])),
                        keys,
                        unique=bool(node.args.get("unique")),
                        where=_tidy_node(where.this).sql() if isinstance(where, exp.Where) else None,
                    )
                )

    def read_stats(self, schema: str, tables: list[str], f: _Facts) -> None:
        q = _sqlite_quote
        stat_rows: dict[str, list[tuple[str | None, str]]] = {}
        has_stat = self.rows(
            f"select 1 from {q(schema)}.sqlite_master where type = 'table' and name = 'sqlite_stat1'"
        )
        if has_stat:
            for tbl, idx, stat in self.rows(f"select tbl, idx, stat from {q(schema)}.sqlite_stat1"):
                stat_rows.setdefault(str(tbl), []).append((idx, str(stat or "")))
        for table in tables:
            entries = stat_rows.get(table)
            if entries:
                rows = _number(entries[0][1].split()[0]) if entries[0][1].split() else None
                f.table_stats[table] = TableStats(rows=rows)
                for idx, stat in entries:
                    parts = stat.split()
                    if idx is None or len(parts) < 2 or not rows:
                        continue
                    first = self.rows(f"pragma {q(schema)}.index_info({q(str(idx))})")
                    per_key = _number(parts[1])
                    if first and first[0][2] is not None and per_key:
                        f.column_stats.setdefault(table, {})[str(first[0][2])] = ColumnStats(
                            distinct=rows / per_key
                        )
            else:
                count = self.rows(f"select count(*) from {q(schema)}.{q(table)}")[0][0]
                f.table_stats[table] = TableStats(rows=float(count))


def _sqlite_quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


_READERS: dict[EngineName, type[_Reader]] = {
    EngineName.POSTGRESQL: _PostgresReader,
    EngineName.MYSQL: _MysqlReader,
    EngineName.MARIADB: _MysqlReader,
    EngineName.SQLITE: _SqliteReader,
}


# -- assembling the catalog -------------------------------------------------------------------


class _Assembler:
    def __init__(self, reader: _Reader, schema: str, facts: _Facts, origin: str) -> None:
        self.reader = reader
        self.inspector = reader.inspector
        self.engine = reader.engine
        self.schema = schema
        self.facts = facts
        self.origin = origin
        self.name = _quoted_fact(self.engine)
        #: The Inspector takes ``schema=None`` for the default schema (SQLite's ``main`` included).
        self.ischema: str | None = None if schema == reader.default_schema() else schema

    def names(self, values: Iterable[str | None]) -> tuple[Name, ...]:
        return tuple(self.name(v) for v in values if v is not None)

    def column(self, table: str, info: Mapping[str, Any]) -> Column:
        facts = self.facts.columns.get(table, {}).get(info["name"])
        type_text = facts.type_text if facts is not None else str(info["type"])
        where = f"{table}.{info['name']}"
        if info["name"] in self.facts.json_columns.get(table, set()):
            logical, implied_identity = LogicalType(TypeKind.JSON), False
        else:
            try:
                logical, implied_identity = parse_column_type(type_text, self.engine, self.facts.enums)
            except DbarchError as exc:
                raise CatalogError(
                    Diagnostic(
                        f"column {where}: {exc.diagnostic.message}",
                        file=self.origin,
                        hint="the tool cannot model this type yet; the schema cannot be read faithfully",
                    )
                ) from None
        default_text = facts.default if facts is not None else info.get("default")
        default, nextval = _default(
            default_text if isinstance(default_text, str) else None, self.engine, logical
        )
        identity = implied_identity or nextval or bool(info.get("identity")) or bool(facts and facts.identity)
        computed = info.get("computed")
        generated = None
        if isinstance(computed, dict) and computed.get("sqltext") is not None:
            generated = neutral_expression(str(computed["sqltext"]), self.engine)
            default = None
        nullable = bool(info.get("nullable", True))
        if identity and self.engine == EngineName.SQLITE:
            # The rowid alias is never NULL and holds 64-bit integers, whatever it was declared.
            nullable = False
            logical = LogicalType(TypeKind.BIGINT)
        return Column(
            name=self.name(info["name"]),
            type=logical,
            nullable=nullable,
            default=None if identity else default,
            identity=identity,
            generated=generated,
            comment=info.get("comment") or None,
            stats=self.facts.column_stats.get(table, {}).get(info["name"]),
        )

    def table(self, table: str) -> Table:
        i, s = self.inspector, self.ischema
        columns = tuple(self.column(table, c) for c in i.get_columns(table, schema=s))
        pk_info = i.get_pk_constraint(table, schema=s)
        primary_key = None
        if pk_info and pk_info.get("constrained_columns"):
            pk_name = pk_info.get("name")
            primary_key = PrimaryKey(
                self.names(pk_info["constrained_columns"]),
                self.name(pk_name) if pk_name and pk_name != "PRIMARY" else None,
            )
        uniques = tuple(
            UniqueConstraint(
                self.names(u["column_names"]), self.name(str(u["name"])) if u.get("name") else None
            )
            for u in i.get_unique_constraints(table, schema=s)
        )
        unique_names = {u.name.value for u in uniques if u.name is not None}
        foreign_keys = tuple(self.foreign_key(table, fk) for fk in i.get_foreign_keys(table, schema=s))
        checks = self.checks(table)
        indexes = self.indexes(table, unique_names, primary_key)
        comment = None
        try:
            comment = i.get_table_comment(table, schema=s).get("text") or None
        except NotImplementedError:
            comment = None
        return Table(
            name=self.name(table),
            columns=columns,
            primary_key=primary_key,
            uniques=uniques,
            foreign_keys=foreign_keys,
            checks=checks,
            indexes=indexes,
            partitioning=self.facts.partitioning.get(table),
            comment=comment,
            stats=self.facts.table_stats.get(table),
            schema=None,
        )

    def foreign_key(self, table: str, fk: Mapping[str, Any]) -> ForeignKey:
        options = fk.get("options") or {}
        on_delete, on_update = options.get("ondelete"), options.get("onupdate")
        if fk.get("name") and (table, fk["name"]) in self.facts.fk_actions:
            on_delete, on_update = self.facts.fk_actions[(table, fk["name"])]
        return ForeignKey(
            columns=self.names(fk["constrained_columns"]),
            ref_table=self.name(fk["referred_table"]),
            ref_columns=self.names(fk["referred_columns"]),
            name=self.name(fk["name"]) if fk.get("name") else None,
            on_delete=_action(on_delete),
            on_update=_action(on_update),
        )

    def checks(self, table: str) -> tuple[CheckConstraint, ...]:
        if self.facts.checks is not None:
            return tuple(self.facts.checks.get(table, []))
        found = self.inspector.get_check_constraints(table, schema=self.ischema)
        return tuple(
            CheckConstraint(
                neutral_expression(str(c["sqltext"]), self.engine),
                self.name(str(c["name"])) if c.get("name") else None,
            )
            for c in found
        )

    def indexes(self, table: str, unique_names: set[str], pk: PrimaryKey | None) -> tuple[Index, ...]:
        if self.facts.indexes is not None:
            return tuple(self.facts.indexes.get(table, []))
        out: list[Index] = []
        for info in self.inspector.get_indexes(table, schema=self.ischema):
            name = str(info["name"])
            if info.get("duplicates_constraint") or name in unique_names:
                continue
            descending = self.facts.descending.get((table, name), set())
            sorting = info.get("column_sorting") or {}
            expressions = list(info.get("expressions") or [])
            keys: list[IndexKey] = []
            for pos, column in enumerate(info.get("column_names") or []):
                if column is None:
                    expression = expressions[pos] if pos < len(expressions) else ""
                    keys.append(IndexKey(expression=neutral_expression(str(expression), self.engine)))
                else:
                    desc = column in descending or "desc" in (sorting.get(column) or ())
                    keys.append(IndexKey(column=self.name(column), descending=desc))
            index_type = str(info.get("type") or "").lower()
            method = index_type if index_type in ("fulltext", "spatial") else None
            out.append(Index(self.name(name), tuple(keys), unique=bool(info.get("unique")), method=method))
        return tuple(out)

    def views(self) -> tuple[View, ...]:
        out: list[View] = []
        for view in sorted(self.inspector.get_view_names(schema=self.ischema)):
            definition = self.facts.views.get(view) or self.view_definition(view)
            out.append(View(self.name(view), definition))
        return tuple(out)

    def view_definition(self, view: str) -> str:
        if self.engine in (EngineName.MYSQL, EngineName.MARIADB):
            rows = self.reader.rows(
                "select VIEW_DEFINITION from information_schema.VIEWS "
                "where TABLE_SCHEMA = :s and TABLE_NAME = :v",
                s=self.schema,
                v=view,
            )
            raw = str(rows[0][0]) if rows else ""
        else:
            raw = str(self.inspector.get_view_definition(view, schema=self.ischema) or "")
        node = _parse_expression(raw, get_traits(self.engine).sqlglot_dialect)
        if isinstance(node, exp.Create) and node.expression is not None:
            node = node.expression
        if node is None:
            return raw.strip()
        # The server qualifies every column with its schema; those names mean nothing elsewhere.
        for column in node.find_all(exp.Column):
            if column.args.get("db") is not None:
                column.set("db", None)
        for table in node.find_all(exp.Table):
            if table.args.get("db") is not None and table.db == self.schema:
                table.set("db", None)
        return _tidy_node(node).sql()


def _not_found(schema: str, known: Sequence[str], origin: str) -> CatalogError:
    close = difflib.get_close_matches(schema, list(known), n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"schemas there: {', '.join(sorted(known)) or 'none'}"
    return CatalogError(Diagnostic(f"schema '{schema}' does not exist in {origin}", hint=hint))


def introspect(url: str, *, schema: str | None = None) -> Catalog:
    """The catalog of the live database at ``url`` (read-only), for ``schema`` or the default one.

    Tables come in name order (partition children are part of their parent's partitioning,
    never tables of their own). Statistics are the engine's own; see the module docstring for
    which are read where.
    """
    expanded = expand_env(url)
    origin = redacted_url(expanded)
    with connect_readonly(url) as (connection, _family), warnings.catch_warnings():
        # SQLite expression indexes: the Inspector warns that it skips them; they are read from their SQL.
        warnings.filterwarnings("ignore", message="Skipped unsupported reflection", category=SAWarning)
        try:
            server = detect_server(connection)
            inspector = sa_inspect(connection)
            reader = _READERS[server.engine](connection, inspector, server.engine)
            target = schema or reader.default_schema()
            known = reader.schemas()
            if schema is not None and schema not in known:
                raise _not_found(schema, known, origin)
            if schema is not None and schema.lower() in _SYSTEM_SCHEMAS:
                raise CatalogError(
                    Diagnostic(f"schema '{schema}' is a system schema", hint="name an application schema")
                )
            ischema = None if target == reader.default_schema() else target
            names = list(inspector.get_table_names(schema=ischema))
            facts = reader.facts(target, names)
            names = [n for n in names if n not in facts.children and not n.startswith("sqlite_")]
            assembler = _Assembler(reader, target, facts, origin)
            tables = tuple(assembler.table(n) for n in sorted(names))
            views = assembler.views()
            unsigned = {
                _quoted_fact(server.engine)(table).key: {
                    _quoted_fact(server.engine)(column).key
                    for column, fact in columns.items()
                    if _UNSIGNED_BIGINT.match(fact.type_text)
                }
                for table, columns in facts.columns.items()
            }
            objects = reader.objects(target)
        except SQLAlchemyError as exc:
            raise connection_failed(
                expanded, server_engine(connection), exc, doing="read the schema of"
            ) from None
    return narrow_unsigned_keys(Catalog(tables=tables, views=views, origin=origin, objects=objects), unsigned)


def server_engine(connection: Connection) -> EngineName:
    backend = connection.engine.dialect.name
    return {"postgresql": EngineName.POSTGRESQL, "sqlite": EngineName.SQLITE}.get(backend, EngineName.MYSQL)


__all__ = ["introspect", "neutral_expression"]
