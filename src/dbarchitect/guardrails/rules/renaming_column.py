"""renaming-column: renaming a column breaks every running query that uses the old name.

Problem: the rename itself is quick (PostgreSQL: a brief ACCESS EXCLUSIVE lock; MySQL and MariaDB:
INSTANT), but application code deployed before the migration still names the old column, and its
queries fail from the moment the rename commits until every instance runs the new code.

Bad::

    ALTER TABLE customers RENAME COLUMN email TO email_address;

Good: expand and contract — add ``email_address``, write both columns (or use a trigger), backfill in
batches, switch reads to the new column, deploy, then drop ``email``. On PostgreSQL a view can also
present the new name while code moves over.

Tables created earlier in the same file are exempt. MySQL's ``CHANGE old new type`` is a rename too.

Fix: none automatic (it needs a deploy between the steps).
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


class RenamingColumn(Rule):
    id = "renaming-column"
    engines = ALL_ENGINES
    summary = "RENAME COLUMN breaks running application code that still uses the old name."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        alter = statement.alter_table()
        if alter is None:
            return
        table = table_name(alter.this) or "?"
        if context.is_new(table):
            return
        for action in alter.args.get("actions") or []:
            if isinstance(action, exp.RenameColumn):
                old, new = ident(action.this), ident(action.args.get("to"))
            elif isinstance(action, exp.ModifyColumn) and action.args.get("rename_from") is not None:
                old, new = ident(action.args["rename_from"]), ident(action.this.this)
                if old.lower() == new.lower():
                    continue
            else:
                continue
            yield Draft(
                f"Renaming `{table}.{old}` to `{new}` breaks every running query that still names "
                f"`{old}` until "
                "all application code is deployed with the new name; add the new column, write both, "
                "backfill, switch reads, then drop the old column in a later migration.",
                offset=column_offset(statement, old),
            )
