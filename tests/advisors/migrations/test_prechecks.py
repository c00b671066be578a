"""Read-only prechecks predict the steps that existing data would make fail: on clean data every
precheck returns 0 and the plan applies; after one violating row the step's precheck counts it
and applying the plan fails — on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
import pytest

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.names import EngineName
from tests.advisors.migrations.plan_exec import StepFailed, apply_mariadb, apply_postgres, apply_sqlite
from tests.advisors.migrations.test_corpus import PAIRS, load_pair
from tests.engine_exec import execute_script, mariadb_connect

CLEAN = "INSERT INTO users (id, email, name, age) VALUES (1, 'a@example.com', 'Ann', 30)"
#: pair -> (rows the target accepts, a row that violates it)
CASES = {
    "set_not_null": ([CLEAN], "INSERT INTO users (id, email, name) VALUES (2, 'b@example.com', NULL)"),
    "add_unique": ([CLEAN], "INSERT INTO users (id, email) VALUES (2, 'a@example.com')"),
    "create_unique_index": ([CLEAN], "INSERT INTO users (id, email) VALUES (2, 'a@example.com')"),
    "add_check": ([CLEAN], "INSERT INTO users (id, email, age) VALUES (2, 'b@example.com', -1)"),
    "add_foreign_key": (
        [CLEAN, "INSERT INTO orders (id, user_id) VALUES (1, 1)"],
        "INSERT INTO orders (id, user_id) VALUES (2, 99)",
    ),
}


def _run(
    case: str, traits: EngineTraits, setup: Callable[[str], None], query: Callable[[str], int], apply: Any
) -> None:
    directory = next(p for p in PAIRS if p.name.endswith(case))
    a, b, _ = load_pair(directory)
    plan = plan_migration(a, b, traits)
    checks = plan.prechecks()
    assert checks, "a step that existing rows can fail must carry a precheck"
    clean, bad = CASES[case]
    setup(render_schema(a, traits) + "\n" + ";\n".join(clean) + ";")
    assert [query(sql) for _, sql in checks] == [0] * len(checks)
    setup(bad + ";")
    assert sum(query(sql) for _, sql in checks) == 1
    with pytest.raises(StepFailed):
        apply(plan.steps)


@pytest.mark.parametrize("case", sorted(CASES))
def test_prechecks_sqlite(case: str, tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"

    def setup(script: str) -> None:
        with sqlite3.connect(path) as conn:
            conn.executescript(script)

    def query(sql: str) -> int:
        with sqlite3.connect(path) as conn:
            return int(conn.execute(sql).fetchone()[0])

    _run(case, get_traits(EngineName.SQLITE), setup, query, lambda steps: apply_sqlite(path, steps))


@pytest.mark.parametrize("case", sorted(CASES))
def test_prechecks_postgresql(case: str, pg_scratch_db: str) -> None:
    def query(sql: str) -> int:
        with psycopg.connect(pg_scratch_db) as conn:
            row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
            assert row is not None
            return int(row[0])

    _run(
        case,
        get_traits(EngineName.POSTGRESQL, "15"),
        lambda script: execute_script(pg_scratch_db, script),
        query,
        lambda steps: apply_postgres(pg_scratch_db, steps),
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_prechecks_mariadb(case: str, mariadb_scratch_db: str) -> None:
    def query(sql: str) -> int:
        conn = mariadb_connect(mariadb_scratch_db)
        try:
            with conn.cursor() as cur:
                cur.execute(sql)
                return int(cur.fetchone()[0])
        finally:
            conn.close()

    _run(
        case,
        get_traits(EngineName.MARIADB, "10.11"),
        lambda script: execute_script(mariadb_scratch_db, script),
        query,
        lambda steps: apply_mariadb(mariadb_scratch_db, steps),
    )
