"""SQLite facts: declared types, features, storage overheads.

SQLite's declared types are free text with an *affinity*; we declare well-known names so the
schema reads (and re-reads) with its meaning: ``NUMERIC(12,2)`` for exact decimals — never REAL —
with the caveat (noted by the renderer) that SQLite keeps values with a fraction as 8-byte floats,
exact to 15 significant digits; ``TIMESTAMP``/``TIMESTAMPTZ`` holding ISO-8601 text (UTC for the
latter); enums as ``TEXT`` with a CHECK; identity as the ``INTEGER PRIMARY KEY`` rowid alias.
Storage: a cell has a few bytes of header plus the rowid varint; pages fill nearly fully on
appends.
"""

from __future__ import annotations

from dbarchitect.engines.traits import (
    COMMON_RESERVED,
    DdlKind,
    EngineTraits,
    Features,
    ForeignType,
    LatencyModel,
    LockFact,
    MigrationFacts,
    PartitioningFacts,
)
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import LogicalType, TypeKind

_SIMPLE = {
    TypeKind.BOOLEAN: "BOOLEAN",
    TypeKind.SMALLINT: "SMALLINT",
    TypeKind.INTEGER: "INTEGER",
    TypeKind.BIGINT: "BIGINT",
    TypeKind.REAL: "REAL",
    TypeKind.DOUBLE: "DOUBLE",
    TypeKind.TEXT: "TEXT",
    TypeKind.DATE: "DATE",
    TypeKind.TIME: "TIME",
    TypeKind.TIMESTAMP: "TIMESTAMP",
    TypeKind.TIMESTAMPTZ: "TIMESTAMPTZ",
    TypeKind.INTERVAL: "TEXT",
    TypeKind.UUID: "UUID",
    TypeKind.JSON: "JSON",
    TypeKind.ARRAY: "JSON",
    TypeKind.ENUM: "TEXT",
}


#: PostgreSQL native types held faithfully as text (their text form, not validated).
FOREIGN_TYPES = {
    f"postgres:{name}": ForeignType("TEXT", f"{name} stored as TEXT: its text form, not validated")
    for name in ("inet", "cidr", "macaddr", "macaddr8")
} | {
    f"mysql:{name}": ForeignType("TEXT", f"{name} stored as TEXT: its text form, not validated")
    for name in ("inet6", "inet4")
}


def type_sql(t: LogicalType) -> str:
    if t.kind == TypeKind.NATIVE:
        if t.native in FOREIGN_TYPES:
            return FOREIGN_TYPES[t.native].sql
        raise ValueError(f"no SQLite type for {t} ({t.native_engine} type)")
    if t.kind in _SIMPLE:
        return _SIMPLE[t.kind]
    if t.kind == TypeKind.DECIMAL:
        return f"NUMERIC({t.precision},{t.scale or 0})" if t.precision is not None else "NUMERIC"
    if t.kind == TypeKind.CHAR:
        return f"CHAR({t.length or 1})"
    if t.kind == TypeKind.VARCHAR:
        return f"VARCHAR({t.length})" if t.length else "TEXT"
    if t.kind == TypeKind.BINARY:
        return "BLOB"
    raise ValueError(f"no SQLite type for {t}")


_RESERVED = COMMON_RESERVED | frozenset(
    "abort action after attach autoincrement before begin cascade commit conflict database deferrable "  # noqa: SIM905
    "deferred detach each escape exclusive explain fail glob if ignore immediate indexed initially "
    "instead isnull match no notnull of plan pragma query raise recursive regexp reindex release "
    "rename replace restrict rollback savepoint temp temporary transaction trigger vacuum view "
    "virtual".split()
)


#: Latency model (see :class:`~dbarchitect.engines.traits.LatencyModel`).
LATENCY = LatencyModel(
    statement_ms=0.012165,
    write_ms=0.033866,
    row_write_ms=0.009312,
    index_entry_ms=0.006015,
    ms_per_io_unit=0.00039549,
    ms_per_cpu_unit=0.00537729,
    ms_per_cost_unit=0.00203041,
    commit_ms=0.844821,
    p95_factor=1.2803,
    probe_ms=0.061635,
    source=(
        "fitted by dbarch calibrate (bench/calibration) on SQLite 3.40.1 (3.40.1), "
        "2026-12-07T01:12:59+00:00, scale 1, x86_64, Linux 6.18.44-fc-v1272, Python 3.11.7"
    ),
)


def traits(version: tuple[int, ...]) -> EngineTraits:
    return EngineTraits(
        engine=EngineName.SQLITE,
        label="SQLite",
        version=version,
        sqlglot_dialect="sqlite",
        identifier_max_length=1024,
        quote_open='"',
        quote_close='"',
        reserved=_RESERVED,
        features=Features(
            whole_number_division=True,
            partial_indexes=True,
            include_columns=False,
            expression_indexes=True,
            descending_indexes=True,
            check_constraints=True,
            transactional_ddl=True,
            concurrent_index_build=False,
            named_enum_types=False,
            inline_enum_type=False,
            native_uuid=False,
            native_json=False,
            arrays=False,
            alter_add_constraint=False,
            returning=version >= (3, 35),
            partition_methods=frozenset(),
            foreign_keys_on_partitioned_tables=False,
            unique_must_include_partition_key=False,
            index_methods=frozenset({"btree"}),
            text_keys_need_prefix=False,
            identity_only_as_rowid=True,
            row_locator="rowid",
            expression_defaults=True,
            expression_defaults_parenthesized=True,
            text_defaults=True,
            derived_column_lists=False,
            partial_index_terms_as_written=True,
            trigger_syntax="sqlite",
        ),
        type_sql=type_sql,
        foreign_types=FOREIGN_TYPES,
        row_overhead_bytes=6.0,
        index_entry_overhead_bytes=6.0,
        table_fill_factor=0.95,
        index_fill_factor=0.9,
        true_literal="1",
        false_literal="0",
        decimal_fraction_is_float=True,
        interval_emulated=True,
        migration=migration_facts(version),
        hash_join=False,
        hash_aggregation=False,
        latency=LATENCY,
        partitioning=PartitioningFacts(max_partitions=0, source="SQLite has no table partitioning"),
    )


# -- migration facts ------------------------------------------------------------------------------

_WRITE_LOCK = "database write lock (one writer per file)"


def migration_facts(version: tuple[int, ...]) -> MigrationFacts:
    """SQLite's ALTER TABLE can add (simple) columns, rename columns (3.25+) and tables; anything else
    is a table rebuild (create the new table, copy, drop the old, rename: the documented procedure).
    Every DDL takes the database's single write lock; readers go on in WAL mode."""
    k = DdlKind
    cheap = LockFact(_WRITE_LOCK, blocks_reads=False, blocks_writes=True, source="SQLite docs (locking)")
    scan = LockFact(_WRITE_LOCK, blocks_reads=False, blocks_writes=True, scans=True, source="SQLite docs")
    rebuild = LockFact(
        _WRITE_LOCK, blocks_reads=False, blocks_writes=True, rewrites=True, source="SQLite docs"
    )
    locks = {kind: cheap for kind in k}
    locks.update({k.CREATE_INDEX: scan, k.CREATE_INDEX_ONLINE: scan, k.TABLE_REBUILD: rebuild})
    locks[k.BACKFILL] = scan
    rebuild_kinds = frozenset(
        {
            k.ADD_COLUMN_REWRITE,
            k.DROP_COLUMN,
            k.SET_DEFAULT,
            k.SET_NOT_NULL,
            k.SET_NOT_NULL_PROVEN,
            k.DROP_NOT_NULL,
            k.ALTER_TYPE_REWRITE,
            k.ALTER_TYPE_METADATA,
            k.ADD_CHECK,
            k.ADD_FOREIGN_KEY,
            k.ADD_UNIQUE,
            k.ADD_PRIMARY_KEY,
            k.DROP_CONSTRAINT,
            k.DROP_FOREIGN_KEY,
            k.DROP_PRIMARY_KEY,
            k.ENUM_ADD_VALUE,
        }
        | ({k.RENAME_COLUMN} if version < (3, 25) else set())
    )
    return MigrationFacts(
        locks=locks,
        rebuild_kinds=rebuild_kinds,
        add_column_constant_default_only=True,
        foreign_key_check_sql="SELECT count(*) = 0 FROM pragma_foreign_key_check({table})",
        lock_timeout_sql=("PRAGMA busy_timeout = 5000",),
        no_lock_timeout_sql=("PRAGMA busy_timeout = 5000",),
        lock_timeout_advice=(
            "each step waits at most 5 s for the write lock (busy_timeout); a table rebuild holds it for the "
            "whole copy, so run rebuilds of big tables in a quiet window. Foreign keys are not enforced "
            "during a rebuild unless PRAGMA foreign_keys is on; run PRAGMA foreign_key_check afterwards."
        ),
    )
