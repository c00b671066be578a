"""A rewritten statement that returns the original's result column names on an engine.

``rewritten`` (written in the brief's dialect) is given, as quoted aliases, the names ``target``'s
engine gives the columns of ``original`` as that engine runs it: the original as written when the
engine is the brief's, else as dbarch translates it
(:func:`~dbarchitect.ingest.transpile.transpile_statement`).
The naming rules are :mod:`dbarchitect.engines.output_names`'.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.output_names import output_names, with_output_names
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import SqlError
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog


def original_names(
    original: str, source: EngineTraits, target: EngineTraits, catalog: Catalog | None
) -> list[str] | None:
    """The names ``target`` gives the result columns of ``original`` (written for ``source``)."""
    sql = (
        original
        if target.engine == source.engine
        else transpile_statement(original, source.engine, target.engine, catalog)
    )
    return output_names(sql, target, catalog)


def _projections(sql: str, dialect: str) -> list[exp.Expr] | None:
    try:
        tree = sqlglot.parse_one(sql, read=dialect)
    except SqlglotError:
        return None
    while isinstance(tree, (exp.Union, exp.Subquery)):
        tree = tree.this
    return list(tree.expressions) if isinstance(tree, exp.Select) else None


def _same_columns(original: str, rewritten: str, dialect: str) -> bool:
    """Both return ``*``, ``t.*`` or plain columns, the same ones: their names are the same."""
    a, b = _projections(original, dialect), _projections(rewritten, dialect)
    return (
        a is not None
        and a == b
        and all(
            isinstance(p, exp.Star) or (isinstance(p, exp.Column) and not isinstance(p.this, exp.Dot))
            for p in a
        )
    )


def named_like(
    original: str,
    rewritten: str,
    source: EngineTraits,
    target: EngineTraits,
    catalog: Catalog | None,
    *,
    required: bool = True,
) -> str:
    """``rewritten`` (``source``'s dialect) with ``original``'s result column names on ``target``,
    still in ``source``'s dialect. Raises SqlError naming what cannot be reproduced (when
    ``required``; otherwise gives ``rewritten`` back as it is)."""
    names = original_names(original, source, target, catalog)
    if names is None and _same_columns(original, rewritten, source.sqlglot_dialect):
        return rewritten  # SELECT * (or columns) kept as they are: the same names
    if names is None:
        if not required:
            return rewritten
        raise SqlError(
            f"the names {target} gives the result columns of the statement cannot be told (SELECT *, or an "
            "expression dbarch does not know how it is named), so a rewrite could change the names the "
            "application reads; alias every result column to allow it"
        )
    out = with_output_names(rewritten, names, source.sqlglot_dialect)
    if out is None:
        if not required:
            return rewritten
        raise SqlError(
            f"the rewritten statement returns a different number of columns than the {len(names)} of the "
            "statement as written"
        )
    return out


__all__ = ["named_like", "original_names"]
