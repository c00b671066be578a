"""`dbarch lint` and `dbarch rules` as a user runs them: exit codes, formats, the brief's sizes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect.cli import app

runner = CliRunner()
SHOP = Path(__file__).resolve().parents[2] / "examples" / "shop" / "brief.yaml"
MIGRATION = """\
BEGIN;
ALTER TABLE orders ADD COLUMN region text NOT NULL;
CREATE INDEX orders_region_idx ON orders (region);
COMMIT;
"""
SAFE = """\
SET lock_timeout = '2s';
ALTER TABLE orders ADD COLUMN region text;
CREATE INDEX CONCURRENTLY orders_region_idx ON orders (region);
"""


def lint(tmp_path: Path, sql: str, *args: str) -> tuple[int, str]:
    path = tmp_path / "m.sql"
    path.write_text(sql)
    result = runner.invoke(app, ["lint", str(path), "--engine", "postgresql 15", *args])
    return result.exit_code, result.output


def test_errors_exit_1_with_file_line_and_rule(tmp_path: Path) -> None:
    code, out = lint(tmp_path, MIGRATION)
    assert code == 1
    assert "m.sql:2:31: error [adding-not-null-column]" in out
    assert "m.sql:3:1: error [require-concurrent-index-creation]" in out


def test_a_safe_migration_exits_0(tmp_path: Path) -> None:
    code, out = lint(tmp_path, SAFE)
    assert code == 0, out


def test_rule_levels_and_suppression(tmp_path: Path) -> None:
    code, _ = lint(
        tmp_path,
        MIGRATION,
        "--rule",
        "adding-not-null-column=off",
        "--rule",
        "require-concurrent-index-creation=warning",
    )
    assert code == 0
    suppressed = MIGRATION.replace(
        "CREATE INDEX orders_region_idx",
        "-- dbarch:disable require-concurrent-index-creation\nCREATE INDEX orders_region_idx",
    )
    code, out = lint(tmp_path, suppressed, "--rule", "adding-not-null-column=off")
    assert code == 0 and "require-concurrent-index-creation" not in out


def test_the_brief_gives_sizes(tmp_path: Path) -> None:
    _, out = lint(tmp_path, MIGRATION, "--brief", str(SHOP))
    assert "its size is not known" not in out
    assert "40" in out  # the brief's 40M orders are named


def test_sarif_and_json(tmp_path: Path) -> None:
    code, out = lint(tmp_path, MIGRATION, "-f", "sarif")
    assert code == 1
    sarif = json.loads(out)
    assert sarif["version"] == "2.1.0"
    results = sarif["runs"][0]["results"]
    assert {r["ruleId"] for r in results} >= {"adding-not-null-column", "require-concurrent-index-creation"}
    assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] for r in results)
    code, out = lint(tmp_path, MIGRATION, "-f", "json")
    assert code == 1 and json.loads(out)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--rule", "nope=off"], "unknown rule id 'nope'"),
        (["--rule", "nope"], "--rule 'nope'"),
    ],
)
def test_bad_input_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    code, out = lint(tmp_path, MIGRATION, *args)
    assert code == 2 and message in out and len(out.strip().splitlines()) == 1


def test_missing_file_and_unknown_engine(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path / "none.sql"), "--engine", "postgresql"])
    assert result.exit_code == 2 and "none.sql: no such file" in result.output
    (tmp_path / "m.sql").write_text(SAFE)
    result = runner.invoke(app, ["lint", str(tmp_path / "m.sql"), "--engine", "oracle"])
    assert result.exit_code == 2 and "unknown engine" in result.output


def test_rules_list_and_explain() -> None:
    listed = runner.invoke(app, ["rules", "list"])
    assert listed.exit_code == 0 and "require-concurrent-index-creation:" in listed.output
    assert len(listed.output.splitlines()) >= 20
    explained = runner.invoke(app, ["rules", "explain", "require-concurrent-index-creation"])
    assert explained.exit_code == 0 and "CONCURRENTLY" in explained.output
    unknown = runner.invoke(app, ["rules", "explain", "nope"])
    assert unknown.exit_code == 2


@pytest.mark.parametrize(
    "sql", ["CREAT INDEX x ON y (z); ALTER TABLE ((( ;", "ALTR TABLE posts ADDD COLUMN x;"]
)
def test_sql_that_does_not_parse_exits_2_with_file_and_line(tmp_path: Path, sql: str) -> None:
    code, out = lint(tmp_path, sql)
    assert code == 2
    assert f"{tmp_path / 'm.sql'}:1:1: error [invalid-sql]" in out


def test_several_files_a_directory_in_name_order_and_stdin(tmp_path: Path) -> None:
    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "V10__later.sql").write_text("SET lock_timeout = '2s';\nDROP TABLE legacy;\n")
    (folder / "V2__first.sql").write_text(
        "SET lock_timeout = '2s';\nALTER TABLE t ADD COLUMN c int NOT NULL;\n"
    )
    (folder / "README.md").write_text("not SQL")
    extra = tmp_path / "extra.sql"
    extra.write_text(SAFE)
    result = runner.invoke(
        app,
        ["lint", str(folder), "-", str(extra), "--engine", "postgresql 15", "-f", "json"],
        input="SET lock_timeout = '2s';\nCREATE INDEX i ON t (a);\n",
    )
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert [f["file"] for f in doc["files"]] == [
        str(folder / "V2__first.sql"),
        str(folder / "V10__later.sql"),
        "<stdin>",
        str(extra),
    ]
    assert [(f["file"].rsplit("/", 1)[-1], f["rule"]) for f in doc["findings"]] == [
        ("V2__first.sql", "adding-not-null-column"),
        ("V10__later.sql", "dropping-table"),
        ("<stdin>", "require-concurrent-index-creation"),
    ]
    assert doc["file"] is None and doc["statements"] == 9


def test_a_directory_without_sql_files_is_bad_input(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(tmp_path), "--engine", "postgresql 15"])
    assert result.exit_code == 2 and "holds no .sql file" in result.output
