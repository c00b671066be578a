"""What a rehearsal measured: the steps, the load's operations, the tables loaded, the data check."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbarchitect.verify.rehearse.load import Operation, TableLoad
from dbarchitect.verify.rehearse.steps import StepResult


@dataclass(frozen=True)
class TableCheck:
    """Rows and per-column checksums of one table's pre-existing rows, before and after."""

    table: str
    rows_before: int
    rows_after: int | None
    changed_columns: tuple[str, ...]
    missing_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.rows_after == self.rows_before and not self.changed_columns and not self.missing_columns


@dataclass(frozen=True)
class Rehearsal:
    """A migration plan applied to a scratch database under the application's load, and measured
    (``dbarchitect.rehearse_migration``, ``dbarch migrate --rehearse``).

    Attributes:
        engine: The engine rehearsed on, e.g. ``PostgreSQL 15``.
        steps: Every step that ran, with its result and time (and a backfill's own report).
        not_run: Steps not run because an earlier one failed.
        operations: Every write and read of the load, timed from when it was due.
        loads: Per loaded table: why, and the write and read rates asked.
        load_note: Why there was no load, when there was none (a server not on loopback...).
        data: Per table: rows and per-column checksums of the rows that existed before, compared
            after (``.ok``, ``.changed_columns``).
        total_seconds: The whole rehearsal, data generation included.
        migration_seconds: The plan's steps alone.
        migration_started_at: When the first step started, seconds since the rehearsal started.
        generated_rows: Rows generated for the current schema (0 on an existing database).
        notes: What to know about the rehearsal.
    """

    engine: str
    steps: tuple[StepResult, ...]
    not_run: tuple[str, ...]
    operations: tuple[Operation, ...]
    loads: tuple[TableLoad, ...]
    load_note: str | None
    data: tuple[TableCheck, ...]
    total_seconds: float
    migration_seconds: float
    migration_started_at: float
    generated_rows: int
    notes: tuple[str, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """Every step succeeded and the data that existed before is unchanged."""
        return all(s.ok for s in self.steps) and not self.not_run and all(t.ok for t in self.data)

    @property
    def steps_ok(self) -> bool:
        return all(s.ok for s in self.steps) and not self.not_run

    @property
    def data_ok(self) -> bool:
        return all(t.ok for t in self.data)

    @property
    def writes(self) -> tuple[Operation, ...]:
        return tuple(o for o in self.operations if o.is_write)

    @property
    def reads(self) -> tuple[Operation, ...]:
        return tuple(o for o in self.operations if not o.is_write)

    @property
    def load_table(self) -> str | None:
        """The first table written (the only one, in rehearsals before loads followed the plan)."""
        return next((t.table for t in self.loads if t.write_rate > 0), None)

    @property
    def max_stall(self) -> Operation | None:
        """The slowest write of the load (``.seconds``, ``.started_at``), if there was a load."""
        return max(self.writes, key=lambda w: w.seconds, default=None)

    @property
    def max_read_stall(self) -> Operation | None:
        return max(self.reads, key=lambda r: r.seconds, default=None)

    def step_at(self, at: float) -> StepResult | None:
        """The step running at ``at`` (seconds since the start)."""
        for s in self.steps:
            if s.started_at <= at <= s.started_at + s.seconds:
                return s
        return None

    def during(self, step: StepResult) -> tuple[Operation, ...]:
        """The operations that were due while ``step`` ran, or waited into it."""
        end = step.started_at + step.seconds
        return tuple(
            o for o in self.operations if o.started_at <= end and o.started_at + o.seconds >= step.started_at
        )

    @property
    def failed_writes(self) -> int:
        return sum(1 for w in self.writes if not w.ok)

    @property
    def failed_reads(self) -> int:
        return sum(1 for r in self.reads if not r.ok)
