"""`dbarch migrate --dev-url`: each DDL side is loaded into an empty scratch database, read back and
dropped again, so the plan uses the names the engine gave (never guessed ones); a non-empty dev
database is refused, and the dev database is left empty whatever happens."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from typer.testing import CliRunner

from dbarchitect.cli import app
from tests.engine_exec import execute_script, mariadb_connect

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def migrate(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["migrate", *args])
    return result.exit_code, result.output


def _pg_objects(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "select count(*) from pg_class where relnamespace = 'public'::regnamespace"
        ).fetchone()
        types = conn.execute(
            "select count(*) from pg_type where typnamespace = 'public'::regnamespace"
        ).fetchone()
    assert row is not None and types is not None
    return int(row[0]) + int(types[0])


def test_a_schema_through_the_dev_database_is_itself_and_the_dev_database_is_left_empty(
    pg_scratch_db: str,
) -> None:
    shop = str(EXAMPLES / "shop" / "schema.sql")
    code, out = migrate("--from", shop, "--to", shop, "-e", "postgresql 15", "--dev-url", pg_scratch_db, "-q")
    assert code == 0, out
    assert "nothing to do" in out
    assert _pg_objects(pg_scratch_db) == 0


def test_unnamed_constraints_are_dropped_by_the_names_the_engine_gave(
    pg_scratch_db: str, tmp_path: Path
) -> None:
    a = tmp_path / "a.sql"
    b = tmp_path / "b.sql"
    a.write_text(
        "CREATE TABLE p (id int PRIMARY KEY);\n"
        "CREATE TABLE a_long_table_name_of_fifty_bytes_or_so_to_cut_it_down_a_bit (\n"
        "  id int PRIMARY KEY, p_id int REFERENCES p (id), a_id int, CHECK (a_id > 0), CHECK (a_id < 9));\n"
    )
    b.write_text(
        "CREATE TABLE p (id int PRIMARY KEY);\n"
        "CREATE TABLE a_long_table_name_of_fifty_bytes_or_so_to_cut_it_down_a_bit (\n"
        "  id int PRIMARY KEY, p_id int, a_id int);\n"
    )
    code, out = migrate(
        "--from", str(a), "--to", str(b), "-e", "postgresql 15", "--dev-url", pg_scratch_db, "-f", "json"
    )
    assert code == 0, out
    sql = "\n".join(x for s in json.loads(out)["steps"] for x in s["sql"])
    # PostgreSQL cut the table name to fit 63 bytes and numbered the second check.
    assert "a_long_table_name_of_fifty_bytes_or_so_to_cut_it_do_a_id_check1" in sql, sql
    assert "a_long_table_name_of_fifty_bytes_or_so_to_cut_it_dow_a_id_check\n" in sql + "\n", sql
    assert "a_long_table_name_of_fifty_bytes_or_so_to_cut_it_down_p_id_fkey" in sql, sql
    # ... and the plan applies to a database built from a.sql, ending at b.sql's catalog.
    assert _pg_objects(pg_scratch_db) == 0
    execute_script(pg_scratch_db, a.read_text())
    code, out = migrate("--from", pg_scratch_db, "--to", str(b), "-e", "postgresql 15", "-f", "sql", "-q")
    assert code == 0, out
    execute_script(pg_scratch_db, out)
    code, out = migrate("--from", pg_scratch_db, "--to", str(b), "-e", "postgresql 15", "-q")
    assert code == 0 and "nothing to do" in out, out


def test_a_dev_database_that_is_not_empty_is_refused(pg_scratch_db: str) -> None:
    execute_script(pg_scratch_db, "CREATE TABLE precious (id int)")
    shop = str(EXAMPLES / "shop" / "schema.sql")
    code, out = migrate("--from", shop, "--to", shop, "-e", "postgresql 15", "--dev-url", pg_scratch_db)
    assert code == 2
    assert "--dev-url" in out and "not empty" in out and "precious" in out and "Traceback" not in out


def test_ddl_the_dev_database_refuses_names_its_line_and_leaves_it_empty(
    mariadb_scratch_db: str, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.sql"
    bad.write_text(
        "CREATE TABLE t (id int PRIMARY KEY);\n\nCREATE TABLE u (id int REFERENCES nowhere (id), x int,\n  FOREIGN KEY (x) REFERENCES t (nope));\n"
    )
    code, out = migrate(
        "--from", str(bad), "--to", str(bad), "-e", "mariadb 10.11", "--dev-url", mariadb_scratch_db
    )
    assert code == 2, out
    assert "line 3" in out and "bad.sql" in out and "Traceback" not in out
    conn = mariadb_connect(mariadb_scratch_db)
    try:
        with conn.cursor() as cur:
            cur.execute("select count(*) from information_schema.tables where table_schema = database()")
            row = cur.fetchone()
    finally:
        conn.close()
    assert row is not None and row[0] == 0


def test_overloaded_functions_are_dropped_from_the_dev_database(pg_scratch_db: str, tmp_path: Path) -> None:
    # DROP ROUTINE add_one refuses an overloaded name ("not unique"): each is dropped by its signature,
    # so the dev database is empty again and the next run is not refused
    ddl = tmp_path / "f.sql"
    ddl.write_text(
        "CREATE TABLE t (id int PRIMARY KEY);\n"
        "CREATE FUNCTION add_one(i integer) RETURNS integer LANGUAGE sql AS $$ SELECT i + 1 $$;\n"
        "CREATE FUNCTION add_one(i bigint) RETURNS bigint LANGUAGE sql AS $$ SELECT i + 1 $$;\n"
        "CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);\n"
    )
    for _ in range(2):
        code, out = migrate(
            "--from", str(ddl), "--to", str(ddl), "-e", "postgresql 15", "--dev-url", pg_scratch_db, "-q"
        )
        assert code == 0, out
    with psycopg.connect(pg_scratch_db) as conn:
        row = conn.execute(
            "select count(*) from pg_proc where pronamespace = 'public'::regnamespace"
        ).fetchone()
    assert row is not None and row[0] == 0 and _pg_objects(pg_scratch_db) == 0
