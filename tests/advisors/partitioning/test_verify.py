"""The target, measured by EXPLAIN on the real engines: on the IoT and SaaS example briefs at least
95% of the weighted workload touches at most two partitions of the partitioned design; the
planner's count agrees with the model's for every statement; the scratch databases are left empty."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
import yaml

from dbarchitect import api
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError
from dbarchitect.model.names import EngineName
from dbarchitect.verify.partitioning import PruningMeasurement, measure_pruning
from tests.advisors.partitioning.briefs import EXAMPLES, advise, inspect
from tests.advisors.partitioning.test_decisions import REGION_DDL
from tests.conftest import mariadb_connect

TARGET = 0.95


def _agrees(measured: PruningMeasurement, model: dict[str, float]) -> None:
    assert not measured.errors, [(s.statement, s.error) for s in measured.errors]
    for s in measured.statements:
        assert s.partitions == pytest.approx(model[s.statement]), (s.statement, s.how, s.plan)


def test_iot_on_postgresql(pg_scratch_db: str) -> None:
    result = api.advise_partitioning(
        EXAMPLES / "iot" / "brief.yaml", engine_urls={"postgresql": pg_scratch_db}
    )
    (measured,) = result.measurements
    assert measured.engine == "PostgreSQL 15"
    assert measured.weighted_within_two >= TARGET
    assert measured.partitioned_within_two is not None and measured.partitioned_within_two >= TARGET
    _agrees(measured, {s.statement: s.partitions for s in result.advice.statements})
    by_name = {s.statement: s for s in measured.statements}
    # device_latest: the plan lists every partition under its LIMIT, in bound order (ordered Append);
    # the executor stops at the newest partition holding the device (proved with data below).
    latest = by_name["device_latest"]
    assert latest.listed == 15 and latest.how.startswith("ordered Append under Limit")
    assert [line.strip() for line in latest.plan[:2]] == ["Limit", "Append"]
    assert by_name["device_chart"].listed == 1 and by_name["site_summary"].listed == 2
    assert by_name["ingest_reading"].how.startswith("INSERT")
    # prepared, the same statements prune at executor start: the generic plan keeps what the literal
    # plan lists and says how many partitions it removed (every other one of the 15)
    for name in ("device_chart", "site_summary"):
        s = by_name[name]
        assert s.generic_listed == s.listed, (name, s.generic_listed, s.listed)
        assert s.subplans_removed == 15 - s.listed, (name, s.subplans_removed)
    assert by_name["ingest_reading"].generic_listed is None  # an INSERT's plan names only the parent
    with psycopg.connect(pg_scratch_db) as conn:
        row = conn.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'readings%'").fetchone()
    assert row == (0,)  # rolled back


def test_saas_on_mariadb_and_postgresql(mariadb_scratch_db: str, pg_scratch_db: str) -> None:
    result = api.advise_partitioning(
        EXAMPLES / "saas" / "brief.yaml",
        engine_urls={"mariadb": mariadb_scratch_db, "postgresql": pg_scratch_db},
    )
    maria, pg = result.measurements
    assert maria.engine == "MariaDB 10.11" and pg.engine == "PostgreSQL 15"
    model = {s.statement: s.partitions for s in result.advice.statements}
    for measured in (maria, pg):
        assert measured.weighted_within_two >= TARGET
        _agrees(measured, model)
        trail = next(s for s in measured.statements if s.statement == "tenant_audit_trail")
        assert trail.listed == 2
    history = next(s for s in maria.statements if s.statement == "task_history")
    assert history.listed == 60 and "p_future" in history.plan[0]
    conn = mariadb_connect(mariadb_scratch_db, mariadb_scratch_db.rsplit("/", 1)[1])
    try:
        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM information_schema.tables WHERE table_schema = DATABASE()")
            assert cur.fetchone() == (0,)  # emptied after
    finally:
        conn.close()


def test_ordered_scan_stops_at_the_limit_with_rows(pg_scratch_db: str) -> None:
    """What the model counts for device_latest, observed: EXPLAIN ANALYZE with a reading in the
    newest week runs the empty partition made ahead and that week's, and never the older ones."""
    result = api.advise_partitioning(EXAMPLES / "iot" / "brief.yaml")
    schema = render_schema(result.advice.catalog, get_traits("postgresql", "15"))
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(schema)  # type: ignore[arg-type]
        conn.execute("INSERT INTO sites (customer_name, name, country_code) VALUES ('c', 's', 'DE')")
        conn.execute("INSERT INTO devices (serial_no, site_id, model) VALUES ('d1', 1, 'TH-200')")
        conn.execute(
            "INSERT INTO readings (device_id, recorded_at, temperature_c) "
            "SELECT 1, timestamptz '2025-09-05 00:00+00' + g * interval '15 minutes', 4 "
            "FROM generate_series(0, 8500) g"
        )
        conn.execute("ANALYZE readings")
        rows = conn.execute(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) SELECT recorded_at, temperature_c FROM readings "
            "WHERE device_id = 1 ORDER BY recorded_at DESC LIMIT 1"
        ).fetchall()
    plan = [str(r[0]) for r in rows]
    scans = [line for line in plan if "Scan" in line]
    ran = [line for line in scans if "never executed" not in line]
    assert len(scans) == 15 and len(ran) == 2, plan


def test_a_non_empty_mariadb_database_is_refused(mariadb_scratch_db: str) -> None:
    conn = mariadb_connect(mariadb_scratch_db, mariadb_scratch_db.rsplit("/", 1)[1])
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE keep_me (id int)")
    finally:
        conn.close()
    with pytest.raises(DbarchError, match="is not empty"):
        api.advise_partitioning(EXAMPLES / "saas" / "brief.yaml", engine_urls={"mariadb": mariadb_scratch_db})


def test_list_and_hash_designs_run_and_prune(
    tmp_path: Path, pg_scratch_db: str, mariadb_scratch_db: str
) -> None:
    """A LIST design on PostgreSQL (an enum with every value known) and a KEY (hash) design on
    MariaDB (which cannot LIST an enum) are created on the engine and every statement prunes to one
    partition there."""
    regional = [
        {
            "name": "regional",
            "sql": "SELECT id FROM orders WHERE region = :r AND customer_id = :c",
            "rate": 50,
        },
        {
            "name": "place",
            "sql": "INSERT INTO orders (id, region, customer_id, total) VALUES (:i, :r, :c, :t)",
            "rate": 2,
        },
    ]
    sizes = {
        "orders": {
            "rows": "1.5B",
            "growth": "100000/day",
            "columns": {"region": {"distinct": 3, "hot_values": {"eu": 0.7, "us": 0.25, "apac": 0.05}}},
        }
    }
    pg = advise(
        inspect(tmp_path, REGION_DDL, {"engine": "postgresql 15", "tables": sizes, "workload": regional})
    )
    (m,) = [measure_pruning(pg, pg_scratch_db, EngineName.POSTGRESQL)]
    assert not m.errors and [s.listed for s in m.statements] == [1, 1]
    (tmp_path / "maria").mkdir()
    (tmp_path / "maria" / "schema.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, region enum('eu','us','apac') NOT NULL, "
        "customer_id bigint NOT NULL, total decimal(12,2) NOT NULL);"
    )
    brief = {
        "engine": "mariadb 10.11",
        "schema": {"ddl": {"path": "schema.sql", "dialect": "mariadb"}},
        "tables": {"orders": {**sizes["orders"], "rows": "3B"}},
        "workload": regional,
    }
    (tmp_path / "maria" / "brief.yaml").write_text(yaml.safe_dump(brief))
    maria = advise(api.inspect_brief(tmp_path / "maria" / "brief.yaml"))
    chosen = maria.decisions[0].chosen
    assert chosen is not None and chosen.layout.method.value == "hash"  # KEY partitioning on MariaDB
    m2 = measure_pruning(maria, mariadb_scratch_db, EngineName.MARIADB)
    assert not m2.errors and [s.listed for s in m2.statements] == [1, 1]
