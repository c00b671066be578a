"""The lock levels and rewrites a plan claims are measured on the real engine, not trusted.

PostgreSQL: each transactional step of a plan runs in a transaction; before it commits, the
strongest lock this session holds on the step's table (pg_locks) must be the step's ``lock``, and
the table's relfilenode must change exactly when the step says it rewrites. MariaDB asserts its
facts by itself: every ALTER names ALGORITHM and LOCK, which the server refuses when they do not
hold, and the corpus applies every plan on a real server.
"""

from __future__ import annotations

import psycopg
import pytest

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.model.names import EngineName
from tests.advisors.migrations.plan_exec import apply_postgres
from tests.advisors.migrations.test_corpus import PAIRS, load_pair

PG = get_traits(EngineName.POSTGRESQL, "15")
#: pg_locks modes, weakest first.
MODES = [
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
]
MEASURED_PAIRS = [
    "add_column_nullable",
    "add_column_not_null_default",
    "set_not_null",
    "drop_not_null",
    "set_default",
    "drop_default",
    "add_check",
    "drop_check",
    "add_foreign_key",
    "drop_foreign_key",
    "add_unique",
    "drop_unique",
    "int_to_bigint_not_null",
    "varchar_widen",
    "varchar_to_text",
    "decimal_widen",
    "rename_column",
    "add_primary_key",
]


def _mode(lock: str) -> str:
    return "".join(w.capitalize() for w in lock.split()) + "Lock"


@pytest.mark.parametrize("pair", MEASURED_PAIRS)
def test_postgres_locks_and_rewrites_are_what_the_plan_says(pair: str, pg_scratch_db: str) -> None:
    directory = next(p for p in PAIRS if p.name.endswith(pair))
    a, b, meta = load_pair(directory)
    plan = plan_migration(a, b, PG, renames=meta.get("renames"), allow_data_loss=True)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute(render_schema(a, PG))  # type: ignore[arg-type]
        measured = 0
        for step in plan.steps:
            if not step.transactional or step.table is None or step.repeat_until_no_rows:
                apply_postgres(pg_scratch_db, [step])
                continue
            with conn.transaction(force_rollback=True):
                before = conn.execute(
                    "select relfilenode from pg_class where oid = %s::regclass", (step.table,)
                ).fetchone()
                for stmt in step.sql:
                    conn.execute(stmt)  # type: ignore[arg-type]
                modes = [
                    str(r[0])
                    for r in conn.execute(
                        "select mode from pg_locks where pid = pg_backend_pid() and relation = %s::regclass",
                        (step.table,),
                    ).fetchall()
                ]
                after = conn.execute(
                    "select relfilenode from pg_class where oid = %s::regclass", (step.table,)
                ).fetchone()
            strongest = max(modes, key=MODES.index)
            assert strongest == _mode(step.lock), step.description
            assert (before != after) == step.rewrites, step.description
            measured += 1
            apply_postgres(pg_scratch_db, [step])
        assert measured > 0
