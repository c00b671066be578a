"""The built-in model's joins, from a new user's marketplace brief: a chain of nested loops probes each
table once per row that reaches it, and a join column without statistics finds per value what the
planner's ``eqjoinsel`` says (one over the larger distinct count of the two sides), not its 0.5%."""

from __future__ import annotations

import re
from dataclasses import replace

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog, ColumnStats, TableStats
from dbarchitect.model.names import EngineName, Name

DDL = """
CREATE TABLE sellers (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE listings (
    id bigint PRIMARY KEY,
    seller_id bigint NOT NULL REFERENCES sellers (id),
    status text NOT NULL,
    title text NOT NULL
);
CREATE INDEX listings_seller_idx ON listings (seller_id);
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    buyer_id bigint NOT NULL,
    listing_id bigint NOT NULL REFERENCES listings (id),
    placed_at timestamptz NOT NULL,
    total_cents integer NOT NULL
);
CREATE TABLE favorites (buyer_id bigint NOT NULL, listing_id bigint NOT NULL, PRIMARY KEY (buyer_id, listing_id));
"""
ROWS = {"sellers": 300_000, "listings": 40_000_000, "orders": 120_000_000, "favorites": 500_000_000}
#: What the brief says of listings; nothing of favorites.listing_id (not a declared foreign key).
STATS = {
    ("listings", "seller_id"): ColumnStats(distinct=300_000),
    ("listings", "status"): ColumnStats(distinct=4),
}
TRAITS = get_traits("postgresql", "15")


def catalog() -> Catalog:
    loaded = load_ddl(DDL, EngineName.POSTGRESQL)
    tables = tuple(
        replace(
            t,
            stats=TableStats(rows=ROWS[t.name.value]),
            columns=tuple(replace(c, stats=STATS.get((t.name.value, c.name.value))) for c in t.columns),
        )
        for t in loaded.tables
    )
    return replace(loaded, tables=tables)


CATALOG = catalog()


def plan(sql: str, *config: IndexCandidate) -> tuple[float, str]:
    statement = build_workload([StatementInput("s", sql, 1.0)], CATALOG, EngineName.POSTGRESQL).statements[0]
    result = BuiltinCostModel(CATALOG, TRAITS).plan_cost(statement, frozenset(config))
    return result.cost, result.plan or ""


def idx(table: str, *cols: str) -> IndexCandidate:
    return IndexCandidate(Name(table), tuple(Name(c) for c in cols))


def loops(text: str, table: str) -> float:
    found = re.search(rf"on {table} \(nested loop inner, (\d+) loops\)", text)
    assert found is not None, text
    return float(found.group(1))


BUYER = idx("orders", "buyer_id", "placed_at")


def test_a_chain_of_nested_loops_probes_each_table_once_per_row_reaching_it() -> None:
    # orders (buyer_id = ?) -> listings by its key -> sellers by its key: each order meets one listing,
    # so sellers is probed as often as listings, not once per listing of the table (40M).
    three, text = plan(
        "SELECT o.id, l.title, s.name FROM orders o JOIN listings l ON l.id = o.listing_id "
        "JOIN sellers s ON s.id = l.seller_id WHERE o.buyer_id = $1 ORDER BY o.placed_at DESC LIMIT 20",
        BUYER,
    )
    assert loops(text, "sellers") == loops(text, "listings") < ROWS["listings"]
    two, _ = plan(
        "SELECT o.id, l.title FROM orders o JOIN listings l ON l.id = o.listing_id "
        "WHERE o.buyer_id = $1 ORDER BY o.placed_at DESC LIMIT 20",
        BUYER,
    )
    # One more primary-key probe per row of the page: well under twice the two-table cost (was 26x).
    assert three < 2 * two


def test_a_join_column_without_statistics_finds_one_value_of_the_unique_side() -> None:
    # favorites.listing_id has no statistics; listings.id is unique over 40M rows, so one listing
    # finds 500M / 40M = 12.5 favorites, as the planner's eqjoinsel says, not 0.5% (2.5M) of them.
    sql = (
        "SELECT l.id FROM listings l WHERE l.status = 'active' AND l.seller_id = $1 "
        "AND NOT EXISTS (SELECT 1 FROM favorites f WHERE f.listing_id = l.id)"
    )
    without, _ = plan(sql)
    with_index, text = plan(sql, idx("favorites", "listing_id"))
    assert "favorites(listing_id) on favorites (nested loop inner" in text
    assert with_index < without / 1000
    # The same column compared with a parameter keeps the planner's default: nothing says how many
    # favorites a listing has but the join.
    alone, _ = plan("SELECT count(*) FROM favorites WHERE listing_id = $1", idx("favorites", "listing_id"))
    assert alone > with_index


def test_an_equality_priced_at_the_planner_default_is_said_with_what_to_give() -> None:
    """favorites.listing_id has no distinct count: the plan (which the slo-latency finding quotes) says
    its 0.5% per value is the planner's default and names the brief's field that would replace it."""
    _, text = plan("SELECT count(*) FROM favorites WHERE listing_id = $1")
    assert (
        "rows of favorites by listing_id = ? at the planner's default (0.5% of the rows per value): the "
        "brief gives no distinct count for favorites.listing_id (tables.favorites.columns.listing_id.distinct)"
    ) in text
    # A column the brief counts (listings.seller_id) or a unique one (listings.id) is not a default.
    for sql in ("SELECT id FROM listings WHERE seller_id = $1", "SELECT title FROM listings WHERE id = $1"):
        assert "planner's default" not in plan(sql)[1]
