"""adding-not-null-column: a NOT NULL column without a default cannot be added to a table with rows.

Problem: on PostgreSQL ``ALTER TABLE orders ADD COLUMN region text NOT NULL`` fails on the first
existing row ("column contains null values") after taking an ACCESS EXCLUSIVE lock. With a constant
default, PostgreSQL 11+ adds the column without a rewrite (a "fast default",
measured on 15.18), which is safe.

Bad (PostgreSQL)::

    ALTER TABLE orders ADD COLUMN region text NOT NULL;

Good::

    ALTER TABLE orders ADD COLUMN region text NOT NULL DEFAULT 'eu';   -- constant default, PG 11+
    -- or: add it nullable, backfill in batches, then SET NOT NULL after a validated CHECK

Tables created earlier in the same file, and tables the given sizes say are empty, are exempt, and so
are identity and generated columns (``GENERATED ALWAYS AS (...) STORED NOT NULL``): PostgreSQL fills
every existing row (their rewrite is ``adding-volatile-default``'s case).
A volatile default (``random()``, ``gen_random_uuid()``) is ``adding-volatile-default``'s case.

Fix: none automatic — the value for existing rows is a business decision.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    POSTGRES,
    Draft,
    LintContext,
    Rule,
    Statement,
    column_offset,
    ident,
    table_name,
)


class AddingNotNullColumn(Rule):
    id = "adding-not-null-column"
    engines = POSTGRES
    summary = "ADD COLUMN ... NOT NULL without a default fails on a table that has rows."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        alter = statement.alter_table()
        if alter is None:
            return
        table = table_name(alter.this)
        if not context.has_rows(table):
            return
        for action in alter.args.get("actions") or []:
            if not isinstance(action, exp.ColumnDef):
                continue
            kinds = [c.args.get("kind") for c in action.args.get("constraints") or []]
            not_null = any(
                isinstance(k, exp.NotNullColumnConstraint) and not k.args.get("allow_null") for k in kinds
            )
            has_default = any(isinstance(k, exp.DefaultColumnConstraint) for k in kinds)
            # An identity or a generated expression gives every existing row a value.
            generated = any(
                isinstance(k, exp.GeneratedAsIdentityColumnConstraint | exp.ComputedColumnConstraint)
                for k in kinds
            )
            column = ident(action.this)
            if not_null and not has_default and not generated:
                yield Draft(
                    f"Adding NOT NULL column `{table}.{column}` without a default fails on the existing "
                    "rows of "
                    f"`{table}` ({context.size_note(table)}); add it nullable, backfill in batches, then "
                    "SET NOT NULL after a validated CHECK (... IS NOT NULL), or give it a constant default.",
                    offset=column_offset(statement, column),
                )
