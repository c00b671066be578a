"""Rehearsals on real servers: a safe plan succeeds under write load with its data intact, a database
that is not empty is refused, and a step that changes data is caught by the checksums."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.advisors.migrations import Phase, Step
from dbarchitect.cli import app
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import DdlKind
from dbarchitect.errors import DbarchError, UnsupportedError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.names import EngineName
from dbarchitect.verify.rehearse import LoadSpec, _check_rules, rehearsal_markdown, rehearse_plan

CURRENT = """
CREATE TABLE customers (id integer PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text);
CREATE TABLE orders (
  id integer PRIMARY KEY, customer_id integer, amount numeric(10,2), note text, qty integer,
  status varchar(10) NOT NULL
);
"""
# add index, add foreign key, set NOT NULL, int -> bigint
TARGET = """
CREATE TABLE customers (id integer PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text);
CREATE TABLE orders (
  id integer PRIMARY KEY, customer_id integer REFERENCES customers (id), amount numeric(10,2) NOT NULL,
  note text, qty bigint, status varchar(10) NOT NULL
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
"""

ROWS = 3_000
LOAD = LoadSpec(max_seconds=30.0, settle_s=0.2)


def _files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(CURRENT)
    b.write_text(TARGET)
    return a, b


def test_safe_plan_succeeds_under_load_and_keeps_data(pg_scratch_db: str, tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    plan = api.plan_schema_migration(a, b, "postgresql 15")
    traits = get_traits("postgresql", "15")
    current = load_ddl(CURRENT, EngineName.POSTGRESQL)
    r = rehearse_plan(plan, current, traits, pg_scratch_db, load=LOAD, rows=ROWS)
    assert [s.error for s in r.steps if not s.ok] == []
    assert len(r.steps) == len(plan.steps) and not r.not_run
    assert r.generated_rows == 2 * ROWS
    assert {t.table: (t.rows_before, t.rows_after) for t in r.data} == {
        "customers": (ROWS, ROWS),
        "orders": (ROWS, ROWS),
    }
    assert r.data_ok and r.ok
    assert r.load_table == "orders" and len(r.writes) > 0 and r.failed_writes == 0
    worst = r.max_stall
    assert worst is not None and worst.seconds > 0
    assert any(s.batches > 0 for s in r.steps)  # the int -> bigint backfill ran in batches
    # the database now has the target's shape, and the load's rows are there besides the generated ones
    with psycopg.connect(pg_scratch_db) as conn:
        types: dict[str, str] = dict(
            conn.execute(
                "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 'orders'"
            ).fetchall()
        )
        nullable = conn.execute(
            "SELECT is_nullable FROM information_schema.columns WHERE table_name = 'orders' "
            "AND column_name = 'amount'"
        ).fetchone()
        fks = conn.execute(
            "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND convalidated"
        ).fetchone()
        extra = conn.execute("SELECT count(*) FROM orders WHERE id > %s", (ROWS,)).fetchone()
    assert types["qty"] == "bigint" and nullable == ("NO",) and fks == (1,)
    assert extra is not None and extra[0] > 0
    report = rehearsal_markdown(r)
    assert "Max write stall" in report and "data is unchanged" in report


def test_database_with_tables_is_refused(pg_scratch_db: str, tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE precious (id int)")
    plan = api.plan_schema_migration(a, b, "postgresql 15")
    current = load_ddl(CURRENT, EngineName.POSTGRESQL)
    with pytest.raises(DbarchError, match=r"not empty.*precious"):
        rehearse_plan(plan, current, get_traits("postgresql", "15"), pg_scratch_db, load=LOAD, rows=ROWS)
    with psycopg.connect(pg_scratch_db) as conn:
        assert conn.execute("SELECT count(*) FROM precious").fetchone() == (0,)


def test_cli_refuses_a_database_with_tables_with_exit_2(pg_scratch_db: str, tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE precious (id int)")
    args = ["migrate", "--from", str(a), "--to", str(b), "-e", "postgresql 15", "--rehearse", pg_scratch_db]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert "not empty" in result.output and "--rehearse-existing" in result.output


def test_cli_rehearses_and_exits_0(pg_scratch_db: str, tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    args = ["migrate", "--from", str(a), "--to", str(b), "-e", "postgresql 15", "--rehearse", pg_scratch_db]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "Max write stall" in result.output and "| orders | 10,000 | 10,000 | same |" in result.output


def test_a_step_that_changes_data_is_caught(pg_scratch_db: str, tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    plan = api.plan_schema_migration(a, b, "postgresql 15")
    tamper = Step(
        description="test only: rewrite some notes",
        sql=("UPDATE orders SET note = 'changed' WHERE id % 100 = 7",),
        phase=Phase.EXPAND,
        kind=DdlKind.BACKFILL,
        lock="ROW EXCLUSIVE",
        blocks_reads=False,
        blocks_writes=False,
        rewrites=False,
        scans=True,
        transactional=True,
        table=None,
        estimated_seconds=None,
        rollback_sql=(),
    )
    plan = replace(plan, steps=(*plan.steps, tamper))
    current = load_ddl(CURRENT, EngineName.POSTGRESQL)
    r = rehearse_plan(plan, current, get_traits("postgresql", "15"), pg_scratch_db, load=LOAD, rows=ROWS)
    assert r.steps_ok and not r.data_ok and not r.ok
    orders = next(t for t in r.data if t.table == "orders")
    assert orders.changed_columns == ("note",) and orders.rows_after == orders.rows_before
    assert next(t for t in r.data if t.table == "customers").ok
    assert "changed: note" in rehearsal_markdown(r)


def test_checks_the_generator_cannot_satisfy_are_named() -> None:
    catalog = load_ddl(
        "CREATE TABLE t (id int PRIMARY KEY, a int, CHECK (a * 2 < 7));", EngineName.POSTGRESQL
    )
    with pytest.raises(UnsupportedError, match="--rehearse-existing"):
        _check_rules(catalog.tables[0])
    ok = load_ddl(
        "CREATE TABLE t (id int PRIMARY KEY, s text CHECK (s IN ('a', 'b')), n int CHECK (n > 4));",
        EngineName.POSTGRESQL,
    )
    rules = _check_rules(ok.tables[0])
    assert rules["s"].values == ("a", "b") and rules["n"].minimum == 5


MARIADB_CURRENT = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text);
CREATE TABLE orders (
  id int PRIMARY KEY, customer_id int, amount decimal(10,2), note text, qty int, status varchar(10) NOT NULL
);
"""
MARIADB_TARGET = """
CREATE TABLE customers (id int PRIMARY KEY, email varchar(100) NOT NULL UNIQUE, name text);
CREATE TABLE orders (
  id int PRIMARY KEY, customer_id int, amount decimal(10,2) NOT NULL, note text, qty bigint,
  status varchar(10) NOT NULL,
  CONSTRAINT orders_customer_fk FOREIGN KEY (customer_id) REFERENCES customers (id)
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
"""


def test_mariadb_plan_succeeds_under_load_and_keeps_data(mariadb_scratch_db: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(MARIADB_CURRENT)
    b.write_text(MARIADB_TARGET)
    plan = api.plan_schema_migration(a, b, "mariadb 10.11")
    current = load_ddl(MARIADB_CURRENT, EngineName.MARIADB)
    r = rehearse_plan(plan, current, get_traits("mariadb", "10.11"), mariadb_scratch_db, load=LOAD, rows=ROWS)
    assert [s.error for s in r.steps if not s.ok] == [] and not r.not_run
    assert {t.table: (t.rows_before, t.rows_after) for t in r.data} == {
        "customers": (ROWS, ROWS),
        "orders": (ROWS, ROWS),
    }
    assert r.ok and len(r.writes) > 0 and r.failed_writes == 0
    worst = r.max_stall
    assert worst is not None and worst.seconds > 0


def test_mariadb_data_change_is_caught(mariadb_scratch_db: str, tmp_path: Path) -> None:
    a, b = tmp_path / "a.sql", tmp_path / "b.sql"
    a.write_text(MARIADB_CURRENT)
    b.write_text(MARIADB_TARGET)
    plan = api.plan_schema_migration(a, b, "mariadb 10.11")
    tamper = replace(
        plan.steps[0], description="test only", sql=("UPDATE orders SET qty = qty + 1 WHERE id = 5",)
    )
    plan = replace(plan, steps=(*plan.steps, tamper))
    current = load_ddl(MARIADB_CURRENT, EngineName.MARIADB)
    r = rehearse_plan(plan, current, get_traits("mariadb", "10.11"), mariadb_scratch_db, load=LOAD, rows=ROWS)
    assert r.steps_ok and not r.data_ok
    assert next(t for t in r.data if t.table == "orders").changed_columns == ("qty",)


def test_a_lock_timeout_is_retried_until_the_lock_is_free(pg_scratch_db: str) -> None:
    import threading
    import time

    from dbarchitect.verify.rehearse import _Db, apply_step

    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id int PRIMARY KEY)")
    held = threading.Event()

    def hold_lock() -> None:
        with psycopg.connect(pg_scratch_db) as blocker:
            blocker.execute("SELECT * FROM t")  # ACCESS SHARE until the transaction ends
            held.set()
            time.sleep(1.0)

    thread = threading.Thread(target=hold_lock)
    thread.start()
    held.wait(5)
    step = Step(
        description="add a column",
        sql=("ALTER TABLE t ADD COLUMN c int",),
        session_sql=("SET lock_timeout = '100ms'",),
        phase=Phase.EXPAND,
        kind=DdlKind.ADD_COLUMN,
        lock="ACCESS EXCLUSIVE",
        blocks_reads=True,
        blocks_writes=True,
        rewrites=False,
        scans=False,
        transactional=True,
        table=None,
        estimated_seconds=None,
        rollback_sql=(),
    )
    db = _Db(pg_scratch_db, EngineName.POSTGRESQL)
    try:
        result = apply_step(db, 1, step, get_traits("postgresql", "15"), time.perf_counter())
        thread.join()
        refused = apply_step(db, 2, step, get_traits("postgresql", "15"), time.perf_counter())
    finally:
        db.close()
        thread.join()
    assert result.ok and result.tries >= 2, result
    assert not refused.ok and refused.tries == 1 and "already exists" in (refused.error or "")
