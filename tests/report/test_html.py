"""report.html without a browser: the verdict first with errors before warnings and every rule link
landing in the page, statements with SLO, estimate, plan and indexes, partitioning, a migration plan
with its locks, nothing loaded from anywhere, everything escaped, the same bytes every time."""

from __future__ import annotations

import dataclasses
import re
import sqlite3
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.cli import app
from dbarchitect.report.document import design_document
from dbarchitect.report.html import explanation_blocks, inline_code, render_html
from tests.over_slo import iot_over_slo

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


class _Page(HTMLParser):
    """Ids, links, sources and the start tags in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.sources: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if a.get("id"):
            self.ids.append(str(a["id"]))
        if tag in ("a", "link") and a.get("href") is not None:
            self.hrefs.append(str(a["href"]))
        if a.get("src") is not None:
            self.sources.append(str(a["src"]))


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def iot(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The IoT example with site_summary over a tightened SLO: an error-level finding (slo-latency),
    warnings, a partitioned table."""
    return design_document(api.design(iot_over_slo(tmp_path_factory.mktemp("iot"))))


@pytest.fixture(scope="module")
def iot_html(iot: dict[str, Any]) -> str:
    return render_html(iot)


def test_the_verdict_comes_first_errors_before_warnings(iot: dict[str, Any], iot_html: str) -> None:
    verdict = iot["verdict"]
    assert verdict["errors"] > 0 and verdict["warnings"] > 0
    page = _parse(iot_html)
    sections = [a["id"] for tag, a in page.tags if tag == "section" and a.get("id")]
    assert sections[0] == "verdict" and sections.index("diagram") < sections.index("statements")
    assert "FAIL" in iot_html.split('id="diagram"')[0]
    classes = [
        a.get("class") for tag, a in page.tags if tag == "li" and (a.get("class") or "").startswith("finding")
    ]
    assert classes == ["finding error"] * verdict["errors"] + ["finding warning"] * verdict["warnings"]
    # Errors are never folded away; warnings are, when there are many.
    errors_part = iot_html.split('<details class="warnings"')[0]
    assert errors_part.count('<li class="finding error">') == verdict["errors"]


def test_every_link_lands_in_the_page_and_each_rule_is_explained(iot: dict[str, Any], iot_html: str) -> None:
    page = _parse(iot_html)
    anchors = [h for h in page.hrefs if h.startswith("#")]
    assert anchors and all(h[1:] in page.ids for h in anchors), set(anchors) - {f"#{i}" for i in page.ids}
    rules = {f["rule"] for f in iot["verdict"]["findings"]}
    for rule in rules:
        assert f'href="#rule-{rule}"' in iot_html
        section = iot_html.split(f'id="rule-{rule}"')[1].split("</article>")[0]
        assert "Catches:" in section and len(section) > 300  # the rule's whole explanation
    assert len(page.ids) == len(set(page.ids))


def test_nothing_is_loaded_from_anywhere(iot_html: str) -> None:
    page = _parse(iot_html)
    assert page.sources == []
    assert all(h.startswith("#") or h == "data:," for h in page.hrefs), page.hrefs
    assert "<script" not in iot_html
    csp = next(
        a for tag, a in page.tags if tag == "meta" and a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp["content"] is not None and csp["content"].startswith("default-src 'none'")
    assert not re.search(r"url\(|@import|https?://", iot_html.split("</style>")[0])


def test_statements_show_slo_estimate_plan_and_indexes(iot: dict[str, Any], iot_html: str) -> None:
    rows = iot["latency"]["statements"]
    assert [r["statement"] for r in rows] == [s["name"] for s in iot["statements"]]
    over = [r for r in rows if r["over_slo"]]
    error_statements = {f["statement"] for f in iot["verdict"]["findings"] if f["rule"] == "slo-latency"}
    assert {r["statement"] for r in over} == error_statements  # the same judgement as the guardrail
    table = iot_html.split('<table class="data statements">')[1].split("</table>")[0]
    assert table.count("<tr") == len(rows) + 1
    assert table.count('<tr class="over">') == len(over)
    for r in rows:
        assert f"<code>{r['statement']}</code>" in table
        for index in r["advised_indexes"] + r["existing_indexes"]:
            assert index in table
    served = [r for r in rows if r["advised_indexes"]]
    assert served and all(r["plan"] for r in served)


def test_indexes_partitioning_storage_and_charts(iot: dict[str, Any], iot_html: str) -> None:
    ix = iot["indexes"]
    for r in ix["recommended"]:
        assert r["index"].replace("'", "&#39;") in iot_html or r["index"] in iot_html
    partitioned = [t["name"] for t in iot["tables"] if t["partitioning"]]
    assert partitioned == ["readings"]
    part = iot_html.split('id="partitioning"')[1].split("</section>")[0]
    assert "<code>readings</code>" in part and "RANGE" in part and "<code>recorded_at</code>" in part
    assert iot_html.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart"') == 3
    assert iot_html.count('class="er-table"') == len(iot["tables"])


def test_the_same_page_every_time(iot: dict[str, Any], iot_html: str) -> None:
    assert render_html(iot) == iot_html


def test_everything_is_escaped(iot: dict[str, Any]) -> None:
    evil = "<script>alert(1)</script>"
    doc = dict(iot)
    doc["brief"] = {**iot["brief"], "name": evil}
    doc["verdict"] = {
        **iot["verdict"],
        "findings": [{**iot["verdict"]["findings"][0], "message": f"`{evil}` and {evil}", "hint": evil}],
    }
    doc["tables"] = [{**iot["tables"][0], "name": evil}, *iot["tables"][1:]]
    html = render_html(doc)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<code>&lt;script&gt;alert(1)&lt;/script&gt;</code>" in html  # backquotes still make code


def test_inline_code_and_rule_explanations() -> None:
    assert str(inline_code("use ``CREATE INDEX`` or `x<y` & go")) == (
        "use <code>CREATE INDEX</code> or <code>x&lt;y</code> &amp; go"
    )
    text = "rule-x: one line.\n\nProblem: it breaks\nacross lines.\n\nBad::\n\n    SELECT 1;\n      -- indented\n\nFix: this."
    assert explanation_blocks(text) == [
        ("p", "rule-x: one line."),
        ("p", "Problem: it breaks across lines."),
        ("p", "Bad:"),
        ("pre", "SELECT 1;\n  -- indented"),
        ("p", "Fix: this."),
    ]


def test_a_migration_plan_is_rendered_with_the_lock_of_every_step(tmp_path: Path) -> None:
    current = tmp_path / "v1.sql"
    current.write_text(
        "CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255));\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric(12,2));\n"
    )
    target = tmp_path / "v2.sql"
    target.write_text(
        "CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(255) NOT NULL);\n"
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id),"
        " total numeric(12,2), status varchar(16) NOT NULL DEFAULT 'new');\n"
        "CREATE INDEX orders_customer_idx ON orders (customer_id);\n"
    )
    plan = api.plan_schema_migration(current, target, "postgresql 15")
    assert len(plan.steps) >= 4
    design = dataclasses.replace(api.design(EXAMPLES / "blog" / "brief.yaml"), migration=plan)
    html = render_html(design_document(design))
    table = html.split('<table class="data migration">')[1].split("</table>")[0]
    locks = re.findall(r'<span class="lock (lock-\w+)">([^<]+)</span>', table)
    assert [lock for _, lock in locks] == [s.lock for s in plan.steps]
    for (css, _), step in zip(locks, plan.steps, strict=True):
        assert css == (
            "lock-hard" if step.blocks_reads else "lock-writes" if step.blocks_writes else "lock-soft"
        )
    assert "SHARE UPDATE EXCLUSIVE" in {s.lock for s in plan.steps}  # the concurrent index build
    assert 'href="#migration"' in html


def test_a_live_source_brief_carries_the_plan_to_its_design(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    with sqlite3.connect(db) as conn:
        conn.executescript(
            "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL);"
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL REFERENCES customers (id),"
            " total NUMERIC NOT NULL, placed_at TEXT NOT NULL);"
        )
    brief = tmp_path / "brief.yaml"
    brief.write_text(
        f"""name: live
engine: sqlite
schema:
  source: {{url: "sqlite:///{db}"}}
tables:
  customers: {{rows: 10000}}
  orders: {{rows: 2M}}
workload:
  statements:
    - name: history
      sql: SELECT id, total FROM orders WHERE customer_id = :c ORDER BY placed_at DESC LIMIT 20
      rate: 100/s
      slo: {{p95_ms: 10}}
"""
    )
    design = api.design(brief)
    assert design.index_advice is not None and design.index_advice.recommended
    assert design.migration is not None
    built = [s for s in design.migration.steps if s.sql and s.sql[0].startswith("CREATE INDEX")]
    assert len(built) == len(design.index_advice.recommended)
    html = render_html(design_document(design))
    assert "Migration plan" in html and all(s.lock in html for s in built)
    # A brief whose schema is DDL has no current database, so no plan.
    assert api.design(EXAMPLES / "blog" / "brief.yaml").migration is None


def test_dbarch_design_writes_report_html(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(app, ["design", str(EXAMPLES / "blog" / "brief.yaml"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    html = (out / "report.html").read_text(encoding="utf-8")
    page = _parse(html)
    # Schema files beside the report are linked by name.
    files = sorted(p.name for p in out.glob("schema.*.sql"))
    assert files and sorted(h for h in page.hrefs if h.endswith(".sql")) == files
    assert html.count('class="er-table"') == len(
        design_document(api.design(EXAMPLES / "blog" / "brief.yaml"))["tables"]
    )


def test_the_partitioning_advice_is_rendered_when_the_document_carries_it(iot: dict[str, Any]) -> None:
    """The hook for the partitioning advisor: its advice as plain data under ``doc["partitioning"]``."""
    advice = {
        "decisions": [
            {
                "table": "readings",
                "verdict": "partition",
                "reasons": ["4.1B rows at the horizon", "`recorded_at` prunes 3 of 4 statements"],
                "chosen": {
                    "layout": {"method": "range", "column": "recorded_at", "count": 6, "unit": "month"},
                    "rows_per_partition": 1.4e9,
                    "pruning_share": 0.75,
                },
                "maintenance": {"schedule": "daily: create 3 months ahead, drop past 90 days"},
            },
            {
                "table": "sites",
                "verdict": "no",
                "reasons": ["small table"],
                "chosen": None,
                "maintenance": None,
            },
        ],
        "notes": ["costs from the model"],
    }
    html = render_html({**iot, "partitioning": advice})
    part = html.split('id="partitioning"')[1].split("</section>")[0]
    assert "RANGE (<code>recorded_at</code>) by month, 6 partitions" in part
    assert "1.4B" in part and "75%" in part and "<code>recorded_at</code> prunes" in part
    assert part.count("<tr>") == 1 + 2 + 2  # advised table (header + 2) and today's (header + readings)
    assert "Partitioned today" in part
    without = {**iot, "partitioning": None}
    assert "Advised" not in render_html(without).split('id="partitioning"')[1].split("</section>")[0]
