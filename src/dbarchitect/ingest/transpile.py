"""Translate a workload statement from one engine's SQL to another's with sqlglot.

Parameters survive translation: ``:name`` and ``?`` are kept as they are (every engine's driver or
SQLite accepts one of them), PostgreSQL ``$1`` becomes ``?`` for engines without numbered ones.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import Diagnostic, SqlError
from dbarchitect.model.names import EngineName

_STRFTIME = {"YEAR": "%Y", "MONTH": "%m", "DAY": "%d", "HOUR": "%H", "MINUTE": "%M", "SECOND": "%S"}


def _for_sqlite(tree: exp.Expr) -> exp.Expr:
    """Rewrite standard SQL that sqlglot passes through unchanged but SQLite cannot run, into SQLite's
    own forms with the same meaning: ``date '...' +/- interval 'n' unit`` -> ``DATE(..., '+n unit')``,
    ``EXTRACT(unit FROM x)`` -> ``CAST(STRFTIME(fmt, x) AS INTEGER)``, and a derived table's column
    list ``AS t (a, b)`` -> aliases on the subquery's own select list."""

    def rewrite(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Add | exp.Sub) and isinstance(node.expression, exp.Interval):
            left, interval = node.this, node.expression
            is_date = isinstance(left, exp.Cast) and left.to.this == exp.DataType.Type.DATE
            amount = interval.this
            if is_date and isinstance(amount, exp.Literal) and interval.unit is not None:
                number = amount.this if isinstance(node, exp.Add) else f"-{amount.this}"
                return exp.DateAdd(this=left, expression=exp.Literal.number(number), unit=interval.unit)
        if isinstance(node, exp.Extract) and node.name.upper() in _STRFTIME:
            fmt = exp.Literal.string(_STRFTIME[node.name.upper()])
            return exp.cast(exp.Anonymous(this="STRFTIME", expressions=[fmt, node.expression]), "INTEGER")
        if isinstance(node, exp.Subquery) and isinstance(node.this, exp.Select):
            alias = node.args.get("alias")
            columns = alias.columns if isinstance(alias, exp.TableAlias) else []
            select = node.this
            if isinstance(alias, exp.TableAlias) and columns and len(columns) == len(select.expressions):
                select.set(
                    "expressions",
                    [
                        exp.alias_(e.unalias(), c.copy())
                        for e, c in zip(select.expressions, columns, strict=True)
                    ],
                )
                alias.set("columns", None)
        return node

    return tree.transform(rewrite)


def transpile_statement(sql: str, source: EngineName, target: EngineName) -> str:
    """``sql`` written for ``source`` as ``target`` would run it. Raises SqlError when it cannot."""
    read = get_traits(source).sqlglot_dialect
    write = get_traits(target).sqlglot_dialect
    try:
        trees = sqlglot.parse(sql.strip().rstrip(";"), read=read)
        for tree in trees:
            # sqlglot reads ON CONFLICT (a, b) keys as ordered terms and then writes NULLS LAST
            # into them for SQLite, which SQLite rejects: the keys are plain columns.
            for conflict in tree.find_all(exp.OnConflict) if tree is not None else ():
                keys = conflict.args.get("conflict_keys") or []
                conflict.set("conflict_keys", [k.this if isinstance(k, exp.Ordered) else k for k in keys])
        if write == "sqlite":
            trees = [_for_sqlite(tree) if tree is not None else None for tree in trees]
        out = [
            tree.sql(dialect=write, unsupported_level=sqlglot.ErrorLevel.RAISE)
            for tree in trees
            if tree is not None
        ]
    except SqlglotError as exc:
        raise SqlError(
            Diagnostic(f"cannot be written for {target.value}: {str(exc).splitlines()[0]}")
        ) from None
    if len(out) != 1:
        raise SqlError(Diagnostic(f"expected one statement, found {len(out)}"))
    return out[0]
