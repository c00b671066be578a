"""DuckDB facts: standard types, no partitioning, ART indexes.

Identity columns are not declared (DuckDB needs an explicit sequence); the renderer notes it.
"""

from __future__ import annotations

from dataclasses import replace

from dbarchitect.engines import postgres
from dbarchitect.engines.quoting import LiteralStyle, string_literal
from dbarchitect.engines.traits import COMMON_RESERVED, EngineTraits, Features, PartitioningFacts
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import LogicalType, TypeKind

_SIMPLE = {
    TypeKind.BOOLEAN: "BOOLEAN",
    TypeKind.SMALLINT: "SMALLINT",
    TypeKind.INTEGER: "INTEGER",
    TypeKind.BIGINT: "BIGINT",
    TypeKind.REAL: "REAL",
    TypeKind.DOUBLE: "DOUBLE",
    TypeKind.TEXT: "VARCHAR",
    TypeKind.BINARY: "BLOB",
    TypeKind.DATE: "DATE",
    TypeKind.TIME: "TIME",
    TypeKind.TIMESTAMP: "TIMESTAMP",
    TypeKind.TIMESTAMPTZ: "TIMESTAMPTZ",
    TypeKind.INTERVAL: "INTERVAL",
    TypeKind.UUID: "UUID",
    TypeKind.JSON: "JSON",
}


def type_sql(t: LogicalType) -> str:
    if t.kind in _SIMPLE:
        return _SIMPLE[t.kind]
    if t.kind == TypeKind.DECIMAL:
        return (
            f"DECIMAL({min(t.precision, 38)},{t.scale or 0})" if t.precision is not None else "DECIMAL(38,10)"
        )
    if t.kind in (TypeKind.CHAR, TypeKind.VARCHAR):
        return f"VARCHAR({t.length})" if t.length else "VARCHAR"
    if t.kind == TypeKind.ENUM:
        return "ENUM(" + ", ".join(string_literal(v, LiteralStyle.STANDARD) for v in t.values) + ")"
    if t.kind == TypeKind.ARRAY and t.element is not None:
        return f"{type_sql(t.element)}[]"
    raise ValueError(f"no DuckDB type for {t}")


#: DuckDB was not calibrated: PostgreSQL's latency model, and its source says so.
LATENCY = replace(
    postgres.LATENCY, source=f"PostgreSQL's figures (DuckDB not measured): {postgres.LATENCY.source}"
)


def traits(version: tuple[int, ...]) -> EngineTraits:
    return EngineTraits(
        engine=EngineName.DUCKDB,
        label="DuckDB",
        version=version,
        sqlglot_dialect="duckdb",
        identifier_max_length=1024,
        quote_open='"',
        quote_close='"',
        reserved=COMMON_RESERVED | {"pivot", "unpivot", "qualify", "summarize", "describe", "show"},
        features=Features(
            partial_indexes=False,
            include_columns=False,
            expression_indexes=True,
            descending_indexes=False,
            check_constraints=True,
            transactional_ddl=True,
            concurrent_index_build=False,
            named_enum_types=False,
            inline_enum_type=True,
            native_uuid=True,
            native_json=True,
            arrays=True,
            alter_add_constraint=False,
            returning=True,
            partition_methods=frozenset(),
            foreign_keys_on_partitioned_tables=False,
            unique_must_include_partition_key=False,
            index_methods=frozenset({"btree"}),
            text_keys_need_prefix=False,
            identity_only_as_rowid=False,
            expression_defaults=True,
            expression_defaults_parenthesized=False,
            text_defaults=True,
        ),
        type_sql=type_sql,
        row_overhead_bytes=0.0,
        index_entry_overhead_bytes=16.0,
        partitioning=PartitioningFacts(
            max_partitions=0, source="DuckDB partitions files (hive partitioning), not tables"
        ),
        latency=LATENCY,
    )
