"""Predicates, joins, grouping and ordering of a statement's analysis: every condition of WHERE, JOIN
... ON and HAVING read into the workload model's predicates and join predicates."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.scope import Scope, traverse_scope, walk_in_scope

from dbarchitect.ingest.statement_parts import (
    _CANONICAL,
    _COMPARISONS,
    _EQ,
    _IN,
    _NE,
    _RANGE,
    _TARGET,
    _WRITE,
    _combine_disjunction,
    _Context,
    _Facts,
    _int_literal,
    _negated,
    _same_join,
    _Side,
    _unparen,
    _value_text,
)
from dbarchitect.ingest.statement_resolution import Resolution
from dbarchitect.model.catalog import Table
from dbarchitect.model.workload import (
    ColumnRef,
    OrderKey,
    PredicateKind,
)


class Predicates(Resolution):
    """Conditions and collected facts (see :mod:`dbarchitect.ingest.workload`)."""

    # -- conditions ------------------------------------------------------------------------------

    def condition(
        self,
        scope: Scope,
        node: exp.Expr,
        ctx: _Context,
        out: _Facts,
        negated: bool = False,
    ) -> None:
        """Predicates and joins of a boolean condition of ``scope`` (see module docstring)."""
        node = _unparen(node)
        if isinstance(node, exp.Not):
            self.condition(scope, node.this, ctx, out, not negated)
            return
        if isinstance(node, exp.And | exp.Or):
            conjunction = isinstance(node, exp.And) != negated
            parts = list(node.flatten())
            if conjunction:
                for part in parts:
                    self.condition(scope, part, ctx, out, negated)
            else:
                self.disjunction(scope, parts, ctx, out, negated)
            return
        if isinstance(node, exp.Exists):
            return  # the subquery is a scope of its own; its correlations are semi / anti joins
        out.clause = ("NOT " if negated else "") + node.sql()
        if type(node) in _COMPARISONS:
            self.comparison(scope, node, ctx, out, negated)
        elif isinstance(node, exp.In):
            self.in_predicate(scope, node, out, negated != bool(node.args.get("negate")))
        elif isinstance(node, exp.Between):
            self.between(scope, node, out, negated != bool(node.args.get("negate")))
        elif isinstance(node, exp.Escape | exp.Like | exp.ILike):
            self.like(scope, node, out, negated)
        elif isinstance(node, exp.Is):
            self.is_predicate(scope, node, out, negated != bool(node.args.get("negate")))
        elif isinstance(node, exp.Column):
            col = self.side(scope, node)
            if col.filterable and col.kind == "column":
                out.predicate(col, _EQ, "=", "FALSE" if negated else "TRUE")
        else:
            col = self.side(scope, node)
            if col.kind == "function" and col.filterable:
                out.predicate(col, PredicateKind.OTHER, ("NOT " if negated else "") + node.key.upper())

    def disjunction(
        self, scope: Scope, parts: list[exp.Expr], ctx: _Context, out: _Facts, negated: bool
    ) -> None:
        branches: list[_Facts] = []
        for part in parts:
            facts = _Facts()
            self.condition(scope, part, ctx, facts, negated)
            branches.append(facts)
        first, rest = branches[0], branches[1:]
        for join in first.joins:
            if all(any(_same_join(join, other) for other in b.joins) for b in rest):
                out.joins.append(join)
        for source, column in dict.fromkeys((s, p.column) for s, p, _ in first.predicates):
            per_branch = [
                [(p, clause) for s, p, clause in b.predicates if (s, p.column) == (source, column)]
                for b in branches
            ]
            if all(per_branch):
                text = " OR ".join(f"({' AND '.join(c for _, c in branch)})" for branch in per_branch)
                out.predicates.extend((source, p, text) for p in _combine_disjunction(column, per_branch))

    def comparison(self, scope: Scope, node: exp.Expr, ctx: _Context, out: _Facts, negated: bool) -> None:
        if negated:
            node = _COMPARISONS[type(node)][3](
                this=node.args.get("this"), expression=node.args.get("expression")
            )
        operator, kind, flipped, _ = _COMPARISONS[type(node)]
        if kind == _EQ and isinstance(node.expression, exp.Any):
            self.any_predicate(scope, self.side(scope, node.this), node.expression, out)
            return
        left, right = self.side(scope, node.this), self.side(scope, node.expression)
        if left.kind == "column" and right.kind == "column":
            if left.local and right.local:
                if left.source != right.source and kind == _EQ:
                    first, second = (right, left) if left.source == ctx.joined else (left, right)
                    out.join(first.refs, second.refs, ctx.join_kind)
                return
            if left.local or right.local:
                inner, outer = (left, right) if left.local else (right, left)
                out.predicate(inner, kind, operator if left.local else flipped)
                if kind == _EQ:
                    out.join(outer.refs, inner.refs, ctx.outer_kind)
            return
        for col, other, op in ((left, right, operator), (right, left, flipped)):
            if col.filterable and other.fixed:
                kind_here = kind if col.kind == "column" else PredicateKind.OTHER
                example = self.examples.get(other.parameter) if other.parameter else other.folded
                out.predicate(col, kind_here, op, other.value, parameter=other.parameter, example=example)
                return

    def in_predicate(self, scope: Scope, node: exp.In, out: _Facts, negated: bool) -> None:
        col = self.side(scope, node.this)
        query = node.args.get("query")
        if isinstance(query, exp.Expr):
            sub = self.query_scope(query)
            if sub is not None and col.kind == "column" and col.local:
                out.join(col.refs, self.output_refs(sub, 0), "anti" if negated else "semi")
            return
        items = list(node.expressions)
        if not col.filterable or not items:
            return
        sides = [self.side(scope, i) for i in items]
        if not all(s.fixed for s in sides):
            return
        value = sides[0].value if len(items) == 1 else None
        parameter = sides[0].parameter if len(items) == 1 else None
        texts = [s.value for s in sides]
        literals = tuple(v for v in texts if v is not None and v != "?")
        in_values = tuple(dict.fromkeys(literals)) if len(literals) == len(items) else ()
        if negated:
            out.predicate(col, _NE, "NOT IN", value, len(items), in_values)
        else:
            kind = _IN if col.kind == "column" else PredicateKind.OTHER
            out.predicate(col, kind, "IN", value, len(items), in_values, parameter)

    def any_predicate(self, scope: Scope, col: _Side, node: exp.Any, out: _Facts) -> bool:
        """``col = ANY(array or subquery)``: an IN."""
        inner = _unparen(node.this) if isinstance(node.this, exp.Expr) else None
        if inner is None:
            return False
        sub = self.query_scope(inner) if isinstance(inner, exp.Query | exp.Subquery) else None
        if sub is not None:
            if col.kind == "column" and col.local:
                out.join(col.refs, self.output_refs(sub, 0), "semi")
            return True
        if col.filterable:
            count = len(inner.expressions) if isinstance(inner, exp.Array) else 1
            out.predicate(col, _IN, "= ANY", _value_text(inner), count)
        return True

    def between(self, scope: Scope, node: exp.Between, out: _Facts, negated: bool) -> None:
        col = self.side(scope, node.this)
        low, high = self.side(scope, node.args["low"]), self.side(scope, node.args["high"])
        if not (col.filterable and low.fixed and high.fixed):
            return
        value = f"{low.value} AND {high.value}" if low.value is not None and high.value is not None else None
        if negated or col.kind == "function":
            out.predicate(col, PredicateKind.OTHER, "NOT BETWEEN" if negated else "BETWEEN", value)
        else:
            known = [
                s.value if s.value not in (None, "?") else self.examples.get(s.parameter or "", s.folded)
                for s in (low, high)
            ]
            example = " AND ".join(k for k in known if k is not None) if None not in known else None
            out.predicate(col, _RANGE, "BETWEEN", value, example=example if example != value else None)

    def like(self, scope: Scope, node: exp.Expr, out: _Facts, negated: bool) -> None:
        escape: str | None = None
        if isinstance(node, exp.Escape):
            escape = _value_text(node.expression) if isinstance(node.expression, exp.Expr) else None
            node = node.this
        if not isinstance(node, exp.Like | exp.ILike):
            return
        negated = negated != bool(node.args.get("negate"))
        operator = "ILIKE" if isinstance(node, exp.ILike) else "LIKE"
        col, pattern = self.side(scope, node.this), self.side(scope, node.expression)
        if not (col.filterable and pattern.fixed):
            return
        if negated or col.kind == "function":
            out.predicate(col, PredicateKind.OTHER, ("NOT " if negated else "") + operator, pattern.value)
            return
        literal = _unparen(node.expression)
        text = str(literal.this) if isinstance(literal, exp.Literal) and literal.is_string else ""
        prefix = bool(text) and (text[0] not in "%_" or (escape is not None and text.startswith(escape)))
        kind = PredicateKind.LIKE_PREFIX if operator == "LIKE" and prefix else PredicateKind.LIKE
        out.predicate(col, kind, operator, pattern.value)

    def is_predicate(self, scope: Scope, node: exp.Is, out: _Facts, negated: bool) -> None:
        col = self.side(scope, node.this)
        if not col.filterable:
            return
        target = node.expression
        if isinstance(target, exp.Null):
            if negated or col.kind == "function":
                out.predicate(col, PredicateKind.OTHER, "IS NOT NULL" if negated else "IS NULL")
            else:
                out.predicate(col, PredicateKind.IS_NULL, "IS NULL", "NULL")
        elif isinstance(target, exp.Boolean) and col.kind == "column":
            value = "TRUE" if target.this else "FALSE"
            out.predicate(col, _NE if negated else _EQ, "IS NOT" if negated else "IS", value)

    # -- collecting a query's facts -------------------------------------------------------------

    def outer_kind(self, scope: Scope) -> str:
        """The join kind a correlated reference from ``scope`` to its outer query stands for."""
        node: exp.Expr = scope.expression
        parent = node.parent
        while isinstance(parent, exp.Subquery | exp.Paren):
            node, parent = parent, parent.parent
        if isinstance(parent, exp.Exists):
            return "anti" if _negated(parent) else "semi"
        if isinstance(parent, exp.In) and parent.args.get("query") is node:
            return "anti" if _negated(parent) else "semi"
        if isinstance(parent, exp.Any):
            return "semi"
        return "inner"

    def record(self, facts: _Facts) -> None:
        for _, predicate, _ in facts.predicates:
            self.access(self.table_of(predicate.column)).predicates.append(predicate)
        for join in facts.joins:
            if any(_same_join(join, known) for known in self.joins):
                continue
            self.joins.append(join)
            self.access(self.table_of(join.left)).join_columns.append(join.left.column)
            self.access(self.table_of(join.right)).join_columns.append(join.right.column)

    def table_of(self, ref: ColumnRef) -> Table:
        return self.tables[ref.table.key]

    def collect(self, query: exp.Query) -> None:
        scopes = traverse_scope(query)
        position = {id(n): i for i, n in enumerate(query.walk(bfs=False))}
        scopes.sort(key=lambda s: position.get(id(s.expression), -1))
        self.scope_of = {id(s.expression): s for s in scopes}
        for scope in scopes:
            self.collect_scope(scope)

    def collect_scope(self, scope: Scope) -> None:
        expression = scope.expression
        for table in scope.tables:
            key = table.meta.get(_CANONICAL)
            if key in self.tables:
                acc = self.access(self.tables[str(key)])
                acc.occurrences += 1
                acc.target = acc.target or bool(table.meta.get(_TARGET))
        for node in walk_in_scope(expression):
            if isinstance(node, exp.Column) and node.table and not node.is_star:
                written = node.find_ancestor(exp.Alias)
                if written is not None and written.meta.get(_WRITE):
                    continue  # an UPDATE's SET column is written, not read
                found = self.find_source(scope, node.table)
                if found is not None and isinstance(found[0], exp.Table):
                    for ref in self.lineage(found[0], node.name, 0):
                        self.access(self.table_of(ref)).read.add(ref.column.key)
        if isinstance(expression, exp.Select):
            self.collect_select(scope, expression)
        elif isinstance(expression, exp.SetOperation):
            self.collect_order(scope, expression)

    def collect_select(self, scope: Scope, select: exp.Select) -> None:
        facts = _Facts()
        outer_kind = self.outer_kind(scope)
        for join in select.args.get("joins") or []:
            on = join.args.get("on")
            if isinstance(on, exp.Expr):
                side = str(join.side or "").lower()
                kind = str(join.kind or "").lower()
                join_kind = side or (kind if kind in ("semi", "anti", "cross") else "inner")
                joined = scope.sources.get(join.alias_or_name) if join.alias_or_name else None
                ctx = _Context(join_kind, outer_kind, id(joined) if joined is not None else None)
                self.condition(scope, on, ctx, facts)
        for key in ("where", "having"):
            clause = select.args.get(key)
            if isinstance(clause, exp.Where | exp.Having):
                self.condition(scope, clause.this, _Context("inner", outer_kind), facts)
        for projection in select.selects:
            if projection.meta.get(_WRITE):
                inner = projection.unalias()
                if isinstance(inner, exp.Column):
                    for ref in self.resolve(scope, inner).refs:
                        acc = self.access(self.table_of(ref))
                        acc.written.add(ref.column.key)
                        acc.target = True
        self.record(facts)
        group = select.args.get("group")
        if isinstance(group, exp.Group):
            for key_node in group.expressions:
                for ref in self.key_refs(scope, select, key_node):
                    self.access(self.table_of(ref)).group_by.append(ref.column)
        self.collect_order(scope, select)

    def key_refs(self, scope: Scope, query: exp.Query, node: exp.Expr) -> tuple[ColumnRef, ...]:
        """Base columns of a GROUP BY / ORDER BY key: a column, a select alias or a position."""
        node = _unparen(node)
        position = _int_literal(node)
        if position is not None:
            return self.output_refs(scope, position - 1) if position >= 1 else ()
        if not isinstance(node, exp.Column):
            return ()
        if node.table:
            return self.resolve(scope, node).refs
        names = query.named_selects
        if node.name in names:
            return self.output_refs(scope, names.index(node.name))
        return ()

    def collect_order(self, scope: Scope, query: exp.Query) -> None:
        order = query.args.get("order")
        if not isinstance(order, exp.Order):
            return
        for ordered in order.expressions:
            descending = bool(ordered.args.get("desc")) if isinstance(ordered, exp.Ordered) else False
            key_node = ordered.this if isinstance(ordered, exp.Ordered) else ordered
            for ref in self.key_refs(scope, query, key_node):
                self.access(self.table_of(ref)).order_by.append(OrderKey(ref, descending))
