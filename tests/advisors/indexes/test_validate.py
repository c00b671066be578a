"""dbarch indexes --validate: the advice built for real on a scratch PostgreSQL database, every statement
timed before and after (verify/index_validation.py)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.cli.app import app
from dbarchitect.report.indexes import index_advice_document
from dbarchitect.report.markdown import render_markdown

BRIEF = Path(__file__).parent / "validate" / "brief.yaml"


def test_validate_builds_times_and_keeps_what_real_plans_use(pg_scratch_db: str) -> None:
    advice = api.recommend_indexes(BRIEF, validate=pg_scratch_db, validate_scale=0.5, validate_runs=3)
    v = advice.validation
    assert v is not None and v.server.startswith("PostgreSQL") and v.runs == 3
    by_name = {t.statement: t for t in v.statements}
    assert set(by_name) == {"by_sku", "newest_in_category", "add_item"}
    sku = by_name["by_sku"]
    assert sku.before_ms is not None and sku.after_ms is not None and sku.promised is not None
    assert any("Seq Scan" in line for line in sku.plan_before)
    assert any("items_lower_sku_idx" in line for line in sku.plan_after)
    assert "items_lower_sku_idx" in v.kept
    # The advice keeps exactly the indexes that survived, and each removal says why.
    assert {r.name for r in advice.recommended} == set(v.kept)
    assert all(why for _, why in v.removed)
    assert v.before_total_ms > v.after_total_ms
    markdown = render_markdown({"indexes": index_advice_document(advice)}, template="indexes.md.j2")
    assert "### Built and timed for real" in markdown and "| `by_sku` |" in markdown
    # The scratch database is left empty (its tables dropped), nothing else was touched.
    with psycopg.connect(pg_scratch_db) as conn:
        tables = conn.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
    assert tables == (0,)


def test_validate_from_the_command_line(pg_scratch_db: str) -> None:
    result = CliRunner().invoke(
        app,
        [
            "indexes",
            str(BRIEF),
            "--validate",
            pg_scratch_db,
            "--validate-scale",
            "0.25",
            "--validate-runs",
            "2",
            "-f",
            "json",
            "--quiet",
        ],
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    statements = {s["statement"]: s for s in doc["validation"]["statements"]}
    assert statements["by_sku"]["measured_ratio"] is not None
    assert statements["by_sku"]["plan_after"]
    assert "password" not in result.stdout.lower()


def test_validate_options_are_checked() -> None:
    result = CliRunner().invoke(app, ["indexes", str(BRIEF), "--validate", "x", "--validate-runs", "0"])
    assert result.exit_code == 2
    assert "--validate-runs" in result.output


def test_a_plan_reads_an_index_by_its_whole_name() -> None:
    from dbarchitect.verify.index_validation import _uses

    assert _uses(("Index Scan using part_p_partkey_idx on part",), "part_p_partkey_idx")
    assert not _uses(("Index Scan using part_p_partkey_idx_2 on part",), "part_p_partkey_idx")
    assert _uses(('Bitmap Index Scan on "Orders_Day_idx"',), "Orders_Day_idx")


def test_an_index_slowing_one_statement_is_judged_on_the_time_of_all_its_users() -> None:
    from dbarchitect.verify.index_validation import _Run, time_balance

    before = {"a": _Run(10.0, (), None), "b": _Run(100.0, (), None), "c": _Run(5.0, (), None)}
    after = {"a": _Run(13.0, (), None), "b": _Run(20.0, (), None), "c": _Run(6.0, (), None)}
    rates = {"a": 1.0, "b": 1.0, "c": 50.0}
    # a loses 3 ms/s, b gains 80 ms/s: keep it
    assert time_balance(["a", "b"], ["a"], before, after, rates) == (3.0, 80.0)
    # c runs 50 times a second and loses 50 ms/s against a gain of 80: keep; at 100/s it goes
    lost, gained = time_balance(["b", "c"], ["c"], before, after, {**rates, "c": 100.0})
    assert (lost, gained) == (100.0, 80.0) and lost >= gained
