"""The same brief gets the same index advice on any machine: the search stops at a work budget counted
in planner calls, and the wall clock is only a safety net that says so when it stops the search.

A machine's speed is simulated: the clock the search reads advances by ``per_call`` seconds for
every plan the backend computes (a slow or loaded machine, or a planner far away)."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from dbarchitect import api
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.cost import CostRequest, PlanCost
from dbarchitect.advisors.indexes.selection import default_work_limit, workload_pairs
from dbarchitect.report.indexes import index_advice_document
from tests.advisors.indexes.fake_cost import idx

ROOT = Path(__file__).resolve().parents[3]
TPCH = ROOT / "examples" / "tpch" / "brief.yaml"
SHOP = ROOT / "examples" / "shop" / "brief.yaml"


class Machine:
    """A simulated clock: ``per_call`` seconds pass for every plan the backend computes."""

    def __init__(self, per_call: float) -> None:
        self.per_call = per_call
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[Machine]:
    m = Machine(0.0)
    plan_costs = BuiltinCostModel.plan_costs

    def slow_plan_costs(self: BuiltinCostModel, requests: Sequence[CostRequest]) -> list[PlanCost]:
        m.now += m.per_call * len(requests)
        return plan_costs(self, requests)

    monkeypatch.setattr(BuiltinCostModel, "plan_costs", slow_plan_costs)
    monkeypatch.setattr(time, "monotonic", m.monotonic)
    yield m


def _advice(brief: Path, machine: Machine, per_call: float, **options: Any) -> dict[str, Any]:
    machine.per_call = per_call
    doc = index_advice_document(api.recommend_indexes(brief, **options))
    doc["search"].pop("seconds")
    return doc


@pytest.mark.parametrize("algorithm", ["greedy", "exact"])
def test_a_slow_machine_gets_the_advice_of_a_fast_one(machine: Machine, algorithm: str) -> None:
    """The search ``design`` runs, on a machine where each plan takes 0.1 s (TPC-H's search makes about
    1,400, so 140 s: past the 60 s that used to stop it) and on one where plans take no time."""
    fast = _advice(TPCH, machine, 0.0, algorithm=algorithm, time_limit_s=api.DESIGN_INDEX_TIME_LIMIT_S)
    slow = _advice(TPCH, machine, 0.1, algorithm=algorithm, time_limit_s=api.DESIGN_INDEX_TIME_LIMIT_S)
    assert slow == fast
    assert slow["reproducible"] and slow["budget"]["stopped_by"] not in ("time_limit", "work_limit")
    assert slow["budget"]["work_limit"] >= 1_000


def test_the_work_budget_stops_the_search_at_the_same_place_on_every_machine(machine: Machine) -> None:
    fast = _advice(TPCH, machine, 0.0, work_limit=150, time_limit_s=600)
    slow = _advice(TPCH, machine, 0.3, work_limit=150, time_limit_s=600)
    assert slow == fast
    assert slow["stopped_early"] and slow["reproducible"]
    assert slow["budget"]["stopped_by"] == "work_limit" and slow["budget"]["work_limit"] == 150
    assert any(r["reason"] == "work_limit" for r in slow["rejected"])
    assert any("work budget of 150 planner calls" in n for n in slow["notes"])
    complete = _advice(TPCH, machine, 0.0)
    assert complete["budget"]["stopped_by"] != "work_limit"
    assert complete["workload_cost"]["after"] < slow["workload_cost"]["after"]


@pytest.mark.parametrize("algorithm", ["greedy", "exact"])
def test_the_wall_clock_safety_net_says_the_advice_is_not_reproducible(
    machine: Machine, algorithm: str
) -> None:
    advice = _advice(SHOP, machine, 1.0, algorithm=algorithm, time_limit_s=5)
    assert advice["stopped_early"] and not advice["reproducible"]
    assert advice["budget"]["stopped_by"] == "time_limit"
    assert any(n.startswith("NOT REPRODUCIBLE: the wall-clock safety net (5 s)") for n in advice["notes"])
    assert any(r["reason"] == "time_limit" for r in advice["rejected"])


def test_the_default_work_budget_scales_with_the_statements_and_their_candidates() -> None:
    candidates = [idx("a", "x"), idx("a", "y"), idx("b", "x")]
    statements = [frozenset({"a"}), frozenset({"a", "b"}), frozenset({"c"})]
    assert workload_pairs(statements, candidates) == 2 + 3 + 0
    assert default_work_limit(statements, candidates) == 1_000  # the floor
    assert default_work_limit(statements * 100, candidates) == 4 * 500
