"""The workload model: every statement parsed, every column resolved to its table.

A :class:`Statement` records, per table it touches (:class:`TableAccess`), what an index advisor,
a partitioning advisor or a cost model needs: equality / range / IN / LIKE-prefix predicates, join
columns, GROUP BY, ORDER BY with direction, the LIMIT and the columns read; for writes the target
table and the columns written. Statements are fingerprinted with literals normalized so that
duplicates from logs merge with summed rates.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.model.names import Name


class StatementKind(StrEnum):
    SELECT = "select"
    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"
    UPSERT = "upsert"
    OTHER = "other"


class PredicateKind(StrEnum):
    EQ = "eq"
    RANGE = "range"
    IN = "in"
    LIKE_PREFIX = "like_prefix"
    LIKE = "like"
    IS_NULL = "is_null"
    NOT_EQ = "not_eq"
    OTHER = "other"


@dataclass(frozen=True, order=True)
class ColumnRef:
    """A column of a catalog table (``table`` is the table's real name, never an alias)."""

    table: Name
    column: Name

    def __str__(self) -> str:
        return f"{self.table}.{self.column}"


@dataclass(frozen=True)
class Predicate:
    """A filter on one column. ``operator`` is the SQL operator as written (``=``, ``<=``, ``IN``,
    ``LIKE``, ``BETWEEN``...). ``value`` is the literal's text, ``?`` for a parameter, or ``None``
    when the other side is an expression. ``values`` counts IN-list entries; ``in_values`` holds
    their literal texts when every entry is a literal (empty when any is a parameter).
    ``parameter`` names the parameter the column is compared with (``w_id`` for ``= :w_id``, ``$1``),
    when the value is one named parameter: statements of a transaction that name the same parameter
    see the same value. ``example`` is the value of what ``value`` does not spell out, as literal text
    (``low AND high`` for a BETWEEN), when all of it is known: the brief's example value (``params:``
    of the statement) of a parameter, or a constant expression folded (``date '1994-01-01' + interval
    '1' year`` -> ``1995-01-01``); estimates read it where the value matters (a range's bounds) and
    ``value`` stays ``?`` or None."""

    column: ColumnRef
    kind: PredicateKind
    operator: str
    value: str | None = None
    values: int = 1
    in_values: tuple[str, ...] = ()
    parameter: str | None = None
    example: str | None = None


@dataclass(frozen=True)
class JoinPredicate:
    left: ColumnRef
    right: ColumnRef
    #: ``inner``, ``left``, ``right``, ``full``, ``semi`` (EXISTS / IN subquery), ``anti``, ``cross``
    kind: str = "inner"


@dataclass(frozen=True)
class OrderKey:
    column: ColumnRef
    descending: bool = False


@dataclass(frozen=True)
class TableAccess:
    """Everything one statement does with one table (all occurrences, aliases and subqueries
    included). ``occurrences`` counts self-joins and repeated references."""

    table: Name
    aliases: tuple[str, ...] = ()
    occurrences: int = 1
    predicates: tuple[Predicate, ...] = ()
    join_columns: tuple[Name, ...] = ()
    group_by: tuple[Name, ...] = ()
    order_by: tuple[OrderKey, ...] = ()
    columns_read: tuple[Name, ...] = ()
    columns_written: tuple[Name, ...] = ()
    is_write_target: bool = False
    #: For INSERT ... VALUES, the value each inserted column receives: an EQ predicate when every
    #: row gives it the same literal or parameter, else IN with one entry per distinct value
    #: (columns given an expression are left out; empty for INSERT ... SELECT).
    inserted_values: tuple[Predicate, ...] = ()


@dataclass(frozen=True)
class Slo:
    p95_ms: float | None = None
    p99_ms: float | None = None


@dataclass(frozen=True)
class Statement:
    name: str
    sql: str
    kind: StatementKind
    fingerprint: str
    #: Executions per second (summed over merged duplicates).
    rate: float
    tables: tuple[TableAccess, ...] = ()
    joins: tuple[JoinPredicate, ...] = ()
    limit: int | None = None
    slo: Slo | None = None
    #: Normalized SQL (literals replaced with ``?``), the text the fingerprint is taken from.
    normalized_sql: str = ""
    #: Names of parameters (``:name`` / ``%(name)s``) or ``$n`` positions used.
    parameters: tuple[str, ...] = ()
    #: Where the statement came from: brief field path, log file line, pg_stat_statements row.
    origin: str | None = None
    #: The brief's example parameter values (``params:``), name -> literal text, sorted by name.
    params: tuple[tuple[str, str], ...] = ()

    def access(self, table: Name | str) -> TableAccess | None:
        for a in self.tables:
            if a.table.matches(table):
                return a
        return None

    @property
    def is_write(self) -> bool:
        return self.kind in (
            StatementKind.INSERT,
            StatementKind.UPDATE,
            StatementKind.DELETE,
            StatementKind.UPSERT,
        )

    @property
    def write_target(self) -> TableAccess | None:
        for a in self.tables:
            if a.is_write_target:
                return a
        return None


@dataclass(frozen=True)
class TransactionStep:
    """Statements a transaction runs ``repeat_min``..``repeat_max`` times (uniformly), in the
    fraction ``probability`` of its executions."""

    statements: tuple[Statement, ...]
    repeat_min: int = 1
    repeat_max: int = 1
    probability: float = 1.0

    @property
    def mean_repeat(self) -> float:
        return (self.repeat_min + self.repeat_max) / 2.0


@dataclass(frozen=True)
class TransactionParameter:
    """A parameter of a transaction's statements. Statements naming the same parameter see the same
    value; ``equals`` makes this one equal another with ``probability`` (else a different value);
    ``per_iteration`` gives it a new value in every repetition of its step."""

    name: str
    equals: str | None = None
    probability: float = 1.0
    per_iteration: bool = False


@dataclass(frozen=True)
class Transaction:
    """Statements that run together (each analyzed as a :class:`Statement` of its own, under its own
    name), ``rate`` times a second."""

    name: str
    rate: float
    steps: tuple[TransactionStep, ...]
    #: Every parameter the statements use, in order of first use.
    parameters: tuple[TransactionParameter, ...] = ()
    origin: str | None = None

    def parameter(self, name: str) -> TransactionParameter | None:
        return next((p for p in self.parameters if p.name == name), None)

    def executions(self) -> dict[str, float]:
        """Mean executions per transaction of each statement, by fingerprint."""
        out: dict[str, float] = {}
        for step in self.steps:
            for statement in step.statements:
                out[statement.fingerprint] = (
                    out.get(statement.fingerprint, 0.0) + step.probability * step.mean_repeat
                )
        return out


@dataclass(frozen=True)
class Workload:
    statements: tuple[Statement, ...] = ()
    #: Statements that run together (the brief's ``workload.transactions``); their statements are
    #: also in ``statements``, whose rates include the executions inside transactions.
    transactions: tuple[Transaction, ...] = ()
    #: Statements (and transactions) left out because they could not be analyzed, each with the
    #: reason; only when the workload was built leniently (strict builds refuse them instead).
    left_out: tuple[tuple[str, str], ...] = ()

    def statement(self, name: str) -> Statement | None:
        # By name through an index built once per workload (the first statement of a name wins, as a
        # scan would find it): capacity planning looks statements up for every table and resource.
        index: dict[str, Statement] | None = self.__dict__.get("_by_name")
        if index is None:
            index = {}
            for s in self.statements:
                index.setdefault(s.name, s)
            object.__setattr__(self, "_by_name", index)
        return index.get(name)

    def __getstate__(self) -> dict[str, object]:
        # The lookup index is rebuilt, never copied or pickled.
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}

    @property
    def total_rate(self) -> float:
        return sum(s.rate for s in self.statements)
