"""The brief's transactions become model transactions: statements analyzed under their own names,
parameters resolved (shared, related by ``equals``, per iteration or per transaction)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect.api import inspect_brief
from dbarchitect.brief import loads_brief
from dbarchitect.errors import BriefError
from dbarchitect.ingest.sources import load_catalog, load_workload

TPCC = Path(__file__).parents[2] / "examples" / "tpcc" / "brief.yaml"


def test_tpcc_transactions() -> None:
    workload = inspect_brief(TPCC).workload
    by_name = {t.name: t for t in workload.transactions}
    assert list(by_name) == ["new_order", "payment", "order_status", "delivery", "stock_level"]
    new_order = by_name["new_order"]
    assert new_order.rate == pytest.approx(12860 / 60)
    loop = new_order.steps[-1]
    assert (loop.repeat_min, loop.repeat_max) == (5, 15)
    assert [s.name for s in loop.statements] == [
        "no_get_item",
        "no_get_stock",
        "no_update_stock",
        "no_insert_order_line",
    ]
    supply = new_order.parameter("supply_w_id")
    assert supply is not None and supply.per_iteration  # only the order-line loop uses it
    assert (supply.equals, supply.probability) == ("w_id", 0.99)
    w_id = new_order.parameter("w_id")
    assert w_id is not None and not w_id.per_iteration  # also used outside the loop
    item = new_order.parameter("i_id")
    assert item is not None and item.per_iteration
    delivery_w = by_name["delivery"].parameter("w_id")
    assert delivery_w is not None and not delivery_w.per_iteration  # declared per: transaction
    delivery_o = by_name["delivery"].parameter("o_id")
    assert delivery_o is not None and delivery_o.per_iteration
    # the statements' rates add up the transactions' executions
    rates = {s.name: s.rate for s in workload.statements}
    assert rates["no_get_item"] == pytest.approx(12860 / 60 * 10)
    assert rates["pay_customers_by_name"] == pytest.approx(12289 / 60 * 0.6)


def test_a_params_entry_must_name_a_used_parameter(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, w int);\n")
    text = """\
engine: postgresql 15
schema: {ddl: schema.sql}
workload:
  statements:
    - {name: a, sql: 'SELECT id FROM t WHERE w = :w_id'}
  transactions:
    - {name: tx, rate: 1/s, statements: [a], params: {w_idd: {per: transaction}}}
"""
    brief = loads_brief(text, file="b.yaml", base_dir=tmp_path)
    catalog = load_catalog(brief, file="b.yaml")
    with pytest.raises(BriefError) as raised:
        load_workload(brief, catalog, file="b.yaml")
    assert str(raised.value) == (
        "b.yaml: workload.transactions[0].params.w_idd: no statement of transaction 'tx' uses "
        "parameter 'w_idd'; did you mean 'w_id'? (it uses: w_id)"
    )
