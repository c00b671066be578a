"""Candidate generation: column order, covering and partial variants, foreign keys, existing indexes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dbarchitect import api
from dbarchitect.advisors.indexes.candidates import CandidateInfo, generate_candidates
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog, ColumnStats, TableStats
from dbarchitect.model.names import EngineName

DDL = """
CREATE TABLE customers (id bigint PRIMARY KEY, email varchar(200) NOT NULL UNIQUE, country char(2));
CREATE TABLE orders (
    id bigint PRIMARY KEY,
    customer_id bigint NOT NULL REFERENCES customers (id),
    status varchar(20) NOT NULL,
    placed_at timestamptz NOT NULL,
    total numeric(12,2) NOT NULL,
    note text,
    payload jsonb
);
CREATE INDEX orders_customer_idx ON orders (customer_id);
CREATE TABLE payments (id bigint PRIMARY KEY, order_id bigint NOT NULL REFERENCES orders (id), amount numeric(12,2));
CREATE TABLE countries (code char(2) PRIMARY KEY, name text);
"""

STATUS = ColumnStats(
    distinct=7, most_common=(("delivered", 0.9), ("cancelled", 0.05), ("paid", 0.015), ("packed", 0.01))
)


def shop() -> Catalog:
    catalog = load_ddl(DDL, EngineName.POSTGRESQL)
    rows = {"customers": 100_000, "orders": 1_000_000, "payments": 1_100_000, "countries": 30}
    tables = []
    for t in catalog.tables:
        cols = tuple(
            replace(c, stats=STATUS)
            if c.name.value == "status"
            else replace(c, stats=ColumnStats(avg_width=400))
            if c.name.value == "note"
            else c
            for c in t.columns
        )
        tables.append(replace(t, columns=cols, stats=TableStats(rows=rows[t.name.value])))
    return replace(catalog, tables=tuple(tables))


def candidates(
    sqls: dict[str, str], traits: EngineTraits | None = None, catalog: Catalog | None = None
) -> dict[str, CandidateInfo]:
    catalog = catalog or shop()
    workload = build_workload(
        [StatementInput(name, sql, 1.0) for name, sql in sqls.items()], catalog, EngineName.POSTGRESQL
    )
    infos = generate_candidates(workload, catalog, traits or get_traits("postgresql", "15"))
    return {info.candidate.key: info for info in infos}


CASES = [
    # (sql, candidates that must be generated, candidates that must not)
    (
        "SELECT id, total FROM orders WHERE customer_id = $1 AND placed_at >= $2",
        ["orders(customer_id, placed_at)", "orders(customer_id, placed_at) INCLUDE (id, total)"],
        ["orders(customer_id)"],  # the existing orders_customer_idx serves it
    ),
    (
        "SELECT id FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC, id",
        ["orders(customer_id, placed_at, id DESC)"],
        ["orders(customer_id, placed_at DESC, id)"],
    ),
    (
        "SELECT id FROM orders WHERE customer_id = $1 ORDER BY placed_at DESC LIMIT 20",
        ["orders(customer_id, placed_at)", "orders(placed_at)"],
        ["orders(customer_id, placed_at DESC)"],
    ),
    (
        "SELECT id, placed_at FROM orders WHERE status IN ('paid', 'packed') ORDER BY placed_at LIMIT 100",
        [
            "orders(status, placed_at)",
            "orders(placed_at) WHERE status IN ('packed', 'paid')",
        ],
        [],
    ),
    (
        # 'delivered' is 90% of the rows: no partial index for it.
        "SELECT id FROM orders WHERE status = 'delivered' AND placed_at > $1",
        ["orders(status, placed_at)"],
        ["orders(placed_at) WHERE status = 'delivered'"],
    ),
    (
        "SELECT id FROM orders WHERE payload = $1 AND total > $2",
        ["orders(total)"],
        ["orders(payload)", "orders(payload, total)"],
    ),
    (
        "SELECT c.email FROM customers c JOIN orders o ON o.customer_id = c.id WHERE o.status = 'packed'",
        ["orders(status, customer_id)", "orders(customer_id) WHERE status = 'packed'"],
        ["customers(id)"],
    ),
    (
        "SELECT name FROM countries WHERE code = $1",
        [],
        ["countries(code)", "countries(name)"],  # 30 rows: one page, no index pays
    ),
]


@pytest.mark.parametrize(("sql", "wanted", "unwanted"), CASES, ids=[c[0][:60] for c in CASES])
def test_candidates_for_statement(sql: str, wanted: list[str], unwanted: list[str]) -> None:
    found = candidates({"s": sql})
    for key in wanted:
        assert key in found, f"{key} missing; got {sorted(found)}"
    for key in unwanted:
        assert key not in found


def test_identical_candidates_merge_statements_and_reasons() -> None:
    found = candidates(
        {
            "by_date": "SELECT id FROM orders WHERE placed_at >= $1",
            "latest": "SELECT id FROM orders ORDER BY placed_at LIMIT 10",
        }
    )
    info = found["orders(placed_at)"]
    assert info.statements == ("by_date", "latest")
    assert len(info.reasons) == 2


def test_foreign_key_backing_for_parent_deletes() -> None:
    found = candidates({"purge": "DELETE FROM orders WHERE id = $1"})
    info = found["payments(order_id)"]
    assert any("foreign key" in r for r in info.reasons)
    # customers -> orders already has orders_customer_idx.
    assert "orders(customer_id)" not in candidates({"gdpr": "DELETE FROM customers WHERE id = $1"})


def test_engines_without_include_or_partial_indexes() -> None:
    sql = "SELECT id, total FROM orders WHERE status IN ('paid', 'packed') AND placed_at >= $1"
    mysql = candidates({"s": sql}, get_traits("mysql", "8.0"))
    assert not any(c.candidate.include or c.candidate.where for c in mysql.values())
    # Covering as trailing keys instead of INCLUDE; InnoDB's index entries hold the primary key (id)
    # already, so it is not added, and the built-in model reads id from the index too.
    assert "orders(status, placed_at, total)" in mysql
    assert not any("id" in [c.value for c in info.candidate.columns] for info in mysql.values())
    postgres = candidates({"s": sql})
    assert "orders(status, placed_at) INCLUDE (id, total)" in postgres
    # SQLite's entries hold the rowid: a bigint primary key is not its alias (only INTEGER is), so id
    # is added; declared INTEGER, it is the rowid and is not
    sqlite = get_traits("sqlite")
    assert "orders(status, placed_at, id, total)" in candidates({"s": sql}, sqlite)
    rowid = load_ddl(
        DDL.replace("id bigint PRIMARY KEY,\n    customer_id", "id integer PRIMARY KEY,\n    customer_id"),
        EngineName.POSTGRESQL,
    )
    assert "orders(status, placed_at, total)" in candidates({"s": sql}, sqlite, rowid)


def test_wide_rows_only_get_narrow_covering_variants() -> None:
    found = candidates({"s": "SELECT id, note FROM orders WHERE placed_at >= $1"})
    assert "orders(placed_at)" in found
    assert not any("INCLUDE" in key and "note" in key for key in found)


@pytest.fixture(scope="module")
def tpch() -> api.Inspection:
    return api.inspect_brief("examples/tpch/brief.yaml")


def test_tpch_count_is_sane_and_deterministic(tpch: api.Inspection) -> None:
    first = generate_candidates(tpch.workload, tpch.catalog, tpch.traits)
    again = generate_candidates(tpch.workload, tpch.catalog, tpch.traits)
    assert first == again
    assert 50 <= len(first) <= 400
    keys = [c.candidate.key for c in first]
    assert len(keys) == len(set(keys))
    # Primary keys are recognized: nothing an existing key already serves.
    assert "lineitem(l_orderkey)" not in keys
    assert "orders(o_orderkey)" not in keys
    assert all(c.candidate.width <= 4 for c in first)
    # Tiny tables (nation, region) get nothing.
    assert not any(c.candidate.table.value in ("nation", "region") for c in first)
    # Covering candidates for the scans of lineitem exist (what gets TPC-H below 0.65).
    assert any(c.candidate.table.value == "lineitem" and c.candidate.include for c in first)


@pytest.mark.parametrize("example", ["shop", "saas", "iot", "blog"])
def test_examples_generate_candidates_for_their_statements(example: str) -> None:
    insp = api.inspect_brief(f"examples/{example}/brief.yaml")
    infos = generate_candidates(insp.workload, insp.catalog, insp.traits)
    assert infos
    names = {s.name for s in insp.workload.statements}
    assert all(set(i.statements) <= names and i.reasons for i in infos)


def test_candidates_sort_whether_partial_or_not() -> None:
    from dbarchitect.advisors.indexes.candidates import IndexCandidate as C
    from dbarchitect.model.names import Name as N

    partial = C(N("orders"), (N("placed_at"),), where="status = 'paid'")
    full = C(N("orders"), (N("placed_at"),))
    other = C(N("customers"), (N("email"),))
    assert sorted([partial, full, other]) == [other, full, partial]


def test_an_existing_index_with_other_directions_serves_an_ascending_candidate() -> None:
    from dbarchitect.advisors.indexes.candidates import IndexCandidate as C
    from dbarchitect.advisors.indexes.candidates import served_by
    from dbarchitect.model.catalog import Index, IndexKey
    from dbarchitect.model.names import Name as N

    existing = Index(
        N("orders_customer_placed_idx"),
        (IndexKey(column=N("customer_id")), IndexKey(column=N("placed_at"), descending=True)),
    )
    assert served_by(C(N("orders"), (N("customer_id"), N("placed_at"))), existing)
    mixed = C(N("orders"), (N("customer_id"), N("placed_at")), descending=(False, False))
    assert served_by(mixed, existing)
    needs_mixed = C(N("orders"), (N("status"), N("placed_at")), descending=(False, True))
    other = Index(N("o"), (IndexKey(column=N("status")), IndexKey(column=N("placed_at"))))
    assert not served_by(needs_mixed, other)


def test_native_types_get_a_btree_only_with_a_btree_operator_class() -> None:
    catalog = load_ddl(
        "CREATE TABLE hits (id bigint PRIMARY KEY, client inet, doc xml, at point, n integer);",
        EngineName.POSTGRESQL,
    )
    catalog = replace(
        catalog, tables=tuple(replace(t, stats=TableStats(rows=1_000_000)) for t in catalog.tables)
    )
    found = candidates(
        {
            "by_client": "SELECT id FROM hits WHERE client = $1 AND n > $2",
            "by_doc": "SELECT id FROM hits WHERE doc = $1 AND n > $2",
            "by_point": "SELECT id FROM hits WHERE at = $1 AND n > $2",
        },
        catalog=catalog,
    )
    assert "hits(client, n)" in found
    # keys only: an INCLUDE column needs no operator class
    keys = {c.value for info in found.values() for c in info.candidate.columns}
    assert "client" in keys and not keys & {"doc", "at"}
