"""Migrations of columns whose type has no neutral kind (``TypeKind.NATIVE``): planned, applied on the
real engine, and the database read back equals the desired schema exactly."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.advisors.migrations.plan import Step
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import DdlKind, EngineTraits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.live import introspect
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from tests.advisors.migrations.plan_exec import apply_mariadb, apply_postgres
from tests.engine_exec import mariadb_connect

PG = get_traits(EngineName.POSTGRESQL, "15")
MARIADB = get_traits(EngineName.MARIADB, "10.11")

_PG_TYPES = (
    "inet, b cidr, c macaddr8, d tstzrange, e int4multirange, f interval day to second(3), g bit varying(16), "
    "h tsvector, i xml, j point, k box, l pg_lsn, m inet[], n email_t"
)
_PG_BASE = (
    "CREATE DOMAIN email_t AS text CHECK (VALUE LIKE '%@%');\nCREATE TABLE u (id integer PRIMARY KEY);\n"
)


def _left(url: str, desired: Catalog, traits: EngineTraits) -> tuple[Step, ...]:
    """What is left to do from the database to ``desired`` (unnamed constraints named as the engine does)."""
    return plan_migration(introspect(url), desired, traits).steps


PG_CASES = {
    "create_table": (_PG_BASE, _PG_BASE + f"CREATE TABLE t (id integer PRIMARY KEY, a {_PG_TYPES});\n"),
    "add_column": (
        _PG_BASE + "CREATE TABLE t (id integer PRIMARY KEY);\n",
        _PG_BASE + "CREATE TABLE t (id integer PRIMARY KEY, a tstzrange, b bit varying(8), c email_t);\n",
    ),
    "change_type": (
        _PG_BASE
        + "CREATE TABLE t (id integer PRIMARY KEY, a inet, b interval, c bit varying(16), d text);\n",
        _PG_BASE
        + "CREATE TABLE t (id integer PRIMARY KEY, a cidr, b interval day to second, c bit varying(32), "
        "d tsvector);\n",
    ),
}


@pytest.mark.parametrize("case", sorted(PG_CASES))
def test_postgres_native_types_migrate_exactly(case: str, pg_scratch_db: str) -> None:
    current, desired = (load_ddl(text, EngineName.POSTGRESQL) for text in PG_CASES[case])
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(PG_CASES[case][0])  # type: ignore[arg-type]
        if case == "change_type":
            conn.execute("INSERT INTO t VALUES (1, '10.1.0.0/16', '1 day 2 hours', B'101', 'a b')")
    plan = plan_migration(current, desired, PG, allow_data_loss=True)
    apply_postgres(pg_scratch_db, plan.steps)
    assert _left(pg_scratch_db, desired, PG) == ()
    if case == "change_type":
        # a change the tool has no lock facts for is a rewrite under ACCESS EXCLUSIVE, said so
        kinds = {s.description: s for s in plan.steps if s.kind == DdlKind.ALTER_TYPE_REWRITE}
        assert kinds and all(s.lock == "ACCESS EXCLUSIVE" for s in kinds.values())
        with psycopg.connect(pg_scratch_db) as conn:
            row = conn.execute("SELECT a::text, d::text FROM t").fetchone()
        assert row == ("10.1.0.0/16", "'a' 'b'")
    # and back
    back = plan_migration(desired, current, PG, allow_data_loss=True)
    apply_postgres(pg_scratch_db, back.steps)
    assert _left(pg_scratch_db, current, PG) == ()


def test_postgres_same_schema_with_native_types_plans_nothing(pg_scratch_db: str) -> None:
    text = PG_CASES["create_table"][1]
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(text)  # type: ignore[arg-type]
    plan = plan_migration(introspect(pg_scratch_db), load_ddl(text, EngineName.POSTGRESQL), PG)
    assert plan.steps == ()


def _mariadb(url: str, sql: str) -> None:
    conn = mariadb_connect(url)
    try:
        with conn.cursor() as cur:
            for statement in filter(str.strip, sql.split(";")):
                cur.execute(statement)
    finally:
        conn.close()


MARIADB_CASES = {
    "create_table": ("", "CREATE TABLE t (id int PRIMARY KEY, a inet6, b point, c set('x','y'), d inet4);"),
    "add_column": (
        "CREATE TABLE t (id int PRIMARY KEY);",
        "CREATE TABLE t (id int PRIMARY KEY, a inet6 NOT NULL);",
    ),
    "change_type": (
        "CREATE TABLE t (id int PRIMARY KEY, a set('x','y'));",
        "CREATE TABLE t (id int PRIMARY KEY, a set('x','y','z'));",
    ),
}


@pytest.mark.parametrize("case", sorted(MARIADB_CASES))
def test_mariadb_native_types_migrate_exactly(case: str, mariadb_scratch_db: str) -> None:
    current, desired = (load_ddl(text, EngineName.MARIADB) for text in MARIADB_CASES[case])
    _mariadb(mariadb_scratch_db, MARIADB_CASES[case][0])
    plan = plan_migration(current, desired, MARIADB, allow_data_loss=True)
    apply_mariadb(mariadb_scratch_db, plan.steps)
    assert _left(mariadb_scratch_db, desired, MARIADB) == ()
