"""Markdown rendering of a report document (for files and pull-request comments)."""

from __future__ import annotations

from typing import Any

import jinja2

from dbarchitect.report.formatting import human_bytes, human_count, human_ms, human_rate
from dbarchitect.report.operations import human_seconds

_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("dbarchitect.report", "templates"),
    autoescape=False,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
    undefined=jinja2.StrictUndefined,
)
_ENV.filters["bytes"] = human_bytes
_ENV.filters["count"] = human_count
_ENV.filters["rate"] = human_rate
_ENV.filters["ms"] = human_ms
_ENV.filters["seconds"] = human_seconds
# Text in a table cell: a pipe would end the cell, a newline the row.
_ENV.filters["cell"] = lambda text: " ".join(str(text).split()).replace("|", "\\|")


def _details_groups(findings: list[dict[str, Any]]) -> list[tuple[str, list[str]]]:
    """Each distinct list of a finding's details once, with the findings it belongs to (the latency
    model's provenance, shared by every latency finding, is shown once)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for f in findings:
        if f.get("details"):
            where = f["table"] and (f"{f['table']}.{f['column']}" if f["column"] else f["table"])
            where = where or f["statement"] or f["engine"] or "schema"
            if f["engine"] and where != f["engine"]:
                where = f"{f['engine']}: {where}"
            groups.setdefault(tuple(f["details"]), []).append(f"{f['rule']} {where}")
    return [(", ".join(owners), list(lines)) for lines, owners in groups.items()]


_ENV.filters["details_groups"] = _details_groups


def render_markdown(doc: dict[str, Any], template: str = "report.md.j2") -> str:
    return _ENV.get_template(template).render(doc=doc)


def verdict_markdown(verdict: dict[str, Any]) -> str:
    """The guardrail verdict (``verdict_json``'s data) as a pull-request comment: the outcome first,
    each error with its fix, warnings and what was not checked folded away."""
    return _ENV.get_template("verdict.md.j2").render(verdict=verdict)
