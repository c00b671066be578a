"""or-to-union: ``WHERE a = :x OR b = :y`` across columns -> one branch per condition, UNION ALL.

An OR over different columns cannot be answered by one B-tree range: MySQL/MariaDB and SQLite
usually scan the table (PostgreSQL may combine two bitmap index scans). One SELECT per disjunct lets
each use the index on its own column; the branches are put together with UNION ALL.

Same answers: branch *i* keeps the rows its condition is true for *and none of the earlier ones
is*, written ``CASE WHEN <earlier> THEN 0 ELSE 1 END = 1`` (true when an earlier condition is false
or unknown), so a row matching several conditions comes once, as in the original, and rows that are
genuinely duplicate stay duplicate (UNION, which removes duplicates, would not be exact). An ORDER BY
and LIMIT are applied to the union (and the LIMIT inside each branch too, which is exact: the first
n rows of the union are among the first n of each branch).

Not proposed: grouped, aggregated or DISTINCT selects, joins, an ORDER BY on a column the select list
does not return, positional ``?`` parameters (a branch repeats them).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import (
    Draft,
    Proof,
    Protocol,
    Refusal,
    RewriteContext,
    RewriteRule,
    and_all,
    conjuncts,
    resolve,
    scope_tables,
    sql_of,
)


def _disjuncts(node: exp.Expr) -> list[exp.Expr]:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Or):
        return _disjuncts(node.left) + _disjuncts(node.right)
    return [node]


def _columns(node: exp.Expr) -> frozenset[str]:
    return frozenset(c.name.lower() for c in node.find_all(exp.Column))


def _not_true(node: exp.Expr) -> exp.Expr:
    """``CASE WHEN node THEN 0 ELSE 1 END = 1``: true when ``node`` is false or unknown."""
    case = exp.Case(ifs=[exp.If(this=node.copy(), true=exp.Literal.number(0))], default=exp.Literal.number(1))
    return exp.EQ(this=case, expression=exp.Literal.number(1))


class OrToUnion(RewriteRule):
    id = "or-to-union"
    summary = "An OR across columns needs a scan; one branch per column can each use its index."

    def propose(self, context: RewriteContext) -> Iterator[Draft | Refusal]:
        select = context.tree
        if not isinstance(select, exp.Select) or select.args.get("where") is None:
            return
        parts = conjuncts(select.args["where"].this)
        ors = [(i, _disjuncts(p)) for i, p in enumerate(parts) if len(_disjuncts(p)) > 1]
        if len(ors) != 1:
            return
        position, branches = ors[0]
        column_sets = [_columns(b) for b in branches]
        if len({c for c in column_sets}) < 2 or any(not c for c in column_sets):
            return  # an OR over one column is an IN list the engines handle
        if select.args.get("joins") or select.args.get("group") or select.args.get("distinct"):
            yield Refusal("an OR across columns in a join, GROUP BY or DISTINCT is not rewritten")
            return
        if select.find(exp.AggFunc) or select.find(exp.Window):
            return
        if any(p.name == "" for p in select.find_all(exp.Placeholder)):
            yield Refusal("positional ? parameters cannot be repeated in the UNION's branches")
            return
        tables = scope_tables(select, context.catalog)
        if len(tables) != 1:
            return
        order = select.args.get("order")
        outer_order: list[exp.Ordered] = []
        if order is not None:
            names = {
                (p.this if isinstance(p, exp.Alias) else p).sql().lower(): p.alias_or_name
                for p in select.expressions
            }
            star = any(isinstance(p, exp.Star) for p in select.expressions)
            for ordered in order.expressions:
                term = ordered.this
                found = resolve(term, tables) if isinstance(term, exp.Column) else None
                name = names.get(term.sql().lower())
                if name is None and isinstance(term, exp.Column):
                    name = names.get(term.name.lower())
                if name is None and star and found is not None:
                    name = found[2].name.value
                if name is None:
                    yield Refusal(
                        f"ORDER BY {term.sql()} is not in the select list: the union cannot sort on it"
                    )
                    return
                outer_order.append(
                    exp.Ordered(
                        this=exp.column(name),
                        desc=ordered.args.get("desc"),
                        nulls_first=ordered.args.get("nulls_first"),
                    )
                )
        limit = select.args.get("limit")
        if limit is not None and order is None:
            yield Refusal("LIMIT without ORDER BY returns any rows: the union's could differ")
            return
        others = [p for i, p in enumerate(parts) if i != position]
        queries: list[exp.Select] = []
        for i, branch in enumerate(branches):
            conditions = [o.copy() for o in others] + [branch.copy()]
            if i:
                earlier = exp.or_(*[b.copy() for b in branches[:i]]) if i > 1 else branches[0].copy()
                conditions.append(_not_true(earlier))
            q = select.copy()
            q.set("where", exp.Where(this=and_all(conditions)))
            if limit is None:
                q.set("order", None)
            queries.append(q)
        members: list[exp.Expr] = [exp.paren(q, copy=False) if limit is not None else q for q in queries]
        union: exp.Expr = members[0]
        for member in members[1:]:
            union = exp.Union(this=union, expression=member, distinct=False)
        if outer_order:
            alias = exp.TableAlias(this=exp.to_identifier("u"))
            wrapped = exp.select("*").from_(exp.Subquery(this=union, alias=alias))
            wrapped.set("order", exp.Order(expressions=outer_order))
            if limit is not None:
                wrapped.set("limit", limit.copy())
            rewritten: exp.Expr = wrapped
        else:
            rewritten = union
        conditions_text = " | ".join(b.sql(dialect=context.dialect) for b in branches)
        yield Draft(
            sql=sql_of(rewritten, context.dialect),
            change=f"OR across columns ({conditions_text}) -> {len(branches)} branches, UNION ALL",
            semantics=(
                "Each branch keeps the rows its condition is true for and no earlier condition is "
                "(CASE WHEN ... THEN 0 ELSE 1 END = 1: false or unknown), so every row of the original comes "
                "exactly once and duplicates stay duplicates (UNION ALL, not UNION)"
                + ("; ORDER BY and LIMIT apply to the union" if outer_order else "")
                + "."
            ),
            proof=Proof(Protocol.SAME),
            parts=tuple(sql_of(q, context.dialect) for q in queries),
        )
