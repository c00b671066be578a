"""check_design judges the design *with* the index advice: its recommended indexes count as part of
the schema (scans they serve are not full scans, their sizes count against the budgets) and latency
estimates come from the advice's cost after them."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbarchitect.advisors.indexes.cost import CostRequest
from dbarchitect.api import check_brief, cost_backend, inspect_brief, recommend_indexes
from dbarchitect.verify.portability import check_design

CASES = Path(__file__).parent / "cases"
PERFORMANCE = {"slo-latency", "full-scan-large-table", "storage-over-budget"}


def test_index_advice_clears_slo_and_full_scan_findings() -> None:
    for path in (CASES / "slo-latency" / "bad_1.yaml", CASES / "full-scan-large-table" / "bad_1.yaml"):
        i = inspect_brief(path)
        before = check_design(i.brief, i.catalog, i.workload, i.traits, i.sizes, only=PERFORMANCE)
        assert {f.rule_id for f in before.findings} & {"slo-latency", "full-scan-large-table"}
        advice = recommend_indexes(i, time_limit_s=20)
        assert advice.recommended
        after = check_design(i.brief, i.catalog, i.workload, i.traits, i.sizes, advice, only=PERFORMANCE)
        assert [f for f in after.findings if f.rule_id in ("slo-latency", "full-scan-large-table")] == []


def test_advised_index_sizes_count_against_the_index_budget() -> None:
    i = inspect_brief(CASES / "slo-latency" / "bad_1.yaml")
    advice = recommend_indexes(i, time_limit_s=20)
    added = sum(r.size_at_horizon_bytes for r in advice.recommended)
    existing = sum(s.index_bytes_at_horizon for s in i.sizes)
    # A budget between the schema's own indexes and those plus the advice's: only the advice crosses it.
    budget = int(existing + added / 2)
    brief = i.brief.model_copy(
        update={"budgets": i.brief.budgets.model_copy(update={"index_storage": budget})}
    )
    without = check_design(brief, i.catalog, i.workload, i.traits, i.sizes, only={"storage-over-budget"})
    with_advice = check_design(
        brief, i.catalog, i.workload, i.traits, i.sizes, advice, only={"storage-over-budget"}
    )
    assert without.findings == ()
    assert [f.rule_id for f in with_advice.findings] == ["storage-over-budget"]


def _devices_and_readings(url: str, schema: Path) -> None:
    """The fixture's schema in a scratch database, with data for the planner: 2,000 devices at 10 per
    site, 100 readings each."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(schema.read_text())
        conn.execute("INSERT INTO devices SELECT i, i % 200, 'sn-' || i FROM generate_series(1, 2000) i")
        conn.execute(
            "INSERT INTO readings SELECT d, timestamptz '2025-01-01' + r * interval '1 hour', 20 "
            "FROM generate_series(1, 2000) d, generate_series(1, 100) r"
        )
        conn.execute("ANALYZE")


@pytest.mark.parametrize(
    ("fixture", "schema", "scanned"), [("bad_2", "schema_join", True), ("good_3", "schema_probe", False)]
)
def test_full_scans_come_from_the_planners_plan_with_a_database(
    pg_has_hypopg: str, fixture: str, schema: str, scanned: bool
) -> None:
    """With a PostgreSQL database, a table is full-scanned when PostgreSQL's own plan (HypoPG) reads it
    with a Seq Scan: readings probed through its primary key by the join's nested loop is not, even
    though no index leads with its filter column; with no index on the join column it is. The verdict
    with the advice on that database has no full scan of readings either way (the advice adds the
    index the bad schema lacks)."""
    folder = CASES / "full-scan-large-table"
    _devices_and_readings(pg_has_hypopg, folder / f"{schema}.sql")
    i = inspect_brief(folder / f"{fixture}.yaml")
    (statement,) = i.workload.statements
    with cost_backend(i, pg_has_hypopg) as backend:
        (plan,) = backend.plan_costs([CostRequest(statement, frozenset())])
    assert backend.name == "hypopg"
    assert ("readings" in plan.seq_scans) is scanned, plan.plan
    verdict = check_brief(i, database=pg_has_hypopg)
    assert [f for f in verdict.findings if f.rule_id == "full-scan-large-table"] == []
