"""`dbarch partition`: the advice in every format, the files -o writes, a measurement on a real
PostgreSQL scratch database, and bad input (exit 2, one line, no traceback)."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dbarchitect.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
IOT = str(EXAMPLES / "iot" / "brief.yaml")
SAAS = str(EXAMPLES / "saas" / "brief.yaml")


def test_text_names_each_table_with_its_verdict_and_the_model_label() -> None:
    result = runner.invoke(app, ["partition", IOT])
    assert result.exit_code == 0, result.output
    assert "Partitioning for PostgreSQL 15" in result.output
    assert "RANGE (recorded_at) by week" in result.output and "keep" in result.output
    assert "model: partitions counted" in result.output and "99.98%" in result.output


def test_json_is_the_advice_document() -> None:
    result = runner.invoke(app, ["partition", SAAS, "-f", "json"])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["engine"] == "MariaDB 10.11" and doc["measurements"] == []
    verdicts = {d["table"]: (d["verdict"], d["rejection"]) for d in doc["decisions"]}
    assert verdicts["audit_log"] == ("keep", None)
    assert verdicts["tasks"] == ("no", "foreign keys would be lost")
    assert doc["workload"]["weighted_within_two"] >= 0.95


def test_markdown_and_sql() -> None:
    md = runner.invoke(app, ["partition", IOT, "-f", "markdown"])
    assert md.exit_code == 0 and "## Partitioning" in md.stdout and "| `readings` | keep |" in md.stdout
    sql = runner.invoke(app, ["partition", SAAS, "-f", "sql"])
    assert sql.exit_code == 0, sql.output
    assert "PARTITION BY RANGE COLUMNS (`created_at`)" in sql.stdout
    assert "DELIMITER //\nCREATE PROCEDURE `audit_log_maintain_partitions`" in sql.stdout
    assert "CREATE EVENT IF NOT EXISTS" in sql.stdout


def test_output_directory(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = runner.invoke(app, ["partition", IOT, "-o", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["partitioning.json", "partitioning.md", "partitioning.sql", "pg_partman.sql"]
    assert (
        "CREATE OR REPLACE PROCEDURE readings_maintain_partitions" in (out / "partitioning.sql").read_text()
    )
    assert "partman.create_parent" in (out / "pg_partman.sql").read_text()


def test_migration_files_when_a_table_is_repartitioned(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE events (id bigint PRIMARY KEY, at timestamptz NOT NULL DEFAULT now(), body text);"
    )
    (tmp_path / "brief.yaml").write_text(
        "engine: postgresql 15\nschema: {ddl: schema.sql}\n"
        "tables: {events: {rows: 2B, growth: 20000000/day, retention: 60d, "
        "columns: {at: {max: '2025-12-03 10:00:00+00'}, body: {avg_width: 80}}}}\n"
        "workload:\n  - {name: add, sql: 'INSERT INTO events (id, body) VALUES (:id, :b)', rate: 200/s}\n"
    )
    out = tmp_path / "out"
    result = runner.invoke(app, ["partition", str(tmp_path / "brief.yaml"), "-o", str(out), "-f", "json"])
    assert result.exit_code == 0, result.output
    files = sorted(p.name for p in (out / "migration").iterdir())
    assert files == ["1_expand.sql", "2_backfill.sql", "3_contract.sql", "down.sql", "plan.json", "plan.md"]
    assert "ALTER TABLE events__new RENAME TO events" in (out / "migration" / "3_contract.sql").read_text()


def test_measured_on_postgresql(pg_scratch_db: str) -> None:
    result = runner.invoke(
        app, ["partition", IOT, "--engine-url", f"postgresql={pg_scratch_db}", "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    (measured,) = json.loads(result.stdout)["measurements"]
    assert measured["engine"] == "PostgreSQL 15" and measured["weighted_within_two"] >= 0.95


def test_bad_input_exits_2_with_one_line() -> None:
    cases = [
        (["partition", "no/such/brief.yaml"], "no such file"),
        (["partition", IOT, "--engine-url", "postgresql"], "--engine-url 'postgresql': write ENGINE=URL"),
        (["partition", IOT, "--engine-url", "oracle=oracle://x/y"], "unknown engine 'oracle'"),
        (["partition", IOT, "--engine-url", "sqlite=sqlite:///x.db"], "sqlite has no table partitioning"),
        (["partition", IOT, "-f", "yaml"], "Invalid value"),
    ]
    for args, message in cases:
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Traceback" not in result.output
