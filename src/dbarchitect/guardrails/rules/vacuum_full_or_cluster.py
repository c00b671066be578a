"""vacuum-full-or-cluster: VACUUM FULL and CLUSTER rewrite the table under an ACCESS EXCLUSIVE lock.

Problem: on PostgreSQL both copy the whole table and rebuild every index while holding ACCESS EXCLUSIVE
(measured on 15.18: the relfilenode changes, reads and writes wait for the whole copy), and they need
free disk for a second copy. Options are read as PostgreSQL reads them: ``VACUUM (FULL false)`` and
``VACUUM (FULL 0)`` are a plain VACUUM, ``VACUUM (ANALYZE, FULL)`` is a full one.

Bad (PostgreSQL)::

    VACUUM FULL orders;
    CLUSTER orders USING orders_created_at_idx;

Good: plain ``VACUUM`` (no lock against reads or writes) to make space reusable; to actually shrink or
reorder a table online use the ``pg_repack`` or ``pg_squeeze`` extension, or ``REPACK (CONCURRENTLY)``
where the server has it. Tables created earlier in the same file are exempt.

Fix: none automatic.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.rule import POSTGRES, Draft, LintContext, Rule, Statement, option_on


class VacuumFullOrCluster(Rule):
    id = "vacuum-full-or-cluster"
    engines = POSTGRES
    summary = "VACUUM FULL / CLUSTER rewrite the table while blocking reads and writes."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        pg = statement.pg
        kind = type(pg).__name__
        if kind == "VacuumStmt" and pg.is_vacuumcmd and option_on(pg.options, "full"):
            command = "VACUUM FULL"
            targets = [r.relation.relname for r in pg.rels or () if r.relation is not None]
        elif kind == "ClusterStmt":
            command = "CLUSTER"
            targets = [pg.relation.relname] if pg.relation is not None else []
        else:
            return
        if targets and all(context.is_new(t) for t in targets):
            return
        what = (
            ", ".join(f"`{t}`" for t in targets if not context.is_new(t))
            if targets
            else (
                "every table in the database" if command == "VACUUM FULL" else "every table clustered before"
            )
        )
        their = "their" if len([t for t in targets if not context.is_new(t)]) != 1 else "its"
        yield Draft(
            f"{command} rewrites {what} and all {their} indexes under an ACCESS EXCLUSIVE lock, blocking "
            "reads and "
            "writes for the whole copy and needing room for a second copy; use plain VACUUM, or pg_repack / "
            "pg_squeeze to shrink or reorder the table online.",
        )
