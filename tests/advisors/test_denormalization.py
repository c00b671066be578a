"""Denormalization proposals: a parent's column copied into its child so a hot statement drops a join,
with the triggers that keep it true, the fan-out at the brief's rates and the integrity risk; chosen
only when a statement needs it for its SLO, and then proven by verify."""

from __future__ import annotations

from pathlib import Path

import yaml

from dbarchitect import api
from dbarchitect.advisors.denormalization import recommend_denormalizations
from dbarchitect.engines.registry import get_traits

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "shop"


def _tight_reviews(tmp_path: Path) -> Path:
    """shop, with product_reviews' SLO below what its join to customers takes."""
    brief = yaml.safe_load((SHOP / "brief.yaml").read_text(encoding="utf-8"))
    brief["schema"]["ddl"]["path"] = str(SHOP / "schema.sql")
    for s in brief["workload"]["statements"]:
        if s["name"] == "product_reviews":
            s["slo"] = {"p95_ms": 0.4}
    brief["workload"]["statements"].append(
        {
            "name": "rename_customer",
            "sql": "UPDATE customers SET full_name = :n WHERE id = :id",
            "rate": "1/min",
        }
    )
    path = tmp_path / "brief.yaml"
    path.write_text(yaml.safe_dump(brief), encoding="utf-8")
    return path


def test_the_reviews_page_gets_the_customer_name_copied(tmp_path: Path) -> None:
    inspection = api.inspect_brief(_tight_reviews(tmp_path))
    engines = [get_traits("postgresql", "15"), get_traits("mariadb", "10.11"), get_traits("sqlite")]
    advice = recommend_denormalizations(
        inspection.catalog, inspection.workload, inspection.traits, engines=engines, horizon_days=1095
    )
    (proposal,) = [p for p in advice.proposed if p.statement == "product_reviews"]
    assert proposal.child == "reviews" and proposal.parent == "customers"
    assert proposal.copies == (("customer_full_name", "full_name"),)
    assert "JOIN" not in proposal.rewritten and "r.customer_full_name" in proposal.rewritten
    assert proposal.after.ms < proposal.before.ms
    assert proposal.fan_out > 1 and "disagree" in proposal.integrity_risk
    taxes = {t.statement: t for t in proposal.write_taxes}
    assert set(taxes) == {"rename_customer"}  # no review is inserted by the workload
    assert taxes["rename_customer"].summary_rows > 1
    pg, maria, lite = proposal.per_engine
    assert pg.create == ("ALTER TABLE reviews ADD COLUMN customer_full_name varchar(200)",)
    assert any("BEFORE INSERT OR UPDATE OF customer_id ON reviews" in s for s in pg.maintain)
    assert any("SET NEW.customer_full_name" in s for s in maria.maintain)
    assert any("AFTER UPDATE ON customers FOR EACH ROW WHEN" in s for s in lite.maintain)
    reasons = {r.statement: r.reason for r in advice.rejected}
    assert "filtered or grouped on" in reasons["top_sellers"]


def test_copies_are_chosen_for_an_slo_only_and_proven_on_sqlite(tmp_path: Path) -> None:
    path = _tight_reviews(tmp_path)
    design = api.design(path)
    assert design.levers is not None
    assert [d.statement for d in design.levers.chosen.denormalizations] == ["product_reviews"]
    v = api.verify_brief(
        path, scale=0.0003, seconds_per_statement=0.2, repetitions=10, draws=30, two_scales=False
    )
    (copies,) = [lever for lever in v.levers if lever.kind == "copies"]
    assert copies.proven, copies.verdict
    assert [p.phase for p in copies.proofs] == ["loaded data", "after a burst of writes"]
    assert {t.statement for t in copies.taxed} == {"rename_customer"}


def test_copies_are_not_chosen_when_the_slo_is_met_without_them() -> None:
    design = api.design(SHOP / "brief.yaml")
    assert design.levers is not None and not design.levers.chosen.denormalizations
    assert any("copies are kept for SLOs only" in reason for _, reason in design.levers.dropped)
