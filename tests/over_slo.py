"""The IoT example with one statement over its SLO, for tests of how an error-level finding is shown
(the example itself meets every SLO since range filters are read from its params)."""

from __future__ import annotations

import shutil
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def iot_over_slo(directory: Path) -> Path:
    """A copy of ``examples/iot`` in ``directory`` whose ``site_summary`` has a 5 ms SLO (it is
    estimated at about 9 ms: an slo-latency error); the path of its brief."""
    shutil.copy(EXAMPLES / "iot" / "schema.sql", directory / "schema.sql")
    text = (EXAMPLES / "iot" / "brief.yaml").read_text(encoding="utf-8")
    assert text.count("slo: {p95_ms: 500}") == 1
    brief = directory / "brief.yaml"
    brief.write_text(text.replace("slo: {p95_ms: 500}", "slo: {p95_ms: 5}"), encoding="utf-8")
    return brief
