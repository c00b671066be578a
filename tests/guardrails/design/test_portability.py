"""The portability rule really executes: the schema and every workload statement on SQLite (in
memory) and, with scratch databases, on PostgreSQL and MariaDB - and leaves those databases empty.
Also: check_design on every example brief, and the least-privilege role scripts."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest

from dbarchitect.api import inspect_brief
from dbarchitect.brief import loads_brief
from dbarchitect.engines.registry import get_traits
from dbarchitect.guardrails.design import least_privilege_sql, verdict_json, verdict_sarif, verdict_text
from dbarchitect.model.names import EngineName
from dbarchitect.results import Inspection
from dbarchitect.verify.portability import bind_nulls, check_design, run_on_engines
from tests.conftest import mariadb_connect

ROOT = Path(__file__).parents[3]
SCHEMA = Path(__file__).parent / "cases" / "portability" / "schema.sql"
BRIEF = f"""
engine: postgresql 15
portable_to: [sqlite, mariadb 10.11]
schema: {{ddl: {SCHEMA}}}
workload:
  - name: by_owner
    sql: SELECT id FROM documents WHERE owner_id = :owner AND NOT archived ORDER BY id LIMIT :n
    rate: 50/s
  - name: bad_literal
    sql: SELECT id FROM documents WHERE owner_id = 'abc'
    rate: 1/s
  - name: regex
    sql: SELECT id FROM documents WHERE body ~ :re
    rate: 1/s
  - name: archive
    sql: UPDATE documents SET archived = true WHERE id = :id RETURNING id
    rate: 1/s
"""


def _inspection() -> Inspection:
    return inspect_brief(loads_brief(BRIEF))


def _runs(urls: dict[str, str]) -> dict[str, tuple[bool, tuple[str, ...], int]]:
    i = _inspection()
    return {
        r.engine.split()[0]: (
            r.executed,
            tuple(name for name, _ in r.statement_errors),
            r.statements_explained,
        )
        for r in run_on_engines(i.brief, i.catalog, i.workload, urls)
    }


def test_sqlite_always_executes_and_names_what_fails() -> None:
    runs = _runs({})
    assert runs["SQLite"] == (True, ("regex",), 3)
    assert runs["PostgreSQL"][0] is False and runs["MariaDB"][0] is False


def test_a_schema_the_engine_rejects_is_an_error() -> None:
    i = _inspection()
    broken = i.catalog.replace_table(
        i.catalog.tables[0].__class__(i.catalog.tables[0].name, ())  # a table with no columns
    )
    (sqlite,) = [r for r in run_on_engines(i.brief, broken, i.workload) if r.engine.startswith("SQLite")]
    assert sqlite.executed and sqlite.schema_error


def test_parameters_are_bound_to_null_and_limits_to_one() -> None:
    assert bind_nulls("SELECT a FROM t WHERE b = :x AND c = $1 LIMIT :n", "postgres") == (
        "SELECT a FROM t WHERE b = NULL AND c = NULL LIMIT 1"
    )
    assert (
        bind_nulls("SELECT a FROM t WHERE b = ? LIMIT ?", "mysql") == "SELECT a FROM t WHERE b = NULL LIMIT 1"
    )


def test_postgresql_executes_in_a_rolled_back_transaction(pg_scratch_db: str) -> None:
    runs = _runs({"postgresql": pg_scratch_db})
    assert runs["PostgreSQL"] == (True, ("bad_literal",), 3)
    with psycopg.connect(pg_scratch_db) as conn:
        left = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    assert left == (0,)


def test_mariadb_executes_and_is_emptied_afterwards(mariadb_scratch_db: str) -> None:
    runs = _runs({EngineName.MARIADB: mariadb_scratch_db})
    assert runs["MariaDB"] == (True, ("regex", "archive"), 2)
    database = mariadb_scratch_db.rsplit("/", 1)[1]
    conn = mariadb_connect(mariadb_scratch_db, database)
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            assert cur.fetchall() == ()
    finally:
        conn.close()


def test_mariadb_that_is_not_empty_is_not_touched(mariadb_scratch_db: str) -> None:
    database = mariadb_scratch_db.rsplit("/", 1)[1]
    conn = mariadb_connect(mariadb_scratch_db, database)
    try:
        with conn.cursor() as cur:
            cur.execute("CREATE TABLE keep_me (id int)")
        i = _inspection()
        runs = {
            r.engine: r
            for r in run_on_engines(i.brief, i.catalog, i.workload, {"mariadb": mariadb_scratch_db})
        }
        run = runs["MariaDB 10.11"]
        assert not run.executed and run.skipped and "not empty" in run.skipped
        with conn.cursor() as cur:
            cur.execute("SHOW TABLES")
            assert cur.fetchall() == (("keep_me",),)
    finally:
        conn.close()


def test_portability_findings_name_engine_and_statement(pg_scratch_db: str, mariadb_scratch_db: str) -> None:
    i = _inspection()
    verdict = check_design(
        i.brief,
        i.catalog,
        i.workload,
        i.traits,
        i.sizes,
        None,
        {"postgresql": pg_scratch_db, "mariadb": mariadb_scratch_db},
        only={"portability"},
    )
    errors = sorted((f.engine or "", f.statement or "") for f in verdict.findings if f.level.value == "error")
    assert errors == [
        ("MariaDB 10.11", "archive"),
        ("MariaDB 10.11", "regex"),
        ("PostgreSQL 15", "bad_literal"),
        ("SQLite 3.40", "regex"),
    ]
    assert [f.table for f in verdict.findings if f.level.value == "warning"] == ["documents"]
    # nothing left unchecked; each note names the server that ran its engine
    assert sorted(n.split(" executed on ")[0] for n in verdict.notes) == [
        "portability on MariaDB 10.11",
        "portability on PostgreSQL 15",
        "portability on SQLite 3.40",
    ]
    assert any(
        n.endswith(f"executed on SQLite {sqlite3.sqlite_version} (embedded, a temporary file)")
        for n in verdict.notes
    )
    assert any("executed on MariaDB 10.11." in n for n in verdict.notes)
    assert any("executed on PostgreSQL 15." in n for n in verdict.notes)


@pytest.mark.parametrize(
    "brief", sorted((ROOT / "examples").glob("*/brief.yaml")), ids=lambda p: p.parent.name
)
def test_check_design_on_every_example(brief: Path) -> None:
    i = inspect_brief(brief)
    verdict = check_design(i.brief, i.catalog, i.workload, i.traits, i.sizes, source=str(brief))
    assert verdict.rules
    assert verdict_text(verdict).splitlines()[-1].split(":")[0] in ("pass", "FAIL")
    assert json.loads(verdict_json(verdict))["passed"] == verdict.passed
    assert len(verdict_sarif(verdict)["runs"][0]["results"]) == len(verdict.findings)
    # SQLite (when an engine of the brief) really ran the schema.
    assert not any("SQLite" in n and "not executed" in n for n in verdict.notes)


def test_least_privilege_roles_run_on_postgresql(pg_scratch_db: str) -> None:
    i = _inspection()
    script = least_privilege_sql(i.catalog, get_traits("postgresql", "15"), prefix="dbarch_lp_test")
    from dbarchitect.engines.ddl import render_schema

    with psycopg.connect(pg_scratch_db) as conn:  # roles are cluster-wide: roll everything back
        conn.execute(render_schema(i.catalog, get_traits("postgresql", "15")))
        conn.execute(script)
        grants = conn.execute(
            "SELECT grantee, privilege_type FROM information_schema.role_table_grants "
            "WHERE table_name = 'documents' AND grantee IN ('dbarch_lp_test_app', 'dbarch_lp_test_readonly') "
            "ORDER BY 1, 2"
        ).fetchall()
        conn.rollback()
    assert grants == [
        ("dbarch_lp_test_app", "DELETE"),
        ("dbarch_lp_test_app", "INSERT"),
        ("dbarch_lp_test_app", "SELECT"),
        ("dbarch_lp_test_app", "UPDATE"),
        ("dbarch_lp_test_readonly", "SELECT"),
    ]


def test_least_privilege_roles_run_on_mariadb(mariadb_scratch_db: str) -> None:
    i = _inspection()
    traits = get_traits("mariadb", "10.11")
    script = least_privilege_sql(i.catalog, traits, prefix="dbarch_lp_test")
    from dbarchitect.engines.ddl import render_schema

    database = mariadb_scratch_db.rsplit("/", 1)[1]
    conn = mariadb_connect(mariadb_scratch_db, database)
    try:
        with conn.cursor() as cur:
            for statement in [*render_schema(i.catalog, traits).split(";\n"), *script.split(";\n")]:
                body = "\n".join(x for x in statement.splitlines() if not x.startswith("--")).strip()
                if body:
                    cur.execute(body)
            cur.execute("SHOW GRANTS FOR dbarch_lp_test_readonly")
            shown = [r[0] for r in cur.fetchall()]
            assert any("GRANT SELECT ON" in g and "documents" in g for g in shown)
    finally:
        with conn.cursor() as cur:
            for role in ("dbarch_lp_test_readonly", "dbarch_lp_test_app", "dbarch_lp_test_owner"):
                cur.execute(f"DROP ROLE IF EXISTS {role}")
        conn.close()


def test_sqlite_has_no_roles_and_says_so() -> None:
    script = least_privilege_sql(_inspection().catalog, get_traits("sqlite"))
    assert "no users, roles or GRANTs" in script and "GRANT SELECT" not in script


def test_engines_not_executed_still_transpile_and_name_returning() -> None:
    brief = loads_brief(BRIEF.replace("portable_to: [sqlite, mariadb 10.11]", "portable_to: [mysql 8.0]"))
    i = inspect_brief(brief)
    (mysql,) = [r for r in run_on_engines(i.brief, i.catalog, i.workload) if r.engine.startswith("MySQL")]
    assert not mysql.executed
    assert mysql.statement_errors == (("archive", "uses RETURNING, which MySQL 8.0 does not have"),)
