"""Workload statements translated between engines: upserts change family, and the result runs."""

from __future__ import annotations

import sqlite3

import pytest

from dbarchitect.errors import SqlError
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.names import EngineName as E
from tests.engine_exec import mariadb_connect

TABLE = "CREATE TABLE payments (id INTEGER PRIMARY KEY, provider_ref VARCHAR(40) NOT NULL UNIQUE, amount INTEGER, status VARCHAR(20))"
PG_UPSERT = (
    "INSERT INTO payments (id, provider_ref, amount, status) VALUES (1, 'r1', 5, 'captured') "
    "ON CONFLICT (provider_ref) DO UPDATE SET status = EXCLUDED.status, amount = excluded.amount + 1"
)

CASES = [
    (
        PG_UPSERT,
        E.POSTGRESQL,
        E.MARIADB,
        "ON DUPLICATE KEY UPDATE status = VALUES(status), amount = VALUES(amount) + 1",
    ),
    (PG_UPSERT, E.POSTGRESQL, E.MYSQL, "ON DUPLICATE KEY UPDATE status = VALUES(status)"),
    (PG_UPSERT, E.POSTGRESQL, E.SQLITE, "ON CONFLICT(provider_ref) DO UPDATE SET status = EXCLUDED.status"),
    (
        "INSERT INTO payments (id) VALUES (1) ON CONFLICT DO NOTHING",
        E.POSTGRESQL,
        E.MARIADB,
        "INSERT IGNORE INTO payments",
    ),
    (
        "INSERT INTO payments (id) VALUES (1) ON DUPLICATE KEY UPDATE amount = VALUES(amount)",
        E.MARIADB,
        E.MYSQL,
        "ON DUPLICATE KEY UPDATE amount = VALUES(amount)",
    ),
]


@pytest.mark.parametrize(("sql", "source", "target", "expected"), CASES)
def test_upsert_is_written_in_the_target_family(sql: str, source: E, target: E, expected: str) -> None:
    assert expected in transpile_statement(sql, source, target)


@pytest.mark.parametrize(
    ("sql", "source", "target", "message"),
    [
        (
            "INSERT INTO payments (id) VALUES (1) ON DUPLICATE KEY UPDATE amount = VALUES(amount)",
            E.MARIADB,
            E.POSTGRESQL,
            "names no conflict target",
        ),
        (
            PG_UPSERT + " WHERE payments.amount < excluded.amount",
            E.POSTGRESQL,
            E.MARIADB,
            "no conditional upsert",
        ),
    ],
)
def test_upserts_that_cannot_be_translated_say_why(sql: str, source: E, target: E, message: str) -> None:
    with pytest.raises(SqlError, match=message):
        transpile_statement(sql, source, target)


def _run_twice_on_sqlite(sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(":memory:")
    conn.execute(TABLE)
    conn.execute(sql)
    conn.execute(sql)
    return conn.execute("SELECT id, provider_ref, amount, status FROM payments").fetchall()


def test_translated_upsert_runs_on_sqlite() -> None:
    rows = _run_twice_on_sqlite(transpile_statement(PG_UPSERT, E.POSTGRESQL, E.SQLITE))
    assert rows == [(1, "r1", 6, "captured")]


@pytest.mark.mariadb
def test_translated_upsert_runs_on_mariadb_with_the_same_effect(mariadb_scratch_db: str) -> None:
    sql = transpile_statement(PG_UPSERT, E.POSTGRESQL, E.MARIADB)
    conn = mariadb_connect(mariadb_scratch_db)
    try:
        with conn.cursor() as cur:
            cur.execute(TABLE)
            cur.execute(sql)
            cur.execute(sql)
            cur.execute("SELECT id, provider_ref, amount, status FROM payments")
            rows = [tuple(r) for r in cur.fetchall()]
    finally:
        conn.close()
    # The same rows SQLite (ON CONFLICT, as PostgreSQL) ends with.
    assert rows == _run_twice_on_sqlite(transpile_statement(PG_UPSERT, E.POSTGRESQL, E.SQLITE))
