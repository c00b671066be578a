"""prefer-text-over-char: char(n) pads with spaces and saves nothing on PostgreSQL.

Problem: PostgreSQL's ``char(n)`` (``character(n)``, ``bpchar``) pads values with spaces to n
characters, ignores trailing spaces when comparing (``'a' = 'a  '``) but not in ``LIKE`` or when cast
to text, and is stored exactly like ``text`` and ``varchar`` — it is no faster and never smaller.
Changing its length later rewrites the table.

Bad (PostgreSQL)::

    CREATE TABLE countries (code char(2) PRIMARY KEY);

Good::

    CREATE TABLE countries (code text PRIMARY KEY CHECK (char_length(code) = 2));

On MySQL and MariaDB ``CHAR(n)`` is a fixed-width type that can suit fixed-length codes; the rule is
PostgreSQL-only.

Fix: declare the column ``text`` (add a CHECK for the length if it matters).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    POSTGRES,
    DeclaredType,
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
_CHAR_SQL = r"(?:pg_catalog\.)?(?:n?char|character|bpchar|national\s+char(?:acter)?)\s*(?:\(\s*\d+\s*\))?"


class PreferTextOverChar(Rule):
    id = "prefer-text-over-char"
    engines = POSTGRES
    summary = "char(n) pads with spaces and is no faster than text on PostgreSQL."
    level = Level.WARNING

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        found = [d for d in declared_types(statement) if d.base == "bpchar"]
        if not found:
            return
        fixed: str | None = statement.sql
        for declared in found:
            fixed = retype_sql(fixed, declared.owner, _CHAR_SQL, "text") if fixed is not None else None
        if fixed is None and isinstance(statement.node, exp.Create | exp.Alter):
            tree = statement.node.copy()
            for d in list(tree.find_all(exp.DataType)):
                if d.this in (T.CHAR, T.NCHAR, T.BPCHAR) and isinstance(
                    d.parent, exp.ColumnDef | exp.AlterColumn | exp.DataType
                ):
                    d.replace(exp.DataType(this=T.TEXT))
            fixed = tree.sql(context.dialect)
        many = len(found) > 1
        subject, pad, compare, them = (
            ("Columns", "pad", "compare", "them") if many else ("Column", "pads", "compares", "it")
        )
        domain = type(statement.pg).__name__ == "CreateDomainStmt"
        if domain:
            subject, pad, compare, them = ("Domain", "pads", "compares", "it")
        names = ", ".join(f"`{d.owner}` ({_written(d)})" for d in found)
        yield Draft(
            f"{subject} {names} {pad} values with spaces and {compare} inconsistently, with no size or speed "
            f"gain over text on PostgreSQL; declare {them} text, with a CHECK on char_length if the length "
            "matters.",
            fix=Fix("declare the columns text" if many else "declare the column text", fixed)
            if fixed
            else None,
            offset=None if domain else column_offset(statement, found[0].owner),
        )


def _written(declared: DeclaredType) -> str:
    base = "char" if declared.qualified else "bpchar"
    length = f"({declared.modifiers[0]})" if declared.modifiers else ""
    return f"{base}{length}{'[]' if declared.array else ''}"
