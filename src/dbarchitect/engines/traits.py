"""Engine facts as data: type names, identifier rules, features by version, storage overheads.

Advisors, renderers and rules read an :class:`EngineTraits`; they never branch on engine names.
Each engine module (``postgres``, ``mysql``, ``sqlite``, ``duckdb``) builds its traits for a version;
:func:`dbarchitect.engines.registry.get_traits` picks one from a brief's engine and version.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType

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
    #: Bytes per row besides column data (header, item pointer), and per index entry.
    row_overhead_bytes: float = 24.0
    index_entry_overhead_bytes: float = 12.0
    #: Share of a page that holds rows / index entries in steady state.
    table_fill_factor: float = 1.0
    index_fill_factor: float = 0.9
    #: Secondary index entries carry the primary key (InnoDB) rather than a row pointer.
    secondary_index_holds_primary_key: bool = False
    #: Literal for booleans in DEFAULT clauses.
    true_literal: str = "TRUE"
    false_literal: str = "FALSE"
    #: Column clause that makes an identity (None: the engine cannot declare one inline).
    identity_sql: str | None = None
    #: CURRENT_TIMESTAMP defaults must carry the column's fractional-second precision.
    current_timestamp_with_precision: bool = False
    #: Exact decimals with a fraction are stored as binary floats (a note is due).
    decimal_fraction_is_float: bool = False
    #: The engine has no time-zone-aware timestamp; timestamptz columns hold UTC (a note is due).
    timestamptz_as_utc: bool = False
    #: Intervals are stored in another type (a note is due).
    interval_emulated: bool = False
    #: Text after a CREATE TABLE's closing parenthesis.
    table_options: str = ""
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
            escaped = text.replace(self.quote_close, self.quote_close * 2)
            return f"{self.quote_open}{escaped}{self.quote_close}"
        return text

    def supports_version(self, minimum: tuple[int, ...]) -> bool:
        return self.version >= minimum
