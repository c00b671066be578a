"""The built-in model's rules for access methods other than the B-tree: sizes and scan costs of BRIN,
hash and GIN indexes, after PostgreSQL's ``brincostestimate``, ``hashcostestimate`` and
``gincostestimate`` in the planner's units. These are the model's rules, stated in the advice's
``checked_by`` (``built-in model``); HypoPG plans B-tree, BRIN and hash indexes with the real planner.

- BRIN: one summary per :data:`BRIN_PAGES_PER_RANGE` heap pages; a range filter reads the ranges its
  selectivity covers, divided by the column's correlation with the row order (an uncorrelated column
  makes every range match), then every row of those pages is read and rechecked (a lossy bitmap).
- hash: a 4-byte hash per entry (16 bytes with its header and item pointer, fill factor 75); equality
  only, no order, no index-only scan.
- GIN: about one posting entry per row and key, :data:`GIN_ENTRY_BYTES` each; containment, overlap and
  full-text matches at the planner's default selectivities when the statistics give none
  (:data:`GIN_DEFAULT_SELECTIVITY`), read through a bitmap heap scan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence

from dbarchitect.advisors.indexes.builtin_parts import Access, Path, Shape, pages_fetched
from dbarchitect.advisors.indexes.methods import StatementTerms, expression_key
from dbarchitect.model.catalog import Table

BRIN_PAGES_PER_RANGE = 128.0
#: Bytes per BRIN range summary (minmax: two values and the tuple header) and per revmap entry.
BRIN_SUMMARY_BYTES = 32.0
BRIN_REVMAP_BYTES = 6.0
HASH_ENTRY_BYTES = 20.0  # 16-byte index tuple + 4-byte line pointer
HASH_FILL_FACTOR = 0.75
GIN_ENTRY_BYTES = 12.0
#: PostgreSQL's defaults when the operator's statistics say nothing: ``matchingsel`` (jsonb ``@>``),
#: ``arraycontsel`` (array ``@>``/``&&``), ``tsmatchsel`` (``@@``).
GIN_DEFAULT_SELECTIVITY = {"contains": 0.01, "overlap": 0.005, "match": 0.005}

_PAGE_DATA = 8192.0 - 24.0


def method_pages(method: str, rows: float, heap_pages: float, key_width: float) -> float:
    """Pages of a ``method`` index over a table of ``rows`` in ``heap_pages``."""
    if method == "brin":
        ranges = max(1.0, math.ceil(heap_pages / BRIN_PAGES_PER_RANGE))
        revmap = math.ceil(ranges * BRIN_REVMAP_BYTES / _PAGE_DATA)
        regular = math.ceil(ranges * (BRIN_SUMMARY_BYTES + 2.0 * key_width) / _PAGE_DATA)
        return 1.0 + revmap + max(1.0, regular)
    if method == "hash":
        return 1.0 + math.ceil(rows * HASH_ENTRY_BYTES / HASH_FILL_FACTOR / _PAGE_DATA)
    # gin: entry tree of the distinct keys plus posting lists
    return 1.0 + math.ceil(rows * (GIN_ENTRY_BYTES + key_width / 4.0) / _PAGE_DATA)


def bitmap_heap_cost(
    s: Mapping[str, float], pages_read: float, heap_pages: float, rows_read: float, quals: int
) -> tuple[float, float]:
    """``cost_bitmap_heap_scan``: pages priced between random and sequential by how much of the table
    they are, every row read rechecked; ``(cost, io)``."""
    per_page = s["random_page_cost"]
    if pages_read >= 2.0:
        per_page -= (s["random_page_cost"] - s["seq_page_cost"]) * math.sqrt(
            min(1.0, pages_read / heap_pages)
        )
    io = pages_read * per_page
    return io + rows_read * (s["cpu_tuple_cost"] + quals * s["cpu_operator_cost"]), io


def brin_scan(
    s: Mapping[str, float],
    *,
    selectivity: float,
    correlation: float,
    rows: float,
    heap_pages: float,
    index_pages: float,
    quals: int,
) -> tuple[float, float, float]:
    """``(cost, startup, io)`` of a Bitmap Heap Scan over a BRIN index for a filter keeping
    ``selectivity`` of the rows."""
    ranges = max(1.0, math.ceil(heap_pages / BRIN_PAGES_PER_RANGE))
    minimal = math.ceil(ranges * selectivity)
    corr = abs(correlation)
    estimated = min(minimal / corr, ranges) if corr > 0 else ranges
    share = estimated / ranges
    index_io = index_pages * s["random_page_cost"]
    index_cpu = ranges * s["cpu_operator_cost"] * max(1, quals)
    pages = max(1.0, math.ceil(share * heap_pages))
    heap, heap_io = bitmap_heap_cost(s, pages, heap_pages, share * rows, quals)
    startup = index_io + index_cpu
    return startup + heap, startup, index_io + heap_io


def gin_scan(
    s: Mapping[str, float],
    *,
    selectivity: float,
    rows: float,
    heap_pages: float,
    index_pages: float,
    quals: int,
    pages_fetched: float,
) -> tuple[float, float, float]:
    """``(cost, startup, io)`` of a Bitmap Heap Scan over a GIN index: the entry tree's descent and
    the matching share of its posting pages, then the heap pages holding the matches."""
    entries = max(1.0, math.ceil(index_pages * selectivity)) + 2.0
    index_io = entries * s["random_page_cost"]
    matched = max(1.0, rows * selectivity)
    index_cpu = matched * s["cpu_index_tuple_cost"]
    heap, heap_io = bitmap_heap_cost(s, min(pages_fetched, heap_pages), heap_pages, matched, quals)
    startup = index_io + index_cpu
    return startup + heap, startup, index_io + heap_io


def lossy_path(
    s: Mapping[str, float], a: Access, shape: Shape, total_pages: float
) -> tuple[Path, None] | None:
    """A Bitmap Heap Scan over a BRIN index (ranges on its column) or a GIN index (the filters
    only it serves); ``None`` when the statement has no filter it serves."""
    key = shape.keys[0]
    facts = a.facts
    name = facts.table.name.value
    quals = len(a.filters)
    if shape.method == "brin":
        sel = a.rng.get(key, a.eq[key][0] if key in a.eq else None)
        if sel is None:
            return None
        cost, startup, io = brin_scan(
            s,
            selectivity=sel,
            correlation=shape.correlation,
            rows=facts.rows,
            heap_pages=facts.pages,
            index_pages=shape.pages,
            quals=quals,
        )
    else:
        gin_sel = a.gin.get(key)
        if gin_sel is None:
            return None
        matched = max(1.0, facts.rows * gin_sel)
        cost, startup, io = gin_scan(
            s,
            selectivity=gin_sel,
            rows=facts.rows,
            heap_pages=facts.pages,
            index_pages=shape.pages,
            quals=quals,
            pages_fetched=pages_fetched(s, matched, facts.pages, shape.pages, total_pages),
        )
    existing = shape.label if shape.candidate is None else None
    text = f"Bitmap Heap Scan on {name} using {shape.label}"
    return Path(cost, startup, text, shape.candidate, io=io, existing=existing), None


def add_terms(
    terms: StatementTerms, accesses: Sequence[Access], eq_selectivity: Callable[[Table, str], float]
) -> None:
    """What the workload model leaves as "another predicate", added to each access: filters on a
    function of a column (an equality or range on the expression's key; an equality keeps the rows
    an equality on the column keeps, ``eq_selectivity``), filters only GIN serves, per-key LIMITs."""
    for a in accesses:
        table = a.facts.table
        for term in terms.expressions:
            if not term.table.matches(table.name):
                continue
            key = expression_key(term.expression)
            if term.kind == "eq":
                sel = eq_selectivity(table, term.column.key)
                a.eq[key] = (sel, 1.0, True)
            else:
                sel = a.col_sel.get(term.column.key, 1.0 / 3.0)
                a.rng[key] = a.rng.get(key, 1.0) * sel
            a.col_sel[key] = sel
        for op in terms.operators:
            if op.table.matches(table.name):
                key = expression_key(op.expression) if op.expression else op.column.key
                a.gin[key] = GIN_DEFAULT_SELECTIVITY[op.kind]
        for limit in terms.per_key:
            if limit.table.matches(table.name):
                order = tuple((c.key, d) for c, d in limit.order)
                a.per_key[limit.column.key] = (order, limit.limit)
