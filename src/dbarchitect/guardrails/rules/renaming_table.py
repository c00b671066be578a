"""renaming-table: renaming a table breaks every running query that uses the old name.

Problem: the rename takes only a brief lock (PostgreSQL ACCESS EXCLUSIVE; MariaDB INSTANT but with
``LOCK=EXCLUSIVE``), but code deployed before the migration keeps using the old name and fails until
every instance runs the new code.

Bad::

    ALTER TABLE customers RENAME TO clients;

Good: create the new name as an updatable view first (PostgreSQL: ``CREATE VIEW clients AS SELECT *
FROM customers``), move the code over, then rename the table and drop the view in one transaction; or
expand and contract with a new table.

Tables created earlier in the same file are exempt. MySQL's ``RENAME TABLE a TO b`` is reported too.

Fix: none automatic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    ALL_ENGINES,
    Draft,
    LintContext,
    Rule,
    Statement,
    as_written,
    table_name,
)


class RenamingTable(Rule):
    id = "renaming-table"
    engines = ALL_ENGINES
    summary = "RENAME TO breaks running application code that still uses the old table name."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        pairs: list[tuple[str, str]] = []
        alter = statement.alter_table()
        if alter is not None:
            table = table_name(alter.this) or "?"
            for action in alter.args.get("actions") or []:
                if isinstance(action, exp.AlterRename):
                    pairs.append((table, table_name(action.this) or "?"))
        else:
            m = re.match(r"^RENAME TABLE (.+)$", statement.words)
            if m:
                for pair in m[1].split(","):
                    parts = pair.split(" TO ")
                    if len(parts) == 2:
                        old = as_written(statement.sql, parts[0].strip().strip('`"'))
                        new = as_written(statement.sql, parts[1].strip().strip('`"'))
                        pairs.append((old, new))
        for old, new in pairs:
            if context.is_new(old):
                continue
            yield Draft(
                f"Renaming table `{old}` to `{new}` breaks every running query that still names `{old}` "
                "until all "
                f"application code is deployed with the new name; expose `{new}` as a view over `{old}` "
                "first, move the code over, then rename and drop the view in one transaction.",
            )
