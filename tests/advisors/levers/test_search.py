"""One search over the levers: SLOs first (within the writes' SLOs and the budgets), then the
rate-weighted cost; a statement no lever can bring within its SLO gets its bound."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from dbarchitect import api
from dbarchitect.advisors.levers.bound import floor_of, returned_rows
from dbarchitect.advisors.levers.search import search_levers

ROOT = Path(__file__).resolve().parents[3]
SHOP = ROOT / "examples" / "shop"


def _shop(tmp_path: Path, edit) -> Path:  # type: ignore[no-untyped-def]
    brief = yaml.safe_load((SHOP / "brief.yaml").read_text(encoding="utf-8"))
    brief["schema"]["ddl"]["path"] = str(SHOP / "schema.sql")
    edit(brief)
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(brief), encoding="utf-8")
    return path


def _statement(brief: dict, name: str) -> dict:  # type: ignore[type-arg]
    return next(s for s in brief["workload"]["statements"] if s["name"] == name)


def test_shop_meets_every_slo_with_two_summaries_and_the_writes_stay_within_theirs() -> None:
    design = api.design(SHOP / "brief.yaml")
    assert design.verdict is not None and design.verdict.passed
    levers = design.levers
    assert levers is not None
    assert {s.statement for s in levers.chosen.summaries} == {"daily_revenue", "top_sellers"}
    for outcome in levers.outcomes:
        if outcome.slo_ms is not None:
            assert outcome.meets, outcome
    assert levers.outcome("place_order").taxed_by  # type: ignore[union-attr]
    assert all(o.after_ms >= o.before_ms for o in levers.outcomes if o.taxed_by)


def test_a_summary_not_needed_for_an_slo_is_left_out_with_the_reason(tmp_path: Path) -> None:
    def relax(brief: dict) -> None:  # type: ignore[type-arg]
        _statement(brief, "daily_revenue")["slo"] = {"p95_ms": 60000}
        _statement(brief, "daily_revenue")["rate"] = "1/day"  # saves less than it taxes the writes

    inspection = api.inspect_brief(_shop(tmp_path, relax))
    advice = api.recommend_indexes(inspection)
    levers, _, _ = api._design_levers(inspection, advice)
    assert levers is not None
    assert "daily_revenue" not in {s.statement for s in levers.chosen.summaries}
    reasons = dict(levers.dropped)
    assert "meets its SLO without it" in reasons["summary daily_revenue_summary"]


def test_a_summary_that_would_push_a_write_over_its_slo_is_not_chosen_and_the_bound_is_given(
    tmp_path: Path,
) -> None:
    def tight(brief: dict) -> None:  # type: ignore[type-arg]
        _statement(brief, "advance_order_status")["slo"] = {"p95_ms": 0.66}

    inspection = api.inspect_brief(_shop(tmp_path, tight))
    advice = api.recommend_indexes(inspection)
    config = frozenset(r.candidate for r in advice.recommended)
    levers = search_levers(
        inspection.catalog, inspection.workload, inspection.traits, config=config, horizon_days=1095
    )
    assert "daily_revenue" not in {s.statement for s in levers.chosen.summaries}
    assert any("push a write over its SLO" in reason for _, reason in levers.dropped)
    outcome = levers.outcome("daily_revenue")
    assert outcome is not None and outcome.meets is False
    assert (
        outcome.bound is not None
        and "no lever meets its 5000 ms SLO within the design's other limits" in outcome.bound
    )
    assert (
        "summary daily_revenue_summary would bring it to" in outcome.bound
        and "push a write over" in outcome.bound
    )
    assert "(advance_order_status: 0.72 ms against 0.66 ms)" in outcome.bound
    assert "x faster" in outcome.bound


def test_summaries_fit_the_storage_budget(tmp_path: Path) -> None:
    def small(brief: dict) -> None:  # type: ignore[type-arg]
        brief["budgets"]["storage"] = "95.5GB"  # the data and indexes take 95.3 GB at the horizon

    inspection = api.inspect_brief(_shop(tmp_path, small))
    advice = api.recommend_indexes(inspection)
    levers, _, _ = api._design_levers(inspection, advice)
    assert levers is not None
    dropped = dict(levers.dropped)
    assert any(reason.startswith("storage budget") for reason in dropped.values())


def test_a_statement_whose_rows_alone_take_longer_than_its_slo_is_proven_out_of_reach(tmp_path: Path) -> None:
    """86% of 40M orders are delivered: handing back 34.4M rows takes seconds whatever serves them, so
    the bound is a proof (and the slo-latency finding says what would have to change)."""

    def listing(brief: dict) -> None:  # type: ignore[type-arg]
        brief["workload"]["statements"].append(
            {
                "name": "delivered_orders",
                "sql": "SELECT id, total FROM orders WHERE status = 'delivered'",
                "rate": "1/min",
                "slo": {"p95_ms": 100},
            }
        )

    inspection = api.inspect_brief(_shop(tmp_path, listing))
    levers, _, _ = api._design_levers(inspection, None)
    assert levers is not None
    outcome = levers.outcome("delivered_orders")
    assert outcome is not None and outcome.meets is False and outcome.bound is not None
    assert outcome.bound.startswith(
        "no lever can meet its 100 ms SLO: even returning only the 34,400,000 row(s)"
    )
    assert "it would take an SLO of at least" in outcome.bound and "x faster" in outcome.bound
    floor = floor_of(
        next(s for s in inspection.workload.statements if s.name == "delivered_orders"),
        inspection.catalog,
        inspection.traits,
    )
    assert floor is not None and floor.rows == pytest.approx(34.4e6) and floor.ms > 100
    verdict = api.check_brief(inspection)
    finding = next(
        f for f in verdict.findings if f.rule_id == "slo-latency" and f.statement == "delivered_orders"
    )
    assert finding.hint == outcome.bound


def test_an_estimate_from_a_planner_default_is_never_called_a_proof(tmp_path: Path) -> None:
    """``placed_at >= :since`` is a third of the rows to the model, not to a user asking for the last
    hour: the bound names the best estimate and does not claim the SLO out of reach."""

    def tight(brief: dict) -> None:  # type: ignore[type-arg]
        _statement(brief, "daily_revenue")["slo"] = {"p95_ms": 1}

    inspection = api.inspect_brief(_shop(tmp_path, tight))
    levers, _, _ = api._design_levers(inspection, None)
    assert levers is not None
    outcome = levers.outcome("daily_revenue")
    assert outcome is not None and outcome.bound is not None
    assert outcome.bound.startswith("no lever searched meets its 1 ms SLO: the best estimate")
    assert "no lever can meet" not in outcome.bound
    assert "not proven out of reach: the rows it returns cannot be counted" in outcome.bound
    # ... and names the filter priced at the default, with what the brief could give instead.
    assert (
        "its estimate takes orders.placed_at at the planner's default selectivity: "
        "no example value for :since in the statement's params" in outcome.bound
    )


@pytest.mark.parametrize(
    ("sql", "rows"),
    [
        ("SELECT count(*) FROM orders WHERE customer_id = :c OR status = 'paid'", 1.0),
        ("SELECT id FROM orders WHERE status = 'delivered' LIMIT 20", 20.0),
        ("SELECT currency, count(*) FROM orders WHERE status = 'delivered' GROUP BY currency", 3.0),
        ("SELECT id FROM orders WHERE customer_id = :c OR status = 'paid'", None),
        ("SELECT id FROM orders WHERE placed_at >= :since", None),
        ("SELECT id FROM orders WHERE lower(status) = 'paid'", None),
        ("SELECT DISTINCT customer_id FROM orders WHERE status = 'delivered'", None),
        ("SELECT currency FROM orders GROUP BY currency HAVING count(*) > 5", None),
        ("SELECT id FROM orders WHERE id NOT IN (SELECT order_id FROM shipments)", None),
        # each order has one customer (NOT NULL foreign key): the join keeps the orders' rows
        (
            "SELECT o.id, c.email FROM orders o JOIN customers c ON c.id = o.customer_id WHERE o.status = 'delivered'",
            34.4e6,
        ),
        ("SELECT c.id FROM customers c JOIN orders o ON o.customer_id = c.id", 40e6),
        # the customers' side is the larger once orders are filtered, but a customer has any number
        # of orders (none too): no floor
        ("SELECT c.id FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.id = :id", None),
        # a nullable foreign key may meet no parent
        ("SELECT o.id FROM orders o JOIN addresses a ON a.id = o.shipping_address_id", None),
        ("SELECT a.id FROM orders a JOIN orders b ON b.customer_id = a.customer_id", None),
    ],
)
def test_rows_are_counted_only_where_the_statistics_price_every_filter(
    tmp_path: Path, sql: str, rows: float | None
) -> None:
    def add(brief: dict) -> None:  # type: ignore[type-arg]
        brief["workload"]["statements"].append({"name": "q", "sql": sql, "rate": "1/s"})

    inspection = api.inspect_brief(_shop(tmp_path, add))
    q = next(s for s in inspection.workload.statements if s.name == "q")
    counted = returned_rows(q, inspection.catalog, inspection.traits)
    assert (counted[0] if counted else None) == (pytest.approx(rows) if rows is not None else None)
