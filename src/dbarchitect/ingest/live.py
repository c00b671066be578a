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
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import Connection
from sqlalchemy.exc import SAWarning, SQLAlchemyError
from sqlglot import exp

from dbarchitect.engines.connection import (
    connect_readonly,
    connection_failed,
    detect_server,
    expand_env,
    redacted_url,
)
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import CatalogError, DbarchError, Diagnostic
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.ddl_nodes import mysql_key_clauses
from dbarchitect.ingest.live_clauses import postgres_key_clauses
from dbarchitect.ingest.live_expressions import (
    SYSTEM_SCHEMAS,
    UNSIGNED_BIGINT,
    neutral_expression,
    parse_expression,
    quoted_fact,
    read_default,
    referential_action,
    tidy_node,
)
from dbarchitect.ingest.live_readers import READERS, Facts, Reader
from dbarchitect.ingest.types import narrow_unsigned_keys, parse_column_type
from dbarchitect.model.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    IndexKey,
    ObjectSource,
    PrimaryKey,
    SchemaObject,
    Table,
    UniqueConstraint,
    View,
)
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind

# -- assembling the catalog -------------------------------------------------------------------


class _Assembler:
    def __init__(self, reader: Reader, schema: str, facts: Facts, origin: str) -> None:
        self.reader = reader
        self.inspector = reader.inspector
        self.engine = reader.engine
        self.schema = schema
        self.facts = facts
        self.origin = origin
        self.name = quoted_fact(self.engine)
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
                logical, implied_identity = parse_column_type(
                    type_text, self.engine, self.facts.enums, declared=None
                )
            except DbarchError as exc:
                raise CatalogError(
                    Diagnostic(
                        f"column {where}: {exc.diagnostic.message}",
                        file=self.origin,
                        hint="the tool cannot model this type yet; the schema cannot be read faithfully",
                    )
                ) from None
        default_text = facts.default if facts is not None else info.get("default")
        default, nextval = read_default(
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
            on_delete=referential_action(on_delete),
            on_update=referential_action(on_update),
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
            mysql = self.facts.mysql_indexes.get((table, name))
            if mysql is not None:
                method = mysql.method
            out.append(Index(self.name(name), tuple(keys), unique=bool(info.get("unique")), method=method))
        read = {i.name.value for i in out} | unique_names
        for (t, name), mysql in sorted(self.facts.mysql_indexes.items()):
            # An index the Inspector does not list (MariaDB's IGNORED ones) is read all the same.
            if t == table and name not in read and mysql.ignored:
                keys = [IndexKey(column=self.name(c), descending=d) for c, _, _, d in mysql.keys]
                out.append(Index(self.name(name), tuple(keys), unique=mysql.unique, method=mysql.method))
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
        node = parse_expression(raw, get_traits(self.engine).sqlglot_dialect)
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
        return tidy_node(node).sql()


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
        # MariaDB's IGNORED indexes: the MySQL dialect's parser of SHOW CREATE TABLE does not know the
        # word and warns; the MariaDB reader reads them from information_schema. Any other content it
        # does not know still warns.
        warnings.filterwarnings(
            "ignore",
            message=r"Unknown schema content: '\s*(UNIQUE |FULLTEXT |SPATIAL )?KEY .* IGNORED,?'",
            category=SAWarning,
        )
        # A type SQLAlchemy's dialect does not know (inet6, point, pg_lsn, a domain): the type is read
        # from the engine's own text (format_type, COLUMN_TYPE), never from the Inspector's guess.
        warnings.filterwarnings("ignore", message=r"Did not recognize type '", category=SAWarning)
        try:
            server = detect_server(connection)
            inspector = sa_inspect(connection)
            reader = READERS[server.engine](connection, inspector, server.engine)
            target = schema or reader.default_schema()
            known = reader.schemas()
            if schema is not None and schema not in known:
                raise _not_found(schema, known, origin)
            if schema is not None and schema.lower() in SYSTEM_SCHEMAS:
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
                quoted_fact(server.engine)(table).key: {
                    quoted_fact(server.engine)(column).key
                    for column, fact in columns.items()
                    if UNSIGNED_BIGINT.match(fact.type_text)
                }
                for table, columns in facts.columns.items()
            }
            objects = (
                *reader.objects(target),
                *_column_clauses(facts, server.engine),
                *_index_clauses(facts),
                *(
                    postgres_key_clauses(
                        reader.rows,
                        target,
                        {t: list(cols) for t, cols in facts.columns.items()},
                        facts.children,
                    )
                    if server.engine == EngineName.POSTGRESQL
                    else ()
                ),
            )
        except SQLAlchemyError as exc:
            raise connection_failed(
                expanded, server_engine(connection), exc, doing="read the schema of"
            ) from None
    return narrow_unsigned_keys(Catalog(tables=tables, views=views, origin=origin, objects=objects), unsigned)


def _column_clauses(facts: Facts, engine: EngineName) -> tuple[SchemaObject, ...]:
    """The column clauses the catalog model does not carry (identity ALWAYS, ON UPDATE ...), as the
    DDL reader records them for a file: each column is written as DDL and read back by it, so a
    database and the file that built it list the same text and a diff sees no change."""
    out: list[SchemaObject] = []
    quote = get_traits(engine).quote
    for table, columns in sorted(facts.columns.items()):
        for column, fact in columns.items():
            if not fact.clauses or table in facts.children:
                continue
            ddl = f"CREATE TABLE {quote(Name(table, True))} ({quote(Name(column, True))} {fact.type_text} "
            try:
                read = load_ddl(ddl + " ".join(fact.clauses) + ")", engine)
            except DbarchError:
                read = None
            found = [o for o in read.objects if o.kind == "column property"] if read is not None else []
            if not found:
                # the DDL reader cannot take it back: name it rather than lose it
                found = [SchemaObject("column property", f"{table}.{column}", "; ".join(fact.clauses))]
            out += [replace(o, source=ObjectSource.DATABASE) for o in found]
    return tuple(out)


def _index_clauses(facts: Facts) -> tuple[SchemaObject, ...]:
    """What a MySQL/MariaDB index says that the catalog does not hold (key prefixes, COMMENT,
    IGNORED), and a partitioning method it does not tell apart (HASH vs KEY), as the DDL reader
    records them for a file."""
    out = []
    for table, text in sorted(facts.table_options.items()):
        if table not in facts.children:
            out.append(SchemaObject("table property", table, text, ObjectSource.DATABASE))
    for table, flavor in sorted(facts.partition_flavors.items()):
        out.append(SchemaObject("table property", f"{table} partitioning", flavor, ObjectSource.DATABASE))
    for (table, name), index in sorted(facts.mysql_indexes.items()):
        if table in facts.children:
            continue
        keys = [(column, length, type_text) for column, length, type_text, _ in index.keys]
        clauses = mysql_key_clauses(keys, index.comment, index.ignored)
        if clauses:
            out.append(
                SchemaObject("index property", f"{table}.{name}", "; ".join(clauses), ObjectSource.DATABASE)
            )
    return tuple(out)


def server_engine(connection: Connection) -> EngineName:
    backend = connection.engine.dialect.name
    return {"postgresql": EngineName.POSTGRESQL, "sqlite": EngineName.SQLITE}.get(backend, EngineName.MYSQL)


__all__ = ["introspect", "neutral_expression"]
