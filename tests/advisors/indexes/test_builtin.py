"""The built-in cost model: the shape of PostgreSQL's formulas, on a small shop and on TPC-H."""

from __future__ import annotations

import random
import time
from dataclasses import replace

import pytest

from dbarchitect import api
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.candidates import IndexCandidate, generate_candidates
from dbarchitect.advisors.indexes.cost import CostRequest, WhatIfCost
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog, ColumnStats, TableStats
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.workload import Statement, StatementKind

DDL = """
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(200) NOT NULL, country char(2));
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status varchar(20) NOT NULL,
    placed_at timestamptz NOT NULL,
    total numeric(12,2) NOT NULL,
    note text
);
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), amount numeric(12,2));
"""

STATS = {
    "customer_id": ColumnStats(distinct=100_000),
    "status": ColumnStats(
        distinct=7, most_common=(("delivered", 0.9), ("cancelled", 0.05), ("paid", 0.015), ("packed", 0.01))
    ),
    "note": ColumnStats(avg_width=600),
    "order_id": ColumnStats(distinct=1_000_000),
    "email": ColumnStats(distinct=100_000),
}
ROWS = {"customers": 100_000, "orders": 1_000_000, "payments": 1_100_000}
TRAITS = get_traits("postgresql", "15")


def shop() -> Catalog:
    catalog = load_ddl(DDL, EngineName.POSTGRESQL)
    tables = []
    for t in catalog.tables:
        cols = tuple(replace(c, stats=STATS.get(c.name.value)) for c in t.columns)
        tables.append(replace(t, columns=cols, stats=TableStats(rows=ROWS[t.name.value])))
    return replace(catalog, tables=tuple(tables))


CATALOG = shop()


def statement(sql: str) -> Statement:
    workload = build_workload([StatementInput("s", sql, 1.0)], CATALOG, EngineName.POSTGRESQL)
    return workload.statements[0]


def idx(table: str, *cols: str, include: tuple[str, ...] = (), where: str | None = None) -> IndexCandidate:
    return IndexCandidate(
        Name(table), tuple(Name(c) for c in cols), include=tuple(Name(c) for c in include), where=where
    )


def cost(sql: str, *config: IndexCandidate) -> float:
    return BuiltinCostModel(CATALOG, TRAITS).plan_cost(statement(sql), frozenset(config)).cost


# (sql, index, least factor by which the index must cut the statement's cost)
SPEEDUPS = [
    ("SELECT amount FROM payments WHERE order_id = $1", idx("payments", "order_id"), 1000.0),
    ("SELECT id FROM orders ORDER BY placed_at DESC LIMIT 20", idx("orders", "placed_at"), 1000.0),
    (
        "SELECT id FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC LIMIT 20",
        idx("orders", "customer_id", "placed_at"),
        1000.0,
    ),
    (
        "SELECT p.amount FROM orders o JOIN payments p ON p.order_id = o.id WHERE o.id = $1",
        idx("payments", "order_id"),
        100.0,
    ),
    (
        "SELECT id, placed_at FROM orders WHERE status IN ('paid', 'packed') ORDER BY placed_at LIMIT 100",
        idx("orders", "placed_at", where="status IN ('packed', 'paid')"),
        100.0,
    ),
]


@pytest.mark.parametrize(("sql", "index", "factor"), SPEEDUPS, ids=[s[0][:50] for s in SPEEDUPS])
def test_a_fitting_index_cuts_cost_by_orders_of_magnitude(
    sql: str, index: IndexCandidate, factor: float
) -> None:
    model = BuiltinCostModel(CATALOG, TRAITS)
    before = model.plan_cost(statement(sql), frozenset())
    after = model.plan_cost(statement(sql), frozenset({index}))
    assert after.cost * factor <= before.cost, (before, after)
    assert after.used == frozenset({index})
    assert before.used == frozenset()


def test_an_index_that_does_not_fit_changes_nothing() -> None:
    sql = "SELECT amount FROM payments WHERE order_id = $1"
    model = BuiltinCostModel(CATALOG, TRAITS)
    unrelated = idx("payments", "amount")
    before = model.plan_cost(statement(sql), frozenset())
    after = model.plan_cost(statement(sql), frozenset({unrelated}))
    assert after.cost == before.cost
    assert after.used == frozenset()


def test_covering_beats_non_covering_on_a_wide_table() -> None:
    sql = "SELECT total FROM orders WHERE customer_id = $1"
    model = BuiltinCostModel(CATALOG, TRAITS)
    plain = model.plan_cost(statement(sql), frozenset({idx("orders", "customer_id")}))
    covering = model.plan_cost(statement(sql), frozenset({idx("orders", "customer_id", include=("total",))}))
    assert covering.cost < plain.cost
    assert covering.plan is not None and "Index Only Scan" in covering.plan
    assert plain.plan is not None and "Index Only Scan" not in plain.plan


def test_index_only_needs_every_column_read() -> None:
    sql = "SELECT total, note FROM orders WHERE customer_id = $1"
    plan = BuiltinCostModel(CATALOG, TRAITS).plan_cost(
        statement(sql), frozenset({idx("orders", "customer_id", include=("total",))})
    )
    assert plan.plan is not None and "Index Only" not in plan.plan


def test_partial_index_is_smaller_and_used_only_when_implied() -> None:
    model = BuiltinCostModel(CATALOG, TRAITS)
    full = idx("orders", "placed_at")
    partial = idx("orders", "placed_at", where="status IN ('packed', 'paid')")
    assert model.index_size(partial) < 0.1 * model.index_size(full)
    implied = "SELECT id FROM orders WHERE status = 'paid' ORDER BY placed_at LIMIT 10"
    other = "SELECT id FROM orders WHERE status = 'delivered' ORDER BY placed_at LIMIT 10"
    assert model.plan_cost(statement(implied), frozenset({partial})).used == frozenset({partial})
    assert model.plan_cost(statement(other), frozenset({partial})).used == frozenset()


def test_sizes_grow_with_width_and_include() -> None:
    model = BuiltinCostModel(CATALOG, TRAITS)
    one = model.index_size(idx("orders", "customer_id"))
    two = model.index_size(idx("orders", "customer_id", "placed_at"))
    covering = model.index_size(idx("orders", "customer_id", include=("placed_at", "total")))
    assert 0 < one < two < covering
    # About 1M entries of ~20 bytes: tens of megabytes, not kilobytes or gigabytes.
    assert 10e6 < one < 100e6


def test_parent_delete_pays_the_foreign_key_lookup() -> None:
    sql = "DELETE FROM orders WHERE id = $1"
    model = BuiltinCostModel(CATALOG, TRAITS)
    without = model.plan_cost(statement(sql), frozenset()).cost
    with_fk_index = model.plan_cost(statement(sql), frozenset({idx("payments", "order_id")})).cost
    assert with_fk_index * 100 < without


def test_settings_name_the_planner_constants() -> None:
    settings = BuiltinCostModel(CATALOG, TRAITS, settings={"random_page_cost": 1.1}).settings()
    assert settings["random_page_cost"] == "1.1"
    assert settings["seq_page_cost"] == "1"
    with pytest.raises(ValueError, match="unknown"):
        BuiltinCostModel(CATALOG, TRAITS, settings={"work_mem": 1.0})


def test_random_page_cost_moves_the_choice() -> None:
    # A medium-selectivity lookup: cheap random I/O makes the index scan win more.
    sql = "SELECT total FROM orders WHERE status = 'cancelled'"
    index = frozenset({idx("orders", "status")})
    ssd = BuiltinCostModel(CATALOG, TRAITS, settings={"random_page_cost": 1.1})
    disk = BuiltinCostModel(CATALOG, TRAITS)
    gain_ssd = ssd.plan_cost(statement(sql), frozenset()).cost / ssd.plan_cost(statement(sql), index).cost
    gain_disk = disk.plan_cost(statement(sql), frozenset()).cost / disk.plan_cost(statement(sql), index).cost
    assert gain_ssd > gain_disk >= 1.0


@pytest.fixture(scope="module")
def tpch() -> tuple[api.Inspection, tuple[IndexCandidate, ...]]:
    insp = api.inspect_brief("examples/tpch/brief.yaml")
    infos = generate_candidates(insp.workload, insp.catalog, insp.traits)
    return insp, tuple(i.candidate for i in infos)


def test_tpch_an_index_never_increases_a_select_cost(
    tpch: tuple[api.Inspection, tuple[IndexCandidate, ...]],
) -> None:
    insp, candidates = tpch
    model = BuiltinCostModel(insp.catalog, insp.traits)
    rng = random.Random(7)
    for _ in range(300):
        config = frozenset(rng.sample(candidates, rng.randint(0, 12)))
        extra = rng.choice(candidates)
        for s in insp.workload.statements:
            if s.kind != StatementKind.SELECT:
                continue
            base = model.plan_cost(s, config)
            more = model.plan_cost(s, config | {extra})
            assert more.cost <= base.cost * (1 + 1e-12), (s.name, extra.key)
            assert more.used <= config | {extra}


def test_tpch_costs_are_finite_deterministic_and_fall_with_all_candidates(
    tpch: tuple[api.Inspection, tuple[IndexCandidate, ...]],
) -> None:
    insp, candidates = tpch
    first = WhatIfCost(BuiltinCostModel(insp.catalog, insp.traits), insp.workload, insp.catalog)
    second = WhatIfCost(BuiltinCostModel(insp.catalog, insp.traits), insp.workload, insp.catalog)
    everything = frozenset(candidates)
    assert first.statement_costs(everything) == second.statement_costs(everything)
    base = first.query_cost(frozenset())
    best = first.query_cost(everything)
    assert 0 < best < 0.9 * base
    for plan in first.statement_costs(frozenset()).values():
        assert plan.error is None and 0 < plan.cost < 1e9
    # Q6 scans a year of lineitem: a covering index on l_shipdate is the textbook answer.
    q6 = insp.workload.statement("q06_forecasting_revenue_change")
    assert q6 is not None
    covering = next(
        c
        for c in candidates
        if c.key.startswith("lineitem(l_shipdate) INCLUDE (l_discount, l_extendedprice, l_quantity)")
    )
    assert first.cost(q6, {covering}).cost < 0.5 * first.cost(q6, ()).cost


def test_tpch_planning_is_fast(tpch: tuple[api.Inspection, tuple[IndexCandidate, ...]]) -> None:
    insp, candidates = tpch
    model = BuiltinCostModel(insp.catalog, insp.traits)
    rng = random.Random(3)
    requests = [
        CostRequest(s, frozenset(rng.sample(candidates, 20)))
        for _ in range(50)
        for s in insp.workload.statements
    ]
    started = time.perf_counter()
    model.plan_costs(requests)
    # 1100 plans; the model does thousands a second, so this leaves a wide margin for slow machines.
    assert time.perf_counter() - started < 5.0


def test_an_upsert_costs_like_an_insert_not_a_scan() -> None:
    insert = cost("INSERT INTO payments (id, order_id, amount) VALUES (1, 2, 3)")
    upsert = cost(
        "INSERT INTO payments (id, order_id, amount) VALUES (1, 2, 3) "
        "ON CONFLICT (id) DO UPDATE SET amount = excluded.amount"
    )
    assert upsert == pytest.approx(insert)
    assert upsert < 1.0
