"""The batched backfill recipe: pacing from write rates, and the DO block run for real on PostgreSQL
(key ranges of single and composite keys, a re-run that skips finished rows, the fallback without a
key, the closing report read back)."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.advisors.migrations.backfill import (
    MAX_PAUSE_RATIO,
    MIN_PAUSE_RATIO,
    Backfill,
    backfill,
    batch_key,
    pacing_for,
    parse_backfill_notice,
)
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName

PG = get_traits("postgresql", "15")


def _table(ddl: str):  # type: ignore[no-untyped-def]
    return load_ddl(ddl, EngineName.POSTGRESQL).tables[0]


def test_pacing_leaves_the_applications_share_of_the_node() -> None:
    assert pacing_for(None).pause_ratio == MIN_PAUSE_RATIO
    assert pacing_for(10.0).pause_ratio == MIN_PAUSE_RATIO  # far below what one node sustains
    half = pacing_for(2_500.0, node_write_rate=5_000.0)
    assert half.pause_ratio == pytest.approx(1.0)  # the application needs half the time: sleep 1x
    assert pacing_for(1e9).pause_ratio == pytest.approx(MAX_PAUSE_RATIO)
    assert "2,500 writes/s" in half.describe()


def test_batch_key_is_the_primary_key_else_a_not_null_unique_key() -> None:
    assert [
        c.value for c in batch_key(_table("CREATE TABLE t (a int, b int, PRIMARY KEY (a, b));")) or ()
    ] == [
        "a",
        "b",
    ]
    assert batch_key(_table("CREATE TABLE t (a int UNIQUE, b int);")) is None  # NULLs cannot be walked
    key = batch_key(_table("CREATE TABLE t (a int NOT NULL UNIQUE, b int);"))
    assert key is not None and [c.value for c in key] == ["a"]


def _run(conn: psycopg.Connection, recipe: Backfill) -> list[str]:
    notices: list[str] = []
    conn.add_notice_handler(lambda d: notices.append(str(d.message_primary)))
    for s in (*recipe.session_sql, *recipe.sql):
        conn.execute(s)  # type: ignore[call-overload]
    return notices


@pytest.mark.parametrize(
    "ddl",
    [
        "CREATE TABLE t (id bigint PRIMARY KEY, v int, w bigint)",
        "CREATE TABLE t (a int, b text, v int, w bigint, PRIMARY KEY (a, b))",
        'CREATE TABLE t ("Key" text NOT NULL UNIQUE, v int, w bigint)',
    ],
)
def test_the_block_fills_every_row_once_in_key_ranges(pg_scratch_db: str, ddl: str) -> None:
    table = _table(ddl + ";")
    recipe = backfill(PG, table, "t", "w = v", "w IS DISTINCT FROM v::bigint", procedural=True)
    assert not recipe.transactional and not recipe.repeat_until_no_rows
    key = [c.value for c in batch_key(table) or ()]
    fill = {
        "id": "INSERT INTO t (id, v) SELECT g, g FROM generate_series(1, 30000) g",
        "a": "INSERT INTO t (a, b, v) SELECT g % 7, 'k' || g, g FROM generate_series(1, 30000) g",
        "Key": 'INSERT INTO t ("Key", v) SELECT md5(g::text), g FROM generate_series(1, 30000) g',
    }[key[0]]
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(ddl)  # type: ignore[call-overload]
        conn.execute(fill)  # type: ignore[call-overload]
        conn.execute("UPDATE t SET w = v WHERE v % 3 = 0")  # a third done already (a re-run)
        notices = _run(conn, recipe)
        left = conn.execute("SELECT count(*) FROM t WHERE w IS DISTINCT FROM v").fetchone()
    assert left == (0,)
    report = parse_backfill_notice(notices[-1])
    assert report is not None and report.table == "t"
    assert report.rows == 20_000  # only the rows that still needed it
    assert report.batches >= 2 and report.slowest_seconds > 0 and report.paused_seconds >= 0


def test_without_a_key_the_statement_is_repeated(pg_scratch_db: str) -> None:
    table = _table("CREATE TABLE t (v int, w bigint);")
    recipe = backfill(PG, table, "t", "w = v", "w IS NULL", procedural=True)
    assert recipe.repeat_until_no_rows and recipe.transactional and "no primary key" in recipe.notes[0]
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (v int, w bigint)")
        conn.execute("INSERT INTO t (v) SELECT g FROM generate_series(1, 12000) g")
        rounds = 0
        while conn.execute(recipe.sql[0]).rowcount:  # type: ignore[call-overload]
            rounds += 1
        assert rounds == 3 and conn.execute("SELECT count(*) FROM t WHERE w IS NULL").fetchone() == (0,)


def test_an_engine_without_commit_in_blocks_gets_the_repeated_statement() -> None:
    table = _table("CREATE TABLE t (id int PRIMARY KEY, v int, w bigint);")
    recipe = backfill(PG, table, "t", "w = v", "w IS NULL", procedural=False)
    assert recipe.repeat_until_no_rows and "cannot commit inside a block" in recipe.notes[0]


def test_a_name_with_quotes_and_percent_signs_survives_the_notice(pg_scratch_db: str) -> None:
    table = _table('CREATE TABLE "it\'s 100%" (id int PRIMARY KEY, v int, w bigint);')
    recipe = backfill(PG, table, PG.quote(table.name), "w = v", "w IS NULL", procedural=True)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute('CREATE TABLE "it\'s 100%" (id int PRIMARY KEY, v int, w bigint)')
        conn.execute('INSERT INTO "it\'s 100%" (id, v) SELECT g, g FROM generate_series(1, 500) g')
        notices = _run(conn, recipe)
    report = parse_backfill_notice(notices[-1])
    assert report is not None and report.table == "it's 100%" and report.rows == 500
