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
        out = [
            tree.sql(dialect=write, unsupported_level=sqlglot.ErrorLevel.RAISE) for tree in trees if tree is not None
        ]
    except SqlglotError as exc:
        raise SqlError(
            Diagnostic(f"cannot be written for {target.value}: {str(exc).splitlines()[0]}")
        ) from None
    if len(out) != 1:
        raise SqlError(Diagnostic(f"expected one statement, found {len(out)}"))
    return out[0]
