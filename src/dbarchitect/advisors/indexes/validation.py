"""The index advice proven by execution: what ``dbarch indexes --validate`` measured (filled in by
:mod:`dbarchitect.verify.index_validation`; kept here, as data, so that the advice can carry it)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StatementTiming:
    """One statement before and after the advised indexes were built for real.

    Attributes:
        statement: The statement's name.
        promised: The planner's promise: its cost after / before in the advice (``None`` when it
            could not be planned).
        before_ms: Median wall time of the runs without the advised indexes (milliseconds).
        after_ms: Median with the indexes kept in the end.
        plan_before: The real plan before, one node per line (abridged).
        plan_after: The real plan after.
        error: The first error of its runs, when it could not be run.
    """

    statement: str
    promised: float | None
    before_ms: float | None
    after_ms: float | None
    plan_before: tuple[str, ...]
    plan_after: tuple[str, ...]
    error: str | None = None

    @property
    def measured(self) -> float | None:
        """Measured after / before (``None`` when either is missing)."""
        if self.before_ms is None or self.after_ms is None or self.before_ms <= 0:
            return None
        return self.after_ms / self.before_ms


@dataclass(frozen=True)
class IndexValidation:
    """The advice built and timed on a scratch database (:func:`validate_index_advice`).

    Attributes:
        server: The scratch server (engine and version) it ran on.
        database: The scratch database's URL, password hidden.
        scale: The share of the brief's rows loaded.
        runs: Timed runs per statement (after a warm-up run); the median is kept.
        statements: Per statement, the planner's promise and the measured times.
        kept: Names of the advised indexes kept.
        removed: ``(index, why)`` for each advised index removed.
        before_total_ms: Sum of the statements' medians without the advised indexes.
        after_total_ms: Sum with the indexes kept.
        seconds: Wall time of the whole validation.
        notes: Indexes kept although a statement using them is more than 10% slower, because the
            statements using them gain more time per second (at the brief's rates) than it loses.
    """

    server: str
    database: str
    scale: float
    runs: int
    statements: tuple[StatementTiming, ...]
    kept: tuple[str, ...]
    removed: tuple[tuple[str, str], ...]
    before_total_ms: float
    after_total_ms: float
    seconds: float
    notes: tuple[str, ...] = ()

    @property
    def ratio(self) -> float | None:
        """Sum of medians after / before."""
        return self.after_total_ms / self.before_total_ms if self.before_total_ms > 0 else None
