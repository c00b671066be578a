"""A scratch database is empty only when the catalogs say so, not when information_schema shows
nothing to the connecting role: hidden tables, a materialized view, a type, a sequence, a function
or a schema alone make it "not empty", on PostgreSQL, MariaDB and SQLite; extension-owned objects
do not. verify and rehearsal refuse such a database."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from dbarchitect import api
from dbarchitect.engines.scratch import mysql_sees_whole_database, scratch_objects
from dbarchitect.errors import DbarchError
from dbarchitect.model.names import EngineName
from tests.engine_exec import mariadb_connect

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "blog" / "brief.yaml"


def _pg_objects(url: str) -> list[str]:
    with psycopg.connect(url, autocommit=True) as conn:
        return scratch_objects(EngineName.POSTGRESQL, lambda sql: conn.execute(sql).fetchall())  # type: ignore[arg-type]


def _as_user(url: str, user: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, f"{user}@{host}", parts.path, parts.query, ""))


@pytest.fixture
def pg_role(pg_server_url: str) -> Iterator[str]:
    """A login role without privileges on anything it does not own (dropped after)."""
    name = "dbarch_r_" + secrets.token_hex(4)
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {name} LOGIN")  # type: ignore[call-overload]
    yield name
    with psycopg.connect(pg_server_url, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {name}")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("", []),
        ("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x", ["materialized view mv"]),
        ("CREATE TYPE mood AS ENUM ('sad', 'ok')", ["enum type mood"]),
        ("CREATE SEQUENCE seq", ["sequence seq"]),
        ("CREATE SCHEMA other", ["schema other"]),
        ("CREATE DOMAIN posint AS integer CHECK (VALUE > 0)", ["domain posint"]),
        ("CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'", ["function f"]),
        ("CREATE SCHEMA other; CREATE TABLE other.t (x int)", ["table other.t", "schema other"]),
        ("CREATE EXTENSION hypopg", []),
    ],
)
def test_postgres_objects_of_every_kind(pg_scratch_db: str, setup: str, expected: list[str]) -> None:
    if setup:
        with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
            conn.execute(setup)  # type: ignore[call-overload]
    assert _pg_objects(pg_scratch_db) == expected


def test_postgres_table_hidden_from_the_role_is_found(pg_scratch_db: str, pg_role: str) -> None:
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE precious (x int); INSERT INTO precious VALUES (1), (2), (3)")
        conn.execute("REVOKE ALL ON precious FROM PUBLIC")
        conn.execute(f"GRANT CREATE ON SCHEMA public TO {pg_role}")  # type: ignore[call-overload]
    limited = _as_user(pg_scratch_db, pg_role)
    with psycopg.connect(limited, autocommit=True) as conn:
        visible = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert visible == (0,)  # what the old check read
    assert _pg_objects(limited) == ["table precious"]
    with pytest.raises(DbarchError, match=r"is not empty .*table precious"):
        api.verify_brief(EXAMPLE, engine_url=limited, seconds_per_statement=0.1, repetitions=2)
    plan = api.plan_schema_migration(
        api.load_schema_from(EXAMPLE, EngineName.POSTGRESQL),
        api.load_schema_from(EXAMPLE, EngineName.POSTGRESQL),
        "postgresql 15",
    )
    with pytest.raises(DbarchError, match=r"is not empty .*table precious"):
        api.rehearse_schema_migration(plan, EXAMPLE, "postgresql 15", limited)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        assert conn.execute("SELECT count(*) FROM precious").fetchone() == (3,)
        conn.execute(f"REVOKE CREATE ON SCHEMA public FROM {pg_role}")  # type: ignore[call-overload]


@pytest.mark.parametrize(
    ("setup", "named"),
    [
        ("CREATE MATERIALIZED VIEW mv AS SELECT 1 AS x", "materialized view mv"),
        ("CREATE TYPE mood AS ENUM ('sad', 'ok')", "enum type mood"),
    ],
)
def test_verify_and_rehearsal_refuse_a_database_holding_one_object(
    pg_scratch_db: str, setup: str, named: str
) -> None:
    """A database whose only object is a materialized view, or a type, is not a scratch database:
    verify and rehearsal refuse it, name the object and leave it as it was."""
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(setup)  # type: ignore[call-overload]
    with pytest.raises(DbarchError, match=rf"is not empty .*{named}"):
        api.verify_brief(EXAMPLE, engine_url=pg_scratch_db, seconds_per_statement=0.1, repetitions=2)
    plan = api.plan_schema_migration(
        api.load_schema_from(EXAMPLE, EngineName.POSTGRESQL),
        api.load_schema_from(EXAMPLE, EngineName.POSTGRESQL),
        "postgresql 15",
    )
    with pytest.raises(DbarchError, match=rf"is not empty .*{named}"):
        api.rehearse_schema_migration(plan, EXAMPLE, "postgresql 15", pg_scratch_db)
    assert _pg_objects(pg_scratch_db) == [named]


# -- MariaDB ----------------------------------------------------------------------------------------


def _maria_objects(url: str) -> list[str]:
    conn = mariadb_connect(url)
    try:

        def query(sql: str) -> list[tuple[object, ...]]:
            with conn.cursor() as cur:
                cur.execute(sql)
                return list(cur.fetchall())

        return scratch_objects(EngineName.MARIADB, query)
    finally:
        conn.close()


@pytest.mark.parametrize(
    ("setup", "expected"),
    [
        ("", []),
        ("CREATE VIEW v AS SELECT 1 AS x", ["view v"]),
        ("CREATE SEQUENCE s", ["sequence s"]),
        ("CREATE PROCEDURE p() BEGIN END", ["procedure p"]),
        ("CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO SELECT 1", ["event e"]),
    ],
)
def test_mariadb_objects_of_every_kind(
    make_mariadb_scratch_db: Callable[[], str], setup: str, expected: list[str]
) -> None:
    url = make_mariadb_scratch_db()
    if setup:
        conn = mariadb_connect(url)
        try:
            with conn.cursor() as cur:
                cur.execute(setup)
        finally:
            conn.close()
    assert _maria_objects(url) == expected


@pytest.fixture
def maria_user(mariadb_server_url: str) -> Iterator[str]:
    name = "dbarch_u_" + secrets.token_hex(4)
    conn = mariadb_connect(mariadb_server_url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"CREATE USER '{name}'@'%'")
            cur.execute(f"CREATE USER '{name}'@'localhost'")
    finally:
        conn.close()
    yield name
    conn = mariadb_connect(mariadb_server_url)
    try:
        with conn.cursor() as cur:
            cur.execute(f"DROP USER IF EXISTS '{name}'@'%'")
            cur.execute(f"DROP USER IF EXISTS '{name}'@'localhost'")
    finally:
        conn.close()


def test_mariadb_table_hidden_by_table_level_grants_is_refused(
    make_mariadb_scratch_db: Callable[[], str], maria_user: str
) -> None:
    url = make_mariadb_scratch_db()
    db = urlsplit(url).path.lstrip("/")
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE precious (x int)")
            cur.execute("CREATE TABLE mine (x int)")
            for host in ("%", "localhost"):
                cur.execute(f"GRANT SELECT, INSERT ON `{db}`.`mine` TO '{maria_user}'@'{host}'")
    finally:
        conn.close()
    limited = _as_user(url, maria_user)
    found = _maria_objects(limited)
    assert len(found) == 1 and "may not see" in found[0]
    with pytest.raises(DbarchError, match="may not see"):
        api.verify_brief(EXAMPLE, engine_url=limited, seconds_per_statement=0.1, repetitions=2)
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            for host in ("%", "localhost"):
                cur.execute(f"GRANT ALL ON `{db}`.* TO '{maria_user}'@'{host}'")
    finally:
        conn.close()
    assert _maria_objects(limited) == ["base table mine", "base table precious"]


@pytest.mark.parametrize(
    ("grants", "seen"),
    [
        (["GRANT USAGE ON *.* TO `u`@`%`"], False),
        (["GRANT USAGE ON *.* TO `u`@`%`", "GRANT SELECT ON `db`.`t` TO `u`@`%`"], False),
        (["GRANT ALL PRIVILEGES ON *.* TO `root`@`localhost` WITH GRANT OPTION"], True),
        (["GRANT CREATE, DROP ON `db`.* TO `u`@`%`"], True),
        (["GRANT SELECT ON `d\\_b%`.* TO `u`@`%`"], False),
        (["GRANT SELECT ON `d%`.* TO `u`@`%`"], True),
        (["GRANT EXECUTE ON PROCEDURE `db`.`p` TO `u`@`%`"], False),
    ],
)
def test_mysql_grants_that_show_a_whole_database(grants: list[str], seen: bool) -> None:
    assert mysql_sees_whole_database(grants, "db") is seen


def test_sqlite_objects(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "x.db")
    assert scratch_objects(EngineName.SQLITE, lambda sql: db.execute(sql).fetchall()) == []
    db.executescript("CREATE TABLE t (x int); CREATE VIEW v AS SELECT 1;")
    assert scratch_objects(EngineName.SQLITE, lambda sql: db.execute(sql).fetchall()) == ["table t", "view v"]


def test_a_failed_rehearsal_says_exactly_what_it_left(pg_scratch_db: str) -> None:
    from dataclasses import replace

    from dbarchitect.engines.registry import get_traits
    from dbarchitect.ingest.ddl import load_ddl
    from dbarchitect.verify.rehearse import LoadSpec, rehearsal_markdown, rehearse_plan

    current = load_ddl("CREATE TABLE items (id integer PRIMARY KEY, name text);", EngineName.POSTGRESQL)
    target = load_ddl(
        "CREATE TABLE items (id integer PRIMARY KEY, name text); CREATE INDEX items_name ON items (name);",
        EngineName.POSTGRESQL,
    )
    plan = api.plan_schema_migration(current, target, "postgresql 15")
    broken = replace(
        plan.steps[0], description="test only: a step that fails", sql=("ALTER TABLE nosuch ADD x int",)
    )
    plan = replace(plan, steps=(*plan.steps, broken))
    r = rehearse_plan(
        plan, current, get_traits("postgresql", "15"), pg_scratch_db, load=LoadSpec(settle_s=0.1), rows=50
    )
    assert not r.ok
    assert r.notes[-1].startswith("the rehearsal left 3 object(s) in the scratch database: ")
    assert (
        "table items" in r.notes[-1]
        and "index items_name" in r.notes[-1]
        and "index items_pkey" in r.notes[-1]
    )
    assert r.notes[-1] in rehearsal_markdown(r)
