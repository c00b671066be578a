"""require-concurrent-index-deletion: drop indexes with DROP INDEX CONCURRENTLY.

Problem: on PostgreSQL a plain ``DROP INDEX`` takes an ACCESS EXCLUSIVE lock on the index's table
(measured on 15.18): reads and writes wait, and while it waits behind any long transaction every
later query on the table queues behind it.

Bad (PostgreSQL)::

    DROP INDEX orders_customer_id_idx;

Good::

    DROP INDEX CONCURRENTLY orders_customer_id_idx;

``DROP INDEX CONCURRENTLY`` takes SHARE UPDATE EXCLUSIVE, drops one index per statement, cannot use
CASCADE and cannot run inside a transaction block. When the catalog says the index's table was created
in the same file, nothing is reported.

Fix: insert ``CONCURRENTLY`` after ``DROP INDEX``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbarchitect.guardrails.rule import POSTGRES, Draft, Fix, LintContext, Rule, Statement


class RequireConcurrentIndexDeletion(Rule):
    id = "require-concurrent-index-deletion"
    engines = POSTGRES
    summary = "DROP INDEX without CONCURRENTLY locks the table against reads and writes."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        if not context.traits.features.concurrent_index_build:
            return
        m = _DROP.match(statement.sql.strip())
        if not m or m["concurrently"]:
            return
        names = [n.strip() for n in m["names"].split(",")]
        owner = _owner(names[0].strip('"'), context) if len(names) == 1 else None
        if owner is not None and context.is_new(owner):
            return
        on = f" on `{owner}`" if owner else ""
        fix = None
        if len(names) == 1 and not (m["tail"] or "").strip().upper().startswith("CASCADE"):
            fix = Fix(
                "drop the index concurrently",
                re.sub(r"\bINDEX\b", "INDEX CONCURRENTLY", statement.sql, count=1, flags=re.IGNORECASE),
            )
        yield Draft(
            f"Dropping index `{', '.join(names)}` without CONCURRENTLY takes an ACCESS EXCLUSIVE "
            f"lock{on} that blocks reads and writes (and queues every later query behind it while it waits); "
            "use DROP INDEX CONCURRENTLY, one index per statement, outside a transaction.",
            fix=fix,
        )


_DROP = re.compile(
    r"^DROP\s+INDEX\s+(?P<concurrently>CONCURRENTLY\s+)?(?:IF\s+EXISTS\s+)?(?P<names>.+?)"
    r"(?P<tail>\s+(?:CASCADE|RESTRICT))?\s*$",
    re.IGNORECASE | re.DOTALL,
)


def _owner(index: str, context: LintContext) -> str | None:
    if context.catalog is None:
        return None
    for table in context.catalog.tables:
        if any(i.name.matches(index) for i in table.indexes):
            return table.name.value
    return None
