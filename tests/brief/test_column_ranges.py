"""A column's min/max in the brief's statistics (the time range partitions are laid out over)."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect.brief import loads_brief
from dbarchitect.errors import BriefError
from dbarchitect.ingest.sources import load_catalog


def brief(columns: str) -> str:
    return f"engine: postgresql\nschema: {{ddl: schema.sql}}\ntables:\n  t: {{rows: 5, columns: {columns}}}\n"


def test_bounds_reach_the_catalog_as_text(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (at timestamptz NOT NULL, n int, d date);")
    b = loads_brief(
        brief(
            "{at: {min: '2025-09-03 10:00:00+00', max: '2025-12-03 10:00:00+00'}, n: {min: 3, max: 5}, "
            "d: {min: 2025-01-01, max: 2025-02-01}}"
        ),
        base_dir=tmp_path,
    )
    table = load_catalog(b).table("t")
    assert table is not None
    stats = {c.name.value: (c.stats.minimum, c.stats.maximum) for c in table.columns if c.stats}
    assert stats == {
        "at": ("2025-09-03 10:00:00+00", "2025-12-03 10:00:00+00"),
        "n": ("3", "5"),
        "d": ("2025-01-01", "2025-02-01"),  # YAML dates are read as dates and written back as text
    }


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ("{n: {min: 5, max: 3}}", "min 5 is above max 3"),
        ("{at: {min: '2025-12-03', max: '2025-09-03'}}", "min 2025-12-03 is after max 2025-09-03"),
        ("{n: {min: true}}", "a bound is a number or a value's text"),
    ],
)
def test_bad_bounds_name_the_field(columns: str, message: str) -> None:
    with pytest.raises(BriefError, match=message) as info:
        loads_brief(brief(columns), file="b.yaml")
    assert "b.yaml:4: tables.t.columns" in str(info.value)
