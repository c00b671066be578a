"""The configuration file (`dbarch.toml`, or `[tool.dbarch]` in pyproject.toml): the brief and the
engine commands use by default, rule levels for lint and the design guardrails, budgets over the
brief's; the command line wins over the file, the file over the brief; mistakes are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect.cli import app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()
MIGRATION = "CREATE INDEX orders_region_idx ON orders (region);\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(EXAMPLES / "shop", tmp_path / "db")
    (tmp_path / ".git").mkdir()  # the search stops at a repository's root
    (tmp_path / "0001.sql").write_text(MIGRATION)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _findings(result_stdout: str) -> dict[str, list[dict[str, object]]]:
    doc = json.loads(result_stdout)
    out: dict[str, list[dict[str, object]]] = {}
    for f in doc["findings"]:
        out.setdefault(str(f["rule"]), []).append(f)
    return out


def test_dbarch_toml_gives_the_brief_engine_levels_and_budgets(project: Path) -> None:
    (project / "dbarch.toml").write_text(
        'brief = "db/brief.yaml"\nengine = "pg 15"\n\n'
        '[rules]\nslo-latency = "off"\nrequire-concurrent-index-creation = "warning"\n\n'
        '[budgets]\nstorage = "1GB"\n'
    )
    check = runner.invoke(app, ["check", "-f", "json"])  # no BRIEF: the file's
    findings = _findings(check.stdout)
    assert "slo-latency" not in findings  # off in the file (an error in the brief's defaults)
    assert "storage-over-budget" in findings  # 1GB over the brief's 2TB
    lint = runner.invoke(app, ["lint", "0001.sql", "-f", "json"])  # no --engine: the file's
    doc = json.loads(lint.stdout)
    levels = {f["rule"]: f["level"] for f in doc["findings"]}
    assert levels["require-concurrent-index-creation"] == "warning"
    # the command line wins over the file
    strict = runner.invoke(
        app, ["lint", "0001.sql", "-f", "json", "--rule", "require-concurrent-index-creation=error"]
    )
    levels = {f["rule"]: f["level"] for f in json.loads(strict.stdout)["findings"]}
    assert levels["require-concurrent-index-creation"] == "error"


def test_pyproject_tool_dbarch_is_found_from_a_subdirectory(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "pyproject.toml").write_text(
        '[project]\nname = "app"\n\n[tool.dbarch]\nbrief = "db/brief.yaml"\n\n[tool.dbarch.rules]\nslo-latency = "off"\n'
    )
    monkeypatch.chdir(project / "db")
    result = runner.invoke(app, ["check", "-f", "json"])
    assert "slo-latency" not in _findings(result.stdout)


def test_an_explicit_config_file(project: Path, tmp_path: Path) -> None:
    # SLOs no summary table or rewrite meets, so the design has slo-latency errors to relevel
    brief = project / "db" / "brief.yaml"
    text = brief.read_text().replace("slo: {p95_ms: 5000}", "slo: {p95_ms: 5}")
    brief.write_text(text.replace("slo: {p95_ms: 30000}", "slo: {p95_ms: 30}"))
    other = project / "ci.toml"
    other.write_text('brief = "db/brief.yaml"\n[rules]\nslo-latency = "warning"\n')
    result = runner.invoke(app, ["--config", str(other), "check", "-f", "json"])
    assert result.exit_code == 0  # the only errors were slo-latency's, now warnings
    assert all(f["level"] == "warning" for f in _findings(result.stdout)["slo-latency"])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('breif = "db/brief.yaml"\n', "unknown key breif; did you mean 'brief'?"),
        ('[rules]\nslo-latncy = "off"\n', "rules: no rule 'slo-latncy'; did you mean 'slo-latency'?"),
        ('[rules]\nslo-latency = "of"\n', "rules.slo-latency: 'of' is not a level"),
        ('[budgets]\nstorage = "lots"\n', "budgets.storage: cannot read size 'lots'"),
        ('engine = "postgress"\n', "engine: unknown engine 'postgress'; did you mean 'postgres'?"),
        ("brief = [\n", "malformed TOML"),
    ],
)
def test_mistakes_in_the_file_are_refused(project: Path, text: str, expected: str) -> None:
    (project / "dbarch.toml").write_text(text)
    result = runner.invoke(app, ["check", "db/brief.yaml"])
    assert result.exit_code == 2
    assert "dbarch.toml" in result.stderr and expected in result.stderr, result.stderr


def test_without_a_brief_anywhere_the_message_says_where_to_give_one(project: Path) -> None:
    result = runner.invoke(app, ["design"])
    assert result.exit_code == 2 and "set brief" in result.stderr and "dbarch.toml" in result.stderr
    result = runner.invoke(app, ["lint", "0001.sql"])
    assert result.exit_code == 2 and "give --engine" in result.stderr
