"""Summary tables: what is summarized (keys, measures, the range's buckets), what is refused and why,
the SQL per engine (table, fill, triggers; a materialized view within max_staleness), the size and
the tax on each write."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlglot
import yaml

from dbarchitect.advisors.summaries.advisor import recommend_summaries
from dbarchitect.advisors.summaries.spec import NotSummarizable, analyze
from dbarchitect.api import inspect_brief
from dbarchitect.engines.registry import get_traits
from dbarchitect.results import Inspection

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def shop() -> Inspection:
    return inspect_brief(EXAMPLES / "shop" / "brief.yaml")


def spec_of(inspection: Inspection, name: str, grain: str | None = None):  # type: ignore[no-untyped-def]
    statement = inspection.workload.statement(name)
    assert statement is not None
    return analyze(sqlglot.parse_one(statement.sql, read="postgres"), name, inspection.catalog, grain)


def test_daily_revenue_is_kept_per_day_and_currency_with_the_filter_folded_in() -> None:
    spec = spec_of(shop(), "daily_revenue")
    assert [k.name for k in spec.keys] == ["day", "currency"]
    assert [m.func for m in spec.measures] == ["count", "sum"]  # total is NOT NULL: no non-NULL count
    assert [f.sql() for f in spec.filters] == ["NOT status IN ('cancelled', 'refunded')"]
    assert [(r.column, r.key, r.grain) for r in spec.ranges] == [(("orders", "placed_at"), "day", "day")]


def test_top_sellers_reads_product_names_back_and_buckets_the_order_date() -> None:
    spec = spec_of(shop(), "top_sellers", "month")
    assert [s.alias for s in spec.sources] == ["oi", "o"]  # order_items is the fact, orders a dimension
    assert [s.alias for s in spec.lookups] == ["p"]  # products only names the groups
    assert [(k.name, k.grain) for k in spec.keys] == [("product_id", None), ("placed_at_month", "month")]


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT count(DISTINCT customer_id) FROM orders", "COUNT(DISTINCT ...) cannot be added up"),
        ("SELECT id FROM orders WHERE customer_id = :c", "it aggregates nothing"),
        (
            "SELECT o.status, count(*) FROM orders o LEFT JOIN payments p ON p.order_id = o.id GROUP BY o.status",
            "an outer or cross join",
        ),
        (
            "SELECT coupon, count(*) FROM (SELECT status AS coupon FROM orders) t GROUP BY coupon",
            "a subquery",
        ),
        (
            "SELECT shipping_address_id, count(*) FROM orders GROUP BY shipping_address_id",
            "can be NULL",
        ),
    ],
)
def test_what_a_summary_cannot_answer_is_said(sql: str, reason: str) -> None:
    with pytest.raises(NotSummarizable) as err:
        analyze(sqlglot.parse_one(sql, read="postgres"), "q", shop().catalog)
    assert reason in str(err.value)


def test_shop_summaries_their_sql_per_engine_and_the_tax_on_writes() -> None:
    inspection = shop()
    engines = [get_traits("postgresql", "15"), get_traits("mariadb", "10.11"), get_traits("sqlite")]
    advice = recommend_summaries(
        inspection.catalog, inspection.workload, inspection.traits, engines=engines, horizon_days=1095
    )
    revenue = advice.for_statement("daily_revenue")
    assert revenue is not None and revenue.maintenance == "triggers"
    assert revenue.after.ms < 5000 < revenue.before.ms
    assert 1000 < revenue.rows_now < revenue.rows_at_horizon < 10_000
    taxes = {t.statement: t for t in revenue.write_taxes}
    # inserts and status changes move orders in and out of the summary; an unrelated write does not
    assert {"place_order", "advance_order_status", "purge_abandoned_carts"} <= set(taxes)
    assert "reserve_stock" not in taxes and "add_order_item" not in taxes
    assert taxes["advance_order_status"].extra_ms > taxes["place_order"].extra_ms > 0
    pg, maria, lite = revenue.per_engine
    assert pg.create[0].startswith("CREATE TABLE") and "LANGUAGE plpgsql" in pg.maintain[0]
    assert "ON CONFLICT" in pg.maintain[0] and "IS DISTINCT FROM" in pg.maintain[0]
    assert any("ON DUPLICATE KEY UPDATE" in s for s in maria.maintain)
    assert any("AFTER UPDATE OF" in s and "WHEN" in s for s in lite.maintain)
    assert all(e.note is None and e.backfill and e.rewritten for e in revenue.per_engine)
    sellers = advice.for_statement("top_sellers")
    assert sellers is not None
    # orders is a dimension: only an update of the column the summary reads (placed_at) is taxed,
    # and a purge's cascade to order_items subtracts their share first
    assert {t.statement for t in sellers.write_taxes} == {"add_order_item", "purge_abandoned_carts"}
    pg = sellers.per_engine[0]
    assert any("BEFORE DELETE ON orders" in s for s in pg.maintain)
    assert any("CREATE TRIGGER" in s and "ON order_items" in s for s in pg.maintain)
    assert "JOIN products" not in sellers.definition and "products" in sellers.rewritten


def test_max_staleness_on_postgresql_gives_a_materialized_view_refreshed_on_a_schedule(
    tmp_path: Path,
) -> None:
    brief = yaml.safe_load((EXAMPLES / "shop" / "brief.yaml").read_text(encoding="utf-8"))
    brief["schema"]["ddl"]["path"] = str(EXAMPLES / "shop" / "schema.sql")
    for s in brief["workload"]["statements"]:
        if s["name"] == "daily_revenue":
            s["max_staleness"] = "1h"
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(brief), encoding="utf-8")
    inspection = inspect_brief(path)
    advice = recommend_summaries(
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        engines=[get_traits("postgresql", "15"), get_traits("sqlite")],
        staleness={"daily_revenue": 3600.0},
        horizon_days=1095,
    )
    revenue = advice.for_statement("daily_revenue")
    assert revenue is not None and revenue.maintenance == "refresh"
    assert revenue.refresh_ms is not None and 0 < revenue.refresh_every_s < 3600  # type: ignore[operator]
    assert revenue.write_taxes == ()
    pg, lite = revenue.per_engine
    assert pg.create[0].startswith("CREATE MATERIALIZED VIEW") and "CREATE UNIQUE INDEX" in pg.create[1]
    assert pg.refresh[0] == "REFRESH MATERIALIZED VIEW CONCURRENTLY daily_revenue_summary"
    assert "cron.schedule" in pg.refresh[1]
    assert lite.maintain  # no materialized views on SQLite: triggers keep it exact there
