"""count-to-exists: counting rows to learn whether there is one -> EXISTS, which stops at the first.

``SELECT count(*) > 0 FROM orders WHERE customer_id = :c`` and ``WHERE (SELECT count(*) FROM ...) >
0`` count every matching row to compare the count with zero. ``EXISTS`` answers the same question and
stops at the first matching row.

Same answers: ``count(*) > 0``, ``>= 1``, ``<> 0`` are true exactly when a row matches, which is
``EXISTS``; ``= 0`` and ``< 1`` are ``NOT EXISTS``. Counts are never NULL, so there is no unknown
case. (``SELECT count(*) > 0`` returns a boolean on PostgreSQL and 1/0 on MySQL/MariaDB and SQLite;
``EXISTS`` returns the same type on each.) A plain ``SELECT count(*)`` whose number the application
uses is left alone: only a count compared with 0 or 1 is an existence test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from sqlglot import exp

from dbarchitect.advisors.rewrites.rule import Draft, Proof, Protocol, RewriteContext, RewriteRule, sql_of

#: comparison with the count on the left -> (literal, EXISTS (True) or NOT EXISTS (False))
_TESTS: dict[tuple[type[exp.Expr], str], bool] = {
    (exp.GT, "0"): True,
    (exp.GTE, "1"): True,
    (exp.NEQ, "0"): True,
    (exp.EQ, "0"): False,
    (exp.LT, "1"): False,
    (exp.LTE, "0"): False,
}
_FLIP: dict[type[exp.Expr], type[exp.Expr]] = {
    exp.GT: exp.LT,
    exp.LT: exp.GT,
    exp.GTE: exp.LTE,
    exp.LTE: exp.GTE,
    exp.EQ: exp.EQ,
    exp.NEQ: exp.NEQ,
}


def _is_count_star(node: exp.Expr) -> bool:
    if not isinstance(node, exp.Count) or node.args.get("distinct"):
        return False
    arg = node.this
    return arg is None or isinstance(arg, exp.Star) or (isinstance(arg, exp.Literal) and not arg.is_string)


def _existence(node: exp.Expr) -> tuple[exp.Expr, bool] | None:
    """(the counted side, EXISTS?) when ``node`` compares a count with 0 or 1."""
    if type(node) not in _FLIP:
        return None
    assert isinstance(node, exp.Binary)
    left, right = node.left, node.right
    kind: type[exp.Expr] = type(node)
    if isinstance(left, exp.Literal):
        left, right, kind = right, left, _FLIP[kind]
    if not isinstance(right, exp.Literal) or right.is_string:
        return None
    test = _TESTS.get((kind, right.this))
    return (left, test) if test is not None else None


class CountToExists(RewriteRule):
    id = "count-to-exists"
    summary = "A count compared with zero counts every row; EXISTS stops at the first."

    def propose(self, context: RewriteContext) -> Iterator[Draft]:
        root = context.tree
        if not isinstance(root, exp.Select):
            return
        rewritten = root.copy()
        changes: list[str] = []
        top_level = False
        # SELECT count(*) > 0 FROM t WHERE ...  ->  SELECT EXISTS (SELECT 1 FROM t WHERE ...)
        if (
            len(rewritten.expressions) == 1
            and not rewritten.args.get("group")
            and not rewritten.args.get("having")
        ):
            projection = rewritten.expressions[0]
            inner = projection.this if isinstance(projection, exp.Alias) else projection
            found = _existence(inner)
            if found is not None and _is_count_star(found[0]) and not rewritten.args.get("group"):
                probe = rewritten.copy()
                probe.set("expressions", [exp.Literal.number(1)])
                probe.set("order", None)
                test: exp.Expr = exp.Exists(this=probe)
                if not found[1]:
                    test = exp.Not(this=test)
                alias = projection.alias if isinstance(projection, exp.Alias) else None
                rewritten = exp.select(exp.alias_(test, alias) if alias else test)
                changes.append(
                    f"{inner.sql(dialect=context.dialect)} -> {'EXISTS' if found[1] else 'NOT EXISTS'}"
                )
                top_level = True
        # WHERE (SELECT count(*) FROM ...) > 0  ->  WHERE EXISTS (SELECT 1 FROM ...)
        if not top_level:
            for node in list(rewritten.find_all(*_FLIP)):
                found = _existence(node)
                if found is None or not isinstance(found[0], exp.Subquery):
                    continue
                sub = found[0].this
                if not isinstance(sub, exp.Select) or len(sub.expressions) != 1 or sub.args.get("group"):
                    continue
                if not _is_count_star(
                    sub.expressions[0].this
                    if isinstance(sub.expressions[0], exp.Alias)
                    else sub.expressions[0]
                ):
                    continue
                probe = sub.copy()
                probe.set("expressions", [exp.Literal.number(1)])
                replacement: exp.Expr = exp.Exists(this=probe)
                if not found[1]:
                    replacement = exp.Not(this=replacement)
                node.replace(replacement)
                changes.append(
                    f"{node.sql(dialect=context.dialect)} -> {'EXISTS' if found[1] else 'NOT EXISTS'}"
                )
        if not changes:
            return
        statement = context.statement
        yield Draft(
            sql=sql_of(rewritten, context.dialect),
            change="; ".join(changes),
            semantics=(
                "A count is never NULL: compared with 0 or 1 it is true exactly when a row matches (EXISTS) "
                "or none does (NOT EXISTS); EXISTS stops at the first matching row."
            ),
            proof=Proof(Protocol.SAME),
            after=replace(statement, limit=1) if top_level else None,
        )
