"""The design report as one self-contained HTML page (``report.html``).

Everything the page shows is inline: the stylesheet, the entity-relationship diagram
(:mod:`.svg_er`) and the charts (:mod:`.charts`) are SVG produced here, there is no script, and a
Content-Security-Policy forbids the page from loading anything at all (so an offline reader sees the
whole report, and nothing it renders can reach the network). Every value is escaped by Jinja's
autoescaping; the only markup inserted as-is is the SVG this package builds with ElementTree.

Each guardrail finding links to its rule's explanation, embedded at the end of the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any

import jinja2
from markupsafe import Markup, escape

from dbarchitect.guardrails.design.runner import explain_design_rule, get_design_rule
from dbarchitect.report.charts import StorageRow, latency_chart, storage_chart, workload_cost_chart
from dbarchitect.report.formatting import human_bytes, human_count, human_ms, human_rate
from dbarchitect.report.operations import resource_chart
from dbarchitect.report.svg_er import er_diagram, er_model

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("dbarchitect.report", "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    undefined=jinja2.StrictUndefined,
)

#: Widest diagram shown fitted to the page by default (the page's content is about 1,150 px wide).
FIT_WIDTH = 1440.0

_CODE = re.compile(r"``(.+?)``|`([^`]+)`")


def inline_code(text: object) -> Markup:
    """Escape ``text`` and set its backquoted spans (single or double backquotes) as ``<code>``."""
    out: list[str] = []
    raw = str(text)
    last = 0
    for m in _CODE.finditer(raw):
        out.append(str(escape(raw[last : m.start()])))
        out.append(f"<code>{escape(m.group(1) or m.group(2))}</code>")
        last = m.end()
    out.append(str(escape(raw[last:])))
    return Markup("".join(out))


def cost(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def seconds(value: float | None) -> str:
    if value is None:
        return "unknown (no row count)"
    if value < 1:
        return "< 1 s"
    if value < 120:
        return f"~{value:.0f} s"
    return f"~{value / 60:.0f} min"


_ENV.filters["bytes"] = human_bytes
_ENV.filters["count"] = human_count
_ENV.filters["rate"] = human_rate
_ENV.filters["ms"] = human_ms
_ENV.filters["cost"] = cost
_ENV.filters["seconds"] = seconds
_ENV.filters["code"] = inline_code
# Schema files sit beside report.html: link them by name.
_ENV.filters["basename"] = lambda path: PurePath(str(path)).name


def explanation_blocks(text: str) -> list[tuple[str, str]]:
    """A rule's docstring as ``("p", paragraph)`` and ``("pre", literal block)`` pieces: a line
    ending in ``::`` introduces the indented block after it (reStructuredText literal blocks)."""
    blocks: list[tuple[str, str]] = []
    lines = text.strip().splitlines()
    para: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(("p", " ".join(s.strip() for s in para)))
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
            continue
        if line.rstrip().endswith("::"):
            head = line.rstrip()[:-1].rstrip()
            para.append(head + ":" if head and not head.endswith(":") else head)
            flush()
            i += 1
            literal: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith(" ")):
                literal.append(lines[i])
                i += 1
            indent = min((len(x) - len(x.lstrip()) for x in literal if x.strip()), default=0)
            blocks.append(("pre", "\n".join(x[indent:] for x in literal).strip("\n")))
            continue
        para.append(line)
        i += 1
    flush()
    return blocks


def _rules(verdict: Mapping[str, Any] | None) -> list[dict[str, Any]]:
    """The explanation of every rule with a finding, in the verdict's order of first mention."""
    if not verdict:
        return []
    seen: list[str] = []
    for f in verdict["findings"]:
        if f["rule"] not in seen:
            seen.append(f["rule"])
    out = []
    for rule_id in seen:
        rule = get_design_rule(rule_id)
        blocks = explanation_blocks(explain_design_rule(rule_id))
        headline = None
        # A docstring opens with "rule-id: what it wants"; that line is the section's headline.
        if blocks and blocks[0][0] == "p" and blocks[0][1].startswith(f"{rule.id}:"):
            headline = blocks[0][1][len(rule.id) + 1 :].strip()
            blocks = blocks[1:]
        out.append(
            {
                "id": rule.id,
                "headline": headline,
                "summary": rule.summary,
                "category": rule.category.value,
                "level": rule.level.value,
                "blocks": blocks,
            }
        )
    return out


def _storage_rows(doc: Mapping[str, Any]) -> list[StorageRow]:
    advised_now: dict[str, float] = {}
    advised_later: dict[str, float] = {}
    ix = doc.get("indexes")
    for r in ix["recommended"] if ix else ():
        advised_now[r["table"]] = advised_now.get(r["table"], 0.0) + (r["size_bytes"] or 0.0)
        advised_later[r["table"]] = advised_later.get(r["table"], 0.0) + (r["size_at_horizon_bytes"] or 0.0)
    rows = []
    for t in doc["tables"]:
        s = t["size"]
        rows.append(
            StorageRow(
                table=t["name"],
                data_now=s["data_bytes_now"] or 0.0,
                index_now=s["index_bytes_now"] or 0.0,
                data_horizon=s["data_bytes_at_horizon"] or 0.0,
                index_horizon=s["index_bytes_at_horizon"] or 0.0,
                advised_now=advised_now.get(t["name"], 0.0),
                advised_horizon=advised_later.get(t["name"], 0.0),
            )
        )
    return rows


def _index_benefits(ix: Mapping[str, Any]) -> dict[str, float]:
    """Per recommended index: the workload cost per second it saves (Σ rate × (before - after) over
    the statements whose new plan uses it)."""
    rates = {s["statement"]: s["rate_per_second"] for s in ix["statements"]}
    return {
        r["name"]: sum(
            rates.get(h["statement"], 0.0) * ((h["cost_before"] or 0.0) - (h["cost_after"] or 0.0))
            for h in r["helps"]
        )
        for r in ix["recommended"]
    }


def _charts(doc: Mapping[str, Any]) -> dict[str, Markup | None]:
    latency = doc.get("latency")
    latency_svg = None
    if latency and latency["statements"]:
        rows: list[tuple[str, float | None, float | None]] = [
            (
                s["statement"],
                s["estimated_ms"],
                s["slo_p95_ms"] if s["slo_p95_ms"] is not None else s["slo_p99_ms"],
            )
            for s in latency["statements"]
        ]
        latency_svg = Markup(latency_chart(rows))
    ix = doc.get("indexes")
    cost_svg = None
    if ix:
        costs = [
            (s["statement"], s["rate_per_second"] * s["cost_before"], s["rate_per_second"] * s["cost_after"])
            for s in ix["statements"]
            if s["error"] is None and s["cost_before"] is not None and s["cost_after"] is not None
        ]
        if costs:
            cost_svg = Markup(workload_cost_chart(costs))
    storage_svg = (
        Markup(storage_chart(_storage_rows(doc), doc["brief"]["horizon_days"])) if doc["tables"] else None
    )
    ops = doc.get("operations")
    resources_svg = (
        Markup(resource_chart(ops["capacity"]["resources"], doc["brief"]["horizon_days"])) if ops else None
    )
    return {"latency": latency_svg, "cost": cost_svg, "storage": storage_svg, "resources": resources_svg}


def _partitioned(tables: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Tables the schema already partitions, with method, key and partitions."""
    out = []
    for t in tables:
        p = t.get("partitioning")
        if not p:
            continue
        out.append(
            {
                "table": t["name"],
                "method": p["method"],
                "columns": list(p["columns"]),
                "partitions": [x["name"] for x in p.get("partitions") or ()],
                "count": p.get("count"),
            }
        )
    return out


def proposed_partitioning(doc: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """HOOK for the partitioning advisor: its advice as plain data (``to_jsonable`` of a
    ``PartitionAdvice``: ``decisions`` with ``table``, ``verdict``, ``reasons``, ``chosen`` (``layout``,
    ``rows_per_partition``, ``pruning_share``) and ``maintenance`` (``schedule``); ``notes``) once
    ``design_document`` writes it as ``doc["partitioning"]``; None until the design carries one."""
    advice = doc.get("partitioning")
    return advice if isinstance(advice, Mapping) else None


def render_html(doc: Mapping[str, Any]) -> str:
    """The design report document (``report.document.design_document``) as one HTML page."""
    verdict = doc.get("verdict")
    findings = verdict["findings"] if verdict else []
    ix = doc.get("indexes")
    latency = doc.get("latency")
    within = [s for s in latency["statements"] if s["over_slo"] is False] if latency else []
    judged = [s for s in latency["statements"] if s["over_slo"] is not None] if latency else []
    diagram = er_diagram(er_model(doc["tables"], doc.get("statements")))
    view = {
        "errors": [f for f in findings if f["level"] == "error"],
        "warnings": [f for f in findings if f["level"] != "error"],
        "rules": _rules(verdict),
        "er": Markup(diagram.svg),
        #: Shown fitted to the page by default when that shrinks its text by at most a fifth.
        "er_fit": diagram.width <= FIT_WIDTH,
        "relationships": diagram.declared,
        "implied": diagram.implied,
        "charts": _charts(doc),
        "benefits": _index_benefits(ix) if ix else {},
        "slo_within": len(within),
        "slo_judged": len(judged),
        "partitioned": _partitioned(doc["tables"]),
        "proposed_partitioning": proposed_partitioning(doc),
        "rejected": _rejections(ix) if ix else [],
    }
    return _ENV.get_template("report.html.j2").render(doc=doc, view=view)


def _rejections(ix: Mapping[str, Any]) -> list[tuple[str, int]]:
    counts: dict[str, int] = {}
    for r in ix["rejected"]:
        counts[r["reason"]] = counts.get(r["reason"], 0) + 1
    return sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
