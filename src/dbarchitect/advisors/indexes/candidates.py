"""Index candidates: the hypothetical indexes the advisor may propose.

An :class:`IndexCandidate` is pure data (hashable, ordered) so that cost caches, integer programs and
reports can key on it. Where it came from — which statements it may help and why — is kept beside it
in :class:`CandidateInfo`, so two statements proposing the same index share one candidate.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dbarchitect.advisors.access_paths import predicate_selectivity, table_indexes
from dbarchitect.advisors.sizing import index_entry_width, row_width
from dbarchitect.engines.traits import EngineTraits
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
class IndexCandidate:
    """An index the advisor may propose: key columns in order (with direction), optional INCLUDE
    columns (covering, index-only scans), and an optional partial predicate (neutral SQL).

    Beyond plain B-trees: ``method`` names another access method (``gin``, ``brin``, ``hash``,
    ``fulltext``); ``expressions`` gives, per key, the neutral SQL of an expression key (``lower(email)``)
    where not ``None`` — ``columns`` then names the column each expression is a function of, which is
    what decides the writes that maintain it; ``opclass`` is the operator class of every key
    (``jsonb_path_ops``, ``gin_trgm_ops``) when not the default one."""

    table: Name
    columns: tuple[Name, ...]
    #: Per key column: descending? Empty means every key ascending.
    descending: tuple[bool, ...] = ()
    include: tuple[Name, ...] = ()
    where: str | None = None
    unique: bool = False
    #: Access method when not a B-tree: ``gin``, ``brin``, ``hash``, ``fulltext`` (MySQL/MariaDB).
    method: str | None = None
    #: Per key, the expression indexed (neutral SQL) or ``None`` for the plain column; empty: all plain.
    expressions: tuple[str | None, ...] = ()
    #: Operator class of the keys when not the method's default.
    opclass: str | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("an index candidate needs at least one key column")
        if self.descending and len(self.descending) != len(self.columns):
            raise ValueError("descending flags must match the key columns one to one")
        if self.expressions and len(self.expressions) != len(self.columns):
            raise ValueError("expressions must match the key columns one to one")
        # Computed once: caches, integer programs and searches hash and order candidates millions
        # of times on large workloads.
        object.__setattr__(self, "_hash", hash(self._fields()))
        object.__setattr__(self, "_text", None)

    def _fields(self) -> tuple[object, ...]:
        return (
            self.table,
            self.columns,
            self.descending,
            self.include,
            self.where,
            self.unique,
            self.method,
            self.expressions,
            self.opclass,
        )

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, IndexCandidate):
            return NotImplemented
        return self._hash == other._hash and self._fields() == other._fields()  # type: ignore[attr-defined]

    @property
    def is_btree(self) -> bool:
        return self.method is None

    def expression(self, position: int) -> str | None:
        """The expression of key ``position``, or ``None`` when it is the plain column."""
        return self.expressions[position] if self.expressions else None

    def sort_key(
        self,
    ) -> tuple[str, tuple[str, ...], tuple[bool, ...], tuple[str, ...], str, bool, str, tuple[str, ...], str]:
        """A total order (a partial predicate may be absent, so the fields do not compare as-is)."""
        return (
            self.table.key,
            tuple(c.key for c in self.columns),
            self.descending,
            tuple(c.key for c in self.include),
            self.where or "",
            self.unique,
            self.method or "",
            tuple(e or "" for e in self.expressions),
            self.opclass or "",
        )

    def __lt__(self, other: IndexCandidate) -> bool:
        return self.sort_key() < other.sort_key()

    @property
    def width(self) -> int:
        return len(self.columns)

    def is_descending(self, position: int) -> bool:
        return bool(self.descending) and self.descending[position]

    @property
    def key(self) -> str:
        """Stable text identity, e.g. ``orders(customer_id, placed_at DESC) INCLUDE (total)``."""
        text: str | None = self._text  # type: ignore[attr-defined]
        if text is None:
            text = self._render_key()
            object.__setattr__(self, "_text", text)
        return text

    def _render_key(self) -> str:
        opclass = f" {self.opclass}" if self.opclass else ""
        keys = ", ".join(
            (self.expression(i) or c.value) + opclass + (" DESC" if self.is_descending(i) else "")
            for i, c in enumerate(self.columns)
        )
        using = f" USING {self.method}" if self.method else ""
        text = f"{self.table.value}{using}({keys})"
        if self.include:
            text += " INCLUDE (" + ", ".join(c.value for c in self.include) + ")"
        if self.where:
            text += f" WHERE {self.where}"
        return text

    def default_name(self, max_length: int = 63) -> Name:
        """``<table>_<col>_<col>_idx`` as people write it (an expression key by the words in it:
        ``customers_lower_email_idx``), shortened deterministically only when over the engine's
        identifier limit (:func:`index_names` gives a collision ``_2``)."""
        words = [self.table.value]
        for i, c in enumerate(self.columns):
            expression = self.expression(i)
            words.append("_".join(re.findall(r"[A-Za-z0-9]+", expression)) if expression else c.value)
        return Name(_shortened("_".join(words).lower(), "_idx", max_length))

    def to_index(self, name: Name | None = None, max_length: int = 63) -> Index:
        return Index(
            name=name or self.default_name(max_length),
            keys=tuple(
                IndexKey(column=c, descending=self.is_descending(i))
                if self.expression(i) is None
                else IndexKey(expression=self.expression(i), descending=self.is_descending(i))
                for i, c in enumerate(self.columns)
            ),
            unique=self.unique,
            where=self.where,
            include=self.include,
            method=self.method,
        )

    def __str__(self) -> str:
        return self.key


def _shortened(base: str, suffix: str, max_length: int) -> str:
    """``base + suffix`` within ``max_length``: the words of ``base`` (split on ``_``) are cut from the
    longest down, one character at a time, never below 3, then the tail is cut: the same input always
    gives the same name."""
    base = re.sub(r"[^a-z0-9_]", "_", base).strip("_") or "index"
    room = max_length - len(suffix)
    if len(base) <= room:
        return base + suffix
    words = [w for w in base.split("_") if w]
    while len("_".join(words)) > room:
        longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
        if len(words[longest]) <= 3:
            break
        words[longest] = words[longest][:-1]
    return "_".join(words)[:room].rstrip("_") + suffix


def index_names(
    candidates: Iterable[IndexCandidate], catalog: Catalog, max_length: int = 63
) -> dict[IndexCandidate, str]:
    """Readable, unique names for ``candidates`` (in the order given): each its
    :meth:`~IndexCandidate.default_name`, with ``_2``, ``_3``... when the name is already taken by an
    index or constraint of the schema or an earlier candidate (names are unique per schema)."""
    taken = {
        n.key
        for table in catalog.tables
        for n in (
            *(i.name for i in table.indexes),
            *(u.name for u in table.uniques if u.name is not None),
            *((table.primary_key.name,) if table.primary_key and table.primary_key.name else ()),
        )
    }
    taken |= {f"{t.name.value}_pkey".lower() for t in catalog.tables}
    out: dict[IndexCandidate, str] = {}
    for candidate in candidates:
        name = candidate.default_name(max_length).value
        n = 2
        while name.lower() in taken:
            base = candidate.default_name(max_length - len(f"_{n}")).value
            name = f"{base}_{n}"
            n += 1
        taken.add(name.lower())
        out[candidate] = name
    return out


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


def literal_predicate_sql(table: Table, predicate: Predicate) -> str | None:
    """Neutral SQL of a constant predicate a partial index can carry (``status IN ('packed', 'paid')``,
    values sorted so the same set always reads the same), or ``None`` when it has a parameter."""
    column = table.column(predicate.column.column)
    name = column.name.value if column is not None else predicate.column.column.value
    if predicate.kind == PredicateKind.IS_NULL:
        return None if "NOT" in predicate.operator.upper() else f"{name} IS NULL"
    if predicate.kind == PredicateKind.IN and predicate.in_values:
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


def where_implied(where: str, table: Table, predicates: tuple[Predicate, ...]) -> bool:
    """Whether the statement's ``predicates`` imply a partial index's ``where`` (so the planner may use
    it): the same predicate, or an equality / IN-list whose values all lie in the index's list."""
    wanted = parse_where(where)
    squeezed = re.sub(r"\s+", "", where).lower()
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
    flips: set[bool] = set()
    for i, col in enumerate(candidate.columns):
        key = keys[i]
        if key.column is None or not key.column.matches(col):
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

    def add_covering(
        self, table: Table, keys: list[tuple[Name, bool]], access: TableAccess, statement: str, reason: str
    ) -> None:
        """The covering variant of ``keys``: the other columns the statement reads from the table as
        INCLUDE columns, or as trailing keys where the engine has no INCLUDE (only while narrow)."""
        key_names = {c.key for c, _ in keys}
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
    for p in preds:
        where = literal_predicate_sql(table, p)
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


def generate_candidates(
    workload: Workload, catalog: Catalog, traits: EngineTraits, *, max_width: int = 4
) -> tuple[CandidateInfo, ...]:
    """Every index that could help a statement of ``workload``, once each, in a stable order.

    Per statement and table: equality columns (most selective first), then a range or LIKE-prefix
    column, then ORDER BY (with direction) or GROUP BY columns; join columns alone and after the
    equality columns (what a nested-loop inner side probes with); covering variants; partial indexes
    for rare constant values; indexes backing foreign keys. Candidates an existing index (primary key
    and unique constraints included) already serves are left out.
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
    _foreign_key_candidates(c, workload, catalog)
    return c.result()
