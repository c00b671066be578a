"""constraint-missing-not-valid: add foreign keys and checks NOT VALID, then VALIDATE separately.

Problem: on PostgreSQL ``ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY`` scans the whole table under
a SHARE ROW EXCLUSIVE lock on *both* tables (writes to either wait), and ``ADD CONSTRAINT ... CHECK``
scans it under ACCESS EXCLUSIVE (reads wait too) — measured on 15.18. Adding the constraint
``NOT VALID`` takes the lock only briefly (new rows are checked at once); ``VALIDATE CONSTRAINT``
then scans under SHARE UPDATE EXCLUSIVE while reads and writes go on. The two must run in separate
transactions, or the strong lock is held through the scan: a VALIDATE in the same transaction as its
NOT VALID add is reported too.

Bad (PostgreSQL)::

    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id);

Good::

    ALTER TABLE orders ADD CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
      NOT VALID;
    ALTER TABLE orders VALIDATE CONSTRAINT orders_customer_fk;

A ``REFERENCES`` or ``CHECK`` written on a column that ``ADD COLUMN`` adds checks every existing row
too, under the ADD's ACCESS EXCLUSIVE lock, though the new column holds only NULL or its default
(measured on 15: 1M rows, 95 ms with REFERENCES and 94 ms with a CHECK against 3 ms without; PostgreSQL
logs ``verifying table`` for the check) — Django writes such a CHECK for every ``PositiveIntegerField``.
Add the column bare, then the constraint NOT VALID, then validate it.

MySQL and MariaDB have no NOT VALID: adding a FK or CHECK copies the table there (see
``mysql-algorithm-copy``). Tables created earlier in the same file are exempt.

Fix: append ``NOT VALID`` and, outside a transaction, a separate ``VALIDATE CONSTRAINT``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

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


class ConstraintMissingNotValid(Rule):
    id = "constraint-missing-not-valid"
    engines = POSTGRES
    summary = "ADD CONSTRAINT FOREIGN KEY / CHECK without NOT VALID scans the table under a blocking lock."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        validate = re.match(
            r"^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(\S+) VALIDATE CONSTRAINT (\S+)$", statement.words
        )
        if validate:
            name = validate[2].strip('"`').lower()
            if name in context.not_valid_in_transaction:
                table = context.not_valid_in_transaction[name]
                yield Draft(
                    f"Validating `{name}` in the same transaction that added it NOT VALID keeps the "
                    f"strong lock taken by the ADD on `{table}` through the whole validation scan; "
                    "COMMIT after the ADD ... NOT VALID and validate in a transaction of its own."
                )
            return
        alter = statement.alter_table()
        if alter is None or alter.args.get("not_valid"):
            return
        table = table_name(alter.this) or "?"
        if context.is_new(table):
            return
        for action in alter.args.get("actions") or []:
            if isinstance(action, exp.ColumnDef):
                yield from self._inline(statement, context, table, action)
                continue
            if not isinstance(action, exp.AddConstraint):
                continue
            for constraint in action.expressions:
                kind = _kind(constraint)
                if kind is None:
                    continue
                name = ident(constraint.this) if isinstance(constraint, exp.Constraint) else None
                yield self._draft(statement, alter, context, table, name, kind)

    def _inline(
        self, statement: Statement, context: LintContext, table: str, column: exp.ColumnDef
    ) -> Iterator[Draft]:
        """ADD COLUMN with an inline REFERENCES or CHECK: PostgreSQL checks every existing row (the
        new column's value, NULL or the default) under the ADD's ACCESS EXCLUSIVE lock."""
        name = ident(column.this)
        for constraint in column.args.get("constraints") or []:
            kind = constraint.args.get("kind")
            if isinstance(kind, exp.Reference):
                what, lock = (
                    "a foreign key",
                    f"`{table}` and a SHARE ROW EXCLUSIVE lock on the referenced table",
                )
            elif isinstance(kind, exp.CheckColumnConstraint):
                what, lock = "a CHECK", f"`{table}`"
            else:
                continue
            yield Draft(
                f"Adding column `{table}.{name}` with {what} written on it checks every existing row of "
                f"`{table}` ({context.size_note(table)}) under an ACCESS EXCLUSIVE lock on {lock}, though "
                "the column is new; add the column without it, then ADD CONSTRAINT ... NOT VALID and "
                "VALIDATE CONSTRAINT in a separate transaction.",
                offset=column_offset(statement, name),
            )

    def _draft(
        self,
        statement: Statement,
        alter: exp.Alter,
        context: LintContext,
        table: str,
        name: str | None,
        kind: str,
    ) -> Draft:
        if kind == "foreign key":
            lock = f"a SHARE ROW EXCLUSIVE lock on `{table}` and the referenced table (writes to both wait)"
        else:
            lock = f"an ACCESS EXCLUSIVE lock on `{table}` (reads and writes wait)"
        label = f"{kind} `{name}`" if name else f"a {kind}"
        fix = None
        if len(alter.args.get("actions") or []) == 1:
            replacement = f"{statement.sql} NOT VALID"
            if name and not context.in_transaction:
                target = alter.this.sql(context.dialect)
                replacement += f";\nALTER TABLE {target} VALIDATE CONSTRAINT {context.traits.quote(name)}"
            fix = Fix("add the constraint NOT VALID, then validate it separately", replacement)
        return Draft(
            f"Adding {label} on `{table}` without NOT VALID checks every existing row "
            f"({context.size_note(table)}) under {lock}; add it NOT VALID, then VALIDATE CONSTRAINT in a "
            "separate transaction, which scans without blocking writes.",
            fix=fix,
        )


def _kind(constraint: exp.Expr) -> str | None:
    if constraint.find(exp.ForeignKey) is not None:
        return "foreign key"
    if constraint.find(exp.CheckColumnConstraint) is not None:
        return "check constraint"
    return None
