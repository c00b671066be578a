"""The built-in what-if cost model: PostgreSQL's planner formulas over the brief's sizes and statistics.

For greenfield designs there is no database to ask, so this model estimates what PostgreSQL's planner
would say, in its units (``seq_page_cost = 1``), from the catalog alone: row counts now (growth is the
advisor's concern), column statistics, and the selectivities of :mod:`dbarchitect.advisors.access_paths`.
It follows ``costsize.c`` and ``selfuncs.c`` closely enough to rank candidates the way the planner does:

- sequential scan: ``pages × seq_page_cost + rows × (cpu_tuple_cost + quals × cpu_operator_cost)``, and
  its parallel form (CPU divided among workers, ``parallel_setup_cost`` added) on big tables;
- index scan (``genericcostestimate`` + ``btcostestimate`` + ``cost_index``): a descent charged in CPU,
  leaf pages in proportion to the boundary selectivity at ``random_page_cost``, and heap fetches between
  the Mackert–Lohman random-page estimate and the sequential one, interpolated by the squared correlation
  of the leading column; an index-only scan when the index holds every column the statement reads from
  the table (the visibility map is assumed mostly set: :data:`DEFAULTS` ``all_visible_fraction``);
- bitmap heap scan: pages from Mackert–Lohman, each priced between random and sequential by how many of
  the table's pages are read;
- sort (``cost_sort``, bounded heap sort under a LIMIT, external merge beyond ``work_mem``), avoided when
  an index delivers the ORDER BY, and with a LIMIT the ordered scan stops early (cost × limit / rows);
- joins: each joined table is either read on its own and hashed, or probed as the inner side of a nested
  loop through an index leading with the join column (after equality columns), once per row of the other
  side's estimate, with ``loop_count`` caching as ``cost_index`` does it.

Simplifications (documented, not hidden): the statement's cost is the **sum over the tables it touches**
of each table's cheapest way in, plus sorts and aggregation — there is no join-order search. At least one
table of each joined group is read on its own (the outer side). The row estimate of a nested loop's outer
side is the other table's filtered rows, narrowed by its other joins (a table reached through a unique key
brings at most the rows of the table that reached it), and a probe's rows per value follow ``eqjoinsel``:
one over the larger distinct count of the two join columns. Range filters keep the rows between their
bounds over the column's extent when the brief knows both (literals or the statement's example
``params``, the column's min/max or time span: :mod:`dbarchitect.advisors.range_selectivity`, all ranges
on one column read together); else two bounds on one column (BETWEEN, or ``>=`` with ``<``) count as
1/3 × 1/3 of the rows, the planner's default for each. Deleting (or re-keying) a parent row costs a
lookup of referencing rows per foreign key, as PostgreSQL's RI trigger does (EXPLAIN does not show it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import replace

from dbarchitect.advisors.access_paths import (
    default_equality_basis,
    predicate_selectivity,
    table_indexes,
    unique_key_fixed,
)
from dbarchitect.advisors.indexes.builtin_methods import add_terms, lossy_path, method_pages
from dbarchitect.advisors.indexes.builtin_parts import (
    Access,
    Path,
    Shape,
    TableFacts,
    choose_paths,
    filter_selectivities,
    group_selectivity,
    join_flows,
    pages_fetched,
    probe_selectivity,
    serves_order,
    sort_cost,
)
from dbarchitect.advisors.indexes.candidates import IndexCandidate, filters, parse_where, where_implied
from dbarchitect.advisors.indexes.cost import CostRequest, PlanCost
from dbarchitect.advisors.indexes.methods import expression_key, statement_terms
from dbarchitect.advisors.sizing import estimate_table_size, index_entry_width
from dbarchitect.engines.traits import EngineTraits, implicit_index_columns
from dbarchitect.model.catalog import Catalog, ForeignKey, Index, IndexKey, Table
from dbarchitect.model.names import Name
from dbarchitect.model.workload import (
    ColumnRef,
    Predicate,
    PredicateKind,
    Statement,
    StatementKind,
    TableAccess,
)

#: PostgreSQL's defaults (``postgresql.conf``) and the model's own assumptions, overridable per instance.
DEFAULTS: dict[str, float] = {
    "seq_page_cost": 1.0,
    "random_page_cost": 4.0,
    "cpu_tuple_cost": 0.01,
    "cpu_index_tuple_cost": 0.005,
    "cpu_operator_cost": 0.0025,
    "effective_cache_size_pages": 524288.0,  # 4GB of 8kB pages
    "work_mem_kb": 4096.0,
    "max_parallel_workers_per_gather": 2.0,
    "parallel_setup_cost": 1000.0,
    "min_parallel_table_scan_pages": 1024.0,  # 8MB
    # The model's assumption: a table that is mostly all-visible (vacuumed), so index-only scans skip
    # the heap for this share of rows.
    "all_visible_fraction": 0.95,
    # Rows assumed for a table the brief gives no size for.
    "unsized_table_rows": 1000.0,
}

_BLOCK = 8192.0
_PAGE_DATA = 8192.0 - 24.0
_EQ = (PredicateKind.EQ, PredicateKind.IN, PredicateKind.IS_NULL)
_RANGE = (PredicateKind.RANGE, PredicateKind.LIKE_PREFIX)


def _key(statement: Statement) -> tuple[str, str]:
    """Cache key of a statement: its text, not its fingerprint (literals decide partial indexes and
    selectivities, and the fingerprint hides them)."""
    return statement.name, statement.sql


class BuiltinCostModel:
    """A :class:`~dbarchitect.advisors.indexes.cost.WhatIfBackend` that never touches a database."""

    name = "builtin"

    def __init__(
        self, catalog: Catalog, traits: EngineTraits, *, settings: Mapping[str, float] | None = None
    ) -> None:
        self.catalog = catalog
        self.traits = traits
        self.s = dict(DEFAULTS)
        if settings:
            unknown = sorted(set(settings) - set(DEFAULTS))
            if unknown:
                raise ValueError(f"unknown cost model settings: {', '.join(unknown)}")
            self.s.update(settings)
        self._facts: dict[str, TableFacts] = {}
        self._existing: dict[str, tuple[Shape, ...]] = {}
        self._shapes: dict[IndexCandidate, Shape] = {}
        self._accesses: dict[tuple[str, str], tuple[list[Access], float]] = {}
        self._paths: dict[
            tuple[tuple[str, str], int, Shape, str | None], tuple[Path, Path | None] | None
        ] = {}
        self._sizes: dict[IndexCandidate, float] = {}
        self._referrers: dict[str, list[tuple[Table, ForeignKey]]] | None = None

    # ---------------------------------------------------------------------------------------------
    # WhatIfBackend
    # ---------------------------------------------------------------------------------------------

    def settings(self) -> Mapping[str, str]:
        return {k: f"{v:g}" for k, v in sorted(self.s.items())}

    def index_size(self, candidate: IndexCandidate) -> float:
        if candidate not in self._sizes:
            table = self.catalog.table(candidate.table)
            if table is None:
                self._sizes[candidate] = 0.0
            else:
                shape = self._shape_of(self._table_facts(table), candidate.to_index(), candidate)
                self._sizes[candidate] = shape.pages * _BLOCK
        return self._sizes[candidate]

    def caveats(self, tables: Sequence[str]) -> tuple[str, ...]:
        unsized = []
        for name in tables:
            table = self.catalog.table(name)
            if table is not None and (table.stats is None or not table.stats.rows):
                unsized.append(table.name.value)
        if not unsized:
            return ()
        return (
            f"no row count for {', '.join(sorted(unsized))}: the built-in model assumes "
            f"{self.s['unsized_table_rows']:.0f} rows each; give rows in the brief's tables: section",
        )

    #: ``CostRequest.hidden`` is honoured: the model plans as if those existing indexes were dropped.
    hides_existing = True
    #: Access methods the model costs (B-tree by the planner's formulas, the others by the rules of
    #: :mod:`dbarchitect.advisors.indexes.builtin_methods`).
    index_methods = frozenset({"btree", "brin", "hash", "gin"})

    def plan_costs(self, requests: Sequence[CostRequest]) -> list[PlanCost]:
        return [self.plan_cost(r.statement, r.indexes, r.hidden) for r in requests]

    def existing_index_size(self, table: Table, index: Index) -> float | None:
        """The sizing model's bytes for an existing index (``None``: unknown to the model)."""
        sizes = estimate_table_size(table, self.traits, 0.0).indexes
        return next((i.bytes_now for i in sizes if i.name == index.name.value), None)

    # ---------------------------------------------------------------------------------------------
    # Catalog facts
    # ---------------------------------------------------------------------------------------------

    def _table_facts(self, table: Table) -> TableFacts:
        key = table.name.key
        if key not in self._facts:
            size = estimate_table_size(table, self.traits, 0.0)
            rows = size.rows_now if not size.unsized else self.s["unsized_table_rows"]
            measured = table.stats.data_bytes if table.stats is not None else None
            data = measured if measured else rows * size.row_bytes
            pages = max(1.0, math.ceil(data / _PAGE_DATA))
            pk_width = 0.0
            if table.primary_key is not None:
                pk = Index(Name("pk"), tuple(IndexKey(column=c) for c in table.primary_key.columns))
                pk_width = index_entry_width(table, pk)
            self._facts[key] = TableFacts(table, max(rows, 1.0), pages, pk_width)
        return self._facts[key]

    def _where_selectivity(self, table: Table, where: str | None) -> float:
        """Share of rows a partial index holds (its predicate's selectivity; 1 when unknown)."""
        if where is None:
            return 1.0
        parsed = parse_where(where)
        if parsed is None:
            return 1.0
        column, values = parsed
        ref = ColumnRef(table.name, Name(column))
        if values is None:
            predicate = Predicate(ref, PredicateKind.IS_NULL, "IS NULL")
        else:
            texts = tuple(sorted(values))
            predicate = Predicate(ref, PredicateKind.IN, "IN", None, len(texts), texts)
        return predicate_selectivity(table, predicate).value

    def _shape_of(self, facts: TableFacts, index: Index, candidate: IndexCandidate | None) -> Shape:
        table = facts.table
        width = index_entry_width(table, index)
        if candidate is not None and candidate.expressions:
            # A function of one column (lower(email)) is about as wide as the column.
            width = sum(self._width(table, c.key) for c in candidate.columns)
        if self.traits.secondary_index_holds_primary_key and candidate is not None:
            width += facts.pk_width
        entry = (width + self.traits.index_entry_overhead_bytes) / self.traits.index_fill_factor
        tuples = max(1.0, facts.rows * self._where_selectivity(table, index.where))
        leaf = max(1.0, math.ceil(tuples * entry / _PAGE_DATA))
        fanout = max(2.0, _PAGE_DATA / entry)
        pages, level, height = leaf + 1.0, leaf, 0  # + the metapage
        while level > 1.0:
            level = math.ceil(level / fanout)
            pages += level
            height += 1
        keys = tuple(
            k.column.key if k.column is not None else expression_key(k.expression or "") for k in index.keys
        )
        method = index.method if index.method not in (None, "btree") else None
        if method is not None:
            pages = method_pages(method, tuples, facts.pages, width)
            height = 1
        lead = table.column(keys[0]) if keys and keys[0] else None
        correlation = lead.stats.correlation if lead is not None and lead.stats is not None else None
        corr = correlation or 0.0
        if method == "brin" and correlation is None:
            # Candidates exist only where the rule found the column in the row order (clock-filled,
            # append-only); an existing BRIN index was built on that premise too.
            corr = 0.95
        if len(keys) > 1:
            corr *= 0.75  # btcostestimate: later columns weaken the leading column's correlation
        return Shape(
            label=str(candidate) if candidate is not None else index.name.value,
            candidate=candidate,
            keys=keys,
            descending=tuple(k.descending for k in index.keys),
            held=frozenset(keys)
            | frozenset(c.key for c in index.include)
            | (implicit_index_columns(table, self.traits.features) if method is None else frozenset()),
            where=index.where,
            unique=index.unique,
            tuples=tuples,
            pages=pages,
            height=height,
            correlation=corr,
            method=method,
        )

    def _existing_shapes(self, facts: TableFacts) -> tuple[Shape, ...]:
        key = facts.table.name.key
        if key not in self._existing:
            self._existing[key] = tuple(self._shape_of(facts, i, None) for i in table_indexes(facts.table))
        return self._existing[key]

    def _candidate_shape(self, facts: TableFacts, candidate: IndexCandidate) -> Shape:
        if candidate not in self._shapes:
            self._shapes[candidate] = self._shape_of(facts, candidate.to_index(), candidate)
        return self._shapes[candidate]

    # ---------------------------------------------------------------------------------------------
    # Statement analysis (once per statement)
    # ---------------------------------------------------------------------------------------------

    def _analyze(self, statement: Statement) -> tuple[list[Access], float]:
        cached = self._accesses.get(_key(statement))
        if cached is not None:
            return cached
        accesses: list[Access] = []
        for access in statement.tables:
            table = self.catalog.table(access.table)
            if table is None:
                continue
            facts = self._table_facts(table)
            preds = filters(table, access)
            col_sel, eq, rng, bases = filter_selectivities(table, preds)
            selectivity = math.prod(col_sel.values()) if col_sel else 1.0
            if unique_key_fixed(table, list(preds)):
                # Every column of a unique key equal to one value: one row, as the planner knows from
                # the unique index however little the brief says of the columns.
                selectivity = min(selectivity, 1.0 / max(facts.rows, 1.0))
                unknown = {default_equality_basis(table, p) for p in preds}
                bases = tuple(b for b in bases if b not in unknown)
            read = frozenset(c.key for c in access.columns_read) | frozenset(col_sel)
            accesses.append(
                Access(
                    access,
                    facts,
                    preds,
                    eq,
                    rng,
                    col_sel,
                    selectivity,
                    max(1.0, facts.rows * selectivity),
                    read,
                    ranges=bases,
                )
            )
        position = {a.facts.table.name.key: i for i, a in enumerate(accesses)}
        pairs: dict[tuple[int, int], list[tuple[str, str]]] = {}
        for j in statement.joins:
            lt, rt = position.get(j.left.table.key), position.get(j.right.table.key)
            if lt is None or rt is None or lt == rt:
                continue
            accesses[lt].partners.append((j.left.column.key, rt))
            accesses[rt].partners.append((j.right.column.key, lt))
            for mine, partner, theirs, other in ((lt, rt, j.left, j.right), (rt, lt, j.right, j.left)):
                a = accesses[mine]
                sel = probe_selectivity(
                    a.facts.table, theirs.column.key, accesses[partner].facts.table, other.column.key
                )
                a.join_sel[theirs.column.key] = min(sel, a.join_sel.get(theirs.column.key, 1.0))
                pairs.setdefault((mine, partner), []).append((theirs.column.key, other.column.key))
                if j.kind == "inner":
                    a.narrowed_by.add(partner)
        for (mine, partner), joined in pairs.items():
            a = accesses[mine]
            group = tuple(dict.fromkeys(c for c, _ in joined))
            a.partner_group[partner] = group
            for column in group:
                a.join_groups[column] = group
            a.group_sel[group] = group_selectivity(
                a.facts.table, accesses[partner].facts.table, joined, [a.join_sel[c] for c in group]
            )
        join_flows(accesses)
        terms = statement_terms(statement, self.catalog, self.traits.sqlglot_dialect)
        add_terms(terms, accesses, self._join_selectivity)
        ordered = [a for a in accesses if a.access.order_by and not a.per_key]
        if len(ordered) == 1 and not any(a.access.group_by for a in accesses):
            ordered[0].order = tuple((o.column.column.key, o.descending) for o in ordered[0].access.order_by)
        total_pages = sum(a.facts.pages for a in accesses)
        self._accesses[_key(statement)] = (accesses, total_pages)
        return accesses, total_pages

    # ---------------------------------------------------------------------------------------------
    # Cost formulas (costsize.c)
    # ---------------------------------------------------------------------------------------------

    def _pages_fetched(self, tuples: float, pages: float, index_pages: float, total_pages: float) -> float:
        return pages_fetched(self.s, tuples, pages, index_pages, total_pages)

    def _seq_scan(self, a: Access) -> Path:
        s = self.s
        pages, rows = a.facts.pages, a.facts.rows
        disk = s["seq_page_cost"] * pages
        cpu = rows * (s["cpu_tuple_cost"] + len(a.filters) * s["cpu_operator_cost"])
        table = a.facts.table.name
        best = Path(disk + cpu, 0.0, f"Seq Scan on {table.value}", None, io=disk, seq_table=table.key)
        threshold = s["min_parallel_table_scan_pages"]
        if s["max_parallel_workers_per_gather"] >= 1 and pages >= threshold:
            workers = 1
            while pages >= threshold * 3 and workers < s["max_parallel_workers_per_gather"]:
                workers += 1
                threshold *= 3
            divisor = workers + max(0.0, 1.0 - 0.3 * workers)
            parallel = disk + cpu / divisor + s["parallel_setup_cost"]
            if parallel < best.cost:
                best = Path(
                    parallel,
                    s["parallel_setup_cost"],
                    f"Parallel Seq Scan on {table.value}",
                    None,
                    io=disk,
                    seq_table=table.key,
                )
        return best

    def _index_path(
        self, a: Access, shape: Shape, total_pages: float, join: str | None, loops: float
    ) -> tuple[Path, Path | None] | None:
        """Ways through ``shape``: an index (or index-only) scan, and a bitmap heap scan when one
        applies; per loop when ``join`` names the join column a nested loop probes ``loops`` times.
        ``None`` when the planner would not consider the index at all."""
        s = self.s
        table = a.facts.table
        if shape.method in ("brin", "gin"):
            return lossy_path(self.s, a, shape, total_pages) if join is None else None
        partial_sel = 1.0
        where_col: str | None = None
        if shape.where is not None:
            as_written = self.traits.features.partial_index_terms_as_written
            if not where_implied(shape.where, table, a.filters, as_written=as_written):
                return None
            partial_sel = self._where_selectivity(table, shape.where)
            parsed = parse_where(shape.where)
            where_col = parsed[0] if parsed is not None else None
        boundary, scans, matched, all_single = 1.0, 1.0, 0, True
        # A probe fixes every column joined to the same partner (a composite key: tenant_id, id).
        group = a.join_groups.get(join, (join,)) if join is not None else ()
        joined: list[str] = []
        for key in shape.keys:
            if key in group and key not in joined:
                joined.append(key)
                matched += 1
                continue
            if key in a.eq:
                sel, n, single = a.eq[key]
                boundary *= sel
                scans *= n
                all_single = all_single and single
                matched += 1
                continue
            if key in a.rng:
                boundary *= a.rng[key]
                matched += 1
                all_single = False
            break
        used_join = bool(joined)
        if join is not None and not used_join:
            return None
        if len(joined) == len(group) and group in a.group_sel:
            join_share = a.group_sel[group]
        else:
            join_share = math.prod(a.join_sel.get(k) or self._join_selectivity(table, k) for k in joined)
        boundary *= join_share
        if shape.method == "hash" and (matched != 1 or (shape.keys[0] not in a.eq and not used_join)):
            return None  # a hash index answers one equality on its key, nothing else
        index_cols = set(shape.keys)
        quals_on_keys = [k for k in a.col_sel if k in index_cols and (k in a.eq or k in a.rng)]
        index_sel = math.prod(a.col_sel[k] for k in quals_on_keys) if quals_on_keys else 1.0
        if join is not None:
            index_sel *= join_share
        if where_col is not None and where_col in a.col_sel and where_col not in index_cols:
            # The implied predicate is the index's own: rows outside it are never seen.
            index_sel *= partial_sel
        n_index_quals = len(quals_on_keys) + len(joined)
        n_filter_quals = max(0, len(a.filters) - len(quals_on_keys) - (1 if where_col is not None else 0))
        covering = shape.method is None and a.read <= shape.held | ({where_col} if where_col else set())
        ordered = serves_order(a, shape) if join is None and shape.method is None else False
        if matched == 0 and not ordered and not covering and shape.where is None:
            return None
        rows = a.facts.rows
        if matched == 0:
            boundary = partial_sel
        elif shape.where is not None and where_col not in index_cols:
            boundary *= partial_sel
        # genericcostestimate
        if shape.unique and all_single and matched == len(shape.keys) and join is None:
            index_tuples = scans
            index_sel = min(index_sel, scans / max(rows, 1.0))  # one row per value of the whole key
        else:
            index_tuples = max(1.0, boundary * rows)
        index_pages = max(1.0, math.ceil(index_tuples * shape.pages / shape.tuples))
        if loops > 1:
            fetched = self._pages_fetched(index_pages * loops, shape.pages, shape.pages, total_pages)
            index_io = fetched * s["random_page_cost"] / loops
        else:
            index_io = index_pages * s["random_page_cost"]
        op = s["cpu_operator_cost"]
        index_cpu = index_tuples * (s["cpu_index_tuple_cost"] + n_index_quals * op)
        descent = scans * (math.ceil(math.log2(max(shape.tuples, 2.0))) * op + (shape.height + 1) * 50.0 * op)
        index_cost = index_io + index_cpu + descent
        # cost_index: heap fetches
        heap_pages = a.facts.pages
        fetched_rows = max(1.0, index_sel * rows)
        visible = s["all_visible_fraction"] if covering else 0.0
        if loops > 1:
            pf = self._pages_fetched(fetched_rows * loops, heap_pages, shape.pages, total_pages)
            max_io = math.ceil(pf * (1.0 - visible)) * s["random_page_cost"] / loops
            seq_pages = math.ceil(index_sel * heap_pages)
            pf = self._pages_fetched(seq_pages * loops, heap_pages, shape.pages, total_pages)
            min_io = math.ceil(pf * (1.0 - visible)) * s["random_page_cost"] / loops
        else:
            pf = self._pages_fetched(fetched_rows, heap_pages, shape.pages, total_pages)
            max_io = math.ceil(pf * (1.0 - visible)) * s["random_page_cost"]
            seq_pages = math.ceil(math.ceil(index_sel * heap_pages) * (1.0 - visible))
            min_io = (
                (s["random_page_cost"] + max(0.0, seq_pages - 1.0) * s["seq_page_cost"]) if seq_pages else 0.0
            )
        c2 = shape.correlation * shape.correlation
        heap_io = max_io + c2 * (min_io - max_io)
        cpu = fetched_rows * (s["cpu_tuple_cost"] + n_filter_quals * op)
        startup = descent / max(scans, 1.0)
        kind = "Index Only Scan" if covering else "Index Scan"
        name = table.name.value
        existing = shape.label if shape.candidate is None else None
        scan = Path(
            index_cost + heap_io + cpu,
            startup,
            f"{kind} using {shape.label} on {name}",
            shape.candidate,
            ordered,
            io=index_io + heap_io,
            index_only=covering,
            existing=existing,
        )
        if join is not None and join in a.per_key:
            scan = self._per_key(a, shape, join, scan, fetched_rows)
        if loops > 1 or covering or matched == 0:
            return scan, None
        # cost_bitmap_heap_scan over one bitmap index scan (no order)
        bitmap_index = index_cost + 0.1 * op * index_tuples
        pages = min(self._pages_fetched(fetched_rows, heap_pages, shape.pages, total_pages), heap_pages)
        per_page = s["random_page_cost"]
        if pages >= 2.0:
            per_page -= (s["random_page_cost"] - s["seq_page_cost"]) * math.sqrt(pages / heap_pages)
        heap = pages * per_page + fetched_rows * (s["cpu_tuple_cost"] + len(a.filters) * op)
        text = f"Bitmap Heap Scan on {name} using {shape.label}"
        return scan, Path(
            bitmap_index + heap,
            bitmap_index,
            text,
            shape.candidate,
            io=index_io + pages * per_page,
            existing=existing,
        )

    def _per_key(self, a: Access, shape: Shape, join: str, scan: Path, rows: float) -> Path:
        """A probe that needs only the first rows of its key by an order: read from an index whose
        keys after the join column give that order it stops there; else it sorts its rows."""
        order, limit = a.per_key[join]
        keys = list(shape.keys)
        position = keys.index(join) if join in keys else -1
        following = tuple(zip(keys[position + 1 :], shape.descending[position + 1 :], strict=True))
        wanted = [c for c, _ in order]
        flips = {d != want for (k, d), (_, want) in zip(following, order, strict=False)}
        if position >= 0 and [k for k, _ in following[: len(wanted)]] == wanted and len(flips) == 1:
            return replace(self._limited(scan, min(1.0, limit / rows)), ordered=True)
        width = sum(self._width(a.facts.table, c) for c in a.read)
        return replace(scan, cost=scan.cost + self._sort_cost(rows, width, limit))

    @staticmethod
    def _limited(path: Path, fraction: float) -> Path:
        """``path`` stopped after ``fraction`` of its rows (the Limit node's interpolation)."""
        if fraction >= 1.0:
            return path
        cost = path.startup + (path.cost - path.startup) * fraction
        return replace(path, cost=cost, io=path.io * fraction)

    def _join_selectivity(self, table: Table, column: str) -> float:
        """Rows per probe value: an equality with a parameter on ``column``."""
        predicate = Predicate(ColumnRef(table.name, Name(column)), PredicateKind.EQ, "=", "?")
        return predicate_selectivity(table, predicate).value

    def _sort_cost(self, tuples: float, width: float, limit: int | None) -> float:
        return sort_cost(self.s, tuples, width, limit)

    # ---------------------------------------------------------------------------------------------
    # Plans
    # ---------------------------------------------------------------------------------------------

    def _path(
        self,
        statement: Statement,
        i: int,
        a: Access,
        shape: Shape,
        total: float,
        join: str | None,
        loops: float,
    ) -> tuple[Path, Path | None] | None:
        key = (_key(statement), i, shape, join)
        if key not in self._paths:
            self._paths[key] = self._index_path(a, shape, total, join, loops)
        return self._paths[key]

    def plan_cost(
        self,
        statement: Statement,
        config: frozenset[IndexCandidate],
        hidden: frozenset[str] = frozenset(),
    ) -> PlanCost:
        """The model's cost of ``statement`` with the existing indexes (but those named in ``hidden``,
        by name key) plus ``config``."""
        accesses, total_pages = self._analyze(statement)
        s = self.s
        op, tup = s["cpu_operator_cost"], s["cpu_tuple_cost"]
        shapes: list[list[Shape]] = []
        for a in accesses:
            mine = [self._candidate_shape(a.facts, c) for c in config if c.table.matches(a.facts.table.name)]
            have = self._existing_shapes(a.facts)
            if hidden:
                have = tuple(x for x in have if x.label.lower() not in hidden and x.label not in hidden)
            shapes.append([*have, *sorted(mine, key=lambda x: x.label)])
        target = statement.write_target
        limit = statement.limit
        # A LIMIT over one table with no ORDER BY or GROUP BY stops the scan early (Limit node).
        early = 1.0
        if (
            limit is not None
            and len(accesses) == 1
            and not accesses[0].order
            and not accesses[0].access.group_by
        ):
            early = min(1.0, limit / accesses[0].out_rows)
        alone: list[Path] = []
        probe: list[Path | None] = []
        for i, a in enumerate(accesses):
            if statement.kind in (StatementKind.INSERT, StatementKind.UPSERT) and a.access is target:
                # The conflict check probes the arbiter unique index; PostgreSQL plans a plain Insert.
                alone.append(Path(tup, 0.0, f"Insert on {a.facts.table.name.value}", None))
                probe.append(None)
                continue
            best = self._limited(self._seq_scan(a), early)
            for shape in shapes[i]:
                found = self._path(statement, i, a, shape, total_pages, None, 1.0)
                for path in found or ():
                    if path is not None and self._limited(path, early).cost < best.cost:
                        best = self._limited(path, early)
            occ = a.access.occurrences
            hashed = 0.0
            if a.partners:
                # hashed for a hash join, or (an engine without one: SQLite) sorted into a
                # transient index the nested loop probes
                hashed = a.out_rows * (op + tup)
                if not self.traits.hash_join:
                    hashed += self._sort_cost(a.out_rows, 16.0, None)
            alone.append(replace(best, cost=(best.cost + hashed) * occ, ordered=False, io=best.io * occ))
            nested: Path | None = None
            for column, partner in a.partners:
                loops = a.partner_rows.get(partner, accesses[partner].out_rows)
                for shape in shapes[i]:
                    found = self._path(statement, i, a, shape, total_pages, column, loops)
                    if found is None:
                        continue
                    cost = found[0].cost * loops * occ
                    if nested is None or cost < nested.cost:
                        text = f"{found[0].text} (nested loop inner, {loops:.0f} loops)"
                        nested = replace(
                            found[0], cost=cost, text=text, ordered=False, io=found[0].io * loops * occ
                        )
            probe.append(nested)
        chosen = choose_paths(accesses, alone, probe)
        cost = sum(p.cost for p in chosen)
        io = sum(p.io for p in chosen)
        plan = [p.text for p in chosen]
        ordered_i = next((i for i, a in enumerate(accesses) if a.order), None)
        if ordered_i is not None:
            # ORDER BY: a sort over the unordered plan, or an index that delivers the order (and with a
            # LIMIT stops early, as do the nested loops it drives).
            a = accesses[ordered_i]
            width = sum(self._width(a.facts.table, c) for c in a.read)
            cost += self._sort_cost(min(a.out_rows, a.joined_rows or a.out_rows), width, limit)
            plan.append("Sort")
            # An ordered scan stops after LIMIT rows survive the joins, not LIMIT rows of its own.
            fraction = (
                min(1.0, limit / min(a.out_rows, a.joined_rows or a.out_rows)) if limit is not None else 1.0
            )
            for shape in shapes[ordered_i]:
                found = self._path(statement, ordered_i, a, shape, total_pages, None, 1.0)
                if found is None or not found[0].ordered:
                    continue
                lead = found[0]
                lead_cost = (lead.startup + (lead.cost - lead.startup) * fraction) * a.access.occurrences
                lead_io = lead.io * fraction * a.access.occurrences
                picks = [lead]
                for j in range(len(accesses)):
                    if j == ordered_i:
                        continue
                    nested = probe[j]
                    if nested is not None and nested.cost * fraction < alone[j].cost:
                        picks.append(
                            replace(nested, cost=nested.cost * fraction, startup=0.0, io=nested.io * fraction)
                        )
                    else:
                        picks.append(alone[j])
                total = lead_cost + sum(p.cost for p in picks[1:])
                if total < cost:
                    cost = total
                    io = lead_io + sum(p.io for p in picks[1:])
                    note = " (ordered, stops at LIMIT)" if limit is not None else " (ordered)"
                    plan = [lead.text + note, *(p.text for p in picks[1:])]
                    chosen = picks
        fixed, fixed_io = self._fixed_costs(statement, accesses, config)
        used = frozenset(p.candidate for p in chosen if p.candidate is not None)
        plan += [f"rows of {a.facts.table.name.value} by {basis}" for a in accesses for basis in a.ranges]
        return PlanCost(
            cost=cost + fixed,
            used=used,
            plan="; ".join(plan) or None,
            io=io + fixed_io,
            seq_scans=frozenset(p.seq_table for p in chosen if p.seq_table is not None),
            index_only=frozenset(p.candidate for p in chosen if p.candidate is not None and p.index_only),
            existing_used=frozenset(p.existing for p in chosen if p.existing is not None),
        )

    def _aggregation_cost(self, a: Access) -> float:
        """GROUP BY over ``a``'s rows (``cost_agg``): hashed - each row's group columns compared and
        its aggregate advanced, each group emitted - or, where the engine cannot hash (SQLite) or
        hashing costs more, sorted first (``GroupAggregate`` over a ``Sort``). Groups: the product
        of the group columns' distinct counts (200 each when unknown, as ``estimate_num_groups``),
        at most the rows."""
        s = self.s
        op, tup = s["cpu_operator_cost"], s["cpu_tuple_cost"]
        rows = a.out_rows
        columns = len(a.access.group_by)
        groups = 1.0
        for name in a.access.group_by:
            col = a.facts.table.column(name)
            distinct = col.stats.distinct if col is not None and col.stats is not None else None
            groups *= distinct if distinct else 200.0
        groups = max(1.0, min(rows, groups))
        per_row = rows * (columns + 1) * op
        hashed = per_row + groups * tup
        width = sum(self._width(a.facts.table, c.key) for c in a.access.group_by) + 8.0
        sorted_ = self._sort_cost(rows, width, None) + per_row + groups * tup
        return min(hashed, sorted_) if self.traits.hash_aggregation else sorted_

    def _fixed_costs(
        self, statement: Statement, accesses: list[Access], config: frozenset[IndexCandidate]
    ) -> tuple[float, float]:
        """Costs no index changes much: aggregation, rows written, and the foreign-key lookups a
        parent delete or key update triggers (which an index on the child's key does change); and the
        part of them spent reading pages."""
        s = self.s
        tup = s["cpu_tuple_cost"]
        total = io = 0.0
        for a in accesses:
            if a.access.group_by:
                total += self._aggregation_cost(a)
        target = statement.write_target
        if target is None or statement.kind not in (StatementKind.UPDATE, StatementKind.DELETE):
            return total, io
        parent = next((a for a in accesses if a.access is target), None)
        if parent is None:
            return total, io
        total += parent.out_rows * tup
        written = {c.key for c in target.columns_written}
        for child, fk in self._referencing(target.table):
            if statement.kind == StatementKind.UPDATE and not ({c.key for c in fk.ref_columns} & written):
                continue
            lookup = self._fk_lookup(child, fk.columns, config)
            total += parent.out_rows * lookup.cost
            io += parent.out_rows * lookup.io
        return total, io

    def _referencing(self, parent: Name) -> list[tuple[Table, ForeignKey]]:
        """The foreign keys that reference ``parent``, with their tables (indexed once)."""
        if self._referrers is None:
            self._referrers = {}
            for child in self.catalog.tables:
                for fk in child.foreign_keys:
                    self._referrers.setdefault(fk.ref_table.key, []).append((child, fk))
        return self._referrers.get(parent.key, [])

    def _fk_lookup(self, child: Table, columns: tuple[Name, ...], config: frozenset[IndexCandidate]) -> Path:
        """Cost of one ``SELECT 1 FROM child WHERE fk = $1`` (the RI trigger's query)."""
        facts = self._table_facts(child)
        refs = [ColumnRef(child.name, c) for c in columns]
        preds = tuple(Predicate(r, PredicateKind.EQ, "=", "?") for r in refs)
        access = TableAccess(child.name, predicates=preds, columns_read=columns)
        sel = math.prod(predicate_selectivity(child, p).value for p in preds)
        a = Access(
            access,
            facts,
            preds,
            {p.column.column.key: (predicate_selectivity(child, p).value, 1.0, True) for p in preds},
            {},
            {p.column.column.key: predicate_selectivity(child, p).value for p in preds},
            sel,
            max(1.0, facts.rows * sel),
            frozenset(c.key for c in columns),
        )
        best = self._seq_scan(a)
        mine = [self._candidate_shape(facts, c) for c in config if c.table.matches(child.name)]
        for shape in [*self._existing_shapes(facts), *mine]:
            found = self._index_path(a, shape, facts.pages, None, 1.0)
            for path in found or ():
                if path is not None and path.cost < best.cost:
                    best = path
        return best

    def _width(self, table: Table, column: str) -> float:
        col = table.column(column)
        if col is None:
            return 8.0
        if col.stats is not None and col.stats.avg_width is not None:
            return col.stats.avg_width
        return float(col.type.estimated_width())
