"""Rehearsals on real servers: a safe plan succeeds under write load with its data intact, a database
that is not empty is refused, and a step that changes data is caught by the checksums."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.advisors.migrations import Phase, Step
from dbarchitect.brief.loading import load_brief
from dbarchitect.cli import app
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import DdlKind
from dbarchitect.errors import DbarchError, UnsupportedError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.sources import load_catalog, load_workload
from dbarchitect.model.names import EngineName
from dbarchitect.verify.rehearse import (
    LoadSpec,
    TableRates,
    check_rules,
    loaded_tables,
    rates_from_workload,
    rehearsal_markdown,
    rehearse_plan,
)

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
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop" / "brief.yaml"
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
    # the changed table, and the parent of the foreign key the plan adds, written and read
    assert [(t.table, t.why) for t in r.loads] == [
        ("orders", "changed"),
        ("customers", "referenced by the foreign key added to orders"),
    ]
    assert {o.table for o in r.writes} == {"orders", "customers"}
    assert {o.table for o in r.reads} == {"orders", "customers"} and r.failed_reads == 0
    worst = r.max_stall
    assert worst is not None and worst.seconds > 0
    assert r.max_read_stall is not None
    backfill = next(s for s in r.steps if s.backfill is not None)  # the int -> bigint backfill
    # the generated rows, and the load's own written before the sync trigger existed
    assert backfill.batches > 0 and backfill.backfill is not None and backfill.backfill.rows >= ROWS
    assert r.during(backfill), "the load ran while the backfill did"
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
    assert "Max write stall" in report and "Max read stall" in report and "data is unchanged" in report
    assert "| orders | changed | 50/s (default) | 50/s |" in report
    assert "## Backfills" in report and re.search(r"\d[\d,]* rows of orders in \d+ batches", report)


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
        check_rules(catalog.tables[0])
    ok = load_ddl(
        "CREATE TABLE t (id int PRIMARY KEY, s text CHECK (s IN ('a', 'b')), n int CHECK (n > 4));",
        EngineName.POSTGRESQL,
    )
    rules = check_rules(ok.tables[0])
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

    from dbarchitect.verify.rehearse import ScratchDb, apply_step

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
    db = ScratchDb(pg_scratch_db, EngineName.POSTGRESQL)
    try:
        result = apply_step(db, 1, step, get_traits("postgresql", "15"), time.perf_counter())
        thread.join()
        refused = apply_step(db, 2, step, get_traits("postgresql", "15"), time.perf_counter())
    finally:
        db.close()
        thread.join()
    assert result.ok and result.tries >= 2, result
    assert not refused.ok and refused.tries == 1 and "already exists" in (refused.error or "")


def test_loaded_tables_follow_the_plan_and_the_foreign_keys() -> None:
    current = load_ddl(
        "CREATE TABLE customers (id int PRIMARY KEY, name text);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id));\n"
        "CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders (id));\n"
        "CREATE TABLE audit (id int PRIMARY KEY);\n",
        EngineName.POSTGRESQL,
    )
    target = load_ddl(
        "CREATE TABLE customers (id int PRIMARY KEY, name text NOT NULL);\n"
        "CREATE TABLE orders (id int PRIMARY KEY, customer_id int REFERENCES customers (id));\n"
        "CREATE TABLE items (id int PRIMARY KEY, order_id int REFERENCES orders (id));\n"
        "CREATE TABLE audit (id int PRIMARY KEY);\n",
        EngineName.POSTGRESQL,
    )
    plan = api.plan_schema_migration(current, target, "postgresql 15")
    assert [(t.name.value, why) for t, why in loaded_tables(plan, current)] == [
        ("customers", "changed"),
        ("orders", "references customers, which the plan changes"),
    ]


def test_rates_come_from_the_briefs_workload() -> None:
    brief = load_brief(SHOP)
    workload = load_workload(brief, load_catalog(brief))
    rates = rates_from_workload(workload)
    assert rates and all(r.source == "brief" for r in rates.values())
    for statement in workload.statements:
        target = statement.write_target
        if statement.is_write and target is not None:
            assert rates[target.table.value].writes >= statement.rate


def test_the_load_runs_at_the_given_rates(pg_scratch_db: str, tmp_path: Path) -> None:
    a, b = _files(tmp_path)
    plan = api.plan_schema_migration(a, b, "postgresql 15")
    current = load_ddl(CURRENT, EngineName.POSTGRESQL)
    spec = LoadSpec(rates={"orders": TableRates(120.0, 30.0)}, max_thread_rate=100.0, settle_s=0.5)
    r = rehearse_plan(plan, current, get_traits("postgresql", "15"), pg_scratch_db, load=spec, rows=ROWS)
    orders = next(t for t in r.loads if t.table == "orders")
    customers = next(t for t in r.loads if t.table == "customers")
    assert (orders.asked.writes, orders.write_rate, orders.read_rate, orders.asked.source) == (
        120.0,
        100.0,
        30.0,
        "brief",
    )
    assert customers.asked.source == "default"
    writes = [o for o in r.writes if o.table == "orders"]
    span = writes[-1].started_at - writes[0].started_at
    assert abs(len(writes) - (span * 100.0 + 1)) <= 2  # open loop: one write due every 10 ms
