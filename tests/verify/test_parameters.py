"""The replay binds a range's bounds to the brief's example values where the estimate reads them, and
draws every other parameter from the synthetic data (verify/parameters.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from dbarchitect.api import inspect_brief
from dbarchitect.verify.parameters import example_bounds

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_range_bounds_take_the_briefs_examples() -> None:
    """iot's site_summary reads the last hour (params.since) and device_chart a day (from_ts, to_ts):
    the replay reads the same windows, over the same min..max the synthetic data spans. Before, since
    was drawn from the whole 90 days (site_summary measured at 245 ms p95 at scale 0.0001 against
    0.20 ms estimated, and judged over its SLO at full size)."""
    inspection = inspect_brief(EXAMPLES / "iot" / "brief.yaml")
    statements = {s.name: s for s in inspection.workload.statements}
    bounds = {
        name: example_bounds(statements[name], inspection.traits, inspection.catalog)
        for name in ("site_summary", "device_chart", "device_latest", "stale_devices")
    }
    assert bounds["site_summary"] == {"since": datetime(2025, 12, 3, 9, tzinfo=UTC)}
    assert bounds["device_chart"] == {
        "from_ts": datetime(2025, 12, 2, 10, tzinfo=UTC),
        "to_ts": datetime(2025, 12, 3, 10, tzinfo=UTC),
    }
    # no example (stale_devices' cutoff) or no range (device_latest's device_id): drawn as before
    assert bounds["device_latest"] == {} and bounds["stale_devices"] == {}


def test_bounds_on_a_column_without_min_and_max_are_drawn(tmp_path: Path) -> None:
    """Without the column's min/max the synthetic data is laid out over its own span, where the brief's
    absolute example would read nothing: the bound is drawn from the data."""
    (tmp_path / "s.sql").write_text(
        "CREATE TABLE ev (id bigint PRIMARY KEY, at timestamp NOT NULL, n integer);\n", encoding="utf-8"
    )
    (tmp_path / "brief.yaml").write_text(
        "name: x\nengine: postgresql 15\nschema: {ddl: {path: s.sql}}\n"
        "tables: {ev: {rows: 1000, retention: 30d, columns: {n: {min: 1, max: 100}}}}\n"
        "workload:\n  statements:\n"
        "    - {name: q, sql: 'SELECT id FROM ev WHERE at >= :a AND n < :m', rate: 1/s,"
        " params: {a: '2025-01-01 00:00:00', m: 10}}\n",
        encoding="utf-8",
    )
    inspection = inspect_brief(tmp_path / "brief.yaml")
    (statement,) = inspection.workload.statements
    assert example_bounds(statement, inspection.traits, inspection.catalog) == {"m": 10}


def test_a_parameter_inside_arithmetic_is_not_the_bound(tmp_path: Path) -> None:
    """``n < 2 * :k`` bounds n at twice the example, not at it: the example is not the bound, and the
    parameter is drawn (it was replayed as the bound itself, a window half as wide as the estimate's)."""
    (tmp_path / "s.sql").write_text("CREATE TABLE ev (id bigint PRIMARY KEY, n integer);\n", encoding="utf-8")
    (tmp_path / "brief.yaml").write_text(
        "name: x\nengine: postgresql 15\nschema: {ddl: {path: s.sql}}\n"
        "tables: {ev: {rows: 1000, columns: {n: {min: 1, max: 100}}}}\n"
        "workload:\n  statements:\n"
        "    - {name: q, sql: 'SELECT id FROM ev WHERE n < 2 * :k AND n > :low', rate: 1/s,"
        " params: {k: 5, low: 3}}\n",
        encoding="utf-8",
    )
    inspection = inspect_brief(tmp_path / "brief.yaml")
    (statement,) = inspection.workload.statements
    assert example_bounds(statement, inspection.traits, inspection.catalog) == {"low": 3}
