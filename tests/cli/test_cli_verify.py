"""`dbarch verify`: synthetic data, replay, p95 against each SLO, on embedded SQLite and a real
PostgreSQL scratch database; bad input and non-empty databases refused."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from typer.testing import CliRunner

from dbarchitect.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
FAST = ["--seconds", "0.2", "--repetitions", "10"]


def test_embedded_sqlite_by_default() -> None:
    result = runner.invoke(app, ["verify", str(EXAMPLES / "blog" / "brief.yaml"), "--scale", "0.05", *FAST])
    # 1 is a statement measured over its SLO: real timings, which a loaded machine (parallel test
    # workers) can push over; what this test checks is that SQLite runs it with no server named.
    assert result.exit_code in (0, 1), result.output
    assert "# Verification on SQLite" in result.output
    assert "| front_page | 20 |" in result.output and "meets SLO" in result.output


def test_json_on_a_real_postgresql(pg_scratch_db: str) -> None:
    args = [
        "verify",
        str(EXAMPLES / "shop" / "brief.yaml"),
        "--scale",
        "0.0002",
        "--engine-url",
        pg_scratch_db,
    ]
    result = runner.invoke(app, [*args, *FAST, "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert doc["statements"] and all(s.get("p95_ms") is not None for s in doc["statements"])
    with psycopg.connect(pg_scratch_db) as conn:
        row = conn.execute("SELECT count(*) FROM orders").fetchone()
    assert row is not None and row[0] > 0
    again = runner.invoke(app, [*args, *FAST])
    assert again.exit_code == 2 and "not empty" in again.output


def test_bad_input() -> None:
    brief = str(EXAMPLES / "blog" / "brief.yaml")
    result = runner.invoke(app, ["verify", brief, "--scale", "0"])
    assert result.exit_code == 2 and "--scale" in result.output
    result = runner.invoke(app, ["verify", brief, "--embedded", "--engine-url", "sqlite:///x.db"])
    assert result.exit_code == 2 and "not both" in result.output


def test_two_scales_on_mariadb_project_to_full_size(mariadb_scratch_db: str) -> None:
    """Two scales on one scratch database: the first run's tables are dropped before the second
    fills it; every statement gets its full-size p95 with both scales' figures beside it."""
    args = ["verify", str(EXAMPLES / "blog" / "brief.yaml"), "--scale", "0.02", "--engine-url"]
    result = runner.invoke(app, [*args, mariadb_scratch_db, *FAST, "-f", "json"])
    assert result.exit_code in (0, 1), result.output
    doc = json.loads(result.stdout)
    assert doc["small_scale"] == 0.005 and "scales 0.02 and 0.005" in doc["judged"]
    for s in doc["statements"]:
        assert s["projection"]["small_p50_ms"] is not None, s["name"]
        assert s["projection"]["full_p95_ms"] is not None, s["name"]
        assert s["judged_p95_ms"] == s["projection"]["full_p95_ms"]
