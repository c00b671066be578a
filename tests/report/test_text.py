"""Text reports piped (CI logs, `| less`, `| grep`): no name is ever cut with an ellipsis, wide tables
grow and wrap their prose cells instead, and prose lines are not broken."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from rich.console import Console
from rich.table import Table
from rich.text import Text
from typer.testing import CliRunner

from dbarchitect.cli import app
from dbarchitect.report.text import name_column, print_blocks

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
BRIEFS = sorted(str(p) for p in EXAMPLES.glob("*/brief.yaml"))
runner = CliRunner()


@pytest.mark.parametrize("brief", BRIEFS, ids=lambda p: Path(p).parent.name)
@pytest.mark.parametrize("command", ["inspect", "design", "indexes", "partition"])
def test_piped_text_cuts_no_name(brief: str, command: str) -> None:
    result = runner.invoke(app, [command, brief], env={"COLUMNS": "80"})
    assert result.exit_code in (0, 1), result.output
    assert "…" not in result.stdout


def test_shop_order_history_index_name_is_whole() -> None:
    result = runner.invoke(app, ["inspect", str(EXAMPLES / "shop" / "brief.yaml")], env={"COLUMNS": "80"})
    assert "orders_customer_placed_idx" in result.stdout
    assert "schema from ddl: schema.sql" in result.stdout  # a prose line is not broken mid-way


def test_a_table_wider_than_the_console_grows_rather_than_cuts() -> None:
    out = io.StringIO()
    console = Console(file=out, width=40, highlight=False)
    table = Table(title="t")
    name_column(table, "index")
    table.add_column("why")
    long_name = "orders_customer_placed_at_status_covering_idx"
    table.add_row(long_name, "a long explanation that wraps at spaces " * 3)
    table.add_row("x", "index " + long_name + "_2 ~21 rows")
    print_blocks(console, [table, Text("a line of prose longer than forty columns is left whole")])
    text = out.getvalue()
    assert "…" not in text
    assert long_name in text and long_name + "_2" in text
    assert "a line of prose longer than forty columns is left whole" in text
    assert console.width == 40  # restored after the table


def test_partition_text_shows_every_reason() -> None:
    brief = str(EXAMPLES / "iot" / "brief.yaml")
    text = runner.invoke(app, ["partition", brief]).stdout
    doc = json.loads(runner.invoke(app, ["partition", brief, "-f", "json"]).stdout)
    for decision in doc["decisions"]:
        for reason in decision["reasons"]:
            assert reason in text, reason


SQUARE_BRIEF = """\
name: t
engine: postgresql 15
schema:
  ddl: {path: schema.sql, dialect: postgresql}
tables:
  "events[eu]": {rows: 1M}
workload:
  - name: "feed[hot]"
    sql: SELECT id FROM "events[eu]" WHERE kind = :k
    rate: 10/s
"""
SQUARE_DDL = """\
CREATE TABLE "events[eu]" (id bigint PRIMARY KEY, kind text NOT NULL);
CREATE INDEX ":fire:_idx" ON "events[eu]" (kind);
"""


@pytest.mark.parametrize("command", ["inspect", "design", "indexes", "partition"])
def test_names_that_look_like_markup_are_printed_as_they_are(tmp_path: Path, command: str) -> None:
    """`[eu]` is rich markup and `:fire:` an emoji code: a report printed them as `events` and 🔥."""
    (tmp_path / "brief.yaml").write_text(SQUARE_BRIEF)
    (tmp_path / "schema.sql").write_text(SQUARE_DDL)
    result = runner.invoke(app, [command, str(tmp_path / "brief.yaml")], env={"COLUMNS": "80"})
    assert result.exit_code in (0, 1), result.output
    assert "🔥" not in result.stdout and not re.search(r"events(?!\[eu\])", result.stdout), result.stdout
    if command == "inspect":
        assert "feed[hot]" in result.stdout and ":fire:_idx" in result.stdout


def test_an_error_about_such_a_name_is_printed_as_it_is(tmp_path: Path) -> None:
    (tmp_path / "brief.yaml").write_text(SQUARE_BRIEF.replace("schema.sql", "':fire:[eu].sql'"))
    result = runner.invoke(app, ["inspect", str(tmp_path / "brief.yaml")])
    assert result.exit_code == 2
    assert ":fire:[eu].sql" in result.output and "🔥" not in result.output


def test_design_says_where_it_wrote_the_reports(tmp_path: Path) -> None:
    """`design -o DIR` listed its schema files but not report.html, design.json or the runbooks."""
    blog = str(EXAMPLES / "blog" / "brief.yaml")
    out = tmp_path / "out"
    result = runner.invoke(app, ["design", blog, "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    last = result.stdout.splitlines()[-1]
    assert last.startswith(f"Reports: {out / 'report.html'}, {out / 'report.md'}, {out / 'design.json'}")
    named = re.findall(r"(?:: |, )(/[^,; ]+)", last)
    assert len(named) == 5 and all(Path(p).exists() for p in named), last
    assert f"runbooks: {out / 'runbooks.md'}" in last and f"operations: {out / 'operations'}/ (" in last
    as_json = runner.invoke(app, ["design", blog, "-o", str(tmp_path / "j"), "-q", "-f", "json"])
    json.loads(as_json.stdout)  # the document alone: nothing appended to it
