"""PostgreSQL facts: types, features by version, storage overheads.

Storage: a heap tuple has a 23-byte header (24 aligned) plus a 4-byte line pointer; a B-tree
entry has an 8-byte tuple header plus a 4-byte line pointer, and leaf pages are filled to 90%
(the default ``fillfactor``). Supported from version 11 (fast defaults, INCLUDE, hash partitions).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from dbarchitect.engines import naming_postgres
from dbarchitect.engines.quoting import LiteralStyle
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
    ShardingFacts,
)
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import LogicalType, TypeKind

_SIMPLE = {
    TypeKind.BOOLEAN: "boolean",
    TypeKind.SMALLINT: "smallint",
    TypeKind.INTEGER: "integer",
    TypeKind.BIGINT: "bigint",
    TypeKind.REAL: "real",
    TypeKind.DOUBLE: "double precision",
    TypeKind.TEXT: "text",
    TypeKind.BINARY: "bytea",
    TypeKind.DATE: "date",
    TypeKind.INTERVAL: "interval",
    TypeKind.UUID: "uuid",
    TypeKind.JSON: "jsonb",
}


#: MariaDB/MySQL native types PostgreSQL holds every value of (``inet`` takes IPv4 and IPv6).
FOREIGN_TYPES = {
    "mysql:inet6": ForeignType(
        "inet", "an IPv6 address (MariaDB inet6) stored as inet, which also accepts IPv4 and netmasks"
    ),
    "mysql:inet4": ForeignType(
        "inet", "an IPv4 address (MariaDB inet4) stored as inet, which also accepts IPv6 and netmasks"
    ),
}


#: Native types with a default B-tree operator class (``pg_opclass`` where ``opcdefault`` for
#: ``btree``); geometric types, xml, and types the tool cannot see into (domains, extension types)
#: are left out.
BTREE_NATIVE = frozenset(
    {
        "inet", "cidr", "macaddr", "macaddr8", "pg_lsn", "tsvector", "tsquery", "bit varying", "interval",
        '"char"', "oid", "int4range", "int8range", "numrange", "tsrange", "tstzrange", "daterange",
        "int4multirange", "int8multirange", "nummultirange", "tsmultirange", "tstzmultirange",
        "datemultirange",
    }
)  # fmt: skip


def type_sql(t: LogicalType) -> str:
    if t.native is not None and t.native.startswith("postgres:"):
        return t.native.split(":", 1)[1]
    if t.kind == TypeKind.NATIVE:
        if t.native in FOREIGN_TYPES:
            return FOREIGN_TYPES[t.native].sql
        raise ValueError(f"no PostgreSQL type for {t} ({t.native_engine} type)")
    if t.kind in _SIMPLE:
        return _SIMPLE[t.kind]
    if t.kind == TypeKind.DECIMAL:
        return f"numeric({t.precision},{t.scale or 0})" if t.precision is not None else "numeric"
    if t.kind == TypeKind.CHAR:
        return f"char({t.length or 1})"
    if t.kind == TypeKind.VARCHAR:
        return f"varchar({t.length})" if t.length else "varchar"
    if t.kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ, TypeKind.TIME):
        base = {TypeKind.TIMESTAMP: "timestamp", TypeKind.TIMESTAMPTZ: "timestamptz", TypeKind.TIME: "time"}[
            t.kind
        ]
        # an explicit (6) is kept: PostgreSQL keeps it apart from no precision (format_type)
        return f"{base}({t.precision})" if t.precision is not None else base
    if t.kind == TypeKind.ENUM:
        # The renderer declares the named type first; the name is filled in by the caller.
        return t.type_name or "text"
    if t.kind == TypeKind.ARRAY and t.element is not None:
        return f"{type_sql(t.element)}[]"
    raise ValueError(f"no PostgreSQL type for {t}")


_RESERVED = COMMON_RESERVED | frozenset(
    "analyse asymmetric binary concurrently current_catalog current_role current_schema deferrable do "  # noqa: SIM905
    "freeze ilike initially isnull lateral notnull only overlaps placing similar symmetric "
    "tablesample variadic verbose".split()
)


#: Latency model (see :class:`~dbarchitect.engines.traits.LatencyModel`).
LATENCY = LatencyModel(
    statement_ms=0.236244,
    write_ms=0.005444,
    row_write_ms=0.006832,
    index_entry_ms=0.005743,
    ms_per_io_unit=0.00057215,
    ms_per_cpu_unit=0.01467265,
    ms_per_cost_unit=0.00474612,
    commit_ms=0.210303,
    p95_factor=1.2922,
    probe_ms=0.359851,
    source=(
        "fitted by dbarch calibrate (bench/calibration) on PostgreSQL 15.20 (Debian 15.20-0+deb12u1), "
        "2026-12-07T01:08:07+00:00, scale 1, x86_64, Linux 6.18.44-fc-v1272, Python 3.11.7"
    ),
    update_writes_every_index=True,
    delete_removes_index_entries=False,
)


def traits(version: tuple[int, ...]) -> EngineTraits:
    return EngineTraits(
        engine=EngineName.POSTGRESQL,
        label="PostgreSQL",
        version=version,
        sqlglot_dialect="postgres",
        now_function=True,
        identifier_max_length=63,
        quote_open='"',
        quote_close='"',
        literal_style=LiteralStyle.POSTGRES,
        identifier_length_in_bytes=True,
        identifier_truncated=True,
        reserved=_RESERVED,
        features=Features(
            partial_indexes=True,
            include_columns=version >= (11,),
            expression_indexes=True,
            operator_classes=True,
            descending_indexes=True,
            check_constraints=True,
            transactional_ddl=True,
            concurrent_index_build=True,
            named_enum_types=True,
            inline_enum_type=False,
            native_uuid=True,
            native_json=True,
            arrays=True,
            alter_add_constraint=True,
            returning=True,
            partition_methods=frozenset({"range", "list", "hash"}),
            foreign_keys_on_partitioned_tables=version >= (12,),
            unique_must_include_partition_key=True,
            index_methods=frozenset({"btree", "hash", "gin", "gist", "brin", "spgist"}),
            text_keys_need_prefix=False,
            identity_only_as_rowid=False,
            expression_defaults=True,
            expression_defaults_parenthesized=False,
            text_defaults=True,
            not_in_subquery_anti_join=False,
            materialized_views=True,
            nulls_not_distinct=version >= (15,),
            trigger_syntax="plpgsql",
        ),
        type_sql=type_sql,
        foreign_types=FOREIGN_TYPES,
        btree_native_types=BTREE_NATIVE,
        row_overhead_bytes=28.0,
        index_entry_overhead_bytes=12.0,
        table_fill_factor=1.0,
        index_fill_factor=0.9,
        identity_sql="GENERATED BY DEFAULT AS IDENTITY",
        comment_statements=True,
        partition_syntax="declarative",
        migration=migration_facts(version),
        latency=LATENCY,
        partitioning=partitioning_facts(version),
        sharding=ShardingFacts(
            distributed_engine="citus",
            source="Citus is a PostgreSQL extension (docs.citusdata.com: create_distributed_table)",
        ),
        implicit_names=naming_postgres.implicit_names,
        drop_unknown_constraint=naming_postgres.drop_unknown_constraint,
    )


def partitioning_facts(version: tuple[int, ...]) -> PartitioningFacts:
    """Declarative partitioning (version notes from the release notes; the ordered Append that stops
    at a LIMIT and plan/initial-time pruning measured on 15.20 with EXPLAIN and EXPLAIN ANALYZE)."""
    return PartitioningFacts(
        # "The query planner is generally able to handle partition hierarchies with up to a few thousand
        # partitions fairly well, provided that typical queries allow the query planner to prune all but
        # a small number of partitions" (PostgreSQL 15 docs, 5.11.6): a thousand keeps a margin.
        max_partitions=1000,
        ordered_scan_stops_at_limit=version >= (12,),
        range_catch_all=False,
        detach_concurrently=version >= (14,),
        partman=version >= (11,),
        referenced_by_foreign_keys=version >= (12,),
        # json has no btree or hash operator class (jsonb has); arrays are no key a workload filters on.
        range_list_excluded_types=frozenset({"json", "array"}),
        hash_excluded_types=frozenset({"json", "array"}),
        copy_sync="plpgsql",
        multi_rename_sql=None,
        source="PostgreSQL docs 5.11 and release notes; pruning measured on 15.20",
    )


# -- migration facts ------------------------------------------------------------------------------

_AE = "ACCESS EXCLUSIVE"
_MEASURED = "measured on PostgreSQL 15.18 (pg_locks, relfilenode)"


def _lock(lock: str, *, rewrites: bool = False, scans: bool = False, source: str = _MEASURED) -> LockFact:
    reads = lock == _AE
    writes = lock in (_AE, "SHARE", "SHARE ROW EXCLUSIVE", "EXCLUSIVE")
    return LockFact(
        lock, blocks_reads=reads, blocks_writes=writes, rewrites=rewrites, scans=scans, source=source
    )


def migration_facts(version: tuple[int, ...]) -> MigrationFacts:
    """Lock levels per kind of DDL (measured on 15.18; version notes from the release notes)."""
    k = DdlKind
    locks = {
        k.CREATE_TABLE: _lock(_AE, source="new table: nobody else can see it yet"),
        k.DROP_TABLE: _lock(_AE),
        # CREATE TABLE ... PARTITION OF and DETACH PARTITION (not CONCURRENTLY) lock the parent
        k.CHANGE_PARTITIONS: _lock(_AE, source="PostgreSQL 15 manual: CREATE TABLE, ALTER TABLE"),
        k.RENAME_TABLE: _lock(_AE),
        k.ADD_COLUMN: _lock(_AE, rewrites=version < (11,)),
        k.ADD_COLUMN_REWRITE: _lock(_AE, rewrites=True),
        k.DROP_COLUMN: _lock(_AE),
        k.RENAME_COLUMN: _lock(_AE),
        k.SET_DEFAULT: _lock(_AE),
        k.SET_NOT_NULL: _lock(_AE, scans=True),
        k.SET_NOT_NULL_PROVEN: _lock(_AE, scans=version < (12,)),
        k.DROP_NOT_NULL: _lock(_AE),
        k.ALTER_TYPE_REWRITE: _lock(_AE, rewrites=True),
        k.ALTER_TYPE_METADATA: _lock(_AE),
        k.ADD_CHECK: _lock(_AE, scans=True),
        k.ADD_CHECK_NOT_VALID: _lock(_AE),
        k.VALIDATE_CHECK: _lock("SHARE UPDATE EXCLUSIVE", scans=True),
        k.ADD_FOREIGN_KEY: _lock("SHARE ROW EXCLUSIVE", scans=True),
        k.ADD_FOREIGN_KEY_NOT_VALID: _lock("SHARE ROW EXCLUSIVE"),
        k.VALIDATE_FOREIGN_KEY: _lock("SHARE UPDATE EXCLUSIVE", scans=True),
        k.ADD_UNIQUE: _lock(_AE, scans=True),
        k.ADD_PRIMARY_KEY: _lock(_AE, scans=True),
        k.ADD_CONSTRAINT_USING_INDEX: _lock(_AE),
        k.DROP_CONSTRAINT: _lock(_AE),
        k.DROP_FOREIGN_KEY: _lock(_AE),
        k.DROP_PRIMARY_KEY: _lock(_AE),
        k.CREATE_INDEX: _lock("SHARE", scans=True),
        k.CREATE_INDEX_ONLINE: _lock("SHARE UPDATE EXCLUSIVE", scans=True, source="PostgreSQL docs"),
        k.DROP_INDEX: _lock(_AE),
        k.DROP_INDEX_ONLINE: _lock("SHARE UPDATE EXCLUSIVE"),
        k.CREATE_VIEW: _lock("ACCESS SHARE"),
        k.CREATE_TRIGGER: _lock("SHARE ROW EXCLUSIVE"),
        k.ENUM_ADD_VALUE: _lock("none on tables"),
        k.ENUM_TYPE: _lock("none on tables"),
        k.TABLE_POLICY: _lock(_AE),
        k.OTHER_OBJECT: _lock("none on tables (catalog rows only)"),
        k.BACKFILL: _lock(
            "ROW EXCLUSIVE", source="row locks per batch; readers and writers of other rows go on"
        ),
        k.TABLE_REBUILD: _lock(_AE, rewrites=True),
        k.VACUUM: _lock("SHARE UPDATE EXCLUSIVE", scans=True, source="PostgreSQL docs"),
    }
    return MigrationFacts(
        locks=locks,
        lock_timeout_sql=("SET lock_timeout = '5s'",),
        no_lock_timeout_sql=("SET lock_timeout = 0",),
        lock_timeout_advice=(
            "every step runs with lock_timeout = 5s: a DDL waiting for its lock queues every later query "
            "behind it, so fail fast and retry (wait 1 s, 2 s, 4 s ... up to 10 tries). Keep lock_timeout "
            "above deadlock_timeout (1 s by default): autovacuum yields its lock only after "
            "deadlock_timeout. Behind PgBouncer in transaction mode set it on the role "
            "(ALTER ROLE ... SET lock_timeout)."
        ),
        not_valid_constraints=True,
        not_null_proven_by_check=version >= (12,),
        constraint_using_index=True,
        alter_enum_type=True,
        sync_trigger=True,
        # identity columns' sequences follow ALTER COLUMN TYPE; a serial's does not (measured, 15)
        sequence_follows_type_sql=(
            "DO $$ BEGIN EXECUTE format('ALTER SEQUENCE %s AS {type}', "
            "pg_get_serial_sequence({table}, {column})); END $$"
        ),
        backfill_block=version >= (11,),
    )


# ---------------------------------------------------------------------------------------------
# B-tree size: what CREATE INDEX builds, from the table's statistics.
#
# HypoPG's own estimate (``hypopg_relation_size``) ignores deduplication (PostgreSQL 13+), so it
# overstates a low-cardinality index several times over (measured on TPC-H: 3.6x for
# ``lineitem(l_shipdate)``). The model below follows nbtsort.c's bottom-up build: leaf pages filled to
# the 90% fillfactor, MAXALIGNed index tuples with a line pointer each, equal keys merged into posting
# lists of at most half the maximal item size, and the inner levels above them.

_BLOCK = 8192
_PAGE_USABLE = _BLOCK - 24 - 16  # page header, B-tree special space
_LEAF_FILL = 0.90
_INNER_FILL = 0.70
_ITEM_ID = 4
_TUPLE_HEADER = 8
_HEAP_TID = 6
_MAX_POSTING = 2704 // 2  # BTMaxItemSize / 2 for 8 kB pages
_MAXALIGN = 8
#: Key types whose default operator class has an "equal image" function but that PostgreSQL 15 still
#: builds without deduplication (measured: a char(1) key with three values is not deduplicated).
NOT_DEDUPLICATED_TYPES = frozenset({"bpchar"})
#: A variable-length key takes about a byte more in a built index than ``pg_stats.avg_width`` says,
#: unaligned while short (measured on PostgreSQL 15 over TPC-H keys: numeric(15,2) of average width 8
#: takes 28 bytes per entry, 8 + 9 aligned to 24 plus the line pointer; char(1), text and
#: multi-column numeric keys agree within 10%).
VARLENA_INDEX_EXTRA_BYTES = 1.0


def _align(offset: float, alignment: int) -> float:
    return math.ceil(offset / alignment) * alignment


@dataclass(frozen=True)
class BtreeColumn:
    """What the size model needs of one index column: average stored width (``pg_stats.avg_width``,
    or the type's length), alignment, distinct values, null fraction, and whether equal values of
    its type may share a posting list."""

    width: float
    align: int = 4
    distinct: float | None = None
    null_fraction: float = 0.0
    deduplicable: bool = True


def btree_index_bytes(
    rows: float,
    keys: tuple[BtreeColumn, ...],
    include: tuple[BtreeColumn, ...] = (),
    *,
    unique: bool = False,
    deduplication: bool = True,
    distinct_keys: float | None = None,
) -> float:
    """Bytes of a B-tree over ``rows`` table rows, as CREATE INDEX builds it. ``distinct_keys`` is the
    number of distinct key combinations when known (else the product of the columns' distinct
    counts, capped at ``rows`` — an upper bound for correlated columns)."""
    rows = max(rows, 0.0)
    data = 0.0
    for column in (*keys, *include):
        data = _align(data, column.align) + column.width
    p_null = 1.0
    for column in (*keys, *include):
        p_null *= 1.0 - min(max(column.null_fraction, 0.0), 1.0)
    header = _TUPLE_HEADER + _MAXALIGN * (1.0 - p_null)  # a null bitmap moves the data one word on
    tuple_bytes = _align(header + data, _MAXALIGN)
    distinct = rows
    known = [c.distinct for c in keys if c.distinct is not None]
    if distinct_keys is not None:
        distinct = min(rows, max(distinct_keys, 1.0))
    elif len(known) == len(keys) and keys:
        distinct = min(rows, math.prod(known))
    dedup = deduplication and not unique and not include and all(c.deduplicable for c in keys)
    leaf_bytes = rows * (tuple_bytes + _ITEM_ID)
    if dedup and distinct < rows:
        per_posting = max(1.0, (_MAX_POSTING - tuple_bytes) // _HEAP_TID)
        groups = max(distinct, rows / per_posting)
        per_group = rows / groups
        if per_group > 1.0:
            leaf_bytes = groups * (_align(tuple_bytes + per_group * _HEAP_TID, _MAXALIGN) + _ITEM_ID)
    leaf_pages = max(1.0, math.ceil(leaf_bytes / (_PAGE_USABLE * _LEAF_FILL)))
    pivot = _align(_TUPLE_HEADER + data, _MAXALIGN) + _ITEM_ID
    fanout = max(2.0, (_PAGE_USABLE * _INNER_FILL) // pivot)
    inner_pages, level = 0.0, leaf_pages
    while level > 1:
        level = math.ceil(level / fanout)
        inner_pages += level
    return (leaf_pages + inner_pages + 1) * _BLOCK  # + the metapage
