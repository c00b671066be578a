"""MySQL and MariaDB (InnoDB) facts: types, features by version, storage overheads.

Type choices a senior architect makes on MySQL-family engines, and why:
- ``timestamp`` (no time zone) -> ``DATETIME(6)``; ``timestamptz`` -> ``DATETIME(6)`` as well, holding
  UTC: MySQL's ``TIMESTAMP`` converts through the session time zone and ends in January 2038, so the
  application stores UTC and the column comment says so (the renderer adds a note).
- ``uuid`` -> ``UUID`` on MariaDB 10.7+, else ``CHAR(36)``; ``json`` -> ``JSON``; arrays -> ``JSON``.
- ``interval`` has no MySQL type: stored as ``BIGINT`` microseconds (noted by the renderer).
- ``text`` -> ``LONGTEXT``/``TEXT``: index keys on them need a prefix length (a trait).
Storage: InnoDB rows carry a 5-byte record header and 13 bytes of transaction id and roll
pointer; pages fill to 15/16 on sequential inserts and about 70% under random inserts; secondary
index entries hold the primary key instead of a row pointer.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dbarchitect.engines import naming_mysql
from dbarchitect.engines.quoting import MYSQL_BACKSLASH_MODE_SQL, LiteralStyle, string_literal
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
    TypeKind.BOOLEAN: "tinyint(1)",
    TypeKind.SMALLINT: "smallint",
    TypeKind.INTEGER: "int",
    TypeKind.BIGINT: "bigint",
    TypeKind.REAL: "float",
    TypeKind.DOUBLE: "double",
    TypeKind.TEXT: "longtext",
    TypeKind.DATE: "date",
    TypeKind.INTERVAL: "bigint",
    TypeKind.JSON: "json",
    TypeKind.ARRAY: "json",
}


#: PostgreSQL native types held faithfully as text: an address or MAC address in its text form
#: (an IPv6 address with netmask is at most 43 characters; a macaddr 17, a macaddr8 23).
FOREIGN_TYPES = {
    "postgres:inet": ForeignType(
        "varchar(43)", "inet stored as varchar(43): its text form, not validated as an address"
    ),
    "postgres:cidr": ForeignType(
        "varchar(43)", "cidr stored as varchar(43): its text form, not validated as a network"
    ),
    "postgres:macaddr": ForeignType("char(17)", "macaddr stored as char(17): its text form, not validated"),
    "postgres:macaddr8": ForeignType("char(23)", "macaddr8 stored as char(23): its text form, not validated"),
}


def _type_sql(t: LogicalType, *, native_uuid: bool) -> str:
    if t.native is not None and t.native.startswith("mysql:"):
        return t.native.split(":", 1)[1]
    if t.kind == TypeKind.NATIVE:
        if t.native in FOREIGN_TYPES:
            return FOREIGN_TYPES[t.native].sql
        raise ValueError(f"no MySQL type for {t} ({t.native_engine} type)")
    if t.kind in _SIMPLE:
        return _SIMPLE[t.kind]
    if t.kind == TypeKind.DECIMAL:
        if t.precision is None:
            return "decimal(65,30)"
        return f"decimal({min(t.precision, 65)},{min(t.scale or 0, 30)})"
    if t.kind == TypeKind.CHAR:
        return f"char({min(t.length or 1, 255)})"
    if t.kind == TypeKind.VARCHAR:
        return f"varchar({t.length})" if t.length and t.length <= 16383 else "longtext"
    if t.kind == TypeKind.BINARY:
        return f"varbinary({t.length})" if t.length and t.length <= 65535 else "longblob"
    if t.kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
        return f"datetime({min(t.precision if t.precision is not None else 6, 6)})"
    if t.kind == TypeKind.TIME:
        return f"time({min(t.precision if t.precision is not None else 6, 6)})"
    if t.kind == TypeKind.UUID:
        return "uuid" if native_uuid else "char(36)"
    if t.kind == TypeKind.ENUM:
        return "enum(" + ", ".join(string_literal(v, LiteralStyle.MYSQL) for v in t.values) + ")"
    raise ValueError(f"no MySQL type for {t}")


_RESERVED = COMMON_RESERVED | frozenset(
    "accessible add before bigint binary blob call cascade change char character condition continue "  # noqa: SIM905
    "convert cursor database databases dec decimal declare delayed describe div double each elseif "
    "enclosed escaped exit explain float float4 float8 force fulltext generated high_priority "
    "hour_minute if ignore infile int int1 int2 int3 int4 int8 integer interval iterate keys kill "
    "lead lag leave linear lines load lock long longblob longtext loop low_priority match maxvalue "
    "mediumblob mediumint mediumtext middleint mod modifies no_write_to_binlog numeric optimize "
    "option optionally out outfile precision procedure purge read reads real regexp release rename "
    "repeat replace require restrict return revoke rlike schema schemas separator show signal "
    "smallint spatial specific sql sqlexception sqlstate sqlwarning ssl starting stored straight_join "
    "terminated tinyblob tinyint tinytext trigger undo unlock unsigned usage utc_date utc_time "
    "utc_timestamp varbinary varchar varcharacter varying virtual while write xor year_month zerofill "
    "status rank".split()
)


def _latest_in_series(version: tuple[int, ...]) -> tuple[int, ...]:
    """``8.0`` in a brief means the current 8.0 release: features that arrived in a patch release
    (CHECK constraints in 8.0.16) are available unless the brief names an older patch."""
    return version + (999,) * (3 - len(version))


#: What every InnoDB engine of the family shares; each engine adds what its version can do.
_INNODB_FEATURES: dict[str, Any] = {
    "partial_indexes": False,
    "include_columns": False,
    "transactional_ddl": False,
    "concurrent_index_build": False,
    "named_enum_types": False,
    "inline_enum_type": True,
    "native_json": True,
    "arrays": False,
    "alter_add_constraint": True,
    "partition_methods": frozenset({"range", "list", "hash"}),
    "foreign_keys_on_partitioned_tables": False,
    "unique_must_include_partition_key": True,
    "index_methods": frozenset({"btree", "fulltext", "spatial"}),
    "text_keys_need_prefix": True,
    "identity_only_as_rowid": False,
    "row_locator": "primary_key",
}


#: Latency model of MariaDB (see :class:`~dbarchitect.engines.traits.LatencyModel`).
MARIADB_LATENCY = LatencyModel(
    statement_ms=0.349128,
    write_ms=0.0,
    row_write_ms=0.00308,
    index_entry_ms=0.001754,
    ms_per_io_unit=0.00059839,
    ms_per_cpu_unit=0.05028499,
    ms_per_cost_unit=0.01324172,
    commit_ms=0.168289,
    p95_factor=1.2248,
    probe_ms=0.576831,
    source=(
        "fitted by dbarch calibrate (bench/calibration) on MariaDB 10.11.19 (10.11.19-MariaDB-0+deb12u1), "
        "2026-12-07T01:11:29+00:00, scale 1, x86_64, Linux 6.18.44-fc-v1272, Python 3.11.7"
    ),
)
#: MySQL's: no MySQL server was measured; InnoDB's figures from MariaDB, and the source says so.
MYSQL_LATENCY = replace(
    MARIADB_LATENCY, source=f"MariaDB's figures (MySQL not measured): {MARIADB_LATENCY.source}"
)


# Each character set's default collation (SHOW CHARACTER SET): MariaDB 10.11, MySQL 8.0.
_MARIADB_COLLATIONS = (
    ("utf8mb4", "utf8mb4_general_ci"), ("utf8mb3", "utf8mb3_general_ci"), ("utf8", "utf8mb3_general_ci"),
    ("latin1", "latin1_swedish_ci"), ("ascii", "ascii_general_ci"), ("binary", "binary"),
    ("ucs2", "ucs2_general_ci"), ("utf16", "utf16_general_ci"), ("utf32", "utf32_general_ci"),
    ("latin2", "latin2_general_ci"), ("cp1251", "cp1251_general_ci"), ("greek", "greek_general_ci"),
)  # fmt: skip
_MYSQL_COLLATIONS = (
    ("utf8mb4", "utf8mb4_0900_ai_ci"), ("utf8mb3", "utf8mb3_general_ci"), ("utf8", "utf8mb3_general_ci"),
    ("latin1", "latin1_swedish_ci"), ("ascii", "ascii_general_ci"), ("binary", "binary"),
    ("ucs2", "ucs2_general_ci"), ("utf16", "utf16_general_ci"), ("utf32", "utf32_general_ci"),
    ("latin2", "latin2_general_ci"), ("cp1251", "cp1251_general_ci"), ("greek", "greek_general_ci"),
)  # fmt: skip


def _innodb_traits(
    engine: EngineName,
    label: str,
    version: tuple[int, ...],
    reserved: frozenset[str],
    *,
    native_uuid: bool,
    latency: LatencyModel,
    **features: Any,
) -> EngineTraits:
    migration = _innodb_migration(mariadb=engine == EngineName.MARIADB, version=version)
    return EngineTraits(
        engine=engine,
        label=label,
        version=version,
        sqlglot_dialect="mysql",
        identifier_max_length=64,
        quote_open="`",
        quote_close="`",
        literal_style=LiteralStyle.MYSQL,
        backslash_mode_sql=MYSQL_BACKSLASH_MODE_SQL,
        identifier_max_code_point=0xFFFF,
        identifier_trailing_space=False,
        index_names_per_table=True,
        reserved=reserved,
        features=Features(
            **_INNODB_FEATURES,
            native_uuid=native_uuid,
            cascades_fire_triggers=False,
            trigger_syntax="compound",
            **features,
        ),
        type_sql=lambda t: _type_sql(t, native_uuid=native_uuid),
        foreign_types=FOREIGN_TYPES,
        # InnoDB B-tree keys; geometry types take only SPATIAL indexes
        btree_native_types=frozenset({"inet6", "inet4", "set"}),
        row_overhead_bytes=18.0,
        index_entry_overhead_bytes=6.0,
        table_fill_factor=15.0 / 16.0,
        index_fill_factor=0.69,
        secondary_index_holds_primary_key=True,
        foreign_keys_indexed_implicitly=True,
        true_literal="1",
        false_literal="0",
        identity_sql="AUTO_INCREMENT",
        current_timestamp_with_precision=True,
        number_defaults_rewritten=True,
        timestamptz_as_utc=True,
        interval_emulated=True,
        table_options=" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        default_collation="utf8mb4_general_ci" if engine == EngineName.MARIADB else "utf8mb4_0900_ai_ci",
        charset_collations=_MARIADB_COLLATIONS if engine == EngineName.MARIADB else _MYSQL_COLLATIONS,
        inline_comments=True,
        partition_syntax="inline",
        upsert_syntax="on_duplicate_key",
        online_index_options="ALGORITHM=INPLACE LOCK=NONE",
        locked_index_options="ALGORITHM=INPLACE LOCK=SHARED",
        migration=migration,
        latency=latency,
        partitioning=_INNODB_PARTITIONING,
        sharding=ShardingFacts(
            distributed_engine="vitess" if engine == EngineName.MYSQL else "",
            source="Vitess shards MySQL (v19 release notes: MySQL 8.0; MariaDB is not a documented flavor)",
        ),
        implicit_names=naming_mysql.implicit_names,
        drop_unknown_constraint=naming_mysql.drop_unknown_constraint,
    )


#: InnoDB partitioning: 8192 partitions per table (manual, "Restrictions and Limitations on
#: Partitioning"); no foreign keys from or to a partitioned table, no FULLTEXT or SPATIAL index on it;
#: ``ORDER BY ... LIMIT`` over partitions merges the first rows of every partition left after pruning
#: (ha_partition's ordered index scan); a MAXVALUE partition is split with REORGANIZE PARTITION
#: (measured on MariaDB 10.11.19: EXPLAIN PARTITIONS, REORGANIZE of an empty MAXVALUE partition, DROP
#: PARTITION from a stored procedure).
_INNODB_PARTITIONING = PartitioningFacts(
    max_partitions=8192,
    ordered_scan_stops_at_limit=False,
    range_catch_all=True,
    detach_concurrently=False,
    partman=False,
    referenced_by_foreign_keys=False,
    unsupported_index_methods=frozenset({"fulltext", "spatial"}),
    # Measured on MariaDB 10.11.19: RANGE/LIST COLUMNS refuse ENUM and DECIMAL keys ("not allowed type
    # for this type of partitioning"); KEY takes ENUM; TEXT, BLOB and JSON are no key of any kind.
    range_list_excluded_types=frozenset(
        {"enum", "decimal", "real", "double", "text", "json", "binary", "array", "interval"}
    ),
    hash_excluded_types=frozenset({"text", "json", "binary", "array"}),
    copy_sync="mysql",
    multi_rename_sql="RENAME TABLE {pairs}",
    source="MySQL 8.0 / MariaDB manuals (partitioning restrictions); measured on MariaDB 10.11.19",
)


def mysql_traits(version: tuple[int, ...]) -> EngineTraits:
    series = _latest_in_series(version)
    return _innodb_traits(
        EngineName.MYSQL,
        "MySQL",
        version,
        _RESERVED,
        native_uuid=False,
        latency=MYSQL_LATENCY,
        expression_indexes=series >= (8, 0, 13),
        descending_indexes=version >= (8,),
        check_constraints=series >= (8, 0, 16),
        returning=False,
        expression_defaults=series >= (8, 0, 13),
        expression_defaults_parenthesized=True,
        text_defaults=series >= (8, 0, 13),
        # no MySQL server measured; written the way every version takes (the same result)
        derived_column_lists=False,
    )


def mariadb_traits(version: tuple[int, ...]) -> EngineTraits:
    return _innodb_traits(
        EngineName.MARIADB,
        "MariaDB",
        version,
        _RESERVED | {"offset", "returning"},
        native_uuid=version >= (10, 7),
        latency=MARIADB_LATENCY,
        expression_indexes=False,
        descending_indexes=version >= (10, 8),
        check_constraints=True,
        returning=True,
        expression_defaults=True,
        expression_defaults_parenthesized=False,
        text_defaults=True,
        # measured: 10.11 refuses `(SELECT ...) AS t (a, b)` with a syntax error (TPC-H Q13)
        derived_column_lists=False,
    )


# -- migration facts ------------------------------------------------------------------------------


def _online(
    algorithm: str, lock: str, *, rewrites: bool = False, scans: bool = False, source: str = ""
) -> LockFact:
    """A fact in ALGORITHM/LOCK terms; the metadata lock is exclusive only briefly at start and end."""
    shared = lock in ("SHARED", "EXCLUSIVE")
    return LockFact(
        f"metadata lock (brief), LOCK={lock}",
        blocks_reads=lock == "EXCLUSIVE",
        blocks_writes=shared,
        rewrites=rewrites or algorithm == "COPY",
        scans=scans,
        algorithm=algorithm,
        online_lock=lock,
        source=source,
    )


def _innodb_migration(*, mariadb: bool, version: tuple[int, ...]) -> MigrationFacts:
    """ALGORITHM/LOCK per kind of change. MariaDB: measured on 10.11.19 (cheapest algorithm the server
    accepts, and whether it accepts LOCK=NONE); MySQL: the 8.0 manual's online DDL table."""
    k = DdlKind
    src = "measured on MariaDB 10.11.19" if mariadb else "MySQL 8.0 manual, online DDL operations"
    series = _latest_in_series(version)
    nocopy = "NOCOPY" if mariadb else "INPLACE"
    instant_add = (mariadb and version >= (10, 3)) or (not mariadb and series >= (8, 0, 12))
    instant_drop = (mariadb and version >= (10, 4)) or (not mariadb and series >= (8, 0, 29))
    instant_rename = (mariadb and version >= (10, 5)) or (not mariadb and version >= (8,))
    locks = {
        k.CREATE_TABLE: _online("INSTANT", "NONE", source="new table"),
        k.DROP_TABLE: LockFact("metadata lock (exclusive)", True, True, source=src),
        k.RENAME_TABLE: LockFact("metadata lock (exclusive)", True, True, source=src),
        k.ADD_COLUMN: _online("INSTANT", "NONE", source=src)
        if instant_add
        else _online("INPLACE", "NONE", rewrites=True, source=src),
        k.ADD_COLUMN_REWRITE: _online("COPY", "SHARED", source=src),
        k.DROP_COLUMN: _online("INSTANT", "NONE", source=src)
        if instant_drop
        else _online("INPLACE", "NONE", rewrites=True, source=src),
        k.RENAME_COLUMN: _online("INSTANT" if instant_rename else "INPLACE", "NONE", source=src),
        k.SET_DEFAULT: _online("INSTANT", "NONE", source=src),
        k.SET_NOT_NULL: _online("INPLACE", "NONE", rewrites=True, scans=True, source=src),
        k.SET_NOT_NULL_PROVEN: _online("INPLACE", "NONE", rewrites=True, scans=True, source=src),
        # Measured in the migration corpus on 10.11 (utf8mb4, DYNAMIC rows): INSTANT is refused, INPLACE
        # with LOCK=NONE accepted.
        k.DROP_NOT_NULL: _online("INPLACE", "NONE", rewrites=True, source=src),
        k.ALTER_TYPE_REWRITE: _online("COPY", "SHARED", source=src),
        k.ALTER_TYPE_METADATA: _online("INSTANT" if mariadb else "INPLACE", "NONE", source=src),
        k.ADD_CHECK: _online("COPY", "SHARED", scans=True, source=src),
        k.ADD_FOREIGN_KEY: _online("COPY", "SHARED", scans=True, source=src),
        k.ADD_UNIQUE: _online(nocopy, "NONE", scans=True, source=src),
        k.ADD_PRIMARY_KEY: _online("INPLACE", "NONE", rewrites=True, scans=True, source=src),
        k.DROP_CONSTRAINT: _online("INSTANT" if mariadb else "INPLACE", "NONE", source=src),
        k.DROP_FOREIGN_KEY: _online("INSTANT" if mariadb else "INPLACE", "NONE", source=src),
        k.DROP_PRIMARY_KEY: _online("COPY", "SHARED", source=src),
        k.CREATE_INDEX: _online(nocopy, "NONE", scans=True, source=src),
        k.CREATE_INDEX_ONLINE: _online(nocopy, "NONE", scans=True, source=src),
        # MariaDB 10.11 refuses LOCK=NONE: "Fulltext index creation requires a lock. Try LOCK=SHARED"
        k.CREATE_INDEX_LOCKED: _online("INPLACE", "SHARED", scans=True, source=src),
        k.DROP_INDEX: _online(nocopy, "NONE", source=src),
        k.DROP_INDEX_ONLINE: _online(nocopy, "NONE", source=src),
        k.CREATE_VIEW: LockFact("metadata lock (brief)", False, False, source=src),
        k.CREATE_TRIGGER: LockFact("metadata lock (brief)", False, False, source=src),
        k.ENUM_ADD_VALUE: _online("INSTANT", "NONE", source=src),
        k.ENUM_TYPE: LockFact("none", False, False, source="inline enum: no type object"),
        k.TABLE_POLICY: LockFact("none", False, False, source="no row-level security"),
        k.OTHER_OBJECT: LockFact("metadata lock (brief)", False, False, source=src),
        k.BACKFILL: LockFact("row locks per batch", False, False, source="batched UPDATE"),
        k.TABLE_REBUILD: _online("COPY", "SHARED", source=src),
    }
    return MigrationFacts(
        locks=locks,
        lock_timeout_sql=("SET SESSION lock_wait_timeout = 5",),
        no_lock_timeout_sql=("SET SESSION lock_wait_timeout = 5",),
        lock_timeout_advice=(
            "every step runs with lock_wait_timeout = 5 s (the default waits "
            + ("a day" if mariadb else "a year")
            + "): an ALTER waiting for its metadata lock blocks every later statement on the table, so fail "
            "fast and retry (wait 1 s, 2 s, 4 s ... up to 10 tries). ALGORITHM= and LOCK= are assertions: "
            "the server refuses rather than silently copying the table. Replicas lag by each DDL's duration."
        ),
        online_alter_clauses=True,
        modify_whole_column=True,
        drop_index_if_exists=mariadb,
        foreign_key_creates_index=True,
        rename_table_sql="RENAME TABLE {old} TO {new}",
        # varchar(20) -> varchar(300) was INSTANT in the first measurement, but the corpus on 10.11 with
        # utf8mb4 (50 -> 300 characters: the length prefix grows) is refused INSTANT and needs COPY.
        varchar_widen_any_instant=False,
        instant_takes_lock_clause=mariadb,
        column_checks_apart=mariadb,
    )
