"""Every output, for every example, through the parser or validator its readers use.

For each example brief: the inspection, the design, the index advice, the partitioning advice and
the guardrail verdict in text, Markdown, JSON, SARIF and GitHub annotations (what `dbarch inspect`,
`design`, `indexes`, `partition` and `check` print in each format); a migration plan from the
example's schema to its design (`dbarch migrate`); the lint of every example migration (`dbarch
lint`); one verification (`dbarch verify`). Checked:

- Markdown renders under CommonMark with GFM tables (markdown-it-py): no emphasis, code or list
  left as literal text (a `<details>` block without its blank lines swallows Markdown);
- SARIF validates against the OASIS SARIF 2.1.0 schema (tests/schemas), and no finding sits at line
  1 unless line 1 is what it is about;
- JSON validates against the JSON Schema of the typed result model (src/dbarchitect/mcp/outputs),
  and every key is typed;
- text, 80 columns wide as in a pipe: no name (table, index, statement) is cut with an ellipsis.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import jsonschema
import pytest
from markdown_it import MarkdownIt
from pydantic import BaseModel
from rich.console import Console

from dbarchitect import api
from dbarchitect.advisors.indexes.advisor import with_advised_indexes
from dbarchitect.advisors.migrations import plan_json, plan_markdown, plan_migration, plan_sql_by_phase
from dbarchitect.guardrails import lint_json, lint_sarif, lint_text
from dbarchitect.guardrails.design.runner import verdict_json, verdict_sarif, verdict_text
from dbarchitect.guardrails.github import lint_annotations, verdict_annotations
from dbarchitect.ingest.locations import BriefLocator
from dbarchitect.mcp.outputs import untyped_keys
from dbarchitect.mcp.outputs.design import DesignResult, PartitioningAdvice
from dbarchitect.mcp.outputs.indexes import IndexAdviceResult
from dbarchitect.mcp.outputs.inspection import InspectionResult
from dbarchitect.mcp.outputs.lint import LintReport
from dbarchitect.mcp.outputs.migration import MigrationPlanResult
from dbarchitect.mcp.outputs.verdict import VerdictResult
from dbarchitect.mcp.outputs.verification import VerificationResult
from dbarchitect.report.document import design_document, inspection_document
from dbarchitect.report.indexes import advice_sql, index_advice_document, render_index_text
from dbarchitect.report.json import dumps
from dbarchitect.report.markdown import render_markdown, verdict_markdown
from dbarchitect.report.partitioning import partitioning_document, partitioning_sql, render_partitioning_text
from dbarchitect.report.text import render_text

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = sorted(p.parent.name for p in (REPO / "examples").glob("*/brief.yaml"))
SARIF_SCHEMA = json.loads((REPO / "tests" / "schemas" / "sarif-schema-2.1.0.json").read_text())
MARKDOWN = MarkdownIt("commonmark").enable("table")


@dataclass
class Outputs:
    example: str
    names: set[str]
    text: dict[str, str]
    markdown: dict[str, str]
    json: dict[str, tuple[str, type[BaseModel]]]
    sarif: dict[str, dict[str, Any]]
    github: dict[str, str]


def _text(render: Any, doc: dict[str, Any]) -> str:
    out = io.StringIO()
    render(doc, Console(file=out, width=80, highlight=False))
    return out.getvalue()


@cache
def outputs(example: str) -> Outputs:
    brief = REPO / "examples" / example / "brief.yaml"
    file = str(brief.relative_to(REPO))
    inspection = api.inspect_brief(brief)
    design = api.design(inspection)
    verdict = design.verdict
    assert verdict is not None
    locator = BriefLocator.load(brief)
    doc = design_document(design)
    inspected = inspection_document(inspection)
    names = {t["name"] for t in inspected["tables"]} | {s["name"] for s in inspected["statements"]}
    names |= {i["name"] for t in inspected["tables"] for i in t["indexes"]}
    out = Outputs(example, names, {}, {}, {}, {}, {})
    out.text["inspect"] = _text(render_text, inspected)
    out.markdown["inspect"] = render_markdown(inspected)
    out.json["inspect"] = (dumps(inspected), InspectionResult)
    out.text["design"] = _text(render_text, doc)
    out.markdown["design"] = render_markdown(doc)
    out.json["design"] = (dumps(doc), DesignResult)
    verdict_doc = json.loads(verdict_json(verdict))
    out.text["check"] = verdict_text(verdict)
    out.markdown["check"] = verdict_markdown(verdict_doc)
    out.json["check"] = (verdict_json(verdict), VerdictResult)
    out.sarif["check"] = json.loads(dumps(verdict_sarif(verdict, locator)))
    out.github["check"] = verdict_annotations(verdict, locator)
    if design.index_advice is not None:
        advice = index_advice_document(design.index_advice)
        names |= {r["name"] for r in advice["recommended"]}
        out.text["indexes"] = _text(render_index_text, advice)
        out.markdown["indexes"] = render_markdown({"indexes": advice}, template="indexes.md.j2")
        out.json["indexes"] = (dumps(advice), IndexAdviceResult)
        out.text["indexes -f sql"] = advice_sql(advice)
    if design.partitioning is not None:
        partitioning = partitioning_document(design.partitioning)
        out.text["partition"] = _text(render_partitioning_text, partitioning)
        out.markdown["partition"] = render_markdown({"partitioning": partitioning}, "partitioning.md.j2")
        out.json["partition"] = (dumps(partitioning), PartitioningAdvice)
        out.text["partition -f sql"] = partitioning_sql(design.partitioning)
    target = with_advised_indexes(inspection.catalog, design.index_advice, inspection.traits)
    plan = plan_migration(inspection.catalog, target, inspection.traits, allow_data_loss=True)
    out.markdown["migrate"] = plan_markdown(plan)
    out.json["migrate"] = (dumps(plan_json(plan)), MigrationPlanResult)
    out.text["migrate -f sql"] = "".join(plan_sql_by_phase(plan).values())
    for migration in sorted((REPO / "examples" / example).glob("migrations/*.sql")):
        lint = api.lint_migration(migration.relative_to(REPO), str(inspection.traits), brief=brief)
        key = f"lint {migration.name}"
        out.text[key] = lint_text(lint)
        out.json[key] = (lint_json(lint), LintReport)
        out.sarif[key] = json.loads(dumps(lint_sarif(lint)))
        out.github[key] = lint_annotations(lint)
    if example == "blog":  # one verification (they take seconds each)
        from dbarchitect.verify.verification_report import (
            verification_json,
            verification_markdown,
            verification_text,
        )

        verification = api.verify_brief(inspection, scale=0.001, seconds_per_statement=0.05, repetitions=3)
        out.text["verify"] = verification_text(verification)
        out.markdown["verify"] = verification_markdown(verification)
        out.json["verify"] = (verification_json(verification), VerificationResult)
    assert file  # the examples are named relative to the repository in SARIF
    return out


@pytest.fixture(scope="module", params=EXAMPLES)
def example(request: pytest.FixtureRequest) -> Outputs:
    return outputs(str(request.param))


# ---------------------------------------------------------------------------------------------


_LITERAL = re.compile(r"\*\*|`|^\s*[-*] |^\|.*\|$|^#{1,6} ", re.MULTILINE)


def test_markdown_renders_under_commonmark(example: Outputs) -> None:
    for command, text in example.markdown.items():
        html = MARKDOWN.render(text)
        # what is left once code is taken out must hold no Markdown syntax left unrendered
        bare = re.sub(r"<pre>.*?</pre>|<code>.*?</code>", "", html, flags=re.DOTALL)
        bare = re.sub(r"<[^>]+>", "", bare)
        leftovers = [m.group(0) for m in _LITERAL.finditer(bare)]
        assert not leftovers, f"{example.example} {command}: Markdown left as text: {leftovers[:5]}"
        assert html.count("<details>") == html.count("</details>")


def _artifact(uri: str) -> Path:
    """The file a SARIF URI names: a ``file://`` URI, or a percent-encoded path from the checkout."""
    parsed = urlparse(uri)
    return Path(unquote(parsed.path)) if parsed.scheme == "file" else REPO / unquote(uri)


def test_sarif_validates_and_points_at_real_lines(example: Outputs) -> None:
    for command, log in example.sarif.items():
        jsonschema.Draft4Validator(SARIF_SCHEMA).validate(log)
        for result in log["runs"][0]["results"]:
            physical = result["locations"][0]["physicalLocation"]
            region = physical.get("region")
            assert region is not None, f"{example.example} {command}: {result['ruleId']} has no region"
            line = region["startLine"]
            source = _artifact(physical["artifactLocation"]["uri"]).read_text().splitlines()
            text = source[line - 1]
            if command == "check":
                names = [
                    n["fullyQualifiedName"].split()[0].lower()
                    if n["kind"] == "engine"
                    else n["fullyQualifiedName"].split(".")[-1].lower()
                    for n in result["locations"][0].get("logicalLocations", [])
                ]
                assert any(n in text.lower() for n in names), (example.example, result["ruleId"], line, text)
            else:
                # a migration finding is at its statement: a line with SQL on it, not a comment
                assert text.strip() and not text.strip().startswith("--"), (example.example, command, line)


def test_github_annotations_point_at_real_lines(example: Outputs) -> None:
    for text in example.github.values():
        for line in text.splitlines():
            m = re.match(r"::(error|warning|notice)(?: (?P<props>[^:]*))?::", line)
            assert m, line
            props = dict(p.split("=", 1) for p in (m["props"] or "").split(",") if p)
            if m.group(1) == "notice":
                continue
            assert props.get("file") and int(props["line"]) >= 1, line
            if int(props["line"]) == 1:
                first = (REPO / props["file"]).read_text().splitlines()[0]
                assert first.strip() and not first.startswith(("#", "--")), line


def test_json_validates_against_the_result_models(example: Outputs) -> None:
    for command, (text, model) in example.json.items():
        data = json.loads(text)
        jsonschema.Draft202012Validator(model.model_json_schema()).validate(data)
        untyped = untyped_keys(model.model_validate(data))
        assert not untyped, f"{example.example} {command}: untyped keys {untyped[:10]}"


def test_text_cuts_no_name(example: Outputs) -> None:
    for command, text in example.text.items():
        assert "…" not in text, f"{example.example} {command}: a cell was cut"
    words = set(re.findall(r"[\w.]+", example.text["design"] + example.text["inspect"]))
    for statement in json.loads(example.json["inspect"][0])["statements"]:
        assert statement["name"] in words, (example.example, statement["name"])
    if "indexes" in example.text:
        advice = json.loads(example.json["indexes"][0])
        for index in advice["recommended"]:
            assert index["name"] in example.text["indexes"], (example.example, index["name"])
