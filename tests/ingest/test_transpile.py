"""Workload statements translated between engines: upserts change family, and the result runs."""

from __future__ import annotations

import sqlite3

import pytest

from dbarchitect.errors import SqlError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog
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


# -- null ordering: spelled out only where NULLs can occur ------------------------------------------

ORDER_DDL = (
    "CREATE TABLE posts (id integer PRIMARY KEY, title text NOT NULL, published_at timestamp);"
    "CREATE TABLE comments (id integer PRIMARY KEY, post_id integer NOT NULL REFERENCES posts (id), "
    "created_at timestamp NOT NULL, title text);"
)


def _order_catalog() -> Catalog:
    return load_ddl(ORDER_DDL, E.SQLITE)


@pytest.mark.parametrize(
    ("sql", "source", "target", "with_catalog", "without"),
    [
        # NOT NULL column: the target's own order (an index on created_at serves it)
        (
            "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id ORDER BY c.created_at LIMIT 5",
            E.SQLITE,
            E.POSTGRESQL,
            "ORDER BY c.created_at LIMIT 5",
            "ORDER BY c.created_at NULLS FIRST LIMIT 5",
        ),
        (
            "SELECT id FROM comments ORDER BY created_at DESC, id DESC",
            E.POSTGRESQL,
            E.MARIADB,
            "ORDER BY created_at DESC, id DESC",
            "CASE WHEN created_at IS NULL",
        ),
        (
            "SELECT id FROM comments ORDER BY id",
            E.POSTGRESQL,
            E.SQLITE,
            "ORDER BY id",
            "ORDER BY id NULLS LAST",
        ),
        # a nullable column keeps the source engine's order, spelled out
        (
            "SELECT id FROM posts ORDER BY published_at DESC",
            E.SQLITE,
            E.POSTGRESQL,
            "ORDER BY published_at DESC NULLS LAST",
            "ORDER BY published_at DESC NULLS LAST",
        ),
        # a name two tables share, unqualified, cannot be resolved: kept
        (
            "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id ORDER BY title",
            E.SQLITE,
            E.POSTGRESQL,
            "ORDER BY title NULLS FIRST",
            "ORDER BY title NULLS FIRST",
        ),
        # a select-list alias is judged by what it names: a NOT NULL column, a nullable one, a COUNT
        (
            "SELECT c.id, p.title AS t FROM comments c JOIN posts p ON p.id = c.post_id ORDER BY t",
            E.SQLITE,
            E.POSTGRESQL,
            "ORDER BY t",
            "ORDER BY t NULLS FIRST",
        ),
        (
            "SELECT p.published_at AS t FROM posts p ORDER BY t",
            E.SQLITE,
            E.POSTGRESQL,
            "ORDER BY t NULLS FIRST",
            "ORDER BY t NULLS FIRST",
        ),
        (
            "SELECT post_id, COUNT(*) AS n FROM comments GROUP BY post_id ORDER BY n DESC",
            E.POSTGRESQL,
            E.MARIADB,
            "ORDER BY n DESC",
            "CASE WHEN COUNT(*) IS NULL",
        ),
    ],
)
def test_null_ordering_dropped_for_not_null_columns(
    sql: str, source: E, target: E, with_catalog: str, without: str
) -> None:
    catalog = _order_catalog()
    assert with_catalog in transpile_statement(sql, source, target, catalog)
    assert without in transpile_statement(sql, source, target)


def test_null_ordering_rewrite_keeps_the_rows_in_order() -> None:
    """On SQLite, the statement as written and as translated there and back order the same rows."""
    conn = sqlite3.connect(":memory:")
    conn.executescript(ORDER_DDL)
    conn.executemany(
        "INSERT INTO posts VALUES (?, ?, ?)",
        [(i, f"t{i}", None if i % 3 else f"2024-01-0{i % 9 + 1}") for i in range(1, 30)],
    )
    conn.executemany(
        "INSERT INTO comments VALUES (?, ?, ?, ?)",
        [(i, i % 29 + 1, f"2024-02-{i % 27 + 1:02d} 10:{i:02d}", None) for i in range(1, 60)],
    )
    catalog = _order_catalog()
    for sql in (
        "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id ORDER BY c.created_at, c.id",
        "SELECT id FROM posts ORDER BY published_at DESC, id",
    ):
        there = transpile_statement(sql, E.SQLITE, E.POSTGRESQL, catalog)
        back = transpile_statement(there, E.POSTGRESQL, E.SQLITE, catalog)
        assert conn.execute(sql).fetchall() == conn.execute(back).fetchall(), back


def test_derived_column_list_written_for_engines_without_it() -> None:
    """MariaDB 10.11 refuses ``(SELECT ...) AS t (a, b)`` (TPC-H Q13); the names go on the select list."""
    sql = "SELECT n, COUNT(*) FROM (SELECT post_id, COUNT(*) FROM comments GROUP BY post_id) AS c (p, n) GROUP BY n"
    for target in (E.MARIADB, E.MYSQL, E.SQLITE):
        out = transpile_statement(sql, E.POSTGRESQL, target)
        assert "AS c (" not in out.replace("AS c(", "AS c (") and "COUNT(*) AS n" in out, (target, out)
    assert "AS c(p, n)" in transpile_statement(sql, E.POSTGRESQL, E.POSTGRESQL).replace("AS c (", "AS c(")
    conn = sqlite3.connect(":memory:")
    conn.executescript(ORDER_DDL)
    conn.execute("INSERT INTO posts VALUES (1, 't', NULL)")
    conn.executemany("INSERT INTO comments VALUES (?, 1, '2024-01-01', NULL)", [(1,), (2,)])
    assert conn.execute(transpile_statement(sql, E.POSTGRESQL, E.SQLITE)).fetchall() == [(2, 1)]
