"""The sharding advice: is one node enough; the distribution key of every table, its co-location
group or reference copy, with reasons; the shard count; how many transactions and statements stay
on one shard against honest baselines; skew; and the plans for Citus and Vitess.

The stages are the modules of this package: :mod:`capacity` (one node enough?), :mod:`search`
(the layout, over :mod:`footprint`'s single-shard rule and :mod:`probability`'s model),
:mod:`skew`, :mod:`citus` and :mod:`vitess` (the plans), :mod:`simulate` (counted, not computed).
Baselines, evaluated with the same model in the same run:

- **hash by primary key**: every table hashed by its whole primary key, no co-location (the
  baseline of Schism and Horticulture; not expressible on Citus, which distributes by one column);
- **first primary-key column**: every table distributed by the first column of its primary key,
  tables whose columns have one type co-located (what Citus does by default), no reference tables;
- **no reference tables**: the chosen layout, with every reference table distributed by its best
  candidate column instead (what the reference tables are worth).
"""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.advisors.access_paths import AccessPath
from dbarchitect.advisors.sharding.capacity import CapacityCheck, check_capacity
from dbarchitect.advisors.sharding.citus import SchemaChange, citus_script
from dbarchitect.advisors.sharding.footprint import Route, route
from dbarchitect.advisors.sharding.layout import Layout, Placement, PlacementKind
from dbarchitect.advisors.sharding.probability import (
    Footprint,
    Unit,
    single_shard_probability,
    statement_unit,
    units_of,
    weighted_single_shard,
)
from dbarchitect.advisors.sharding.search import Refused, search, with_groups
from dbarchitect.advisors.sharding.simulate import Simulation, simulate
from dbarchitect.advisors.sharding.skew import GroupLoad, TableSkew, group_loads, layout_skews
from dbarchitect.advisors.sharding.vitess import check_vschema, shard_ranges, vschema_json, vschemas
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.brief import NodeSpec, format_size
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Statement, Workload


@dataclass(frozen=True)
class LayoutResult:
    """A layout with its footprints: chosen or baseline."""

    name: str
    description: str
    layout: Layout
    footprints: tuple[Footprint, ...]
    #: Each statement's own chance of staying on one shard (outside any transaction's relations).
    statements: tuple[Footprint, ...]

    def single_shard(self, kind: str | None = None) -> float:
        """Rate-weighted single-shard fraction of the units (``transaction``, ``statement`` or all)."""
        chosen = tuple(f for f in self.footprints if kind is None or f.kind == kind)
        return weighted_single_shard(chosen)

    @property
    def has_transactions(self) -> bool:
        return any(f.kind == "transaction" for f in self.footprints)

    @property
    def distributed_transactions(self) -> float:
        """Rate-weighted fraction of transactions touching more than one shard (0 without any)."""
        return 1.0 - self.single_shard("transaction")

    @property
    def single_shard_statements(self) -> float:
        """Rate-weighted fraction of statement executions that are single-shard on their own."""
        return weighted_single_shard(self.statements)


@dataclass(frozen=True)
class TablePlan:
    table: str
    kind: PlacementKind
    column: str | None
    group: str | None
    bytes_at_horizon: float
    reads_per_second: float
    writes_per_second: float
    reason: str


@dataclass(frozen=True)
class ColocationGroup:
    name: str
    tables: tuple[str, ...]
    column_type: str


@dataclass(frozen=True)
class StatementRouting:
    statement: str
    rate: float
    route: Route
    single_shard: float


@dataclass(frozen=True)
class ShardingAdvice:
    """Whether one node is enough for the brief, and how to spread it over many
    (``dbarchitect.advise_sharding``).

    Attributes:
        capacity: One node enough? Storage at the horizon, write rate and the five-minute working
            set against the brief's ``node``, each with what it needs (``.verdict()`` says it in one
            line; ``.nodes`` is the largest of the three).
        shard_count: The number of shards, and ``capacity.shard_reason`` why.
        tables: Per table its placement (distributed by ``column`` in co-location ``group``, or a
            reference copy on every node), its size at the horizon, reads and writes per second,
            and the reason.
        groups: The co-location groups: tables distributed by columns of one type that the same
            values pin, so their joins stay on one shard.
        chosen: The advised layout with its footprints: ``.distributed_transactions`` and
            ``.single_shard_statements`` are rate-weighted fractions.
        baselines: The same measures for honest alternatives in the same model: hash by the whole
            primary key, the primary key's first column (Citus's default), no reference tables.
        routing: Per statement: how the layout routes it and its chance of staying on one shard.
        skews: Per distributed table: how evenly its key spreads the rows (from the brief's
            distinct counts and hot values; 1.0 is even).
        loads: Per co-location group: executions pinned to one key and fanned out, load and data
            skew, hot writes.
        search_method: How the layout was found (exhaustive, or coordinate descent and from where).
        evaluations: Layouts evaluated.
        refused: Options left out per table (a key with too few values, a table too big to copy),
            each with its reason.
        citus_sql: The Citus script: distribute and co-locate the tables, create the references.
        citus_changes: What the script changes in the schema so Citus accepts it (keys and foreign
            keys widened by the distribution column...).
        vschema: The Vitess VSchema (JSON) for the same layout.
        vitess_shards: The Vitess shard key ranges.
        vschema_problems: Problems ``vitess.check_vschema`` finds in the emitted VSchema (empty: it
            follows the rules).
        runnable_on: The distributed engine the brief's engine can run: ``citus``, ``vitess`` or
            empty.
        simulation: With ``simulate_executions``, distributed transactions counted on generated
            parameter values (seeded), else ``None``.
        notes: What to know: one node is enough for now, joins off the co-located keys...
    """

    capacity: CapacityCheck
    shard_count: int
    tables: tuple[TablePlan, ...]
    groups: tuple[ColocationGroup, ...]
    chosen: LayoutResult
    baselines: tuple[LayoutResult, ...]
    routing: tuple[StatementRouting, ...]
    skews: tuple[TableSkew, ...]
    loads: tuple[GroupLoad, ...]
    search_method: str
    evaluations: int
    refused: tuple[Refused, ...]
    citus_sql: str
    citus_changes: tuple[SchemaChange, ...]
    vschema: str
    vitess_shards: tuple[str, ...]
    vschema_problems: tuple[str, ...]
    runnable_on: str
    simulation: Simulation | None
    notes: tuple[str, ...] = ()


def _result(
    name: str, description: str, layout: Layout, units: tuple[Unit, ...], statements: tuple[Statement, ...]
) -> LayoutResult:
    cache: dict[int, Route] = {}

    def get(statement: Statement) -> Route:
        found = cache.get(id(statement))
        if found is None:
            found = cache[id(statement)] = route(statement, layout)
        return found

    footprints = tuple(single_shard_probability(u, get, layout) for u in units)
    alone = tuple(single_shard_probability(statement_unit(s, s.rate), get, layout) for s in statements)
    return LayoutResult(name, description, layout, footprints, alone)


def primary_key_layout(catalog: Catalog, shards: int) -> Layout:
    """Every table hashed by its whole primary key (all columns without one), each its own group."""
    placements = []
    for t in catalog.tables:
        columns = t.primary_key.columns if t.primary_key else tuple(c.name for c in t.columns)
        placements.append(Placement(t.name, PlacementKind.DISTRIBUTED, columns, t.name.value))
    return Layout(tuple(placements), shards)


def first_key_column_layout(catalog: Catalog, shards: int) -> Layout:
    """Every table by its primary key's first column; one group per column type (Citus's default)."""
    placements = []
    groups: dict[str, str] = {}
    for t in catalog.dependency_order():
        column = t.primary_key.columns[0] if t.primary_key else t.columns[0].name
        col = t.column(column)
        kind = str(col.type) if col is not None else "?"
        group = groups.setdefault(kind, t.name.value)
        placements.append(Placement(t.name, PlacementKind.DISTRIBUTED, (column,), group))
    order = {t.name.key: i for i, t in enumerate(catalog.tables)}
    return Layout(tuple(sorted(placements, key=lambda p: order[p.table.key])), shards)


def _rates(workload: Workload) -> tuple[dict[str, float], dict[str, float]]:
    reads: dict[str, float] = {}
    writes: dict[str, float] = {}
    for s in workload.statements:
        for a in s.tables:
            target = writes if a.is_write_target else reads
            target[a.table.key] = target.get(a.table.key, 0.0) + s.rate
    return reads, writes


def _table_plans(
    catalog: Catalog,
    layout: Layout,
    sizes: dict[str, TableSize],
    workload: Workload,
    chosen: LayoutResult,
    pinned_rates: dict[str, float],
) -> tuple[TablePlan, ...]:
    reads, writes = _rates(workload)
    members: dict[str, list[str]] = {}
    for p in layout.placements:
        if p.distributed:
            members.setdefault(p.group, []).append(p.table.value)
    plans = []
    for p in layout.placements:
        key = p.table.key
        size = sizes[key].total_bytes_at_horizon if key in sizes else 0.0
        r, w = reads.get(key, 0.0), writes.get(key, 0.0)
        if p.distributed:
            others = [t for t in members.get(p.group, []) if t != p.table.value]
            reason = (
                f"{pinned_rates.get(key, 0.0):,.0f} executions/s pin {p.table}.{p.columns[0]} to one value"
            )
            if 0 < len(others) <= 3:
                reason += f"; co-located with {', '.join(others)}, which the same values pin"
            elif others:
                reason += f"; co-located with the {len(others)} other tables of group {p.group}"
            elif not r and not w:
                reason = "no statement touches it; distributed by its primary key's first column"
        else:
            reason = (
                f"{format_size(size)} at the horizon, {w:,.2f} writes/s (each reaches every node) for "
                f"{r:,.0f} reads/s served locally next to the distributed tables"
            )
        plans.append(
            TablePlan(
                p.table.value,
                p.kind,
                p.columns[0].value if p.distributed else None,
                p.group or None,
                size,
                r,
                w,
                reason,
            )
        )
    return tuple(plans)


def advise_sharding(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    sizes: tuple[TableSize, ...],
    paths: tuple[AccessPath, ...],
    node: NodeSpec,
    *,
    name: str = "app",
    simulate_executions: int = 0,
    seed: int = 0,
) -> ShardingAdvice:
    """The sharding advice for the brief's schema and workload (see the module docstring).
    ``simulate_executions`` > 0 also counts distributed transactions on generated parameters."""
    capacity = check_capacity(node, sizes, workload, paths)
    shards = capacity.shard_count
    by_table = {s.table.lower(): s for s in sizes}
    units = units_of(workload.statements, workload.transactions)
    found = search(catalog, units, by_table, shards, node.memory, workload.statements, node.write_rate)
    layout = found.best.layout
    chosen = _result("chosen", "the advised layout", layout, units, workload.statements)
    baselines = [
        _result(
            "hash by primary key",
            "every table hashed by its whole primary key, no co-location",
            primary_key_layout(catalog, shards),
            units,
            workload.statements,
        ),
        _result(
            "first primary-key column",
            "every table by its primary key's first column, co-located by column type (Citus's default)",
            first_key_column_layout(catalog, shards),
            units,
            workload.statements,
        ),
    ]
    if any(not p.distributed for p in layout.placements):
        swapped = []
        for p in layout.placements:
            if p.distributed:
                swapped.append(p)
                continue
            best = next(
                (o for o in found.candidates.options.get(p.table.key, ()) if o.column is not None), None
            )
            table = catalog.table(p.table)
            column = best.column if best is not None and best.column is not None else None
            if column is None and table is not None:
                column = table.primary_key.columns[0] if table.primary_key else table.columns[0].name
            assert column is not None
            swapped.append(Placement(p.table, PlacementKind.DISTRIBUTED, (column,)))
        baselines.append(
            _result(
                "no reference tables",
                "the advised keys, with every reference table distributed by its best column instead",
                with_groups(catalog, tuple(swapped), units, shards),
                units,
                workload.statements,
            )
        )
    skews = layout_skews(catalog, layout)
    pinned: dict[str, float] = {}
    fanout: dict[str, float] = {}
    routing = []
    for statement, alone in zip(workload.statements, chosen.statements, strict=True):
        r = route(statement, layout)
        routing.append(StatementRouting(statement.name, statement.rate, r, alone.single_shard))
        for access in r.accesses:
            pinned[access.table.key] = pinned.get(access.table.key, 0.0) + statement.rate
        if r.fanout:
            for a in statement.tables:
                placed = layout.placement(a.table)
                if placed is not None and placed.distributed:
                    fanout[a.table.key] = fanout.get(a.table.key, 0.0) + statement.rate
    _, writes = _rates(workload)
    loads = group_loads(layout, skews, pinned, fanout, writes, node.write_rate)
    groups = []
    for group in dict.fromkeys(p.group for p in layout.placements if p.distributed):
        tables = tuple(p.table.value for p in layout.placements if p.distributed and p.group == group)
        first = catalog.table(tables[0])
        leader = next(p for p in layout.placements if p.table.value == tables[0])
        col = first.column(leader.columns[0]) if first is not None else None
        groups.append(ColocationGroup(group, tables, str(col.type) if col is not None else "?"))
    pg = traits if traits.engine == EngineName.POSTGRESQL else get_traits(EngineName.POSTGRESQL, "15")
    share = (
        f"{1 - chosen.distributed_transactions:.1%} of transactions on one shard"
        if chosen.has_transactions
        else f"{chosen.single_shard_statements:.1%} of statement executions on one shard"
    )
    header = (f"Citus plan for {name}: {capacity.nodes} node(s), {shards} shards ({share})",)
    sql, changes = citus_script(catalog, layout, pg, header)
    vitess_shards = shard_ranges(1 << max(0, capacity.nodes - 1).bit_length())
    keyspaces = vschemas(catalog, layout, name)
    notes: list[str] = []
    if capacity.one_node_enough:
        notes.append("one node is enough for this brief: the layout is what to shard by when it no longer is")
    for entry in routing:
        for refused in entry.route.refused:
            notes.append(f"{entry.statement} {refused}: Citus refuses it and Vitess cannot move the row")
        if entry.route.repartition:
            notes.append(
                f"{entry.statement} joins distributed tables off their co-located keys "
                f"({'; '.join(entry.route.repartition)}): a repartition join on Citus "
                "(citus.enable_repartition_joins), a cross-shard join on Vitess"
            )
    simulation = None
    if simulate_executions > 0:
        simulation = simulate(
            units, lambda s: route(s, layout), layout, catalog, executions=simulate_executions, seed=seed
        )
    return ShardingAdvice(
        capacity=capacity,
        shard_count=shards,
        tables=_table_plans(catalog, layout, by_table, workload, chosen, pinned),
        groups=tuple(groups),
        chosen=chosen,
        baselines=tuple(baselines),
        routing=tuple(routing),
        skews=skews,
        loads=loads,
        search_method=found.method,
        evaluations=found.evaluations,
        refused=found.candidates.refused,
        citus_sql=sql,
        citus_changes=changes,
        vschema=vschema_json(catalog, layout, name),
        vitess_shards=vitess_shards,
        vschema_problems=tuple(check_vschema(keyspaces, catalog)),
        runnable_on=traits.sharding.distributed_engine,
        simulation=simulation,
        notes=tuple(dict.fromkeys(notes)),
    )
