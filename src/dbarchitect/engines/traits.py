"""Engine facts as data: type names, identifier rules, features by version, storage overheads.

Advisors, renderers and rules read an :class:`EngineTraits`; they never branch on engine names.
Each engine module (``postgres``, ``mysql``, ``sqlite``, ``duckdb``) builds its traits for a version;
:func:`dbarchitect.engines.registry.get_traits` picks one from a brief's engine and version.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum

from dbarchitect.engines.naming import ConstraintRef, ImplicitNames, unnamed
from dbarchitect.engines.quoting import LiteralStyle, quoted_identifier, refuse_nul, string_literal
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind

#: Words every engine we support reserves (SQL:2016 core plus the common engine ones); quoting
#: them everywhere keeps one schema portable.
COMMON_RESERVED = frozenset(
    """
    all alter analyze and any array as asc between both by case cast check collate column constraint create
    cross current_date current_time current_timestamp current_user default delete desc distinct drop else end
    except exists false fetch for foreign from full grant group having in index inner insert intersect into is
    join key leading left like limit localtime localtimestamp natural not null offset on or order outer over
    partition primary range references returning right row rows select session_user set some table then to
    trailing true union unique update user using values when where window with
    """.split()  # noqa: SIM905
)

_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class Features:
    """What an engine version can express."""

    partial_indexes: bool
    include_columns: bool
    expression_indexes: bool
    descending_indexes: bool
    check_constraints: bool
    transactional_ddl: bool
    concurrent_index_build: bool
    named_enum_types: bool
    inline_enum_type: bool
    native_uuid: bool
    native_json: bool
    arrays: bool
    alter_add_constraint: bool
    returning: bool
    partition_methods: frozenset[str]
    foreign_keys_on_partitioned_tables: bool
    #: A partitioned table's primary key and unique constraints must include the partition key.
    unique_must_include_partition_key: bool
    #: Index methods besides the default B-tree (``gin``, ``gist``, ``brin``, ``hash``...).
    index_methods: frozenset[str]
    #: Text/blob columns can be index keys only with a prefix length.
    text_keys_need_prefix: bool
    #: Identity works only for a single-column integer primary key (SQLite's rowid alias).
    identity_only_as_rowid: bool
    #: Expression defaults are allowed (and whether they need surrounding parentheses).
    expression_defaults: bool
    expression_defaults_parenthesized: bool
    #: TEXT/BLOB/JSON columns may have literal defaults.
    text_defaults: bool
    #: A derived table takes a column list, ``(SELECT ...) AS t (a, b)``; without it the names go on
    #: the subquery's own select list (same result).
    derived_column_lists: bool = True
    #: A partial index serves a statement only when its WHERE term appears in the statement exactly as
    #: written (SQLite compares expression trees: ``IN ('paid', 'packed')`` is not ``IN ('packed',
    #: 'paid')``); False: the planner proves implication (PostgreSQL: ``x = 'a'`` implies ``x IN ('a',
    #: 'b')``, in any order).
    partial_index_terms_as_written: bool = False
    #: ``x NOT IN (subquery)`` is planned as an anti-join (or a lookup per row); False: PostgreSQL,
    #: which hashes the subquery's rows only while they fit in work_mem and otherwise scans them
    #: again for every outer row (NULL semantics keep it from an anti-join).
    not_in_subquery_anti_join: bool = True
    #: ``CREATE MATERIALIZED VIEW`` and ``REFRESH MATERIALIZED VIEW CONCURRENTLY`` (PostgreSQL).
    materialized_views: bool = False
    #: A unique index may treat NULLs as equal (``NULLS NOT DISTINCT``, PostgreSQL 15).
    nulls_not_distinct: bool = False
    #: Index keys may name an operator class (``email gin_trgm_ops``).
    operator_classes: bool = False
    #: Rows deleted or updated by a foreign key's ON DELETE / ON UPDATE action fire their table's
    #: triggers (PostgreSQL, SQLite); MySQL/MariaDB do not run triggers for cascaded changes.
    cascades_fire_triggers: bool = True
    #: What a secondary index entry holds besides its own columns to find the row: ``heap`` (a tuple
    #: address: PostgreSQL, DuckDB), ``primary_key`` (InnoDB: "each record in a secondary index contains
    #: the primary key columns"), ``rowid`` (SQLite: the rowid, which an INTEGER PRIMARY KEY is).
    #: Columns held that way serve an index-only read without being index columns.
    row_locator: str = "heap"
    #: ``/`` between two whole numbers drops the fraction even when they come from DECIMAL columns
    #: (SQLite stores a whole DECIMAL as an integer); PostgreSQL's numeric and MySQL/MariaDB's
    #: decimal division keep it (MariaDB to the dividend's scale + ``div_precision_increment``, as
    #: its AVG does).
    whole_number_division: bool = False
    #: How a row trigger's body is written: ``plpgsql`` (a function, EXECUTE FUNCTION), ``compound``
    #: (MySQL/MariaDB: BEGIN ... END, one trigger per event), ``sqlite`` (BEGIN ...; END, one per event);
    #: empty: no triggers.
    trigger_syntax: str = ""


@dataclass(frozen=True)
class ForeignType:
    """How this engine stores another engine's native type (``LogicalType.native``), where it can
    hold every value faithfully: its own type, and what changes (said in a render note)."""

    sql: str
    change: str


@dataclass(frozen=True)
class EngineTraits:
    engine: EngineName
    label: str
    version: tuple[int, ...]
    #: sqlglot's dialect name for parsing and generating this engine's SQL.
    sqlglot_dialect: str
    identifier_max_length: int
    quote_open: str
    quote_close: str
    reserved: frozenset[str]
    features: Features
    #: Renders a logical type as this engine's column type.
    type_sql: Callable[[LogicalType], str] = field(compare=False, repr=False)
    #: Other engines' native types (``postgres:inet``) this engine stores faithfully in one of its
    #: own; any other foreign native type has no equivalent here (the renderer refuses it by name).
    foreign_types: Mapping[str, ForeignType] = field(default_factory=dict, compare=False, repr=False)
    #: This engine's native types (``LogicalType.native_base``) with a default B-tree operator class:
    #: the only native types a B-tree index candidate may key on (``xml``, ``point``, a domain... may not).
    btree_native_types: frozenset[str] = frozenset()
    #: Bytes per row besides column data (header, item pointer), and per index entry.
    row_overhead_bytes: float = 24.0
    index_entry_overhead_bytes: float = 12.0
    #: Share of a page that holds rows / index entries in steady state.
    table_fill_factor: float = 1.0
    index_fill_factor: float = 0.9
    #: Secondary index entries carry the primary key (InnoDB) rather than a row pointer.
    secondary_index_holds_primary_key: bool = False
    #: Creating a foreign key creates an index on its columns when none leads with them (InnoDB:
    #: "MySQL requires indexes on foreign keys and referenced keys ... created on the referencing
    #: table automatically if it does not exist"); PostgreSQL and SQLite do not.
    foreign_keys_indexed_implicitly: bool = False
    #: ``identifier_max_length`` counts UTF-8 bytes (PostgreSQL's NAMEDATALEN), not characters.
    identifier_length_in_bytes: bool = False
    #: A longer name is cut to the limit (PostgreSQL, with a NOTICE) rather than refused.
    identifier_truncated: bool = False
    #: Largest code point a name may hold (MySQL/MariaDB store names as utf8mb3: no 4-byte
    #: characters such as emoji).
    identifier_max_code_point: int = 0x10FFFF
    #: Names may end with a space (MySQL/MariaDB refuse it).
    identifier_trailing_space: bool = True
    #: Index names are unique per table (MySQL/MariaDB), not per schema (PostgreSQL, SQLite).
    index_names_per_table: bool = False
    #: How string literals are escaped (:mod:`dbarchitect.engines.quoting`).
    literal_style: LiteralStyle = LiteralStyle.STANDARD
    #: Run before a script whose literals hold a backslash, so they mean the same whatever the
    #: session's mode (MySQL/MariaDB: NO_BACKSLASH_ESCAPES off); None: nothing is needed.
    backslash_mode_sql: str | None = None
    #: Literal for booleans in DEFAULT clauses.
    true_literal: str = "TRUE"
    false_literal: str = "FALSE"
    #: Column clause that makes an identity (None: the engine cannot declare one inline).
    identity_sql: str | None = None
    #: CURRENT_TIMESTAMP defaults must carry the column's fractional-second precision.
    current_timestamp_with_precision: bool = False
    #: A numeric default reads back in the column's scale (MySQL, MariaDB: ``0`` as ``0.00``), so
    #: two spellings of one number are one default; PostgreSQL keeps the number as written.
    number_defaults_rewritten: bool = False
    #: ``now()`` is a function of its own, kept apart from CURRENT_TIMESTAMP in a default's text
    #: (PostgreSQL); elsewhere a default written ``now()`` is rendered CURRENT_TIMESTAMP.
    now_function: bool = False
    #: Exact decimals with a fraction are stored as binary floats (a note is due).
    decimal_fraction_is_float: bool = False
    #: The engine has no time-zone-aware timestamp; timestamptz columns hold UTC (a note is due).
    timestamptz_as_utc: bool = False
    #: Intervals are stored in another type (a note is due).
    interval_emulated: bool = False
    #: Text after a CREATE TABLE's closing parenthesis.
    table_options: str = ""
    #: The collation a table gets when its DDL names none (the server's default), and each
    #: character set's default collation (MySQL/MariaDB): a table's ``DEFAULT CHARSET=latin1`` is
    #: compared as the collation it gives. Empty: the engine has no table collations.
    default_collation: str = ""
    charset_collations: tuple[tuple[str, str], ...] = ()
    #: Comments as COMMENT clauses in CREATE TABLE (MySQL) or as COMMENT ON statements (PostgreSQL).
    inline_comments: bool = False
    comment_statements: bool = False
    #: How partitions are declared: ``declarative`` (child tables), ``inline`` (a PARTITION BY list).
    partition_syntax: str | None = None
    #: How an upsert is written: ``on_conflict`` (``ON CONFLICT (keys) DO UPDATE SET c = EXCLUDED.c``)
    #: or ``on_duplicate_key`` (``ON DUPLICATE KEY UPDATE c = VALUES(c)``, any unique key conflicts).
    upsert_syntax: str = "on_conflict"
    #: Clause that makes CREATE INDEX online where the engine has no CONCURRENTLY.
    online_index_options: str = ""
    #: The same for a full-text or spatial index, which cannot be built without blocking writes.
    locked_index_options: str = ""
    #: Lock levels, rewrites and safe patterns for schema changes (the migration planner's facts).
    migration: MigrationFacts = field(default_factory=lambda: MigrationFacts(), compare=False, repr=False)
    #: How partitions are pruned, kept and copied (the partitioning advisor's facts).
    partitioning: PartitioningFacts = field(
        default_factory=lambda: PartitioningFacts(), compare=False, repr=False
    )
    #: Joins a table no index serves by hashing it (PostgreSQL; MySQL/MariaDB's join buffer is costed
    #: so too); False: by building a transient index on it first (SQLite's automatic index).
    hash_join: bool = True
    #: GROUP BY by hashing (PostgreSQL, InnoDB's temporary table); False: only by sorting (SQLite).
    hash_aggregation: bool = True
    #: Milliseconds a statement takes here, from its cost and the rows and index entries it writes
    #: (fitted per engine by ``dbarch calibrate``; each engine module names its calibration run).
    latency: LatencyModel = field(kw_only=True, compare=False, repr=False)
    #: Which distributed engine shards this engine's tables (the sharding advisor's facts).
    sharding: ShardingFacts = field(default_factory=lambda: ShardingFacts(), compare=False, repr=False)
    #: Names the engine gives to unnamed constraints and indexes (:mod:`dbarchitect.engines.naming`).
    implicit_names: Callable[[Catalog], ImplicitNames] = field(default=unnamed, compare=False, repr=False)
    #: SQL that drops a constraint whose name was derived, looking its real name up when it runs
    #: (None: the engine names no constraint, so none is dropped by name).
    drop_unknown_constraint: Callable[[EngineTraits, ConstraintRef], tuple[str, ...]] | None = field(
        default=None, compare=False, repr=False
    )

    @property
    def version_text(self) -> str:
        return ".".join(str(v) for v in self.version)

    def __str__(self) -> str:
        return f"{self.label} {self.version_text}"

    def quote(self, name: Name | str) -> str:
        """The identifier as this engine must see it: quoted when it was quoted, is reserved,
        or is not a plain word."""
        n = name if isinstance(name, Name) else Name(name)
        text = n.value
        if n.quoted or not _PLAIN.match(text) or text.lower() in self.reserved:
            return quoted_identifier(text, self.quote_open, self.quote_close)
        return text

    def needs_quotes(self, name: Name | str) -> bool:
        """Whether :meth:`quote` writes ``name`` between quotes."""
        n = name if isinstance(name, Name) else Name(name)
        return n.quoted or not _PLAIN.match(n.value) or n.value.lower() in self.reserved

    def literal(self, text: str) -> str:
        """``text`` as a string literal this engine reads back exactly, whatever its session's
        string mode (see :mod:`dbarchitect.engines.quoting`)."""
        return string_literal(text, self.literal_style)

    def script_sql(self, statements: str) -> str:
        """A script of ``statements`` with what it needs to run first: the backslash mode when a
        literal in it holds a backslash. Refuses a NUL character anywhere in it."""
        refuse_nul(statements, "the rendered script")
        if self.backslash_mode_sql is not None and "\\" in statements:
            return f"{self.backslash_mode_sql}\n\n{statements}"
        return statements

    def supports_version(self, minimum: tuple[int, ...]) -> bool:
        return self.version >= minimum


# -- latency model: milliseconds from planner cost units and rows written ----------------------------


@dataclass(frozen=True)
class LatencyModel:
    """How long a statement takes on one engine, from what the cost model knows about it::

        ms = statement_ms                          every statement: round trip, parse, plan, start-up
           + write_ms            (a write)         the write's own set-up: locks, undo/WAL records
           + row_write_ms      x rows written      each row inserted, updated or deleted
           + index_entry_ms    x index entries     each index entry written, and each key a foreign
                                                   key check looks up in the parent
           + ms_per_io_unit    x page cost         the plan's work, in PostgreSQL planner units, split
           + ms_per_cpu_unit   x CPU cost          into page reads and the rest (built-in model)
             (or ms_per_cost_unit x total cost,    when the cost model gives only a total: a planner)
           + commit_ms           (a write that commits on its own: the log flush)

    That is a median; the p95 an SLO is judged against is the median x ``p95_factor``. The
    coefficients are fitted to the medians of a fixed micro-workload measured on the engine (``dbarch
    calibrate``, ``bench/calibration``) so that the squared log of every estimate/measurement ratio
    is least; ``ms_per_cost_unit`` is fitted beside the others for total costs; ``p95_factor`` is the
    median p95/p50 of the same measurements (a tail is noisier than a median: fitted once, as a
    factor, it cannot bend the coefficients); ``commit_ms`` is a committed single-row INSERT minus the
    same INSERT rolled back. ``source`` says which run the figures come from. Index maintenance
    follows the engine: PostgreSQL writes an entry in every index when an UPDATE changes any indexed
    column (else the update is heap-only) and none when it deletes
    (VACUUM removes them later); InnoDB and SQLite change the entries of the indexes whose columns
    change, and remove a deleted row's entries.
    """

    statement_ms: float
    write_ms: float
    row_write_ms: float
    index_entry_ms: float
    ms_per_io_unit: float
    ms_per_cpu_unit: float
    ms_per_cost_unit: float
    commit_ms: float
    p95_factor: float
    #: Where the figures come from: engine, version, machine and the calibration run.
    source: str
    #: An UPDATE that changes any indexed column writes an entry in every index (PostgreSQL; no HOT).
    update_writes_every_index: bool = False
    #: A DELETE removes the row's index entries now (InnoDB, SQLite), not later (PostgreSQL's VACUUM).
    delete_removes_index_entries: bool = True
    #: The median of the speed probe (a small recursive CTE from the same client: ``PROBE_SQL`` in
    #: ``verify/replay.py``) during the calibration run,
    #: milliseconds; 0 when not measured. A run that measures the probe again can scale the model to
    #: the machine's speed at that moment (:meth:`scaled`).
    probe_ms: float = 0.0

    def scaled(self, probe_ms: float) -> tuple[LatencyModel, float]:
        """The model with every time coefficient multiplied by ``probe_ms`` / :attr:`probe_ms` (the
        machine, client and engine running that much slower or faster now than when calibrated), and
        the factor; the model itself and 1.0 when either probe is unknown."""
        if self.probe_ms <= 0 or probe_ms <= 0:
            return self, 1.0
        f = probe_ms / self.probe_ms
        return (
            replace(
                self,
                statement_ms=self.statement_ms * f,
                write_ms=self.write_ms * f,
                row_write_ms=self.row_write_ms * f,
                index_entry_ms=self.index_entry_ms * f,
                ms_per_io_unit=self.ms_per_io_unit * f,
                ms_per_cpu_unit=self.ms_per_cpu_unit * f,
                ms_per_cost_unit=self.ms_per_cost_unit * f,
                commit_ms=self.commit_ms * f,
                probe_ms=probe_ms,
                source=f"{self.source}; scaled x{f:.2f} to the speed probe ({probe_ms:.3f} ms now, "
                f"{self.probe_ms:.3f} ms when calibrated)",
            ),
            f,
        )

    def milliseconds(
        self,
        cost: float,
        *,
        io: float | None = None,
        write: bool,
        rows_written: float,
        index_entries: float,
        commit: bool,
    ) -> float:
        """The model's median estimate (see the class docstring); ``io`` is the part of ``cost`` spent
        reading pages, when the cost model can say."""
        cost = max(cost, 0.0)
        if io is None:
            ms = self.statement_ms + self.ms_per_cost_unit * cost
        else:
            io = min(max(io, 0.0), cost)
            ms = self.statement_ms + self.ms_per_io_unit * io + self.ms_per_cpu_unit * (cost - io)
        if write:
            ms += self.write_ms + self.row_write_ms * rows_written + self.index_entry_ms * index_entries
            if commit:
                ms += self.commit_ms
        return ms


# -- migration facts: lock levels, rewrites and online-DDL clauses per kind of DDL --------------------


class DdlKind(StrEnum):
    """A kind of schema change, as far as locking and rewriting go (the planner's vocabulary)."""

    CREATE_TABLE = "create table"
    DROP_TABLE = "drop table"
    RENAME_TABLE = "rename table"
    ADD_COLUMN = "add column"
    #: A default the engine must evaluate per row (random(), gen_random_uuid()), identity, generated.
    ADD_COLUMN_REWRITE = "add column (volatile default, identity or generated)"
    DROP_COLUMN = "drop column"
    RENAME_COLUMN = "rename column"
    SET_DEFAULT = "set/drop default"
    SET_NOT_NULL = "set not null"
    #: SET NOT NULL when a validated CHECK (c IS NOT NULL) already proves it (no scan, PG 12+).
    SET_NOT_NULL_PROVEN = "set not null (proven by a check)"
    DROP_NOT_NULL = "drop not null"
    ALTER_TYPE_REWRITE = "change column type (rewrite)"
    ALTER_TYPE_METADATA = "change column type (metadata only)"
    ADD_CHECK = "add check"
    ADD_CHECK_NOT_VALID = "add check not valid"
    VALIDATE_CHECK = "validate check"
    ADD_FOREIGN_KEY = "add foreign key"
    ADD_FOREIGN_KEY_NOT_VALID = "add foreign key not valid"
    VALIDATE_FOREIGN_KEY = "validate foreign key"
    ADD_UNIQUE = "add unique/primary key"
    ADD_PRIMARY_KEY = "add primary key"
    ADD_CONSTRAINT_USING_INDEX = "add constraint using index"
    DROP_CONSTRAINT = "drop constraint"
    DROP_FOREIGN_KEY = "drop foreign key"
    DROP_PRIMARY_KEY = "drop primary key"
    CREATE_INDEX = "create index"
    CREATE_INDEX_ONLINE = "create index concurrently/online"
    #: A full-text or spatial index (InnoDB builds it in place but refuses LOCK=NONE).
    CREATE_INDEX_LOCKED = "create full-text/spatial index"
    #: CREATE TABLE ... PARTITION OF / DETACH PARTITION on a partitioned table.
    CHANGE_PARTITIONS = "add or detach a partition"
    DROP_INDEX = "drop index"
    DROP_INDEX_ONLINE = "drop index concurrently/online"
    CREATE_VIEW = "create/drop view"
    CREATE_TRIGGER = "create/drop trigger"
    ENUM_ADD_VALUE = "append enum value"
    ENUM_TYPE = "create/drop enum type"
    #: A row-level security policy, or turning row-level security on or off for a table.
    TABLE_POLICY = "create/drop policy"
    #: A function, sequence, grant, comment, extension... (catalog only: no table data touched).
    OTHER_OBJECT = "create/drop other object"
    BACKFILL = "batched backfill"
    #: VACUUM (ANALYZE) after a backfill, so autovacuum does not start in front of the next lock.
    VACUUM = "vacuum (analyze)"
    TABLE_REBUILD = "table rebuild (create, copy, drop, rename)"


@dataclass(frozen=True)
class LockFact:
    """What one kind of DDL costs on one engine version: the strongest lock it takes, whether it
    rewrites the table or scans it under that lock, and (MySQL family) the cheapest ``ALGORITHM`` and
    ``LOCK`` clause the engine accepts for it. ``source`` says where the fact comes from."""

    lock: str
    blocks_reads: bool
    blocks_writes: bool
    rewrites: bool = False
    scans: bool = False
    algorithm: str | None = None
    online_lock: str | None = None
    source: str = ""


@dataclass(frozen=True)
class MigrationRates:
    """The rows/second model behind a plan's duration estimates: seconds = rows / rate of the
    work a step does. ``scan`` is measured (PostgreSQL 15, SET NOT NULL over 3M rows: 284 ms);
    the others are conservative planning figures for commodity hardware, not measurements —
    the rehearsal measures the real ones."""

    scan: float = 10_000_000.0
    rewrite: float = 500_000.0
    index_build: float = 1_000_000.0
    #: Batched backfill of 10,000-row batches, each committed, with a short pause between.
    backfill: float = 50_000.0
    copy: float = 300_000.0


@dataclass(frozen=True)
class MigrationFacts:
    """How schema changes behave on an engine version (lock levels per :class:`DdlKind`, which
    changes ``ALTER TABLE`` cannot make, the safe patterns the version offers)."""

    locks: dict[DdlKind, LockFact] = field(default_factory=dict)
    #: Kinds ALTER TABLE cannot do here: the table is rebuilt (SQLite's 12-step procedure).
    rebuild_kinds: frozenset[DdlKind] = frozenset()
    #: Statements that bound how long a DDL waits for its lock, run before each step.
    lock_timeout_sql: tuple[str, ...] = ()
    #: The same with no bound, for steps that wait harmlessly (CREATE INDEX CONCURRENTLY).
    no_lock_timeout_sql: tuple[str, ...] = ()
    lock_timeout_advice: str = ""
    #: ADD CONSTRAINT ... NOT VALID, then VALIDATE CONSTRAINT in another transaction.
    not_valid_constraints: bool = False
    #: SET NOT NULL skips its scan when a validated CHECK (c IS NOT NULL) exists (PostgreSQL 12+).
    not_null_proven_by_check: bool = False
    #: ADD CONSTRAINT ... UNIQUE / PRIMARY KEY USING INDEX an index built concurrently.
    constraint_using_index: bool = False
    #: ALTER TABLE takes ALGORITHM= and LOCK= clauses (asserted, so the engine refuses a silent copy).
    online_alter_clauses: bool = False
    #: Column changes restate the whole column (MODIFY COLUMN) rather than one attribute.
    modify_whole_column: bool = False
    #: Enum types are named types changed with ALTER TYPE ... ADD VALUE.
    alter_enum_type: bool = False
    #: DROP INDEX IF EXISTS is accepted.
    drop_index_if_exists: bool = True
    #: InnoDB creates an index named after a foreign key that no index leads with, and keeps it
    #: when the key is dropped.
    foreign_key_creates_index: bool = False
    #: Row-level triggers in PL/pgSQL can keep an expand column in sync during a backfill.
    sync_trigger: bool = False
    #: A serial column's sequence keeps its own type when the column's changes (PostgreSQL: a
    #: serial widened to bigint still stops at 2^31-1): the statement that makes the sequence
    #: follow, with ``{table}`` and ``{column}`` (SQL literals) and ``{type}``. Empty: no sequence.
    sequence_follows_type_sql: str = ""
    #: A CHECK written with its column is the column's (MariaDB: named after the column, shown in
    #: its definition; ADD/DROP CONSTRAINT cannot make or remove one).
    column_checks_apart: bool = False
    #: One anonymous block can run a backfill's batches and commit each (PostgreSQL 11+: transaction
    #: control in DO blocks), so the plan's file runs the paced key-range recipe as is.
    backfill_block: bool = False
    #: ADD COLUMN takes only constant defaults, and NOT NULL only with one (SQLite); others rebuild.
    add_column_constant_default_only: bool = False
    #: Widening a VARCHAR is metadata-only even when its length prefix grows from 1 to 2 bytes.
    #: False everywhere so far: MariaDB 10.11 with utf8mb4 refuses INSTANT for 50 -> 300 characters.
    varchar_widen_any_instant: bool = False
    #: ``ALGORITHM=INSTANT`` takes a ``LOCK=`` clause other than DEFAULT. MariaDB: yes (LOCK=NONE
    #: accepted with INSTANT on 10.11); MySQL 8.0 refuses it ("Incorrect usage of ALGORITHM=INSTANT and
    #: LOCK=NONE/SHARED/EXCLUSIVE": only LOCK=DEFAULT is supported for instant operations, manual).
    instant_takes_lock_clause: bool = True
    #: A query true when a table's rows satisfy its foreign keys ({table} is a quoted string literal),
    #: for engines that do not check them while copying (SQLite with foreign_keys off).
    foreign_key_check_sql: str | None = None
    #: How a table is renamed ({old} and {new} are quoted names).
    rename_table_sql: str = "ALTER TABLE {old} RENAME TO {new}"
    rates: MigrationRates = field(default_factory=MigrationRates)


# -- partitioning facts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PartitioningFacts:
    """What the partitioning advisor, its maintenance plan and its migration need to know about an
    engine: limits, how the executor reads partitions, how partitions are kept ahead of the data and
    how a table's rows are copied into a partitioned copy while it is written. ``source`` says where
    the facts come from."""

    #: Most partitions one table should have (0: the engine cannot partition): a hard limit, or the
    #: documented practical one.
    max_partitions: int = 0
    #: A statement ordered by the range key with a LIMIT reads the partitions in bound order and stops
    #: once the LIMIT is met (PostgreSQL 12+ "ordered Append"); otherwise every partition left after
    #: pruning is read (MySQL's partition handler merges the first rows of all of them).
    ordered_scan_stops_at_limit: bool = False
    #: The top range partition is a MAXVALUE catch-all, kept empty and split ahead of the data
    #: (``REORGANIZE PARTITION``); without it partitions are created ahead (``CREATE TABLE ... PARTITION
    #: OF``) and a row outside every partition is refused.
    range_catch_all: bool = False
    #: ``DETACH PARTITION ... CONCURRENTLY`` (PostgreSQL 14+).
    detach_concurrently: bool = False
    #: pg_partman can keep the partitions (PostgreSQL 14+ for pg_partman 5, 11+ for 4.x).
    partman: bool = False
    #: Foreign keys of other tables may reference a partitioned table.
    referenced_by_foreign_keys: bool = False
    #: Index methods a partitioned table cannot have (InnoDB: FULLTEXT, SPATIAL).
    unsupported_index_methods: frozenset[str] = frozenset()
    #: Column types (``TypeKind`` values) a RANGE or LIST key cannot have, and a HASH key.
    range_list_excluded_types: frozenset[str] = frozenset()
    hash_excluded_types: frozenset[str] = frozenset()
    #: How a migration keeps a partitioned copy in step with the live table while rows are copied:
    #: ``plpgsql`` (one row trigger function), ``mysql`` (three row triggers), ``""`` (not possible).
    copy_sync: str = ""
    #: Several tables renamed in one atomic statement (``{pairs}`` is ``a TO b, c TO d``); None: two
    #: renames in one transaction (transactional DDL).
    multi_rename_sql: str | None = None
    source: str = ""


# -- sharding facts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ShardingFacts:
    """The distributed engine that runs a sharding plan on this engine's own servers: ``citus`` (a
    PostgreSQL extension: ``create_distributed_table``) or ``vitess`` (a router in front of MySQL
    shards, configured by a VSchema); empty when there is none. The sharding advisor emits both
    plans; this says which one the brief's engine can run. ``source`` says where the fact comes from."""

    distributed_engine: str = ""
    source: str = ""


def implicit_index_columns(table: Table, features: Features) -> frozenset[str]:
    """Keys of the columns every secondary index of ``table`` holds without naming them (see
    :attr:`Features.row_locator`): InnoDB's primary key, SQLite's INTEGER PRIMARY KEY (its rowid)."""
    pk = table.primary_key
    if pk is None or features.row_locator == "heap":
        return frozenset()
    if features.row_locator == "primary_key":
        return frozenset(c.key for c in pk.columns)
    (only, *rest) = pk.columns
    column = table.column(only)
    # SQLite's rowid alias: a single-column primary key declared INTEGER (identities are written so)
    alias = column is not None and (
        column.type.kind == TypeKind.INTEGER or (column.identity and column.type.is_integer)
    )
    return frozenset({only.key}) if alias and not rest else frozenset()
