"""The engine-neutral catalog: tables, columns, constraints, indexes, partitioning, statistics.

Everything is a frozen dataclass holding tuples. SQL fragments that must survive translation
(defaults that are expressions, CHECK bodies, partial-index predicates, index expressions, view
bodies) are stored as text in sqlglot's neutral dialect and transpiled when rendered for an engine.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from enum import StrEnum

from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType

#: The column property a PostgreSQL ``serial`` column carries (its default is a sequence it owns, not an
#: identity): migrations compare it; a design writes the column as an identity, which is what it is for.
SERIAL_CLAUSE = "serial (DEFAULT nextval of a sequence it owns, not an identity)"


class DefaultKind(StrEnum):
    NULL = "null"
    STRING = "string"
    NUMBER = "number"
    BOOLEAN = "boolean"
    CURRENT_TIMESTAMP = "current_timestamp"
    CURRENT_DATE = "current_date"
    EXPRESSION = "expression"


@dataclass(frozen=True)
class Default:
    """A column default. ``value`` is the literal's text, or neutral SQL for ``EXPRESSION``."""

    kind: DefaultKind
    value: str | None = None


class ReferentialAction(StrEnum):
    NO_ACTION = "NO ACTION"
    RESTRICT = "RESTRICT"
    CASCADE = "CASCADE"
    SET_NULL = "SET NULL"
    SET_DEFAULT = "SET DEFAULT"


@dataclass(frozen=True)
class ColumnStats:
    """What is known about a column's values (from the brief or the engine's statistics).

    ``distinct`` is a count of distinct values; ``most_common`` pairs a value's text with its frequency.
    """

    distinct: float | None = None
    null_fraction: float | None = None
    avg_width: float | None = None
    most_common: tuple[tuple[str, float], ...] = ()
    correlation: float | None = None
    #: Smallest and largest value now, as literal text (a time column's range: its oldest and newest rows).
    minimum: str | None = None
    maximum: str | None = None
    #: When ``distinct`` is not known: the row count of the table a single-column foreign key on this
    #: column references, and that table's name: at most one value per referenced row, the estimate
    #: PostgreSQL's planner reaches from real statistics when children spread over their parents.
    referenced_rows: float | None = None
    referenced_table: str | None = None


@dataclass(frozen=True)
class Column:
    name: Name
    type: LogicalType
    nullable: bool = True
    default: Default | None = None
    identity: bool = False
    #: Neutral SQL of a stored generated column, if any.
    generated: str | None = None
    comment: str | None = None
    stats: ColumnStats | None = None


@dataclass(frozen=True)
class PrimaryKey:
    columns: tuple[Name, ...]
    name: Name | None = None


@dataclass(frozen=True)
class UniqueConstraint:
    columns: tuple[Name, ...]
    name: Name | None = None


@dataclass(frozen=True)
class ForeignKey:
    columns: tuple[Name, ...]
    ref_table: Name
    ref_columns: tuple[Name, ...]
    name: Name | None = None
    on_delete: ReferentialAction = ReferentialAction.NO_ACTION
    on_update: ReferentialAction = ReferentialAction.NO_ACTION


@dataclass(frozen=True)
class CheckConstraint:
    #: Neutral SQL of the boolean expression.
    expression: str
    name: Name | None = None
    #: Declared with this column (``c int CHECK (...)``), not as a table constraint: MariaDB names
    #: an unnamed one after the column.
    column: Name | None = field(default=None, compare=False)


@dataclass(frozen=True)
class IndexKey:
    """One key of an index: a column, or an expression (neutral SQL), with its direction."""

    column: Name | None = None
    expression: str | None = None
    descending: bool = False
    #: Operator class when not the type's default (PostgreSQL ``gin_trgm_ops``, ``text_pattern_ops``).
    opclass: str | None = None

    def __post_init__(self) -> None:
        if (self.column is None) == (self.expression is None):
            raise ValueError("an index key is either a column or an expression")


@dataclass(frozen=True)
class Index:
    name: Name
    keys: tuple[IndexKey, ...]
    unique: bool = False
    #: Neutral SQL of a partial index's predicate.
    where: str | None = None
    include: tuple[Name, ...] = ()
    #: Access method when not the engine's default b-tree (``gin``, ``gist``, ``hash``, ``brin``).
    method: str | None = None
    #: The DDL did not name it: ``name`` is a placeholder until the engine's naming rule replaces it
    #: (``traits.implicit_names``).
    implicit_name: bool = field(default=False, compare=False)

    @property
    def columns(self) -> tuple[Name, ...]:
        """The plain-column keys, in order (expression keys are skipped)."""
        return tuple(k.column for k in self.keys if k.column is not None)


class PartitionMethod(StrEnum):
    RANGE = "range"
    LIST = "list"
    HASH = "hash"


@dataclass(frozen=True)
class Partition:
    """One partition. RANGE: ``bounds`` = (from, to) literal texts; LIST: the values; HASH: ()."""

    name: Name
    bounds: tuple[str, ...] = ()
    is_default: bool = False


@dataclass(frozen=True)
class Partitioning:
    method: PartitionMethod
    columns: tuple[Name, ...]
    partitions: tuple[Partition, ...] = ()
    #: HASH partition count when partitions are not listed one by one.
    count: int | None = None


@dataclass(frozen=True)
class TableStats:
    """Size of a table now and how it changes (from the brief, or from a live engine)."""

    rows: float | None = None
    #: Bytes of table data now, when measured.
    data_bytes: float | None = None
    growth_rows_per_day: float | None = None
    retention_days: float | None = None


@dataclass(frozen=True)
class Table:
    name: Name
    columns: tuple[Column, ...]
    primary_key: PrimaryKey | None = None
    uniques: tuple[UniqueConstraint, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    partitioning: Partitioning | None = None
    comment: str | None = None
    stats: TableStats | None = None
    schema: Name | None = None

    def column(self, column: Name | str) -> Column | None:
        for col in self.columns:
            if col.name.matches(column):
                return col
        return None

    def has_column(self, column: Name | str) -> bool:
        return self.column(column) is not None

    @property
    def column_names(self) -> tuple[Name, ...]:
        return tuple(c.name for c in self.columns)

    def with_stats(self, stats: TableStats | None) -> Table:
        return replace(self, stats=stats)


@dataclass(frozen=True)
class View:
    name: Name
    #: Neutral SQL of the view's query.
    query: str
    columns: tuple[Name, ...] = ()


class ObjectSource(StrEnum):
    """Where a :class:`SchemaObject`'s definition text comes from: two definitions are comparable
    only when they come from the same kind of source."""

    DDL = "ddl"
    DATABASE = "database"
    #: A form both readers produce from their own source (privileges: :mod:`dbarchitect.ingest.grants`).
    CANONICAL = "canonical"


@dataclass(frozen=True)
class SchemaObject:
    """An object the catalog does not model field by field: a function, procedure, trigger,
    sequence, domain, type, extension, schema, collation, policy, grant, comment on something other
    than a table or column, materialized view, event, rule, or a table property (UNLOGGED, storage
    parameters, row-level security...). Kept so that a migration can create, drop or at least name
    it, never lose it silently.

    Attributes:
        kind: What it is, in the engine's words (``function``, ``trigger``, ``grant``...).
        name: Its identity within the schema (``add_one(i integer)``, ``users.users_touch``; for a
            grant or a table property, the normalized statement).
        definition: Its definition, normalized (whitespace collapsed; from the DDL statement, or
            the engine's own rendering when read from a database).
        source: Where ``definition`` comes from.
        create_sql: Statements that create it as defined (the DDL's own statements, or the
            engine's rendering); empty when not known.
        drop_sql: Statements that remove it; empty when not known.
    """

    kind: str
    name: str
    definition: str
    source: ObjectSource = ObjectSource.DDL
    create_sql: tuple[str, ...] = ()
    drop_sql: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """``kind name``, for messages."""
        return f"{self.kind} {self.name}"


@dataclass(frozen=True)
class Catalog:
    """A whole schema. Order of ``tables`` is the order they were declared in."""

    tables: tuple[Table, ...] = ()
    views: tuple[View, ...] = ()
    #: Where it came from, for messages: a file path, ``entities`` or a redacted URL.
    origin: str | None = field(default=None, compare=False)
    #: What the catalog does not model field by field (see :class:`SchemaObject`), in order.
    objects: tuple[SchemaObject, ...] = ()

    def __getstate__(self) -> dict[str, object]:
        # Lookup indexes and analysis caches kept on the instance are rebuilt, never copied or pickled.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    def table(self, table: Name | str) -> Table | None:
        # By comparison key first (built once per catalog: advisors look tables up millions of times
        # on large schemas), then the lenient match for what the key misses.
        index: dict[str, Table] | None = self.__dict__.get("_by_key")
        if index is None:
            index = {}
            for t in self.tables:
                index.setdefault(t.name.key, t)
            object.__setattr__(self, "_by_key", index)
        found = index.get(table.key if isinstance(table, Name) else table)
        if found is not None and found.name.matches(table):
            return found
        for t in self.tables:
            if t.name.matches(table):
                return t
        return None

    def view(self, view: Name | str) -> View | None:
        for v in self.views:
            if v.name.matches(view):
                return v
        return None

    def __iter__(self) -> Iterator[Table]:
        return iter(self.tables)

    def replace_table(self, table: Table) -> Catalog:
        return replace(self, tables=tuple(table if t.name.key == table.name.key else t for t in self.tables))

    def dependency_order(self) -> tuple[Table, ...]:
        """Tables ordered so that every table comes after those it references (stable; cycles and
        self-references are left in declaration order — their foreign keys are added afterwards)."""
        remaining = list(self.tables)
        done: set[str] = set()
        ordered: list[Table] = []
        known = {x.name.key for x in self.tables}
        while remaining:
            progressed = False
            for t in list(remaining):
                deps = {fk.ref_table.key for fk in t.foreign_keys} - {t.name.key}
                deps &= known
                if deps <= done:
                    ordered.append(t)
                    done.add(t.name.key)
                    remaining.remove(t)
                    progressed = True
            if not progressed:
                t = remaining.pop(0)
                ordered.append(t)
                done.add(t.name.key)
        return tuple(ordered)

    def cyclic_foreign_keys(self) -> tuple[tuple[Table, ForeignKey], ...]:
        """Foreign keys that point to a table created later in :meth:`dependency_order` (or to
        itself): these must be added with ALTER TABLE after every table exists."""
        position = {t.name.key: i for i, t in enumerate(self.dependency_order())}
        late: list[tuple[Table, ForeignKey]] = []
        for t in self.dependency_order():
            for fk in t.foreign_keys:
                ref = position.get(fk.ref_table.key)
                if ref is not None and ref > position[t.name.key]:
                    late.append((t, fk))
        return tuple(late)
