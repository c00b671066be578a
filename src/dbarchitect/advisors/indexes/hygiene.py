"""Configuration hygiene: which indexes make others redundant, and how siblings merge.

A DBA sends back an index set that holds two B-trees one of which serves everything the other does.
The search keeps every configuration free of them (these relations are its constraints, not a
filter applied after it):

- **siblings**: two B-trees on one table with the same partial predicate (or none) whose keys start
  alike — one key is a left prefix of the other (equal keys included) with the same directions or all
  of them reversed (a B-tree is read both ways). A configuration never holds two siblings: they are
  merged into one index with the longer key and the union of their INCLUDE columns
  (:func:`merged`), which serves every lookup, order and covered read either served.
- **dominated**: ``a`` is dominated by ``b`` when they are siblings, ``b``'s key is at least as long
  and ``b`` holds every column ``a`` covers: ``b`` alone serves all ``a`` does. An existing index
  dominated by a chosen one is *replaced* by it (dropped, its bytes and writes given back), unless it
  backs a constraint.
- **key of a constraint**: a B-tree whose key equals or is a left prefix of the primary key or a
  unique constraint adds nothing for lookups (the constraint's index serves them); only its INCLUDE
  columns can pay, through an index-only scan. Such a candidate is kept only where a plan reads it
  index-only (:func:`constraint_prefix` names the constraint).

Only non-unique B-trees take part, expression keys included (``(lower(email))`` and ``(lower(email))
INCLUDE (full_name)`` are siblings; a key compares by its expression's text): another access method
(GIN, BRIN, hash) or a unique index is never a sibling of anything.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable
from dataclasses import dataclass

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.model.catalog import Index, Table
from dbarchitect.model.names import Name


def _squeeze(text: str | None) -> str | None:
    return re.sub(r"\s+", "", text).lower() if text is not None else None


@dataclass(frozen=True)
class Shape:
    """What the relations compare: an index reduced to its table, keys with directions, covered
    columns and predicate (existing indexes and candidates alike)."""

    table: str
    keys: tuple[str, ...]
    descending: tuple[bool, ...]
    include: frozenset[str]
    where: str | None
    #: Only plain-column, non-unique B-trees take part in the relations.
    plain: bool

    @property
    def held(self) -> frozenset[str]:
        return frozenset(self.keys) | self.include


def candidate_shape(candidate: IndexCandidate) -> Shape:
    """The candidate's shape (computed once per candidate)."""
    found: Shape | None = candidate.__dict__.get("_shape")
    if found is None:
        found = _candidate_shape(candidate)
        object.__setattr__(candidate, "_shape", found)
    return found


def _key_text(column: Name | None, expression: str | None) -> str:
    """A key as the relations compare it: the column's key, or the expression's text in parentheses
    (never equal to a column's key)."""
    if expression is not None:
        return "(" + (_squeeze(expression) or "") + ")"
    return column.key if column is not None else ""


def _candidate_shape(candidate: IndexCandidate) -> Shape:
    return Shape(
        table=candidate.table.key,
        keys=tuple(_key_text(c, candidate.expression(i)) for i, c in enumerate(candidate.columns)),
        descending=tuple(candidate.is_descending(i) for i in range(candidate.width)),
        include=frozenset(c.key for c in candidate.include),
        where=_squeeze(candidate.where),
        plain=candidate.is_btree and not candidate.unique,
    )


def index_shape(table: Table, index: Index) -> Shape:
    plain = index.method in (None, "btree") and not index.unique and bool(index.keys)
    return Shape(
        table=table.name.key,
        keys=tuple(_key_text(k.column, k.expression) for k in index.keys),
        descending=tuple(k.descending for k in index.keys),
        include=frozenset(c.key for c in index.include),
        where=_squeeze(index.where),
        plain=plain,
    )


def _prefix_compatible(short: Shape, long: Shape) -> bool:
    """``short``'s key is a left prefix of ``long``'s (equal included), directions alike or all
    reversed over the prefix."""
    n = len(short.keys)
    if n > len(long.keys) or long.keys[:n] != short.keys:
        return False
    flips = {a != b for a, b in zip(short.descending, long.descending[:n], strict=True)}
    return len(flips) <= 1


def are_siblings(a: Shape, b: Shape) -> bool:
    """Two plain B-trees on one table and predicate whose keys start alike (see module docstring)."""
    if not (a.plain and b.plain) or a.table != b.table or a.where != b.where:
        return False
    short, long = (a, b) if len(a.keys) <= len(b.keys) else (b, a)
    return _prefix_compatible(short, long)


def dominates(b: Shape, a: Shape) -> bool:
    """``b`` serves everything ``a`` does: siblings, ``b``'s key at least as long, ``a``'s covered
    columns all held by ``b``."""
    return are_siblings(a, b) and len(b.keys) >= len(a.keys) and _prefix_compatible(a, b) and a.held <= b.held


def merged(a: IndexCandidate, b: IndexCandidate, *, include_columns: bool = True) -> IndexCandidate | None:
    """One index serving both siblings: the longer key (the first's when equal), and the other
    columns either covers as INCLUDE columns (sorted); ``None`` when the engine has no INCLUDE and
    the longer index does not already hold them."""
    long, short = (a, b) if a.width >= b.width else (b, a)
    if not are_siblings(candidate_shape(a), candidate_shape(b)):
        return None
    keys = {c.key for i, c in enumerate(long.columns) if long.expression(i) is None}
    extra: dict[str, Name] = {}
    plain_short = tuple(c for i, c in enumerate(short.columns) if short.expression(i) is None)
    for c in (*long.include, *plain_short, *short.include):
        if c.key not in keys:
            extra.setdefault(c.key, c)
    if not extra:
        return long
    if not include_columns:
        return None
    include = tuple(sorted(extra.values(), key=lambda n: n.key))
    return dataclasses.replace(long, include=include)


def constraint_prefix(candidate: IndexCandidate, table: Table | None) -> str | None:
    """The name of the primary key or unique constraint whose key ``candidate``'s key equals or is a
    left prefix of (plain B-trees only), or ``None``."""
    if table is None or not candidate_shape(candidate).plain or candidate.expressions:
        return None
    keys = tuple(c.key for c in candidate.columns)
    constraints: list[tuple[str, tuple[Name, ...]]] = []
    if table.primary_key is not None:
        pk = table.primary_key.name or Name(f"{table.name.value}_pkey")
        constraints.append((pk.value, table.primary_key.columns))
    for u in table.uniques:
        uk = u.name or Name(f"{table.name.value}_{'_'.join(c.value for c in u.columns)}_key")
        constraints.append((uk.value, u.columns))
    for index in table.indexes:
        if index.unique and index.where is None and all(k.column is not None for k in index.keys):
            constraints.append((index.name.value, index.columns))
    if candidate.where is not None:
        return None
    for label, columns in constraints:
        if tuple(c.key for c in columns[: len(keys)]) == keys:
            return label
    return None


def dominated_existing(candidate: IndexCandidate, table: Table | None) -> tuple[Index, ...]:
    """The table's existing plain B-trees ``candidate`` strictly dominates (it would replace them:
    it serves all they serve and more; an equal one is no new index at all)."""
    if table is None:
        return ()
    mine = candidate_shape(candidate)
    if not mine.plain:
        return ()
    found: list[Index] = []
    for index in table.indexes:
        theirs = index_shape(table, index)
        if dominates(mine, theirs) and not dominates(theirs, mine):
            found.append(index)
    return tuple(found)


def conflicts(candidate: IndexCandidate, chosen: Iterable[IndexCandidate]) -> list[IndexCandidate]:
    """The indexes of ``chosen`` that are siblings of ``candidate`` (it excluded)."""
    mine = candidate_shape(candidate)
    if not mine.plain:
        return []
    return [c for c in chosen if c != candidate and are_siblings(mine, candidate_shape(c))]
