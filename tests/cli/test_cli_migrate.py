"""`dbarch migrate` as a user runs it: from DDL files, briefs and databases, with files written, the
data-loss refusal, rename hints, the read-only check against existing data, and bad input."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from dbarchitect.cli import app

runner = CliRunner()
PAIRS = Path(__file__).resolve().parents[1] / "advisors" / "migrations" / "pairs"
MANY = PAIRS / "48_many_changes"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["migrate", *args])
    return result.exit_code, result.output


def test_markdown_plan_with_locks_and_down_plan() -> None:
    code, out = run("--from", str(MANY / "a.sql"), "--to", str(MANY / "b.sql"), "--engine", "postgresql 15")
    assert code == 0, out
    assert "CREATE INDEX CONCURRENTLY" in out and "NOT VALID" in out and "VALIDATE CONSTRAINT" in out
    assert "ACCESS EXCLUSIVE" in out and "## Down-plan" in out


def test_files_per_phase_json_and_alembic(tmp_path: Path) -> None:
    out_dir = tmp_path / "plan"
    code, out = run(
        "--from", str(MANY / "a.sql"), "--to", str(MANY / "b.sql"), "--engine", "mariadb 10.11",
        "-o", str(out_dir), "--alembic", str(tmp_path / "rev.py"), "-f", "json",
    )  # fmt: skip
    assert code == 0, out
    plan = json.loads(out)
    assert plan["steps"] and all("ALGORITHM=" in s["sql"] for s in plan["steps"] if "ALTER TABLE" in s["sql"])
    names = sorted(p.name for p in out_dir.iterdir())
    assert "down.sql" in names and "plan.md" in names and "plan.json" in names
    assert any(n.endswith("_expand.sql") for n in names)
    revision = (tmp_path / "rev.py").read_text()
    compile(revision, "rev.py", "exec")
    assert "def upgrade()" in revision and "def downgrade()" in revision


def test_data_loss_is_refused_unless_allowed() -> None:
    pair = PAIRS / "02_drop_table"
    args = ["--from", str(pair / "a.sql"), "--to", str(pair / "b.sql"), "--engine", "postgresql 15"]
    code, out = run(*args)
    assert code == 2 and "would lose data" in out and len(out.strip().splitlines()) == 1
    code, out = run(*args, "--allow-data-loss")
    assert code == 0 and "DROP TABLE" in out


def test_a_likely_rename_asks_for_a_hint(tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, total numeric(12,2));\n")
    (tmp_path / "b.sql").write_text("CREATE TABLE t (id int PRIMARY KEY, amount numeric(12,2));\n")
    args = ["--from", str(tmp_path / "a.sql"), "--to", str(tmp_path / "b.sql"), "--engine", "postgresql 15"]
    code, out = run(*args)
    assert code == 2 and "t.total: amount" in out
    code, out = run(*args, "--rename", "t.total=amount")
    assert code == 0, out
    assert "RENAME COLUMN total TO amount" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--from", "no/such.sql", "--to", "no/such.sql", "--engine", "postgresql"], "no such file"),
        (
            ["--from", str(MANY / "a.sql"), "--to", str(MANY / "b.sql"), "--engine", "oracle"],
            "unknown engine",
        ),
        (
            ["--from", str(MANY / "a.sql"), "--to", str(MANY / "b.sql"), "--engine", "postgresql 9"],
            "not supported",
        ),
        (
            [
                "--from",
                str(MANY / "a.sql"),
                "--to",
                str(MANY / "b.sql"),
                "--engine",
                "postgresql",
                "--rename",
                "x",
            ],
            "--rename",
        ),
        (
            [
                "--from",
                "postgresql://app:hunter2@127.0.0.1:1/db",
                "--to",
                str(MANY / "b.sql"),
                "--engine",
                "postgresql",
            ],
            "127.0.0.1",
        ),
    ],
)
def test_bad_input_is_one_line_exit_2(args: list[str], message: str) -> None:
    code, out = run(*args)
    assert code == 2, out
    lines = [line for line in out.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert "hunter2" not in out


def test_check_against_the_data_refuses_not_null_over_nulls(pg_scratch_db: str, tmp_path: Path) -> None:
    (tmp_path / "a.sql").write_text("CREATE TABLE users (id int PRIMARY KEY, age int);\n")
    (tmp_path / "b.sql").write_text("CREATE TABLE users (id int PRIMARY KEY, age int NOT NULL);\n")
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE users (id int PRIMARY KEY, age int)")
        conn.execute("INSERT INTO users VALUES (1, 30), (2, NULL)")
    args = ["--from", pg_scratch_db, "--to", str(tmp_path / "b.sql"), "--engine", "postgresql 15"]
    code, out = run(*args, "--check", pg_scratch_db)
    assert code == 2 and "does not fit the data" in out and "1 row(s)" in out
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("UPDATE users SET age = 0 WHERE age IS NULL")
        rows = conn.execute("SELECT count(*) FROM users").fetchone()
    assert rows == (2,)
    code, out = run(*args, "--check", pg_scratch_db)
    assert code == 0, out
    assert "SET NOT NULL" in out


def test_an_incomplete_plan_names_what_is_not_planned_and_exits_1(tmp_path: Path) -> None:
    current = tmp_path / "a.sql"
    current.write_text("CREATE TABLE users (id bigint PRIMARY KEY);\n", encoding="utf-8")
    target = tmp_path / "b.sql"
    target.write_text(
        "CREATE TABLE users (id bigint PRIMARY KEY);\nCREATE SCHEMA test;\n"
        "CREATE TABLE test.items (id int PRIMARY KEY);\n",
        encoding="utf-8",
    )
    code, out = run("--from", str(current), "--to", str(target), "--engine", "postgresql 15")
    assert code == 1
    assert "create schema test" in out
    assert "not planned (the plan is incomplete): table test.items" in out
