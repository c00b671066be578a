"""not-in-to-not-exists: ``x NOT IN (SELECT y FROM ...)`` -> ``NOT EXISTS (SELECT 1 ... WHERE y = x)``.

PostgreSQL plans ``NOT IN (subquery)`` as a hashed subplan only while the subquery's rows fit in
``work_mem``, and otherwise re-scans the subquery's result for every outer row; it never turns it
into an anti-join, because NOT IN and NOT EXISTS differ on NULLs. ``NOT EXISTS`` becomes a hash or
merge anti-join on every engine.

The NULL semantics, which differ:

- ``x NOT IN (S)`` is unknown - the row is dropped - as soon as ``S`` holds a NULL, for every ``x``:
  a single NULL ``y`` makes the whole query return nothing. ``NOT EXISTS`` ignores NULL ``y``. So
  the rewrite is **refused when ``y`` is nullable** (and not filtered ``IS NOT NULL`` in the
  subquery): it would change the answer whenever a NULL is there, and the original's answer then is
  almost certainly not what was meant - add ``WHERE y IS NOT NULL`` to the subquery (or make the
  column NOT NULL) first.
- ``x NOT IN (S)`` with ``x`` NULL is unknown when ``S`` is not empty, true when it is; ``NOT
  EXISTS (... y = x)`` is true either way. When ``x`` is nullable, the rewrite adds ``AND (x IS NOT
  NULL OR NOT EXISTS (S))`` so the two agree exactly.

Not handled: a row-valued ``(a, b) NOT IN``, a subquery with GROUP BY, LIMIT or set operations.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.advisors.indexes.builtin import DEFAULTS
from dbarchitect.advisors.rewrites.rule import (
    Draft,
    Proof,
    Protocol,
    Refusal,
    RewriteContext,
    RewriteRule,
    conjuncts,
    resolve,
    scope_tables,
    sql_of,
)
from dbarchitect.model.catalog import Column, Table


def _not_in(node: exp.Expr) -> exp.In | None:
    if isinstance(node, exp.Not):
        inner = node.this
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.In) and inner.args.get("query") is not None:
            return inner
    return None


def _filtered_not_null(subquery: exp.Select, column: exp.Column) -> bool:
    """Whether the subquery's WHERE keeps NULL out of ``column`` (``IS NOT NULL``, or a comparison
    that is never true for NULL)."""
    name = column.name.lower()
    where = subquery.args.get("where")
    for part in conjuncts(where.this if where is not None else None):
        negated = (
            isinstance(part, exp.Not) and isinstance(part.this, exp.Is) and not part.this.args.get("negate")
        )
        node = part.this if negated else part
        if (
            isinstance(node, exp.Is)
            and isinstance(node.expression, exp.Null)
            and (negated or node.args.get("negate"))
            and isinstance(node.this, exp.Column)
            and node.this.name.lower() == name
        ):
            return True
        if isinstance(part, (exp.EQ, exp.GT, exp.GTE, exp.LT, exp.LTE)) and any(
            isinstance(s, exp.Column) and s.name.lower() == name for s in (part.left, part.right)
        ):
            return True  # a comparison is never true for NULL
    return False


class NotInToNotExists(RewriteRule):
    id = "not-in-to-not-exists"
    summary = "NOT IN (subquery) cannot become an anti-join; NOT EXISTS can (NULL semantics stated)."

    def propose(self, context: RewriteContext) -> Iterator[Draft | Refusal]:
        root = context.tree
        if not isinstance(root, exp.Select):
            return
        found = [(node, inner) for node in root.find_all(exp.Not) if (inner := _not_in(node)) is not None]
        if not found:
            return
        rewritten = root.copy()
        extra = 0.0
        targets = [
            (node, inner) for node in rewritten.find_all(exp.Not) if (inner := _not_in(node)) is not None
        ]
        notes: list[str] = []
        for node, in_ in targets:
            outer = in_.this
            query = in_.args["query"]
            sub = query.this if isinstance(query, exp.Subquery) else query
            if (
                not isinstance(outer, exp.Column)
                or not isinstance(sub, exp.Select)
                or len(sub.expressions) != 1
            ):
                yield Refusal(
                    f"{sql_of(node, context.dialect)}: only one column NOT IN a one-column SELECT is handled"
                )
                return
            if sub.args.get("group") or sub.args.get("limit"):
                yield Refusal(f"{node.sql()}: a subquery with GROUP BY or LIMIT is not rewritten")
                return
            inner_col = sub.expressions[0]
            inner_col = inner_col.this if isinstance(inner_col, exp.Alias) else inner_col
            sub_tables = scope_tables(sub, context.catalog)
            resolved = resolve(inner_col, sub_tables) if isinstance(inner_col, exp.Column) else None
            if resolved is None:
                yield Refusal(f"{node.sql()}: the subquery's column {inner_col.sql()} is not a table column")
                return
            _, table, column = resolved
            if column.nullable and not _filtered_not_null(sub, inner_col):
                yield Refusal(
                    f"{table.name}.{column.name} is nullable: NOT IN returns no row at all once the "
                    "subquery yields a NULL, NOT EXISTS ignores it, so the answers differ exactly when a "
                    f"NULL is there; filter the subquery with {column.name} IS NOT NULL (or declare the "
                    "column NOT NULL) and the rewrite becomes exact"
                )
                return
            outer_scope = node.find_ancestor(exp.Select)
            outer_tables = scope_tables(outer_scope, context.catalog) if outer_scope is not None else {}
            outer_found = resolve(outer, outer_tables)
            if outer_found is None:
                yield Refusal(f"{node.sql()}: {outer.sql()} is not a column of the outer query's tables")
                return
            inner_alias = resolved[0]
            if outer_found[0] in sub_tables:
                yield Refusal(
                    f"{node.sql()}: the subquery names its table like the outer query ({outer_found[0]}); "
                    "give one of them an alias"
                )
                return
            outer_nullable = outer_found[2].nullable
            outer_ref = exp.column(outer_found[2].name.value, table=outer_found[0])
            exists_query = sub.copy()
            exists_query.set("expressions", [exp.Literal.number(1)])
            correlation = exp.EQ(this=exp.column(column.name.value, table=inner_alias), expression=outer_ref)
            extra += _rescans(outer_found[1], table, column, context)
            exists_query.where(correlation, copy=False)
            replacement: exp.Expr = exp.Not(this=exp.Exists(this=exists_query))
            if outer_nullable:
                empty = sub.copy()
                empty.set("expressions", [exp.Literal.number(1)])
                replacement = exp.paren(
                    exp.and_(
                        replacement,
                        exp.paren(
                            exp.or_(
                                exp.Not(this=exp.Is(this=outer.copy(), expression=exp.Null())),
                                exp.Not(this=exp.Exists(this=empty)),
                            )
                        ),
                    )
                )
                notes.append(
                    f"{outer.sql()} may be NULL: NOT IN is then unknown unless the subquery is empty, so "
                    f"the rewrite adds ({outer.sql()} IS NOT NULL OR NOT EXISTS (...))"
                )
            node.replace(replacement)
        yield Draft(
            sql=sql_of(rewritten, context.dialect),
            change="NOT IN (subquery) -> NOT EXISTS (correlated), an anti-join",
            semantics=(
                "Exact: the subquery's column is NOT NULL (a NULL there would make NOT IN return nothing, "
                "which NOT EXISTS would not)" + ("; " + "; ".join(notes) if notes else "") + "."
            ),
            proof=Proof(Protocol.SAME),
            before_extra_cost=extra,
        )


def _rows(table: Table) -> float:
    return (
        table.stats.rows if table.stats is not None and table.stats.rows else DEFAULTS["unsized_table_rows"]
    )


def _rescans(outer: Table, inner: Table, column: Column, context: RewriteContext) -> float:
    """Planner units the engine spends on ``NOT IN`` beyond an anti-join: on an engine that hashes
    the subquery only within work_mem (PostgreSQL), a subquery too big for it is scanned again for
    every outer row - half of it on average (PostgreSQL's ``cost_subplan`` for an unhashed subplan,
    at ``cpu_operator_cost`` per comparison)."""
    if context.traits.features.not_in_subquery_anti_join:
        return 0.0
    rows = _rows(inner)
    width = (column.stats.avg_width if column.stats is not None and column.stats.avg_width else 8.0) + 48.0
    if rows * width <= DEFAULTS["work_mem_kb"] * 1024:
        return 0.0
    return _rows(outer) * rows / 2 * DEFAULTS["cpu_operator_cost"]
