"""The single-shard rule, statement by statement (footprint.route)."""

from __future__ import annotations

import pytest

from dbarchitect.advisors.sharding.footprint import route
from dbarchitect.advisors.sharding.layout import Layout, Placement, PlacementKind
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.workload import StatementInput, build_workload
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.workload import Statement

DDL = """\
CREATE TABLE accounts (id bigint PRIMARY KEY, name text);
CREATE TABLE orders (id bigint, account_id bigint NOT NULL, status text, PRIMARY KEY (account_id, id));
CREATE TABLE lines (order_id bigint, account_id bigint NOT NULL, product_id int, qty int);
CREATE TABLE products (id int PRIMARY KEY, name text);
CREATE TABLE audit (id bigint PRIMARY KEY, note text);
"""


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_ddl(DDL, EngineName.POSTGRESQL)


def layout(audit_group: str = "audit") -> Layout:
    def d(table: str, column: str, group: str = "accounts") -> Placement:
        return Placement(Name(table), PlacementKind.DISTRIBUTED, (Name(column),), group)

    return Layout(
        (
            d("accounts", "id"),
            d("orders", "account_id"),
            d("lines", "account_id"),
            Placement(Name("products"), PlacementKind.REFERENCE),
            d("audit", "id", audit_group),
        ),
        16,
    )


def statement(catalog: Catalog, sql: str) -> Statement:
    return build_workload([StatementInput("s", sql, 1.0)], catalog, EngineName.POSTGRESQL).statements[0]


def keys(catalog: Catalog, sql: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    r = route(statement(catalog, sql), layout())
    assert not r.everywhere, (r.fanout, r.broadcast)
    return {(a.table.value, a.key) for a in r.accesses}


def test_equality_pins_the_key(catalog: Catalog) -> None:
    assert keys(catalog, "SELECT status FROM orders WHERE account_id = :acct AND id = :id") == {
        ("orders", (("param", "acct"),))
    }


def test_a_join_carries_the_pin(catalog: Catalog) -> None:
    sql = (
        "SELECT o.status, l.qty, p.name FROM orders o JOIN lines l ON l.account_id = o.account_id "
        "JOIN products p ON p.id = l.product_id WHERE o.account_id = :acct"
    )
    assert keys(catalog, sql) == {("orders", (("param", "acct"),)), ("lines", (("param", "acct"),))}


def test_insert_values_pin_the_row(catalog: Catalog) -> None:
    assert keys(catalog, "INSERT INTO lines (order_id, account_id, qty) VALUES (:o, :acct, 1)") == {
        ("lines", (("param", "acct"),))
    }
    assert keys(catalog, "INSERT INTO orders (id, account_id) VALUES (1, 42)") == {
        ("orders", (("literal", "42"),))
    }


def test_in_list_of_one_pins_and_several_fan_out(catalog: Catalog) -> None:
    assert keys(catalog, "SELECT 1 FROM orders WHERE account_id IN (:acct)") == {
        ("orders", (("param", "acct"),))
    }
    r = route(statement(catalog, "SELECT 1 FROM orders WHERE account_id IN (1, 2, 3)"), layout())
    assert r.fanout == ("orders.account_id is given several values (orders.account_id IN (3 values))",)


@pytest.mark.parametrize(
    ("sql", "reason"),
    [
        ("SELECT status FROM orders WHERE id = :id", "no single value for orders.account_id"),
        ("SELECT count(*) FROM orders", "no single value for orders.account_id"),
        (
            "SELECT 1 FROM orders a JOIN orders b ON b.id = a.id WHERE a.account_id = :x",
            "orders is read 2 times, not all on one orders.account_id",
        ),
    ],
)
def test_unpinned_tables_fan_out(catalog: Catalog, sql: str, reason: str) -> None:
    r = route(statement(catalog, sql), layout())
    assert r.everywhere and reason in r.fanout


def test_a_self_join_on_the_key_stays_pinned(catalog: Catalog) -> None:
    sql = "SELECT 1 FROM orders a JOIN orders b ON b.account_id = a.account_id WHERE a.account_id = :x"
    assert keys(catalog, sql) == {("orders", (("param", "x"),))}


def test_reference_reads_are_local_and_writes_reach_every_node(catalog: Catalog) -> None:
    assert keys(catalog, "SELECT name FROM products WHERE id = :p") == set()
    r = route(statement(catalog, "UPDATE products SET name = :n WHERE id = :p"), layout())
    assert r.broadcast == ("writes reference table products (a copy on every node)",)


def test_updating_the_distribution_column_is_refused(catalog: Catalog) -> None:
    r = route(
        statement(catalog, "UPDATE orders SET account_id = :new WHERE account_id = :old AND id = :id"),
        layout(),
    )
    assert r.refused == ("sets distribution column orders.account_id",)


def test_repartition_joins_are_flagged_when_the_statement_fans_out(catalog: Catalog) -> None:
    r = route(statement(catalog, "SELECT 1 FROM orders o JOIN audit a ON a.id = o.id"), layout())
    assert r.everywhere
    assert r.repartition == ("orders.id = audit.id",)


def test_two_parameters_give_two_keys(catalog: Catalog) -> None:
    sql = "SELECT 1 FROM orders o, lines l WHERE o.account_id = :a AND l.account_id = :b"
    assert keys(catalog, sql) == {("orders", (("param", "a"),)), ("lines", (("param", "b"),))}


def test_anonymous_parameters_are_distinct_values(catalog: Catalog) -> None:
    found = keys(catalog, "SELECT 1 FROM orders o, lines l WHERE o.account_id = ? AND l.account_id = ?")
    assert len({k for _, k in found}) == 2
