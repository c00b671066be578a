"""The engine fixtures of tests/conftest.py give real, empty, distinct databases that are dropped after
the test, HypoPG is installable on PostgreSQL, and a missing engine skips locally but fails under CI."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg
import pymysql
import pytest

from tests.engine_exec import mariadb_connect

CONFTEST = Path(__file__).with_name("conftest.py")


def _db_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


# --- PostgreSQL ----------------------------------------------------------------------------------


def _pg_user_tables(url: str) -> list[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema not in ('pg_catalog', 'information_schema') order by 1"
        ).fetchall()
    return [str(r[0]) for r in rows]


def _pg_databases(server_url: str) -> set[str]:
    with psycopg.connect(server_url) as conn:
        return {str(r[0]) for r in conn.execute("select datname from pg_database").fetchall()}


def test_pg_scratch_db_is_a_fresh_empty_database(pg_server_url: str, pg_scratch_db: str) -> None:
    name = _db_name(pg_scratch_db)
    assert name.startswith("dbarch_t_")
    assert name != _db_name(pg_server_url)
    assert urlsplit(pg_scratch_db).netloc == urlsplit(pg_server_url).netloc
    with psycopg.connect(pg_scratch_db) as conn:
        assert conn.execute("select current_database()").fetchone() == (name,)
    assert _pg_user_tables(pg_scratch_db) == []


def test_pg_scratch_dbs_are_isolated(make_pg_scratch_db: Callable[[], str]) -> None:
    first, second = make_pg_scratch_db(), make_pg_scratch_db()
    assert _db_name(first) != _db_name(second)
    with psycopg.connect(first) as conn:
        conn.execute("create table probe (id int primary key)")
        conn.execute("insert into probe values (1), (2)")
    with psycopg.connect(first) as conn:
        assert conn.execute("select count(*) from probe").fetchone() == (2,)
    assert _pg_user_tables(first) == ["public.probe"]
    assert _pg_user_tables(second) == []


@pytest.fixture
def pg_dropped_after(pg_server_url: str) -> Iterator[list[str]]:
    """Collects scratch URLs; after the test's own fixtures are torn down, asserts they are gone.

    Requested before ``pg_scratch_db``, so it is set up first and torn down last."""
    urls: list[str] = []
    yield urls
    assert urls, "the test recorded no scratch database"
    left = {_db_name(u) for u in urls} & _pg_databases(pg_server_url)
    assert not left, f"scratch databases not dropped: {sorted(left)}"


def test_pg_scratch_db_is_dropped_after_the_test(
    pg_dropped_after: list[str], pg_scratch_db: str, pg_server_url: str
) -> None:
    with psycopg.connect(pg_scratch_db) as conn:
        conn.execute("create table probe (id int)")
    assert _db_name(pg_scratch_db) in _pg_databases(pg_server_url)
    pg_dropped_after.append(pg_scratch_db)


def test_pg_hypopg_is_installable(pg_has_hypopg: str, pg_scratch_db: str) -> None:
    assert pg_has_hypopg == pg_scratch_db
    with psycopg.connect(pg_has_hypopg) as conn:
        conn.execute("create table orders (id int, customer_id int)")
        conn.execute("select * from hypopg_create_index('create index on orders (customer_id)')")
        rows = conn.execute("select index_name, table_name from hypopg_list_indexes").fetchall()
    assert len(rows) == 1
    assert rows[0][1] == "orders"


def test_pg_stat_statements_records_statements(pg_has_pg_stat_statements: str) -> None:
    with psycopg.connect(pg_has_pg_stat_statements, autocommit=True) as conn:
        conn.execute("select pg_stat_statements_reset()")
        conn.execute("create table probe (id int)")
        for i in range(3):
            conn.execute("select count(*) from probe where id = %s", (i,))
        rows = conn.execute(
            "select calls from pg_stat_statements s join pg_database d on d.oid = s.dbid "
            "where d.datname = current_database() and s.query like %s",
            ("select count(*) from probe where id = $1",),
        ).fetchall()
    assert rows == [(3,)]


# --- MariaDB -------------------------------------------------------------------------------------


def _maria(url: str) -> pymysql.connections.Connection:
    return mariadb_connect(url, _db_name(url) or None)


def _maria_rows(url: str, query: str, args: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = _maria(url)
    try:
        with conn.cursor() as cur:
            cur.execute(query, args)
            return list(cur.fetchall())
    finally:
        conn.close()


def _maria_tables(url: str) -> list[str]:
    rows = _maria_rows(
        url,
        "select table_name from information_schema.tables where table_schema = %s order by 1",
        (_db_name(url),),
    )
    return [str(r[0]) for r in rows]


def _maria_databases(server_url: str) -> set[str]:
    return {str(r[0]) for r in _maria_rows(server_url, "show databases")}


def test_mariadb_scratch_db_is_a_fresh_empty_database(
    mariadb_server_url: str, mariadb_scratch_db: str
) -> None:
    name = _db_name(mariadb_scratch_db)
    assert name.startswith("dbarch_t_")
    assert urlsplit(mariadb_scratch_db).netloc == urlsplit(mariadb_server_url).netloc
    assert _maria_rows(mariadb_scratch_db, "select database()") == [(name,)]
    assert _maria_tables(mariadb_scratch_db) == []


def test_mariadb_scratch_dbs_are_isolated(make_mariadb_scratch_db: Callable[[], str]) -> None:
    first, second = make_mariadb_scratch_db(), make_mariadb_scratch_db()
    assert _db_name(first) != _db_name(second)
    _maria_rows(first, "create table probe (id int primary key)")
    _maria_rows(first, "insert into probe values (1), (2)")
    assert _maria_rows(first, "select count(*) from probe") == [(2,)]
    assert _maria_tables(first) == ["probe"]
    assert _maria_tables(second) == []


@pytest.fixture
def mariadb_dropped_after(mariadb_server_url: str) -> Iterator[list[str]]:
    """Like ``pg_dropped_after``, for MariaDB."""
    urls: list[str] = []
    yield urls
    assert urls, "the test recorded no scratch database"
    left = {_db_name(u) for u in urls} & _maria_databases(mariadb_server_url)
    assert not left, f"scratch databases not dropped: {sorted(left)}"


def test_mariadb_scratch_db_is_dropped_after_the_test(
    mariadb_dropped_after: list[str], mariadb_scratch_db: str, mariadb_server_url: str
) -> None:
    _maria_rows(mariadb_scratch_db, "create table probe (id int)")
    assert _db_name(mariadb_scratch_db) in _maria_databases(mariadb_server_url)
    mariadb_dropped_after.append(mariadb_scratch_db)


# --- a missing engine skips locally and fails under CI -------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize("ci", [False, True], ids=["local", "ci"])
@pytest.mark.parametrize("server", ["unset", "unreachable"])
def test_unavailable_engine_skips_locally_and_fails_under_ci(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, server: str, ci: bool
) -> None:
    if server == "unset":
        monkeypatch.delenv("DBARCH_TEST_PG_URL", raising=False)
        monkeypatch.delenv("DBARCH_TEST_MARIADB_URL", raising=False)
    else:
        port = _closed_port()
        monkeypatch.setenv("DBARCH_TEST_PG_URL", f"postgresql://postgres:hunter2@127.0.0.1:{port}/postgres")
        monkeypatch.setenv("DBARCH_TEST_MARIADB_URL", f"mysql://root:hunter2@127.0.0.1:{port}/")
    if ci:
        monkeypatch.setenv("CI", "true")
    else:
        monkeypatch.delenv("CI", raising=False)
    pytester.makeconftest(CONFTEST.read_text())
    pytester.makepyfile(
        test_engines="""
        def test_pg(pg_scratch_db):
            pass

        def test_mariadb(mariadb_scratch_db):
            pass
        """
    )
    result = pytester.runpytest_subprocess("-rsE")
    if ci:
        result.assert_outcomes(errors=2)
        assert result.ret != 0
        result.stdout.fnmatch_lines(["*CI=true: engine tests must run*"])
    else:
        result.assert_outcomes(skipped=2)
    assert "hunter2" not in result.stdout.str()
