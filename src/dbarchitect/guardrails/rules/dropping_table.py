"""dropping-table: dropping a table loses its data and breaks code that still uses it.

Problem: ``DROP TABLE`` deletes every row with no undo, and running code that still queries the table
fails at once. On PostgreSQL, dropping a table that references another also takes ACCESS EXCLUSIVE on
the referenced (parent) table (measured on 15.18), briefly blocking reads and writes there.

Bad::

    DROP TABLE legacy_orders;

Good: deploy code that no longer uses the table, keep a backup (or rename it aside and drop it a release
later), then drop it and record the decision with ``-- dbarch:disable dropping-table``.

Tables created earlier in the same file are exempt.

Fix: none automatic.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import ALL_ENGINES, Draft, LintContext, Rule, Statement, table_name


class DroppingTable(Rule):
    id = "dropping-table"
    engines = ALL_ENGINES
    summary = "DROP TABLE loses data and breaks running code that still uses the table."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        node = statement.node
        if not isinstance(node, exp.Drop) or (node.args.get("kind") or "").upper() != "TABLE":
            return
        for table in node.args.get("tables") or []:
            name = table_name(table) or "?"
            if context.is_new(name):
                continue
            yield Draft(
                f"Dropping table `{name}` deletes its rows for good ({context.size_note(name)}) and "
                "breaks any "
                f"running code that still uses `{name}`; deploy code that no longer uses it and keep a "
                "backup, then drop it and record that with `-- dbarch:disable dropping-table`.",
            )
