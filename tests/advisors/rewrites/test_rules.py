"""Each rewrite rule against its fixtures (``cases/<rule id>/``):

- ``bad_N.sql`` (or ``.yaml`` with statements and transactions; the statement under test is ``q``)
  must be rewritten, and the rewrite must equal ``bad_N.expected`` (PostgreSQL SQL, as the brief
  writes it);
- ``good_N.*`` must give the rule nothing to say;
- ``refused_N.*`` must be refused with exactly the reason in ``refused_N.expected``.

A ``-- params: {...}`` first line gives the statement's example parameters. Every rule has bad and
good fixtures (a meta-test), and every rewrite re-parses and is analyzed like any statement.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlglot
import yaml

from dbarchitect.advisors.rewrites import RULES, Draft, Refusal, RewriteContext
from dbarchitect.api import inspect_brief
from dbarchitect.ingest.workload import StatementInput, analyze_statement
from dbarchitect.results import Inspection

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
RULE_BY_ID = {r.id: r for r in RULES}


def _cases(prefix: str) -> list[tuple[str, Path]]:
    out = []
    for folder in sorted(CASES.iterdir()):
        for case in sorted(folder.iterdir()):
            if case.name.startswith(prefix) and case.suffix in (".sql", ".yaml"):
                out.append((folder.name, case))
    return out


@cache
def _inspection(case: Path) -> Inspection:
    base = yaml.safe_load((HERE / "brief.yaml").read_text(encoding="utf-8"))
    base["schema"]["ddl"]["path"] = str(HERE / "schema.sql")
    if case.suffix == ".yaml":
        extra = yaml.safe_load(case.read_text(encoding="utf-8"))
        base["workload"] = {"statements": extra["statements"], "transactions": extra.get("transactions", [])}
    else:
        text = case.read_text(encoding="utf-8")
        params: dict[str, Any] = {}
        first = text.splitlines()[0]
        if first.startswith("-- params:"):
            params = json.loads(first.removeprefix("-- params:"))
        sql = "\n".join(line for line in text.splitlines() if not line.startswith("--")).strip()
        base["workload"] = [{"name": "q", "sql": sql, "rate": "10/s", "params": params}]
    path = case.with_suffix(".brief.tmp.yaml")
    path.write_text(yaml.safe_dump(base), encoding="utf-8")
    try:
        return inspect_brief(path)
    finally:
        path.unlink()


def _outcomes(rule_id: str, case: Path) -> list[Draft | Refusal]:
    inspection = _inspection(case)
    statement = inspection.workload.statement("q")
    assert statement is not None
    spec = next(s for s in inspection.brief.workload.statements if s.name == "q")
    tree = sqlglot.parse_one(statement.sql, read="postgres")
    context = RewriteContext(
        statement, tree, inspection.catalog, inspection.traits, spec.params, inspection.workload
    )
    return list(RULE_BY_ID[rule_id].propose(context))


def test_every_rule_has_bad_and_good_fixtures_and_a_docstring() -> None:
    for rule in RULES:
        folder = CASES / rule.id
        assert folder.is_dir(), rule.id
        names = [p.name for p in folder.iterdir()]
        assert any(n.startswith("bad_") and not n.endswith(".expected") for n in names), rule.id
        assert any(n.startswith("good_") for n in names), rule.id
        module = __import__(type(rule).__module__, fromlist=["x"])
        assert module.__doc__ and module.__doc__.startswith(f"{rule.id}:"), rule.id


@pytest.mark.parametrize(("rule_id", "case"), _cases("bad_"), ids=lambda v: getattr(v, "name", v))
def test_bad_cases_are_rewritten_as_expected(rule_id: str, case: Path) -> None:
    outcomes = _outcomes(rule_id, case)
    drafts = [o for o in outcomes if isinstance(o, Draft)]
    assert len(drafts) == 1 and len(outcomes) == 1, outcomes
    expected = case.with_suffix(".expected").read_text(encoding="utf-8").strip()
    assert drafts[0].sql == expected
    # the rewrite is a statement like any other: it parses and is analyzed against the schema
    inspection = _inspection(case)
    analyze_statement(StatementInput("q", drafts[0].sql, 1.0), inspection.catalog, inspection.traits.engine)
    assert drafts[0].semantics and drafts[0].change


@pytest.mark.parametrize(("rule_id", "case"), _cases("good_"), ids=lambda v: getattr(v, "name", v))
def test_good_cases_are_left_alone(rule_id: str, case: Path) -> None:
    assert _outcomes(rule_id, case) == []


@pytest.mark.parametrize(("rule_id", "case"), _cases("refused_"), ids=lambda v: getattr(v, "name", v))
def test_refused_cases_say_why(rule_id: str, case: Path) -> None:
    outcomes = _outcomes(rule_id, case)
    assert len(outcomes) == 1 and isinstance(outcomes[0], Refusal), outcomes
    assert outcomes[0].reason == case.with_suffix(".expected").read_text(encoding="utf-8").strip()
