"""Translate a workload statement from one engine's SQL to another's with sqlglot.

Parameters survive translation: ``:name`` and ``?`` are kept as they are (every engine's driver or
SQLite accepts one of them), PostgreSQL ``$1`` becomes ``?`` for engines without numbered ones.
"""

from __future__ import annotations

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import Diagnostic, SqlError
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.names import EngineName

_STRFTIME = {"YEAR": "%Y", "MONTH": "%m", "DAY": "%d", "HOUR": "%H", "MINUTE": "%M", "SECOND": "%S"}


def _without_derived_column_lists(tree: exp.Expr) -> exp.Expr:
    """A derived table's column list ``AS t (a, b)`` moved onto the subquery's own select list (for an
    engine that refuses the list; the result is the same)."""

    def rewrite(node: exp.Expr) -> exp.Expr:
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


#: ``date_trunc(unit, x)`` as SQLite's ``datetime(x, modifier)``.
_SQLITE_START = {"DAY": "start of day", "MONTH": "start of month", "YEAR": "start of year"}


def _for_sqlite(tree: exp.Expr) -> exp.Expr:
    """Rewrite standard SQL that sqlglot passes through unchanged but SQLite cannot run, into SQLite's
    own forms with the same meaning: ``date '...' +/- interval 'n' unit`` -> ``DATE(..., '+n unit')``,
    ``EXTRACT(unit FROM x)`` -> ``CAST(STRFTIME(fmt, x) AS INTEGER)``, ``date_trunc('month', x)`` ->
    ``DATETIME(x, 'start of month')`` (day and year too)."""

    def rewrite(node: exp.Expr) -> exp.Expr:
        if isinstance(node, exp.Add | exp.Sub) and isinstance(node.expression, exp.Interval):
            left, interval = node.this, node.expression
            is_date = isinstance(left, exp.Cast) and left.to.this == exp.DataType.Type.DATE
            amount = interval.this
            if is_date and isinstance(amount, exp.Literal) and interval.unit is not None:
                number = amount.this if isinstance(node, exp.Add) else f"-{amount.this}"
                return exp.DateAdd(
                    this=_for_sqlite(left.copy()), expression=exp.Literal.number(number), unit=interval.unit
                )
        if isinstance(node, exp.DateTrunc | exp.TimestampTrunc) and node.unit is not None:
            start = _SQLITE_START.get(node.unit.name.upper())
            if start is not None:
                return exp.Anonymous(this="DATETIME", expressions=[node.this, exp.Literal.string(start)])
        if isinstance(node, exp.Extract) and node.name.upper() in _STRFTIME:
            fmt = exp.Literal.string(_STRFTIME[node.name.upper()])
            return exp.cast(exp.Anonymous(this="STRFTIME", expressions=[fmt, node.expression]), "INTEGER")
        return node

    return tree.transform(rewrite)


def _cannot(target: EngineTraits, why: str) -> SqlError:
    return SqlError(Diagnostic(f"cannot be written for {target.engine.value}: {why}"))


def _upsert_for(tree: exp.Expr, source: EngineTraits, target: EngineTraits) -> exp.Expr:
    """Rewrite an upsert between ``ON CONFLICT`` and ``ON DUPLICATE KEY UPDATE`` engines (sqlglot
    passes either through unchanged, which the other family rejects or misreads).

    ``ON CONFLICT ... DO UPDATE SET c = EXCLUDED.c`` becomes ``ON DUPLICATE KEY UPDATE c = VALUES(c)``
    and ``DO NOTHING`` becomes ``INSERT IGNORE``; the conflict target is dropped because MySQL and
    MariaDB resolve a conflict on *any* unique key — the same statement when the target is the
    table's only unique key besides the primary key. The reverse needs the conflict target, which
    ``ON DUPLICATE KEY`` does not name, so it is refused with what to write instead."""
    if source.upsert_syntax == target.upsert_syntax:
        return tree
    for conflict in list(tree.find_all(exp.OnConflict)):
        insert = conflict.parent
        if not isinstance(insert, exp.Insert):
            continue
        if target.upsert_syntax == "on_conflict":
            raise _cannot(
                target,
                "ON DUPLICATE KEY UPDATE names no conflict target; write the statement for "
                f"{target.label} with ON CONFLICT (key columns) DO UPDATE",
            )
        if conflict.args.get("where") is not None or conflict.args.get("index_predicate") is not None:
            raise _cannot(target, f"{target.label} has no conditional upsert (ON CONFLICT ... WHERE)")
        action = str(conflict.args.get("action") or "").upper()
        if "NOTHING" in action:
            insert.set("conflict", None)
            insert.set("ignore", True)
            continue

        def values_of(node: exp.Expr) -> exp.Expr:
            if isinstance(node, exp.Column) and node.table.lower() == "excluded":
                return exp.Anonymous(this="VALUES", expressions=[node.this.copy()])
            return node

        assignments = [e.transform(values_of) for e in conflict.expressions]
        insert.set(
            "conflict",
            exp.OnConflict(duplicate=True, expressions=assignments, action=exp.var("UPDATE")),
        )
    return tree


def _not_null_column(column: exp.Column, tables: dict[str, Table], catalog: Catalog) -> bool:
    """Whether ``column`` (in a statement whose FROM names ``tables`` by alias) is a column of one
    of those tables that holds no NULL (NOT NULL, or in the primary key)."""
    if column.table:
        table = tables.get(column.table.lower())
        candidates = [table] if table is not None else []
    else:
        candidates = [t for t in tables.values() if t.column(column.name) is not None]
        if len(candidates) != 1:
            return False  # a select alias, or a name two tables share: unknown
    for table in candidates:
        col = table.column(column.name)
        if col is None:
            return False
        in_key = table.primary_key is not None and any(
            c.key == col.name.key for c in table.primary_key.columns
        )
        if col.nullable and not in_key:
            return False
    return bool(candidates)


def _default_null_order(tree: exp.Expr, target_dialect: str, catalog: Catalog) -> None:
    """ORDER BY terms on NOT NULL columns take the target's own null ordering. Reading, sqlglot
    records where the source engine puts NULLs (SQLite and MySQL first when ascending, PostgreSQL
    last) and writing, spells it out for an engine that differs (``ORDER BY a NULLS FIRST`` on
    PostgreSQL, ``ORDER BY CASE WHEN a IS NULL ...`` on MySQL): right for a column that may hold
    NULLs, but for one that cannot it only stops an index from serving the order (or, on MySQL, sorts
    by an extra expression). COUNT(...) counts as NOT NULL."""
    tables: dict[str, Table] = {}
    for node in tree.find_all(exp.Table):
        table = catalog.table(node.name)
        if table is not None:
            tables[(node.alias_or_name or node.name).lower()] = table
    nulls_are_small = sqlglot.Dialect.get_or_raise(target_dialect).NULL_ORDERING == "nulls_are_small"
    for ordered in tree.find_all(exp.Ordered):
        if isinstance(ordered.parent, exp.OnConflict):
            continue
        term = ordered.this
        select = ordered.find_ancestor(exp.Select)
        if isinstance(term, exp.Column) and not term.table and select is not None:
            # ORDER BY a select-list alias: judge what it names
            named = next(
                (e.this for e in select.expressions if isinstance(e, exp.Alias) and e.alias == term.name),
                None,
            )
            term = named if named is not None else term
        # COUNT is never NULL; a column is when its table says so
        if isinstance(term, exp.Count) or (
            isinstance(term, exp.Column) and _not_null_column(term, tables, catalog)
        ):
            descending = bool(ordered.args.get("desc"))
            ordered.set("nulls_first", nulls_are_small != descending)


def transpile_statement(
    sql: str, source: EngineName, target: EngineName, catalog: Catalog | None = None
) -> str:
    """``sql`` written for ``source`` as ``target`` would run it. Raises SqlError when it cannot.

    With the ``catalog``, ORDER BY a NOT NULL column is written without the null ordering the source
    engine implies (see :func:`_default_null_order`): same rows, and an index can serve it."""
    source_traits, target_traits = get_traits(source), get_traits(target)
    read, write = source_traits.sqlglot_dialect, target_traits.sqlglot_dialect
    try:
        trees = [
            _upsert_for(tree, source_traits, target_traits) if tree is not None else None
            for tree in sqlglot.parse(sql.strip().rstrip(";"), read=read)
        ]
        if catalog is not None and source != target:
            for tree in trees:
                if tree is not None:
                    _default_null_order(tree, write, catalog)
        for tree in trees:
            # sqlglot reads ON CONFLICT (a, b) keys as ordered terms and then writes NULLS LAST
            # into them for SQLite, which SQLite rejects: the keys are plain columns.
            for conflict in tree.find_all(exp.OnConflict) if tree is not None else ():
                keys = conflict.args.get("conflict_keys") or []
                conflict.set("conflict_keys", [k.this if isinstance(k, exp.Ordered) else k for k in keys])
        if write == "sqlite":
            trees = [_for_sqlite(tree) if tree is not None else None for tree in trees]
        if not target_traits.features.derived_column_lists:
            trees = [_without_derived_column_lists(tree) if tree is not None else None for tree in trees]
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
