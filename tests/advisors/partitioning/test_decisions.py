"""Per-table decisions: when partitioning pays, which key and interval, the "no" cases with their
reasons, and the engine rules (from traits) the design must satisfy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dbarchitect import api
from dbarchitect.advisors.partitioning import NoReason, Verdict
from dbarchitect.model.catalog import PartitionMethod
from dbarchitect.model.intervals import TimeUnit
from tests.advisors.partitioning.briefs import (
    EVENTS_DDL,
    EXAMPLES,
    TODAY,
    advise,
    decision,
    events_brief,
    inspect,
)


def test_iot_readings_range_by_week_on_recorded_at() -> None:
    advice = api.advise_partitioning(EXAMPLES / "iot" / "brief.yaml", today=TODAY).advice
    readings = decision(advice, "readings")
    assert readings.verdict == Verdict.KEEP  # the schema partitions it by recorded_at already
    assert readings.chosen is not None
    layout = readings.chosen.layout
    assert (layout.method, layout.column, layout.unit) == (
        PartitionMethod.RANGE,
        "recorded_at",
        TimeUnit.WEEK,
    )
    # 46M rows/day x 7 days per partition; 90 days kept + the current week + one made ahead.
    assert readings.chosen.rows_per_partition == pytest.approx(46e6 * 7)
    assert layout.count == 15 and layout.ahead == 1
    assert any("instead of deleting ~46,000,000 rows a day" in r for r in readings.reasons)
    for small in ("sites", "firmware", "devices", "alerts"):
        d = decision(advice, small)
        assert d.verdict == Verdict.NO and d.rejection == NoReason.SMALL_TABLE
        assert "under 10.0 GB" in d.reasons[0]
    assert advice.weighted_within_two >= 0.95
    # Keeping the layout needs no copy: no migration.
    assert advice.migration is None


def test_saas_on_mariadb_keeps_its_foreign_keys_and_partitions_the_audit_log() -> None:
    advice = api.advise_partitioning(EXAMPLES / "saas" / "brief.yaml").advice
    audit = decision(advice, "audit_log")
    assert audit.verdict == Verdict.KEEP and audit.chosen is not None
    assert audit.chosen.key == "RANGE (created_at) by week"
    assert audit.chosen.layout.catch_all  # MariaDB keeps a MAXVALUE partition, split ahead
    # HASH by tenant prunes every statement, but cannot drop expired rows: said, not chosen.
    assert any("HASH (tenant_id)" in r and "cannot drop expired rows" in r for r in audit.reasons)
    for table, lost in (("tasks", 5), ("comments", 3)):
        d = decision(advice, table)
        assert d.verdict == Verdict.NO and d.rejection == NoReason.FOREIGN_KEYS
        assert f"would drop {lost} foreign key(s) on MariaDB" in d.reasons[-1]
    assert advice.weighted_within_two >= 0.95
    assert advice.partitioned_within_two == pytest.approx((69.44 + 2) / (69.44 + 2 + 15), abs=1e-3)


def test_a_small_table_is_not_partitioned(tmp_path: Path) -> None:
    advice = advise(inspect(tmp_path, EVENTS_DDL, events_brief(rows="20M", growth="20000/day")))
    d = decision(advice, "events")
    assert d.verdict == Verdict.NO and d.rejection == NoReason.SMALL_TABLE
    assert "under 10.0 GB" in d.reasons[0] and d.partitioning is None
    assert advice.catalog.table("events").partitioning is None  # type: ignore[union-attr]


def test_statements_that_touch_every_partition_say_no(tmp_path: Path) -> None:
    statements = [
        {
            "name": "log_event",
            "sql": "INSERT INTO events (account_id, kind, body) VALUES (:a, :k, :b)",
            "rate": 5,
        },
        {
            "name": "account_kinds",
            "sql": "SELECT kind, count(*) FROM events WHERE account_id = :a GROUP BY kind",
            "rate": "300/s",
        },
    ]
    advice = advise(inspect(tmp_path, EVENTS_DDL, events_brief(statements=statements)))
    d = decision(advice, "events")
    assert d.verdict == Verdict.NO and d.rejection == NoReason.TOUCHES_EVERY_PARTITION
    assert "the others would read every one of" in d.reasons[-1]
    range_candidate = next(c for c in d.candidates if c.key.startswith("RANGE (created_at)"))
    assert range_candidate.pruning_share == pytest.approx(5 / 305)


def test_retention_and_a_time_window_partition_by_range(tmp_path: Path) -> None:
    advice = advise(inspect(tmp_path, EVENTS_DDL, events_brief()))
    d = decision(advice, "events")
    assert d.verdict == Verdict.PARTITION and d.chosen is not None
    assert d.chosen.key == "RANGE (created_at) by week"  # 20M rows/day x 1 month is over 50 GB
    assert d.chosen.pruning_share == 1.0
    # PostgreSQL: the primary key must include the partition key; foreign keys stay.
    kinds = [c.kind for c in d.chosen.constraint_changes]
    assert kinds == ["primary key widened"]
    table = advice.catalog.table("events")
    assert table is not None and table.partitioning is not None
    assert [c.value for c in table.primary_key.columns] == ["id", "created_at"]  # type: ignore[union-attr]
    assert len(table.foreign_keys) == 1
    assert table.partitioning.partitions[0].bounds[0] == "MINVALUE"
    # The migration from the unpartitioned table goes through the planner: copy and swap.
    assert advice.migration is not None
    described = [s.description for s in advice.migration.steps]
    assert described[0].startswith("expand: create events__new")
    assert any(s.startswith("switch: events__new becomes events") for s in described)


def test_faster_growth_picks_a_shorter_interval(tmp_path: Path) -> None:
    advice = advise(inspect(tmp_path, EVENTS_DDL, events_brief(rows="20B", growth="200000000/day")))
    d = decision(advice, "events")
    assert d.chosen is not None and d.chosen.layout.unit == TimeUnit.DAY and d.chosen.infeasible is None
    by_week = [c for c in d.candidates if c.key == "RANGE (received_at) by week"]
    assert by_week == []  # one RANGE candidate per time column, with its best interval


def test_mariadb_drops_foreign_keys_and_says_what_that_costs(tmp_path: Path) -> None:
    advice = advise(inspect(tmp_path, EVENTS_DDL, events_brief(engine="mariadb 10.11")))
    d = decision(advice, "events")
    assert d.verdict == Verdict.PARTITION and d.chosen is not None
    changes = {c.kind: c for c in d.chosen.constraint_changes}
    assert set(changes) == {"primary key widened", "foreign key dropped"}
    dropped = changes["foreign key dropped"]
    assert "MariaDB allows no foreign keys on a partitioned table" in dropped.consequence
    assert (
        "find orphans with: SELECT count(*) FROM events AS c WHERE c.account_id IS NOT NULL"
        in dropped.consequence
    )
    table = advice.catalog.table("events")
    assert table is not None and table.foreign_keys == ()
    assert d.chosen.layout.catch_all


def test_sqlite_cannot_partition(tmp_path: Path) -> None:
    advice = advise(inspect(tmp_path, EVENTS_DDL, events_brief(engine="sqlite")))
    d = decision(advice, "events")
    assert d.rejection == NoReason.ENGINE_CANNOT and "SQLite has no table partitioning" in d.reasons[0]


def test_an_upsert_on_a_key_partitioning_widens_blocks_it() -> None:
    advice = api.advise_partitioning(EXAMPLES / "shop" / "brief.yaml").advice
    d = decision(advice, "payments")
    assert d.verdict == Verdict.NO and d.rejection == NoReason.UPSERT_KEY
    assert "record_payment" in d.reasons[-1] and "UNIQUE (provider, provider_ref)" in d.reasons[-1]


def test_large_table_without_retention_pays_only_with_pruning_and_its_keys(tmp_path: Path) -> None:
    statements = [
        {"name": "by_account", "sql": "SELECT id FROM events WHERE account_id = :a", "rate": "100/s"},
        {"name": "add", "sql": "INSERT INTO events (account_id, kind, body) VALUES (:a, :k, :b)", "rate": 5},
    ]
    brief = events_brief(rows="3B", growth="1000000/day", retention=None, statements=statements)
    # PostgreSQL: HASH (account_id) prunes every statement, keeps the foreign key.
    pg = decision(advise(inspect(tmp_path, EVENTS_DDL, brief)), "events")
    assert pg.verdict == Verdict.PARTITION and pg.chosen is not None
    assert pg.chosen.layout.method == PartitionMethod.HASH and pg.chosen.layout.column == "account_id"
    assert pg.chosen.layout.count & (pg.chosen.layout.count - 1) == 0  # a power of two
    # MariaDB would lose the foreign key: no.
    maria = decision(advise(inspect(tmp_path, EVENTS_DDL, {**brief, "engine": "mariadb 10.11"})), "events")
    assert maria.verdict == Verdict.NO and maria.rejection == NoReason.FOREIGN_KEYS


def test_parameters_without_example_values_read_the_whole_time_range(tmp_path: Path) -> None:
    statements = [
        {
            "name": "window",
            "sql": "SELECT id FROM events WHERE account_id = :a AND created_at >= :since AND created_at < :until",
            "rate": 10,
        }
    ]
    advice = advise(inspect(tmp_path, EVENTS_DDL, events_brief(statements=statements)))
    d = decision(advice, "events")
    by_time = next(c for c in d.candidates if c.key.startswith("RANGE (created_at)"))
    window = next(s for s in by_time.statements if s.statement == "window")
    # No params: since = the oldest row kept (now - 90 days), until = the newest.
    assert window.partitions >= 13 and window.within_two == 0.0
    bound = next(b for b in advice.bound if b.name == "window")
    sources = {x.name: x.source.value for x in bound.bindings}
    assert sources == {"a": "type default", "since": "statistics", "until": "statistics"}
    assert d.rejection == NoReason.TOUCHES_EVERY_PARTITION


REGION_DDL = """
CREATE TYPE region AS ENUM ('eu', 'us', 'apac');
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    region region NOT NULL,
    customer_id bigint NOT NULL,
    total numeric(12,2) NOT NULL,
    note text
);
"""


def test_a_skewed_low_cardinality_key_with_known_values_is_listed(tmp_path: Path) -> None:
    brief = {
        "engine": "postgresql 15",
        "tables": {
            "orders": {
                "rows": "1.5B",
                "growth": "100000/day",
                "columns": {
                    "region": {"distinct": 3, "hot_values": {"eu": 0.7, "us": 0.25, "apac": 0.05}},
                    "note": {"avg_width": 120},
                },
            }
        },
        "workload": [
            {
                "name": "regional_orders",
                "sql": "SELECT id, total FROM orders WHERE region = :r AND customer_id = :c",
                "rate": "200/s",
            },
            {"name": "place", "sql": "INSERT INTO orders VALUES (:id, :r, :c, :t, :n)", "rate": 2},
        ],
    }
    advice = advise(inspect(tmp_path, REGION_DDL, brief))
    d = decision(advice, "orders")
    assert d.verdict == Verdict.PARTITION and d.chosen is not None
    assert d.chosen.key == "LIST (region) of 3 value(s)" and d.chosen.pruning_share == 1.0
    # No HASH on the same column: with every value known, a LIST gives each its own partition.
    assert not any(c.key.startswith("HASH (region)") for c in d.candidates)
    table = advice.catalog.table("orders")
    assert table is not None and table.partitioning is not None
    assert [p.bounds for p in table.partitioning.partitions] == [("'eu'",), ("'us'",), ("'apac'",)]
    assert [c.value for c in table.primary_key.columns] == ["id", "region"]  # type: ignore[union-attr]


def test_mariadb_cannot_list_an_enum_and_hashes_it_instead(tmp_path: Path) -> None:
    """Measured on MariaDB 10.11: LIST/RANGE COLUMNS refuse ENUM keys; KEY (hash) takes them."""
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, region enum('eu','us','apac') NOT NULL, "
        "customer_id bigint NOT NULL, total decimal(12,2) NOT NULL, note text);"
    )
    brief = {
        "engine": "mariadb 10.11",
        "schema": {"ddl": {"path": "schema.sql", "dialect": "mariadb"}},
        "tables": {
            "orders": {
                "rows": "1.5B",
                "growth": "100000/day",
                "columns": {"region": {"distinct": 3, "hot_values": {"eu": 0.7, "us": 0.25, "apac": 0.05}}},
            }
        },
        "workload": [
            {
                "name": "regional",
                "sql": "SELECT id FROM orders WHERE region = :r AND customer_id = :c",
                "rate": 50,
            }
        ],
    }
    (tmp_path / "brief.yaml").write_text(yaml.safe_dump(brief))
    d = decision(advise(api.inspect_brief(tmp_path / "brief.yaml")), "orders")
    keys = [c.key for c in d.candidates]
    assert not any(k.startswith("LIST (region)") for k in keys)
    assert any(k.startswith("HASH (region)") for k in keys)
