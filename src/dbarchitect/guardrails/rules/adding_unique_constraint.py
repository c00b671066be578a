"""adding-unique-constraint: build the unique index concurrently, then attach it as the constraint.

Problem: on PostgreSQL ``ADD CONSTRAINT ... UNIQUE`` and ``ADD PRIMARY KEY`` build their index while
holding ACCESS EXCLUSIVE on the table (measured on 15.18): reads and writes wait for the whole build.

Bad (PostgreSQL)::

    ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE (email);

Good::

    CREATE UNIQUE INDEX CONCURRENTLY customers_email_key ON customers (email);
    ALTER TABLE customers ADD CONSTRAINT customers_email_key UNIQUE USING INDEX customers_email_key;

The concurrent build runs outside a transaction; if it fails (duplicates, or a lock timeout) it leaves
an INVALID index to drop before retrying — check ``pg_index.indisvalid`` and look for duplicates with
``GROUP BY ... HAVING count(*) > 1`` first. MySQL and MariaDB add unique indexes online
(``ALGORITHM=NOCOPY``/``INPLACE, LOCK=NONE`` measured on MariaDB 10.11). Tables created earlier in the
same file are exempt.

Fix: the two statements above (a constraint name is made up PostgreSQL's way when none is given).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import POSTGRES, Draft, Fix, LintContext, Rule, Statement, ident, table_name


class AddingUniqueConstraint(Rule):
    id = "adding-unique-constraint"
    engines = POSTGRES
    summary = "ADD UNIQUE / PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        alter = statement.alter_table()
        if alter is None:
            return
        table = table_name(alter.this) or "?"
        if context.is_new(table):
            return
        actions = alter.args.get("actions") or []
        for action in actions:
            if not isinstance(action, exp.AddConstraint):
                continue
            for constraint in action.expressions:
                name = ident(constraint.this) if isinstance(constraint, exp.Constraint) else None
                body = constraint.expressions[0] if isinstance(constraint, exp.Constraint) else constraint
                if isinstance(body, exp.PrimaryKey):
                    kind, keyword = "primary key", "PRIMARY KEY"
                    columns = [ident(c) for c in body.expressions]
                    written = [c.sql(context.dialect) for c in body.expressions]
                    default_name = f"{table}_pkey"
                elif isinstance(body, exp.UniqueColumnConstraint) and isinstance(body.this, exp.Schema):
                    kind, keyword = "unique constraint", "UNIQUE"
                    columns = [ident(c) for c in body.this.expressions]
                    written = [c.sql(context.dialect) for c in body.this.expressions]
                    default_name = f"{table}_{'_'.join(columns)}_key"
                else:
                    continue
                index = name or default_name.lower()
                index_sql = context.traits.quote(index)
                target = alter.this.sql(context.dialect)
                fix = None
                if len(actions) == 1 and len(action.expressions) == 1 and not context.in_transaction:
                    fix = Fix(
                        "build the unique index concurrently, then attach it as the constraint",
                        f"CREATE UNIQUE INDEX CONCURRENTLY {index_sql} ON {target} ({', '.join(written)});\n"
                        f"ALTER TABLE {target} ADD CONSTRAINT {index_sql} {keyword} USING INDEX {index_sql}",
                    )
                yield Draft(
                    f"Adding {kind} `{index}` on `{table}` ({', '.join(columns)}) builds its index under "
                    "an ACCESS "
                    f"EXCLUSIVE lock ({context.size_note(table)}), blocking reads and writes for the "
                    "whole build; "
                    f"CREATE UNIQUE INDEX CONCURRENTLY first, then ADD CONSTRAINT ... {keyword} USING INDEX.",
                    fix=fix,
                )
