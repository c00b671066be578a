"""Which parameter a predicate compares with, and what an INSERT ... VALUES writes into each column:
what the sharding advisor reads to know that two statements of a transaction pin the same key value."""

from __future__ import annotations

from pathlib import Path

import pytest

from dbarchitect.ingest.ddl import load_ddl_file
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Predicate, PredicateKind, Statement

CASES_DIR = Path(__file__).parent / "workload_cases"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_ddl_file(CASES_DIR / "schema.sql", EngineName.POSTGRESQL)


def analyze(catalog: Catalog, sql: str, engine: EngineName = EngineName.POSTGRESQL) -> Statement:
    return build_workload([StatementInput("s", sql, 1.0)], catalog, engine).statements[0]


def bindings(predicates: tuple[Predicate, ...]) -> set[tuple[str, str, str | None, str | None, int]]:
    return {(str(p.column), p.kind.value, p.value, p.parameter, p.values) for p in predicates}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT id FROM orders WHERE customer_id = :cid AND status = 'new'",
            {("orders.customer_id", "eq", "?", "cid", 1), ("orders.status", "eq", "new", None, 1)},
        ),
        ("SELECT id FROM orders WHERE :cid = customer_id", {("orders.customer_id", "eq", "?", "cid", 1)}),
        ("SELECT id FROM orders WHERE customer_id = $2", {("orders.customer_id", "eq", "?", "$2", 1)}),
        ("SELECT id FROM orders WHERE customer_id = ?", {("orders.customer_id", "eq", "?", None, 1)}),
        ("SELECT id FROM orders WHERE customer_id IN (:one)", {("orders.customer_id", "in", "?", "one", 1)}),
        (
            "SELECT id FROM orders WHERE customer_id IN (:a, :b)",
            {("orders.customer_id", "in", None, None, 2)},
        ),
        ("SELECT id FROM orders WHERE customer_id > :low", {("orders.customer_id", "range", "?", "low", 1)}),
        ("UPDATE orders SET status = :s WHERE id = :id", {("orders.id", "eq", "?", "id", 1)}),
    ],
)
def test_predicates_name_their_parameter(
    catalog: Catalog, sql: str, expected: set[tuple[object, ...]]
) -> None:
    statement = analyze(catalog, sql)
    assert bindings(statement.tables[0].predicates) == expected


def test_pyformat_parameters_keep_their_names(catalog: Catalog) -> None:
    statement = analyze(catalog, "SELECT id FROM orders WHERE customer_id = %(cid)s", EngineName.MYSQL)
    assert bindings(statement.tables[0].predicates) == {("orders.customer_id", "eq", "?", "cid", 1)}


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "INSERT INTO orders (customer_id, status) VALUES (:cid, 'new')",
            {("orders.customer_id", "eq", "?", "cid", 1), ("orders.status", "eq", "new", None, 1)},
        ),
        (  # the same parameter in every row is one value; every ? is a value of its own
            "INSERT INTO orders (customer_id, status) VALUES (:cid, ?), (:cid, ?)",
            {("orders.customer_id", "eq", "?", "cid", 1), ("orders.status", "in", None, None, 2)},
        ),
        (
            "INSERT INTO orders (customer_id, status) VALUES (1, 'a'), (2, 'a')",
            {("orders.customer_id", "in", None, None, 2), ("orders.status", "eq", "a", None, 1)},
        ),
        (  # an expression leaves the column out
            "INSERT INTO orders (customer_id, status) VALUES (:cid + 1, 'a')",
            {("orders.status", "eq", "a", None, 1)},
        ),
        (
            "INSERT INTO orders (customer_id, status) VALUES (:cid, 'a') ON CONFLICT (id) DO NOTHING",
            {("orders.customer_id", "eq", "?", "cid", 1), ("orders.status", "eq", "a", None, 1)},
        ),
        ("INSERT INTO orders (customer_id, status) SELECT id, 'a' FROM customers", set()),
    ],
)
def test_inserted_values(catalog: Catalog, sql: str, expected: set[tuple[object, ...]]) -> None:
    statement = analyze(catalog, sql)
    target = statement.write_target
    assert target is not None
    assert bindings(target.inserted_values) == expected
    assert not any(p.kind == PredicateKind.EQ and p.parameter == "cid" for p in target.predicates)


def test_insert_without_column_list_binds_every_column_in_order(catalog: Catalog) -> None:
    table = catalog.table("customers")
    assert table is not None
    values = ", ".join(f":p{i}" for i in range(len(table.columns)))
    statement = analyze(catalog, f"INSERT INTO customers VALUES ({values})")
    target = statement.write_target
    assert target is not None
    assert [(p.column.column.value, p.parameter) for p in target.inserted_values] == [
        (c.name.value, f"p{i}") for i, c in enumerate(table.columns)
    ]
