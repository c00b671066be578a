"""`dbarch check` as a CI gate: exit 0 on a passing design, 1 on an error-level guardrail, 2 on bad
input; text, JSON and SARIF; portability proven on a real scratch database when one is given."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dbarchitect.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_passing_design_exits_0_and_says_so() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "blog" / "brief.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("pass: 0 error(s)")


def test_an_error_level_guardrail_exits_1() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "iot" / "brief.yaml")])
    assert result.exit_code == 1, result.output
    assert "error [slo-latency] statement site_summary" in result.output


def test_sarif_and_json() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "iot" / "brief.yaml"), "-f", "sarif"])
    assert result.exit_code == 1
    sarif = json.loads(result.stdout)
    assert sarif["version"] == "2.1.0"
    levels = {r["level"] for r in sarif["runs"][0]["results"]}
    assert "error" in levels
    # warnings only: exit 0, the findings still listed
    result = runner.invoke(app, ["check", str(EXAMPLES / "saas" / "brief.yaml"), "-f", "json"])
    assert result.exit_code == 0
    findings = json.loads(result.stdout)["findings"]
    assert findings and {f["level"] for f in findings} == {"warning"}


def test_bad_engine_url_is_one_line_exit_2() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "blog" / "brief.yaml"), "--engine-url", "nonsense"])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1 and "--engine-url" in result.output


def test_portability_runs_on_a_real_postgresql(pg_scratch_db: str) -> None:
    result = runner.invoke(
        app, ["check", str(EXAMPLES / "blog" / "brief.yaml"), "--engine-url", f"postgresql={pg_scratch_db}"]
    )
    assert result.exit_code == 0, result.output
    assert "portability on PostgreSQL 15 not executed" not in result.output
    assert "portability on MariaDB 10.11 not executed" in result.output
