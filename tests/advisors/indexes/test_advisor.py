"""The index advisor end to end on the example briefs (built-in model) and on a real PostgreSQL
(HypoPG): every recommendation carries its numbers, budgets hold, bad input is one clear line, and
nothing is ever written to the database the costs come from."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
import sqlglot
from typer.testing import CliRunner

from dbarchitect import api
from dbarchitect.advisors.indexes.advisor import Algorithm, IndexAdvice
from dbarchitect.advisors.indexes.selection import Rejection
from dbarchitect.cli import app
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError
from dbarchitect.model.names import EngineName

ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = {p.parent.name: p for p in sorted((ROOT / "examples").glob("*/brief.yaml"))}
runner = CliRunner()


@pytest.fixture(scope="module")
def shop() -> api.Inspection:
    return api.inspect_brief(EXAMPLES["shop"])


def _check_advice(advice: IndexAdvice) -> None:
    assert advice.cost <= advice.base_cost
    if advice.budget.storage_bytes is not None:
        # The budget counts the net: new indexes less the existing ones they replace.
        assert advice.net_bytes <= advice.budget.storage_bytes * (1 + 1e-9)
    assert advice.size_bytes == pytest.approx(sum(r.size_bytes for r in advice.recommended))
    replaced = sum(f.bytes_saved for f in advice.existing if f.kind == "replaced")
    assert advice.net_bytes == pytest.approx(advice.size_bytes - replaced)
    effects = {e.statement: e for e in advice.statements}
    for rec in advice.recommended:
        assert rec.ddl.startswith("CREATE INDEX") and rec.name in rec.ddl
        assert rec.size_bytes > 0 and rec.size_at_horizon_bytes >= rec.size_bytes
        assert rec.helps or rec.replaces, f"{rec.name} helps no statement and replaces nothing"
        for name, before, after in rec.helps:
            assert after < before
            assert rec.name in effects[name].uses
        if rec.constraint is not None:
            assert rec.index_only, f"{rec.name} has {rec.constraint}'s key but no index-only read"


@pytest.mark.parametrize("example", sorted(EXAMPLES))
@pytest.mark.parametrize("algorithm", list(Algorithm))
def test_every_example_gets_advice_with_its_evidence(example: str, algorithm: Algorithm) -> None:
    advice = api.recommend_indexes(EXAMPLES[example], algorithm=algorithm, time_limit_s=30)
    assert advice.backend == "builtin"
    _check_advice(advice)


def test_advice_is_deterministic(shop: api.Inspection) -> None:
    first = api.recommend_indexes(shop)
    second = api.recommend_indexes(shop)
    assert [r.ddl for r in first.recommended] == [r.ddl for r in second.recommended]
    assert first.cost == second.cost


def test_budget_is_respected_and_less_budget_never_helps_more(shop: api.Inspection) -> None:
    costs = []
    for budget in (20e6, 200e6, 2e9):
        advice = api.recommend_indexes(shop, budget_bytes=budget)
        _check_advice(advice)
        costs.append(advice.cost)
    assert costs[0] >= costs[1] >= costs[2]
    small = api.recommend_indexes(shop, budget_bytes=20e6)
    assert any(reason == Rejection.OVER_BUDGET for _, reason in small.rejected)


def test_no_chosen_index_is_redundant(shop: api.Inspection) -> None:
    advice = api.recommend_indexes(shop)
    chosen = [r.candidate for r in advice.recommended]
    for index in chosen:
        for other in chosen:
            if index is other or index.table != other.table or index.where or other.where:
                continue
            assert other.columns[: index.width] != index.columns or other.include != index.include


def test_budget_smaller_than_any_useful_index(shop: api.Inspection) -> None:
    with pytest.raises(DbarchError, match=r"smaller than every index that would help"):
        api.recommend_indexes(shop, budget_bytes=1000)


def test_recommended_ddl_parses_on_its_engine() -> None:
    for example in ("shop", "saas"):
        advice = api.recommend_indexes(EXAMPLES[example])
        dialect = get_traits(*str(advice.engine).lower().split()).sqlglot_dialect
        for rec in advice.recommended:
            sqlglot.parse_one(rec.ddl, read=dialect)
    saas = api.recommend_indexes(EXAMPLES["saas"])
    assert all(r.ddl.endswith("ALGORITHM=INPLACE LOCK=NONE;") for r in saas.recommended)


def test_design_renders_the_chosen_indexes(tmp_path: Path) -> None:
    design = api.design(EXAMPLES["shop"])
    assert design.index_advice is not None and design.index_advice.recommended
    target = next(s for s in design.schemas if s.is_target)
    for rec in design.index_advice.recommended:
        assert f"INDEX {rec.name} ON" in target.sql
    assert design.embedded_check is not None and design.embedded_check.ok


def test_cli_sql_format_prints_only_ddl() -> None:
    result = runner.invoke(app, ["indexes", str(EXAMPLES["shop"]), "--budget", "500MB", "--format", "sql"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines and all(
        line.startswith("CREATE INDEX CONCURRENTLY ") and line.endswith(";") for line in lines
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--budget", "lots"], "--budget: cannot read size 'lots'"),
        (["--budget", "1kB"], "smaller than every index that would help"),
        (["--time-limit", "0"], "--time-limit"),
        (["--database", "postgresql://app:hunter2@127.0.0.1:1/shop"], "127.0.0.1"),
    ],
)
def test_cli_bad_input_is_one_line_exit_2(args: list[str], message: str) -> None:
    result = runner.invoke(app, ["indexes", str(EXAMPLES["shop"]), *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error:") and message in lines[0]
    assert "hunter2" not in result.output


def test_cli_database_needs_a_postgresql_target() -> None:
    result = runner.invoke(
        app, ["indexes", str(EXAMPLES["saas"]), "--database", "postgresql://x@127.0.0.1:1/d"]
    )
    assert result.exit_code == 2
    assert "needs a PostgreSQL target" in result.output


def _snapshot(url: str) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    with psycopg.connect(url) as conn:
        relations = conn.execute(
            "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' ORDER BY 1"
        ).fetchall()
        rows = conn.execute("SELECT count(*) FROM orders").fetchall()
    return relations, rows


def test_hypopg_advice_on_a_real_database_writes_nothing(pg_has_hypopg: str) -> None:
    inspection = api.inspect_brief(EXAMPLES["shop"])
    with psycopg.connect(pg_has_hypopg, autocommit=True) as conn:
        conn.execute(render_schema(inspection.catalog, get_traits(EngineName.POSTGRESQL, "15")))  # type: ignore[call-overload]
        conn.execute(
            "INSERT INTO customers (email, full_name) SELECT 'c' || g || '@x', 'C' FROM generate_series(1, 2000) g"
        )
        conn.execute(
            "INSERT INTO orders (customer_id, status, currency, subtotal, total) "
            "SELECT 1 + g % 2000, (CASE WHEN g % 50 = 0 THEN 'paid' ELSE 'delivered' END)::order_status, 'EUR', 10, 10 "
            "FROM generate_series(1, 20000) g"
        )
        conn.execute("ANALYZE")
    before = _snapshot(pg_has_hypopg)
    result = runner.invoke(app, ["indexes", str(EXAMPLES["shop"]), "--database", pg_has_hypopg, "-f", "json"])
    assert result.exit_code == 0, result.output
    assert '"backend": "hypopg"' in result.stdout
    assert '"planner_settings"' in result.stdout and '"work_mem"' in result.stdout
    assert _snapshot(pg_has_hypopg) == before


def test_unsized_tables_are_named_in_the_advice(tmp_path: Path) -> None:
    (tmp_path / "schema.sql").write_text("CREATE TABLE t (id bigint PRIMARY KEY, k int, v text);\n")
    (tmp_path / "brief.yaml").write_text(
        "engine: postgresql 15\nschema: {ddl: schema.sql}\n"
        "workload:\n  - {name: q, sql: 'SELECT v FROM t WHERE k = :k', rate: 10/s}\n"
    )
    advice = api.recommend_indexes(tmp_path / "brief.yaml")
    assert any("no row count for t" in note for note in advice.notes)


def test_unanalyzed_tables_are_named_by_the_planner(pg_has_hypopg: str, tmp_path: Path) -> None:
    with psycopg.connect(pg_has_hypopg, autocommit=True) as conn:
        conn.execute("CREATE TABLE t (id bigint PRIMARY KEY, k int, v text)")
    (tmp_path / "brief.yaml").write_text(
        f"engine: postgresql 15\nschema: {{source: '{pg_has_hypopg}'}}\n"
        "workload:\n  - {name: q, sql: 'SELECT v FROM t WHERE k = :k', rate: 10/s}\n"
    )
    advice = api.recommend_indexes(tmp_path / "brief.yaml")
    assert advice.backend == "hypopg"
    assert any("t never analyzed" in note for note in advice.notes)


def test_statements_the_resolver_cannot_take_are_left_out_unless_strict(tmp_path: Path) -> None:
    """Every bad statement is reported at once with its reason and the others are advised on;
    --strict refuses the brief at the first one (exit 2)."""
    (tmp_path / "schema.sql").write_text(
        "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint, total numeric);\n"
    )
    (tmp_path / "brief.yaml").write_text(
        "engine: postgresql 15\nschema: {ddl: schema.sql}\ntables: {orders: {rows: 1M}}\n"
        "workload:\n"
        "  - {name: good, sql: 'SELECT total FROM orders WHERE customer_id = :c', rate: 10/s}\n"
        "  - {name: bad_column, sql: 'SELECT nope FROM orders', rate: 1/s}\n"
        "  - {name: bad_table, sql: 'SELECT 1 FROM nowhere', rate: 1/s}\n"
    )
    advice = api.recommend_indexes(tmp_path / "brief.yaml")
    assert [name for name, _ in advice.left_out] == ["bad_column", "bad_table"]
    assert "names column 'nope'" in dict(advice.left_out)["bad_column"]
    assert [e.statement for e in advice.statements] == ["good"]
    assert [r.candidate.table.value for r in advice.recommended] == ["orders"]
    assert any("2 statement(s) left out" in n for n in advice.notes)
    with pytest.raises(DbarchError, match="names column 'nope'"):
        api.recommend_indexes(tmp_path / "brief.yaml", strict=True)
    result = runner.invoke(app, ["indexes", str(tmp_path / "brief.yaml"), "--strict"])
    assert result.exit_code == 2
    result = runner.invoke(app, ["indexes", str(tmp_path / "brief.yaml"), "-f", "json"])
    assert result.exit_code == 0
    assert [x["statement"] for x in json.loads(result.stdout)["left_out"]] == ["bad_column", "bad_table"]
