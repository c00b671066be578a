"""The single-shard probability of transactions (the analytic model), checked against closed forms
and against the seeded simulation on generated values."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect.advisors.sharding.footprint import route
from dbarchitect.advisors.sharding.layout import Layout, Placement, PlacementKind
from dbarchitect.advisors.sharding.probability import single_shard_probability, transaction_unit, units_of
from dbarchitect.advisors.sharding.simulate import simulate
from dbarchitect.model.names import Name
from dbarchitect.results import Inspection
from tests.advisors.sharding.helpers import inspect

DDL = """\
CREATE TABLE tenants (id int PRIMARY KEY, name text);
CREATE TABLE items (tenant_id int NOT NULL, id int NOT NULL, qty int, PRIMARY KEY (tenant_id, id));
CREATE TABLE notes (tenant_id int NOT NULL, id int NOT NULL, body text, PRIMARY KEY (tenant_id, id));
"""


def body(equal: float, low: int, high: int, optional: float) -> str:
    return f"""\
tables:
  tenants: {{rows: 10000}}
  items: {{rows: 10M, columns: {{tenant_id: {{distinct: 10000}}}}}}
  notes: {{rows: 10M, columns: {{tenant_id: {{distinct: 10000}}}}}}
workload:
  statements:
    - {{name: get_tenant, sql: 'SELECT name FROM tenants WHERE id = :t'}}
    - {{name: take_item, sql: 'UPDATE items SET qty = qty - 1 WHERE tenant_id = :supplier AND id = :i'}}
    - {{name: add_note, sql: 'INSERT INTO notes (tenant_id, id, body) VALUES (:other, :n, :b)'}}
  transactions:
    - name: order
      rate: 100/s
      params:
        supplier: {{equals: t, probability: {equal!r}}}
      statements:
        - get_tenant
        - {{statement: take_item, repeat: {{min: {low}, max: {high}}}}}
        - {{statement: add_note, probability: {optional!r}}}
"""


def tenant_layout(shards: int) -> Layout:
    def d(table: str, column: str) -> Placement:
        return Placement(Name(table), PlacementKind.DISTRIBUTED, (Name(column),), "tenants")

    return Layout((d("tenants", "id"), d("items", "tenant_id"), d("notes", "tenant_id")), shards)


def probability(inspection: Inspection, layout: Layout) -> float:
    unit = transaction_unit(inspection.workload.transactions[0])
    return single_shard_probability(unit, lambda s: route(s, layout), layout).single_shard


def closed_form(equal: float, low: int, high: int, optional: float, shards: int) -> float:
    c = 1 / shards
    per_line = equal + (1 - equal) * c
    lines = sum(per_line**n for n in range(low, high + 1)) / (high - low + 1)
    note = 1 - optional + optional * c  # :other is unrelated to :t
    return lines * note


def test_closed_form(tmp_path: Path) -> None:
    inspection = inspect(tmp_path, DDL, body(0.9, 2, 6, 0.3))
    assert probability(inspection, tenant_layout(16)) == pytest.approx(closed_form(0.9, 2, 6, 0.3, 16))
    assert probability(inspection, tenant_layout(1)) == 1.0


def test_per_iteration_parameter_is_inferred(tmp_path: Path) -> None:
    inspection = inspect(tmp_path, DDL, body(0.5, 3, 3, 1.0))
    transaction = inspection.workload.transactions[0]
    supplier, item = transaction.parameter("supplier"), transaction.parameter("i")
    assert supplier is not None and supplier.per_iteration
    assert item is not None and item.per_iteration
    t = transaction.parameter("t")
    assert t is not None and not t.per_iteration


def test_statements_outside_transactions_are_units(tmp_path: Path) -> None:
    inspection = inspect(
        tmp_path, DDL, body(0.9, 1, 1, 1.0).replace("get_tenant, sql", "get_tenant, rate: 150/s, sql")
    )
    units = {
        (u.name, u.kind): u
        for u in units_of(inspection.workload.statements, inspection.workload.transactions)
    }
    assert units[("get_tenant", "statement")].rate == pytest.approx(50)
    assert ("take_item", "statement") not in units


@settings(max_examples=12, deadline=None)
@given(
    equal=st.sampled_from([0.5, 0.8, 0.95, 1.0]),
    low=st.integers(min_value=1, max_value=4),
    extra=st.integers(min_value=0, max_value=4),
    optional=st.sampled_from([0.1, 0.5, 1.0]),
    shards=st.sampled_from([2, 8, 32]),
)
def test_model_matches_simulation(
    tmp_path_factory: pytest.TempPathFactory, equal: float, low: int, extra: int, optional: float, shards: int
) -> None:
    inspection = inspect(tmp_path_factory.mktemp("b"), DDL, body(equal, low, low + extra, optional))
    layout = tenant_layout(shards)
    computed = probability(inspection, layout)
    units = units_of(inspection.workload.statements, inspection.workload.transactions)
    counted = simulate(units, lambda s: route(s, layout), layout, inspection.catalog, executions=3000, seed=3)
    simulated = 1 - counted.distributed_fraction("transaction")
    # the model is exact here up to hash collisions of values drawn from 10,000 tenants
    assert simulated == pytest.approx(computed, abs=0.04)
