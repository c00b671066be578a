"""write-amplification-over-budget: a written table maintains more indexes than the brief allows.

Problem: every index on a table gets an entry for each row inserted or deleted (and updated, when an
indexed column changes), so write cost, WAL/redo volume and lock time grow with the index count. The
brief's ``budgets.write_amplification`` caps the index entries maintained per written row; this
rule counts, for every table the workload writes, its primary key, unique constraints and indexes
(the index advice's recommendations included) and flags a table over the cap.

Bad (``budgets: {write_amplification: 3}``)::

    CREATE TABLE events (id bigint PRIMARY KEY, a int, b int, c int);
    CREATE INDEX events_a ON events (a);
    CREATE INDEX events_b ON events (b);
    CREATE INDEX events_c ON events (c);
    -- workload: INSERT INTO events ...

Good: drop or merge indexes until at most 3 remain (one composite index often serves several
statements).

Fix: drop the least useful index, merge indexes sharing a prefix, or raise the budget deliberately.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level


class WriteAmplificationOverBudget(DesignRule):
    id = "write-amplification-over-budget"
    category = Category.PERFORMANCE
    summary = "A written table has more indexes than the brief's write-amplification budget."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        budget = context.brief.budgets.write_amplification
        if budget is None:
            return
        writers: dict[str, list[str]] = {}
        for statement in context.workload.statements:
            target = statement.write_target
            if target is not None:
                writers.setdefault(target.table.key, []).append(statement.name)
        for table in context.catalog.tables:
            names = writers.get(table.name.key)
            if not names:
                continue
            indexes = [
                *(["primary key"] if table.primary_key is not None else []),
                *(f"unique ({', '.join(c.value for c in u.columns)})" for u in table.uniques),
                *(i.name.value for i in table.indexes),
            ]
            if len(indexes) <= budget:
                continue
            yield DesignDraft(
                f"`{table.name}` is written by {', '.join(sorted(set(names)))} and maintains "
                f"{len(indexes)} indexes per written row ({', '.join(indexes)}), over the brief's "
                f"write-amplification budget of {budget:g}.",
                hint="drop the least useful index or merge indexes sharing a leading column; or raise "
                "budgets.write_amplification deliberately",
                table=table.name.value,
            )
