"""What a rewrite rule is, what it is given, and what it returns.

A rule (one class per file in this package) looks at one workload statement - its sqlglot tree in the
brief's dialect, the statement model, the catalog with its statistics - and either proposes a
rewritten statement (:class:`Draft`) or refuses with the reason (:class:`Refusal`); most statements
give it nothing to say. A draft says how "same answers" is to be proven (:class:`Proof`): the same
parameters for both statements, the original's rows projected onto fewer columns, a page fetched
after the previous page's last row (keyset pagination), or a loop replaced by one statement. The
advisor (:mod:`.advisor`) costs each draft against the original and keeps the ones the model shows
a gain for; ``dbarch verify`` proves them.

Rewrites must be exact: a rule that cannot show the rewritten statement returns the same multiset of
rows for every parameter value (NULLs, duplicates and empty inputs included) refuses or says nothing.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

from sqlglot import exp

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.workload import Statement, Transaction, Workload


class Protocol(StrEnum):
    """How ``verify`` proves a rewrite returns the same rows as the original."""

    #: Both run with the same parameters; identical multisets of rows.
    SAME = "same"
    #: The rewritten statement returns the original's rows projected onto ``Proof.columns``.
    PROJECTION = "projection"
    #: Keyset pagination: the page after the previous page's last row equals the page at OFFSET.
    KEYSET = "keyset"
    #: One statement replaces a loop: its rows equal the loop's rows put together.
    BATCH = "batch"


@dataclass(frozen=True)
class Proof:
    """What ``verify`` needs to prove a draft (see :class:`Protocol`).

    Attributes:
        protocol: How the answers are compared.
        columns: ``PROJECTION``: the result columns the rewritten statement keeps, in order.
        order: ``KEYSET``: the ORDER BY keys as (result column, descending).
        after: ``KEYSET``: new parameter -> the result column of the previous page's last row it takes.
        offset: ``KEYSET``: the original's OFFSET parameter name, or its literal text.
        loop_parameters: ``BATCH``: parameters that take a new value in every iteration.
        batch_size: ``BATCH``: iterations per execution (the loop's repeat, mean rounded up).
        dates: Parameters to draw as dates (a day), not as the timestamps of the column they meet.
        batch: ``BATCH``: the looped parameter -> the batch's parameters, one per iteration.
        reference: The statement (brief's dialect) the rewrite's answers are compared with when it is
            not the original as written: keyset pagination's OFFSET query with the tie-breaking key the
            original needs too, and its OFFSET as a parameter.
    """

    protocol: Protocol
    columns: tuple[str, ...] = ()
    order: tuple[tuple[str, bool], ...] = ()
    after: tuple[tuple[str, str], ...] = ()
    offset: str | None = None
    loop_parameters: tuple[str, ...] = ()
    batch_size: int = 1
    dates: tuple[str, ...] = ()
    batch: tuple[tuple[str, tuple[str, ...]], ...] = ()
    reference: str | None = None


@dataclass(frozen=True)
class Draft:
    """A rewrite a rule proposes for one statement.

    Attributes:
        sql: The rewritten statement, in the brief's dialect, parameters as ``:name``.
        change: What changed, in one line (``OFFSET :offset -> WHERE (placed_at, id) < (...)``).
        semantics: Why the answers are the same, and under which conditions (NULLs, ties, time zones).
        proof: How ``verify`` proves it.
        requires: What the application must do differently to use it (None: nothing).
        before: The statement model the cost model prices the original as, when the ingested statement
            misses what the rule is about (the rows an OFFSET skips); None: the workload's own.
        after: The statement model of the rewritten statement when the ingested SQL cannot say it;
            None: the rewritten SQL is analyzed like any statement.
        repeats: Executions of the original one execution of the rewritten statement replaces (a loop).
        parts: Statements whose costs add up to the rewrite's (the branches of a UNION ALL, which the
            statement analysis would merge into one access per table); empty: the rewrite as a whole.
        before_extra_cost: Planner units the engine spends on the original that the cost model does
            not see (NOT IN's per-row rescans of a subquery too big to hash).
    """

    sql: str
    change: str
    semantics: str
    proof: Proof
    requires: str | None = None
    before: Statement | None = None
    after: Statement | None = None
    repeats: float = 1.0
    parts: tuple[str, ...] = ()
    before_extra_cost: float = 0.0
    #: ``(table, column, distinct)`` the cost model should take for the rewrite's estimate: a one-day
    #: range on a timestamp costed as an equality on its day (as many values as the days it spans).
    after_distinct: tuple[tuple[str, str, float], ...] = ()


@dataclass(frozen=True)
class Refusal:
    """A rewrite a rule will not propose for a statement, and why (NOT IN over a nullable column)."""

    reason: str
    #: The rewrite would be exact, but the brief lacks what weighing it needs (an OFFSET's depth).
    unweighed: bool = False


@dataclass(frozen=True)
class RewriteContext:
    """What a rule is given for one statement.

    Attributes:
        statement: The statement model (tables, predicates, joins, order, limit).
        tree: Its sqlglot tree in the brief's dialect (rules must not change it: copy first).
        catalog: The schema with the brief's statistics (and the design's indexes).
        traits: The brief's target engine.
        params: The brief's example parameter values for the statement (``params:``).
        workload: The whole workload (transactions, for loops of statements).
        config: Indexes the design adds to the catalog's (the index advice), which a rewrite may use.
    """

    statement: Statement
    tree: exp.Expr
    catalog: Catalog
    traits: EngineTraits
    params: Mapping[str, Any] = field(default_factory=dict)
    workload: Workload = field(default_factory=Workload)
    config: frozenset[IndexCandidate] = frozenset()

    @property
    def dialect(self) -> str:
        return self.traits.sqlglot_dialect

    def transactions(self) -> Iterator[Transaction]:
        """The workload's transactions that run this statement."""
        for txn in self.workload.transactions:
            if any(s.name == self.statement.name for step in txn.steps for s in step.statements):
                yield txn


class RewriteRule:
    """One rewrite. ``id`` is kebab-case and is the fixture folder's name
    (``tests/advisors/rewrites/cases/<id>/``); the module docstring explains it."""

    id: ClassVar[str]
    summary: ClassVar[str]

    def propose(self, context: RewriteContext) -> Iterator[Draft | Refusal]:
        raise NotImplementedError


# ---------------------------------------------------------------------------------------------
# Helpers shared by the rules


def sql_of(tree: exp.Expr, dialect: str) -> str:
    """``tree`` as SQL in ``dialect`` with parameters written ``:name`` (as briefs write them)."""
    copy = tree.copy()
    for node in list(copy.find_all(exp.Placeholder)):
        name = node.name
        if name:
            node.replace(exp.var(f":{name}"))
    return copy.sql(dialect=dialect)


def parameter(name: str) -> exp.Placeholder:
    return exp.Placeholder(this=name)


def scope_tables(select: exp.Select, catalog: Catalog) -> dict[str, Table]:
    """Alias (or name) -> catalog table for the tables in ``select``'s own FROM and JOINs (not in
    subqueries)."""
    out: dict[str, Table] = {}
    sources: list[exp.Expr] = []
    from_ = select.args.get("from_") or select.args.get("from")
    if from_ is not None:
        sources.append(from_.this)
    sources += [j.this for j in select.args.get("joins") or []]
    for source in sources:
        if isinstance(source, exp.Table):
            table = catalog.table(source.name)
            if table is not None:
                out[(source.alias or source.name).lower()] = table
    return out


def resolve(column: exp.Column, tables: Mapping[str, Table]) -> tuple[str, Table, Column] | None:
    """The (alias, table, column) an ``exp.Column`` of a scope names; None when it is not one of the
    scope's tables' columns (an outer reference, an alias of the select list)."""
    if column.table:
        table = tables.get(column.table.lower())
        found = table.column(column.name) if table is not None else None
        return (column.table.lower(), table, found) if table is not None and found is not None else None
    hits = [(alias, t, c) for alias, t in tables.items() if (c := t.column(column.name)) is not None]
    return hits[0] if len(hits) == 1 else None


def unique_keys(table: Table) -> list[set[str]]:
    """Column-key sets that identify a row: the primary key, unique constraints, unique indexes."""
    keys: list[set[str]] = []
    if table.primary_key is not None:
        keys.append({c.key for c in table.primary_key.columns})
    keys += [{c.key for c in u.columns} for u in table.uniques]
    keys += [{c.key for c in i.columns} for i in table.indexes if i.unique and i.where is None and i.columns]
    return keys


def is_unique(table: Table, columns: set[str]) -> bool:
    """Whether ``columns`` (keys) include a key of ``table`` that holds no NULL (so it is unique)."""
    return any(key <= columns and all(_not_null(table, k) for k in key) for key in unique_keys(table) if key)


def _not_null(table: Table, key: str) -> bool:
    column = table.column(key)
    return column is not None and not column.nullable


def has_parameters(node: exp.Expr) -> bool:
    return any(True for _ in node.find_all(exp.Placeholder, exp.Parameter))


def conjuncts(node: exp.Expr | None) -> list[exp.Expr]:
    """The AND-ed parts of a condition (parentheses removed)."""
    if node is None:
        return []
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.And):
        return conjuncts(node.left) + conjuncts(node.right)
    return [node]


def and_all(parts: list[exp.Expr]) -> exp.Expr | None:
    out: exp.Expr | None = None
    for part in parts:
        out = part if out is None else exp.and_(out, part, copy=False)
    return out
