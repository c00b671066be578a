"""The pruning model against an independent count: a time window touches the partitions whose
bounds overlap it; an equality one; a hash IN list at most k; an ordered scan under LIMIT the
partitions made ahead plus the newest (hypothesis over windows, intervals and row counts)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect.advisors.partitioning.layout import TimeSpan, hash_layout, range_layout
from dbarchitect.advisors.partitioning.pruning import PartitionSpace, statement_pruning
from dbarchitect.engines.registry import get_traits
from dbarchitect.model.catalog import Column, ColumnStats, Table, TableStats
from dbarchitect.model.intervals import TimeUnit, add_units, floor_to
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind
from dbarchitect.model.workload import (
    ColumnRef,
    OrderKey,
    Predicate,
    PredicateKind,
    Statement,
    StatementKind,
    TableAccess,
)

PG = get_traits("postgresql")
NOW = datetime(2025, 12, 3, 10, tzinfo=UTC)
TS = Column(Name("ts"), LogicalType(TypeKind.TIMESTAMPTZ), nullable=False)
DEV = Column(Name("dev"), LogicalType(TypeKind.BIGINT), nullable=False)
TABLE = Table(Name("t"), (DEV, TS), stats=TableStats(rows=1e9, growth_rows_per_day=1e7, retention_days=90))


def ref(column: str) -> ColumnRef:
    return ColumnRef(Name("t"), Name(column))


def select(predicates: tuple[Predicate, ...], *, limit: int | None = None, order: bool = False) -> Statement:
    access = TableAccess(
        Name("t"), predicates=predicates, order_by=(OrderKey(ref("ts"), descending=True),) if order else ()
    )
    return Statement("s", "SELECT", StatementKind.SELECT, "f", 1.0, (access,), limit=limit)


def space(unit: TimeUnit, *, stops: bool = False) -> PartitionSpace:
    _, s = range_layout(TS, unit, TimeSpan(NOW - timedelta(days=90), NOW, "test"), PG)
    return PartitionSpace(
        s.layout, ranges=s.ranges, anchor=NOW, stops_at_limit=stops, rows_per_partition=1e7 * unit.days
    )


def text(t: datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S+00")


@settings(max_examples=200, deadline=None)
@given(
    unit=st.sampled_from([TimeUnit.DAY, TimeUnit.WEEK, TimeUnit.MONTH]),
    start_h=st.integers(min_value=0, max_value=24 * 100),
    width_h=st.integers(min_value=1, max_value=24 * 40),
)
def test_a_window_touches_exactly_the_partitions_it_overlaps(
    unit: TimeUnit, start_h: int, width_h: int
) -> None:
    sp = space(unit)
    lo = NOW - timedelta(hours=start_h)
    hi = lo + timedelta(hours=width_h)
    preds = (
        Predicate(ref("ts"), PredicateKind.RANGE, ">=", text(lo)),
        Predicate(ref("ts"), PredicateKind.RANGE, "<", text(hi)),
    )
    got = statement_pruning(sp, select(preds), select(preds).tables[0], TABLE)
    # Independent count: walk the calendar from the first partition's nominal start.
    first = floor_to(NOW - timedelta(days=90), unit)
    end = add_units(floor_to(NOW, unit), unit, sp.layout.ahead + 1)
    expected, bound, i = 0, first, 0
    while bound < end:
        nxt = add_units(bound, unit, 1)
        part_lo = None if i == 0 else bound  # the first partition is open below (MINVALUE)
        if (part_lo is None or hi > part_lo) and nxt > lo:
            expected += 1
        bound, i = nxt, i + 1
    assert got.partitions == expected
    assert got.within_two == (1.0 if expected <= 2 else 0.0)
    wider = (preds[0], Predicate(ref("ts"), PredicateKind.RANGE, "<", text(hi + timedelta(days=10))))
    assert statement_pruning(sp, select(wider), select(wider).tables[0], TABLE).partitions >= got.partitions


@given(unit=st.sampled_from(list(TimeUnit)), hours=st.integers(min_value=-24 * 80, max_value=24 * 6))
def test_an_equality_touches_one_partition(unit: TimeUnit, hours: int) -> None:
    sp = space(unit)
    value = NOW + timedelta(hours=hours)
    pred = (Predicate(ref("ts"), PredicateKind.EQ, "=", text(value)),)
    # Past the partitions made ahead no partition holds it: the plan reads none (an INSERT would fail).
    end = add_units(floor_to(NOW, unit), unit, sp.layout.ahead + 1)
    expected = 1.0 if value < end else 0.0
    assert statement_pruning(sp, select(pred), select(pred).tables[0], TABLE).partitions == expected


@given(n=st.sampled_from([2, 4, 8, 16, 32]), k=st.integers(min_value=1, max_value=40))
def test_a_hash_in_list_touches_at_most_k_partitions(n: int, k: int) -> None:
    _, sp = hash_layout(DEV, n)
    values = tuple(str(v) for v in range(k))
    pred = (Predicate(ref("dev"), PredicateKind.IN, "IN", None, k, values),)
    got = statement_pruning(sp, select(pred), select(pred).tables[0], TABLE)
    assert 1.0 <= got.partitions <= min(k, n) + 1e-9
    no_key = select(())
    assert statement_pruning(sp, no_key, no_key.tables[0], TABLE).partitions == n


@given(distinct=st.integers(min_value=1, max_value=10**8), limit=st.integers(min_value=1, max_value=500))
def test_an_ordered_scan_under_limit_reads_the_empty_partitions_ahead_then_the_newest(
    distinct: int, limit: int
) -> None:
    dev = Column(
        Name("dev"), LogicalType(TypeKind.BIGINT), nullable=False, stats=ColumnStats(distinct=distinct)
    )
    table = Table(Name("t"), (dev, TS), stats=TABLE.stats)
    sp = space(TimeUnit.WEEK, stops=True)
    stmt = select((Predicate(ref("dev"), PredicateKind.EQ, "=", "7"),), limit=limit, order=True)
    got = statement_pruning(sp, stmt, stmt.tables[0], table)
    m = 1e7 * 7 / distinct
    assert got.partitions >= 2.0  # one empty partition made ahead, then the newest
    if m >= limit:
        assert abs(got.within_two - (1 - limit / m)) < 1e-9
    else:
        assert got.within_two == 0.0
    # An engine whose scans do not stop reads every partition.
    assert statement_pruning(space(TimeUnit.WEEK), stmt, stmt.tables[0], table).partitions == sp.count
