"""Workload statements -> the workload model: every statement parsed, every column resolved to its table.

Each statement is parsed with sqlglot in its dialect (the target engine's, or the statement's own for
logs). Name resolution is sqlglot's: views are expanded into derived tables, then
``sqlglot.optimizer.qualify`` qualifies every column against a schema built from the catalog, and
``sqlglot.optimizer.scope`` gives the scopes (subqueries, CTEs, derived tables, UNION branches) in
which each column's qualifier is looked up — outward for correlated subqueries. A column of a derived
table, CTE or view is followed through the projection that defines it to the base table column (its
*lineage*); a projection that is an expression (``SUM(x)``, ``SUBSTRING(c, 1, 2)``) ends the lineage.
UPDATE and DELETE are analyzed as the SELECT that finds their rows (``SELECT <set values> FROM target
[FROM/USING/JOIN ...] WHERE ...``); INSERT ... SELECT as its SELECT.

What is recorded, and the choices made:

- **Predicates** are taken from WHERE, JOIN ... ON and HAVING of every scope. A predicate is a column
  of a table compared with something fixed during one execution: a literal or constant expression, a
  parameter, an uncorrelated scalar subquery, or a column of an *outer* query (a correlated
  subquery's reference, constant for each outer row). Kinds: ``=`` -> EQ; ``<>`` -> NOT_EQ;
  ``< <= > >=`` and BETWEEN -> RANGE; IN (list) -> IN with the count of values; LIKE with a literal
  pattern that does not start with a wildcard -> LIKE_PREFIX, other LIKE/ILIKE -> LIKE; IS NULL ->
  IS_NULL; NOT IN -> NOT_EQ; everything else on a single column (a function of the column such as
  ``lower(email) = ?``, NOT LIKE, IS NOT NULL, NOT BETWEEN) -> OTHER. A comparison of two columns of
  the same table occurrence (``l_commitdate < l_receiptdate``) is no predicate; aggregates are no
  predicates.
- **OR**: a predicate holds for the table only when every branch implies it. Conditions identical in
  every branch are kept as they are; a column constrained in every branch by equalities / IN-lists
  becomes one IN predicate with the summed count of values (``a = 1 OR a = 2`` is ``a IN (1, 2)``);
  ranges and equalities mixed become RANGE with operator ``OR``; anything else OTHER. Columns not
  constrained in every branch give no predicate (they are still in ``columns_read``).
- **Joins** are equalities between columns of two different sources (``inner`` in WHERE, the join's
  side in JOIN ... ON, ``left`` = the tables before the join). A correlated equality is a join of the
  outer column with the inner one: ``semi`` inside EXISTS / IN / ANY, ``anti`` inside NOT EXISTS /
  NOT IN, ``inner`` for a scalar subquery; it is also an EQ predicate on the inner column (value
  ``None``). ``x IN (SELECT y ...)`` is a semi join of x and y (anti for NOT IN). Non-equality
  comparisons between tables are not joins.
- **GROUP BY / ORDER BY** keep only keys that are (lineage to) a base column, also through select
  aliases and positions. **LIMIT** is the outermost query's literal row count.
- **Writes**: the target has ``is_write_target``. ``columns_written``: INSERT's column list (all
  columns without one), UPDATE's SET columns plus an upsert's DO UPDATE SET columns, every column for
  DELETE (a deleted row leaves every index). UPDATE / DELETE WHERE predicates are predicates on the
  target. INSERT ... ON CONFLICT / ON DUPLICATE KEY and MySQL REPLACE are UPSERT.
- **Duplicates** (same fingerprint, literals and parameter styles normalized) merge into the first
  statement: its name, SQL, origin and analysis are kept, rates are summed, and the SLO is the first
  one given. Statements keep the order of their first occurrence.

Case folding follows :class:`~dbarchitect.model.names.Name`: unquoted identifiers fold, quoted ones
compare exactly, on every engine. Every failure a user can cause is a :class:`SqlError` naming the
statement and its origin; nothing else escapes (unexpected shapes become a SqlError too).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import replace

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.optimizer.pushdown_projections import pushdown_projections
from sqlglot.optimizer.qualify import qualify
from sqlglot.schema import MappingSchema

from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, SqlError
from dbarchitect.ingest.fingerprint import fingerprint_of, normalize_expression, prepare_parameters
from dbarchitect.ingest.sql_limits import check_sql_text, deep_stack, parse_sql
from dbarchitect.ingest.statement_parts import (
    _DDL_COMMANDS,
    _DDL_NODES,
    _TARGET,
    _WRITE,
    StatementInput,
    _first_line,
    _identifier_key,
    _inserted_values,
    _limit_of,
    _parameters,
    _readable,
    _Shape,
    _Views,
)
from dbarchitect.ingest.statement_predicates import Predicates
from dbarchitect.limits import current, nesting_exceeded
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.workload import (
    Statement,
    StatementKind,
    TableAccess,
    Workload,
)

logging.getLogger("sqlglot").setLevel(logging.ERROR)

__all__ = ["StatementInput", "analyze_statement", "build_workload"]


class _Analysis(Predicates):
    """The analysis of one statement against the catalog: its shape (what it reads and writes), then
    the resolution and the predicates of the query that finds its rows."""

    # -- shape: statement kinds, DML as queries ------------------------------------------------

    def shape(self, tree: exp.Expr) -> _Shape:
        if isinstance(tree, exp.Query):
            return _Shape(StatementKind.SELECT, query=tree.copy(), limit=_limit_of(tree))
        if isinstance(tree, exp.Insert):
            return self.insert_shape(tree)
        if isinstance(tree, exp.Update):
            return self.update_shape(tree)
        if isinstance(tree, exp.Delete):
            return self.delete_shape(tree)
        statement = type(tree).__name__.upper()
        if isinstance(tree, exp.Command):
            statement = str(tree.this).upper()
        if isinstance(tree, _DDL_NODES) or statement in _DDL_COMMANDS:
            kind = str(tree.args.get("kind") or "").upper()
            raise self.fail(
                f"is DDL ({' '.join(p for p in (statement, kind) if p)}); the workload holds queries and DML",
                hint="put schema statements in the schema's DDL file",
            )
        if isinstance(tree, exp.Merge):
            raise self.fail(
                "is a MERGE statement, which dbarchitect does not analyze yet",
                hint="write it as INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE, or as UPDATE and INSERT",
            )
        if isinstance(tree, exp.Command):
            raise self.fail(
                f"does not parse as a query or DML statement ({statement} is read only as an opaque command)",
                hint="the workload holds SELECT, INSERT, UPDATE and DELETE statements",
            )
        if isinstance(tree, exp.Condition | exp.Identifier):
            raise self.fail(
                "does not parse: it is an expression, not a statement",
                hint="the workload holds SELECT, INSERT, UPDATE and DELETE statements",
            )
        raise self.fail(
            f"is a {statement} statement, not a query or DML",
            hint="the workload holds SELECT, INSERT, UPDATE and DELETE statements; remove it",
        )

    def insert_shape(self, tree: exp.Insert) -> _Shape:
        target = tree.this
        columns: list[exp.Expr] | None = None
        if isinstance(target, exp.Schema):
            columns = list(target.expressions)
            target = target.this
        if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
            raise self.fail("inserts into something that is not a table")
        kind = StatementKind.UPSERT if tree.args.get("conflict") is not None else StatementKind.INSERT
        source = tree.expression
        query: exp.Query | None = None
        if isinstance(source, exp.Query):
            query = source.copy()
            with_ = tree.args.get("with_")
            if isinstance(with_, exp.With) and query.args.get("with_") is None:
                query.set("with_", with_.copy())
        elif isinstance(source, exp.Expr) and source.find(exp.Query) is not None:
            # VALUES holding subqueries: read them as the projections of a SELECT without FROM.
            values = [v.copy() for row in source.expressions for v in getattr(row, "expressions", [row])]
            query = exp.Select(expressions=values)
        limit = _limit_of(query) if query is not None else None
        return _Shape(kind, query, target, columns, tree, limit)

    def write_query(
        self, tree: exp.Update | exp.Delete, target: exp.Table, projections: list[exp.Expr]
    ) -> exp.Select:
        """The SELECT that finds an UPDATE's / DELETE's rows, with ``target`` as its first source."""
        joins: list[exp.Expr] = list(target.args.get("joins") or [])
        target.set("joins", None)
        extra: list[exp.Expr] = []
        for key in ("from_", "using"):
            value = tree.args.get(key)
            if isinstance(value, exp.From):
                extra.append(value.this)
            elif isinstance(value, list):
                extra.extend(v for v in value if isinstance(v, exp.Expr))
        for source in extra:
            nested = list(source.args.get("joins") or [])
            source.set("joins", None)
            joins.append(exp.Join(this=source))
            joins.extend(nested)
        returning = tree.args.get("returning")
        if isinstance(returning, exp.Returning):
            projections.extend(returning.expressions)
        select = exp.Select(expressions=projections or [exp.Literal.number(1)])
        select.set("from_", exp.From(this=target))
        if joins:
            select.set("joins", joins)
        for key in ("where", "order", "with_"):
            value = tree.args.get(key)
            if isinstance(value, exp.Expr):
                select.set(key, value)
        return select

    def update_shape(self, tree: exp.Update) -> _Shape:
        tree = tree.copy()
        target = tree.this
        if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
            raise self.fail("updates something that is not a table")
        target.meta[_TARGET] = True
        qualifier = target.args["alias"].this if target.alias else target.this
        projections: list[exp.Expr] = []
        for n, assignment in enumerate(tree.expressions):
            if not isinstance(assignment, exp.EQ):
                continue
            lhs = assignment.this
            lhs_columns = lhs.expressions if isinstance(lhs, exp.Tuple) else [lhs]
            for m, col in enumerate(lhs_columns):
                if not isinstance(col, exp.Column):
                    continue
                written = col.copy()
                if not written.table:
                    written.set("table", qualifier.copy())
                alias = exp.alias_(written, f"_dbarch_w{n}_{m}")
                alias.meta[_WRITE] = True
                projections.append(alias)
            value = assignment.expression
            if isinstance(value, exp.Column) and not value.table and value.name.upper() == "DEFAULT":
                continue
            projections.append(exp.alias_(value, f"_dbarch_v{n}"))
        return _Shape(
            StatementKind.UPDATE, self.write_query(tree, target, projections), limit=_limit_of(tree)
        )

    def delete_shape(self, tree: exp.Delete) -> _Shape:
        tree = tree.copy()
        target = tree.this
        if not isinstance(target, exp.Table) or not isinstance(target.this, exp.Identifier):
            raise self.fail("deletes from something that is not a table")
        listed = [t for t in tree.args.get("tables") or [] if isinstance(t, exp.Table)]
        query = self.write_query(tree, target, [])
        if listed:  # MySQL multi-table DELETE t1, t2 FROM ...: the listed names are the targets
            names = {_identifier_key(t.this) for t in listed}
            for table in query.find_all(exp.Table):
                if _identifier_key(table.args["alias"].this if table.alias else table.this) in names:
                    table.meta[_TARGET] = True
        else:
            target.meta[_TARGET] = True
        return _Shape(StatementKind.DELETE, query, limit=_limit_of(tree))

    # -- the whole statement --------------------------------------------------------------------

    def analyze_query(self, query: exp.Query) -> None:
        query = self.prepare(query)
        try:
            query = qualify(
                query,
                schema=self.schema,
                validate_qualify_columns=False,
                quote_identifiers=False,
                identify=False,
            )
        except SqlglotError as exc:
            raise self.fail(f"cannot be resolved against the schema: {_first_line(exc)}") from None
        with contextlib.suppress(SqlglotError):
            query = pushdown_projections(query)  # a view's or subquery's unused columns are not read
        self.collect(query)

    def analyze_insert(self, shape: _Shape) -> None:
        assert shape.insert_target is not None and shape.insert is not None
        table = self.lookup_table(shape.insert_target.this, "inserts into")
        acc = self.access(table)
        acc.occurrences += 1
        acc.target = True
        if shape.insert_target.alias:
            acc.aliases.append(shape.insert_target.alias)
        if shape.insert_columns is None:
            acc.written.update(c.name.key for c in table.columns)
            columns = [c.name for c in table.columns]
        else:
            columns = [
                self.column_of(table, node, "inserts into a column that does not exist")
                for node in shape.insert_columns
            ]
            acc.written.update(c.key for c in columns)
        acc.inserted.extend(_inserted_values(table, columns, shape.insert.expression))
        conflict = shape.insert.args.get("conflict")
        names = {
            table.name.key,
            _identifier_key(shape.insert_target.args["alias"].this)
            if shape.insert_target.alias
            else table.name.key,
        }
        values = shape.insert.expression
        row_alias = values.args.get("alias") if isinstance(values, exp.Expr) else None
        pseudo = {"excluded"} | (
            {_identifier_key(row_alias.this)} if isinstance(row_alias, exp.TableAlias) else set()
        )
        if isinstance(conflict, exp.OnConflict):
            for assignment in conflict.expressions:
                if isinstance(assignment, exp.EQ) and isinstance(assignment.this, exp.Column):
                    acc.written.add(self.column_of(table, assignment.this.this, "updates on conflict").key)
            for column in conflict.find_all(exp.Column):
                if any(column is a.this for a in conflict.expressions):
                    continue  # a SET target, counted as written
                qualifier = _identifier_key(column.args.get("table")) if column.table else ""
                name = self.column_of(
                    table, column.this, "refers on conflict to a column that does not exist"
                )
                if qualifier not in pseudo:
                    if qualifier and qualifier not in names:
                        raise self.fail(
                            f"refers on conflict to '{column.table}', which is not '{table.name}'"
                        )
                    acc.read.add(name.key)
        returning = shape.insert.args.get("returning")
        if isinstance(returning, exp.Returning):
            for column in returning.find_all(exp.Column):
                if not column.is_star:
                    acc.read.add(
                        self.column_of(table, column.this, "returns a column that does not exist").key
                    )

    def run(self, tree: exp.Expr) -> tuple[StatementKind, int | None]:
        shape = self.shape(tree)
        if shape.insert_target is not None:
            self.analyze_insert(shape)
        if shape.query is not None:
            self.analyze_query(shape.query)
        if shape.kind == StatementKind.DELETE:
            for acc in self.accesses.values():
                if acc.target:  # a deleted row leaves every index
                    acc.written.update(c.name.key for c in acc.table.columns)
        return shape.kind, shape.limit

    def table_accesses(self, order: Sequence[str]) -> tuple[TableAccess, ...]:
        ranked = sorted(
            self.accesses.values(),
            key=lambda a: (
                not a.target,
                order.index(a.table.name.key) if a.table.name.key in order else len(order),
            ),
        )
        return tuple(a.freeze() for a in ranked)


def _schema(catalog: Catalog) -> MappingSchema:
    """The catalog as sqlglot sees it: keys are :attr:`Name.key` (quoted identifiers keep their case)."""
    mapping: dict[str, object] = {
        t.name.key: {c.name.key: "UNKNOWN" for c in t.columns} for t in catalog.tables
    }
    return MappingSchema(mapping, normalize=False)


def _catalog_context(catalog: Catalog) -> tuple[MappingSchema, _Views]:
    """The catalog's sqlglot schema and parsed views, built once per catalog and kept on it: advisors
    analyze statements against the same catalog thousands of times (partitioning binds each statement,
    the lever search rewrites them), and building these is linear in the schema's size."""
    cached: tuple[MappingSchema, _Views] | None = catalog.__dict__.get("_analysis_context")
    if cached is None:
        cached = (_schema(catalog), _Views(catalog))
        object.__setattr__(catalog, "_analysis_context", cached)
    return cached


def _first_table_order(tree: exp.Expr, catalog: Catalog) -> list[str]:
    """Catalog table keys in the order the statement names them (for a stable TableAccess order)."""
    order: list[str] = []
    for node in tree.walk(bfs=False):
        if isinstance(node, exp.Table) and isinstance(node.this, exp.Identifier):
            table = catalog.table(Name(node.name, bool(node.this.args.get("quoted"))))
            if table is not None and table.name.key not in order:
                order.append(table.name.key)
    return order


def _parse(item: StatementInput, dialect: str, label: str) -> exp.Expr:
    where = f"statement '{item.name}'"
    if not item.sql.strip():
        raise SqlError(
            Diagnostic(f"{where} is empty", file=item.origin, hint="give the SQL text of one statement")
        )
    sql = prepare_parameters(item.sql)
    try:
        trees = parse_sql(sql, dialect, what=where, file=item.origin)
    except SqlglotError as exc:
        errors = getattr(exc, "errors", None) or [{}]
        first = errors[0] if isinstance(errors[0], dict) else {}
        description = _readable(str(first.get("description") or _first_line(exc)))
        line, col = first.get("line"), first.get("col")
        at = f" at line {line}, column {col}" if line is not None and col is not None else ""
        raise SqlError(
            Diagnostic(
                f"{where} does not parse{at}: {description}",
                file=item.origin,
                hint=f"it is read as {label} SQL",
            )
        ) from None
    if not trees:
        raise SqlError(
            Diagnostic(f"{where} is empty", file=item.origin, hint="give the SQL text of one statement")
        )
    if len(trees) > 1:
        raise SqlError(
            Diagnostic(
                f"{where} holds {len(trees)} SQL statements",
                file=item.origin,
                hint="give each statement its own entry",
            )
        )
    tree = trees[0]
    for cte in tree.find_all(exp.CTE):
        if isinstance(cte.this, exp.Insert | exp.Update | exp.Delete | exp.Merge):
            raise SqlError(
                Diagnostic(
                    f"{where} changes data inside WITH: {cte.alias or 'a CTE'} is a {cte.this.key.upper()} "
                    "(a data-modifying CTE), which dbarchitect does not analyze yet",
                    file=item.origin,
                    hint=f"give the {cte.this.key.upper()} ... RETURNING as a statement of its own, and the "
                    "query that reads its rows as another",
                )
            )
    if isinstance(tree, exp.Command) and str(tree.this).upper() == "REPLACE":
        # MySQL REPLACE INTO: an upsert with INSERT's shape.
        rest = tree.expression.name if isinstance(tree.expression, exp.Expr) else ""
        try:
            replaced = sqlglot.parse_one(f"INSERT {rest}", read=dialect)
        except SqlglotError as exc:
            raise SqlError(
                Diagnostic(f"{where} does not parse: {_first_line(exc)}", file=item.origin)
            ) from None
        if isinstance(replaced, exp.Insert):
            replaced.meta["dbarch_replace"] = True
            return replaced
    return tree


def analyze_statement(
    item: StatementInput,
    catalog: Catalog,
    engine: EngineName,
    *,
    _schema_cache: MappingSchema | None = None,
    _views: _Views | None = None,
) -> Statement:
    """One statement parsed, resolved against ``catalog`` and described (see module docstring).

    Raises :class:`SqlError` (and nothing else) for anything wrong with the statement.
    """
    target = get_traits(engine)
    traits = get_traits(item.dialect) if item.dialect is not None else target
    check_sql_text(item.sql, traits.sqlglot_dialect, what=f"statement '{item.name}'", file=item.origin)
    try:
        with deep_stack():
            return _analyze(item, catalog, target, traits, _schema_cache, _views)
    except DbarchError:
        raise
    except (MemoryError, SystemError):
        raise  # out of memory (a C extension reports it as SystemError): never the statement's fault
    except RecursionError:
        raise nesting_exceeded(
            current().max_nesting + 1, what=f"statement '{item.name}'", file=item.origin
        ) from None
    except Exception as exc:  # an AST shape the analysis does not know must not crash the tool
        raise SqlError(
            Diagnostic(
                f"statement '{item.name}' cannot be analyzed ({type(exc).__name__}: {_first_line(exc)})",
                file=item.origin,
                hint="a limitation of dbarchitect's SQL analysis; rewrite the statement or report it",
            )
        ) from exc


def _analyze(
    item: StatementInput,
    catalog: Catalog,
    target: EngineTraits,
    traits: EngineTraits,
    schema: MappingSchema | None,
    views: _Views | None,
) -> Statement:
    tree = _parse(item, traits.sqlglot_dialect, traits.label)
    if schema is None or views is None:
        schema, views = _catalog_context(catalog)
    analysis = _Analysis(item, catalog, schema, views)
    kind, limit = analysis.run(tree)
    if tree.meta.get("dbarch_replace"):
        kind = StatementKind.UPSERT
    normalized = normalize_expression(tree, target.sqlglot_dialect)
    return Statement(
        name=item.name,
        sql=item.sql.strip(),
        kind=kind,
        fingerprint=fingerprint_of(normalized),
        rate=item.rate,
        tables=analysis.table_accesses(_first_table_order(tree, catalog)),
        joins=tuple(analysis.joins),
        limit=limit,
        slo=item.slo,
        normalized_sql=normalized,
        parameters=_parameters(tree),
        origin=item.origin,
        params=item.params,
    )


def build_workload(
    items: Sequence[StatementInput], catalog: Catalog, engine: EngineName, *, strict: bool = True
) -> Workload:
    """Every statement analyzed against ``catalog``; duplicates (same fingerprint) merged into the
    first, with rates summed. Raises :class:`SqlError` naming the first bad statement — unless not
    ``strict``: then every statement that cannot be analyzed is left out and listed, with its
    reason, in ``Workload.left_out``."""
    schema, views = _catalog_context(catalog)
    merged: dict[str, Statement] = {}
    left_out: list[tuple[str, str]] = []
    for item in items:
        try:
            statement = analyze_statement(item, catalog, engine, _schema_cache=schema, _views=views)
        except SqlError as exc:
            if strict:
                raise
            left_out.append((item.name, exc.diagnostic.message))
            continue
        first = merged.get(statement.fingerprint)
        if first is None:
            merged[statement.fingerprint] = statement
        else:
            merged[statement.fingerprint] = replace(
                first, rate=first.rate + statement.rate, slo=first.slo or statement.slo
            )
    return Workload(tuple(merged.values()), left_out=tuple(left_out))
