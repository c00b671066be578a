"""TPC-C at 1,000 warehouses: the advisor picks the warehouse id for every warehouse-keyed table and
makes item a reference table; distributed transactions against the baselines, analytic and
simulated."""

from __future__ import annotations

import pytest

from dbarchitect import api
from dbarchitect.advisors.sharding.advisor import ShardingAdvice
from dbarchitect.advisors.sharding.citus import ChangeKind
from dbarchitect.advisors.sharding.layout import PlacementKind
from tests.advisors.sharding.helpers import TPCC

WAREHOUSE_KEYS = {
    "warehouse": "w_id",
    "district": "d_w_id",
    "customer": "c_w_id",
    "orders": "o_w_id",
    "new_order": "no_w_id",
    "stock": "s_w_id",
    "order_line": "ol_w_id",
}


@pytest.fixture(scope="module")
def advice() -> ShardingAdvice:
    return api.advise_sharding(TPCC, simulate_executions=6000, seed=7)


def test_one_node_is_not_enough(advice: ShardingAdvice) -> None:
    cap = advice.capacity
    assert not cap.one_node_enough
    assert cap.storage.exceeded and cap.storage.nodes == 3  # 2.3 TB at the horizon, 1 TB nodes
    assert cap.write_rate.exceeded and cap.write_rate.nodes == 2  # ~6,500 writes/s, 5,000/s nodes
    assert not cap.working_set.exceeded
    assert cap.nodes == 3 and advice.shard_count == 32
    assert "one node is not enough (3 nodes)" in cap.verdict()


def test_warehouse_key_and_item_reference(advice: ShardingAdvice) -> None:
    plans = {t.table: t for t in advice.tables}
    for table, column in WAREHOUSE_KEYS.items():
        assert plans[table].kind == PlacementKind.DISTRIBUTED
        assert plans[table].column == column, table
    assert plans["history"].column in ("h_w_id", "h_c_w_id")
    assert plans["item"].kind == PlacementKind.REFERENCE
    # one co-location group holds every distributed table
    assert len(advice.groups) == 1 and len(advice.groups[0].tables) == 8
    assert advice.groups[0].column_type == "integer"


def test_distributed_transactions_against_baselines(advice: ShardingAdvice) -> None:
    chosen = advice.chosen.distributed_transactions
    # 45% new-order x (1 - E[(0.99 + 0.01/32)^n], n in 5..15) + 43% payment x 0.15 (1 - 1/32)
    expected_new_order = 1 - sum((0.99 + 0.01 / 32) ** n for n in range(5, 16)) / 11
    expected = (12860 * expected_new_order + 12289 * 0.15 * (1 - 1 / 32)) / (12860 + 12289 + 3 * 1143)
    assert chosen == pytest.approx(expected, rel=1e-9)
    units = {f.unit: f for f in advice.chosen.footprints}
    assert units["new_order"].distributed == pytest.approx(expected_new_order)
    assert units["order_status"].single_shard == units["delivery"].single_shard == 1.0
    assert units["stock_level"].single_shard == 1.0
    baselines = {b.name: b for b in advice.baselines}
    assert baselines["hash by primary key"].distributed_transactions > 0.99
    assert baselines["no reference tables"].distributed_transactions > 0.5  # item hashed: every new-order
    assert baselines["first primary-key column"].distributed_transactions > 0.8
    assert advice.chosen.single_shard_statements == 1.0


def test_simulation_counts_what_the_model_computes(advice: ShardingAdvice) -> None:
    assert advice.simulation is not None
    simulated = advice.simulation.distributed_fraction("transaction")
    # 6,000 executions: the standard error is ~0.4 points
    assert simulated == pytest.approx(advice.chosen.distributed_transactions, abs=0.015)
    counted = {u.unit: u for u in advice.simulation.units}
    assert counted["order_status"].distributed == counted["delivery"].distributed == 0


def test_citus_plan(advice: ShardingAdvice) -> None:
    sql = advice.citus_sql
    assert "SELECT create_reference_table('item');" in sql
    assert (
        "SELECT create_distributed_table('warehouse', 'w_id', colocate_with => 'none', shard_count => 32);"
        in sql
    )
    assert "SELECT create_distributed_table('order_line', 'ol_w_id', colocate_with => 'warehouse');" in sql
    assert sql.index("create_reference_table('item')") < sql.index("create_distributed_table('stock'")
    dropped = {(c.table, c.what) for c in advice.citus_changes if c.kind == ChangeKind.DROP_FOREIGN_KEY}
    assert ("order_line", "(ol_supply_w_id, ol_i_id) -> stock(s_w_id, s_i_id)") in dropped
    assert len(dropped) == 2  # and one of history's two foreign keys (to customer or to district)
    assert not [c for c in advice.citus_changes if c.kind != ChangeKind.DROP_FOREIGN_KEY]
    assert advice.runnable_on == "citus"


def test_vitess_plan(advice: ShardingAdvice) -> None:
    assert advice.vschema_problems == ()
    assert advice.vitess_shards == ("-40", "40-80", "80-c0", "c0-")
    assert '"source": "tpcc_reference.item"' in advice.vschema
