"""Constraints a file leaves unnamed are dropped by the names the database really gave them, never
by a guessed one: the plan from a.sql to b.sql (both files) is applied to a database that a.sql
describes but whose constraints carry other names (renamed since, or numbered otherwise because
they were re-created), and the database ends exactly at b.sql's catalog. The plan looks the names up
when it runs (PostgreSQL: a DO block reading pg_constraint; MariaDB: information_schema and a
prepared statement); without the lookup every drop here fails."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect.advisors.migrations import plan_migration
from dbarchitect.engines.registry import traits_for
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.live import introspect
from dbarchitect.model.names import EngineName
from tests.advisors.migrations.plan_exec import StepFailed, apply_mariadb, apply_postgres
from tests.engine_exec import execute_script

CASES = Path(__file__).resolve().parent / "lookup"
ENGINES = {"postgresql": "postgresql 15", "mariadb": "mariadb 10.11"}


def _run(engine: str, url: str) -> None:
    traits = traits_for(ENGINES[engine])
    a_sql = (CASES / f"{engine}_a.sql").read_text()
    b = load_ddl((CASES / f"{engine}_b.sql").read_text(), EngineName(engine))
    a = load_ddl(a_sql, EngineName(engine))
    execute_script(url, a_sql)
    execute_script(url, (CASES / f"{engine}_built.sql").read_text())
    plan = plan_migration(a, b, traits, allow_data_loss=True)
    apply = apply_postgres if engine == "postgresql" else apply_mariadb
    apply(url, plan.steps)
    after = plan_migration(introspect(url), b, traits)
    assert after.operations == (), after.operations
    # The down-plan, from b.sql's names (read from nothing either), goes back to a.sql's catalog.
    apply(url, plan.down)
    back = plan_migration(introspect(url), a, traits)
    assert back.operations == (), back.operations


def test_unnamed_constraints_are_dropped_by_their_real_names_postgresql(pg_scratch_db: str) -> None:
    _run("postgresql", pg_scratch_db)


def test_unnamed_constraints_are_dropped_by_their_real_names_mariadb(mariadb_scratch_db: str) -> None:
    _run("mariadb", mariadb_scratch_db)


def test_a_constraint_that_cannot_be_told_apart_fails_naming_it(pg_scratch_db: str) -> None:
    """Two checks on the same column, neither with the derived name, and texts the server deparses
    otherwise (IN is = ANY): the step refuses to guess."""
    traits = traits_for("postgresql 15")
    a = load_ddl("CREATE TABLE t (x int, CHECK (x IN (1, 2)), CHECK (x IN (3, 4)));", EngineName.POSTGRESQL)
    b = load_ddl("CREATE TABLE t (x int, CHECK (x IN (3, 4)));", EngineName.POSTGRESQL)
    execute_script(
        pg_scratch_db,
        "CREATE TABLE t (x int, CONSTRAINT c1 CHECK (x IN (1, 2)), CONSTRAINT c2 CHECK (x IN (3, 4)));",
    )
    plan = plan_migration(a, b, traits)
    with pytest.raises(StepFailed, match=r"cannot tell which constraint to drop: check of t \(x\)"):
        apply_postgres(pg_scratch_db, plan.steps)


def test_an_index_dropped_by_a_derived_name_that_is_wrong_fails_instead_of_doing_nothing(
    pg_scratch_db: str,
) -> None:
    """``DROP INDEX CONCURRENTLY IF EXISTS`` with a wrong derived name would leave the index in place
    and report success: a derived name is dropped without IF EXISTS."""
    traits = traits_for("postgresql 15")
    a = load_ddl("CREATE TABLE t (x int); CREATE INDEX ON t (x);", EngineName.POSTGRESQL)
    b = load_ddl("CREATE TABLE t (x int);", EngineName.POSTGRESQL)
    execute_script(pg_scratch_db, "CREATE TABLE t (x int); CREATE INDEX renamed_since ON t (x);")
    plan = plan_migration(a, b, traits)
    assert plan.steps[0].sql == ("DROP INDEX CONCURRENTLY t_x_idx",)
    with pytest.raises(StepFailed, match="t_x_idx"):
        apply_postgres(pg_scratch_db, plan.steps)


def test_checks_on_one_column_numbered_otherwise_are_told_apart_by_their_text(pg_scratch_db: str) -> None:
    """The file numbers x > 0 as t_x_check and x < 9 as t_x_check1; the database was built the other
    way round. Dropping x > 0 by the derived name would drop the check the target keeps: the text
    decides, and the database ends at the target."""
    traits = traits_for("postgresql 15")
    a = load_ddl("CREATE TABLE t (x int, CHECK (x > 0), CHECK (x < 9));", EngineName.POSTGRESQL)
    b_sql = "CREATE TABLE t (x int, CHECK (x < 9));"
    b = load_ddl(b_sql, EngineName.POSTGRESQL)
    execute_script(pg_scratch_db, "CREATE TABLE t (x int, CHECK (x < 9), CHECK (x > 0));")
    apply_postgres(pg_scratch_db, plan_migration(a, b, traits).steps)
    left = introspect(pg_scratch_db).table("t")
    assert left is not None and [c.expression for c in left.checks] == ["x < 9"]


def test_mariadb_checks_numbered_otherwise_are_told_apart_by_their_text(mariadb_scratch_db: str) -> None:
    traits = traits_for("mariadb 10.11")
    a = load_ddl("CREATE TABLE t (x int, CHECK (x > 0), CHECK (x < 9));", EngineName.MARIADB)
    b = load_ddl("CREATE TABLE t (x int, CHECK (x < 9));", EngineName.MARIADB)
    execute_script(mariadb_scratch_db, "CREATE TABLE t (x int, CHECK (x < 9), CHECK (x > 0));")
    apply_mariadb(mariadb_scratch_db, plan_migration(a, b, traits).steps)
    left = introspect(mariadb_scratch_db).table("t")
    assert left is not None and [c.expression for c in left.checks] == ["x < 9"]
