"""Every class of bad input: one clear line naming the file/line/field, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect.cli import app

runner = CliRunner()

SCHEMA = """\
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL);
CREATE TABLE orders (
  id bigint PRIMARY KEY,
  customer_id bigint NOT NULL REFERENCES customers (id),
  total numeric(12,2) NOT NULL
);
"""


def write_brief(tmp_path: Path, body: str, schema: str = SCHEMA) -> Path:
    (tmp_path / "schema.sql").write_text(schema)
    path = tmp_path / "brief.yaml"
    path.write_text(body)
    return path


BASE = "engine: postgresql 15\nschema: {ddl: schema.sql}\n"


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


CASES = {
    "malformed yaml": (BASE + "tables: [oops\n", "brief.yaml:4:1: malformed YAML"),
    "unknown engine": (
        "engine: oracle\nschema: {ddl: schema.sql}\n",
        "brief.yaml:1: engine: unknown engine 'oracle' (engines: postgresql (postgres, pg",
    ),
    "sql does not parse": (
        BASE + "workload:\n  - {name: broken, sql: 'SELEC id FROM orders', rate: 1/s}\n",
        "broken",
    ),
    "unknown table": (
        BASE + "workload:\n  - {name: q, sql: 'SELECT id FROM order_items', rate: 1/s}\n",
        "order_items",
    ),
    "unknown column": (
        BASE + "workload:\n  - {name: q, sql: 'SELECT totl FROM orders', rate: 1/s}\n",
        "did you mean 'total'",
    ),
    "negative size": (BASE + "tables: {orders: {rows: -5}}\n", "brief.yaml:3: tables.orders.rows"),
    "absurd size": (BASE + "tables: {orders: {rows: 1e20}}\n", "tables.orders.rows"),
    "absurd budget": (BASE + "budgets: {storage: 5000EB}\n", "budgets.storage"),
    "size for missing table": (
        BASE + "tables: {ordrs: {rows: 5}}\n",
        "no table 'ordrs' in the schema; did you mean 'orders'?",
    ),
    "stats for missing column": (
        BASE + "tables: {orders: {rows: 5, columns: {totl: {distinct: 3}}}}\n",
        "table 'orders' has no column 'totl'; did you mean 'total'?",
    ),
    "example value not of its column's type": (
        BASE + "workload:\n  - {name: q, sql: 'SELECT id FROM orders WHERE total > :least', rate: 1/s,"
        " params: {least: lots}}\n",
        "brief.yaml:4: workload.statements[0].params.least: 'lots' is not a number: :least is compared with "
        "orders.total (decimal(12,2)) (give a number such as 19.99, or remove it)",
    ),
    "example for a parameter the statement does not use": (
        BASE + "workload:\n  - {name: q, sql: 'SELECT id FROM orders WHERE customer_id = :customer', "
        "rate: 1/s, params: {customr: 5}}\n",
        "brief.yaml:4: workload.statements[0].params.customr: the statement has no parameter :customr; "
        "did you mean 'customer'?",
    ),
    "missing ddl file": (
        "engine: postgresql\nschema: {ddl: nothere.sql}\n",
        "schema.ddl.path: DDL file 'nothere.sql' not found",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_exit_2(tmp_path: Path, case: str) -> None:
    body, expected = CASES[case]
    brief = write_brief(tmp_path, body)
    for command in ("inspect", "design"):
        code, output = run(command, str(brief))
        assert code == 2, output
        assert expected in output
        assert "Traceback" not in output
        lines = [line for line in output.splitlines() if line.strip()]
        assert len(lines) == 1, output
        assert lines[0].startswith("error:")


def test_ddl_in_the_wrong_dialect(tmp_path: Path) -> None:
    mysql_ddl = (
        "CREATE TABLE `orders` (`id` bigint NOT NULL AUTO_INCREMENT, PRIMARY KEY (`id`)) ENGINE=InnoDB;\n"
    )
    brief = write_brief(tmp_path, BASE, schema=mysql_ddl)
    code, output = run("inspect", str(brief))
    assert code == 2
    assert "mysql" in output.lower()
    assert "schema.sql" in output


def test_unreachable_database_never_echoes_password(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text("engine: postgresql\nschema: {source: 'postgresql://app:hunter2@127.0.0.1:1/shop'}\n")
    code, output = run("inspect", str(brief))
    assert code == 2, output
    assert "hunter2" not in output
    assert "127.0.0.1" in output


def test_missing_brief_file() -> None:
    code, output = run("inspect", "no/such/brief.yaml")
    assert code == 2
    assert "no/such/brief.yaml: no such file" in output


def test_real_process_exit_code_and_stderr(tmp_path: Path) -> None:
    brief = write_brief(tmp_path, "engine: oracle\nschema: {ddl: schema.sql}\n")
    proc = subprocess.run(
        [sys.executable, "-m", "dbarchitect.cli", "inspect", str(brief)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "oracle" in proc.stderr
    debug = subprocess.run(
        [sys.executable, "-m", "dbarchitect.cli", "--debug", "inspect", str(brief)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert debug.returncode == 2
    assert "Traceback" in debug.stderr
