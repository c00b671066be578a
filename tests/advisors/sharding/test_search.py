"""Choosing keys: when the joins disagree the heavier side wins; reference tables for small, rarely
written tables; the coordinate descent agrees with the exhaustive search."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect import api
from dbarchitect.advisors.sharding import search as search_module
from dbarchitect.advisors.sharding.probability import units_of
from dbarchitect.advisors.sharding.search import search
from tests.advisors.sharding.helpers import EVENTS_DDL, events_body, inspect


def placements(tmp_path: Path, by_user: float, by_device: float) -> dict[str, str]:
    advice = api.advise_sharding(inspect(tmp_path, EVENTS_DDL, events_body(by_user, by_device)))
    return {t.table: (t.column or "reference") for t in advice.tables}


@settings(max_examples=15, deadline=None)
@given(
    heavy=st.floats(min_value=1.0, max_value=5000.0),
    share=st.floats(min_value=0.01, max_value=0.9),
    user_heavier=st.booleans(),
)
def test_the_heavier_join_decides(
    tmp_path_factory: pytest.TempPathFactory, heavy: float, share: float, user_heavier: bool
) -> None:
    light = heavy * share
    by_user, by_device = (heavy, light) if user_heavier else (light, heavy)
    chosen = placements(tmp_path_factory.mktemp("b"), by_user, by_device)
    assert chosen["events"] == ("user_id" if user_heavier else "device_id")
    assert chosen["users"] == "id" and chosen["devices"] == "id"


def test_single_shard_fraction_is_the_heavier_share(tmp_path: Path) -> None:
    advice = api.advise_sharding(inspect(tmp_path, EVENTS_DDL, events_body(300, 100)))
    assert advice.chosen.single_shard() == pytest.approx(0.75)
    groups = {g.name: set(g.tables) for g in advice.groups}
    assert {"users", "events"} in groups.values() and {"devices"} in groups.values()
    by_device = next(f for f in advice.chosen.footprints if f.unit == "by_device")
    assert by_device.single_shard == 0.0
    assert by_device.reasons == ("by_device: no single value for events.user_id",)


def test_coordinate_descent_finds_the_exhaustive_optimum(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inspection = inspect(tmp_path, EVENTS_DDL, events_body(300, 100))
    units = units_of(inspection.workload.statements, inspection.workload.transactions)
    sizes = {s.table.lower(): s for s in inspection.sizes}
    args = (
        inspection.catalog,
        units,
        sizes,
        32,
        inspection.brief.node.memory,
        inspection.workload.statements,
    )
    exact = search(*args)
    assert exact.method.startswith("exhaustive")
    monkeypatch.setattr(search_module, "EXHAUSTIVE_LIMIT", 0)
    descent = search(*args)
    assert descent.method.startswith("coordinate descent")
    assert descent.best.score.key() == exact.best.score.key()
    assert descent.best.layout == exact.best.layout


REFERENCE_DDL = """\
CREATE TABLE countries (code char(2) PRIMARY KEY, name text NOT NULL);
CREATE TABLE settings (id int PRIMARY KEY, value text);
CREATE TABLE customers (id bigint PRIMARY KEY, country char(2) NOT NULL REFERENCES countries (code));
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    country char(2) NOT NULL REFERENCES countries (code)
);
"""

REFERENCE_BODY = """\
tables:
  countries: {rows: 250}
  settings: {rows: 100}
  customers: {rows: 20M}
  orders: {rows: 500M}
workload:
  - name: customer_orders
    sql: >-
      SELECT o.id, c.name FROM orders o JOIN countries c ON c.code = o.country
      WHERE o.customer_id = :cust
    rate: 500/s
  - name: place_order
    sql: "INSERT INTO orders (id, customer_id, country) VALUES (:id, :cust, :country)"
    rate: 100/s
  - name: get_customer
    sql: SELECT country FROM customers WHERE id = :cust
    rate: 200/s
  - name: rename_customer_country
    sql: UPDATE customers SET country = :country WHERE id = :cust
    rate: 20/s
  - name: bump_setting
    sql: UPDATE settings SET value = :v WHERE id = :id
    rate: 80/s
"""


def test_small_read_mostly_tables_become_reference_tables(tmp_path: Path) -> None:
    advice = api.advise_sharding(inspect(tmp_path, REFERENCE_DDL, REFERENCE_BODY))
    plans = {t.table: t for t in advice.tables}
    assert plans["countries"].column is None  # small, only read: copied to every node
    # customers may be one (1.2 GB, 20 writes/s), but its writes would each reach every node: the
    # objective keeps it distributed
    assert plans["orders"].column == "customer_id" and plans["customers"].column == "id"
    # settings is small but written 80/s: not rarely written
    assert plans["settings"].column == "id"
    refused = {r.option: r.reason for r in advice.refused}
    assert refused["settings: reference"] == (
        "80.0 writes/s, each applied on every node: more than 1% of a node's 5,000 writes/s"
    )
    assert refused["orders: reference"].endswith("of a node's memory to copy to every node")
    assert "customers: reference" not in refused
    assert advice.chosen.single_shard() == 1.0
