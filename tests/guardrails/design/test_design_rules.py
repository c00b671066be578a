"""Every design rule against its fixtures: each ``cases/<rule-id>/bad_*.yaml`` brief gives exactly the
text in the ``.expected`` file beside it, each ``good_*.yaml`` gives no finding of that rule; the docs
pages match the rules; the verdict renders as text, JSON and SARIF."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path

import pytest

from dbarchitect.api import inspect_brief
from dbarchitect.brief import loads_brief
from dbarchitect.guardrails.design import (
    all_design_rules,
    design_rule_doc_markdown,
    design_rules_index_markdown,
    verdict_json,
    verdict_sarif,
    verdict_text,
)
from dbarchitect.guardrails.design.runner import DesignVerdict, design_finding_text
from dbarchitect.guardrails.rule import Level
from dbarchitect.verify.portability import check_design

CASES = Path(__file__).parent / "cases"
EXAMPLES = Path(__file__).parents[3] / "examples"
DOCS = Path(__file__).parents[3] / "docs" / "rules" / "design"
UPDATE = os.environ.get("DBARCH_UPDATE_GOLDEN") == "1"
RULE_IDS = [r.id for r in all_design_rules()]
#: The day fixtures count their horizon from, so computed years do not move with the calendar.
TODAY = date(2026, 1, 1)


def _paths(kind: str) -> list[Path]:
    return sorted(CASES.glob(f"*/{kind}_*.yaml"))


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def verdict_of(path: Path, only: set[str] | None = None) -> DesignVerdict:
    inspection = inspect_brief(path)
    return check_design(
        inspection.brief,
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        inspection.sizes,
        None,
        None,
        source=path.name,
        today=TODAY,
        only=only if only is not None else {path.parent.name},
    )


def test_every_design_rule_has_bad_and_good_fixtures() -> None:
    for rule_id in RULE_IDS:
        folder = CASES / rule_id
        bad = sorted(folder.glob("bad_*.yaml"))
        assert bad, f"{rule_id}: no bad fixture"
        assert sorted(folder.glob("good_*.yaml")), f"{rule_id}: no good fixture"
        for path in bad:
            assert path.with_suffix(".expected").exists(), f"{path}: no .expected beside it"
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(RULE_IDS)


def test_rule_ids_match_module_names_and_are_kebab_case() -> None:
    for rule in all_design_rules():
        assert type(rule).__module__.rsplit(".", 1)[1] == rule.id.replace("-", "_")
        assert rule.id == rule.id.lower() and " " not in rule.id and "_" not in rule.id
        assert rule.summary


@pytest.mark.parametrize("path", _paths("bad"), ids=_ids(_paths("bad")))
def test_bad_fixture_gives_the_expected_findings(path: Path) -> None:
    verdict = verdict_of(path)
    findings = [f for f in verdict.findings if f.rule_id == path.parent.name]
    assert findings, f"{path.name} gives no {path.parent.name} finding"
    text = "\n".join(design_finding_text(f) for f in findings) + "\n"
    expected = path.with_suffix(".expected")
    if UPDATE:
        expected.write_text(text)
    assert text == expected.read_text()


@pytest.mark.parametrize("path", _paths("good"), ids=_ids(_paths("good")))
def test_good_fixture_gives_no_finding(path: Path) -> None:
    verdict = verdict_of(path)
    assert [design_finding_text(f) for f in verdict.findings if f.rule_id == path.parent.name] == []


def test_brief_levels_override_defaults_and_off_disables() -> None:
    path = CASES / "table-without-primary-key" / "bad_1.yaml"
    base = verdict_of(path)
    assert [f.level for f in base.findings] == [Level.ERROR] and not base.passed
    text = path.read_text()
    for level, expected in (("warning", [Level.WARNING]), ("off", [])):
        brief = loads_brief(
            text + f"guardrails: {{table-without-primary-key: '{level}'}}\n", base_dir=path.parent
        )
        inspection = inspect_brief(brief)
        verdict = check_design(
            inspection.brief,
            inspection.catalog,
            inspection.workload,
            inspection.traits,
            inspection.sizes,
            only={"table-without-primary-key"},
        )
        assert [f.level for f in verdict.findings] == expected
        assert verdict.passed


def test_unknown_guardrail_key_is_a_note_with_did_you_mean() -> None:
    path = CASES / "table-without-primary-key" / "good_1.yaml"
    brief = loads_brief(
        path.read_text() + "guardrails: {table-without-primary-keys: 'off'}\n", base_dir=path.parent
    )
    inspection = inspect_brief(brief)
    verdict = check_design(
        inspection.brief, inspection.catalog, inspection.workload, inspection.traits, inspection.sizes
    )
    assert any("did you mean 'table-without-primary-key'" in n for n in verdict.notes)


def test_findings_are_sorted_errors_first_and_render() -> None:
    verdict = verdict_of(EXAMPLES / "shop" / "brief.yaml", only=set(RULE_IDS))
    levels = [f.level for f in verdict.findings]
    assert Level.ERROR in levels and Level.WARNING in levels
    assert levels == sorted(levels, key=lambda lv: lv != Level.ERROR)
    text = verdict_text(verdict)
    assert text.splitlines()[-1].startswith("FAIL: ")
    data = json.loads(verdict_json(verdict))
    assert data["errors"] == verdict.errors and len(data["findings"]) == len(verdict.findings)
    sarif = verdict_sarif(verdict)
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == [f.rule_id for f in verdict.findings]
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_docs_page_matches_the_rule(rule_id: str) -> None:
    page = DOCS / f"{rule_id}.md"
    text = design_rule_doc_markdown(rule_id)
    if UPDATE:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text)
    assert page.read_text() == text


def test_docs_index_lists_every_design_rule() -> None:
    page = DOCS / "README.md"
    text = design_rules_index_markdown()
    if UPDATE:
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(text)
    assert page.read_text() == text
    for rule_id in RULE_IDS:
        assert f"]({rule_id}.md)" in text
