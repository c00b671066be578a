"""Name resolution of a statement's analysis: views expanded, tables and columns checked against
the catalog, every column followed through scopes and projections to its base column (lineage)."""

from __future__ import annotations

from sqlglot import exp
from sqlglot.optimizer.normalize_identifiers import normalize_identifiers
from sqlglot.optimizer.scope import Scope, traverse_scope, walk_in_scope

from dbarchitect.ingest.constants import folded_text
from dbarchitect.ingest.statement_parts import (
    _ALIAS,
    _CANONICAL,
    _FROM_VIEW,
    _MAX_LINEAGE_DEPTH,
    _MAX_VIEW_DEPTH,
    _TARGET,
    AnalysisState,
    _did_you_mean,
    _identifier_key,
    _own_nodes,
    _parameter_name,
    _Side,
    _unparen,
    _value_text,
)
from dbarchitect.model.catalog import Table
from dbarchitect.model.names import Name
from dbarchitect.model.workload import (
    ColumnRef,
)


class Resolution(AnalysisState):
    """Tables, columns and their lineage (see :mod:`dbarchitect.ingest.workload`)."""

    # -- preparing the query: views, table names, column checks ----------------------------------

    def prepare(self, query: exp.Query) -> exp.Query:
        """Expand views, resolve every table to the catalog (canonical, quoted names), check columns."""
        for _ in range(_MAX_VIEW_DEPTH):
            if not self.resolve_tables(query):
                break
        else:
            raise self.fail("nests views too deeply (a view that refers to itself?)")
        for node in query.find_all(exp.Exists):
            inner = node.this
            if isinstance(inner, exp.Select) and any(isinstance(p, exp.Star) for p in inner.expressions):
                inner.set("expressions", [exp.Literal.number(1)])  # EXISTS (SELECT *) reads no column
        query = normalize_identifiers(query)
        self.check_columns(query)
        for table in query.find_all(exp.Table, bfs=False):
            if _ALIAS in table.meta and table.meta.get(_CANONICAL) in self.tables:
                self.access(self.tables[str(table.meta[_CANONICAL])]).aliases.append(str(table.meta[_ALIAS]))
        return query

    def resolve_tables(self, query: exp.Query) -> bool:
        """One pass over the query's tables; returns True when a view was expanded (scopes changed)."""
        for scope in traverse_scope(query):
            for table in scope.tables:
                if _CANONICAL in table.meta or not isinstance(table.this, exp.Identifier):
                    continue
                source = scope.sources.get(table.alias_or_name)
                if isinstance(source, Scope) and not table.args.get("db"):
                    continue  # a CTE reference
                name = Name(table.name, bool(table.this.args.get("quoted")))
                found = self.catalog.table(name)
                if found is not None:
                    self.canonicalize(table, found)
                    continue
                view = self.catalog.view(name)
                if view is not None and not table.meta.get(_TARGET):
                    table.replace(self.views.subquery(view, table, self))
                    return True
                self.lookup_table(table.this, "reads")
        return False

    def canonicalize(self, table: exp.Table, found: Table) -> None:
        if table.alias:
            if not table.meta.get(_FROM_VIEW):
                table.meta[_ALIAS] = table.alias
        else:
            table.set("alias", exp.TableAlias(this=table.this.copy()))
        table.set("this", exp.to_identifier(found.name.key, quoted=True))
        table.set("db", None)
        table.set("catalog", None)
        table.meta[_CANONICAL] = found.name.key

    def source_columns(self, source: exp.Expr | Scope, depth: int = 0) -> set[str] | None:
        """Column names a source exposes (None when unknown: a table function, a star over one).

        A star in a derived table is expanded to the columns of what it selects from (``SELECT expr,
        * FROM warehouse`` exposes ``expr`` and warehouse's columns), so an unqualified column outside
        it is judged by what it really has, as the engine does."""
        if isinstance(source, exp.Table):
            table = self.tables.get(str(source.meta.get(_CANONICAL)))
            return {c.name.key for c in table.columns} if table is not None else None
        if not isinstance(source, Scope) or depth > _MAX_LINEAGE_DEPTH:
            return None
        expression = source.expression
        alias = expression.parent.args.get("alias") if expression.parent is not None else None
        if isinstance(alias, exp.TableAlias) and alias.columns:
            return {_identifier_key(c) for c in alias.columns}
        scope: Scope = source
        while isinstance(expression, exp.SetOperation):
            expression = expression.this
            scope = scope.set_operation_scopes[0] if scope.set_operation_scopes else scope
        if not isinstance(expression, exp.Select):
            return None
        names: set[str] = set()
        for projection in expression.selects:
            star = isinstance(projection, exp.Star) or (
                isinstance(projection, exp.Column) and projection.is_star
            )
            if not star:
                names.add(projection.alias_or_name)
                continue
            if scope.expression is not expression:
                return None  # the star of a set operation's branch whose scope is not at hand
            qualifier = projection.table if isinstance(projection, exp.Column) else ""
            selected = [
                src for name, (_, src) in scope.selected_sources.items() if not qualifier or name == qualifier
            ]
            if not selected:
                return None
            for inner in selected:
                found = self.source_columns(inner, depth + 1)
                if found is None:
                    return None
                names |= found
        return names

    def check_columns(self, query: exp.Query) -> None:
        """Every column must name a column of a source in scope (outer scopes included), once."""
        for scope in traverse_scope(query):
            using: set[str] = set()
            natural = False
            if isinstance(scope.expression, exp.Select):
                for join in scope.expression.args.get("joins") or []:
                    using.update(_identifier_key(u) for u in join.args.get("using") or [])
                    natural = natural or str(join.args.get("method") or "").upper() == "NATURAL"
            selects = scope.expression.selects if isinstance(scope.expression, exp.Query) else []
            aliases = {p.alias for p in selects if isinstance(p, exp.Alias)}
            outputs = (
                set(scope.expression.named_selects) if isinstance(scope.expression, exp.Query) else set()
            )
            for node in walk_in_scope(scope.expression):
                if not isinstance(node, exp.Column) or node.find_ancestor(exp.Lambda):
                    continue
                if node.is_star:
                    if node.table:
                        self.check_qualified(scope, node)
                elif node.table:
                    self.check_qualified(scope, node)
                elif node.name in using or natural:
                    continue
                elif node.name in outputs and self.in_order_by(scope, node):
                    continue  # ORDER BY names an output column
                elif node.name in aliases and self.refers_to_alias(node):
                    continue  # GROUP BY / HAVING (or a lateral reference) naming a select alias
                else:
                    self.check_unqualified(scope, node)

    @staticmethod
    def in_order_by(scope: Scope, column: exp.Column) -> bool:
        order = column.find_ancestor(exp.Order)
        return order is not None and order.parent is scope.expression

    @staticmethod
    def refers_to_alias(column: exp.Column) -> bool:
        """Whether ``column`` can be a select alias: it is not inside the projection defining it."""
        defining = column.find_ancestor(exp.Alias)
        return not (isinstance(defining, exp.Alias) and defining.alias == column.name)

    def check_qualified(self, scope: Scope, column: exp.Column) -> None:
        current: Scope | None = scope
        visible: list[str] = []
        while current is not None:
            source = current.sources.get(column.table)
            if source is not None:
                names = self.source_columns(source)
                if names is not None and not column.is_star and column.name not in names:
                    what = self.describe_source(column.table, source)
                    raise self.fail(
                        f"names column '{column.name}' of {what}, which has no such column"
                        f"{_did_you_mean(column.name, names)}"
                    )
                return
            visible.extend(current.sources)
            current = current.parent
        raise self.fail(
            f"names '{column.table}.{column.name}', but '{column.table}' is no table or alias in scope"
            f"{_did_you_mean(column.table, visible)}"
        )

    def describe_source(self, alias: str, source: exp.Expr | Scope) -> str:
        if isinstance(source, exp.Table):
            table = self.tables.get(str(source.meta.get(_CANONICAL)))
            if table is not None:
                return f"table '{table.name}'" + (f" (as '{alias}')" if alias != table.name.key else "")
        return f"'{alias}'"

    def check_unqualified(self, scope: Scope, column: exp.Column) -> None:
        current: Scope | None = scope
        in_scope: list[str] = []
        known: set[str] = set()
        while current is not None:
            matches: list[str] = []
            # Only what the scope selects FROM: a CTE it can see but does not read is no source.
            for alias, (_, source) in current.selected_sources.items():
                names = self.source_columns(source)
                if names is None or column.name in names:
                    matches.append(alias)
                known.update(names or ())
                in_scope.append(alias)
            if len(matches) > 1:
                listed = " and ".join(f"'{m}'" for m in matches)
                raise self.fail(
                    f"names column '{column.name}', which is ambiguous: {listed} both have it",
                    hint=f"qualify it, e.g. {matches[0]}.{column.name}",
                )
            if matches or column.name in current.sources:
                return  # one column, or a whole-row reference to a source (``json_agg(o)``)
            current = current.parent
        tables = ", ".join(dict.fromkeys(in_scope)) or "none"
        raise self.fail(
            f"names column '{column.name}', which is not in any table in scope ({tables})"
            f"{_did_you_mean(column.name, known)}"
        )

    # -- resolution after qualify ----------------------------------------------------------------

    def find_source(self, scope: Scope, qualifier: str) -> tuple[exp.Expr | Scope, bool] | None:
        current: Scope | None = scope
        local = True
        while current is not None:
            source = current.sources.get(qualifier)
            if source is not None:
                return source, local
            current = current.parent
            local = False
        return None

    def resolve(self, scope: Scope, column: exp.Column, depth: int = 0) -> _Side:
        """A qualified column: its base-column lineage, whether its source is local to ``scope``."""
        found = self.find_source(scope, column.table) if column.table else None
        if found is None:
            return _Side("expr")
        source, local = found
        refs = self.lineage(source, column.name, depth)
        return _Side("column" if refs else "expr", refs, local, id(source))

    def lineage(self, source: exp.Expr | Scope, name: str, depth: int) -> tuple[ColumnRef, ...]:
        if depth > _MAX_LINEAGE_DEPTH:
            return ()
        if isinstance(source, exp.Table):
            table = self.tables.get(str(source.meta.get(_CANONICAL)))
            if table is None:
                return ()
            column = next((c for c in table.columns if c.name.key == name), None)
            return (ColumnRef(table.name, column.name),) if column is not None else ()
        if not isinstance(source, Scope):
            return ()
        refs: list[ColumnRef] = []
        for leaf, projection in self.projections(source, name):
            inner = projection.unalias()
            if isinstance(inner, exp.Column):
                refs.extend(self.resolve(leaf, inner, depth + 1).refs)
        return tuple(dict.fromkeys(refs))

    def leaves(self, scope: Scope) -> list[Scope]:
        if isinstance(scope.expression, exp.SetOperation):
            return [leaf for child in scope.set_operation_scopes for leaf in self.leaves(child)]
        return [scope]

    def projections(self, scope: Scope, name: str) -> list[tuple[Scope, exp.Expr]]:
        """The projection(s) defining output column ``name`` of ``scope`` (one per UNION branch)."""
        expression = scope.expression
        if isinstance(expression, exp.Select):
            return [(scope, p) for p in expression.selects if p.alias_or_name == name][:1]
        if isinstance(expression, exp.SetOperation):
            selects = [
                (leaf, leaf.expression)
                for leaf in self.leaves(scope)
                if isinstance(leaf.expression, exp.Select)
            ]
            if not selects:
                return []
            names = selects[0][1].named_selects
            if name not in names:
                return []
            position = names.index(name)
            return [
                (leaf, select.selects[position]) for leaf, select in selects if position < len(select.selects)
            ]
        return []

    def output_refs(self, scope: Scope, position: int) -> tuple[ColumnRef, ...]:
        refs: list[ColumnRef] = []
        for leaf in self.leaves(scope):
            selects = leaf.expression.selects if isinstance(leaf.expression, exp.Select) else []
            if position < len(selects):
                inner = selects[position].unalias()
                if isinstance(inner, exp.Column):
                    refs.extend(self.resolve(leaf, inner).refs)
        return tuple(refs)

    def query_scope(self, node: exp.Expr) -> Scope | None:
        node = _unparen(node)
        while isinstance(node, exp.Subquery) and isinstance(node.this, exp.Expr):
            node = node.this
        return self.scope_of.get(id(node))

    def is_correlated(self, scope: Scope) -> bool:
        """Whether a subquery refers to a column of a query outside it."""
        cached = self.correlated.get(id(scope))
        if cached is not None:
            return cached
        inside = {id(s) for s in scope.traverse()}
        result = False
        for inner in scope.traverse():
            for column in inner.external_columns:
                current: Scope | None = inner
                while current is not None and column.table not in current.sources:
                    current = current.parent
                if current is not None and id(current) not in inside:
                    result = True
        self.correlated[id(scope)] = result
        return result

    def side(self, scope: Scope, node: exp.Expr) -> _Side:
        node = _unparen(node)
        if isinstance(node, exp.Column):
            return self.resolve(scope, node)
        columns: list[exp.Column] = []
        for inner in _own_nodes(node):
            if isinstance(inner, exp.AggFunc | exp.Window):
                return _Side("expr")
            if isinstance(inner, exp.Query | exp.Subquery):
                sub = self.query_scope(inner)
                if sub is None or self.is_correlated(sub):
                    return _Side("expr")
            elif isinstance(inner, exp.Column):
                columns.append(inner)
        if not columns:
            value = _value_text(node)
            folded = folded_text(node) if value is None else None
            return _Side("const", value=value, parameter=_parameter_name(node), folded=folded)
        sides = [self.resolve(scope, c) for c in columns]
        refs = {s.refs for s in sides}
        if len(refs) == 1 and all(s.kind == "column" and s.local for s in sides) and len(sides[0].refs) == 1:
            return _Side("function", sides[0].refs, True, sides[0].source)
        return _Side("expr")
