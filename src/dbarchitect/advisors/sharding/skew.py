"""How evenly a layout spreads data and load over the shards, from the brief's statistics.

For a table distributed by a column with ``V`` distinct values over ``S`` shards (hash placement):

- each hot value (the brief's ``hot_values``, frequency ``f``) lands whole on one shard: the
  hottest puts at least ``f1 + (1 - sum f) / S`` of the rows on its shard;
- the other ``V'`` values spread like balls into bins: each shard's count is Binomial(V', 1/S),
  and the fullest of ``S`` shards holds ``E[max] = sum_k (1 - F(k)^S)`` of them (``F`` the
  binomial distribution function; shards taken as independent, as in Raab & Steger's "Balls into
  Bins", 1998) — a thousand values over 32 shards: the fullest holds ~44 where 31 would be even.

The **data skew** is the fullest shard's share times ``S`` (1.0 is even); ``V`` comes from the
column's distinct count, a unique column's row count, or the table it references. Without ``V`` the
balls-into-bins term is left out (and said). The **load skew** assumes that a statement pinning the
key picks values as often as they occur in the data (hot values are hot in both): pinned
executions load the shards like the data does, executions that fan out load every shard evenly. A
hot value whose writes alone exceed one node's write rate is named: no shard count fixes that.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

from dbarchitect.advisors.sharding.layout import Layout
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.names import Name


@dataclass(frozen=True)
class Distinct:
    values: float | None
    source: str


def distinct_values(catalog: Catalog, table: Table, column: Name, depth: int = 0) -> Distinct:
    """Distinct values of ``table.column``: its statistic, a unique column's row count, or the
    distinct values of the column it references."""
    col = table.column(column)
    if col is None:
        return Distinct(None, "unknown column")
    if col.stats is not None and col.stats.distinct:
        return Distinct(col.stats.distinct, f"statistics of {table.name}.{column}")
    alone = [table.primary_key.columns] if table.primary_key else []
    alone += [u.columns for u in table.uniques]
    rows = table.stats.rows if table.stats is not None else None
    if rows and any(len(k) == 1 and k[0].matches(column) for k in alone):
        return Distinct(rows, f"{table.name}.{column} is unique ({rows:,.0f} rows)")
    if depth < 4:
        for fk in table.foreign_keys:
            for mine, theirs in zip(fk.columns, fk.ref_columns, strict=False):
                parent = catalog.table(fk.ref_table)
                if mine.matches(column) and parent is not None:
                    found = distinct_values(catalog, parent, theirs, depth + 1)
                    if found.values is not None:
                        return Distinct(found.values, found.source + f", referenced by {table.name}.{column}")
    return Distinct(None, f"no distinct count for {table.name}.{column}")


@functools.lru_cache(maxsize=4096)
def expected_fullest(values: float, shards: int) -> float:
    """Expected count of the fullest of ``shards`` bins after hashing ``values`` distinct values."""
    if shards <= 1:
        return values
    n, p = values, 1.0 / shards
    mean, sd = n * p, math.sqrt(n * p * (1.0 - p))
    top = int(mean + 12.0 * sd + 2.0)
    start = max(0, int(mean - 12.0 * sd))  # below it F(k) is 0: each k adds 1
    expected, cdf = float(start), 0.0
    exact = n <= 1e6 and float(n).is_integer()
    for k in range(start, min(top, int(n)) + 1):
        if exact:
            log_pmf = (
                math.lgamma(n + 1)
                - math.lgamma(k + 1)
                - math.lgamma(n - k + 1)
                + k * math.log(p)
                + (n - k) * math.log1p(-p)
            )
            cdf += math.exp(log_pmf)
        else:
            cdf = 0.5 * (1.0 + math.erf((k + 0.5 - mean) / (sd * math.sqrt(2.0))))
        expected += 1.0 - min(1.0, cdf) ** shards
    return expected


@dataclass(frozen=True)
class TableSkew:
    table: str
    column: str
    distinct: float | None
    distinct_source: str
    #: The hottest value and its frequency, when the brief gives hot values.
    hottest: tuple[str, float] | None
    #: Fullest shard's share of the rows times the shard count (1.0 is even).
    data_skew: float
    detail: str


def table_skew(catalog: Catalog, table: Table, column: Name, shards: int) -> TableSkew:
    """Data skew of ``table`` distributed by ``column`` over ``shards`` (see the module docstring)."""
    found = distinct_values(catalog, table, column)
    col = table.column(column)
    hot = col.stats.most_common if col is not None and col.stats is not None else ()
    hottest = max(hot, key=lambda kv: (kv[1], kv[0])) if hot else None
    rest = max(0.0, 1.0 - sum(f for _, f in hot))
    shares: list[float] = [1.0 / shards]
    notes: list[str] = []
    if hottest is not None:
        shares.append(hottest[1] + rest / shards)
        notes.append(f"hot value {hottest[0]!r} holds {hottest[1]:.1%} of the rows")
    if found.values is not None and rest > 0:
        others = max(1.0, found.values - len(hot))
        fullest = max(1.0, min(others, expected_fullest(others, shards)))
        shares.append(rest * fullest / others)
        notes.append(f"{found.values:,.0f} values over {shards} shards: the fullest holds ~{fullest:.0f}")
    elif found.values is None:
        notes.append("distinct count unknown: the spread of ordinary values is not estimated")
    skew = max(shares) * shards
    if found.values is not None and found.values < shards:
        notes.append(f"only {found.values:,.0f} values for {shards} shards: some shards stay empty")
    return TableSkew(
        table.name.value,
        column.value,
        found.values,
        found.source,
        hottest,
        skew,
        "; ".join(notes),
    )


@dataclass(frozen=True)
class GroupLoad:
    group: str
    #: Executions per second that reach the group's tables pinned to one key, and that fan out.
    pinned_rate: float
    fanout_rate: float
    load_skew: float
    data_skew: float
    hot_writes: str | None = None


def layout_skews(catalog: Catalog, layout: Layout) -> tuple[TableSkew, ...]:
    out: list[TableSkew] = []
    for p in layout.placements:
        table = catalog.table(p.table)
        if table is None or not p.distributed or len(p.columns) != 1:
            continue
        out.append(table_skew(catalog, table, p.columns[0], layout.shard_count))
    return tuple(out)


def group_loads(
    layout: Layout,
    skews: tuple[TableSkew, ...],
    pinned: dict[str, float],
    fanout: dict[str, float],
    writes: dict[str, float],
    node_write_rate: float,
) -> tuple[GroupLoad, ...]:
    """Load skew per co-location group: ``pinned`` / ``fanout`` / ``writes`` are executions per
    second by table (see the module docstring)."""
    by_table = {s.table.lower(): s for s in skews}
    groups: dict[str, list[str]] = {}
    for p in layout.placements:
        if p.distributed:
            groups.setdefault(p.group or p.table.value, []).append(p.table.value)
    out: list[GroupLoad] = []
    for group, tables in groups.items():
        pin = sum(pinned.get(t.lower(), 0.0) for t in tables)
        fan = sum(fanout.get(t.lower(), 0.0) for t in tables)
        weighted = [
            (pinned.get(t.lower(), 0.0), by_table[t.lower()].data_skew)
            for t in tables
            if t.lower() in by_table
        ]
        total = sum(w for w, _ in weighted)
        key_skew = sum(w * s for w, s in weighted) / total if total > 0 else 1.0
        load = (pin * key_skew + fan) / (pin + fan) if pin + fan > 0 else 1.0
        data = max((by_table[t.lower()].data_skew for t in tables if t.lower() in by_table), default=1.0)
        hot_writes = None
        for t in tables:
            skew = by_table.get(t.lower())
            rate = writes.get(t.lower(), 0.0)
            if skew is not None and skew.hottest is not None and rate * skew.hottest[1] > node_write_rate:
                hot_writes = (
                    f"{t}.{skew.column} = {skew.hottest[0]!r} takes {rate * skew.hottest[1]:,.0f} writes/s, "
                    f"more than one node's {node_write_rate:,.0f}/s: one value cannot be split over shards"
                )
        out.append(GroupLoad(group, pin, fan, load, data, hot_writes))
    return tuple(out)
