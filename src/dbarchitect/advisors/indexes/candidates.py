"""Index candidates: the hypothetical indexes the advisor may propose, generated from the workload.

An :class:`IndexCandidate` (:mod:`~dbarchitect.advisors.indexes.candidate`) is pure data. Where it came
from — which statements it may help and why — is kept beside it in :class:`CandidateInfo`, so two
statements proposing the same index share one candidate.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from dbarchitect.advisors.access_paths import predicate_selectivity, table_indexes
from dbarchitect.advisors.indexes.candidate import IndexCandidate as IndexCandidate
from dbarchitect.advisors.indexes.candidate import index_names as index_names
from dbarchitect.advisors.indexes.methods import (
    HASH_MIN_WIDTH,
    StatementTerms,
    brin_rule,
    expression_key,
)
from dbarchitect.advisors.sizing import index_entry_width, row_width
from dbarchitect.engines.traits import EngineTraits, implicit_index_columns
from dbarchitect.model.catalog import Catalog, Column, Index, IndexKey, Table
from dbarchitect.model.names import Name
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import (
    Predicate,
    PredicateKind,
    Statement,
    StatementKind,
    TableAccess,
    Workload,
)


@dataclass(frozen=True)
class CandidateInfo:
    """A candidate with the statements (by name) it may help and why it was generated."""

    candidate: IndexCandidate
    statements: tuple[str, ...]
    reasons: tuple[str, ...]


# --------------------------------------------------------------------------------------------------
# Candidate generation
# --------------------------------------------------------------------------------------------------

#: Tables this small (rows) fit in a page or two: a sequential read beats any index, so no candidate.
MIN_TABLE_ROWS = 100.0
#: A literal predicate keeping at most this share of rows, on a column with at most
#: :data:`PARTIAL_MAX_DISTINCT` values, is worth a partial index (``WHERE status IN ('paid', 'packed')``).
PARTIAL_MAX_SELECTIVITY = 0.10
PARTIAL_MAX_DISTINCT = 1000.0
#: Covering variants: most columns (keys + covered) and the largest entry width relative to the row
#: (an index nearly as wide as the table saves little over reading the table).
COVERING_MAX_COLUMNS = 6
COVERING_MAX_SHARE = 0.6

_EQ_KINDS = (PredicateKind.EQ, PredicateKind.IN, PredicateKind.IS_NULL)
_RANGE_KINDS = (PredicateKind.RANGE, PredicateKind.LIKE_PREFIX)
_UNINDEXABLE = frozenset({TypeKind.JSON, TypeKind.ARRAY})
_NUMERIC = frozenset(
    {TypeKind.SMALLINT, TypeKind.INTEGER, TypeKind.BIGINT, TypeKind.DECIMAL, TypeKind.REAL, TypeKind.DOUBLE}
)
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


def is_join_condition(access: TableAccess, predicate: Predicate) -> bool:
    """A predicate comparing a column with a column of another (outer) table — ``ps_partkey =
    p_partkey`` inside a correlated subquery — is a join, not a filter: its value is ``None`` and its
    column is one of the access's join columns."""
    return predicate.value is None and any(c.matches(predicate.column.column) for c in access.join_columns)


def filters(table: Table, access: TableAccess) -> tuple[Predicate, ...]:
    """The access's predicates on ``table`` that filter rows (join conditions left out)."""
    return tuple(
        p
        for p in access.predicates
        if p.column.table.matches(table.name) and not is_join_condition(access, p)
    )


def _literal_sql(column: Column | None, text: str) -> str:
    value = text.strip()
    if len(value) >= 2 and value[0] == value[-1] == "'":
        value = value[1:-1].replace("''", "'")
    kind = column.type.kind if column is not None else None
    if kind == TypeKind.BOOLEAN and value.lower() in ("true", "false", "1", "0"):
        return "TRUE" if value.lower() in ("true", "1") else "FALSE"
    if kind in _NUMERIC and _NUMBER.match(value):
        return value
    return "'" + value.replace("'", "''") + "'"


def literal_predicate_sql(table: Table, predicate: Predicate, *, as_written: bool = False) -> str | None:
    """Neutral SQL of a constant predicate a partial index can carry (``status IN ('packed', 'paid')``,
    values sorted so the same set always reads the same), or ``None`` when it has a parameter.

    ``as_written``: the statement's own form and term order (``status IN ('paid', 'packed')``, an IN
    list of one value kept as one), for an engine that matches a partial index's WHERE only against a
    term written the same way (``Features.partial_index_terms_as_written``)."""
    column = table.column(predicate.column.column)
    name = column.name.value if column is not None else predicate.column.column.value
    if predicate.kind == PredicateKind.IS_NULL:
        return None if "NOT" in predicate.operator.upper() else f"{name} IS NULL"
    if predicate.kind == PredicateKind.IN and predicate.in_values:
        if as_written:
            written = list(dict.fromkeys(_literal_sql(column, v) for v in predicate.in_values))
            if predicate.operator.upper() == "IN":
                return f"{name} IN ({', '.join(written)})"
            return None  # = ANY (ARRAY[...]) and the like: no form to copy
        values = sorted({_literal_sql(column, v) for v in predicate.in_values})
        return f"{name} = {values[0]}" if len(values) == 1 else f"{name} IN ({', '.join(values)})"
    if predicate.kind == PredicateKind.EQ and predicate.value not in (None, "?"):
        return f"{name} = {_literal_sql(column, predicate.value or '')}"
    return None


_WHERE_FORM = re.compile(
    r"^\s*(?P<col>[A-Za-z_][A-Za-z0-9_]*)\s*(?:(?P<null>IS\s+NULL)|=\s*(?P<one>.+?)|IN\s*\((?P<many>.+)\))\s*$",
    re.IGNORECASE | re.DOTALL,
)


def parse_where(where: str) -> tuple[str, frozenset[str] | None] | None:
    """``(column key, literal set)`` of a simple partial predicate (``None`` set: IS NULL), or ``None``
    when the predicate has another shape."""
    m = _WHERE_FORM.match(where)
    if m is None:
        return None
    if m.group("null"):
        return m.group("col").lower(), None
    raw = m.group("one") if m.group("one") is not None else m.group("many")
    values = frozenset(v.strip() for v in re.split(r",(?=(?:[^']*'[^']*')*[^']*$)", raw))
    return m.group("col").lower(), values


def where_implied(
    where: str, table: Table, predicates: tuple[Predicate, ...], *, as_written: bool = False
) -> bool:
    """Whether the statement's ``predicates`` imply a partial index's ``where`` (so the planner may use
    it): the same predicate, or an equality / IN-list whose values all lie in the index's list.
    ``as_written``: only the same term written the same way (SQLite)."""
    wanted = parse_where(where)
    squeezed = re.sub(r"\s+", "", where).lower()
    if as_written:
        return any(
            re.sub(r"\s+", "", text).lower() == squeezed
            for p in predicates
            if (text := literal_predicate_sql(table, p, as_written=True)) is not None
        )
    for p in predicates:
        text = literal_predicate_sql(table, p)
        if text is None:
            continue
        if re.sub(r"\s+", "", text).lower() == squeezed:
            return True
        have = parse_where(text)
        if wanted is not None and have is not None and have[0] == wanted[0]:
            if wanted[1] is None and have[1] is None:
                return True
            if wanted[1] is not None and have[1] is not None and have[1] <= wanted[1]:
                return True
    return False


def served_by(candidate: IndexCandidate, index: Index) -> bool:
    """An existing B-tree already gives everything ``candidate`` would: its keys start with the
    candidate's keys (in any directions when the candidate needs no mixed-direction order, else the
    same directions or all reversed), it holds the covered columns, and it is not partial unless on
    the same predicate."""
    keys = index.keys
    if len(keys) < candidate.width:
        return False
    index_btree = index.method in (None, "btree")
    if candidate.method in ("brin", "hash"):
        # A B-tree leading with the column already serves what a BRIN or hash index would.
        first = keys[0]
        same = index.method == candidate.method or index_btree
        return (
            same
            and index.where is None
            and first.column is not None
            and first.column.matches(candidate.columns[0])
        )
    if candidate.method != index.method and not (candidate.method is None and index_btree):
        return False
    flips: set[bool] = set()
    for i, col in enumerate(candidate.columns):
        key = keys[i]
        expression = candidate.expression(i)
        if expression is not None:
            if key.expression is None or expression_key(key.expression) != expression_key(expression):
                return False
        elif key.column is None or not key.column.matches(col):
            return False
        flips.add(key.descending != candidate.is_descending(i))
    # Candidates carry DESC flags only when a mixed-direction sort needs them; an all-ascending one
    # serves equality, ranges and one-direction sorts, which any key directions serve as well.
    if len(flips) > 1 and any(candidate.descending):
        return False
    held = {k.column.key for k in keys if k.column is not None} | {c.key for c in index.include}
    if not {c.key for c in candidate.include} <= held:
        return False
    if index.where is None:
        # A partial candidate is smaller and skips the rows outside its predicate: not served.
        return candidate.where is None
    return (
        candidate.where is not None
        and re.sub(r"\s+", "", index.where).lower() == re.sub(r"\s+", "", candidate.where).lower()
    )


def _declared(table: Table, column: Name) -> Name:
    """The column's name as the table declares it (quoting and case as written in the schema)."""
    col = table.column(column)
    return col.name if col is not None else column


class _Collector:
    """Candidates in first-seen order, merging statements and reasons of identical ones."""

    def __init__(self, catalog: Catalog, traits: EngineTraits, max_width: int) -> None:
        self.catalog = catalog
        self.traits = traits
        self.max_width = max_width
        self.found: dict[IndexCandidate, tuple[list[str], list[str]]] = {}
        self._existing: dict[str, tuple[Index, ...]] = {}

    def indexable(self, table: Table, column: Name) -> bool:
        col = table.column(column)
        if col is None or col.type.kind in _UNINDEXABLE:
            return False
        if col.type.kind == TypeKind.NATIVE and (
            col.type.native_engine != self.traits.sqlglot_dialect
            or (col.type.native_spelling or "").endswith("]")
            or col.type.native_base not in self.traits.btree_native_types
        ):
            return False
        needs_prefix = self.traits.features.text_keys_need_prefix
        return not (needs_prefix and col.type.kind in (TypeKind.TEXT, TypeKind.BINARY))

    def add(
        self,
        table: Table,
        keys: list[tuple[Name, bool]],
        statement: str,
        reason: str,
        *,
        include: tuple[Name, ...] = (),
        where: str | None = None,
    ) -> IndexCandidate | None:
        seen: set[str] = set()
        unique_keys: list[tuple[Name, bool]] = []
        for col, desc in keys:
            if col.key not in seen:
                seen.add(col.key)
                unique_keys.append((col, desc))
        unique_keys = unique_keys[: self.max_width]
        if not unique_keys or not all(self.indexable(table, c) for c, _ in unique_keys):
            return None
        flags = tuple(d for _, d in unique_keys)
        if all(flags):
            flags = tuple(False for _ in flags)  # all descending: a backward scan of an ascending index
        if any(flags) and not self.traits.features.descending_indexes:
            return None
        cols = tuple(_declared(table, c) for c, _ in unique_keys)
        inc = tuple(c for c in include if c.key not in seen)
        candidate = IndexCandidate(
            table=table.name,
            columns=cols,
            descending=flags if any(flags) else (),
            include=tuple(sorted(inc, key=lambda n: n.key)),
            where=where,
        )
        if table.name.key not in self._existing:
            self._existing[table.name.key] = table_indexes(table)
        if any(served_by(candidate, index) for index in self._existing[table.name.key]):
            return None
        statements, reasons = self.found.setdefault(candidate, ([], []))
        if statement and statement not in statements:
            statements.append(statement)
        if reason not in reasons:
            reasons.append(reason)
        if not any(flags):
            self._adopt_directions(table, candidate, statement, reason)
        return candidate

    def _adopt_directions(self, table: Table, candidate: IndexCandidate, statement: str, reason: str) -> None:
        """A candidate that needs no particular key directions and extends an existing index with
        mixed directions (``(customer_id, placed_at DESC)``) also comes with that index's directions,
        so that it can replace it (an index dominates another only in the same key order)."""
        if candidate.method is not None or candidate.expressions:
            return
        for index in table.indexes:
            keys = index.keys
            if (
                index.unique
                or index.method not in (None, "btree")
                or len(keys) > candidate.width
                or len({k.descending for k in keys}) < 2
                or any(
                    k.column is None or not k.column.matches(c)
                    for k, c in zip(keys, candidate.columns, strict=False)
                )
            ):
                continue
            flags = tuple(k.descending for k in keys) + (False,) * (candidate.width - len(keys))
            variant = dataclasses.replace(candidate, descending=flags)
            if variant not in self.found and not any(
                served_by(variant, other) for other in self._existing[table.name.key]
            ):
                self.found[variant] = (
                    [statement] if statement else [],
                    [reason + "; in the key order of " + index.name.value],
                )

    def add_candidate(self, table: Table, candidate: IndexCandidate, statement: str, reason: str) -> None:
        """Record ``candidate`` as it is (expression keys, another access method) unless an existing
        index serves it."""
        if table.name.key not in self._existing:
            self._existing[table.name.key] = table_indexes(table)
        if any(served_by(candidate, index) for index in self._existing[table.name.key]):
            return
        statements, reasons = self.found.setdefault(candidate, ([], []))
        if statement and statement not in statements:
            statements.append(statement)
        if reason not in reasons:
            reasons.append(reason)

    def add_covering(
        self, table: Table, keys: list[tuple[Name, bool]], access: TableAccess, statement: str, reason: str
    ) -> None:
        """The covering variant of ``keys``: the other columns the statement reads from the table as
        INCLUDE columns, or as trailing keys where the engine has no INCLUDE (only while narrow)."""
        # the columns every index entry holds already (InnoDB's primary key, SQLite's rowid) are not added
        key_names = {c.key for c, _ in keys} | implicit_index_columns(table, self.traits.features)
        extra = [_declared(table, c) for c in access.columns_read if table.has_column(c)]
        extra = [c for c in extra if c.key not in key_names]
        if not extra or len(keys) > self.max_width:
            return
        row = row_width(table)
        shape = Index(Name("covering"), tuple(IndexKey(column=c) for c, _ in keys), include=tuple(extra))
        width = index_entry_width(table, shape)
        if row <= 0 or width > COVERING_MAX_SHARE * row:
            return
        covering = reason + "; covering (index-only scan)"
        if self.traits.features.include_columns:
            self.add(table, keys, statement, covering, include=tuple(extra))
        elif len(keys) + len(extra) <= COVERING_MAX_COLUMNS:
            saved = self.max_width
            self.max_width = COVERING_MAX_COLUMNS
            try:
                self.add(table, [*keys, *((c, False) for c in extra)], statement, covering)
            finally:
                self.max_width = saved

    def result(self) -> tuple[CandidateInfo, ...]:
        return tuple(
            CandidateInfo(candidate, tuple(statements), tuple(reasons))
            for candidate, (statements, reasons) in self.found.items()
        )


def _single_table_order(statement: Statement, access: TableAccess) -> bool:
    """The statement's whole ORDER BY is on this table (so an index on it can serve it)."""
    return bool(access.order_by) and all(not a.order_by for a in statement.tables if a is not access)


def _candidates_for_access(c: _Collector, statement: Statement, table: Table, access: TableAccess) -> None:
    name = statement.name
    preds = filters(table, access)
    selectivity: dict[str, float] = {}
    for p in preds:
        key = p.column.column.key
        selectivity[key] = selectivity.get(key, 1.0) * predicate_selectivity(table, p).value
    eq_cols: list[Name] = []
    rng_cols: list[Name] = []
    for p in preds:
        col = p.column.column
        if p.kind in _EQ_KINDS and all(not col.matches(x) for x in eq_cols):
            eq_cols.append(col)
    for p in preds:
        col = p.column.column
        if p.kind in _RANGE_KINDS and all(not col.matches(x) for x in eq_cols + rng_cols):
            rng_cols.append(col)
    # Most selective equality first: one order per set (the others are dominated permutations).
    eq_cols.sort(key=lambda col: (selectivity.get(col.key, 1.0), col.key))
    eq = [(col, False) for col in eq_cols]
    bases: list[tuple[list[tuple[Name, bool]], str]] = []
    for col in eq_cols:
        bases.append(([(col, False)], f"equality on {col.value}"))
    if len(eq_cols) > 1:
        bases.append((eq, "equality on " + ", ".join(col.value for col in eq_cols)))
    for col in rng_cols:
        bases.append(([(col, False)], f"range on {col.value}"))
        if eq:
            bases.append(([*eq, (col, False)], f"equality then range on {col.value}"))
    ordered = _single_table_order(statement, access) and not any(a.group_by for a in statement.tables)
    if ordered:
        order = [(o.column.column, o.descending) for o in access.order_by]
        what = "ORDER BY " + ", ".join(col.value + (" DESC" if d else "") for col, d in order)
        if order[0][1]:
            # A B-tree is read both ways: canonical form starts ascending (all-DESC becomes all-ASC).
            order = [(col, not d) for col, d in order]
        if statement.limit is not None:
            what += f" LIMIT {statement.limit}"
        bases.append((order, what))
        if eq:
            bases.append(([*eq, *order], "equality then " + what))
    if access.group_by and len(statement.tables) == 1:
        group = [(col, False) for col in access.group_by]
        bases.append((group, "GROUP BY " + ", ".join(col.value for col in access.group_by)))
        if eq:
            bases.append(([*eq, *group], "equality then GROUP BY"))
    for col in access.join_columns:
        bases.append(([(col, False)], f"join on {col.value}"))
        if eq and all(not col.matches(x) for x in eq_cols):
            bases.append(([*eq, (col, False)], f"equality then join on {col.value} (nested-loop inner)"))
    for keys, reason in bases:
        c.add(table, keys, name, reason)
        c.add_covering(table, keys, access, name, reason)
    if c.traits.features.partial_indexes:
        _partial_candidates(c, statement, table, access, preds, bases)


def _partial_candidates(
    c: _Collector,
    statement: Statement,
    table: Table,
    access: TableAccess,
    preds: tuple[Predicate, ...],
    bases: list[tuple[list[tuple[Name, bool]], str]],
) -> None:
    as_written = c.traits.features.partial_index_terms_as_written
    for p in preds:
        where = literal_predicate_sql(table, p, as_written=as_written)
        if where is None:
            continue
        col = table.column(p.column.column)
        stats = col.stats if col is not None else None
        if p.kind == PredicateKind.IS_NULL:
            nulls = stats.null_fraction if stats is not None else None
            rare = nulls is not None and nulls <= PARTIAL_MAX_SELECTIVITY
        else:
            sel = predicate_selectivity(table, p)
            distinct = stats.distinct if stats is not None else None
            low_card = distinct is not None and distinct <= PARTIAL_MAX_DISTINCT
            rare = low_card and sel.source == "statistics" and sel.value <= PARTIAL_MAX_SELECTIVITY
        if not rare:
            continue
        reason = f"partial: WHERE {where} keeps few rows"
        others = [(keys, why) for keys, why in bases if all(not k.matches(p.column.column) for k, _ in keys)]
        if not others:
            others = [([(p.column.column, False)], f"equality on {p.column.column.value}")]
        for keys, why in others:
            c.add(table, keys, statement.name, f"{why}; {reason}", where=where)


def _foreign_key_candidates(c: _Collector, workload: Workload, catalog: Catalog) -> None:
    """Indexes on foreign-key columns no index leads with, when a statement joins through the key or
    deletes / re-keys rows of the parent (each such row makes the engine look up referencing rows)."""
    # Statements by the tables they read and write (each foreign key looks at those only).
    readers: dict[str, list[int]] = {}
    writers: dict[str, list[int]] = {}
    for n, statement in enumerate(workload.statements):
        for touched in statement.tables:
            readers.setdefault(touched.table.key, []).append(n)
        written = statement.write_target
        if written is not None:
            writers.setdefault(written.table.key, []).append(n)
    for table in catalog.tables:
        if table.stats is not None and table.stats.rows is not None and table.stats.rows <= MIN_TABLE_ROWS:
            continue
        for fk in table.foreign_keys:
            cols = {x.key for x in fk.columns}
            involved = sorted({*readers.get(table.name.key, ()), *writers.get(fk.ref_table.key, ())})
            for statement in (workload.statements[n] for n in involved):
                reason = None
                access = statement.access(table.name)
                if access is not None and any(
                    (j.left.table.matches(table.name) and j.left.column.key in cols)
                    or (j.right.table.matches(table.name) and j.right.column.key in cols)
                    for j in statement.joins
                ):
                    reason = f"backs foreign key {fk.columns[0].value} -> {fk.ref_table.value} used by a join"
                target = statement.write_target
                if target is not None and target.table.matches(fk.ref_table):
                    if statement.kind == StatementKind.DELETE:
                        reason = f"backs foreign key to {fk.ref_table.value}: each parent delete looks it up"
                    elif statement.kind == StatementKind.UPDATE and any(
                        any(w.matches(r) for r in fk.ref_columns) for w in target.columns_written
                    ):
                        reason = (
                            f"backs foreign key to {fk.ref_table.value}: each parent key update looks it up"
                        )
                if reason is not None:
                    c.add(table, [(x, False) for x in fk.columns], statement.name, reason)


def _method_candidates(
    c: _Collector,
    statement: Statement,
    table: Table,
    access: TableAccess,
    terms: StatementTerms | None,
    workload: Workload,
    methods: frozenset[str],
) -> None:
    """Candidates beyond plain-column B-trees (see :mod:`dbarchitect.advisors.indexes.methods`)."""
    name = statement.name
    features = c.traits.features
    for term in terms.expressions if terms is not None and features.expression_indexes else ():
        if not term.table.matches(table.name) or not c.indexable(table, term.column):
            continue
        what = "equality" if term.kind == "eq" else "range"
        candidate = IndexCandidate(table.name, (term.column,), expressions=(term.expression,))
        reason = (
            f"{what} on {term.expression} (an expression index; a plain one on {term.column.value} "
            "cannot serve it)"
        )
        c.add_candidate(table, candidate, name, reason)
        extra = tuple(
            sorted(
                {_declared(table, x) for x in access.columns_read if table.has_column(x)},
                key=lambda n: n.key,
            )
        )
        if extra and features.include_columns:
            covering = dataclasses.replace(candidate, include=extra)
            c.add_candidate(table, covering, name, reason + "; covering (index-only scan)")
    engine_methods = features.index_methods & methods
    for op in terms.operators if terms is not None and "gin" in engine_methods else ():
        if not op.table.matches(table.name):
            continue
        col = table.column(op.column)
        if col is None:
            continue
        if op.expression is None and col.type.kind not in _UNINDEXABLE:
            continue
        candidate = IndexCandidate(
            table.name,
            (col.name,),
            method="gin",
            expressions=(op.expression,) if op.expression is not None else (),
        )
        what = {"contains": "containment", "overlap": "overlap", "match": "full-text match"}[op.kind]
        shown = op.expression or col.name.value
        c.add_candidate(table, candidate, name, f"{what} on {shown}: a GIN index serves it, a B-tree cannot")
    preds = filters(table, access)
    if "brin" in engine_methods:
        for p in preds:
            if p.kind != PredicateKind.RANGE:
                continue
            rule = brin_rule(table, p.column.column, workload)
            if rule is not None:
                candidate = IndexCandidate(table.name, (_declared(table, p.column.column),), method="brin")
                c.add_candidate(table, candidate, name, f"range on {p.column.column.value}; {rule}")
    if "hash" in engine_methods:
        ranged = {p.column.column.key for p in preds if p.kind not in (PredicateKind.EQ,)}
        ranged |= {o.column.column.key for o in access.order_by} | {g.key for g in access.group_by}
        for p in preds:
            key = p.column.column.key
            if p.kind != PredicateKind.EQ or key in ranged or not c.indexable(table, p.column.column):
                continue
            shape = Index(Name("hash"), (IndexKey(column=p.column.column),))
            if index_entry_width(table, shape) < HASH_MIN_WIDTH:
                continue
            candidate = IndexCandidate(table.name, (_declared(table, p.column.column),), method="hash")
            c.add_candidate(
                table,
                candidate,
                name,
                f"equality only on {p.column.column.value}: a hash index's 4-byte entries are smaller than "
                "the B-tree's",
            )
    for limit in terms.per_key if terms is not None else ():
        if not limit.table.matches(table.name):
            continue
        order = list(limit.order)
        if order[0][1]:
            order = [(col, not d) for col, d in order]
        what = ", ".join(col.value + (" DESC" if d else "") for col, d in limit.order)
        c.add(
            table,
            [(limit.column, False), *order],
            name,
            f"join on {limit.column.value} then ORDER BY {what} LIMIT {limit.limit} per key (the first rows "
            "of each key, read from the index: nested-loop inner side)",
        )


def generate_candidates(
    workload: Workload,
    catalog: Catalog,
    traits: EngineTraits,
    *,
    max_width: int = 4,
    methods: frozenset[str] = frozenset({"btree"}),
    terms: dict[str, StatementTerms] | None = None,
) -> tuple[CandidateInfo, ...]:
    """Every index that could help a statement of ``workload``, once each, in a stable order.

    Per statement and table: equality columns (most selective first), then a range or LIKE-prefix
    column, then ORDER BY (with direction) or GROUP BY columns; join columns alone and after the
    equality columns (what a nested-loop inner side probes with); covering variants; partial indexes
    for rare constant values; indexes backing foreign keys. Beyond plain B-trees, from ``terms``
    (:func:`~dbarchitect.advisors.indexes.methods.workload_terms`) and for the access ``methods`` the
    cost backend can judge: expression indexes, GIN, BRIN and hash candidates, and join-key-first
    composites for per-key ``ORDER BY ... LIMIT`` subqueries. Candidates an existing index (primary
    key and unique constraints included) already serves are left out.
    """
    c = _Collector(catalog, traits, max_width)
    for statement in workload.statements:
        for access in statement.tables:
            table = catalog.table(access.table)
            if table is None:
                continue
            rows = table.stats.rows if table.stats is not None else None
            if rows is not None and rows <= MIN_TABLE_ROWS:
                continue
            if statement.kind == StatementKind.INSERT and access.is_write_target:
                continue
            _candidates_for_access(c, statement, table, access)
            found = terms.get(statement.name) if terms is not None else None
            _method_candidates(c, statement, table, access, found, workload, methods)
    _foreign_key_candidates(c, workload, catalog)
    return c.result()
