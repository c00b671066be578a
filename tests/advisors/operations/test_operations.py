"""The operations design: topology from the goals, the log volume model, backups, settings, files."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import yaml

from dbarchitect import api
from dbarchitect.advisors.operations import topology as topo
from dbarchitect.advisors.operations.capacity import _occupancy, statement_log_bytes
from dbarchitect.brief import loads_brief
from dbarchitect.errors import DbarchError

BRIEF = """
name: ops
engine: {engine}
schema:
  entities:
    accounts: {{columns: {{id: bigint, owner: text, balance: int}}, primary_key: [id]}}
tables:
  accounts: {{rows: 1M, growth: 10000/day}}
workload:
  - name: open_account
    sql: INSERT INTO accounts (id, owner, balance) VALUES (:id, :owner, 0)
    rate: 100/s
  - name: deposit
    sql: UPDATE accounts SET balance = balance + :amount WHERE id = :id
    rate: 50/s
  - name: balance
    sql: SELECT balance FROM accounts WHERE id = :id
    rate: 500/s
    max_staleness: 10s
  - name: richest
    sql: SELECT owner, sum(balance) FROM accounts GROUP BY owner
    rate: 1/min
{extra}
"""


def plan(extra: str = "", engine: str = "postgresql 15"):  # type: ignore[no-untyped-def]
    brief = loads_brief(BRIEF.format(engine=engine, extra=extra))
    return api.plan_operations(brief)


def test_no_goal_is_a_single_primary_with_daily_backups() -> None:
    p = plan()
    assert p.topology.nodes == 1
    assert p.topology.replication.mode == "none"
    assert any("no goal given: a single primary, daily backups" in d for d in p.defaults)
    assert p.backup.schedule.diff_cron is not None and p.backup.schedule.incr_cron is None
    names = dict(p.files)
    assert "postgresql.conf" in names and not any(n.startswith("patroni-") for n in names)


def test_rpo_zero_is_synchronous_strict_on_three_nodes() -> None:
    p = plan("availability: {uptime: 99.95%, rpo: 0s, rto: 30s}")
    t = p.topology
    assert (t.nodes, t.replication.mode, t.replication.quorum, t.replication.strict) == (
        3,
        "synchronous",
        1,
        True,
    )
    assert t.failover_s <= 30
    cfg = yaml.safe_load(dict(p.files)["patroni-db1.yml"])
    dcs = cfg["bootstrap"]["dcs"]
    assert dcs["synchronous_mode"] and dcs["synchronous_mode_strict"]
    assert dcs["loop_wait"] + 2 * dcs["retry_timeout"] <= dcs["ttl"]


def test_rpo_seconds_is_asynchronous_with_a_lag_bound() -> None:
    p = plan("availability: {uptime: 99.9%, rpo: 5s, rto: 2min}")
    t = p.topology
    assert t.replication.mode == "asynchronous"
    first_log = t.replication.max_lag_on_failover_bytes
    assert first_log >= 64 * 1024
    cfg = yaml.safe_load(dict(p.files)["patroni-db1.yml"])
    assert cfg["bootstrap"]["dcs"]["maximum_lag_on_failover"] == first_log
    assert not cfg["bootstrap"]["dcs"]["synchronous_mode"]


def test_rto_below_detection_is_refused_as_unmet() -> None:
    p = plan("availability: {rpo: 0s, rto: 5s}")
    assert any("rto 5s is shorter than detection" in u for u in p.unmet)


def test_uptime_above_one_region_is_unmet_and_names_the_region() -> None:
    p = plan("availability: {uptime: 99.995%, rpo: 0s, rto: 30s}")
    assert any("region" in u for u in p.unmet)
    two = plan("availability: {uptime: 99.995%, rpo: 0s, rto: 30s, regions: 2, region_rtt: 30ms}")
    assert two.topology.region_commit_latency_s == pytest.approx(0.03)
    assert any("on paper only" in r for r in two.topology.reasons)


def test_availability_on_paper_formula() -> None:
    none = topo.Replication("none", 0, False, 0, 0) if hasattr(topo, "Replication") else None
    from dbarchitect.engines.operations import Replication

    single = topo.availability(1, 0.0, 0.0, 4.0, Replication("none", 0, False, 0, 0), window=False)
    hours = 2 * 4.0 + 12 * 60 / 3600 + 0.5 * 4.0
    assert single.percent == pytest.approx(100 * (1 - hours / 8760))
    sync = Replication("synchronous", 1, True, 0, 0)
    three = topo.availability(3, 30.0, 4.0, 4.0, sync, window=True)
    p = 2 * 4.0 / 8760
    assert three.quorum_hours == pytest.approx(p**2 * 8760)
    assert three.planned_hours == 0.0
    assert three.failover_hours == pytest.approx(2 * 30 / 3600)
    assert none is None or none.mode == "none"


def test_stale_reads_route_to_replicas() -> None:
    p = plan("availability: {uptime: 99.9%, rpo: 5s, rto: 2min}")
    routes = {r.statement: r.target for r in p.topology.routes}
    assert routes == {"balance": "replica"}


def test_log_bytes_per_insert_follow_the_record_format() -> None:
    from dbarchitect.engines.ops_postgres import WAL

    inspection = api.inspect_brief(loads_brief(BRIEF.format(engine="postgresql 15", extra="")))
    insert = inspection.workload.statement("open_account")
    assert insert is not None
    log = statement_log_bytes(insert, inspection.catalog, inspection.traits, WAL)
    table = inspection.catalog.table("accounts")
    assert table is not None
    from dbarchitect.advisors.sizing import row_width

    width = row_width(table)
    expected = math.ceil((54 + width) / 8) * 8 + math.ceil((56 + 8) / 8) * 8
    assert log.bytes_per_execution == pytest.approx(expected)
    assert (log.rows, log.index_entries) == (1.0, 1.0)


WIDE = """
name: wide
engine: postgresql 15
schema:
  entities:
    posts: {columns: {id: bigint, views: int, body: text}, primary_key: [id]}
tables:
  posts: {rows: 100k, columns: {body: {avg_width: 9000}}}
workload:
  - {name: count_view, sql: "UPDATE posts SET views = views + 1 WHERE id = :id", rate: 100/s}
  - {name: edit, sql: "UPDATE posts SET body = :body WHERE id = :id", rate: 1/s}
  - {name: post, sql: "INSERT INTO posts (id, views, body) VALUES (:id, 0, :body)", rate: 1/s}
"""


def test_wal_of_an_update_leaves_out_the_values_kept_out_of_line() -> None:
    # bench/operations (blog): 345 B of WAL per view count on a 9 kB row, estimated 11.8 kB before
    from dbarchitect.engines.ops_postgres import WAL

    inspection = api.inspect_brief(loads_brief(WIDE))
    by_name = {
        s.name: statement_log_bytes(s, inspection.catalog, inspection.traits, WAL).bytes_per_execution
        for s in inspection.workload.statements
    }
    assert by_name["count_view"] < 300  # the row with a pointer in place of the body
    assert by_name["edit"] > 9000 and by_name["post"] > 9000  # the body itself is written
    # page images: the heap holds ~100 B rows, not 9 kB ones
    p = api.plan_operations(loads_brief(WIDE))
    assert p.capacity.log.page_image_bytes_per_s < 100 * 8192 / 10


READINGS = """
name: readings
engine: postgresql 15
schema:
  entities:
    devices: {{columns: {{id: bigint, name: text}}, primary_key: [id]}}
    readings:
      columns: {{device_id: bigint, recorded_at: timestamptz, value: real}}
      primary_key: [{key}]
      foreign_keys: [{{columns: [device_id], references: devices}}]
tables:
  devices: {{rows: 100}}
  readings:
    rows: 50M
    columns:
      device_id: {{distinct: 100}}
      recorded_at: {{correlation: {correlation}}}
workload:
  - name: ingest
    sql: INSERT INTO readings (device_id, recorded_at, value) VALUES (:device_id, :recorded_at, :value)
    rate: 50/s
"""


def test_inserts_at_the_end_of_each_key_group_log_one_page_image_per_group() -> None:
    # bench/operations (iot): (device_id, recorded_at) took inserts at random pages, 2.3x the WAL measured
    def images(key: str, correlation: float) -> float:
        brief = loads_brief(READINGS.format(key=key, correlation=correlation))
        log = api.plan_operations(brief).capacity.log
        return log.page_image_bytes_per_s * log.checkpoint_s / 8192

    grouped = images("device_id, recorded_at", 0.98)
    assert 60 < grouped <= 101  # at most one leaf page per device (and the heap's last page)
    assert images("device_id, recorded_at", 0.0) > 1000  # no rising column: pages at random
    assert images("recorded_at, device_id", 0.98) < 5  # appended at the index's end


def test_binlog_carries_statement_text_and_row_images_but_no_index_entries() -> None:
    p = plan(engine="mariadb 10.11")
    by_name = {s.statement: s for s in p.capacity.log.statements}
    update = by_name["deposit"]
    assert update.index_entries == 0.0
    assert update.bytes_per_execution > len("UPDATE accounts SET balance = balance + :amount WHERE id = :id")


def test_occupancy() -> None:
    assert _occupancy(100, 0) == 0
    assert _occupancy(100, 1) == pytest.approx(100 * (1 - math.exp(-0.01)))
    assert _occupancy(100, 10_000) == pytest.approx(100, rel=1e-6)


def test_work_mem_covers_the_largest_sort_and_names_it() -> None:
    p = plan()
    assert p.sort_needs and p.sort_needs[0].statement == "richest"
    work_mem = p.sizing.sort_bytes
    assert work_mem.value >= p.sort_needs[0].bytes
    assert "richest" in work_mem.reason


def test_pool_follows_littles_law() -> None:
    p = plan()
    busy = p.busy_connections
    assert p.pool.pool_size == max(2, math.ceil(busy + 3 * math.sqrt(busy)))
    settings = {s.name: s.value for s in p.layout.settings}
    assert int(settings["max_connections"]) >= p.pool.pool_size + p.pool.reserve
    assert "Little's law" in p.pool_reason


def test_every_setting_has_a_reason() -> None:
    for engine in ("postgresql 15", "mariadb 10.11"):
        p = plan("availability: {rpo: 0s, rto: 1min}", engine=engine)
        assert p.layout.settings
        assert all(s.reason for s in p.layout.settings)


def test_vacuum_thresholds_per_updated_table() -> None:
    p = plan()
    (vacuum,) = p.layout.vacuum
    assert vacuum.table == "accounts"
    assert vacuum.threshold == (50 * 3600)
    assert 'ALTER TABLE "accounts" SET' in dict(p.files)["autovacuum.sql"]


def test_mariadb_semi_sync_and_scripts() -> None:
    p = plan("availability: {rpo: 0s, rto: 1min}", engine="mariadb 10.11")
    files = dict(p.files)
    cnf = files["my-db1.cnf"]
    assert "rpl_semi_sync_master_enabled = ON" in cnf
    assert "rpl_semi_sync_master_wait_point = AFTER_SYNC" in cnf
    assert "read_only = OFF" in cnf and "read_only = ON" in files["my-db2.cnf"]
    assert "STOP SLAVE; RESET SLAVE ALL;" in files["failover.sh"]
    assert "SET GLOBAL rpl_semi_sync_master_enabled = ON" in files["failover.sh"]
    assert "rpl_semi_sync_master_enabled = OFF" in files["my-db2.cnf"]
    assert [r.title for r in p.runbooks] == [
        "Failover",
        "Switchover",
        "Point-in-time restore",
        "Replica rebuild",
        "Backups",
    ]


def test_sqlite_has_copies_only_and_says_what_it_cannot_meet() -> None:
    p = plan("availability: {uptime: 99.95%, rpo: 1min, rto: 1min}", engine="sqlite")
    assert p.topology.nodes == 1
    assert any("needs failover" in u for u in p.unmet)
    assert any("cannot be archived" in u for u in p.unmet)


def test_mysql_has_no_operations_design() -> None:
    with pytest.raises(DbarchError, match="no operations design for mysql"):
        plan(engine="mysql 8.0")


def test_capacity_runs_out_on_a_small_node() -> None:
    p = plan("hardware: {cores: 1, memory: 1GB, disk: {type: hdd, size: 1GB}}")
    assert p.capacity.first_out is not None
    name, day = p.capacity.first_out
    assert name in {"storage", "memory", "cpu", "iops", "throughput"}
    assert day >= 0
    assert "runs out first" in p.capacity.verdict(p.brief.horizon)


def test_hardware_feeds_the_sharding_check() -> None:
    brief = loads_brief(BRIEF.format(engine="postgresql 15", extra="hardware: {memory: 1GB}"))
    assert api.advise_sharding(brief).capacity.node.memory == 10**9


def test_every_example_has_availability_goals() -> None:
    for path in sorted(Path("examples").glob("*/brief.yaml")):
        brief = api.inspect_brief(path).brief
        assert brief.availability is not None, path
