"""Render a catalog as DDL for one engine: the catalog's own type mapping, quoting of reserved
words, constraints, indexes and views, in dependency order.

Functions named ``*_sql`` only return SQL. What an engine cannot express is never dropped
silently: it is rendered as close as the engine allows and reported as a :class:`RenderNote`
(and as a ``-- note:`` comment in the script), e.g. a partial index on MySQL becomes a full index.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from dbarchitect.engines.expressions import default_expression_sql
from dbarchitect.engines.expressions import expression_sql as expression_sql
from dbarchitect.engines.identifiers import identifier_problems
from dbarchitect.engines.partition_sql import engine_bound_sql
from dbarchitect.engines.quoting import line_comment
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import (
    SERIAL_CLAUSE,
    Catalog,
    Column,
    Default,
    DefaultKind,
    ForeignKey,
    Index,
    IndexKey,
    PartitionMethod,
    ReferentialAction,
    Table,
    View,
)
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class RenderNote:
    """Something the engine could not express exactly, and what was rendered instead."""

    table: str
    feature: str
    message: str
    #: The rendered DDL fails on the engine, or means something other than the design (two names
    #: that become one): an error, not a weaker form.
    error: bool = False


@dataclass(frozen=True)
class RenderedSchema:
    sql: str
    notes: tuple[RenderNote, ...]


@dataclass
class _Notes:
    items: list[RenderNote] = field(default_factory=list)

    def add(self, table: str, feature: str, message: str, *, error: bool = False) -> None:
        note = RenderNote(table, feature, message, error)
        if note not in self.items:
            self.items.append(note)


def _enum_type_name(table: Table, column: Column) -> str:
    return column.type.type_name or f"{table.name.value}_{column.name.value}".lower()


def default_sql(default: Default, column: Column, traits: EngineTraits) -> str | None:
    kind = default.kind
    if kind == DefaultKind.NULL:
        return "NULL"
    if kind == DefaultKind.STRING:
        text = traits.literal(default.value or "")
        if column.type.kind == TypeKind.JSON and traits.features.expression_defaults_parenthesized:
            return f"({text})"
        return text
    if kind == DefaultKind.NUMBER:
        return default.value or "0"
    if kind == DefaultKind.BOOLEAN:
        return traits.true_literal if (default.value or "").upper() == "TRUE" else traits.false_literal
    if kind == DefaultKind.CURRENT_TIMESTAMP:
        if traits.current_timestamp_with_precision:
            precision = column.type.precision if column.type.precision is not None else 6
            native = column.type.native or ""
            if column.type.precision is None and native.startswith("mysql:"):
                # the native type as declared: `datetime` has no fractional seconds
                m = re.search(r"\((\d+)\)", native)
                precision = int(m.group(1)) if m else 0
            return f"CURRENT_TIMESTAMP({min(precision, 6)})"
        # the spelling the schema used (PostgreSQL keeps now() and CURRENT_TIMESTAMP apart)
        return "now()" if default.value == "now()" and traits.now_function else "CURRENT_TIMESTAMP"
    if kind == DefaultKind.CURRENT_DATE:
        return "(CURRENT_DATE)" if traits.features.expression_defaults_parenthesized else "CURRENT_DATE"
    if not traits.features.expression_defaults:
        return None
    if traits.features.expression_defaults_parenthesized:
        return f"({expression_sql(default.value or 'NULL', traits)})"
    return default_expression_sql(default.value or "NULL", traits)


def _is_rowid_identity(table: Table, column: Column, traits: EngineTraits) -> bool:
    return (
        traits.features.identity_only_as_rowid
        and column.identity
        and column.type.is_integer
        and table.primary_key is not None
        and len(table.primary_key.columns) == 1
        and table.primary_key.columns[0].matches(column.name)
    )


_DIALECT_LABEL = {"postgres": "PostgreSQL", "mysql": "MySQL/MariaDB"}


def native_type_sql(table: Table, column: Column, traits: EngineTraits, notes: _Notes) -> str:
    """Another engine's native type on this one: its faithful equivalent with a note, or (none
    exists) its own spelling, which fails here, with an error note naming the column and type."""
    t = column.type
    mapped = traits.foreign_types.get(t.native or "")
    if mapped is not None:
        notes.add(table.name.value, "type", f"column {column.name}: {mapped.change} on {traits.label}")
        return mapped.sql
    notes.add(
        table.name.value,
        "type",
        f"column {column.name} has type {t} (a {_DIALECT_LABEL.get(t.native_engine or '', t.native_engine)} "
        f"type), which {traits.label} has no equivalent for; change the column's type in the schema, or "
        "drop the engine",
        error=True,
    )
    return str(t)


def column_sql(table: Table, column: Column, traits: EngineTraits, notes: _Notes) -> str:
    q = traits.quote
    if _is_rowid_identity(table, column, traits):
        return f"{q(column.name)} INTEGER PRIMARY KEY"
    type_ = column.type
    if type_.kind == TypeKind.ENUM and traits.features.named_enum_types:
        type_text = q(Name(_enum_type_name(table, column), quoted=False))
    elif type_.kind == TypeKind.NATIVE and type_.native_engine != traits.sqlglot_dialect:
        type_text = native_type_sql(table, column, traits, notes)
    elif type_.kind == TypeKind.ARRAY and not traits.features.arrays:
        type_text = traits.type_sql(type_)
        notes.add(
            table.name.value, "array", f"column {column.name} is an array; stored as {type_text} on {traits}"
        )
    else:
        type_text = traits.type_sql(type_)
    parts = [q(column.name), type_text]
    if type_.kind == TypeKind.TIMESTAMPTZ and traits.timestamptz_as_utc:
        notes.add(
            table.name.value,
            "timestamptz",
            f"column {column.name} holds UTC in {type_text}: {traits.label} has no time-zone-aware type that "
            "outlives 2038",
        )
    if type_.kind == TypeKind.INTERVAL and traits.interval_emulated:
        notes.add(table.name.value, "interval", f"column {column.name} (interval) is stored as {type_text}")
    if type_.kind == TypeKind.DECIMAL and traits.decimal_fraction_is_float and (type_.scale or 0) > 0:
        notes.add(
            table.name.value,
            "decimal",
            f"column {column.name} is NUMERIC: SQLite keeps fractional values as 8-byte floats (exact to 15 "
            "significant digits)",
        )
    if column.identity:
        if traits.features.identity_only_as_rowid:
            notes.add(
                table.name.value,
                "identity",
                f"column {column.name} is an identity but not the single integer primary key; "
                f"{traits.label} cannot generate it",
            )
        elif traits.identity_sql is not None:
            parts.append(traits.identity_sql)
        else:
            notes.add(
                table.name.value,
                "identity",
                f"column {column.name}: {traits.label} needs a sequence for identity",
            )
    if column.generated is not None:
        parts.append(f"GENERATED ALWAYS AS ({expression_sql(column.generated, traits)}) STORED")
    if not column.nullable:
        parts.append("NOT NULL")
    if column.default is not None and not column.identity:
        blocked = (
            column.default.kind in (DefaultKind.STRING, DefaultKind.NUMBER)
            and type_.kind in (TypeKind.TEXT, TypeKind.JSON, TypeKind.BINARY)
            and not traits.features.text_defaults
        )
        rendered = None if blocked else default_sql(column.default, column, traits)
        if rendered is None:
            notes.add(
                table.name.value,
                "default",
                f"column {column.name}: default {column.default.value} cannot be declared on {traits}; "
                "set it in "
                "the application",
            )
        else:
            parts.append(f"DEFAULT {rendered}")
    if (
        type_.kind == TypeKind.ENUM
        and not traits.features.named_enum_types
        and not traits.features.inline_enum_type
    ):
        values = ", ".join(traits.literal(v) for v in type_.values)
        parts.append(f"CHECK ({q(column.name)} IN ({values}))")
    if column.comment and traits.inline_comments:
        parts.append(f"COMMENT {traits.literal(column.comment)}")
    return " ".join(parts)


def _columns(names: tuple[Name, ...], traits: EngineTraits) -> str:
    return ", ".join(traits.quote(n) for n in names)


def _constraint_name(name: Name | None, traits: EngineTraits) -> str:
    return f"CONSTRAINT {traits.quote(name)} " if name is not None else ""


def foreign_key_clause_sql(fk: ForeignKey, traits: EngineTraits) -> str:
    sql = (
        f"{_constraint_name(fk.name, traits)}FOREIGN KEY ({_columns(fk.columns, traits)}) "
        f"REFERENCES {traits.quote(fk.ref_table)} ({_columns(fk.ref_columns, traits)})"
    )
    if fk.on_delete != ReferentialAction.NO_ACTION:
        sql += f" ON DELETE {fk.on_delete.value}"
    if fk.on_update != ReferentialAction.NO_ACTION:
        sql += f" ON UPDATE {fk.on_update.value}"
    return sql


def add_foreign_key_sql(table: Table, fk: ForeignKey, traits: EngineTraits) -> str:
    return f"ALTER TABLE {traits.quote(table.name)} ADD {foreign_key_clause_sql(fk, traits)};"


def _key_length_sql(table: Table, column: Name, traits: EngineTraits, notes: _Notes, what: str) -> str:
    """A key column, with a prefix length where the engine needs one for long text."""
    col = table.column(column)
    rendered = traits.quote(column)
    if col is not None and traits.features.text_keys_need_prefix:
        type_text = traits.type_sql(col.type)
        if type_text in ("longtext", "longblob", "json") or col.type.kind in (TypeKind.TEXT, TypeKind.JSON):
            notes.add(
                table.name.value,
                "text key",
                f"{what} on {column} ({type_text}) uses its first 191 characters: "
                f"{traits.label} indexes long "
                "text only by prefix",
            )
            return f"{rendered}(191)"
    return rendered


def _partitioning_allowed(table: Table, traits: EngineTraits, notes: _Notes) -> bool:
    p = table.partitioning
    if p is None:
        return False
    name = table.name.value
    if p.method.value not in traits.features.partition_methods:
        notes.add(
            name,
            "partitioning",
            f"{traits.label} has no {p.method.value} partitioning; table left unpartitioned",
        )
        return False
    if table.foreign_keys and not traits.features.foreign_keys_on_partitioned_tables:
        notes.add(
            name,
            "partitioning",
            f"{traits} cannot partition a table with foreign keys; kept the foreign keys, "
            "left it unpartitioned",
        )
        return False
    if traits.features.unique_must_include_partition_key:
        keys = [c.key for c in p.columns]
        uniques = [table.primary_key.columns] if table.primary_key else []
        uniques += [u.columns for u in table.uniques]
        for cols in uniques:
            if not set(keys) <= {c.key for c in cols}:
                notes.add(
                    name,
                    "partitioning",
                    f"on {traits.label} every unique key must include the partition key ({', '.join(keys)}); "
                    f"({', '.join(c.value for c in cols)}) does not, so the table is left unpartitioned",
                )
                return False
    return True


def _bound_sql(table: Table, text: str, traits: EngineTraits) -> str:
    """A partition bound (neutral literal text) as the engine takes it for the partition key's type."""
    p = table.partitioning
    key = table.column(p.columns[0]) if p is not None and len(p.columns) == 1 else None
    rendered = expression_sql(text, traits)
    return engine_bound_sql(rendered, key.type, traits) if key is not None else rendered


def _inline_partition_sql(table: Table, traits: EngineTraits) -> str:
    p = table.partitioning
    assert p is not None
    cols = _columns(p.columns, traits)
    if p.method == PartitionMethod.HASH:
        count = p.count or max(len(p.partitions), 1)
        return f"PARTITION BY KEY ({cols}) PARTITIONS {count}"
    keyword = "RANGE COLUMNS" if p.method == PartitionMethod.RANGE else "LIST COLUMNS"
    parts: list[str] = []
    for part in p.partitions:
        if p.method == PartitionMethod.RANGE:
            upper = (
                "MAXVALUE"
                if part.is_default or not part.bounds
                else _bound_sql(table, part.bounds[-1], traits)
            )
            parts.append(f"PARTITION {traits.quote(part.name)} VALUES LESS THAN ({upper})")
        elif not part.is_default:
            values = ", ".join(_bound_sql(table, v, traits) for v in part.bounds)
            parts.append(f"PARTITION {traits.quote(part.name)} VALUES IN ({values})")
    if not parts:
        return f"PARTITION BY {keyword} ({cols}) (PARTITION p_all VALUES LESS THAN (MAXVALUE))"
    return f"PARTITION BY {keyword} ({cols}) (\n  " + ",\n  ".join(parts) + "\n)"


def create_table_sql(
    table: Table,
    traits: EngineTraits,
    *,
    inline_foreign_keys: tuple[ForeignKey, ...] | None = None,
    notes: _Notes | None = None,
) -> str:
    """CREATE TABLE for ``table``; ``inline_foreign_keys`` limits which FKs are declared inline."""
    notes = notes if notes is not None else _Notes()
    q = traits.quote
    lines = [column_sql(table, c, traits, notes) for c in table.columns]
    rowid = any(_is_rowid_identity(table, c, traits) for c in table.columns)
    if table.primary_key is not None and not rowid:
        cols = ", ".join(
            _key_length_sql(table, c, traits, notes, "primary key") for c in table.primary_key.columns
        )
        lines.append(f"{_constraint_name(table.primary_key.name, traits)}PRIMARY KEY ({cols})")
    for u in table.uniques:
        cols = ", ".join(_key_length_sql(table, c, traits, notes, "unique constraint") for c in u.columns)
        lines.append(f"{_constraint_name(u.name, traits)}UNIQUE ({cols})")
    for fk in table.foreign_keys if inline_foreign_keys is None else inline_foreign_keys:
        lines.append(foreign_key_clause_sql(fk, traits))
    for check in table.checks:
        if traits.features.check_constraints:
            lines.append(
                f"{_constraint_name(check.name, traits)}CHECK ({expression_sql(check.expression, traits)})"
            )
        else:
            notes.add(table.name.value, "check", f"{traits} does not enforce CHECK ({check.expression})")
    sql = f"CREATE TABLE {q(table.name)} (\n  " + ",\n  ".join(lines) + "\n)"
    if _partitioning_allowed(table, traits, notes):
        assert table.partitioning is not None
        if traits.partition_syntax == "inline":
            # MySQL wants table options before the PARTITION BY clause.
            sql += traits.table_options
            if traits.inline_comments and table.comment:
                sql += f" COMMENT={traits.literal(table.comment)}"
            return sql + "\n" + _inline_partition_sql(table, traits) + ";"
        method = table.partitioning.method.value.upper()
        sql += f" PARTITION BY {method} ({_columns(table.partitioning.columns, traits)})"
    sql += traits.table_options
    if traits.inline_comments and table.comment:
        sql += f" COMMENT={traits.literal(table.comment)}"
    return sql + ";"


def partitions_sql(table: Table, traits: EngineTraits) -> list[str]:
    """PostgreSQL child tables of a partitioned table (``CREATE TABLE ... PARTITION OF``)."""
    p = table.partitioning
    if p is None or traits.partition_syntax != "declarative":
        return []
    out: list[str] = []
    q = traits.quote
    if p.method == PartitionMethod.HASH and not p.partitions and p.count:
        for i in range(p.count):
            child = Name(f"{table.name.value}_p{i}")
            out.append(
                f"CREATE TABLE {q(child)} PARTITION OF {q(table.name)} "
                f"FOR VALUES WITH (MODULUS {p.count}, REMAINDER {i});"
            )
        return out
    for i, part in enumerate(p.partitions):
        if part.is_default:
            bound = "DEFAULT"
        elif p.method == PartitionMethod.RANGE:
            lo, hi = (_bound_sql(table, b, traits) for b in part.bounds[:2])
            bound = f"FOR VALUES FROM ({lo}) TO ({hi})"
        elif p.method == PartitionMethod.LIST:
            bound = "FOR VALUES IN (" + ", ".join(_bound_sql(table, v, traits) for v in part.bounds) + ")"
        else:
            modulus = p.count or len(p.partitions)
            bound = f"FOR VALUES WITH (MODULUS {modulus}, REMAINDER {i})"
        out.append(f"CREATE TABLE {q(part.name)} PARTITION OF {q(table.name)} {bound};")
    return out


def _index_key_sql(table: Table, key: IndexKey, traits: EngineTraits, notes: _Notes) -> str | None:
    if key.column is not None:
        text = _key_length_sql(table, key.column, traits, notes, "index")
    else:
        if not traits.features.expression_indexes:
            return None
        text = f"({expression_sql(key.expression or '', traits)})"
    if key.opclass:
        if not traits.features.operator_classes:
            return None
        text += f" {key.opclass}"
    if key.descending:
        if traits.features.descending_indexes:
            text += " DESC"
        else:
            notes.add(
                table.name.value,
                "index",
                f"{traits} ignores DESC on index keys; {key.column} indexed ascending",
            )
    return text


def create_index_sql(
    table: Table,
    index: Index,
    traits: EngineTraits,
    *,
    concurrently: bool = False,
    notes: _Notes | None = None,
    as_clause: bool = False,
) -> str | None:
    """CREATE INDEX for ``index`` on ``table``, or ``None`` when the engine cannot build it at all
    (``as_clause``: the ``ADD INDEX ...`` clause of an ALTER TABLE instead, on MySQL/MariaDB).

    ``concurrently`` asks for a build that does not block writes, in the engine's own terms:
    ``CONCURRENTLY`` on PostgreSQL, ``ALGORITHM=INPLACE LOCK=NONE`` on MySQL/MariaDB (an assertion:
    the engine refuses rather than silently copying the table)."""
    notes = notes if notes is not None else _Notes()
    f = traits.features
    name = table.name.value
    if index.method is not None and index.method not in f.index_methods:
        notes.add(name, "index", f"index {index.name} uses {index.method}, which {traits} lacks; not created")
        return None
    keys: list[str] = []
    for key in index.keys:
        rendered = _index_key_sql(table, key, traits, notes)
        if rendered is None:
            notes.add(
                name,
                "index",
                f"index {index.name} has an expression key, which {traits} cannot index; not created",
            )
            return None
        keys.append(rendered)
    include = ""
    if index.include:
        if f.include_columns:
            include = f" INCLUDE ({_columns(index.include, traits)})"
        else:
            keys += [_key_length_sql(table, c, traits, notes, "index") for c in index.include]
            notes.add(
                name, "index", f"index {index.name}: {traits} has no INCLUDE; the columns were added as keys"
            )
    where = ""
    if index.where is not None:
        if f.partial_indexes:
            where = f" WHERE {expression_sql(index.where, traits)}"
        else:
            notes.add(
                name,
                "index",
                f"index {index.name} is partial (WHERE {index.where}); {traits} has no partial indexes, "
                "so it covers "
                "every row",
            )
            if index.unique:
                notes.add(
                    name,
                    "index",
                    f"index {index.name}: uniqueness now holds over all rows, not only the partial set",
                )
    unique = "UNIQUE " if index.unique else ""
    conc = "CONCURRENTLY " if concurrently and f.concurrent_index_build else ""
    options = traits.online_index_options
    if index.method in ("fulltext", "spatial"):
        options = traits.locked_index_options
    online = f" {options}" if concurrently and options else ""
    using = ""
    if index.method is not None and index.method != "btree":
        if index.method in ("fulltext", "spatial"):
            unique = f"{index.method.upper()} "
        else:
            using = f" USING {index.method}"
    if as_clause:
        # ALTER TABLE ... ADD INDEX (MySQL/MariaDB), beside other clauses of one statement
        return f"ADD {unique}INDEX {traits.quote(index.name)}{using} ({', '.join(keys)}){include}{where}"
    return (
        f"CREATE {unique}INDEX {conc}{traits.quote(index.name)} ON {traits.quote(table.name)}{using} "
        f"({', '.join(keys)}){include}{where}{online};"
    )


def create_view_sql(view: View, traits: EngineTraits) -> str:
    cols = f" ({_columns(view.columns, traits)})" if view.columns else ""
    return f"CREATE VIEW {traits.quote(view.name)}{cols} AS {expression_sql(view.query, traits)};"


def _enum_types_sql(catalog: Catalog, traits: EngineTraits) -> list[str]:
    if not traits.features.named_enum_types:
        return []
    seen: dict[str, tuple[str, ...]] = {}
    for table in catalog.tables:
        for column in table.columns:
            if column.type.kind == TypeKind.ENUM:
                seen.setdefault(_enum_type_name(table, column), column.type.values)
    return [
        f"CREATE TYPE {traits.quote(Name(n))} AS ENUM ({', '.join(traits.literal(v) for v in values)});"
        for n, values in seen.items()
    ]


def _comments_sql(table: Table, traits: EngineTraits) -> list[str]:
    if not traits.comment_statements:
        return []
    out: list[str] = []
    if table.comment:
        out.append(f"COMMENT ON TABLE {traits.quote(table.name)} IS {traits.literal(table.comment)};")
    for c in table.columns:
        if c.comment:
            out.append(
                f"COMMENT ON COLUMN {traits.quote(table.name)}.{traits.quote(c.name)} "
                f"IS {traits.literal(c.comment)};"
            )
    return out


def render_schema_with_notes(catalog: Catalog, traits: EngineTraits) -> RenderedSchema:
    """The whole schema for ``traits``' engine, and what it could not express."""
    notes = _Notes()
    for problem in identifier_problems(catalog, traits):
        notes.add(problem.table, "identifier", problem.message, error=problem.error)
    for o in catalog.objects:
        # A clause the source DDL gave a column that the catalog does not carry (identity ALWAYS,
        # ON UPDATE CURRENT_TIMESTAMP, COLLATE, ZEROFILL...): not written, and said so.
        table_name, _, column = o.name.rpartition(".")
        owner = (
            catalog.table(table_name)
            if o.kind == "column property" and o.definition != SERIAL_CLAUSE
            else None
        )
        if owner is not None:
            notes.add(
                owner.name.value,
                "clause",
                f"column {column}: {o.definition} (from the source schema) is not written: the "
                "engine-neutral catalog does not carry it; add it by hand where the application needs it",
            )
    late = catalog.cyclic_foreign_keys() if traits.features.alter_add_constraint else ()
    late_ids = {id(fk) for _, fk in late}
    blocks: list[str] = [f"-- Schema for {traits}, rendered by dbarchitect from the engine-neutral catalog."]
    blocks += _enum_types_sql(catalog, traits)
    for table in catalog.dependency_order():
        inline = tuple(fk for fk in table.foreign_keys if id(fk) not in late_ids)
        blocks.append(create_table_sql(table, traits, inline_foreign_keys=inline, notes=notes))
        blocks += partitions_sql(table, traits) if _partitioning_allowed(table, traits, _Notes()) else []
        blocks += _comments_sql(table, traits)
    blocks += [add_foreign_key_sql(t, fk, traits) for t, fk in late]
    for table in catalog.dependency_order():
        for index in table.indexes:
            sql = create_index_sql(table, index, traits, notes=notes)
            if sql is not None:
                blocks.append(sql)
    blocks += [create_view_sql(v, traits) for v in catalog.views]
    if notes.items:
        blocks.insert(1, "\n".join(line_comment(f"note: {n.table}: {n.message}") for n in notes.items))
    return RenderedSchema(traits.script_sql("\n\n".join(blocks) + "\n"), tuple(notes.items))


def render_schema(catalog: Catalog, traits: EngineTraits) -> str:
    """The whole schema as one script for ``traits``' engine."""
    return render_schema_with_notes(catalog, traits).sql


def type_sql(logical: LogicalType, traits: EngineTraits) -> str:
    """A logical type as ``traits``' engine spells it."""
    return traits.type_sql(logical)
