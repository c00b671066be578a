"""`dbarch check` as a CI gate: exit 0 on a passing design, 1 on an error-level guardrail, 2 on bad
input; text, JSON and SARIF; portability proven on a real scratch database when one is given."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from dbarchitect.cli import app
from tests.over_slo import iot_over_slo

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_a_passing_design_exits_0_and_says_so() -> None:
    result = runner.invoke(app, ["check", str(EXAMPLES / "blog" / "brief.yaml")])
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1].startswith("pass: 0 error(s)")


def test_an_error_level_guardrail_exits_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(iot_over_slo(tmp_path))])
    assert result.exit_code == 1, result.output
    assert "error [slo-latency] statement site_summary" in result.output


def test_sarif_and_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(iot_over_slo(tmp_path)), "-f", "sarif"])
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


# ---------------------------------------------------------------------------------------------
# Which server proves which engine (issue 17)


def test_a_mariadb_server_does_not_prove_mysql_portability(mariadb_scratch_db: str) -> None:
    """`--engine-url mysql=` reaching a MariaDB server: MySQL 8.0 is not counted as executed, and
    the verdict says which server answered."""
    result = runner.invoke(
        app,
        [
            "check",
            str(EXAMPLES / "shop" / "brief.yaml"),
            "--engine-url",
            f"mysql={mariadb_scratch_db}",
            "-f",
            "json",
        ],
    )
    doc = json.loads(result.stdout)
    notes = " ".join(doc["notes"])
    assert "portability on MySQL 8.0 not executed" in notes
    assert "a MariaDB server" in notes and "does not prove MySQL 8.0" in notes
    assert "MySQL 8.0 executed on" not in notes and "executed on MariaDB" not in notes


def test_the_text_verdict_names_the_server_that_ran_it(mariadb_scratch_db: str) -> None:
    saas = str(EXAMPLES / "saas" / "brief.yaml")
    result = runner.invoke(app, ["check", saas, "--engine-url", f"mariadb={mariadb_scratch_db}"])
    assert "note: portability on MariaDB 10.11 executed on MariaDB 10.11." in result.stdout
    # the embedded run is named too: which SQLite library ran it
    assert "note: portability on SQLite 3.40 executed on SQLite 3." in result.stdout


def test_an_engine_url_for_an_engine_not_in_the_brief_is_refused() -> None:
    saas = str(EXAMPLES / "saas" / "brief.yaml")
    result = runner.invoke(app, ["check", saas, "--engine-url", "mysql=mysql://u@127.0.0.1:1/x"])
    assert result.exit_code == 2
    assert "mysql is not an engine of this brief" in result.stderr


def test_foreign_keys_innodb_indexes_itself_are_not_flagged_on_the_target() -> None:
    """On MariaDB/MySQL the foreign key's index comes with it: the finding (whose fix would make a
    duplicate index) is only for the portable engines that lack it, and says so."""
    result = runner.invoke(app, ["check", str(EXAMPLES / "saas" / "brief.yaml"), "-f", "json"])
    doc = json.loads(result.stdout)
    fk = [f for f in doc["findings"] if f["rule"] == "foreign-key-without-index"]
    assert fk and all(f["engine"] == "PostgreSQL 15" for f in fk)
    assert all("which do not create one as MariaDB 10.11 does" in f["message"] for f in fk)
