"""The partitioning advice as data: per table a decision with its reasons and numbers, the key
candidates weighed, the constraint changes the engine's rules force, the maintenance plan, and the
catalog with ``Table.partitioning`` set; per statement the partitions it touches under the design.

Everything here is a frozen dataclass of tuples; the report renders it and the verifier measures it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from dbarchitect.advisors.migrations.plan import MigrationPlan
from dbarchitect.model.catalog import Catalog, Partitioning, PartitionMethod
from dbarchitect.model.intervals import TimeUnit


class Verdict(StrEnum):
    #: Partition the table as advised (it is not, or not this way, today).
    PARTITION = "partition"
    #: The table is partitioned by the advised method and key already; keep it.
    KEEP = "keep"
    #: Partitioning does not pay; ``reason`` says why.
    NO = "no"


class NoReason(StrEnum):
    """Why a table is not partitioned (the advice's rejection codes, asserted by tests)."""

    UNSIZED = "unsized"
    ENGINE_CANNOT = "engine cannot partition"
    SMALL_TABLE = "small table"
    NO_CANDIDATE = "no usable key"
    TOUCHES_EVERY_PARTITION = "statements touch every partition"
    NO_BENEFIT = "no benefit"
    FOREIGN_KEYS = "foreign keys would be lost"
    UPSERT_KEY = "an upsert needs a unique key partitioning widens"


class BindingSource(StrEnum):
    BRIEF = "brief"
    STATISTICS = "statistics"
    TYPE_DEFAULT = "type default"
    UNBOUND = "unbound"


@dataclass(frozen=True)
class Binding:
    """The value a statement parameter is bound to for pruning, and where it comes from."""

    name: str
    value: str | None
    source: BindingSource
    column: str | None = None


@dataclass(frozen=True)
class BoundStatement:
    """A workload statement with its parameters bound: the SQL the model reads its predicates from
    and the verifier EXPLAINs (in the brief engine's dialect)."""

    name: str
    rate: float
    sql: str
    bindings: tuple[Binding, ...]
    #: Why the statement could not be bound (its parameters then count as unknown values).
    error: str | None = None
    #: The statement as written, with its parameters (for a generic plan: PREPARE, then EXECUTE).
    source_sql: str = ""


@dataclass(frozen=True)
class StatementPruning:
    """How many partitions of one table a statement touches under one partitioning (the model).

    ``partitions`` is the expected number read; ``within_two`` the probability that it reads at most
    two (1.0 or 0.0 except for an ordered scan that stops at its LIMIT)."""

    statement: str
    rate: float
    partitions: float
    within_two: float
    reason: str


@dataclass(frozen=True)
class ConstraintChange:
    """What the engine's partitioning rules force on the schema, and what it costs in integrity."""

    table: str
    kind: str
    before: str
    after: str | None
    consequence: str


@dataclass(frozen=True)
class Layout:
    """Partitions of one candidate: a RANGE by time (``unit``, first and last bound, partitions made
    ahead), a HASH (``count``) or a LIST (one partition per value)."""

    method: PartitionMethod
    column: str
    count: int
    unit: TimeUnit | None = None
    start: datetime | None = None
    end: datetime | None = None
    ahead: int = 0
    catch_all: bool = False
    values: tuple[str, ...] = ()

    def describe(self) -> str:
        if self.method == PartitionMethod.RANGE and self.unit is not None:
            return f"RANGE ({self.column}) by {self.unit.value}"
        if self.method == PartitionMethod.HASH:
            return f"HASH ({self.column}) into {self.count}"
        return f"LIST ({self.column}) of {self.count} value(s)"


@dataclass(frozen=True)
class Candidate:
    """One key weighed for a table: its layout, sizes, and the pruning of every statement on it."""

    layout: Layout
    rows_per_partition: float
    bytes_per_partition: float
    #: Weighted share of the table's statements that touch at most two partitions.
    pruning_share: float
    statements: tuple[StatementPruning, ...]
    constraint_changes: tuple[ConstraintChange, ...]
    #: Why this layout cannot be used (None: it can).
    infeasible: str | None = None
    #: Turns the table's retention into dropping partitions (RANGE on the table's time column).
    drops_expired: bool = False
    #: Why the workload cannot run on this layout (an upsert whose unique key would be widened).
    blocker: str | None = None

    @property
    def key(self) -> str:
        return self.layout.describe()


@dataclass(frozen=True)
class Maintenance:
    """How the partitions are kept: partitions made ahead, expired ones dropped, on a schedule; the
    scheduled SQL (tested on the engines) and pg_partman's configuration as an alternative."""

    unit: TimeUnit
    ahead: int
    retention_days: float | None
    setup_sql: tuple[str, ...]
    run_sql: tuple[str, ...]
    schedule: str
    partman_sql: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableDecision:
    table: str
    verdict: Verdict
    reasons: tuple[str, ...]
    rows_now: float
    rows_at_horizon: float
    bytes_at_horizon: float
    growth_rows_per_day: float | None
    retention_days: float | None
    candidates: tuple[Candidate, ...] = ()
    chosen: Candidate | None = None
    partitioning: Partitioning | None = None
    current: Partitioning | None = None
    maintenance: Maintenance | None = None
    rejection: NoReason | None = None


@dataclass(frozen=True)
class WorkloadPruning:
    """One statement's partitions touched over all partitioned tables it reads or writes."""

    statement: str
    rate: float
    partitions: float
    within_two: float
    touches_partitioned: bool
    reason: str


@dataclass(frozen=True)
class PartitionAdvice:
    """The partitioning advice for the brief's target engine.

    Attributes:
        engine: The engine and version it is for, e.g. ``PostgreSQL 15``.
        catalog: The designed schema: the current one with ``Table.partitioning`` set where advised and
            the constraint changes the engine's rules force (keys widened, foreign keys dropped).
        decisions: Per table, in the schema's order: the verdict with its reasons and numbers, the
            candidates weighed, the chosen layout, the maintenance plan.
        statements: Per workload statement, the partitions it touches under the design (the model).
        bound: Per statement, the values its parameters were bound to and where they come from.
        anchor: The instant taken as now (the newest time in the brief's statistics, else today).
        migration: The migration from the current schema to the partitioned one (None when no table
            changes: nothing is advised, or the advised partitioning is already there).
        notes: What the advice could not do, and guesses it had to make.
        source: Where the pruning figures come from (``model``).
    """

    engine: str
    catalog: Catalog
    decisions: tuple[TableDecision, ...]
    statements: tuple[WorkloadPruning, ...]
    bound: tuple[BoundStatement, ...]
    anchor: datetime
    migration: MigrationPlan | None
    notes: tuple[str, ...] = ()
    source: str = "model"

    @property
    def partitioned_tables(self) -> tuple[str, ...]:
        return tuple(d.table for d in self.decisions if d.verdict != Verdict.NO)

    @property
    def weighted_within_two(self) -> float:
        """Weighted share of the whole workload touching at most two partitions."""
        total = sum(s.rate for s in self.statements)
        return sum(s.rate * s.within_two for s in self.statements) / total if total else 1.0

    @property
    def partitioned_within_two(self) -> float | None:
        """The same over the statements that read or write a partitioned table (None: there are none)."""
        touching = [s for s in self.statements if s.touches_partitioned]
        total = sum(s.rate for s in touching)
        return sum(s.rate * s.within_two for s in touching) / total if total else None
