"""Start-up stays cheap: `dbarch --help` and `dbarch rules list` import neither the engines nor
sqlglot, SQLAlchemy, the MCP SDK, the api nor rich (help is click's plain text) (what each imports is checked, not timed: the time is
measured in bench/startup against a baseline in the same run). pydantic is allowed once a command
runs: typer itself converts the arguments with it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dbarchitect.guardrails.catalog import RulePackage, imported_rule_summaries, rule_summaries

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = (
    "sqlglot",
    "sqlalchemy",
    "mcp",
    "psycopg",
    "pymysql",
    "highspy",
    "numpy",
    "jinja2",
    "rich",
    "markdown_it",
)
OURS = ("dbarchitect.api", "dbarchitect.brief", "dbarchitect.report", "dbarchitect.guardrails")


def _imported(*args: str) -> set[str]:
    """The modules a `dbarch ARGS` process imported, from its -X importtime trace."""
    code = "import sys; from dbarchitect.cli import main; sys.argv[0] = 'dbarch'; main()"
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code, *args],
        capture_output=True,
        text=True,
        check=False,
        env={"PYTHONPATH": str(SRC), "PATH": "/usr/bin:/bin", "COLUMNS": "100"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return {
        line.rsplit("|", 1)[1].strip()
        for line in done.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }


@pytest.mark.parametrize("args", [("--help",), ("rules", "list"), ("design", "--help"), ("--version",)])
def test_start_up_imports_nothing_heavy(args: tuple[str, ...]) -> None:
    modules = _imported(*args)
    light = {"dbarchitect.guardrails", "dbarchitect.guardrails.catalog"}  # lazy package, ast-read rule list
    heavy = sorted(m for m in modules if m.split(".")[0] in HEAVY or (m.startswith(OURS) and m not in light))
    assert not heavy, f"dbarch {' '.join(args)} imported {heavy[:10]}"


@pytest.mark.parametrize("package", ["guardrails.rules", "guardrails.design.rules"])
def test_rules_list_read_from_source_equals_the_imported_rules(package: RulePackage) -> None:
    assert rule_summaries(package) == imported_rule_summaries(package)
    assert len(rule_summaries(package)) >= 10
