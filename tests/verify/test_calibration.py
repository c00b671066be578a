"""The latency calibration: the fit recovers known coefficients, a calibration run on a real engine
gives a model the CLI writes and ``--calibration`` reads back, and the speed probe scales a model to
the machine's speed at the moment of a run."""

from __future__ import annotations

import json
import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.cli import app
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError
from dbarchitect.verify.calibration import (
    COEFFICIENTS,
    calibration_markdown,
    calibration_text,
    fit_latency,
    fit_total_cost,
    latency_model_json,
    load_latency_model,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
runner = CliRunner()

#: Feature rows like the micro-workload's: reads of growing cost, writes with rows and index entries.
ROWS = [
    (1.0, 0.0, 0.0, 0.0, 8.0, 0.3),
    (1.0, 0.0, 0.0, 0.0, 40.0, 2.0),
    (1.0, 0.0, 0.0, 0.0, 2200.0, 2000.0),
    (1.0, 0.0, 0.0, 0.0, 250.0, 350.0),
    (1.0, 0.0, 0.0, 0.0, 4500.0, 11000.0),
    (1.0, 0.0, 0.0, 0.0, 1100.0, 9.0),
    (1.0, 1.0, 1.0, 6.0, 0.0, 0.0),
    (1.0, 1.0, 1.0, 1.0, 0.0, 0.0),
    (1.0, 1.0, 10.0, 0.0, 8.0, 0.7),
    (1.0, 1.0, 400.0, 2000.0, 1090.0, 12.0),
    (1.0, 1.0, 400.0, 0.0, 80.0, 11.0),
    (1.0, 1.0, 4.0, 24.0, 8.0, 0.4),
]


def _estimate(row: tuple[float, ...], x: list[float] | tuple[float, ...]) -> float:
    return sum(a * b for a, b in zip(row, x, strict=True))


@settings(max_examples=40, deadline=None)
@given(
    st.tuples(
        st.floats(0.01, 1.0),
        st.floats(0.0, 0.1),
        st.floats(0.0, 0.05),
        st.floats(0.0, 0.02),
        st.floats(1e-5, 1e-2),
        st.floats(1e-4, 5e-2),
    )
)
def test_fit_recovers_the_measurements_it_was_made_from(truth: tuple[float, ...]) -> None:
    """Measurements made by a model are fitted back within 1% each (the coefficients themselves may
    trade off where two features move together; the estimates may not), and never negative."""
    measured = [_estimate(r, truth) for r in ROWS]
    x = fit_latency(ROWS, measured)
    assert len(x) == len(COEFFICIENTS) and min(x) >= 0
    for row, m in zip(ROWS, measured, strict=True):
        assert _estimate(row, x) == pytest.approx(m, rel=0.01)


def test_fit_weighs_over_and_under_alike() -> None:
    """Measurements 2x over and 2x under one model in alternation: the fit's squared log error is no
    worse than the model's own, and its estimates are not pulled up by the large over-measurements
    (their geometric mean ratio stays near 1, where a plain least squares lands well below it)."""
    truth = (0.2, 0.0, 0.01, 0.0, 0.0005, 0.01)
    measured = [_estimate(r, truth) * (2.0 if i % 2 else 0.5) for i, r in enumerate(ROWS)]
    x = fit_latency(ROWS, measured)

    def log_error(coefficients: list[float] | tuple[float, ...]) -> float:
        return sum(math.log(m / _estimate(r, coefficients)) ** 2 for r, m in zip(ROWS, measured, strict=True))

    assert log_error(x) <= log_error(truth) + 1e-9
    ratios = [m / _estimate(r, x) for r, m in zip(ROWS, measured, strict=True)]
    assert math.exp(sum(math.log(r) for r in ratios) / len(ratios)) == pytest.approx(1.0, abs=0.1)


def test_fit_refuses_nonsense() -> None:
    with pytest.raises(ValueError):
        fit_latency([], [])
    with pytest.raises(ValueError):
        fit_latency(ROWS[:1], [0.0])


def test_total_cost_coefficient() -> None:
    fixed = [0.1] * 5
    costs = [10.0, 100.0, 1000.0, 5000.0, 20000.0]
    measured = [0.1 + 0.004 * c for c in costs]
    assert fit_total_cost(fixed, costs, measured) == pytest.approx(0.004, rel=0.02)


def test_scaled_multiplies_every_time_coefficient() -> None:
    model = replace(get_traits("postgresql", "15").latency, probe_ms=0.1)
    slower, factor = model.scaled(0.25)
    assert factor == pytest.approx(2.5)
    for name in (*COEFFICIENTS, "ms_per_cost_unit", "commit_ms"):
        assert getattr(slower, name) == pytest.approx(getattr(model, name) * 2.5), name
    assert slower.p95_factor == model.p95_factor and slower.probe_ms == 0.25
    assert "scaled x2.50" in slower.source
    args = {"io": 30.0, "write": True, "rows_written": 3.0, "index_entries": 9.0, "commit": True}
    assert slower.milliseconds(100.0, **args) == pytest.approx(model.milliseconds(100.0, **args) * 2.5)
    # unknown probe on either side: unscaled
    assert replace(model, probe_ms=0.0).scaled(0.3)[1] == 1.0
    assert model.scaled(0.0) == (model, 1.0)


def test_calibration_on_sqlite_end_to_end(tmp_path: Path) -> None:
    """A short calibration run on SQLite: every statement measured and fitted, a positive probe and
    commit, the model written by the CLI and read back by verify --calibration, whose estimates are
    scaled to the probe it measures itself."""
    c = api.calibrate_engine(scale=0.02, seconds_per_statement=0.05, repetitions=8)
    assert c.engine.startswith("SQLite") and len(c.points) == 33
    m = c.model
    assert m.probe_ms > 0 and m.statement_ms > 0 and m.p95_factor >= 1.0
    assert all(getattr(m, k) >= 0 for k in COEFFICIENTS)
    assert m.source.startswith("fitted by dbarch calibrate on SQLite")
    assert all(p.fitted_ms > 0 and p.p50_ms > 0 for p in c.points)
    assert "probe_ms" in calibration_markdown(c) and "probe_ms" in calibration_text(c)
    out = tmp_path / "sqlite.json"
    out.write_text(latency_model_json(m))
    assert load_latency_model(out) == m
    v = api.verify_brief(
        EXAMPLES / "blog" / "brief.yaml",
        scale=0.01,
        seconds_per_statement=0.05,
        repetitions=5,
        calibration=out,
    )
    assert v.probe_ms > 0
    assert v.speed_factor == pytest.approx(v.probe_ms / m.probe_ms)
    assert v.estimate_source is not None and f"scaled x{v.speed_factor:.2f}" in v.estimate_source
    assert all(s.estimated_ms is not None for s in v.statements)


def test_cli_calibrate_writes_the_model(tmp_path: Path) -> None:
    out = tmp_path / "model.json"
    result = runner.invoke(
        app,
        [
            "calibrate",
            "--embedded",
            "--scale",
            "0.01",
            "--seconds",
            "0.02",
            "--repetitions",
            "3",
            "-o",
            str(out),
            "-f",
            "json",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    assert doc["latency_model"] == json.loads(out.read_text())["latency_model"]
    assert doc["latency_model"]["probe_ms"] > 0
    assert len(doc["points"]) == 33


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        ("not json", "not a calibration file"),
        ('{"other": 1}', "no latency_model object"),
        ('{"latency_model": {"statement_ms": 1}}', "latency_model:"),
    ],
)
def test_bad_calibration_files(tmp_path: Path, content: str | None, message: str) -> None:
    path = tmp_path / "cal.json"
    if content is not None:
        path.write_text(content)
    with pytest.raises(DbarchError, match=message):
        load_latency_model(path)
    result = runner.invoke(app, ["verify", str(EXAMPLES / "blog" / "brief.yaml"), "--calibration", str(path)])
    assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output


def test_calibration_on_postgres_fits_the_cost_unit_on_the_planner(pg_scratch_db: str) -> None:
    """On PostgreSQL every point carries the planner's own cost, and ms_per_cost_unit (what
    estimates from HypoPG's plans use) is fitted on those costs."""
    c = api.calibrate_engine(pg_scratch_db, scale=0.02, seconds_per_statement=0.05, repetitions=8)
    assert c.engine.startswith("PostgreSQL 15")
    assert all(p.planner_cost is not None for p in c.points)
    assert c.model.ms_per_cost_unit > 0 and c.model.probe_ms > 0 and c.model.commit_ms >= 0
    assert "fitted on the engine planner's costs" in calibration_markdown(c)
    # the fitted per-unit figure is the best single one for the planner's costs: scaling it either way
    # makes the squared log error of the medians no smaller
    fixed = [
        p.fitted_ms
        - c.model.ms_per_io_unit * min(p.io, p.cost)
        - c.model.ms_per_cpu_unit * (p.cost - min(p.io, p.cost))
        for p in c.points
    ]

    def error(k: float) -> float:
        return sum(
            math.log((f + k * (p.planner_cost or 0.0)) / p.p50_ms) ** 2
            for f, p in zip(fixed, c.points, strict=True)
        )

    best = error(c.model.ms_per_cost_unit)
    assert best <= error(c.model.ms_per_cost_unit * 1.2) + 1e-9
    assert best <= error(c.model.ms_per_cost_unit / 1.2) + 1e-9
