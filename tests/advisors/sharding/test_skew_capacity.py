"""Skew from the brief's hot values, and the one-node capacity check firing or not."""

from __future__ import annotations

import random
import statistics
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dbarchitect import api
from dbarchitect.advisors.sharding.capacity import shard_count_for
from dbarchitect.advisors.sharding.skew import expected_fullest
from tests.advisors.sharding.helpers import inspect

TENANT_DDL = """\
CREATE TABLE tenants (id bigint PRIMARY KEY, name text NOT NULL);
CREATE TABLE events (
    id bigint PRIMARY KEY,
    tenant_id bigint NOT NULL REFERENCES tenants (id),
    payload text
);
"""


def tenant_body(hot: str, node: str = "", rate: str = "2000/s") -> str:
    return f"""\
tables:
  tenants: {{rows: 100000}}
  events:
    rows: 2B
    columns:
      tenant_id: {{distinct: 100000{hot}}}
{node}workload:
  - name: add_event
    sql: "INSERT INTO events (id, tenant_id, payload) VALUES (:id, :tenant, :p)"
    rate: {rate}
  - name: tenant_events
    sql: SELECT e.payload, t.name FROM events e JOIN tenants t ON t.id = e.tenant_id WHERE e.tenant_id = :tenant
    rate: 500/s
"""


def test_a_hot_tenant_skews_data_and_load(tmp_path: Path) -> None:
    even = api.advise_sharding(inspect(tmp_path / "a", TENANT_DDL, tenant_body("")))
    hot = api.advise_sharding(inspect(tmp_path / "b", TENANT_DDL, tenant_body(", hot_values: {'7': 0.3}")))
    for advice in (even, hot):
        assert {t.table: t.column for t in advice.tables}["events"] == "tenant_id"
    shards = hot.shard_count
    events = {s.table: s for s in hot.skews}["events"]
    assert events.hottest == ("7", 0.3)
    # the hot tenant's shard holds 30% of the rows plus its share of the rest
    assert events.data_skew == pytest.approx((0.3 + 0.7 / shards) * shards)
    assert {s.table: s for s in even.skews}["events"].data_skew < 1.1  # 100,000 tenants spread evenly
    tenants = {s.table: s for s in hot.skews}["tenants"]
    load = {g.group: g for g in hot.loads}["tenants"]
    # every execution is pinned: events 2,500/s (insert + join), tenants 500/s (the join)
    assert load.pinned_rate == pytest.approx(3000) and load.fanout_rate == 0
    assert load.load_skew == pytest.approx((2500 * events.data_skew + 500 * tenants.data_skew) / 3000)
    assert load.hot_writes is None  # 0.3 x 2000 writes/s fits one node's 5,000/s


def test_a_hot_value_beyond_one_node_is_named(tmp_path: Path) -> None:
    advice = api.advise_sharding(
        inspect(tmp_path, TENANT_DDL, tenant_body(", hot_values: {'7': 0.3}", rate="20000/s"))
    )
    load = {g.group: g for g in advice.loads}["tenants"]
    assert load.hot_writes is not None
    assert "events.tenant_id = '7' takes 6,000 writes/s, more than one node's 5,000/s" in load.hot_writes


@settings(max_examples=10, deadline=None)
@given(values=st.integers(min_value=10, max_value=3000), shards=st.sampled_from([4, 16, 64]))
def test_expected_fullest_shard_matches_random_hashing(values: int, shards: int) -> None:
    rng = random.Random(values * 1000 + shards)
    fullest = []
    for _ in range(400):
        counts = [0] * shards
        for _ in range(values):
            counts[rng.randrange(shards)] += 1
        fullest.append(max(counts))
    assert expected_fullest(values, shards) == pytest.approx(statistics.mean(fullest), rel=0.06, abs=0.6)


def test_shard_count_rule() -> None:
    assert shard_count_for(1)[0] == 32
    assert shard_count_for(8)[0] == 32
    assert shard_count_for(9)[0] == 64
    assert shard_count_for(20)[0] == 128


SMALL = """\
tables:
  tenants: {rows: 1000}
  events: {rows: 1M}
workload:
  - name: add_event
    sql: "INSERT INTO events (id, tenant_id, payload) VALUES (:id, :tenant, :p)"
    rate: 50/s
  - name: scan
    sql: SELECT count(*) FROM events WHERE payload LIKE :pattern
    rate: 1/s
"""


def test_one_node_is_enough_for_a_small_brief(tmp_path: Path) -> None:
    advice = api.advise_sharding(inspect(tmp_path, TENANT_DDL, SMALL))
    cap = advice.capacity
    assert cap.one_node_enough and cap.nodes == 1
    assert cap.node.defaults_used == ("memory", "storage", "write_rate")
    assert cap.verdict().startswith("one node is enough: storage ")
    assert "one node is enough for this brief" in advice.notes[0]


@pytest.mark.parametrize(
    ("node", "limit", "nodes"),
    [
        ("node: {storage: 100MB}\n", "storage", 2),  # ~150 MB of events at the horizon
        ("node: {write_rate: 20/s}\n", "write rate", 3),  # 50 writes/s
        ("node: {memory: 100MB}\n", "working set", 2),  # the LIKE scan reads every row every second
    ],
)
def test_each_limit_fires(tmp_path: Path, node: str, limit: str, nodes: int) -> None:
    advice = api.advise_sharding(inspect(tmp_path, TENANT_DDL, node + SMALL))
    cap = advice.capacity
    fired = {lim.name: lim for lim in cap.limits if lim.exceeded}
    assert set(fired) == {limit}
    assert fired[limit].nodes == nodes and cap.nodes == nodes
    assert fired[limit].detail in cap.verdict()
