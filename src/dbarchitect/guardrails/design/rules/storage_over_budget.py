"""storage-over-budget: data and indexes at the horizon exceed the brief's storage budget.

Problem: a design is sized for the brief's horizon, not for today. The sizing advisor grows every
table by its stated growth (or to its retention) over the horizon and adds the engine's row and
index overheads; this rule compares the totals with ``budgets.storage`` (data + indexes) and
``budgets.index_storage`` (indexes alone). Tables without a row count are sized zero and named, so
an under-estimate is visible.

Bad (``budgets: {storage: 1GB}``, events: 50,000,000 rows, 1,000,000 a day, horizon 1 year)::

    CREATE TABLE events (id bigint PRIMARY KEY, payload text);

Good: a retention period on the table (``retention: 30d``), partitions dropped by age, a bigger
budget, or fewer/narrower indexes.

Fix: add retention, archive cold rows, narrow wide columns or indexes, or raise the budget.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level


def size_text(n: float) -> str:
    """Bytes in decimal units, as budgets are written (``500GB`` is 500 x 10^9 bytes)."""
    for unit, factor in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if n >= factor:
            return f"{n / factor:,.1f} {unit}"
    return f"{n:,.0f} B"


class StorageOverBudget(DesignRule):
    id = "storage-over-budget"
    category = Category.PERFORMANCE
    summary = "Data + indexes grown to the brief's horizon exceed budgets.storage or index_storage."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        budgets = context.brief.budgets
        storage = context.facts.storage
        if not storage:
            return
        years = context.horizon_days / 365
        biggest = sorted(storage, key=lambda s: -(s.data_bytes + s.index_bytes))[:3]
        top = ", ".join(f"`{s.table}` {size_text(s.data_bytes + s.index_bytes)}" for s in biggest)
        unsized = sorted(s.table for s in storage if s.unsized)
        unknown = f"; no row count for {', '.join(unsized)} (sized zero)" if unsized else ""
        total = sum(s.data_bytes + s.index_bytes for s in storage)
        if budgets.storage is not None and total > budgets.storage:
            yield DesignDraft(
                f"Data and indexes reach {size_text(total)} at the {years:.1f}-year horizon, over the "
                f"storage budget of {size_text(budgets.storage)} (largest: {top}){unknown}.",
                hint="add retention or partition by age and drop old partitions, narrow wide columns "
                "and indexes, or raise budgets.storage",
            )
        indexes = sum(s.index_bytes for s in storage)
        if budgets.index_storage is not None and indexes > budgets.index_storage:
            by_index = sorted(storage, key=lambda s: -s.index_bytes)[:3]
            top_index = ", ".join(f"`{s.table}` {size_text(s.index_bytes)}" for s in by_index)
            yield DesignDraft(
                f"Indexes reach {size_text(indexes)} at the {years:.1f}-year horizon, over the index "
                f"storage budget of {size_text(budgets.index_storage)} (largest: {top_index}){unknown}.",
                hint="drop or narrow indexes (fewer columns, partial indexes), or raise "
                "budgets.index_storage",
            )
