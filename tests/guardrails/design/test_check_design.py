"""check_design judges the design *with* the index advice: its recommended indexes count as part of
the schema (scans they serve are not full scans, their sizes count against the budgets) and latency
estimates come from the advice's cost after them."""

from __future__ import annotations

from pathlib import Path

from dbarchitect.api import inspect_brief, recommend_indexes
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
