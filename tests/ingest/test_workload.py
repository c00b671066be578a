"""The workload model: statements in, resolved tables, predicates, joins and writes out.

Cases are data (``workload_cases/cases.yaml`` and ``errors.yaml`` over ``workload_cases/schema.sql``);
the tests below them cover merging, parameter styles, dialects and robustness.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from dbarchitect.errors import DbarchError, SqlError
from dbarchitect.ingest.ddl import load_ddl_file
from dbarchitect.ingest.fingerprint import fingerprint, normalize_sql, prepare_parameters
from dbarchitect.ingest.workload import StatementInput, analyze_statement, build_workload
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import PredicateKind, Slo, Statement, StatementKind
from tests.ingest.workload_cases.facts import statement_facts

CASES_DIR = Path(__file__).parent / "workload_cases"
CASES: list[dict[str, Any]] = yaml.safe_load((CASES_DIR / "cases.yaml").read_text())
ERRORS: list[dict[str, Any]] = yaml.safe_load((CASES_DIR / "errors.yaml").read_text())
ORIGIN = "brief.yaml: workload.statements[0]"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_ddl_file(CASES_DIR / "schema.sql", EngineName.POSTGRESQL)


def analyze(
    catalog: Catalog, sql: str, engine: EngineName = EngineName.POSTGRESQL, name: str = "s"
) -> Statement:
    workload = build_workload([StatementInput(name, sql, 1.0, origin=ORIGIN)], catalog, engine)
    assert len(workload.statements) == 1
    return workload.statements[0]


def test_case_files_are_well_formed() -> None:
    names = [c["name"] for c in CASES] + [c["name"] for c in ERRORS]
    assert len(names) == len(set(names))
    assert len(CASES) >= 40 and len(ERRORS) >= 20


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(catalog: Catalog, case: dict[str, Any]) -> None:
    engine = EngineName(case.get("engine", "postgresql"))
    facts = statement_facts(analyze(catalog, case["sql"], engine))
    expected = set(case["facts"])
    if case.get("partial"):
        assert expected <= facts, sorted(expected - facts)
    else:
        assert facts == expected, (
            f"missing: {sorted(expected - facts)}; unexpected: {sorted(facts - expected)}"
        )
    assert not set(case.get("absent", [])) & facts


@pytest.mark.parametrize("case", ERRORS, ids=[c["name"] for c in ERRORS])
def test_error(catalog: Catalog, case: dict[str, Any]) -> None:
    with pytest.raises(SqlError) as raised:
        analyze(catalog, case["sql"], name=case["name"])
    text = str(raised.value)
    for expected in case["expect"]:
        assert expected in text
    assert text.startswith(f"{ORIGIN}: statement '{case['name']}' ")
    assert "\n" not in text


def test_join_columns_follow_the_joins(catalog: Catalog) -> None:
    statement = analyze(
        catalog,
        "SELECT i.qty FROM orders o JOIN order_items i ON i.order_id = o.id "
        "JOIN products p ON p.id = i.product_id WHERE o.customer_id = 1",
    )
    items = statement.access("order_items")
    orders = statement.access("orders")
    assert items is not None and orders is not None
    assert [c.value for c in items.join_columns] == ["order_id", "product_id"]
    assert [c.value for c in orders.join_columns] == ["id"]
    assert statement.access("customers") is None


def test_tables_in_statement_order_with_the_write_target_first(catalog: Catalog) -> None:
    statement = analyze(
        catalog,
        "INSERT INTO order_items (order_id, line, product_id, qty) "
        "SELECT p.id, 1, p.id, 1 FROM products p JOIN orders o ON o.id = p.id",
    )
    assert [a.table.value for a in statement.tables] == ["order_items", "products", "orders"]
    assert statement.write_target is not None and statement.write_target.table.value == "order_items"
    assert statement.is_write


PARAMETER_STYLES = {
    "named": ("SELECT id FROM orders WHERE customer_id = :cid AND status = :st", ("cid", "st")),
    "pyformat named": (
        "SELECT id FROM orders WHERE customer_id = %(cid)s AND status = %(st)s",
        ("cid", "st"),
    ),
    "pyformat": ("SELECT id FROM orders WHERE customer_id = %s AND status = %s", ()),
    "qmark": ("SELECT id FROM orders WHERE customer_id = ? AND status = ?", ()),
    "numeric": ("SELECT id FROM orders WHERE customer_id = $1 AND status = $2", ("$1", "$2")),
    "literals": ("SELECT id FROM orders WHERE customer_id = 42 AND status = 'paid'", ()),
}


@pytest.mark.parametrize("style", sorted(PARAMETER_STYLES))
def test_parameter_styles(catalog: Catalog, style: str) -> None:
    sql, names = PARAMETER_STYLES[style]
    statement = analyze(catalog, sql)
    assert statement.parameters == names
    orders = statement.access("orders")
    assert orders is not None
    values = {p.column.column.value: p.value for p in orders.predicates}
    if style == "literals":
        assert values == {"customer_id": "42", "status": "paid"}
    else:
        assert values == {"customer_id": "?", "status": "?"}
    # Every style is the same statement.
    reference = analyze(catalog, PARAMETER_STYLES["qmark"][0])
    assert statement.fingerprint == reference.fingerprint
    assert statement.normalized_sql == reference.normalized_sql


def test_pyformat_leaves_percent_signs_in_strings(catalog: Catalog) -> None:
    statement = analyze(catalog, "SELECT id FROM products WHERE name LIKE '%sale%' AND sku = %s")
    products = statement.access("products")
    assert products is not None
    assert {(p.column.column.value, p.value) for p in products.predicates} == {
        ("name", "%sale%"),
        ("sku", "?"),
    }
    doubled = analyze(catalog, "SELECT id FROM products WHERE name LIKE 'ab%%' AND sku = %s")
    doubled_products = doubled.access("products")
    assert doubled_products is not None
    assert ("name", PredicateKind.LIKE_PREFIX, "ab%") in {
        (p.column.column.value, p.kind, p.value) for p in doubled_products.predicates
    }


def test_duplicates_merge_with_summed_rates(catalog: Catalog) -> None:
    items = [
        StatementInput("first", "SELECT id FROM orders WHERE customer_id = 5", 1.5, origin="a"),
        StatementInput("other", "SELECT id FROM customers WHERE email = ?", 2.0, origin="b"),
        StatementInput(
            "again",
            "select  ID from ORDERS where customer_id = :c",
            3.0,
            slo=Slo(p95_ms=10),
            origin="c",
        ),
        StatementInput("more", "SELECT id FROM orders WHERE customer_id = -7", 0.5, origin="d"),
    ]
    workload = build_workload(items, catalog, EngineName.POSTGRESQL)
    assert [s.name for s in workload.statements] == ["first", "other"]
    first = workload.statements[0]
    assert first.rate == pytest.approx(5.0)
    assert first.origin == "a"
    assert first.sql == "SELECT id FROM orders WHERE customer_id = 5"
    assert first.slo == Slo(p95_ms=10)
    assert workload.total_rate == pytest.approx(7.0)
    assert workload.statement("again") is None


def test_distinct_statements_do_not_merge(catalog: Catalog) -> None:
    items = [
        StatementInput("a", "SELECT id FROM orders ORDER BY 1", 1.0),
        StatementInput("b", "SELECT id FROM orders ORDER BY 1 DESC", 1.0),
        StatementInput("c", "SELECT id FROM orders LIMIT 10", 1.0),
        StatementInput("d", "SELECT id FROM orders LIMIT 20", 1.0),
    ]
    workload = build_workload(items, catalog, EngineName.POSTGRESQL)
    assert [s.name for s in workload.statements] == ["a", "b", "c", "d"]
    assert len({s.fingerprint for s in workload.statements}) == 4


def test_statement_text_and_normalized_sql(catalog: Catalog) -> None:
    sql = "  SELECT id FROM orders o WHERE o.status = 'new' AND o.total > 10  "
    statement = analyze(catalog, sql)
    assert statement.sql == sql.strip()
    # The analysis never leaks into the normalized text (computed here independently of it).
    assert statement.normalized_sql == normalize_sql(sql, "postgres")
    assert statement.fingerprint == fingerprint(sql, "postgres")
    assert "'new'" not in statement.normalized_sql and "10" not in statement.normalized_sql


def test_statement_in_its_own_dialect(catalog: Catalog) -> None:
    mysql_text = "SELECT `id` FROM `orders` WHERE `customer_id` = ? AND `status` = 'x'"
    item = StatementInput("log", mysql_text, 2.0, dialect=EngineName.MYSQL)
    statement = analyze_statement(item, catalog, EngineName.POSTGRESQL)
    native = analyze(catalog, 'SELECT "id" FROM "orders" WHERE "customer_id" = $1 AND "status" = \'x\'')
    assert statement.fingerprint == native.fingerprint
    assert statement_facts(statement) - {"params $1"} == statement_facts(native) - {"params $1"}


def test_kinds(catalog: Catalog) -> None:
    kinds = {
        "SELECT 1": StatementKind.SELECT,
        "SELECT id FROM orders FOR UPDATE SKIP LOCKED": StatementKind.SELECT,
        "INSERT INTO products (id, sku, name) VALUES (1, 'a', 'b') ON CONFLICT DO NOTHING": StatementKind.UPSERT,
        "INSERT INTO products (id, sku, name) VALUES (1, 'a', 'b'), (2, 'c', 'd')": StatementKind.INSERT,
        "UPDATE products SET price = price * 2": StatementKind.UPDATE,
        "DELETE FROM products": StatementKind.DELETE,
    }
    for sql, kind in kinds.items():
        assert analyze(catalog, sql).kind == kind, sql


ODD_INPUTS = [
    "SELECT",
    "SELECT * FROM",
    "((((",
    "SELECT 1 FROM orders WHERE",
    "SELECT * FROM orders WHERE id = 1 ORDER BY",
    "SELECT é FROM orders",
    "SELECT * FROM orders o, orders o",
    "SELECT * FROM generate_series(1, 3) g",
    "SELECT id FROM orders WHERE id = ALL(SELECT order_id FROM order_items)",
    "SELECT x.* FROM orders o",
    "SELECT * FROM (SELECT * FROM (SELECT * FROM orders) a) b WHERE b.id IN (SELECT 1 UNION SELECT 2)",
    "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 5) SELECT n FROM r",
    "SELECT id FROM orders WHERE (customer_id, status) IN ((1, 'a'), (2, 'b'))",
    "SELECT json_agg(o) FROM orders o",
    "SELECT id FROM orders WHERE note @@ to_tsquery('x')",
    "VACUUM orders",
    "EXPLAIN SELECT 1",
    "BEGIN",
    "VALUES (1, 2)",
    "SELECT 1 " * 3,
    "SELECT " + "(" * 200 + "1" + ")" * 200,
    "\x00\x01",
    "UPDATE orders SET (status, total) = ('a', 1) WHERE id = 1",
    "UPDATE orders SET total = DEFAULT",
    "INSERT INTO orders SELECT * FROM open_orders",
]


@pytest.mark.parametrize("sql", ODD_INPUTS)
def test_odd_input_gives_a_result_or_a_dbarch_error(catalog: Catalog, sql: str) -> None:
    try:
        statement = analyze(catalog, sql)
    except DbarchError as exc:
        assert "statement 's'" in str(exc)
        return
    for access in statement.tables:
        table = catalog.table(access.table)
        assert table is not None
        columns = {
            *access.columns_read,
            *access.columns_written,
            *(p.column.column for p in access.predicates),
        }
        assert all(table.has_column(c) for c in columns)


def test_empty_workload(catalog: Catalog) -> None:
    assert build_workload([], catalog, EngineName.POSTGRESQL).statements == ()


@pytest.mark.parametrize(
    ("sql", "prepared"),
    [
        ("SELECT 1 FROM t WHERE a LIKE '%sam%'", "SELECT 1 FROM t WHERE a LIKE '%sam%'"),
        (
            "-- it's here\nSELECT 1 FROM t WHERE a LIKE '%sam%'",
            "-- it's here\nSELECT 1 FROM t WHERE a LIKE '%sam%'",
        ),
        ("/* it's */ SELECT %s, %(x)s, 'a%%' FROM t", "/* it's */ SELECT ?, :x, 'a%' FROM t"),
        ('SELECT "50%s" FROM t WHERE a = %s', 'SELECT "50%s" FROM t WHERE a = ?'),
        ("SELECT a %% 2 FROM t WHERE b = %s", "SELECT a % 2 FROM t WHERE b = ?"),
    ],
)
def test_prepare_parameters(sql: str, prepared: str) -> None:
    assert prepare_parameters(sql) == prepared


@pytest.mark.parametrize(
    ("where", "kind", "in_values"),
    [
        ("status IN ('paid', 'packed')", "in", ("paid", "packed")),
        ("status = 'paid' OR status = 'packed'", "in", ("paid", "packed")),
        ("status IN ('paid', 'paid', 'packed') OR status = 'new'", "in", ("paid", "packed", "new")),
        ("status NOT IN ('paid', 'packed')", "not_eq", ("paid", "packed")),
        ("status IN ('paid', :other)", "in", ()),
        ("status IN (:a, :b)", "in", ()),
    ],
)
def test_literal_in_lists_keep_their_values(
    catalog: Catalog, where: str, kind: str, in_values: tuple[str, ...]
) -> None:
    orders = analyze(catalog, f"SELECT id FROM orders WHERE {where}").access("orders")
    assert orders is not None
    (predicate,) = orders.predicates
    assert predicate.kind.value == kind
    assert predicate.in_values == in_values


def test_repeated_in_list_values_count_once(catalog: Catalog) -> None:
    orders = analyze(catalog, "SELECT id FROM orders WHERE status IN ('paid', 'paid')").access("orders")
    assert orders is not None and orders.predicates[0].in_values == ("paid",)


def test_a_cte_read_again_in_a_subquery_is_not_a_second_source(catalog: Catalog) -> None:
    """TPC-DS q01's shape: a CTE the subquery can see but reads under another alias."""
    statement = analyze(
        catalog,
        "WITH w AS (SELECT customer_id, total FROM orders) "
        "SELECT w1.customer_id FROM w w1 WHERE w1.total > (SELECT avg(total) FROM w w2 WHERE w2.customer_id = w1.customer_id)",
    )
    orders = statement.access("orders")
    assert orders is not None
    assert {c.value for c in orders.columns_read} == {"customer_id", "total"}
