"""Replay of a brief's workload on synthetic data: SQLite by default, PostgreSQL with a scratch database."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import psycopg
import pytest

from dbarchitect.api import inspect_brief
from dbarchitect.errors import DbarchError
from dbarchitect.model.names import EngineName
from dbarchitect.results import Inspection
from dbarchitect.verify.replay import (
    Binding,
    Verification,
    bind_parameters,
    percentile,
    planner_ratio_summary,
    ratio_summary,
    rewrite_params,
    verification_json,
    verification_markdown,
    verify_design,
)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: Every example brief of the foundation issue, at a scale that loads in seconds.
SCALES = {"shop": 0.0002, "blog": 0.02, "saas": 0.00005, "iot": 0.00001, "tpch": 0.001}


def inspect(example: str) -> Inspection:
    return inspect_brief(EXAMPLES / example / "brief.yaml")


def quick(inspection: Inspection, **kwargs: object) -> Verification:
    return verify_design(
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        seconds_per_statement=0.05,
        repetitions=5,
        seed=1,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("example", sorted(SCALES))
def test_every_statement_measured_on_sqlite(example: str, tmp_path: Path) -> None:
    inspection = inspect(example)
    db = tmp_path / "verify.db"
    progress: list[tuple[str, int, int]] = []
    v = quick(
        inspection,
        url=f"sqlite:///{db}",
        scale=SCALES[example],
        progress=lambda phase, done, total: progress.append((phase, done, total)),
    )
    assert [s.name for s in v.statements] == [s.name for s in inspection.workload.statements]
    for s in v.statements:
        assert s.errors == 0, f"{s.name}: {s.error}"
        assert s.executions >= 1 and s.p50_ms is not None and s.p95_ms is not None and s.p99_ms is not None
        assert 0 < s.p50_ms <= s.p95_ms <= s.p99_ms
        assert s.unbound == (), s.name
        if s.kind == "select":
            assert s.plan, s.name
        if s.slo_p95_ms is not None:
            assert s.meets_slo == (s.p95_ms <= s.slo_p95_ms)
    # an identity SQLite cannot fill (not its rowid) is supplied by the replay, and the report says so
    supplied = {s.name: s.supplied for s in v.statements if s.supplied}
    assert supplied == ({"write_audit": ("audit_log.id",)} if example == "saas" else {})
    assert all(any(n.startswith(f"{name}: SQLite cannot generate") for n in v.notes) for name in supplied)
    # writes were rolled back: the data is what was generated
    conn = sqlite3.connect(db)
    for load in v.generation.tables:
        assert conn.execute(f'SELECT count(*) FROM "{load.table}"').fetchone()[0] == load.rows
    conn.close()
    assert progress[-1] == ("replay", len(v.statements), len(v.statements))
    assert (
        "generate",
        v.generation.rows + v.generation.rejected,
        v.generation.rows + v.generation.rejected,
    ) in (progress)
    assert v.generation.rows_per_second > 0


def test_default_is_a_temporary_sqlite_file_and_reports_render() -> None:
    inspection = inspect("blog")
    first = quick(inspection, scale=0.02)
    assert first.database == "sqlite (temporary file)" and first.engine.startswith("SQLite")
    estimates = {s.name: s.p95_ms / 1.5 for s in first.statements if s.p95_ms}
    v = quick(inspection, scale=0.02, estimates=estimates)
    assert all(s.estimated_ms is not None for s in v.statements if s.p95_ms)
    summary = ratio_summary(v)
    assert summary["count"] == len(estimates)
    doc = json.loads(verification_json(v))
    assert [s["name"] for s in doc["statements"]] == [s.name for s in v.statements]
    assert doc["generation"]["rows"] == v.generation.rows
    assert doc["ratios"]["count"] == len(estimates)
    md = verification_markdown(v)
    assert "| statement | SLO p95 ms |" in md
    for s in v.statements:
        assert f"| {s.name} |" in md


def test_non_empty_sqlite_database_refused(tmp_path: Path) -> None:
    db = tmp_path / "used.db"
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE precious (id integer)")
    conn.commit()
    conn.close()
    with pytest.raises(DbarchError, match=r"not empty \(table precious\)"):
        quick(inspect("blog"), url=f"sqlite:///{db}", scale=0.01)


def test_parameters_bound_to_their_columns() -> None:
    inspection = inspect("shop")

    def bindings(name: str) -> dict[str, Binding]:
        statement = inspection.workload.statement(name)
        assert statement is not None
        return bind_parameters(statement, inspection.traits, inspection.catalog)

    listing = bindings("category_listing")
    assert listing["category_id"] == Binding("products", "category_id")
    assert listing["last_created_at"] == Binding("products", "created_at")  # row-value comparison
    assert listing["last_id"] == Binding("products", "id")
    assert bindings("order_history")["offset"] == Binding(constant=0)
    assert bindings("daily_revenue")["since"] == Binding("orders", "placed_at")
    assert bindings("place_order")["total"] == Binding("orders", "total", fresh=True)
    reserve = bindings("reserve_stock")
    assert reserve["quantity"].table == "inventory" and reserve["quantity"].column in ("quantity", "reserved")
    assert bindings("product_page")["sku"] == Binding("products", "sku")


@pytest.mark.parametrize(
    ("family", "sql", "expected", "names"),
    [
        (
            EngineName.SQLITE,
            "SELECT a FROM t WHERE a = :a AND b LIKE 'x%'",
            "SELECT a FROM t WHERE a = :a AND b LIKE 'x%'",
            ["a"],
        ),
        (
            EngineName.POSTGRESQL,
            "SELECT a FROM t WHERE a = %(a)s AND b LIKE 'x%' AND c = ':no'",
            "SELECT a FROM t WHERE a = %(a)s AND b LIKE 'x%%' AND c = ':no'",
            ["a"],
        ),
        (
            EngineName.POSTGRESQL,
            "SELECT a FROM t WHERE a = $1 AND b = $2",
            "SELECT a FROM t WHERE a = %(p1)s AND b = %(p2)s",
            ["p1", "p2"],
        ),
        (
            EngineName.MARIADB,
            "SELECT a FROM t WHERE a = ? AND a % 2 = 0",
            "SELECT a FROM t WHERE a = %(p1)s AND a %% 2 = 0",
            ["p1"],
        ),
    ],
)
def test_parameters_rewritten_for_the_driver(
    family: EngineName, sql: str, expected: str, names: list[str]
) -> None:
    assert rewrite_params(sql, family) == (expected, names)


def test_percentile_interpolates() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.95) == pytest.approx(95.05)
    assert percentile([3.0], 0.99) == 3.0


@pytest.mark.parametrize("example", sorted(SCALES))
def test_every_example_end_to_end_on_postgres(example: str, pg_scratch_db: str) -> None:
    """The design of each example (with its advised indexes) built, filled and replayed on PostgreSQL:
    every statement runs without error, a SELECT has its plan, the estimate sits beside the
    measurement, and the writes were rolled back."""
    inspection = inspect(example)
    estimates = {s.name: 1.0 for s in inspection.workload.statements}
    v = quick(inspection, url=pg_scratch_db, scale=SCALES[example], estimates=estimates)
    assert v.engine.startswith("PostgreSQL 15")
    assert [s.name for s in v.statements] == [s.name for s in inspection.workload.statements]
    for s in v.statements:
        assert s.errors == 0, f"{s.name}: {s.error}"
        assert s.executions >= 1 and s.p50_ms is not None and s.p95_ms is not None, s.name
        assert s.plan and "(no plan" not in s.plan[0], s.name
        assert s.estimated_ms == 1.0 and s.ratio == pytest.approx(s.p95_ms), s.name
        assert s.planner_cost is not None and s.planner_cost >= 0, s.name  # PostgreSQL's own cost
        assert s.planner_estimated_ms is None  # given estimates: nothing is estimated here
    assert ratio_summary(v)["count"] == len(v.statements)
    with psycopg.connect(pg_scratch_db) as conn:
        for load in v.generation.tables:
            (rows,) = conn.execute(f'SELECT count(*) FROM "{load.table}"').fetchone() or (None,)
            assert rows == load.rows, load.table


def test_postgres_end_to_end(pg_scratch_db: str) -> None:
    inspection = inspect("shop")
    v = quick(inspection, url=pg_scratch_db, scale=0.0002)
    assert v.engine.startswith("PostgreSQL")
    # place_order inserts without an id: no error means the identity sequence continues past the
    # generated keys
    for s in v.statements:
        assert s.errors == 0, f"{s.name}: {s.error}"
        assert s.executions >= 1 and s.p95_ms is not None
        assert s.plan and "(no plan" not in s.plan[0], s.name
    with psycopg.connect(pg_scratch_db) as conn:
        for load in v.generation.tables:
            (rows,) = conn.execute(f'SELECT count(*) FROM "{load.table}"').fetchone() or (None,)
            assert rows == load.rows, load.table
        (orphans,) = conn.execute(
            "SELECT count(*) FROM order_items oi WHERE NOT EXISTS (SELECT 1 FROM orders o WHERE o.id = oi.order_id)"
        ).fetchone() or (None,)
        assert orphans == 0


def test_postgres_estimates_from_the_planner_cost_too(pg_scratch_db: str) -> None:
    """Beside the built-in model's estimate, each statement gets one from PostgreSQL's own plan cost
    on the loaded data (what a design made with --database estimates), and its ratio distribution is
    reported; both come from the same latency model, scaled to the speed probe."""
    v = quick(inspect("shop"), url=pg_scratch_db, scale=0.0002)
    assert v.probe_ms > 0 and v.speed_factor > 0
    for s in v.statements:
        assert s.planner_cost is not None and s.planner_estimated_ms is not None, s.name
        assert s.planner_estimated_p50_ms is not None
        assert s.planner_estimated_ms == pytest.approx(s.planner_estimated_p50_ms * 1.0 * _p95_factor(v))
        assert s.planner_ratio == pytest.approx(s.p95_ms / s.planner_estimated_ms)  # type: ignore[operator]
    summary = planner_ratio_summary(v)
    assert summary["count"] == len(v.statements)
    doc = json.loads(verification_json(v))
    assert doc["planner_ratios"] == summary
    assert "From the engine's own plan costs" in verification_markdown(v)


def _p95_factor(v: Verification) -> float:
    s = next(s for s in v.statements if s.estimated_ms and s.estimated_p50_ms)
    assert s.estimated_ms is not None and s.estimated_p50_ms is not None
    return s.estimated_ms / s.estimated_p50_ms


def test_postgres_non_empty_refused(pg_scratch_db: str) -> None:
    with psycopg.connect(pg_scratch_db, autocommit=True) as conn:
        conn.execute("CREATE TABLE precious (id integer)")
    with pytest.raises(DbarchError, match="not empty"):
        quick(inspect("blog"), url=pg_scratch_db, scale=0.01)
    with psycopg.connect(pg_scratch_db) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"
            )
        ]
    assert names == ["precious"]


@pytest.mark.parametrize("example", sorted(SCALES))
def test_mariadb_end_to_end(example: str, mariadb_scratch_db: str) -> None:
    """Every example, whatever engine it was written for, runs on MariaDB: its SQL translated (TPC-H
    Q13's derived-table column list moved onto the select list, which MariaDB 10.11 needs)."""
    import pymysql
    from sqlalchemy.engine import make_url

    v = quick(inspect(example), url=mariadb_scratch_db, scale=SCALES[example])
    assert v.engine.startswith("MariaDB")
    for s in v.statements:
        assert s.errors == 0, f"{s.name}: {s.error}"
        assert s.executions >= 1 and s.p95_ms is not None and s.plan, s.name
        assert s.estimated_ms is not None and s.planner_cost is None, s.name  # no cost in its EXPLAIN
    url = make_url(mariadb_scratch_db)
    conn = pymysql.connect(host=url.host, port=url.port or 3306, user=url.username, database=url.database)
    try:
        with conn.cursor() as cur:
            for load in v.generation.tables:
                cur.execute(f"SELECT count(*) FROM `{load.table}`")
                assert cur.fetchone() == (load.rows,), load.table
    finally:
        conn.close()
