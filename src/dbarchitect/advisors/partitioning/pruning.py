"""The pruning model: how many partitions of a table one statement touches under a partitioning.

What the planner decides from a statement's predicates on the partition key, with its values bound
(:mod:`dbarchitect.advisors.partitioning.binding`), and what the executor reads:

- an ``INSERT ... VALUES`` (or upsert) row goes to one partition (tuple routing);
- RANGE: an equality touches the partition holding the value; an IN list the partitions holding
  its values; ``<``, ``<=``, ``>``, ``>=`` and BETWEEN the partitions overlapping the range (open
  ends reach the first or the last partition, the ones made ahead included);
- HASH: an equality touches one partition, an IN list of k values n(1 - (1 - 1/n)^k) on average;
  ranges every partition;
- LIST: an equality or IN list touches the partitions listing its values (or the default);
- no usable predicate on the key (an expression, an unbound parameter, only a join): every
  partition. Run-time pruning through a nested-loop join is not counted.
- An ordered scan that stops at its LIMIT (PostgreSQL 12+ ``ordered Append``: the statement orders
  by the RANGE key, has a LIMIT, reads one table, and no GROUP BY) reads partitions in bound order
  and stops once the LIMIT is met. With m rows of the statement per partition (rows per partition x
  the selectivity of its equality predicates, 1/distinct each) and the newest partition filled a
  uniform fraction u of the way, a descending scan reads the empty partitions made ahead, then the
  newest one, and one more when u x m < LIMIT (probability LIMIT/m). A statement on an engine whose
  scans do not stop (MySQL merges every partition's first rows) touches every partition left after
  pruning.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dbarchitect.advisors.partitioning.model import Layout, StatementPruning
from dbarchitect.model.catalog import PartitionMethod, Table
from dbarchitect.model.intervals import parse_instant
from dbarchitect.model.workload import PredicateKind, Statement, StatementKind, TableAccess


@dataclass(frozen=True)
class RangePart:
    """One RANGE partition: ``lo`` inclusive, ``hi`` exclusive; None is unbounded (MINVALUE/MAXVALUE)."""

    lo: datetime | None
    hi: datetime | None

    def holds(self, t: datetime) -> bool:
        return (self.lo is None or self.lo <= t) and (self.hi is None or t < self.hi)


@dataclass(frozen=True)
class PartitionSpace:
    """A candidate's concrete partitions and what the model needs about them."""

    layout: Layout
    ranges: tuple[RangePart, ...] = ()
    lists: tuple[tuple[str, ...], ...] = ()
    has_default: bool = False
    rows_per_partition: float = 0.0
    anchor: datetime | None = None
    stops_at_limit: bool = False

    @property
    def count(self) -> int:
        if self.layout.method == PartitionMethod.RANGE:
            return len(self.ranges)
        if self.layout.method == PartitionMethod.LIST:
            return len(self.lists) + (1 if self.has_default else 0)
        return self.layout.count


def _key_predicates(
    access: TableAccess, key: str
) -> list[tuple[PredicateKind, str, str | None, tuple[str, ...]]]:
    return [
        (p.kind, p.operator, p.value, p.in_values) for p in access.predicates if p.column.column.key == key
    ]


def _bounds(
    predicates: list[tuple[PredicateKind, str, str | None, tuple[str, ...]]],
) -> tuple[datetime | None, bool, datetime | None, bool, list[datetime], str | None]:
    """(lower, lower inclusive, upper, upper inclusive, equal values, why unknown) of RANGE/EQ/IN
    predicates on a time key."""
    lo: datetime | None = None
    lo_inc = True
    hi: datetime | None = None
    hi_inc = True
    equal: list[datetime] = []
    for kind, operator, value, in_values in predicates:
        if kind == PredicateKind.EQ:
            t = parse_instant(value) if value is not None else None
            if t is None:
                return None, True, None, True, [], f"= {value or 'an expression'}"
            equal.append(t)
        elif kind == PredicateKind.IN:
            times = [parse_instant(v) for v in in_values]
            if not in_values or any(t is None for t in times):
                return None, True, None, True, [], "IN with values that are not literals"
            equal.extend(t for t in times if t is not None)
        elif kind == PredicateKind.RANGE:
            if value is None or value == "?" or operator.upper() == "OR":
                return None, True, None, True, [], f"{operator} {value or 'an expression'}"
            if operator.upper() == "BETWEEN":
                low_text, _, high_text = value.partition(" AND ")
                low, high = parse_instant(low_text), parse_instant(high_text)
                if low is None or high is None:
                    return None, True, None, True, [], f"BETWEEN {value}"
                if lo is None or low > lo:
                    lo, lo_inc = low, True
                if hi is None or high < hi:
                    hi, hi_inc = high, True
                continue
            t = parse_instant(value)
            if t is None:
                return None, True, None, True, [], f"{operator} {value}"
            if operator in (">", ">=") and (lo is None or t > lo or (t == lo and operator == ">")):
                lo, lo_inc = t, operator == ">="
            elif operator in ("<", "<=") and (hi is None or t < hi or (t == hi and operator == "<")):
                hi, hi_inc = t, operator == "<="
    return lo, lo_inc, hi, hi_inc, equal, None


def _overlaps(part: RangePart, lo: datetime | None, hi: datetime | None, hi_inc: bool) -> bool:
    if lo is not None and part.hi is not None and part.hi <= lo:
        return False
    if hi is not None and part.lo is not None:
        return hi > part.lo or (hi_inc and hi == part.lo)
    return True


def _fmt(t: datetime | None) -> str:
    return "-" if t is None else t.strftime("%Y-%m-%d %H:%M")


def _selectivity(access: TableAccess, table: Table, key: str) -> tuple[float | None, str]:
    """Share of a partition's rows the statement's other predicates keep (1/distinct per equality)."""
    sel = 1.0
    parts: list[str] = []
    for p in access.predicates:
        if p.column.column.key == key or p.kind not in (PredicateKind.EQ, PredicateKind.IN):
            continue
        column = table.column(p.column.column)
        distinct = column.stats.distinct if column is not None and column.stats is not None else None
        if (
            distinct is None
            and table.primary_key is not None
            and [c.key for c in table.primary_key.columns] == [p.column.column.key]
        ):
            distinct = table.stats.rows if table.stats is not None else None
        if not distinct:
            return None, f"no distinct count for {p.column.column}"
        share = min(1.0, (p.values if p.kind == PredicateKind.IN else 1) / distinct)
        sel *= share
        parts.append(f"{p.column.column} 1/{distinct:,.0f}")
    return sel, ", ".join(parts)


def _ordered_scan(
    space: PartitionSpace,
    statement: Statement,
    access: TableAccess,
    table: Table,
    candidates: list[RangePart],
) -> StatementPruning | None:
    """The partitions an ordered scan that stops at its LIMIT reads (None: not such a scan)."""
    key = space.layout.column.lower()
    if (
        not space.stops_at_limit
        or statement.limit is None
        or not access.order_by
        or access.order_by[0].column.column.key != key
        or access.group_by
        or len(statement.tables) != 1
        or not candidates
    ):
        return None
    descending = access.order_by[0].descending
    sel, how = _selectivity(access, table, key)
    if sel is None or space.rows_per_partition <= 0 or space.anchor is None:
        return StatementPruning(
            statement.name,
            statement.rate,
            float(len(candidates)),
            1.0 if len(candidates) <= 2 else 0.0,
            f"ordered scan by {space.layout.column} under LIMIT {statement.limit}, but "
            f"{how or 'no row count'}: "
            f"counted as all {len(candidates)} partitions",
        )
    m = space.rows_per_partition * sel
    limit = float(statement.limit)
    order = list(reversed(candidates)) if descending else list(candidates)
    anchor = space.anchor
    empty = 0
    for part in order:
        if part.lo is not None and part.lo > anchor:
            empty += 1
        else:
            break
    if not descending:
        empty = 0
    spill = min(1.0, limit / m) if m > 0 else 1.0
    reads = min(float(len(order)), empty + 1 + spill)
    if empty >= 2:
        within = 0.0
    elif empty == 1:
        within = max(0.0, 1.0 - spill)
    else:
        within = 1.0 if m >= limit else max(0.0, min(1.0, 2.0 - limit / m))
    ahead = f"{empty} empty partition(s) made ahead, then " if empty else ""
    return StatementPruning(
        statement.name,
        statement.rate,
        reads,
        within,
        f"ordered scan by {space.layout.column}{' DESC' if descending else ''} under LIMIT {statement.limit} "
        f"stops at the LIMIT: ~{m:,.0f} matching rows per partition ({how or 'no filter'}), so it reads "
        f"{ahead}the {'newest' if descending else 'oldest'} partition, one more in {spill:.2%} of executions "
        f"(planner lists {len(candidates)})",
    )


def statement_pruning(
    space: PartitionSpace, statement: Statement, access: TableAccess, table: Table
) -> StatementPruning:
    """Partitions of ``table`` the statement touches under ``space`` (see module docstring)."""
    n = space.count
    name, rate = statement.name, statement.rate
    layout = space.layout
    key = layout.column.lower()

    def every(why: str) -> StatementPruning:
        return StatementPruning(name, rate, float(n), 1.0 if n <= 2 else 0.0, f"{why}: all {n} partitions")

    if access.is_write_target and statement.kind in (StatementKind.INSERT, StatementKind.UPSERT):
        if not any(a.table != access.table for a in statement.tables):
            return StatementPruning(name, rate, 1.0, 1.0, "INSERT ... VALUES: each row goes to one partition")
        return every("INSERT ... SELECT: rows go to any partition")
    predicates = _key_predicates(access, key)
    if layout.method == PartitionMethod.HASH:
        eq = [p for p in predicates if p[0] == PredicateKind.EQ and p[2] not in (None, "?")]
        ins = [p for p in predicates if p[0] == PredicateKind.IN and p[3]]
        if eq:
            return StatementPruning(name, rate, 1.0, 1.0, f"{layout.column} = {eq[0][2]}: one partition")
        if ins:
            k = len(ins[0][3])
            expected = n * (1.0 - (1.0 - 1.0 / n) ** k)
            within = 1.0 if k <= 2 else 0.0
            return StatementPruning(
                name, rate, expected, within, f"{layout.column} IN ({k} values): ~{expected:.1f} partitions"
            )
        return every(f"no equality on {layout.column}")
    if layout.method == PartitionMethod.LIST:
        values: list[str] = []
        for kind, _, value, in_values in predicates:
            if kind == PredicateKind.EQ and value not in (None, "?"):
                values.append(str(value))
            elif kind == PredicateKind.IN and in_values:
                values.extend(in_values)
        if not values:
            return every(f"no equality on {layout.column}")
        hit = {i for i, listed in enumerate(space.lists) for v in values if v in listed}
        default = any(all(v not in listed for listed in space.lists) for v in values)
        count = len(hit) + (1 if default and space.has_default else 0)
        return StatementPruning(
            name, rate, float(count), 1.0 if count <= 2 else 0.0, f"{layout.column} in {len(values)} value(s)"
        )
    if not predicates:
        candidates = list(space.ranges)
        scan = _ordered_scan(space, statement, access, table, candidates)
        return scan if scan is not None else every(f"no predicate on {layout.column}")
    lo, _lo_inc, hi, hi_inc, equal, unknown = _bounds(predicates)
    if unknown is not None:
        return every(f"{layout.column} {unknown} is not a value the plan can prune with")
    if equal:
        hit = {i for i, part in enumerate(space.ranges) for t in equal if part.holds(t)}
        count = len(hit)
        return StatementPruning(
            name, rate, float(count), 1.0 if count <= 2 else 0.0, f"{layout.column} = {len(equal)} value(s)"
        )
    candidates = [part for part in space.ranges if _overlaps(part, lo, hi, hi_inc)]
    scan = _ordered_scan(space, statement, access, table, candidates)
    if scan is not None and len(candidates) > 2:
        return scan
    count = len(candidates)
    return StatementPruning(
        name,
        rate,
        float(count),
        1.0 if count <= 2 else 0.0,
        f"{layout.column} from {_fmt(lo)} to {_fmt(hi)}: {count} of {n} partitions",
    )


__all__ = ["PartitionSpace", "RangePart", "statement_pruning"]
