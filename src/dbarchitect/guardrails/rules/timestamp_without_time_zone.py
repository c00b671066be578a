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
    column_offset,
    declared_types,
    retype_sql,
)

T = exp.DType
_TIMESTAMP = r"(?:pg_catalog\.)?timestamp(?:\s*\(\s*\d+\s*\))?(?:\s+without\s+time\s+zone)?"


class TimestampWithoutTimeZone(Rule):
    id = "timestamp-without-time-zone"
    engines = POSTGRES
    summary = "timestamp (without time zone) loses the instant; use timestamptz."
    level = Level.WARNING

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        found = [d for d in declared_types(statement) if d.base == "timestamp"]
        if not found:
            return
        fixed: str | None = statement.sql
        for declared in found:
            if fixed is not None:
                precision = f"({declared.modifiers[0]})" if declared.modifiers else ""
                fixed = retype_sql(fixed, declared.owner, _TIMESTAMP, f"timestamptz{precision}")
        if fixed is None and isinstance(statement.node, exp.Create | exp.Alter):
            tree = statement.node.copy()
            for d in list(tree.find_all(exp.DataType)):
                if d.this == T.TIMESTAMP and isinstance(
                    d.parent, exp.ColumnDef | exp.AlterColumn | exp.DataType
                ):
                    d.replace(exp.DataType(this=T.TIMESTAMPTZ, expressions=d.expressions))
            fixed = tree.sql(context.dialect)
        many = len(found) > 1
        domain = type(statement.pg).__name__ == "CreateDomainStmt"
        names = ", ".join(f"`{d.owner}`{' (an array)' if d.array else ''}" for d in found)
        subject = "Domain" if domain else "Columns" if many else "Column"
        yield Draft(
            f"{subject} {names} "
            f"{'are' if many else 'is'} timestamp without time zone, a wall-clock reading: "
            "instants written from different time zones compare wrong and daylight-saving hours repeat or "
            f"vanish; declare {'them' if many else 'it'} timestamptz (same 8 bytes).",
            fix=Fix(
                "declare the columns timestamptz" if many else "declare the column timestamptz",
                fixed,
            )
            if fixed
            else None,
            offset=None if domain else column_offset(statement, found[0].owner),
        )
