"""timestamp-without-time-zone: store instants as timestamptz, not timestamp.

Problem: PostgreSQL's ``timestamp`` (without time zone) stores a wall-clock reading with no zone:
the same instant written by servers or sessions in different zones compares wrong, daylight-saving
changes create duplicate or missing hours, and converting the column later rewrites the table unless
the session runs in UTC (measured on 15.18). ``timestamptz`` stores an instant (UTC internally, 8 bytes
like ``timestamp``) and converts on display.

Bad (PostgreSQL)::

    CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamp NOT NULL);

Good::

    CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);

Use ``timestamp`` only for a deliberately zone-less local time (an alarm at 07:00 wherever the user
is) and suppress the rule on that line.

Fix: declare the column ``timestamptz``.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    POSTGRES,
    Draft,
    Fix,
    Level,
    LintContext,
    Rule,
    Statement,
    ident,
    retype_sql,
)

T = exp.DType
_TIMESTAMP = r"timestamp(?:\s*\(\s*\d+\s*\))?(?:\s+without\s+time\s+zone)?"


class TimestampWithoutTimeZone(Rule):
    id = "timestamp-without-time-zone"
    engines = POSTGRES
    summary = "timestamp (without time zone) loses the instant; use timestamptz."
    level = Level.WARNING

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        node = statement.node
        if not isinstance(node, exp.Create | exp.Alter):
            return
        columns = [
            ident(d.parent) for d in node.find_all(exp.DataType) if d.this == T.TIMESTAMP and _declares(d)
        ]
        if not columns:
            return
        fixed: str | None = statement.sql
        for d in node.find_all(exp.DataType):
            if d.this == T.TIMESTAMP and _declares(d) and fixed is not None:
                precision = f"({d.expressions[0].sql()})" if d.expressions else ""
                fixed = retype_sql(fixed, ident(d.parent), _TIMESTAMP, f"timestamptz{precision}")
        if fixed is None:
            tree = node.copy()
            for d in list(tree.find_all(exp.DataType)):
                if d.this == T.TIMESTAMP and _declares(d):
                    d.replace(exp.DataType(this=T.TIMESTAMPTZ, expressions=d.expressions))
            fixed = tree.sql(context.dialect)
        names = ", ".join(f"`{c}`" for c in columns)
        yield Draft(
            f"{'Columns' if len(columns) > 1 else 'Column'} {names} "
            f"{'are' if len(columns) > 1 else 'is'} timestamp without time zone, a wall-clock reading: "
            "instants written from different time zones compare wrong and daylight-saving hours repeat or "
            f"vanish; declare {'them' if len(columns) > 1 else 'it'} timestamptz (same 8 bytes).",
            fix=Fix(
                "declare the columns timestamptz" if len(columns) > 1 else "declare the column timestamptz",
                fixed,
            ),
        )


def _declares(dtype: exp.DataType) -> bool:
    """The type is a column's declared type (not a cast inside a default or a USING clause)."""
    return isinstance(dtype.parent, exp.ColumnDef | exp.AlterColumn) and dtype.arg_key in ("kind", "dtype")
