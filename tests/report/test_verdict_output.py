"""The verdict as people and CI read it: provenance in a details section, portability notes grouped
per engine, findings pointing at the line they are about (SARIF, GitHub annotations), and the
phrases that used to confuse."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.cli import app
from dbarchitect.guardrails.design.runner import verdict_text
from dbarchitect.guardrails.github import annotation

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SHOP = EXAMPLES / "shop" / "brief.yaml"
#: shop with SLOs no summary table or rewrite can meet: its verdict fails with two slo-latency errors
TIGHT = Path(__file__).resolve().parent / "shop_tight" / "brief.yaml"
runner = CliRunner()


@pytest.fixture(scope="module")
def shop_verdict() -> api.DesignVerdict:
    return api.check_brief(TIGHT)


def test_latency_provenance_is_a_detail_not_part_of_each_error(shop_verdict: api.DesignVerdict) -> None:
    latency = [f for f in shop_verdict.findings if f.rule_id == "slo-latency"]
    assert latency
    for f in latency:
        assert "Python" not in f.message and "Linux" not in f.message and "calibrate" not in f.message
        assert f.details and f.details[0].startswith("latency model: ")
    text = verdict_text(shop_verdict)
    # printed once, for every latency finding it belongs to
    assert text.count("latency model: ") == 1
    assert "details for slo-latency statement daily_revenue, slo-latency statement top_sellers:" in text


def test_portability_notes_are_one_warning_per_engine_with_a_count(shop_verdict: api.DesignVerdict) -> None:
    portability = [f for f in shop_verdict.findings if f.rule_id == "portability"]
    assert sorted(f.engine or "" for f in portability) == ["MySQL 8.0", "SQLite 3.40"]
    design = api.design(TIGHT)
    for f in portability:
        notes = next(s.notes for s in design.schemas if str(s.traits) == f.engine)
        count = int(re.search(r"cannot express (\d+) things", f.message).group(1))  # type: ignore[union-attr]
        assert count == len(notes) == len(f.details)
    assert shop_verdict.warnings < 12  # the findings that matter are not drowned any more


def test_sarif_points_each_finding_at_its_line(shop_verdict: api.DesignVerdict) -> None:
    result = runner.invoke(app, ["check", str(SHOP.relative_to(Path.cwd())), "-f", "sarif"])
    assert result.exit_code in (0, 1)  # shop passes with its summary tables; its warnings still point
    log = json.loads(result.stdout)
    for item in log["runs"][0]["results"]:
        physical = item["locations"][0]["physicalLocation"]
        line = physical["region"]["startLine"]
        assert line > 1, item
        source = Path(physical["artifactLocation"]["uri"]).read_text().splitlines()[line - 1]
        names = [loc["fullyQualifiedName"] for loc in item["locations"][0].get("logicalLocations", [])]
        last = names[0].split(".")[-1] if names else ""
        engine = names[0].split()[0].lower() if names and " " in names[0] else ""
        assert (last and last in source) or (engine and engine in source.lower()), (item["ruleId"], source)


def test_github_annotations_for_check_and_lint(tmp_path: Path) -> None:
    check = runner.invoke(app, ["check", str(TIGHT.relative_to(Path.cwd())), "-f", "github"])
    assert check.exit_code == 1  # exit codes are the same in every format
    lines = check.stdout.splitlines()
    assert lines[0].startswith("::error file=tests/report/shop_tight/brief.yaml,line=")
    assert any(line.startswith("::warning file=examples/shop/schema.sql,line=") for line in lines)
    assert lines[-1].startswith("::notice::dbarch check FAIL: 2 error(s)")
    migration = tmp_path / "0001.sql"
    migration.write_text("SET lock_timeout = '5s';\n\nCREATE INDEX orders_region_idx ON orders (region);\n")
    lint = runner.invoke(app, ["lint", str(migration), "--engine", "postgresql 15", "-f", "github"])
    assert lint.exit_code == 1
    first = lint.stdout.splitlines()[0]
    assert first.startswith(f"::error file={migration},line=3,col=1,endLine=3,")
    assert "title=dbarch lint%3A require-concurrent-index-creation::" in first


def test_standard_input_is_no_file_for_github() -> None:
    lint = runner.invoke(
        app, ["lint", "-", "--engine", "postgresql 15", "-f", "github"], input="CREATE INDEX i ON t (a);\n"
    )
    assert lint.exit_code == 1
    assert lint.stdout.startswith("::warning line=1,col=1,") and "<stdin>" not in lint.stdout, lint.stdout


def test_annotation_escaping() -> None:
    line = annotation("warning", "50% of rows\nnext", title="a: b, c", file="x,y.sql", line=2)
    assert line == "::warning file=x%2Cy.sql,line=2,title=a%3A b%2C c::50%25 of rows%0Anext"


def test_confusing_phrases_are_gone() -> None:
    design = runner.invoke(app, ["design", str(SHOP)]).stdout
    assert "Partitioning: no table" not in design
    assert "Partitioning: not advised for any table" in design
    tpch = EXAMPLES / "tpch" / "brief.yaml"
    indexes = runner.invoke(app, ["indexes", str(tpch)]).stdout
    # tpch's brief sets budgets.storage: the default index budget is the room it leaves, said so.
    assert "of no limit" not in indexes and "budgets.storage less the data" in indexes
    markdown = runner.invoke(app, ["design", str(SHOP), "-f", "markdown"]).stdout
    assert "calibrated on fitted by" not in markdown
    assert "<details><summary>Latency model</summary>" in markdown


def test_no_kpi_card_reads_0_of_0(tmp_path: Path) -> None:
    result = runner.invoke(app, ["design", str(EXAMPLES / "tpcc" / "brief.yaml"), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    html = (tmp_path / "report.html").read_text()
    card = html.split("Statements within their SLO (estimated)", 1)[1].split("</div>\n  </div>", 1)[0]
    assert "0 / 0" not in card and "0 of 0" not in card


def test_ci_paths_are_the_checkouts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A job run from a subdirectory (`working-directory: db`) names files as the repository does, so
    GitHub attaches the annotations and code-scanning alerts to the diff; SARIF URIs are URIs."""
    migrations = tmp_path / "repo" / "db" / "migrations"
    migrations.mkdir(parents=True)
    (migrations / "0002 add index.sql").write_text("CREATE INDEX orders_region_idx ON orders (region);\n")
    monkeypatch.chdir(tmp_path / "repo" / "db")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "repo"))
    lint = ["lint", "migrations", "--engine", "postgresql 15"]
    github = runner.invoke(app, [*lint, "-f", "github"])
    assert github.stdout.startswith("::warning file=db/migrations/0002 add index.sql,line=1,"), github.stdout
    sarif = json.loads(runner.invoke(app, [*lint, "-f", "sarif"]).stdout)
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in sarif["runs"][0]["results"]
    }
    assert uris == {"db/migrations/0002%20add%20index.sql"}

    monkeypatch.delenv("GITHUB_WORKSPACE")
    absolute = str(migrations / "0002 add index.sql")
    sarif = json.loads(
        runner.invoke(app, ["lint", absolute, "--engine", "postgresql 15", "-f", "sarif"]).stdout
    )
    uri = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == (migrations / "0002 add index.sql").as_uri()

    monkeypatch.setenv("GITHUB_WORKSPACE", str(EXAMPLES.parent))
    monkeypatch.chdir(EXAMPLES / "shop")
    check = runner.invoke(app, ["check", "brief.yaml", "-f", "github"]).stdout.splitlines()
    assert any(line.startswith("::warning file=examples/shop/schema.sql,line=") for line in check), check
