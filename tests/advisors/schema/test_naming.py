"""Naming conventions: snake_case, plural/singular, constraint names within identifier limits."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dbarchitect.advisors.schema.naming import Naming, fit, plural, singular, snake_case


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("OrderItem", "order_item"),
        ("order-item", "order_item"),
        ("HTTPRequest", "http_request"),
        ("customerID", "customer_id"),
    ],
)
def test_snake_case(name: str, expected: str) -> None:
    assert snake_case(name) == expected


@pytest.mark.parametrize(
    ("one", "many"),
    [
        ("customer", "customers"),
        ("category", "categories"),
        ("address", "addresses"),
        ("box", "boxes"),
        ("order_item", "order_items"),
        ("person", "people"),
        ("status", "statuses"),
        ("key", "keys"),
    ],
)
def test_plural_and_singular(one: str, many: str) -> None:
    assert plural(one) == many
    assert singular(many) == one


def test_table_conventions() -> None:
    assert Naming(tables="plural").table("OrderItem") == "order_items"
    assert Naming(tables="singular").table("categories") == "category"
    assert Naming().table("OrderItem") == "OrderItem"  # as declared


def test_key_and_foreign_key_columns() -> None:
    assert Naming().key_column("customers") == "id"
    assert Naming(primary_key="table_id").key_column("customers") == "customer_id"
    assert Naming().foreign_key_column("customers", "id", None, 1) == "customer_id"
    assert Naming().foreign_key_column("employees", "id", "manager", 1) == "manager_id"
    assert Naming().foreign_key_column("flights", "number", None, 2) == "flight_number"
    assert Naming(foreign_key_suffix="_fk").foreign_key_column("users", "id", None, 1) == "user_fk"


def test_constraint_names() -> None:
    naming = Naming(max_length=63)
    assert naming.constraint("posts", [], "pkey") == "posts_pkey"
    assert naming.constraint("posts", ["author_id"], "fkey") == "posts_author_id_fkey"
    long = naming.constraint("a" * 40, ["b" * 30], "key")
    assert len(long) == 63
    assert long != naming.constraint("a" * 40, ["b" * 29 + "c"], "key")


@given(st.text(alphabet="abc_", min_size=1, max_size=200), st.integers(min_value=10, max_value=128))
def test_fit_respects_limit_and_keeps_short_names(name: str, limit: int) -> None:
    fitted = fit(name, limit)
    assert len(fitted) <= limit
    if len(name) <= limit:
        assert fitted == name
