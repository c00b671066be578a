"""What a migration plan is made of: its phases, its steps (each with its SQL, lock, cost and
rollback) and the plan itself; shared by the planner, the renderers, the rehearsal and the API."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.advisors.migrations.diff import RenameHint
from dbarchitect.engines.traits import DdlKind, EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.model.ops import Op


class Phase(StrEnum):
    """Where a step belongs in an expand/contract migration: ``expand`` (additive, old code keeps
    working), ``backfill`` (batched data copies), ``contract`` (removes what only old code used)."""

    EXPAND = "expand"
    BACKFILL = "backfill"
    CONTRACT = "contract"


PHASES = (Phase.EXPAND, Phase.BACKFILL, Phase.CONTRACT)


class DataLossError(DbarchError):
    """The plan would throw data away and the caller did not allow it."""


@dataclass(frozen=True)
class Step:
    """One unit of work: statements run together (in one transaction when ``transactional``).

    Attributes:
        description: What the step does, in the schema's own names.
        sql: The statements, in order.
        phase: ``expand``, ``backfill`` or ``contract``.
        kind: The kind of schema change, as far as locking goes (``create index``, ``add column``...).
        lock: The strongest lock it takes, in the engine's terms (``ACCESS EXCLUSIVE``,
            ``SHARE UPDATE EXCLUSIVE``; ``LOCK=NONE`` on MySQL/MariaDB...).
        blocks_reads: Whether reads of the table wait while it runs.
        blocks_writes: Whether writes to the table wait while it runs.
        rewrites: Whether it rewrites the whole table.
        scans: Whether it reads the whole table (under a lock that lets writes go on, or not).
        transactional: Whether it runs in a transaction (``CREATE INDEX CONCURRENTLY`` cannot).
        table: The table it changes (``None`` for a type or a view).
        estimated_seconds: Estimated duration from the table's rows and the engine's measured
            rates; ``None`` when the row count is unknown.
        rollback_sql: The statements that undo it.
        session_sql: Session settings run before the statements (``lock_timeout``).
        check_sql: A query returning one boolean that must be true after the step (e.g. the
            index is valid).
        on_failure_sql: What to run before retrying after a failure (e.g. drop an invalid index
            leftover).
        repeat_until_no_rows: Run the statements again until they change no row (batched backfill).
        precheck_sql: A read-only query counting the rows that would make this step fail (NULLs
            under a new NOT NULL, duplicates under a new unique key, orphans under a new foreign
            key, rows a new check rejects); it must return 0. Run it against the live database
            before the migration (``plan_migration(..., check_url=...)`` does).
        algorithm: The ``ALGORITHM=`` the step asserts on MySQL/MariaDB (``INSTANT``, ``INPLACE``,
            ``COPY``); ``None`` elsewhere.
        notes: What to know about the step (a rename breaks running code, a copy is unavoidable...).
    """

    description: str
    sql: tuple[str, ...]
    phase: Phase
    kind: DdlKind
    lock: str
    blocks_reads: bool
    blocks_writes: bool
    rewrites: bool
    scans: bool
    transactional: bool
    table: str | None
    estimated_seconds: float | None
    rollback_sql: tuple[str, ...]
    session_sql: tuple[str, ...] = ()
    check_sql: str | None = None
    on_failure_sql: tuple[str, ...] = ()
    repeat_until_no_rows: bool = False
    precheck_sql: str | None = None
    algorithm: str | None = None
    notes: tuple[str, ...] = ()

    def in_transaction(self, traits: EngineTraits | None) -> bool:
        """Whether its statements run between ``BEGIN`` and ``COMMIT`` on the engine: a transactional
        step does where DDL is transactional, and a batched backfill (data only, no DDL) does
        everywhere, so a batch's locks are held until it commits, in the order its statements take them."""
        if not self.transactional or not self.sql:
            return False
        return traits is None or traits.features.transactional_ddl or self.kind == DdlKind.BACKFILL


@dataclass(frozen=True)
class MigrationPlan:
    """A safe, ordered, reversible migration between two schemas on one engine
    (``dbarchitect.plan_migration``, ``dbarch migrate``).

    Attributes:
        engine: The engine it is planned for, e.g. ``PostgreSQL 15``.
        operations: The schema differences, as operations (add column, create index...).
        steps: The up-plan: what to run, in order, each step with its lock, cost and rollback.
        down: The down-plan: the steps that take the target back to the current schema.
        rename_hints: A drop and an add that look like one rename; planned as drop + add (with a
            note), or refused as data loss unless allowed. Pass ``renames=`` to plan the rename.
        data_loss: What each data-losing step throws away (allowed by the caller, or the plan
            would have been refused).
        irreversible: Up steps the down-plan cannot undo, and why.
        notes: What to know about the plan as a whole.
        lock_timeout_advice: How the steps use ``lock_timeout`` and how to retry when it fires.
        reordered_tables: Tables whose column order ends up differing from the target (the
            engine appends new columns).
        down_notes: What to know about the down-plan.
        down_reordered_tables: Tables whose column order after the down-plan differs from the
            current schema's.
        unplanned: Differences the plan does not make, each naming the object and why (a
            function whose definition cannot be compared, a table outside the schema...). When
            not empty the plan is incomplete: applying it does not reach the target (the CLI
            exits 1).
    """

    engine: str
    operations: tuple[Op, ...]
    steps: tuple[Step, ...]
    down: tuple[Step, ...]
    rename_hints: tuple[RenameHint, ...] = ()
    data_loss: tuple[str, ...] = ()
    irreversible: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    lock_timeout_advice: str = ""
    reordered_tables: tuple[str, ...] = ()
    down_notes: tuple[str, ...] = ()
    down_reordered_tables: tuple[str, ...] = ()
    unplanned: tuple[str, ...] = ()

    def steps_in(self, phase: Phase) -> tuple[Step, ...]:
        """The up steps of one phase, in order."""
        return tuple(s for s in self.steps if s.phase == phase)

    def prechecks(self) -> tuple[tuple[str, str], ...]:
        """(step, read-only query) pairs: each query counts rows that would make the step fail and
        must return 0 on the live database before the migration starts."""
        return tuple((s.description, s.precheck_sql) for s in self.steps if s.precheck_sql is not None)


# -- what loses data ----------------------------------------------------------------------------------
