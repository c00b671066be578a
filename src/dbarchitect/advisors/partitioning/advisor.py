"""Decide per table whether partitioning pays, choose its key and layout, and say what it costs.

For every sized table (:func:`recommend_partitioning`):

1. **Candidates** from the workload and the schema: a RANGE by each NOT NULL time column (it turns
   the retention into dropping partitions when the column is the row's age: a ``CURRENT_TIMESTAMP``
   default, a physical correlation of 0.9 or more, or the table's only time column); a HASH by each
   column the table's statements filter by equality or IN; a LIST by a column whose values are all
   known (an enum, or hot values covering every row) when at most :data:`MAX_LIST_VALUES`.
2. **Pruning** of each candidate: every statement on the table with its parameters bound
   (:mod:`.binding`) is counted by the model of :mod:`.pruning`; the score is the rate-weighted
   share of the table's statements touching at most two partitions. A RANGE takes the interval
   with the best score among those :mod:`.layout`'s targets allow, the largest on a tie.
3. **Engine rules** (``traits.features`` / ``traits.partitioning``): a primary key or unique
   constraint must include the partition key (widened, and the integrity cost said); an engine
   without foreign keys on or to partitioned tables loses them (dropped, the consequence said, with
   the query that finds orphans); index methods a partitioned table cannot have are dropped.
4. **Decision**, with the numbers (the thresholds are a stated model):
   - no: a table with no row count, an engine without partitioning, less than
     :data:`SMALL_TABLE_BYTES` of data at the horizon (its indexes stay shallow and deleting expired
     rows is cheap), or no usable key;
   - with a retention and a time column that is the rows' age: partition by RANGE on it (expired rows
     go by dropping a partition, not by DELETE), unless fewer than :data:`MIN_PRUNING_SHARE` of the
     table's weighted statements touch at most two partitions (the others would read every one);
   - without a retention: only a table of at least :data:`LARGE_TABLE_BYTES` whose best key prunes
     :data:`LARGE_TABLE_SHARE` of its statements and loses no foreign key, or a hot write path
     (:data:`HOT_INSERTS_PER_S` rows a second) that a HASH spreads; otherwise no, with why.
5. The designed **catalog** carries ``Table.partitioning`` and the constraint changes; the
   **maintenance** plan keeps RANGE partitions ahead and drops expired ones; the **migration** from
   the current schema goes through the migration planner (new table, batched copy, swap).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime

from dbarchitect.advisors.migrations.plan import MigrationPlan, plan_migration
from dbarchitect.advisors.partitioning.binding import bind_statement
from dbarchitect.advisors.partitioning.layout import (
    MAX_PARTITION_BYTES,
    MAX_RETENTION_OVERSHOOT,
    UNITS,
    catalog_partitioning,
    hash_count,
    hash_layout,
    list_layout,
    list_values,
    range_layout,
    time_span,
)
from dbarchitect.advisors.partitioning.model import (
    BindingSource,
    BoundStatement,
    Candidate,
    ConstraintChange,
    Layout,
    Maintenance,
    NoReason,
    PartitionAdvice,
    StatementPruning,
    TableDecision,
    Verdict,
    WorkloadPruning,
)
from dbarchitect.advisors.partitioning.pruning import PartitionSpace, statement_pruning
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.brief import format_size
from dbarchitect.engines.partition_sql import is_time_type, maintenance_sql, partman_sql
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.model.catalog import (
    Catalog,
    Column,
    DefaultKind,
    ForeignKey,
    Index,
    IndexKey,
    PartitionMethod,
    PrimaryKey,
    Table,
    TableStats,
    UniqueConstraint,
)
from dbarchitect.model.intervals import parse_instant
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import TypeKind
from dbarchitect.model.workload import PredicateKind, Statement, StatementKind, TableAccess, Workload

SMALL_TABLE_BYTES = 10e9
LARGE_TABLE_BYTES = 100e9
MIN_PRUNING_SHARE = 0.5
LARGE_TABLE_SHARE = 0.95
HOT_INSERTS_PER_S = 10_000.0
MAX_LIST_VALUES = 32
#: HASH candidates per table (the columns its statements filter by equality most, by rate).
MAX_HASH_CANDIDATES = 3


@dataclass(frozen=True)
class _Uses:
    """A table's statements: (statement, its access to the table), with parameters bound."""

    items: tuple[tuple[Statement, TableAccess], ...]

    @property
    def rate(self) -> float:
        return sum(s.rate for s, _ in self.items)

    def insert_rate(self) -> float:
        return sum(
            s.rate
            for s, a in self.items
            if a.is_write_target and s.kind in (StatementKind.INSERT, StatementKind.UPSERT)
        )


def _score(prunings: tuple[StatementPruning, ...]) -> float:
    total = sum(p.rate for p in prunings)
    return sum(p.rate * p.within_two for p in prunings) / total if total else 1.0


def _row_age(table: Table, column: Column) -> bool:
    """Whether a time column is the rows' age (what a retention counts from)."""
    if column.default is not None and column.default.kind in (
        DefaultKind.CURRENT_TIMESTAMP,
        DefaultKind.CURRENT_DATE,
    ):
        return True
    if column.stats is not None and (column.stats.correlation or 0.0) >= 0.9:
        return True
    times = [c for c in table.columns if is_time_type(c.type) and not c.nullable]
    return len(times) == 1


def _names(columns: tuple[Name, ...]) -> str:
    return ", ".join(c.value for c in columns)


def _orphans_sql(child: Name, fk: ForeignKey, traits: EngineTraits) -> str:
    q = traits.quote
    present = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in fk.columns)
    match = " AND ".join(f"p.{q(r)} = c.{q(c)}" for c, r in zip(fk.columns, fk.ref_columns, strict=False))
    return (
        f"SELECT count(*) FROM {q(child)} AS c WHERE {present} AND NOT EXISTS "
        f"(SELECT 1 FROM {q(fk.ref_table)} AS p WHERE {match})"
    )


def _constraint_changes(
    table: Table, key: Name, catalog: Catalog, traits: EngineTraits
) -> tuple[tuple[ConstraintChange, ...], Table, tuple[tuple[Name, ForeignKey], ...]]:
    """What the engine's partitioning rules force on ``table`` partitioned by ``key``: the changes,
    the table as changed, and the foreign keys of other tables that must go."""
    changes: list[ConstraintChange] = []
    name = table.name.value
    pk = table.primary_key
    uniques = list(table.uniques)
    indexes = list(table.indexes)
    widened: set[tuple[str, ...]] = set()
    if traits.features.unique_must_include_partition_key:
        if pk is not None and key.key not in {c.key for c in pk.columns}:
            new_pk = PrimaryKey((*pk.columns, key), pk.name)
            identity = any(c.identity for c in table.columns if any(c.name.matches(x) for x in pk.columns))
            changes.append(
                ConstraintChange(
                    name,
                    "primary key widened",
                    f"PRIMARY KEY ({_names(pk.columns)})",
                    f"PRIMARY KEY ({_names(new_pk.columns)})",
                    f"{traits.label} requires every unique key of a partitioned table to include the "
                    f"partition key: ({_names(pk.columns)}) alone is no longer unique in the database"
                    + (
                        " — its values come from an identity, so only an explicit insert of a used value "
                        "could duplicate one"
                        if identity
                        else "; the application must not reuse a value under another " + key.value
                    ),
                )
            )
            widened.add(tuple(c.key for c in pk.columns))
            pk = new_pk
        for i, u in enumerate(uniques):
            if key.key not in {c.key for c in u.columns}:
                uniques[i] = UniqueConstraint((*u.columns, key), u.name)
                widened.add(tuple(c.key for c in u.columns))
                changes.append(
                    ConstraintChange(
                        name,
                        "unique constraint widened",
                        f"UNIQUE ({_names(u.columns)})",
                        f"UNIQUE ({_names(uniques[i].columns)})",
                        f"({_names(u.columns)}) is unique only per {key.value} value now: two rows may "
                        "share it "
                        f"with different {key.value}",
                    )
                )
        for i, index in enumerate(indexes):
            if index.unique and key.key not in {c.key for c in index.columns}:
                indexes[i] = replace(index, keys=(*index.keys, IndexKey(column=key)))
                widened.add(tuple(c.key for c in index.columns))
                changes.append(
                    ConstraintChange(
                        name,
                        "unique index widened",
                        f"UNIQUE INDEX {index.name} ({_names(index.columns)})",
                        f"UNIQUE INDEX {index.name} ({_names(indexes[i].columns)})",
                        f"({_names(index.columns)}) is unique only per {key.value} value now",
                    )
                )
    kept_indexes: list[Index] = []
    for index in indexes:
        if index.method is not None and index.method in traits.partitioning.unsupported_index_methods:
            changes.append(
                ConstraintChange(
                    name,
                    "index dropped",
                    f"{index.method.upper()} INDEX {index.name}",
                    None,
                    f"{traits.label} cannot have a {index.method} index on a partitioned table: "
                    "statements that "
                    "used it scan instead",
                )
            )
            continue
        kept_indexes.append(index)
    fks = list(table.foreign_keys)
    if fks and not traits.features.foreign_keys_on_partitioned_tables:
        for fk in fks:
            changes.append(
                ConstraintChange(
                    name,
                    "foreign key dropped",
                    f"FOREIGN KEY ({_names(fk.columns)}) REFERENCES {fk.ref_table} "
                    f"({_names(fk.ref_columns)})",
                    None,
                    f"{traits.label} allows no foreign keys on a partitioned table: {name} rows may then "
                    "reference "
                    f"{fk.ref_table} rows that do not exist (and ON DELETE {fk.on_delete.value} no longer "
                    "runs); "
                    f"check in the application, or find orphans with: {_orphans_sql(table.name, fk, traits)}",
                )
            )
        fks = []
    incoming: list[tuple[Name, ForeignKey]] = []
    for other in catalog.tables:
        for fk in other.foreign_keys:
            if not fk.ref_table.matches(table.name) or other.name.matches(table.name):
                continue
            refs = tuple(c.key for c in fk.ref_columns)
            why = None
            if not traits.partitioning.referenced_by_foreign_keys:
                why = f"{traits.label} allows no foreign key to reference a partitioned table"
            elif refs in widened:
                why = f"({_names(fk.ref_columns)}) is no longer unique on its own, which a foreign key needs"
            if why is not None:
                incoming.append((other.name, fk))
                changes.append(
                    ConstraintChange(
                        other.name.value,
                        "referencing foreign key dropped",
                        f"{other.name} FOREIGN KEY ({_names(fk.columns)}) REFERENCES {name} "
                        f"({_names(fk.ref_columns)})",
                        None,
                        f"{why}: {other.name} rows may then reference {name} rows that do not exist; "
                        "check in the "
                        f"application, or find orphans with: {_orphans_sql(other.name, fk, traits)}",
                    )
                )
    changed = replace(
        table, primary_key=pk, uniques=tuple(uniques), indexes=tuple(kept_indexes), foreign_keys=tuple(fks)
    )
    return tuple(changes), changed, tuple(incoming)


def _evaluate(
    table: Table,
    space: PartitionSpace,
    uses: _Uses,
    rows_per_partition: float,
    row_bytes: float,
    changes: tuple[ConstraintChange, ...],
    *,
    infeasible: str | None = None,
    drops_expired: bool = False,
) -> Candidate:
    space = replace(space, rows_per_partition=rows_per_partition)
    prunings = tuple(statement_pruning(space, s, a, table) for s, a in uses.items)
    widened = [c for c in changes if c.table == table.name.value and c.kind.endswith("widened")]
    upserts = sorted({s.name for s, a in uses.items if a.is_write_target and s.kind == StatementKind.UPSERT})
    blocker = None
    if widened and upserts:
        blocker = (
            f"the upsert {', '.join(upserts)} finds its conflicts through the table's unique keys, which "
            f"{space.layout.describe()} widens ({'; '.join(f'{c.before} -> {c.after}' for c in widened)}): "
            "a conflict on the old key would no longer be caught"
        )
    return Candidate(
        space.layout,
        rows_per_partition,
        rows_per_partition * row_bytes,
        _score(prunings),
        prunings,
        changes,
        infeasible,
        drops_expired,
        blocker,
    )


def _range_candidate(
    table: Table,
    column: Column,
    uses: _Uses,
    traits: EngineTraits,
    anchor: datetime,
    rows_later: float,
    row_bytes: float,
    changes: tuple[ConstraintChange, ...],
) -> tuple[Candidate, PartitionSpace, list[str]]:
    span = time_span(table, column, anchor)
    stats = table.stats or TableStats()
    retention = stats.retention_days
    drops = retention is not None and _row_age(table, column)
    stops = traits.partitioning.ordered_scan_stops_at_limit
    options: list[tuple[Candidate, PartitionSpace]] = []
    rejected: list[str] = []
    for unit in UNITS:
        layout, space = range_layout(column, unit, span, traits)
        space = replace(space, stops_at_limit=stops)
        growth = stats.growth_rows_per_day
        rows_pp = growth * unit.days if growth else rows_later / max(layout.count, 1)
        why = None
        if rows_pp * row_bytes > MAX_PARTITION_BYTES:
            why = (
                f"{format_size(rows_pp * row_bytes)} per partition is over the "
                f"{format_size(MAX_PARTITION_BYTES)} target"
            )
        elif retention is not None and unit.days > retention * MAX_RETENTION_OVERSHOOT:
            why = (
                f"a {unit.value} is more than {MAX_RETENTION_OVERSHOOT:.0%} of the {retention:g}-day "
                "retention (rows would be kept up to one interval longer)"
            )
        elif layout.count > traits.partitioning.max_partitions:
            why = f"{layout.count} partitions is over {traits.label}'s {traits.partitioning.max_partitions}"
        candidate = _evaluate(
            table, space, uses, rows_pp, row_bytes, changes, infeasible=why, drops_expired=drops
        )
        options.append((candidate, space))
        if why is not None:
            rejected.append(f"by {unit.value}: {why}")
    feasible = [o for o in options if o[0].infeasible is None]
    pool = feasible or [options[0]]
    best = max(pool, key=lambda o: (round(o[0].pruning_share, 6), UNITS.index(o[0].layout.unit or UNITS[0])))
    notes = [f"{column.name}: partitions from {best[0].layout.start:%Y-%m-%d} ({span.how})"]
    if not feasible:
        notes.append(f"no interval meets every target ({'; '.join(rejected)}); by day is the closest")
    return best[0], best[1], notes


def _hash_columns(table: Table, uses: _Uses) -> list[Column]:
    weight: dict[str, float] = {}
    for statement, access in uses.items:
        for p in access.predicates:
            if p.kind in (PredicateKind.EQ, PredicateKind.IN):
                weight[p.column.column.key] = weight.get(p.column.column.key, 0.0) + statement.rate
    ranked = sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))
    out: list[Column] = []
    for key, _ in ranked:
        column = table.column(key)
        if column is not None and not is_time_type(column.type) and column.type.kind not in _NO_KEY_TYPES:
            out.append(column)
    return out[:MAX_HASH_CANDIDATES]


#: Types a partition key cannot be (no hash or ordering every engine agrees on).
_NO_KEY_TYPES = frozenset({TypeKind.JSON, TypeKind.ARRAY, TypeKind.BINARY})


def _fk_loss(candidate: Candidate) -> int:
    return sum(1 for c in candidate.constraint_changes if "foreign key dropped" in c.kind)


def _decide(
    table: Table,
    catalog: Catalog,
    uses: _Uses,
    traits: EngineTraits,
    horizon_days: float,
    anchor: datetime,
) -> tuple[TableDecision, PartitionSpace | None, Table | None, tuple[tuple[Name, ForeignKey], ...]]:
    size = estimate_table_size(table, traits, horizon_days)
    stats = table.stats or TableStats()
    base = TableDecision(
        table.name.value,
        Verdict.NO,
        (),
        size.rows_now,
        size.rows_at_horizon,
        size.data_bytes_at_horizon,
        stats.growth_rows_per_day,
        stats.retention_days,
        current=table.partitioning,
    )
    if size.unsized:
        return (
            replace(base, reasons=("the brief gives no row count",), rejection=NoReason.UNSIZED),
            None,
            None,
            (),
        )
    if traits.partitioning.max_partitions == 0 or not traits.features.partition_methods:
        why = f"{traits.label} has no table partitioning ({traits.partitioning.source})"
        return replace(base, reasons=(why,), rejection=NoReason.ENGINE_CANNOT), None, None, ()
    if size.data_bytes_at_horizon < SMALL_TABLE_BYTES:
        why = (
            f"{format_size(size.data_bytes_at_horizon)} of data at the horizon "
            f"({size.rows_at_horizon:,.0f} rows) is "
            f"under {format_size(SMALL_TABLE_BYTES)}: its indexes stay shallow"
            + (", and deleting expired rows is cheap" if stats.retention_days else "")
            + "; partitioning would add planning work and constraint changes"
        )
        return replace(base, reasons=(why,), rejection=NoReason.SMALL_TABLE), None, None, ()
    row_bytes = size.row_bytes
    facts = traits.partitioning
    candidates: list[tuple[Candidate, PartitionSpace, Table, tuple[tuple[Name, ForeignKey], ...]]] = []
    notes: list[str] = []
    for column in table.columns:
        if (
            not is_time_type(column.type)
            or column.nullable
            or "range" not in traits.features.partition_methods
            or column.type.kind.value in facts.range_list_excluded_types
        ):
            continue
        changes, changed, incoming = _constraint_changes(table, column.name, catalog, traits)
        candidate, space, more = _range_candidate(
            table, column, uses, traits, anchor, size.rows_at_horizon, row_bytes, changes
        )
        notes += more
        candidates.append((candidate, space, changed, incoming))
    if "hash" in traits.features.partition_methods:
        for column in _hash_columns(table, uses):
            if column.type.kind.value in facts.hash_excluded_types:
                continue
            known = list_values(column)
            if (
                known is not None
                and len(known) <= MAX_LIST_VALUES
                and "list" in traits.features.partition_methods
                and column.type.kind.value not in facts.range_list_excluded_types
            ):
                continue  # every value known: a LIST gives each its partition, a HASH piles some together
            count = hash_count(size.data_bytes_at_horizon, traits)
            _, space = hash_layout(column, count)
            changes, changed, incoming = _constraint_changes(table, column.name, catalog, traits)
            candidate = _evaluate(table, space, uses, size.rows_at_horizon / count, row_bytes, changes)
            candidates.append((candidate, space, changed, incoming))
    if "list" in traits.features.partition_methods:
        for column in table.columns:
            values = list_values(column)
            if values is None or len(values) > MAX_LIST_VALUES or column.nullable:
                continue
            if column.type.kind.value in facts.range_list_excluded_types:
                continue
            if not any(p.column.column.key == column.name.key for _, a in uses.items for p in a.predicates):
                continue
            _, space = list_layout(column, values)
            changes, changed, incoming = _constraint_changes(table, column.name, catalog, traits)
            candidate = _evaluate(
                table, space, uses, size.rows_at_horizon / max(len(values), 1), row_bytes, changes
            )
            candidates.append((candidate, space, changed, incoming))
    # Best pruning first; on a tie RANGE (it can drop expired rows), then LIST, then HASH.
    order = {PartitionMethod.RANGE: 0, PartitionMethod.LIST: 1, PartitionMethod.HASH: 2}
    ranked = sorted(
        candidates, key=lambda c: (-round(c[0].pruning_share, 9), order[c[0].layout.method], c[0].key)
    )
    base = replace(base, candidates=tuple(c[0] for c in ranked))
    if not ranked:
        why = "no NOT NULL time column and no column the statements filter by equality"
        return replace(base, reasons=(why,), rejection=NoReason.NO_CANDIDATE), None, None, ()
    sized = f"{size.rows_at_horizon:,.0f} rows ({format_size(size.data_bytes_at_horizon)}) at the horizon" + (
        f", {stats.growth_rows_per_day:,.0f} rows/day" if stats.growth_rows_per_day else ""
    )
    usable = [c for c in ranked if c[0].blocker is None]
    if not usable:
        blocked = ranked[0][0]
        why = f"does not fit the workload: {blocked.blocker}"
        return replace(base, reasons=(sized, why), rejection=NoReason.UPSERT_KEY), None, None, ()
    ranked = usable
    droppers = [c for c in ranked if c[0].drops_expired and c[0].infeasible is None] or [
        c for c in ranked if c[0].drops_expired
    ]
    chosen: tuple[Candidate, PartitionSpace, Table, tuple[tuple[Name, ForeignKey], ...]] | None = None
    reasons: list[str] = [sized]
    if droppers:
        best = droppers[0]
        share = best[0].pruning_share
        if share < MIN_PRUNING_SHARE:
            reasons.append(
                f"{best[0].key} would turn the {stats.retention_days:g}-day retention into dropping "
                "partitions, but "
                f"only {share:.0%} of the table's weighted statements touch at most two partitions (under "
                f"{MIN_PRUNING_SHARE:.0%}): the others would read every one of {best[0].layout.count}"
            )
            return (
                replace(base, reasons=tuple(reasons), rejection=NoReason.TOUCHES_EVERY_PARTITION),
                None,
                None,
                (),
            )
        chosen = best
        deleted = stats.growth_rows_per_day or 0.0
        reasons.append(
            f"retention {stats.retention_days:g} days: expired rows go by dropping a partition each "
            f"{best[0].layout.unit.value if best[0].layout.unit else 'interval'} instead of deleting "
            f"~{deleted:,.0f} rows a day (no dead rows, no index churn, no vacuum debt)"
        )
        others = [c[0] for c in ranked if c[0] is not best[0] and c[0].pruning_share > share + 1e-9]
        if others:
            reasons.append(
                f"{others[0].key} would prune more ({others[0].pruning_share:.0%} against {share:.0%}) "
                "but cannot drop expired rows"
            )
    else:
        best = ranked[0]
        share = best[0].pruning_share
        hot = uses.insert_rate()
        lost = _fk_loss(best[0])
        if (
            hot >= HOT_INSERTS_PER_S
            and best[0].layout.method == PartitionMethod.HASH
            and share >= MIN_PRUNING_SHARE
        ):
            chosen = best
            reasons.append(
                f"{hot:,.0f} inserts/s is a hot write path: {best[0].key} spreads them over "
                f"{best[0].layout.count} partitions and their indexes"
            )
        elif size.data_bytes_at_horizon >= LARGE_TABLE_BYTES and share >= LARGE_TABLE_SHARE and lost == 0:
            chosen = best
            reasons.append(
                f"over {format_size(LARGE_TABLE_BYTES)} at the horizon and {best[0].key} prunes "
                f"{share:.0%} of its "
                f"weighted statements: each partition (~{format_size(best[0].bytes_per_partition)}) is "
                "vacuumed, indexed and copied on its own"
            )
        else:
            blockers: list[str] = []
            code = NoReason.NO_BENEFIT
            if not stats.retention_days:
                blockers.append("no retention to turn into dropping partitions")
            if hot < HOT_INSERTS_PER_S:
                blockers.append(f"{hot:,.0f} inserts/s is no hot write path (under {HOT_INSERTS_PER_S:,.0f})")
            if size.data_bytes_at_horizon < LARGE_TABLE_BYTES:
                blockers.append(f"under {format_size(LARGE_TABLE_BYTES)} at the horizon")
            elif share < LARGE_TABLE_SHARE:
                blockers.append(
                    f"the best key, {best[0].key}, prunes only {share:.0%} of its weighted statements"
                )
                code = NoReason.TOUCHES_EVERY_PARTITION
            elif lost:
                blockers.append(f"{best[0].key} would drop {lost} foreign key(s) on {traits.label}")
                code = NoReason.FOREIGN_KEYS
            reasons.append("does not pay: " + "; ".join(blockers))
            return replace(base, reasons=tuple(reasons), rejection=code), None, None, ()
    assert chosen is not None
    candidate, space, changed, incoming = chosen
    if candidate.infeasible is not None:
        reasons.append(f"closest layout: {candidate.infeasible}")
    reasons += [n for n in notes if n.startswith(candidate.layout.column + ":") or "no interval" in n]
    full = [p for p in candidate.statements if p.within_two < 1.0]
    for p in sorted(full, key=lambda p: (-p.rate, p.statement))[:3]:
        reasons.append(f"{p.statement} ({p.rate:,.2f}/s) touches {p.partitions:,.1f} partitions: {p.reason}")
    partitioning = catalog_partitioning(table, candidate.layout, traits)
    current = table.partitioning
    same = (
        current is not None
        and current.method == partitioning.method
        and [c.key for c in current.columns] == [c.key for c in partitioning.columns]
    )
    verdict = Verdict.KEEP if same else Verdict.PARTITION
    if same:
        reasons.append(
            f"already partitioned by {current.method.value.upper() if current else ''} "
            f"({_names(partitioning.columns)}): "
            "kept; the maintenance plan continues with the advised interval"
        )
    designed = replace(changed, partitioning=partitioning)
    decision = replace(
        base,
        verdict=verdict,
        reasons=tuple(reasons),
        chosen=candidate,
        partitioning=partitioning,
        maintenance=_maintenance(table, candidate.layout, traits),
    )
    return decision, space, designed, incoming


def _maintenance(table: Table, layout: Layout, traits: EngineTraits) -> Maintenance | None:
    if layout.method != PartitionMethod.RANGE or layout.unit is None:
        return None
    column = table.column(layout.column)
    assert column is not None
    retention = table.stats.retention_days if table.stats else None
    rendered = maintenance_sql(table.name, column.type, layout.unit, layout.ahead, retention, traits)
    if rendered is None:
        return None
    notes = [
        f"{layout.ahead} {layout.unit.value}(s) of partitions are kept ahead of the newest row; a row "
        "past the last "
        + (
            "lands in the catch-all partition (split ahead by the same job)"
            if layout.catch_all
            else "partition is refused, so run it daily"
        )
    ]
    partman = partman_sql(table.name, column.name, layout.unit, layout.ahead, retention, traits)
    if partman:
        notes.append(
            "pg_partman alternative: it also creates a DEFAULT partition, which keeps PostgreSQL from "
            "reading partitions in order for ORDER BY ... LIMIT statements without a bound on the key"
        )
    return Maintenance(
        layout.unit,
        layout.ahead,
        retention,
        rendered.setup,
        rendered.run,
        rendered.schedule,
        partman,
        tuple(notes),
    )


def _anchor(catalog: Catalog, today: date | datetime | None) -> datetime:
    newest = [
        t
        for table in catalog.tables
        for c in table.columns
        if is_time_type(c.type) and c.stats is not None and c.stats.maximum is not None
        for t in [parse_instant(c.stats.maximum)]
        if t is not None
    ]
    if newest:
        return max(newest)
    if isinstance(today, datetime):
        return today.astimezone(UTC)
    day = today or datetime.now(UTC).date()
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _workload_pruning(
    statements: tuple[Statement, ...], spaces: Mapping[str, tuple[Table, PartitionSpace]]
) -> tuple[WorkloadPruning, ...]:
    out: list[WorkloadPruning] = []
    for statement in statements:
        parts: list[StatementPruning] = []
        for access in statement.tables:
            found = spaces.get(access.table.key)
            if found is not None:
                table, space = found
                parts.append(statement_pruning(space, statement, access, table))
        if not parts:
            out.append(
                WorkloadPruning(statement.name, statement.rate, 0.0, 1.0, False, "no partitioned table")
            )
            continue
        total = sum(p.partitions for p in parts)
        within = parts[0].within_two if len(parts) == 1 else (1.0 if total <= 2 else 0.0)
        reason = "; ".join(
            f"{a.table}: {p.reason}"
            for a, p in zip([a for a in statement.tables if a.table.key in spaces], parts, strict=False)
        )
        out.append(WorkloadPruning(statement.name, statement.rate, total, within, True, reason))
    return tuple(out)


def _migration(
    current: Catalog, decisions: list[TableDecision], designed: Catalog, traits: EngineTraits
) -> tuple[MigrationPlan | None, str | None]:
    moving = {d.table for d in decisions if d.verdict == Verdict.PARTITION}
    if not moving:
        return None, None
    target = current
    for table in designed.tables:
        if table.name.value in moving:
            target = target.replace_table(table)
    # Foreign keys of other tables the engine's rules drop (to a table now partitioned).
    for t in current.tables:
        other = designed.table(t.name)
        if t.name.value not in moving and other is not None and other.foreign_keys != t.foreign_keys:
            target = target.replace_table(replace(t, foreign_keys=other.foreign_keys))
    sizes = {t.name.value: t.stats for t in current.tables if t.stats is not None}
    try:
        return plan_migration(current, target, traits, sizes=sizes), None
    except DbarchError as exc:
        return None, f"no migration planned: {exc}"


def recommend_partitioning(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    *,
    horizon_days: float,
    engine: EngineName | None = None,
    params: Mapping[str, Mapping[str, object]] | None = None,
    today: date | datetime | None = None,
) -> PartitionAdvice:
    """The partitioning advice for ``traits``' engine (see the module docstring). ``params`` maps a
    statement's name to example values of its parameters; ``today`` is the instant partitions are laid
    out from when no time column has a ``max`` in the brief's statistics."""
    source_engine = engine or traits.engine
    anchor = _anchor(catalog, today)
    bound: list[BoundStatement] = []
    analyzed: list[Statement] = []
    for statement in workload.statements:
        b, s = bind_statement(
            statement, catalog, traits, source_engine, (params or {}).get(statement.name, {}), anchor
        )
        bound.append(b)
        analyzed.append(s)
    decisions: list[TableDecision] = []
    spaces: dict[str, tuple[Table, PartitionSpace]] = {}
    designed = catalog
    by_table: dict[str, list[tuple[Statement, TableAccess]]] = {}
    for s in analyzed:
        for a in s.tables:
            by_table.setdefault(a.table.key, []).append((s, a))
    for table in catalog.tables:
        uses = _Uses(tuple(by_table.get(table.name.key, ())))
        decision, space, changed, incoming = _decide(table, catalog, uses, traits, horizon_days, anchor)
        decisions.append(decision)
        if space is not None and changed is not None and decision.chosen is not None:
            spaces[table.name.key] = (
                changed,
                replace(space, rows_per_partition=decision.chosen.rows_per_partition),
            )
            designed = designed.replace_table(changed)
            for other_name, fk in incoming:
                other = designed.table(other_name)
                if other is not None:
                    designed = designed.replace_table(
                        replace(other, foreign_keys=tuple(f for f in other.foreign_keys if f != fk))
                    )
    notes: list[str] = []
    migration, why = _migration(catalog, decisions, designed, traits)
    if why is not None:
        notes.append(why)
    if any(b.error for b in bound):
        notes += [f"{b.name}: parameters not bound ({b.error})" for b in bound if b.error]
    keys = {
        f"{d.table}.{d.chosen.layout.column}".lower()
        for d in decisions
        if d.chosen is not None and d.verdict != Verdict.NO
    }
    defaults = sorted(
        {
            f"{b.name}.{x.name}"
            for b in bound
            for x in b.bindings
            if x.source == BindingSource.TYPE_DEFAULT and x.column is not None and x.column.lower() in keys
        }
    )
    if defaults:
        notes.append(
            "parameters compared with a partition key got a value of the key's type (no example in the "
            "brief's params, no min/max statistic), so their pruning is a guess: " + ", ".join(defaults)
        )
    return PartitionAdvice(
        engine=str(traits),
        catalog=designed,
        decisions=tuple(decisions),
        statements=_workload_pruning(tuple(analyzed), spaces),
        bound=tuple(bound),
        anchor=anchor,
        migration=migration,
        notes=tuple(notes),
        source="model",
    )
