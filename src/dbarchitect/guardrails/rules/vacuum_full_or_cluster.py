"""vacuum-full-or-cluster: VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock.

Problem: on PostgreSQL both copy the whole table and rebuild every index while holding ACCESS EXCLUSIVE
(measured on 15.18: the relfilenode changes, reads and writes wait for the whole copy), and they need
free disk for a second copy.

Bad (PostgreSQL)::

    VACUUM FULL orders;
    CLUSTER orders USING orders_created_at_idx;

Good: plain ``VACUUM`` (no lock against reads or writes) to make space reusable; to actually shrink or
reorder a table online use the ``pg_repack`` or ``pg_squeeze`` extension, or ``REPACK (CONCURRENTLY)``
where the server has it. Tables created earlier in the same file are exempt.

Fix: none automatic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbarchitect.guardrails.rule import POSTGRES, Draft, LintContext, Rule, Statement, as_written

_PATTERN = re.compile(
    r"^(?:VACUUM\s*(?:\((?=[^)]*\bFULL\b)[^)]*\)|(?:\w+ )*FULL\b)|CLUSTER\b)\s*(?P<rest>.*)$"
)


class VacuumFullOrCluster(Rule):
    id = "vacuum-full-or-cluster"
    engines = POSTGRES
    summary = "VACUUM FULL / CLUSTER rewrite the table while blocking reads and writes."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        m = _PATTERN.match(statement.words)
        if not m:
            return
        command = "CLUSTER" if statement.words.startswith("CLUSTER") else "VACUUM FULL"
        rest = m["rest"].split()
        target = rest[0].lower().strip('"') if rest and rest[0] not in ("USING", "VERBOSE") else None
        if target is not None and context.is_new(target):
            return
        what = f"`{as_written(statement.sql, target)}`" if target else "every table in the database"
        yield Draft(
            f"{command} rewrites {what} and all its indexes under an ACCESS EXCLUSIVE lock, blocking "
            "reads and "
            "writes for the whole copy and needing room for a second copy; use plain VACUUM, or pg_repack / "
            "pg_squeeze to shrink or reorder the table online.",
        )
