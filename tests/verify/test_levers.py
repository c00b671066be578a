"""The design's summary tables and rewrites built on a scratch database, proven to return the
statements' rows (after a burst of writes too) and measured; a lever that fails its proof is dropped."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from dbarchitect import api
from dbarchitect.advisors.levers import LeverSet
from dbarchitect.verify.measurements import Verification
from dbarchitect.verify.replay import verification_markdown, verification_text

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop" / "brief.yaml"
REWRITES = ROOT / "tests" / "advisors" / "rewrites" / "brief" / "brief.yaml"
FAST = {"seconds_per_statement": 0.2, "repetitions": 10, "two_scales": False}


def _levers(v: Verification) -> dict[str, object]:
    return {lever.statement: lever for lever in v.levers}


def test_shop_summaries_are_proven_after_a_burst_and_serve_their_statements_on_sqlite() -> None:
    v = api.verify_brief(SHOP, scale=0.0003, draws=40, **FAST)  # type: ignore[arg-type]
    levers = {lever.statement: lever for lever in v.levers}
    assert set(levers) == {"daily_revenue", "top_sellers"}
    for lever in levers.values():
        assert lever.proven, lever.verdict
        assert [p.phase for p in lever.proofs] == ["loaded data", "after a burst of writes"]
        assert all(p.draws == 40 for p in lever.proofs)
        assert lever.summary_rows and lever.burst and lever.burst[0] > 0
        assert lever.after is not None and lever.after.executions > 0
    taxed = {t.statement for t in levers["daily_revenue"].taxed}
    assert {"place_order", "advance_order_status"} <= taxed
    served = {s.name: s for s in v.statements}
    after = levers["daily_revenue"].after
    assert after is not None and served["daily_revenue"].sql == after.sql  # judged as served
    text = verification_text(v)
    assert "lever: summary daily_revenue_summary for daily_revenue: proven" in text
    assert "## Summary tables and rewrites" in verification_markdown(v)


def test_every_rewrite_of_the_rewrites_brief_is_proven_on_sqlite() -> None:
    v = api.verify_brief(REWRITES, scale=0.0003, draws=40, **FAST)  # type: ignore[arg-type]
    rules = {lever.lever: lever for lever in v.levers}
    assert set(rules) == {"offset-to-keyset", "sargable-range", "loop-to-batch", "or-to-union"}
    assert all(lever.proven for lever in rules.values()), [lever.verdict for lever in rules.values()]


def test_a_rewrite_that_changes_the_answer_is_dropped(tmp_path: Path) -> None:
    """UNION instead of UNION ALL drops duplicate rows the original returns: the proof sees it, the
    lever is dropped and the statement judged as written."""
    inspection = api.inspect_brief(REWRITES)
    advice = api.recommend_indexes(inspection)
    levers, advice, _ = api._design_levers(inspection, advice)
    assert levers is not None
    union = next(r for r in levers.chosen.rewrites if r.rule == "or-to-union")
    broken = replace(
        union,
        rewritten="SELECT total FROM orders WHERE customer_id = :customer_id UNION "
        "SELECT total FROM orders WHERE coupon_code = :code",
    )
    from dbarchitect.advisors.indexes.advisor import with_advised_indexes
    from dbarchitect.verify.replay import verify_design

    catalog = with_advised_indexes(inspection.catalog, advice, inspection.traits)
    v = verify_design(
        catalog,
        inspection.workload,
        inspection.traits,
        scale=0.0003,
        seconds_per_statement=0.2,
        repetitions=5,
        levers=LeverSet(rewrites=(broken,)),
        draws=40,
    )
    (lever,) = v.levers
    assert not lever.proven and lever.verdict.startswith("dropped: DIFFERENT answers")
    assert lever.after is None
    assert {s.name: s for s in v.statements}["order_lookup"].sql != broken.rewritten


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_shop_summaries_on_real_engines(engine: str, pg_scratch_db: str, mariadb_scratch_db: str) -> None:
    url = pg_scratch_db if engine == "postgresql" else mariadb_scratch_db
    v = api.verify_brief(SHOP, engine_url=url, scale=0.0003, draws=30, **FAST)  # type: ignore[arg-type]
    assert {lever.statement for lever in v.levers} == {"daily_revenue", "top_sellers"}
    for lever in v.levers:
        assert lever.proven, lever.verdict
        assert len(lever.proofs) == 2


@pytest.mark.parametrize("engine", ["postgresql", "mariadb"])
def test_the_rewrites_brief_on_real_engines(engine: str, request: pytest.FixtureRequest) -> None:
    """OFFSET 100000 pagination, date(ts) = :day, an N+1 loop in a transaction and an OR across columns
    are each rewritten and proven to return the same rows on the engine; NOT IN over a nullable column
    is refused with the NULL semantics that differ."""
    url = request.getfixturevalue("pg_scratch_db" if engine == "postgresql" else "mariadb_scratch_db")
    v = api.verify_brief(REWRITES, engine_url=url, scale=0.0003, draws=30, **FAST)  # type: ignore[arg-type]
    rules = {lever.lever: lever for lever in v.levers}
    assert set(rules) == {"offset-to-keyset", "sargable-range", "loop-to-batch", "or-to-union"}
    for lever in rules.values():
        assert lever.proven, lever.verdict
        (proof,) = lever.proofs
        assert proof.draws == 30 and proof.mismatches == 0 and proof.rows > 0
        assert lever.after is not None and lever.after.executions > 0
    inspection = api.inspect_brief(REWRITES)
    levers, _, _ = api._design_levers(inspection, None)
    assert levers is not None
    (refused,) = [r for r in levers.rewrites.rejected if r.rule == "not-in-to-not-exists"]
    assert refused.unsafe and refused.statement == "unblocked_customers"
    assert "NULL" in refused.reason
