"""unbatched-backfill: an UPDATE of a whole table in one statement locks and rewrites every row at once.

Problem: ``UPDATE orders SET region = 'eu'`` (no WHERE) writes a new version of every row in one
transaction: every row stays locked until it commits (concurrent writes to any of them wait), the
table and its indexes bloat by up to its whole size, and on replicas the change arrives as one burst
(MySQL/MariaDB replicate it as one statement whose duration becomes replica lag). Inside a migration's
transaction the row locks last until the whole migration commits.

Bad::

    UPDATE orders SET region = 'eu';

Good: backfill in key ranges of a few thousand rows, each committed on its own, outside the schema
migration::

    UPDATE orders SET region = 'eu' WHERE id >= 1 AND id < 10001 AND region IS NULL;
    -- next range ...

Reported for UPDATEs without a WHERE clause on tables not created in the same file, unless the given
sizes say the table is smaller than 1,000,000 rows — and for any UPDATE of a table altered earlier in
the same open transaction: the ALTER's lock (ACCESS EXCLUSIVE on PostgreSQL) is then held until COMMIT,
so reads and writes wait for the whole backfill.

Fix: none automatic (the batch loop belongs in a script or job, not in DDL).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import ALL_ENGINES, Draft, LintContext, Rule, Statement, table_name


class UnbatchedBackfill(Rule):
    id = "unbatched-backfill"
    engines = ALL_ENGINES
    summary = "UPDATE without WHERE rewrites and locks every row of the table in one transaction."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        node = statement.node
        if not isinstance(node, exp.Update):
            return
        table = table_name(node.this)
        if table is not None and table.lower() in context.altered_in_transaction:
            yield Draft(
                f"Updating `{table}` in the same transaction that altered it keeps the ALTER's lock on "
                f"`{table}` "
                "until COMMIT, so reads and writes wait for the whole backfill; COMMIT the schema change "
                "first and backfill in batches, each in its own transaction.",
            )
            return
        if node.args.get("where") is not None or table is None or not context.may_be_big(table):
            return
        yield Draft(
            f"Updating every row of `{table}` in one statement ({context.size_note(table)}) locks all "
            "its rows "
            "until commit, bloats the table and its indexes, and reaches replicas as one burst; backfill in "
            "key ranges of a few thousand rows, each in its own transaction, outside the schema migration.",
        )
