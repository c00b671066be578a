"""Markdown for pull-request comments: ``dbarch check -f markdown`` (the verdict, errors first with
their fixes, warnings folded) and report.md (the verdict first, latency against the SLOs, long parts
folded). Rendered with markdown-it (CommonMark + tables, as GitHub reads it) to prove the folded parts
still render their Markdown."""

from __future__ import annotations

import json
from pathlib import Path

from markdown_it import MarkdownIt
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.cli import app
from dbarchitect.guardrails.design.runner import verdict_json
from dbarchitect.report.document import design_document
from dbarchitect.report.markdown import render_markdown, verdict_markdown
from tests.over_slo import iot_over_slo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()


def _html(markdown: str) -> str:
    return MarkdownIt("commonmark").enable("table").render(markdown)


def _warning_items(html: str, warnings: int) -> int:
    folded = html.split(f"<summary>{warnings} warning{'' if warnings == 1 else 's'}</summary>", 1)[1]
    return folded.split("</details>", 1)[0].count("<li>")


def test_check_markdown_is_a_pull_request_comment(tmp_path: Path) -> None:
    brief = iot_over_slo(tmp_path)
    result = runner.invoke(app, ["check", str(brief), "-f", "markdown"])
    assert result.exit_code == 1  # the gate is the same whatever the format
    text = result.stdout
    verdict = json.loads(verdict_json(api.check_brief(brief)))
    assert text.splitlines()[0] == (
        f"### dbarch check: **FAIL** — {verdict['errors']} error, {verdict['warnings']} warnings"
    )
    errors = [f for f in verdict["findings"] if f["level"] == "error"]
    head = text.split("<details>", 1)[0]
    for f in errors:  # errors stand unfolded, each with its fix
        assert f"`{f['rule']}` on statement `{f['statement']}`" in head and "<br>Fix: " in head
    html = _html(text)
    # The warnings list inside <details> is still Markdown: it renders as a list with an item each.
    assert _warning_items(html, verdict["warnings"]) == verdict["warnings"]
    assert f"<summary>{verdict['warnings']} warnings</summary>" in html
    assert "<p><code>dbarch rules explain RULE-ID</code>" in html  # text after the folds renders too
    assert len(text) < 65536  # GitHub's limit for a comment


def test_a_passing_check_says_pass_and_cells_stay_cells() -> None:
    verdict = json.loads(verdict_json(api.check_brief(EXAMPLES / "blog" / "brief.yaml")))
    assert verdict["passed"]
    verdict["findings"][0]["message"] = "a | b\nc"
    text = verdict_markdown(verdict)
    assert text.startswith("### dbarch check: pass — 0 errors")
    assert "a \\| b c" in text
    html = _html(text)
    assert _warning_items(html, verdict["warnings"]) == verdict["warnings"]
    assert "a | b c" in html and "**" not in html


def test_report_md_puts_the_verdict_first_and_folds_the_long_parts(tmp_path: Path) -> None:
    doc = design_document(api.design(iot_over_slo(tmp_path)))
    text = render_markdown(doc)
    order = [
        text.index(h)
        for h in ("## Guardrail verdict", "## Latency against the SLOs", "## Storage", "## Tables")
    ]
    assert order == sorted(order)
    latency = text.split("## Latency against the SLOs")[1].split("## Storage")[0]
    over = [s["statement"] for s in doc["latency"]["statements"] if s["over_slo"]]
    assert over and all(f"| `{name}` |" in latency for name in over)
    assert latency.count(" over** |") == len(over)
    html = _html(text)
    assert html.count("<details>") == html.count("</details>") >= 3
    assert "<h2>Workload</h2>" in html and "<h2>Indexes</h2>" in html  # headings after folds still render


def test_report_md_names_a_chosen_summary_the_target_engine_cannot_take() -> None:
    """A summary with no SQL on the target engine (its statement could not be rewritten there) is said
    with the reason, not a crash of the whole report (seen on a MariaDB brief with ``?`` parameters)."""
    doc = design_document(api.design(EXAMPLES / "shop" / "brief.yaml"))
    chosen = doc["levers"]["chosen"]["summaries"]
    summary = next(s for s in doc["levers"]["summaries"]["proposed"] if s["name"] in chosen)
    engine = summary["per_engine"][0]["engine"]
    summary["per_engine"][0] = {
        "engine": engine,
        "create": [],
        "backfill": [],
        "maintain": [],
        "refresh": [],
        "drop": [],
        "rewritten": [],
        "note": "the rewritten statement: cannot be written for it: Expected AS after CAST.",
    }
    text = render_markdown(doc)
    assert (
        f"No SQL for {engine}: the rewritten statement: cannot be written for it: Expected AS after CAST.\n"
        in (text)
    )
