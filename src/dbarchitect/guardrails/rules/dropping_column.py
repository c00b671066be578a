"""dropping-column: dropping a column loses its data and breaks code that still reads it.

Problem: the drop is quick (PostgreSQL marks the column dropped under a brief ACCESS EXCLUSIVE lock;
MariaDB drops it INSTANT), but the data is gone with no undo, and application code deployed before the
migration that still selects or inserts the column fails at once. ORMs that list every column (Rails,
Django) fail even when the code never uses it.

Bad::

    ALTER TABLE customers DROP COLUMN legacy_code;

Good: first deploy code that no longer reads or writes the column (tell the ORM to ignore it), take a
backup of the data if it may be needed, then drop it in a later migration — and suppress this rule on
that statement to record the decision: ``-- dbarch:disable dropping-column``.

Dropping a foreign key column on PostgreSQL also takes ACCESS EXCLUSIVE on the referenced table
(measured). Tables created earlier in the same file are exempt.

Fix: none automatic.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    ALL_ENGINES,
    Draft,
    LintContext,
    Rule,
    Statement,
    column_offset,
    ident,
    table_name,
)


class DroppingColumn(Rule):
    id = "dropping-column"
    engines = ALL_ENGINES
    summary = "DROP COLUMN loses data and breaks running code that still uses the column."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        alter = statement.alter_table()
        if alter is None:
            return
        table = table_name(alter.this) or "?"
        if context.is_new(table):
            return
        for action in alter.args.get("actions") or []:
            if isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN":
                for column in action.args.get("tables") or []:
                    name = ident(column)
                    yield Draft(
                        f"Dropping `{table}.{name}` deletes its data for good and breaks any running "
                        "code (or ORM "
                        f"column list) that still uses `{name}`; deploy code that ignores the column "
                        "first, then drop it in a later migration and record that with `-- dbarch:disable "
                        "dropping-column`.",
                        offset=column_offset(statement, name),
                    )
