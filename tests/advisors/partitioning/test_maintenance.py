"""The maintenance plan runs on the real engines: the partitioned design is created, the scheduled
procedure is installed and called at a later time, and the partitions it should make ahead appear
and the expired ones disappear (rows in the kept ones stay). pg_partman's configuration runs too."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pytest

from dbarchitect.advisors.partitioning import PartitionAdvice
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.partition_sql import _mysql_floor, _pg_floor, partman_sql
from dbarchitect.engines.registry import get_traits
from dbarchitect.model.intervals import TimeUnit, add_units, floor_to
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind
from tests.advisors.partitioning.briefs import EVENTS_DDL, TODAY, advise, decision, events_brief, inspect
from tests.conftest import describe, engine_unavailable, mariadb_connect
from tests.engine_exec import execute_script


def _advice(tmp: Path, engine: str) -> PartitionAdvice:
    return advise(inspect(tmp, EVENTS_DDL, events_brief(engine=engine)))


def _pg_partitions(conn: psycopg.Connection[tuple[object, ...]], table: str) -> list[str]:
    rows = conn.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent = %s::regclass ORDER BY 1",
        (table,),
    ).fetchall()
    return [str(r[0]) for r in rows]


def test_postgresql_procedure_makes_partitions_ahead_and_drops_expired(
    tmp_path: Path, pg_scratch_db: str
) -> None:
    advice = _advice(tmp_path, "postgresql 15")
    d = decision(advice, "events")
    assert d.maintenance is not None and d.chosen is not None
    unit = d.chosen.layout.unit
    assert unit == TimeUnit.WEEK
    traits = get_traits("postgresql", "15")
    later = TODAY + timedelta(weeks=3)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(render_schema(advice.catalog, traits))  # type: ignore[arg-type]
        before = _pg_partitions(conn, "events")
        conn.execute("INSERT INTO accounts VALUES (1, 'a')")
        # A row in the oldest kept week and one in the current week.
        conn.execute(
            "INSERT INTO events (account_id, kind, created_at) VALUES (1, 'x', %s), (1, 'y', %s)",
            (TODAY - timedelta(days=80), TODAY),
        )
        for sql in d.maintenance.setup_sql:
            conn.execute(sql)  # type: ignore[arg-type]
        assert d.maintenance.run_sql == ("CALL events_maintain_partitions()",)
        conn.execute("CALL events_maintain_partitions(%s)", (later,))
        after = _pg_partitions(conn, "events")
        # Ahead: every week up to one past the week holding `later` exists now.
        last = add_units(floor_to(later, unit), unit, 1)
        assert f"events_p{last:%Y%m%d}" in after
        # Expired: partitions whose upper bound is older than later - 90 days are gone.
        cutoff = later - timedelta(days=90)
        for name in before:
            start = name.removeprefix("events_p")
            upper = add_units(datetime.strptime(start, "%Y%m%d").replace(tzinfo=UTC), unit, 1)
            assert (name in after) == (upper > cutoff), name
        # Rows in kept partitions are still there; a row at `later` has a partition to go to.
        conn.execute("INSERT INTO events (account_id, kind, created_at) VALUES (1, 'z', %s)", (later,))
        kinds = sorted(str(r[0]) for r in conn.execute("SELECT kind FROM events").fetchall())
        assert kinds == ["y", "z"]  # 'x' (80 days before TODAY) expired with its partition
        # Running it again changes nothing.
        conn.execute("CALL events_maintain_partitions(%s)", (later,))
        assert _pg_partitions(conn, "events") == after


def test_mariadb_procedure_splits_the_catch_all_and_drops_expired(
    tmp_path: Path, mariadb_scratch_db: str
) -> None:
    advice = _advice(tmp_path, "mariadb 10.11")
    d = decision(advice, "events")
    assert d.maintenance is not None and d.chosen is not None and d.chosen.layout.catch_all
    traits = get_traits("mariadb", "10.11")
    later = TODAY + timedelta(weeks=3)
    execute_script(mariadb_scratch_db, render_schema(advice.catalog, traits))
    conn = mariadb_connect(mariadb_scratch_db, urlsplit(mariadb_scratch_db).path.lstrip("/"))
    try:
        with conn.cursor() as cur:
            cur.execute("INSERT INTO accounts VALUES (1, 'a')")

            def partitions() -> list[str]:
                cur.execute(
                    "SELECT PARTITION_NAME FROM information_schema.PARTITIONS WHERE TABLE_SCHEMA = DATABASE() "
                    "AND TABLE_NAME = 'events' ORDER BY PARTITION_ORDINAL_POSITION"
                )
                return [str(r[0]) for r in cur.fetchall()]

            before = partitions()
            assert before[-1] == "p_future"
            cur.execute(
                "INSERT INTO events (account_id, kind, created_at) VALUES (1, 'x', %s), (1, 'y', %s)",
                ((TODAY - timedelta(days=80)).replace(tzinfo=None), TODAY.replace(tzinfo=None)),
            )
            for sql in d.maintenance.setup_sql:
                cur.execute(sql)
            cur.execute(
                f"CALL {traits.quote(Name('events_maintain_partitions'))}(%s)", (later.replace(tzinfo=None),)
            )
            after = partitions()
            last = add_units(floor_to(later, TimeUnit.WEEK), TimeUnit.WEEK, 1)
            assert f"p{last:%Y%m%d}" in after and after[-1] == "p_future"
            cutoff = later - timedelta(days=90)
            dropped = [p for p in before if p not in after]
            assert dropped and all(p.startswith("p20") for p in dropped)
            kept_first = after[0]
            assert kept_first > f"p{(cutoff - timedelta(days=7)):%Y%m%d}"
            cur.execute("SELECT kind FROM events ORDER BY kind")
            assert [str(r[0]) for r in cur.fetchall()] == ["y"]
            cur.execute("SELECT count(*) FROM events PARTITION (p_future)")
            assert cur.fetchone() == (0,)  # the catch-all stays empty
            cur.execute("SELECT EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()")
            assert [str(r[0]) for r in cur.fetchall()] == ["events_maintain_partitions_daily"]
    finally:
        conn.close()


def test_pg_partman_configuration_runs(tmp_path: Path, pg_scratch_db: str) -> None:
    traits = get_traits("postgresql", "15")
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        try:
            conn.execute("CREATE SCHEMA IF NOT EXISTS partman")
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman")
        except psycopg.Error as exc:
            engine_unavailable(
                f"pg_partman is not installable: {describe(exc)} (apt-get install postgresql-15-partman)"
            )
        row = conn.execute("SELECT extversion FROM pg_extension WHERE extname = 'pg_partman'").fetchone()
        assert row is not None
        major = int(str(row[0]).split(".")[0])
        conn.execute(
            "CREATE TABLE events (id bigint NOT NULL, created_at timestamptz NOT NULL, "
            "PRIMARY KEY (id, created_at)) PARTITION BY RANGE (created_at)"
        )
        for sql in partman_sql(
            Name("events"), Name("created_at"), TimeUnit.WEEK, 1, 90, traits, partman_major=major
        ):
            conn.execute(sql)  # type: ignore[arg-type]
        parts = _pg_partitions(conn, "events")
        assert "events_default" in parts and len(parts) >= 3  # the current week, premade ones, the default
        config = conn.execute(
            "SELECT partition_interval, premake, retention FROM partman.part_config WHERE parent_table = 'public.events'"
        ).fetchone()
        assert config is not None and config[1] == 1 and config[2] == "90 days"


INSTANTS = [
    datetime(2020, 1, 1, tzinfo=UTC) + timedelta(seconds=s)
    for s in random.Random(11).sample(range(0, 10 * 365 * 86400), 300)
] + [datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC), datetime(2025, 12, 29, tzinfo=UTC)]


@pytest.mark.parametrize("unit", list(TimeUnit))
def test_interval_starts_agree_with_postgresql(unit: TimeUnit, pg_scratch_db: str) -> None:
    """The partitions created with the table and those the maintenance makes start at the same
    instants: Python's floor_to against the procedure's date_trunc expression."""
    floor = _pg_floor(unit, LogicalType(TypeKind.TIMESTAMPTZ), "t")
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("SET TimeZone = 'Europe/Berlin'")  # the session's zone must not matter
        rows = conn.execute(f"SELECT t, {floor} FROM unnest(%s::timestamptz[]) AS t", (INSTANTS,)).fetchall()
    for t, start in rows:
        # compared in UTC: Python never equates an instant in a DST fold with one in another zone
        assert start.astimezone(UTC) == floor_to(t, unit), (t, unit)


@pytest.mark.parametrize("unit", list(TimeUnit))
def test_interval_starts_agree_with_mariadb(unit: TimeUnit, mariadb_scratch_db: str) -> None:
    floor = _mysql_floor(unit, "t")
    values = " UNION ALL ".join(f"SELECT TIMESTAMP '{t:%Y-%m-%d %H:%M:%S}' AS t" for t in INSTANTS)
    conn = mariadb_connect(mariadb_scratch_db, urlsplit(mariadb_scratch_db).path.lstrip("/"))
    try:
        with conn.cursor() as cur:
            cur.execute(f"SELECT t, {floor} FROM ({values}) AS x")
            rows = cur.fetchall()
    finally:
        conn.close()
    for t, start in rows:
        assert start.replace(tzinfo=UTC) == floor_to(t.replace(tzinfo=UTC), unit), (t, unit)
