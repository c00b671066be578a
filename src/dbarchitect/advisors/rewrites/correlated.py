"""correlated-to-join: a correlated scalar subquery -> a join to the subquery grouped once.

``SELECT c.id, (SELECT count(*) FROM orders o WHERE o.customer_id = c.id) FROM customers c`` runs
the subquery once per outer row (a SubPlan on PostgreSQL, a dependent subquery on MySQL/MariaDB):
cheap for ten rows, ruinous for a million. Grouping the subquery once by its correlation columns
and joining the groups lets the engine hash the two sides:

``... FROM customers c LEFT JOIN (SELECT o.customer_id, count(*) AS v FROM orders o GROUP BY
o.customer_id) AS s1 ON s1.customer_id = c.id`` with ``COALESCE(s1.v, 0)`` in place of the
subquery.

Same answers: the grouped side has one row per correlation value, so the LEFT JOIN keeps every
outer row once; an outer row without a group gets what the subquery gives for no rows (COUNT 0 -
hence the COALESCE - and NULL for SUM, MIN, MAX, AVG); a NULL outer value matches no group, as the
subquery's ``=`` matches no row. Filters of the subquery that do not name the outer query move
into the grouped side.

Proposed only when the cost model shows the gain (many outer rows, or no index for the
correlation): for a few outer rows probing an index the subquery is cheaper and stays. Not handled:
a subquery that is not one aggregate, correlations other than equalities, outer references in its
select list, GROUP BY or LIMIT inside it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import (
    Draft,
    Proof,
    Protocol,
    RewriteContext,
    RewriteRule,
    and_all,
    conjuncts,
    resolve,
    scope_tables,
    sql_of,
)
from dbarchitect.model.catalog import Table


def _outer_refs(node: exp.Expr, inner: Mapping[str, Table], outer: Mapping[str, Table]) -> list[exp.Column]:
    """Columns of ``node`` that belong to the outer query (qualified by an outer alias, or unqualified
    and found only in the outer tables)."""
    refs: list[exp.Column] = []
    for col in node.find_all(exp.Column):
        qualifier = col.table.lower()
        if qualifier:
            if qualifier not in inner and qualifier in outer:
                refs.append(col)
        elif not any(t.has_column(col.name) for t in inner.values()) and any(
            t.has_column(col.name) for t in outer.values()
        ):
            refs.append(col)
    return refs


class CorrelatedToJoin(RewriteRule):
    id = "correlated-to-join"
    summary = "A correlated subquery runs once per outer row; grouped once and joined, it runs once."

    def propose(self, context: RewriteContext) -> Iterator[Draft]:
        root = context.tree
        if not isinstance(root, exp.Select):
            return
        rewritten = root.copy()
        outer_tables = scope_tables(rewritten, context.catalog)
        if not outer_tables:
            return
        changes: list[str] = []
        counter = 0
        for subquery in list(rewritten.find_all(exp.Subquery)):
            inner = subquery.this
            if not isinstance(inner, exp.Select) or subquery.find_ancestor(exp.Select) is not rewritten:
                continue
            if isinstance(subquery.parent, (exp.Exists, exp.In, exp.From, exp.Join)):
                continue
            if len(inner.expressions) != 1 or inner.args.get("group") or inner.args.get("limit"):
                continue
            if inner.args.get("joins") or inner.find(exp.Subquery):
                continue
            projection = inner.expressions[0]
            value = projection.this if isinstance(projection, exp.Alias) else projection
            if not isinstance(value, exp.AggFunc) or isinstance(value, exp.ArrayAgg):
                continue
            inner_tables = scope_tables(inner, context.catalog)
            if len(inner_tables) != 1:
                continue
            if _outer_refs(value, inner_tables, outer_tables):
                continue
            alias = next(iter(inner_tables))
            keys: list[tuple[exp.Column, exp.Column]] = []  # (inner column, outer column)
            kept: list[exp.Expr] = []
            usable = True
            for part in conjuncts(inner.args["where"].this if inner.args.get("where") else None):
                refs = _outer_refs(part, inner_tables, outer_tables)
                if not refs:
                    kept.append(part.copy())
                    continue
                if (
                    isinstance(part, exp.EQ)
                    and isinstance(part.left, exp.Column)
                    and isinstance(part.right, exp.Column)
                    and len(refs) == 1
                ):
                    inner_side = part.left if refs[0] is part.right else part.right
                    outer_found = resolve(refs[0], outer_tables)
                    if resolve(inner_side, inner_tables) is not None and outer_found is not None:
                        keys.append((inner_side, exp.column(outer_found[2].name.value, table=outer_found[0])))
                        continue
                usable = False
                break
            if not usable or not keys:
                continue
            counter += 1
            name = f"dbarch_s{counter}"
            group_cols: list[exp.Column] = []
            for c, _ in keys:
                found = resolve(c, inner_tables)
                assert found is not None
                group_cols.append(exp.column(found[2].name.value, table=alias))
            source = inner.args["from_"].this
            grouped = exp.select(*[c.copy() for c in group_cols], exp.alias_(value.copy(), "v")).from_(
                source.copy()
            )
            condition = and_all(kept)
            if condition is not None:
                grouped.where(condition, copy=False)
            grouped.group_by(*[c.copy() for c in group_cols], copy=False)
            on = and_all(
                [
                    exp.EQ(this=exp.column(c.name, table=name), expression=outer.copy())
                    for c, (_, outer) in zip(group_cols, keys, strict=True)
                ]
            )
            rewritten.join(
                exp.Subquery(this=grouped, alias=exp.TableAlias(this=exp.to_identifier(name))),
                on=on,
                join_type="left",
                copy=False,
            )
            result: exp.Expr = exp.column("v", table=name)
            if isinstance(value, exp.Count):
                result = exp.Coalesce(this=result, expressions=[exp.Literal.number(0)])
            subquery.replace(result)
            changes.append(f"({inner.sql(dialect=context.dialect)}) -> LEFT JOIN grouped {name}")
        if not changes:
            return
        yield Draft(
            sql=sql_of(rewritten, context.dialect),
            change="; ".join(changes),
            semantics=(
                "The grouped side has one row per correlation value, so the LEFT JOIN keeps each outer row "
                "once; a row without a group gets what the subquery gives over no rows (COUNT 0 through "
                "COALESCE, NULL for SUM/MIN/MAX/AVG), and a NULL correlation value matches no group as it "
                "matches no row."
            ),
            proof=Proof(Protocol.SAME),
        )
