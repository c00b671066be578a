"""Short durations (``max_staleness``, and later recovery objectives): seconds with a unit."""

from __future__ import annotations

import pytest

from dbarchitect.brief import loads_brief, parse_seconds
from dbarchitect.errors import BriefError


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("500ms", 0.5),
        ("5s", 5.0),
        ("5 sec", 5.0),
        ("2min", 120.0),
        ("1h", 3600.0),
        ("1d", 86400.0),
        (30, 30.0),
    ],
)
def test_parse_seconds(text: object, seconds: float) -> None:
    assert parse_seconds(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["5m", "-1s", "soon", True, "1 fortnight", "11y"])
def test_parse_seconds_refuses(text: object) -> None:
    with pytest.raises(ValueError):
        parse_seconds(text)


BRIEF = """
engine: postgresql 15
schema:
  entities:
    t: {{columns: {{id: bigint, v: int}}, primary_key: [id]}}
workload:
  - name: report
    sql: SELECT sum(v) FROM t
    rate: 1/min
    max_staleness: {staleness}
"""


def test_statement_max_staleness() -> None:
    brief = loads_brief(BRIEF.format(staleness="15min"))
    assert brief.workload.statements[0].max_staleness == 900.0


def test_statement_max_staleness_bad_unit_names_the_line() -> None:
    with pytest.raises(BriefError) as err:
        loads_brief(BRIEF.format(staleness="15m"), file="b.yaml")
    assert "b.yaml:10" in str(err.value) and "max_staleness" in str(err.value)
