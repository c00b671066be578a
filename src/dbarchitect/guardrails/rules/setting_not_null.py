"""setting-not-null: SET NOT NULL on an existing table scans it under an ACCESS EXCLUSIVE lock.

Problem: on PostgreSQL ``ALTER TABLE ... ALTER COLUMN c SET NOT NULL`` reads every row to prove there
is no NULL while holding ACCESS EXCLUSIVE: reads and writes wait for the scan (measured on 15.18:
284 ms for 3M rows; proportionally longer on bigger tables, and unbounded while it queues behind a
long transaction). From PostgreSQL 12 the scan is skipped when a *validated*
``CHECK (c IS NOT NULL)`` exists (4 ms measured).

Bad (PostgreSQL)::

    ALTER TABLE orders ALTER COLUMN region SET NOT NULL;

Good (PostgreSQL 12+)::

    ALTER TABLE orders ADD CONSTRAINT orders_region_not_null CHECK (region IS NOT NULL) NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_region_not_null;
    ALTER TABLE orders ALTER COLUMN region SET NOT NULL;
    ALTER TABLE orders DROP CONSTRAINT orders_region_not_null;

Reported when the table was not created in the same file and its size is unknown or at least
1,000,000 rows (the given sizes or catalog statistics say). The proof is read as PostgreSQL reads it:
``col IS NOT NULL`` or ``NOT (col IS NULL)``, alone or ANDed with other terms (an OR proves nothing),
named or named the way PostgreSQL names an unnamed check, validated by a VALIDATE CONSTRAINT or added
valid; dropping the check in the same statement as SET NOT NULL (or before it) loses the proof and
the scan comes back (measured on 15.20). PostgreSQL 18 can add the NOT NULL constraint itself
``NOT VALID`` and validate it.

Fix: on PostgreSQL 12+, the four statements above (run the VALIDATE in its own transaction).
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast.enums.parsenodes import AlterTableType
from sqlglot import exp

from dbarchitect.guardrails.rule import (
    POSTGRES,
    Draft,
    Fix,
    LintContext,
    Rule,
    Statement,
    column_offset,
    ident,
    table_name,
)


class SettingNotNull(Rule):
    id = "setting-not-null"
    engines = POSTGRES
    summary = "SET NOT NULL on a big or existing table scans it while blocking reads and writes."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        alter = statement.alter_table()
        if alter is None:
            return
        table = table_name(alter.this) or "?"
        if not context.may_be_big(table):
            return
        actions = alter.args.get("actions") or []
        dropped_here = _dropped_constraints(statement)
        for action in actions:
            if not isinstance(action, exp.AlterColumn) or action.args.get("allow_null") is not False:
                continue
            column = ident(action.this)
            if context.proven_not_null(table, column, dropped_here) and context.traits.supports_version(
                (12,)
            ):
                continue
            fix = None
            if len(actions) == 1 and context.traits.supports_version((12,)):
                check = context.traits.quote(f"{table}_{column}_not_null".lower())
                target, col = alter.this.sql(context.dialect), action.this.sql(context.dialect)
                fix = Fix(
                    "prove NOT NULL with a validated CHECK first, so SET NOT NULL does not scan",
                    f"ALTER TABLE {target} ADD CONSTRAINT {check} CHECK ({col} IS NOT NULL) NOT VALID;\n"
                    f"ALTER TABLE {target} VALIDATE CONSTRAINT {check};\n{statement.sql};\n"
                    f"ALTER TABLE {target} DROP CONSTRAINT {check}",
                )
            yield Draft(
                f"Setting `{table}.{column}` NOT NULL scans all of `{table}` under an ACCESS EXCLUSIVE lock "
                f"({context.size_note(table)}), blocking reads and writes; add CHECK ({column} IS NOT NULL) "
                "NOT VALID, VALIDATE it in its own transaction, then SET NOT NULL (no scan on "
                "PostgreSQL 12+) and drop the check.",
                fix=fix,
                offset=column_offset(statement, column),
            )


def _dropped_constraints(statement: Statement) -> set[str]:
    """Constraints the statement drops: PostgreSQL drops them before it checks SET NOT NULL, so a
    check dropped in the same statement proves nothing (measured on 15.20: the table is scanned)."""
    pg = statement.pg
    if type(pg).__name__ != "AlterTableStmt":
        return set()
    return {
        str(cmd.name).lower()
        for cmd in pg.cmds or ()
        if int(cmd.subtype) == int(AlterTableType.AT_DropConstraint) and cmd.name
    }
