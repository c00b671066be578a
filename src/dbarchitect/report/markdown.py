"""Markdown rendering of a report document (for files and pull-request comments)."""

from __future__ import annotations

from typing import Any

import jinja2

from dbarchitect.report.formatting import human_bytes, human_count, human_rate

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


def render_markdown(doc: dict[str, Any], template: str = "report.md.j2") -> str:
    return _ENV.get_template(template).render(doc=doc)
