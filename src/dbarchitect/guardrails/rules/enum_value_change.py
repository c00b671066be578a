"""enum-value-change: renaming, removing or reordering enum values breaks rows or running code.

Problem:

- PostgreSQL ``ALTER TYPE status RENAME VALUE 'new' TO 'created'`` is instant, but running code that
  still writes ``'new'`` fails at once. PostgreSQL cannot drop a value at all: recreating the type and
  converting columns rewrites every table that uses it (``changing-column-type``).
- PostgreSQL before 12: ``ALTER TYPE ... ADD VALUE`` cannot run inside a transaction block; from 12 it
  can, but the new value cannot be used until that transaction commits ("unsafe use of new value"), so a
  statement using it later in the same transaction fails.
- MySQL / MariaDB: redefining an ``ENUM`` column with a value removed or the values reordered copies the
  table (ALGORITHM=COPY measured on MariaDB 10.11 for a reorder), and rows holding a removed value fail
  the statement in strict mode or silently become ``''``. Appending values at the end is INSTANT.

Bad (MariaDB)::

    ALTER TABLE orders MODIFY COLUMN status ENUM('paid', 'new');   -- was ENUM('new', 'paid', 'void')

Good::

    ALTER TABLE orders MODIFY COLUMN status ENUM('new', 'paid', 'void', 'refunded'),
      ALGORITHM=INSTANT, LOCK=NONE;   -- append only

On MySQL/MariaDB the old values come from the catalog; without one the change is reported as a warning.

Fix: none automatic — add the new value, move rows and code over, and stop using the old one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbarchitect.guardrails.rule import (
    MYSQL_FAMILY,
    POSTGRES,
    Draft,
    Level,
    LintContext,
    Rule,
    Statement,
    as_written,
    type_changes,
)
from dbarchitect.model.types import TypeKind


class EnumValueChange(Rule):
    id = "enum-value-change"
    engines = POSTGRES | MYSQL_FAMILY
    summary = (
        "Renaming, removing or reordering enum values breaks rows or running code (or copies the table)."
    )

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        m = re.match(r"^ALTER TYPE (\S+) (RENAME VALUE|ADD VALUE)\b", statement.words)
        if m:
            enum = as_written(statement.sql, m[1].strip('"'))
            if m[2] == "RENAME VALUE":
                yield Draft(
                    f"Renaming a value of enum `{enum}` breaks running code that still writes or "
                    "compares the old "
                    "value; add the new value, move rows and code over, then stop using the old one.",
                )
            elif context.in_transaction and not context.traits.supports_version((12,)):
                yield Draft(
                    f"ALTER TYPE `{enum}` ADD VALUE cannot run inside a transaction block on "
                    f"{context.traits} (allowed from PostgreSQL 12); COMMIT before it and run it on its own.",
                )
            return
        yield from self._new_value_used(statement, context)
        if context.engine not in MYSQL_FAMILY:
            return
        for change in type_changes(statement, context):
            new = change.new
            if new is None or new.kind != TypeKind.ENUM or context.is_new(change.table):
                continue
            where = f"`{change.table}.{change.column}`"
            old = change.old
            if old is None or old.kind != TypeKind.ENUM:
                yield Draft(
                    f"Redefining enum column {where} without a catalog to compare: removing or "
                    "reordering values "
                    f"copies `{change.table}` and breaks rows holding a removed value; pass the current "
                    "schema, and only append values at the end.",
                    level=Level.WARNING,
                )
                continue
            removed = [v for v in old.values if v not in new.values]
            if removed:
                listed = ", ".join(f"'{v}'" for v in removed)
                yield Draft(
                    f"Redefining {where} drops enum value(s) {listed}: rows holding them fail the "
                    "statement (strict "
                    f"mode) or silently become '', and `{change.table}` is copied with writes blocked; "
                    "move rows off the value first, or keep it.",
                )
            elif tuple(new.values[: len(old.values)]) != old.values:
                yield Draft(
                    f"Redefining {where} reorders its enum values: `{change.table}` is copied with "
                    "writes blocked "
                    "(ALGORITHM=COPY) and ORDER BY on the column changes meaning; append new values at "
                    "the end instead.",
                )

    def _new_value_used(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        for enum, values in sorted(context.enum_values_in_transaction.items()):
            for value in sorted(values):
                if f"'{value}'" in statement.sql:
                    yield Draft(
                        f"Value '{value}' was added to enum `{enum}` in this same transaction: "
                        "PostgreSQL refuses "
                        "to use it until that transaction commits (unsafe use of new value); COMMIT after "
                        "ADD VALUE and use the value in a later transaction.",
                    )
