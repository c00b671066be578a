"""Real engines for tests: scratch databases on the servers named by DBARCH_TEST_PG_URL and
DBARCH_TEST_MARIADB_URL (``scripts/test.sh`` starts throwaway servers and sets both).

Every engine test gets a freshly created, empty database of its own, dropped afterwards, so tests
never see each other's tables. A missing or unreachable server skips the test locally but fails it
under ``CI=true``: in CI an engine test that did not run is a failure, not a pass.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable, Iterator
from urllib.parse import unquote, urlsplit, urlunsplit

import psycopg
import pymysql
import pytest
from psycopg import sql

from dbarchitect.errors import redact

PG_URL_ENV = "DBARCH_TEST_PG_URL"
MARIADB_URL_ENV = "DBARCH_TEST_MARIADB_URL"
SCRATCH_PREFIX = "dbarch_t_"
CONNECT_TIMEOUT_S = 5

# Fixtures that need a live engine, and the marker a test using them gets automatically.
_ENGINE_FIXTURES = {
    "pg_server_url": "postgres",
    "pg_scratch_db": "postgres",
    "make_pg_scratch_db": "postgres",
    "pg_has_hypopg": "postgres",
    "pg_has_pg_stat_statements": "postgres",
    "mariadb_server_url": "mariadb",
    "mariadb_scratch_db": "mariadb",
    "make_mariadb_scratch_db": "mariadb",
}


def in_ci() -> bool:
    """True when running under CI (``CI=true``), where a missing engine is a failure."""
    return os.environ.get("CI") == "true"


def engine_unavailable(message: str) -> None:
    """Skip the test because an engine is unavailable, or fail it under CI."""
    if in_ci():
        pytest.fail(f"{message} (CI=true: engine tests must run, not skip)", pytrace=False)
    pytest.skip(message)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses an engine fixture, so ``-m 'not postgres'`` deselects it; put the
    tests marked ``long`` first (stable otherwise), so that under ``-n`` (pytest-xdist) a worker starts
    a two-minute drill at the beginning instead of running it alone at the end."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        for marker in sorted({_ENGINE_FIXTURES[f] for f in fixtures if f in _ENGINE_FIXTURES}):
            item.add_marker(marker)
    items.sort(key=lambda item: item.get_closest_marker("long") is None)


def describe(exc: BaseException) -> str:
    """The driver's error on one line, passwords hidden."""
    return redact(" ".join(str(exc).split()))


def scratch_name() -> str:
    """A fresh database name that cannot collide with a user's database or another test's."""
    return SCRATCH_PREFIX + secrets.token_hex(6)


def with_database(server_url: str, database: str) -> str:
    """``server_url`` with its path replaced by ``database``; user, password, host, port and query kept."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + database, parts.query, ""))


# --- PostgreSQL ----------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def pg_server_url() -> str:
    """URL of the PostgreSQL server for tests (from DBARCH_TEST_PG_URL), checked to accept connections."""
    url = os.environ.get(PG_URL_ENV, "")
    if not url:
        engine_unavailable(f"PostgreSQL tests need {PG_URL_ENV} (run `bash scripts/test.sh`)")
    try:
        with psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True) as conn:
            conn.execute("select 1")
    except psycopg.Error as exc:
        engine_unavailable(f"PostgreSQL at {redact(url)} is unreachable: {describe(exc)}")
    return url


@pytest.fixture
def make_pg_scratch_db(pg_server_url: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty PostgreSQL databases (for tests that need two); all dropped after."""
    created: list[str] = []

    def make() -> str:
        name = scratch_name()
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            # template0: nothing a user added to template1 leaks into the "empty" database.
            conn.execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
        created.append(name)
        return with_database(pg_server_url, name)

    yield make
    if created:
        with psycopg.connect(pg_server_url, autocommit=True) as conn:
            for name in created:
                conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@pytest.fixture
def pg_scratch_db(make_pg_scratch_db: Callable[[], str]) -> str:
    """URL (``postgresql://user@host:port/dbarch_t_<hex>``) of a fresh, empty database, dropped after."""
    return make_pg_scratch_db()


@pytest.fixture
def pg_has_hypopg(pg_scratch_db: str) -> str:
    """Ensure HypoPG is created in the test's ``pg_scratch_db`` and return that database's URL.

    Skips (fails under CI) when the server has no HypoPG: install ``postgresql-15-hypopg``.
    """
    try:
        with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS hypopg")
    except psycopg.Error as exc:
        engine_unavailable(
            f"HypoPG is not installable on {redact(pg_scratch_db)}: {describe(exc)} "
            "(install the Debian package postgresql-15-hypopg)"
        )
    return pg_scratch_db


@pytest.fixture
def pg_has_pg_stat_statements(pg_scratch_db: str) -> str:
    """Ensure pg_stat_statements is created and collecting in the test's ``pg_scratch_db``; return its URL.

    Skips (fails under CI) unless the server preloads it (``shared_preload_libraries``), as the
    throwaway server of ``scripts/test.sh`` does.
    """
    try:
        with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            conn.execute("SELECT count(*) FROM pg_stat_statements")
    except psycopg.Error as exc:
        engine_unavailable(
            f"pg_stat_statements is not usable on {redact(pg_scratch_db)}: {describe(exc)} "
            "(add it to shared_preload_libraries)"
        )
    return pg_scratch_db


# --- MariaDB -------------------------------------------------------------------------------------


def mariadb_connect(url: str, database: str | None = None) -> pymysql.connections.Connection:
    """An autocommit PyMySQL connection to the server in a ``mysql://`` URL."""
    parts = urlsplit(url)
    return pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        database=database,
        connect_timeout=CONNECT_TIMEOUT_S,
        autocommit=True,
    )


@pytest.fixture(scope="session")
def mariadb_server_url() -> str:
    """URL of the MariaDB server for tests (from DBARCH_TEST_MARIADB_URL), checked to accept connections."""
    url = os.environ.get(MARIADB_URL_ENV, "")
    if not url:
        engine_unavailable(f"MariaDB tests need {MARIADB_URL_ENV} (run `bash scripts/test.sh`)")
    try:
        mariadb_connect(url).close()
    except pymysql.Error as exc:
        engine_unavailable(f"MariaDB at {redact(url)} is unreachable: {describe(exc)}")
    return url


@pytest.fixture
def make_mariadb_scratch_db(mariadb_server_url: str) -> Iterator[Callable[[], str]]:
    """A factory of fresh, empty MariaDB databases (for tests that need two); all dropped after."""
    created: list[str] = []

    def make() -> str:
        name = scratch_name()
        conn = mariadb_connect(mariadb_server_url)
        try:
            with conn.cursor() as cur:
                cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
        finally:
            conn.close()
        created.append(name)
        return with_database(mariadb_server_url, name)

    yield make
    if created:
        conn = mariadb_connect(mariadb_server_url)
        try:
            with conn.cursor() as cur:
                for name in created:
                    cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        finally:
            conn.close()


@pytest.fixture
def mariadb_scratch_db(make_mariadb_scratch_db: Callable[[], str]) -> str:
    """URL (``mysql://user@host:port/dbarch_t_<hex>``) of a fresh, empty database, dropped after."""
    return make_mariadb_scratch_db()
