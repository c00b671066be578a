"""adding-volatile-default: a column added with a volatile default rewrites the table.

Problem: PostgreSQL 11+ stores a constant (or stable, like ``now()``) default once in the catalog, so
``ADD COLUMN ... DEFAULT 5`` is instant. A *volatile* default must be computed per row, so the whole
table is rewritten under ACCESS EXCLUSIVE (reads and writes wait). Measured on 15.18: ``DEFAULT
gen_random_uuid()``, ``DEFAULT random()``, a ``serial``/``bigserial`` column, ``GENERATED ... STORED``
and ``GENERATED ... AS IDENTITY`` all rewrite; ``DEFAULT now()`` does not.

Bad (PostgreSQL)::

    ALTER TABLE orders ADD COLUMN public_id uuid DEFAULT gen_random_uuid();

Good::

    ALTER TABLE orders ADD COLUMN public_id uuid;
    ALTER TABLE orders ALTER COLUMN public_id SET DEFAULT gen_random_uuid();
    -- then backfill existing rows in batches

Tables created earlier in the same file are exempt.

Fix: add the column without the default, then ``SET DEFAULT`` (new rows get it; backfill old ones).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import POSTGRES, Draft, Fix, LintContext, Rule, Statement, ident, table_name

#: Functions PostgreSQL marks volatile that turn up as column defaults.
VOLATILE_FUNCTIONS = frozenset(
    {
        "random",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "uuidv4",
        "uuidv7",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "txid_current",
        "setseed",
    }
)
#: A DEFAULT clause as written, up to the next column constraint or the end of the statement.
_DEFAULT = re.compile(
    r"\s+DEFAULT\s+(?P<expr>.+?)(?=\s+(?:NOT\s+NULL|NULL|CHECK|REFERENCES|CONSTRAINT|PRIMARY\s+KEY|UNIQUE|"
    r"COLLATE|GENERATED)\b|\s*$)",
    re.IGNORECASE | re.DOTALL,
)
_SERIAL = frozenset({exp.DType.SERIAL, exp.DType.BIGSERIAL, exp.DType.SMALLSERIAL})


class AddingVolatileDefault(Rule):
    id = "adding-volatile-default"
    engines = POSTGRES
    summary = "ADD COLUMN with a volatile default (random(), gen_random_uuid(), serial) rewrites the table."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        alter = statement.alter_table()
        if alter is None:
            return
        table = table_name(alter.this) or "?"
        if not context.has_rows(table):
            return
        actions = alter.args.get("actions") or []
        for action in actions:
            if not isinstance(action, exp.ColumnDef):
                continue
            column = ident(action.this)
            kinds = [c.args.get("kind") for c in action.args.get("constraints") or []]
            dtype = action.args.get("kind")
            default = next((k for k in kinds if isinstance(k, exp.DefaultColumnConstraint)), None)
            volatile = default is not None and _volatile(default.this)
            written = _DEFAULT.search(statement.sql) if len(actions) == 1 else None
            what = None
            if volatile and default is not None:
                text = written["expr"] if written else default.this.sql(context.dialect)
                what = f"default {text}"
            elif isinstance(dtype, exp.DataType) and dtype.this in _SERIAL:
                what = f"type {dtype.sql(context.dialect).lower()}"
            elif any(
                isinstance(k, exp.GeneratedAsIdentityColumnConstraint | exp.ComputedColumnConstraint)
                for k in kinds
            ):
                what = "a generated (stored or identity) value"
            if what is None:
                continue
            fix = None
            if volatile and written is not None:
                without = statement.sql[: written.start()].rstrip() + statement.sql[written.end() :]
                fix = Fix(
                    "add the column without the default, then set the default for new rows",
                    f"{without};\nALTER TABLE {alter.this.sql(context.dialect)} ALTER COLUMN "
                    f"{action.this.sql(context.dialect)} "
                    f"SET DEFAULT {written['expr']}",
                )
            yield Draft(
                f"Adding column `{table}.{column}` with {what} computes a value per row, so PostgreSQL "
                "rewrites "
                f"all of `{table}` under an ACCESS EXCLUSIVE lock ({context.size_note(table)}); add the "
                "column without it, SET DEFAULT separately, and backfill existing rows in batches.",
                fix=fix,
            )


def _volatile(node: exp.Expr) -> bool:
    for call in node.find_all(exp.Func):
        name = (call.sql_name() if not isinstance(call, exp.Anonymous) else str(call.this)).lower()
        if name in VOLATILE_FUNCTIONS or isinstance(call, exp.Rand | exp.Uuid):
            return True
    return False
