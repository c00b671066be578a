"""adding-volatile-default: a column added with a volatile default rewrites the table.

Problem: PostgreSQL 11+ stores a constant (or stable, like ``now()``) default once in the catalog, so
``ADD COLUMN ... DEFAULT 5`` is instant. A *volatile* default must be computed per row, so the whole
table is rewritten under ACCESS EXCLUSIVE (reads and writes wait). Measured on 15.18: ``DEFAULT
gen_random_uuid()``, ``DEFAULT random()``, a ``serial``/``bigserial`` column, ``GENERATED ... STORED``
and ``GENERATED ... AS IDENTITY`` all rewrite; ``DEFAULT now()`` does not.

A function PostgreSQL does not know to be STABLE or IMMUTABLE is VOLATILE: that is the default of
``CREATE FUNCTION``, so ``DEFAULT myfunc()`` rewrites the table (measured on 15.20 with a PL/pgSQL
function) unless the function is declared STABLE or IMMUTABLE — in the same file (the rule reads the
``CREATE FUNCTION``) or by being one of PostgreSQL's own non-volatile functions (``now()``,
``lower()``, ``jsonb_build_object()``, casts...). Nothing is assumed about a function the linter has
not seen declared.

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
        "gen_random_bytes",
    }
)
#: PostgreSQL's own STABLE or IMMUTABLE functions (and function-like constructs) seen in defaults, by
#: the name PostgreSQL spells them: a default built from these alone is computed once.
NON_VOLATILE_FUNCTIONS = frozenset(
    {
        "abs", "age", "array", "array_fill", "array_length", "array_to_string", "btrim", "cardinality",
        "cast", "ceil", "ceiling", "char_length", "character_length", "coalesce", "concat", "concat_ws",
        "current_catalog", "current_database", "current_date", "current_role", "current_schema",
        "current_setting", "current_time", "current_timestamp", "current_user", "date_part",
        "date_trunc", "daterange", "decode", "encode", "exp", "extract", "floor", "format", "greatest",
        "initcap", "int4range", "int8range", "json_build_array", "json_build_object", "jsonb_build_array",
        "jsonb_build_object", "least", "left", "length", "ln", "localtime", "localtimestamp", "log",
        "lower", "lpad", "ltrim", "make_date", "make_interval", "make_time", "make_timestamp",
        "make_timestamptz", "md5", "mod", "now", "nullif", "numrange", "octet_length", "position",
        "power", "regexp_replace", "repeat", "replace", "right", "round", "row", "rpad", "rtrim",
        "session_user", "sha256", "sign", "split_part", "sqrt", "statement_timestamp", "string_to_array",
        "strpos", "substr", "substring", "timezone", "to_char", "to_date", "to_json", "to_jsonb",
        "to_number", "to_timestamp", "transaction_timestamp", "trim", "trunc", "tsrange", "tstzrange",
        "upper", "user",
    }
)  # fmt: skip
#: A DEFAULT clause as written, up to the next column constraint or the end of the statement.
_DEFAULT = re.compile(
    r"\s+DEFAULT\s+(?P<expr>.+?)(?=\s+(?:NOT\s+NULL|NULL|CHECK|REFERENCES|CONSTRAINT|PRIMARY\s+KEY|UNIQUE|"
    r"COLLATE|GENERATED)\b|\s*$)",
    re.IGNORECASE | re.DOTALL,
)
_SERIAL = frozenset({exp.DType.SERIAL, exp.DType.BIGSERIAL, exp.DType.SMALLSERIAL})
_CALLED = re.compile(r"^\s*(?:[\w\"]+\.)?\"?([A-Za-z_][\w$]*)\"?")


class AddingVolatileDefault(Rule):
    id = "adding-volatile-default"
    engines = POSTGRES
    summary = "ADD COLUMN with a volatile default (random(), an unknown function, serial) rewrites the table."

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
            volatile = volatile_calls(default.this, context) if default is not None else []
            written = _DEFAULT.search(statement.sql) if len(actions) == 1 else None
            what = advice = None
            if volatile and default is not None:
                text = written["expr"] if written else default.this.sql(context.dialect)
                declared = [f for f in volatile if f in context.functions]
                unknown = [f for f in volatile if f not in VOLATILE_FUNCTIONS and f not in declared]
                what = f"default {text}"
                if declared:
                    what += f" ({', '.join(f'{f}()' for f in declared)} declared VOLATILE in this file)"
                if unknown:
                    what += (
                        f" ({', '.join(f'{f}()' for f in unknown)} is VOLATILE unless declared STABLE or "
                        "IMMUTABLE, and no declaration is in this file)"
                    )
                advice = (
                    "add the column without it, SET DEFAULT separately, and backfill existing rows in batches"
                )
            elif isinstance(dtype, exp.DataType) and dtype.this in _SERIAL:
                what = f"type {dtype.sql(context.dialect).lower()}"
                advice = (
                    "add it as a plain integer column, attach a sequence with SET DEFAULT nextval(...), and "
                    "backfill existing rows in batches"
                )
            elif any(isinstance(k, exp.GeneratedAsIdentityColumnConstraint) for k in kinds):
                what = "an identity"
                advice = (
                    "add it as a plain column, fill existing rows in batches, SET NOT NULL after a validated "
                    "CHECK, then ALTER COLUMN ... ADD GENERATED ... AS IDENTITY (no rewrite)"
                )
            elif any(isinstance(k, exp.ComputedColumnConstraint) for k in kinds):
                what = "a stored generated expression"
                advice = (
                    "add a plain column kept in step by a trigger and backfill it in batches instead "
                    "(PostgreSQL cannot give an existing column a generated expression without a rewrite)"
                )
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
                f"all of `{table}` under an ACCESS EXCLUSIVE lock ({context.size_note(table)}); {advice}.",
                fix=fix,
                offset=column_offset(statement, column),
            )


def volatile_calls(node: exp.Expr, context: LintContext) -> list[str]:
    """The functions in a default expression that make it volatile: PostgreSQL's volatile ones, and any
    function not known to be STABLE or IMMUTABLE (declared so earlier in the file, or PostgreSQL's
    own), in the order written."""
    found: list[str] = []
    for call in node.find_all(exp.Func):
        if isinstance(call, exp.Rand | exp.Uuid):
            name = "random" if isinstance(call, exp.Rand) else "gen_random_uuid"
        else:
            m = _CALLED.match(call.sql(context.dialect))
            if not m:
                continue
            name = m.group(1).lower()
        declared = context.functions.get(name)
        if declared is not None:
            volatile = declared == "volatile"
        else:
            volatile = name in VOLATILE_FUNCTIONS or name not in NON_VOLATILE_FUNCTIONS
        if volatile and name not in found:
            found.append(name)
    return found
