"""Candidates beyond plain-column B-trees (advisors/indexes/methods.py and the built-in model's rules):
expression indexes, GIN, BRIN, hash, join-key-first composites for per-key LIMITs, and partial
predicates written as the statement writes them where the engine needs it (SQLite)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from dbarchitect import api
from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.indexes.candidates import (
    IndexCandidate,
    generate_candidates,
    literal_predicate_sql,
    served_by,
    where_implied,
)
from dbarchitect.advisors.indexes.methods import workload_terms
from dbarchitect.engines.registry import get_traits
from dbarchitect.model.catalog import Index, IndexKey
from dbarchitect.model.names import Name
from dbarchitect.model.workload import ColumnRef, Predicate, PredicateKind
from tests.advisors.indexes.fake_cost import make_table

BRIEF = Path(__file__).parent / "methods" / "brief.yaml"


@pytest.fixture(scope="module")
def advice() -> IndexAdvice:
    return api.recommend_indexes(BRIEF)


def _by_key(advice: IndexAdvice) -> dict[str, str]:
    return {r.candidate.key: r.name for r in advice.recommended}


def test_terms_read_from_the_sql() -> None:
    inspection = api.inspect_brief(BRIEF)
    terms = workload_terms(inspection.workload, inspection.catalog, inspection.traits.sqlglot_dialect)
    login = terms["login"].expressions
    assert [(t.table.value, t.column.value, t.expression, t.kind) for t in login] == [
        ("customers", "email", "lower(email)", "eq")
    ]
    (per_key,) = terms["latest_locations"].per_key
    assert (per_key.table.value, per_key.column.value, per_key.limit) == ("driver_locations", "driver_id", 1)
    assert [(c.value, d) for c, d in per_key.order] == [("recorded_at", True)]
    kinds = {(o.column.value, o.kind) for o in terms["tagged"].operators}
    assert kinds == {("tags", "overlap"), ("profile", "contains")}
    assert "monthly_events" not in terms  # plain ranges are the workload model's own


def test_expression_index_for_a_function_of_a_column(advice: IndexAdvice) -> None:
    keys = _by_key(advice)
    assert (
        "customers(lower(email))" in keys or "customers(lower(email)) INCLUDE (email, full_name, id)" in keys
    )
    login = next(e for e in advice.statements if e.statement == "login")
    assert login.after < login.before / 100
    sql = next(r.ddl for r in advice.recommended if r.candidate.expressions)
    assert "((LOWER(EMAIL)))" in sql.upper()


def test_latest_row_per_key_gets_join_key_then_order(advice: IndexAdvice) -> None:
    assert "driver_locations(driver_id, recorded_at)" in _by_key(advice)
    assert "driver_locations(recorded_at)" not in _by_key(advice)


def test_brin_for_an_append_only_time_column(advice: IndexAdvice) -> None:
    rec = next(r for r in advice.recommended if r.candidate.table.value == "events")
    assert rec.candidate.method == "brin"
    assert rec.size_bytes < 10 * 1024**2  # a few MB for a billion rows, where a B-tree takes tens of GB
    assert "USING brin" in rec.ddl
    assert any("correlation" in reason for reason in rec.reasons)
    assert rec.checked_by == "built-in model's BRIN rule"


def test_gin_for_array_overlap(advice: IndexAdvice) -> None:
    gin = [r for r in advice.recommended if r.candidate.method == "gin"]
    assert gin and all(r.checked_by == "built-in model's GIN rule" for r in gin)
    assert {r.candidate.columns[0].value for r in gin} <= {"tags", "profile"}


def test_methods_the_backend_cannot_judge_are_not_generated() -> None:
    inspection = api.inspect_brief(BRIEF)
    terms = workload_terms(inspection.workload, inspection.catalog, inspection.traits.sqlglot_dialect)
    hypopg = generate_candidates(
        inspection.workload,
        inspection.catalog,
        inspection.traits,
        methods=frozenset({"btree", "brin", "hash"}),
        terms=terms,
    )
    methods = {i.candidate.method for i in hypopg}
    assert "gin" not in methods and "brin" in methods
    plain = generate_candidates(inspection.workload, inspection.catalog, inspection.traits)
    assert {i.candidate.method for i in plain} == {None}


def test_an_existing_expression_index_serves_the_candidate() -> None:
    candidate = IndexCandidate(Name("customers"), (Name("email"),), expressions=("lower(email)",))
    existing = Index(Name("c_email"), (IndexKey(expression="LOWER( email )"),))
    assert served_by(candidate, existing)
    assert not served_by(candidate, Index(Name("c_email2"), (IndexKey(column=Name("email")),)))
    brin = IndexCandidate(Name("events"), (Name("at"),), method="brin")
    assert served_by(brin, Index(Name("e_at"), (IndexKey(column=Name("at")),)))
    assert not served_by(brin, Index(Name("e_other"), (IndexKey(column=Name("other")),)))


def test_partial_predicate_as_written_for_sqlite() -> None:
    table = make_table("orders")
    ref = ColumnRef(Name("orders"), Name("a"))
    p = Predicate(ref, PredicateKind.IN, "IN", None, 2, ("'paid'", "'packed'"))
    assert literal_predicate_sql(table, p) == "a IN ('packed', 'paid')"
    assert literal_predicate_sql(table, p, as_written=True) == "a IN ('paid', 'packed')"
    assert where_implied("a IN ('packed', 'paid')", table, (p,))
    assert not where_implied("a IN ('packed', 'paid')", table, (p,), as_written=True)
    assert where_implied("a IN ('paid', 'packed')", table, (p,), as_written=True)
    assert get_traits("sqlite").features.partial_index_terms_as_written
    assert not get_traits("postgresql").features.partial_index_terms_as_written


def test_sqlite_partial_index_uses_the_statements_term_order(tmp_path: Path) -> None:
    brief = BRIEF.read_text().replace("engine: postgresql 15", "engine: sqlite")
    (tmp_path / "brief.yaml").write_text(brief)
    (tmp_path / "schema.sql").write_text((BRIEF.parent / "schema.sql").read_text())
    advice = api.recommend_indexes(tmp_path / "brief.yaml")
    partial = [r for r in advice.recommended if r.candidate.where]
    assert partial and all(r.candidate.where == "status IN ('paid', 'packed')" for r in partial)


def test_hypopg_plans_expression_brin_and_per_key_candidates(pg_has_hypopg: str) -> None:
    with psycopg.connect(pg_has_hypopg, autocommit=True) as conn:
        conn.execute((BRIEF.parent / "schema.sql").read_text())
        conn.execute(
            "INSERT INTO customers (email, full_name) SELECT 'U' || g || '@x.org', 'n' || g "
            "FROM generate_series(1, 20000) g"
        )
        conn.execute(
            "INSERT INTO drivers (city_id, name) SELECT g % 300, 'd' FROM generate_series(1, 3000) g"
        )
        conn.execute(
            "INSERT INTO driver_locations (driver_id, recorded_at, lat, lng) SELECT 1 + g % 3000, "
            "timestamptz '2025-01-01' + g * interval '1 second', 0, 0 FROM generate_series(1, 60000) g"
        )
        conn.execute(
            "INSERT INTO events (device_id, occurred_at, value) SELECT g % 100, "
            "timestamptz '2025-11-01' + g * interval '10 second', 1 FROM generate_series(1, 60000) g"
        )
        conn.execute("ANALYZE")
    advice = api.recommend_indexes(BRIEF, database=pg_has_hypopg)
    keys = _by_key(advice)
    assert any(k.startswith("customers(lower(email))") for k in keys)
    assert "driver_locations(driver_id, recorded_at)" in keys
    assert not [r for r in advice.recommended if r.candidate.method == "gin"]
    # With room for nothing else, the BRIN index (planned by HypoPG) serves the range.
    tight = api.recommend_indexes(BRIEF, database=pg_has_hypopg, budget_bytes=64 * 1024)
    assert [r.candidate.method for r in tight.recommended if r.candidate.table.value == "events"] == ["brin"]


def test_expression_siblings_merge_and_keep_their_expression() -> None:
    from dbarchitect.advisors.indexes.hygiene import are_siblings, candidate_shape, constraint_prefix, merged

    plain = IndexCandidate(Name("customers"), (Name("email"),), expressions=("lower(email)",))
    covering = IndexCandidate(
        Name("customers"), (Name("email"),), include=(Name("full_name"),), expressions=("lower(email)",)
    )
    column = IndexCandidate(Name("customers"), (Name("email"),))
    assert are_siblings(candidate_shape(plain), candidate_shape(covering))
    assert not are_siblings(candidate_shape(plain), candidate_shape(column))
    both = merged(plain, covering)
    assert both is not None and both.expressions == ("lower(email)",) and both.include == (Name("full_name"),)
    brin = IndexCandidate(Name("customers"), (Name("email"),), method="brin")
    assert not are_siblings(candidate_shape(brin), candidate_shape(column))
    table = make_table("customers")
    on_pk = IndexCandidate(Name("customers"), (Name("id"),), expressions=("abs(id)",))
    assert constraint_prefix(on_pk, table) is None
