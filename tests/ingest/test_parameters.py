"""A statement's parameters tied to the columns they are compared with, and bound as literals."""

from __future__ import annotations

import pytest

from dbarchitect.errors import SqlError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.ingest.parameters import (
    ParameterRole,
    bind_parameters_sql,
    every_parameter_use,
    parameter_uses,
)
from dbarchitect.model.names import EngineName

PG = EngineName.POSTGRESQL
CATALOG = load_ddl(
    "CREATE TABLE t (id bigint PRIMARY KEY, at timestamptz NOT NULL, kind text, n int);"
    "CREATE TABLE u (id bigint PRIMARY KEY, t_id bigint REFERENCES t (id), name text);",
    PG,
)


def roles(sql: str) -> list[tuple[str, str, str | None]]:
    return [
        (u.name, u.role.value, str(u.column) if u.column else None) for u in parameter_uses(sql, PG, CATALOG)
    ]


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "SELECT * FROM t WHERE id = :id AND at >= :lo AND at < :hi",
            [("id", "eq", "t.id"), ("lo", "lower", "t.at"), ("hi", "upper", "t.at")],
        ),
        ("SELECT * FROM t WHERE :lo <= at AND :hi > at", [("lo", "lower", "t.at"), ("hi", "upper", "t.at")]),
        ("SELECT * FROM t x WHERE x.at BETWEEN :a AND :b", [("a", "lower", "t.at"), ("b", "upper", "t.at")]),
        (
            "SELECT * FROM t WHERE kind IN (:k1, :k2) LIMIT :n OFFSET :o",
            [("k1", "in", "t.kind"), ("k2", "in", "t.kind"), ("n", "limit", None), ("o", "offset", None)],
        ),
        ("INSERT INTO t (id, at) VALUES (:id, :at)", [("id", "value", "t.id"), ("at", "value", "t.at")]),
        ("UPDATE t SET n = :n WHERE id = :id", [("n", "value", "t.n"), ("id", "eq", "t.id")]),
        ("SELECT * FROM u JOIN t ON t.id = u.t_id WHERE u.name LIKE :p", [("p", "like", "u.name")]),
        ("SELECT * FROM t WHERE id = $1", [("p1", "eq", "t.id")]),
    ],
)
def test_roles(sql: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert set(expected) <= set(roles(sql))


def test_binding_writes_literals_and_leaves_others() -> None:
    sql = "SELECT * FROM t WHERE id = :id AND at >= :since AND kind = :kind AND n < :n"
    bound = bind_parameters_sql(
        sql, PG, {"id": 7, "since": "2025-12-01 00:00:00+00", "kind": "it's", "n": True}
    )
    assert bound == (
        "SELECT * FROM t WHERE id = 7 AND at >= '2025-12-01 00:00:00+00' AND kind = 'it''s' AND n < TRUE"
    )
    partial = bind_parameters_sql(sql, PG, {"id": None})
    # Parameters without a value stay parameters (in the engine's own style).
    assert partial == "SELECT * FROM t WHERE id = NULL AND at >= %(since)s AND kind = %(kind)s AND n < %(n)s"


def test_bad_sql_is_a_sql_error() -> None:
    with pytest.raises(SqlError):
        parameter_uses("SELECT * FROM (", PG, CATALOG)
    assert ParameterRole.EQ.value == "eq"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # each place a parameter stands, with its column and whether the value is of the column's type
        (
            "SELECT * FROM t WHERE kind = :x OR at > :x",
            [("x", "eq", "t.kind", True), ("x", "lower", "t.at", True)],
        ),
        (
            "SELECT * FROM t WHERE at > :since - interval '1 day' AND n = (:m + 1)",
            [("since", "lower", "t.at", True), ("m", "eq", "t.n", True)],
        ),
        (
            "SELECT * FROM t WHERE at > now() - :h * interval '1 hour' AND n = CAST(:c AS int) AND n < 2 * :k",
            [("h", "lower", "t.at", False), ("c", "eq", "t.n", False), ("k", "upper", "t.n", False)],
        ),
        (
            "UPDATE t SET n = n + :d WHERE id = :id",
            [("d", "value", "t.n", False), ("id", "eq", "t.id", True)],
        ),
        (
            "SELECT * FROM t WHERE kind LIKE :p LIMIT :n",
            [("n", "limit", None, True), ("p", "like", "t.kind", False)],  # the parse tree's order
        ),
    ],
)
def test_every_use_of_a_parameter_and_whether_it_has_the_column_type(
    sql: str, expected: list[tuple[str, str, str | None, bool]]
) -> None:
    uses = every_parameter_use(sql, PG, CATALOG)
    assert [(u.name, u.role.value, str(u.column) if u.column else None, u.typed) for u in uses] == expected
