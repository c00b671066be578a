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


def render_markdown(doc: dict[str, Any], template: str = "report.md.j2") -> str:
    return _ENV.get_template(template).render(doc=doc)


def verdict_markdown(verdict: dict[str, Any]) -> str:
    """The guardrail verdict (``verdict_json``'s data) as a pull-request comment: the outcome first,
    each error with its fix, warnings and what was not checked folded away."""
    return _ENV.get_template("verdict.md.j2").render(verdict=verdict)
