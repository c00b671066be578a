"""A column whose type changes keeps a default: PostgreSQL casts the old default with the column and
refuses where no implicit cast exists (``'new'::varchar`` to an enum, text to integer, an integer to a
boolean), so the plan takes the default off, changes the type and puts the target's default on, in one
step. Applied up and down on real PostgreSQL 15, with rows, ending at the target's defaults."""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName
from tests.advisors.migrations.plan_exec import apply_postgres
from tests.engine_exec import execute_script

PG = EngineName.POSTGRESQL

CASES = {
    "varchar to an enum": (
        "CREATE TABLE t (id bigint PRIMARY KEY, status varchar(20) DEFAULT 'new');",
        "CREATE TYPE t_status AS ENUM ('new', 'paid');\n"
        "CREATE TABLE t (id bigint PRIMARY KEY, status t_status DEFAULT 'new');",
        "INSERT INTO t (id, status) VALUES (1, 'paid'); INSERT INTO t (id) VALUES (2);",
        "'new'::t_status",
    ),
    "text to integer": (
        "CREATE TABLE t (id bigint PRIMARY KEY, qty text DEFAULT '1');",
        "CREATE TABLE t (id bigint PRIMARY KEY, qty integer DEFAULT 1);",
        "INSERT INTO t (id, qty) VALUES (1, '7'); INSERT INTO t (id) VALUES (2);",
        "1",
    ),
    "integer to boolean, the default changing too": (
        "CREATE TABLE t (id bigint PRIMARY KEY, flag integer DEFAULT 0);",
        "CREATE TABLE t (id bigint PRIMARY KEY, flag boolean DEFAULT false);",
        "INSERT INTO t (id, flag) VALUES (1, 1); INSERT INTO t (id) VALUES (2);",
        "false",
    ),
}


def _default(url: str, column: str) -> str | None:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a "
            "ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 't'::regclass AND a.attname = %s",
            (column,),
        ).fetchone()
    return None if row is None else str(row[0])


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_type_change_with_a_default_applies_up_and_down(case: str, pg_scratch_db: str) -> None:
    before_sql, after_sql, rows, target_default = CASES[case]
    traits = get_traits(PG, "15")
    before, after = load_ddl(before_sql, PG), load_ddl(after_sql, PG)
    column = after.tables[0].columns[1].name.value
    execute_script(pg_scratch_db, render_schema(before, traits) + "\n" + rows)
    old_default = _default(pg_scratch_db, column)
    plan = plan_migration(before, after, traits, allow_data_loss=True)
    apply_postgres(pg_scratch_db, plan.steps)
    assert _default(pg_scratch_db, column) == target_default
    with psycopg.connect(pg_scratch_db) as conn:
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (2,)
    down = plan_migration(after, before, traits, allow_data_loss=True)
    apply_postgres(pg_scratch_db, down.steps)
    assert _default(pg_scratch_db, column) == old_default
