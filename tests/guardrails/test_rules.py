"""Every rule against its fixtures: bad ones give exactly the expected text, good ones nothing, and
every fix parses (no invalid-sql finding: PostgreSQL's own parser on PostgreSQL) and clears its own
finding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dbarchitect.guardrails import all_rules, finding_text, rule_doc_markdown, rules_index_markdown
from dbarchitect.guardrails.rule import MYSQL_FAMILY
from tests.guardrails.cases_support import CASES, case_paths, load_case

RULE_IDS = [r.id for r in all_rules()]
DOCS = Path(__file__).parents[2] / "docs" / "rules"
UPDATE = os.environ.get("DBARCH_UPDATE_GOLDEN") == "1"


def _ids(paths: list[Path]) -> list[str]:
    return [f"{p.parent.name}/{p.name}" for p in paths]


def test_every_rule_has_bad_and_good_fixtures() -> None:
    for rule_id in RULE_IDS:
        folder = CASES / rule_id
        assert sorted(folder.glob("bad_*.sql")), f"{rule_id}: no bad fixture"
        assert sorted(folder.glob("good_*.sql")), f"{rule_id}: no good fixture"
        for bad in folder.glob("bad_*.sql"):
            assert bad.with_suffix(".expected").exists(), f"{bad}: no .expected beside it"
    assert sorted(p.name for p in CASES.iterdir() if p.is_dir()) == sorted(RULE_IDS)


def test_rule_ids_match_module_names_and_are_kebab_case() -> None:
    for rule in all_rules():
        assert type(rule).__module__.rsplit(".", 1)[1] == rule.id.replace("-", "_")
        assert rule.id == rule.id.lower() and " " not in rule.id and "_" not in rule.id
        assert rule.summary and rule.engines


@pytest.mark.parametrize("path", case_paths("bad"), ids=_ids(case_paths("bad")))
def test_bad_fixture_gives_the_expected_findings(path: Path) -> None:
    case = load_case(path)
    findings = [f for f in case.lint().findings if f.rule_id == case.rule_id]
    assert findings, f"{path.name} gives no {case.rule_id} finding"
    text = "\n".join(finding_text(f) for f in findings) + "\n"
    expected = path.with_suffix(".expected")
    if UPDATE:
        expected.write_text(text)
    assert text == expected.read_text()


@pytest.mark.parametrize("path", case_paths("good"), ids=_ids(case_paths("good")))
def test_good_fixture_gives_no_finding(path: Path) -> None:
    case = load_case(path)
    found = [f for f in case.lint().findings if f.rule_id == case.rule_id]
    assert found == []


@pytest.mark.parametrize("path", case_paths("bad"), ids=_ids(case_paths("bad")))
def test_every_fix_parses_and_clears_its_finding(path: Path) -> None:
    case = load_case(path)
    for finding in case.lint().findings:
        if finding.rule_id != case.rule_id or finding.fix is None:
            continue
        assert finding.fix.span is not None
        start, end = finding.fix.span.start, finding.fix.span.end
        fixed = case.text[:start] + finding.fix.replacement + case.text[end:]
        after = case.lint(fixed)
        invalid = [f for f in after.findings if f.rule_id == "invalid-sql"]
        assert invalid == [], f"fix for {finding_text(finding)} does not parse: {invalid}"
        stop = start + len(finding.fix.replacement)
        left = [f for f in after.findings if f.rule_id == case.rule_id and start <= f.span.start < stop]
        assert left == [], f"fix for {finding_text(finding)} leaves {[finding_text(f) for f in left]}"


def test_rules_for_mysql_only_do_not_run_on_postgresql() -> None:
    for rule in all_rules():
        if rule.engines <= MYSQL_FAMILY:
            assert not rule.applies_to(load_case(case_paths("bad")[0]).traits.engine)


@pytest.mark.parametrize("rule_id", RULE_IDS)
def test_docs_page_matches_the_rule(rule_id: str) -> None:
    page = DOCS / f"{rule_id}.md"
    text = rule_doc_markdown(rule_id)
    if UPDATE:
        page.write_text(text)
    assert page.read_text() == text


def test_docs_index_lists_every_rule() -> None:
    page = DOCS / "README.md"
    text = rules_index_markdown()
    if UPDATE:
        page.write_text(text)
    assert page.read_text() == text
    for rule_id in RULE_IDS:
        assert f"]({rule_id}.md)" in text
