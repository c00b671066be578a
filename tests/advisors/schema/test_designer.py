"""The schema designer: keys, relationships, domains, normalization, names — and the DDL runs."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from dbarchitect.advisors.schema.designer import (
    DecisionKind,
    SchemaDesign,
    analyze_normalization,
    choose_key_type,
    design_schema,
)
from dbarchitect.advisors.schema.normalization import NormalForm
from dbarchitect.brief import TableSizeSpec, load_brief, loads_brief
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import BriefError
from dbarchitect.ingest.entities import load_entities
from dbarchitect.model.catalog import ReferentialAction, Table
from dbarchitect.model.names import EngineName
from tests.engine_exec import execute_script

ROOT = Path(__file__).resolve().parents[3]
BLOG = ROOT / "examples" / "blog" / "brief.yaml"
SHOP = Path(__file__).parent / "briefs" / "shop.yaml"
TODAY = date(2026, 1, 1)


def design(path: Path) -> SchemaDesign:
    brief = load_brief(path)
    return design_schema(
        brief,
        get_traits(brief.engine.name, brief.engine.version),
        portable=[get_traits(e.name, e.version) for e in brief.portable_to],
        today=TODAY,
        file=str(path),
    )


def design_text(text: str) -> SchemaDesign:
    brief = loads_brief(text, file="b.yaml")
    return design_schema(brief, get_traits(brief.engine.name), today=TODAY, file="b.yaml")


def table(d: SchemaDesign, name: str) -> Table:
    found = d.catalog.table(name)
    assert found is not None, name
    return found


def choices(d: SchemaDesign, subject: str, kind: DecisionKind) -> list[str]:
    return [x.choice for x in d.decisions if x.subject == subject and x.kind is kind]


# --- key types ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("size", "horizon", "sql_type", "year"),
    [
        (None, 1095, "bigint", None),  # nothing known: bigint
        ({"rows": 5000}, 1095, "bigint", None),  # no growth: an overflow cannot be ruled out
        ({"rows": 0, "growth": "1000000/day"}, 1095, "bigint", 2031),  # 2147 days: inside 2x the horizon
        ({"rows": 0, "growth": "1000000/day"}, 365, "integer", 2031),  # ... but well past a 1-year one
        ({"rows": 0, "growth": "10000000/day"}, 1095, "bigint", 2026),  # 215 days: within the horizon
        ({"rows": 100000, "growth": "100/day"}, 1825, "integer", 60819),
        ({"rows": 1000000, "growth": "10%/month"}, 1095, "integer", 2032),  # 80.5 months
        ({"rows": 3000000000, "growth": "1/day"}, 1095, "bigint", 2026),  # already past 2^31
    ],
)
def test_key_type_from_growth(
    size: dict[str, object] | None, horizon: float, sql_type: str, year: int | None
) -> None:
    spec = TableSizeSpec.model_validate(size) if size is not None else None
    choice = choose_key_type("events", spec, horizon, TODAY)
    assert (choice.sql_type, choice.overflow_year) == (sql_type, year)
    if year is not None and year - TODAY.year <= 1000:
        assert str(year) in choice.reason


# --- the blog example: declared tables are kept, and the DDL runs everywhere ----------------------


def test_blog_design_keeps_declared_schema() -> None:
    d = design(BLOG)
    brief = load_brief(BLOG)
    assert brief.schema_.entities is not None
    plain = load_entities(brief.schema_.entities, brief.engine.name)
    assert [t.name.value for t in d.catalog.tables] == [t.name.value for t in plain.tables]
    for mine, theirs in zip(d.catalog.tables, plain.tables, strict=True):
        assert mine.columns == theirs.columns
        assert mine.primary_key is not None and theirs.primary_key is not None
        assert mine.primary_key.columns == theirs.primary_key.columns
        assert [(f.columns, f.ref_table, f.on_delete) for f in mine.foreign_keys] == [
            (f.columns, f.ref_table, f.on_delete) for f in theirs.foreign_keys
        ]
        assert choices(d, mine.name.value, DecisionKind.KEY)
    # posts grow 3 a day: its declared integer key lasts far beyond the horizon, and the design says so
    (kept,) = choices(d, "posts.id", DecisionKind.KEY_TYPE)
    assert kept == "declared integer identity kept"
    assert all(d.reason for d in d.decisions)


@pytest.mark.parametrize("path", [BLOG, SHOP], ids=["blog", "shop"])
def test_design_ddl_runs_on_sqlite(path: Path) -> None:
    d = design(path)
    conn = sqlite3.connect(":memory:")
    conn.executescript(render_schema(d.catalog, get_traits(EngineName.SQLITE)))
    names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    assert {t.name.value for t in d.catalog.tables} <= names


@pytest.mark.postgres
@pytest.mark.parametrize("path", [BLOG, SHOP], ids=["blog", "shop"])
def test_design_ddl_runs_on_postgresql(path: Path, pg_scratch_db: str) -> None:
    d = design(path)
    created = execute_script(pg_scratch_db, render_schema(d.catalog, get_traits(EngineName.POSTGRESQL, "15")))
    assert {t.name.value.lower() for t in d.catalog.tables} <= created


@pytest.mark.mariadb
@pytest.mark.parametrize("path", [BLOG, SHOP], ids=["blog", "shop"])
def test_design_ddl_runs_on_mariadb(path: Path, mariadb_scratch_db: str) -> None:
    d = design(path)
    created = execute_script(
        mariadb_scratch_db, render_schema(d.catalog, get_traits(EngineName.MARIADB, "10.11"))
    )
    assert {t.name.value.lower() for t in d.catalog.tables} <= created


# --- a designed shop ----------------------------------------------------------------------------


def test_shop_keys() -> None:
    d = design(SHOP)
    customers = table(d, "customers")
    assert customers.primary_key is not None and [c.value for c in customers.primary_key.columns] == ["id"]
    assert customers.column("id").identity  # type: ignore[union-attr]
    assert choices(d, "customers.id", DecisionKind.KEY_TYPE) == ["integer identity"]
    assert choices(d, "categories.id", DecisionKind.KEY_TYPE) == ["bigint identity"]  # unsized
    products = table(d, "products")
    assert products.primary_key is not None and [c.value for c in products.primary_key.columns] == ["sku"]
    assert choices(d, "products", DecisionKind.KEY) == ["natural primary key (sku)"]
    # the identifier stays unique when the key is a surrogate
    assert [[c.value for c in u.columns] for u in customers.uniques] == [["email"]]


def test_shop_relationships() -> None:
    d = design(SHOP)
    orders = table(d, "orders")
    (fk,) = orders.foreign_keys
    assert (fk.ref_table.value, [c.value for c in fk.columns], fk.on_delete) == (
        "customers",
        ["customer_id"],
        ReferentialAction.RESTRICT,
    )
    customer_id = orders.column("customer_id")
    assert customer_id is not None and not customer_id.nullable
    assert customer_id.type == table(d, "customers").column("id").type  # type: ignore[union-attr]
    assert [ix.name.value for ix in orders.indexes] == ["orders_customer_id_idx"]
    # 1:N declared on the parent puts the key on the child, with the declared ON DELETE
    (line_fk,) = table(d, "order_lines").foreign_keys
    assert (line_fk.ref_table.value, line_fk.on_delete) == ("orders", ReferentialAction.CASCADE)
    junction = table(d, "product_categories")
    assert junction.primary_key is not None
    assert [c.value for c in junction.primary_key.columns] == ["product_id", "category_id"]
    assert {(f.ref_table.value, f.on_delete) for f in junction.foreign_keys} == {
        ("products", ReferentialAction.CASCADE),
        ("categories", ReferentialAction.CASCADE),
    }
    assert junction.column("product_id").type == table(d, "products").column("sku").type  # type: ignore[union-attr]
    assert choices(d, "product_categories", DecisionKind.JUNCTION_TABLE)


def test_shop_domains_and_constraint_names() -> None:
    d = design(SHOP)
    products = table(d, "products")
    price = products.column("price")
    assert price is not None and (price.type.precision, price.type.scale) == (19, 4)
    assert {c.name.value: c.expression for c in products.checks if c.name} == {
        "products_price_check": "price >= 0",
        "products_status_check": "status IN ('active', 'retired')",
    }
    assert [f.name.value for f in table(d, "orders").foreign_keys if f.name] == ["orders_customer_id_fkey"]


def test_shop_normalization() -> None:
    d = design(SHOP)
    by_table = {n.table: n for n in d.normalization}
    customers = by_table["customers"]
    assert customers.report.form is NormalForm.SECOND
    assert str(customers.report.violation) == "zip -> city"
    assert customers.synthesis is not None
    assert ("city", "zip") in customers.synthesis.relations and customers.synthesis.lossless
    orders = by_table["orders"]
    assert orders.synthesis is None  # the only violation is declared
    (kept,) = orders.kept
    assert str(kept.dependency) == "customer_id -> customer_name"
    assert "trigger on customers" in kept.cost
    assert choices(d, "orders", DecisionKind.DENORMALIZATION) == ["keep customer_id -> customer_name"]


# --- small briefs ------------------------------------------------------------------------------

PEOPLE = """\
engine: postgresql
schema:
  entities:
    employees:
      columns:
        name: {type: varchar(100), nullable: false}
      relationships:
        - {to: employees, name: manager, optional: true}
        - {to: employees, cardinality: M:N, name: mentorships}
        - {to: badges, cardinality: 1:1}
    badges:
      columns:
        code: varchar(20)
tables:
  employees: {rows: 1B, growth: 5000000/day}
"""


def test_self_reference_one_to_one_and_big_growth() -> None:
    d = design_text(PEOPLE)
    employees = table(d, "employees")
    manager = employees.column("manager_id")
    assert manager is not None and manager.nullable
    fks = {f.columns[0].value: f for f in employees.foreign_keys}
    assert fks["manager_id"].on_delete is ReferentialAction.SET_NULL
    assert fks["badge_id"].on_delete is ReferentialAction.RESTRICT
    assert [[c.value for c in u.columns] for u in employees.uniques] == [["badge_id"]]
    mentorships = table(d, "mentorships")
    assert [c.name.value for c in mentorships.columns] == ["employee_id", "related_employee_id"]
    (key_type,) = [x for x in d.decisions if x.subject == "employees.id" and x.kind is DecisionKind.KEY_TYPE]
    assert key_type.choice == "bigint identity" and "2026" in key_type.reason


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("code: varchar(20)", 'code: varchar(20)\n      functional_dependencies: ["cod -> code"]'),
            "b.yaml: schema.entities.badges.functional_dependencies[0]: dependency 'cod -> code' names 'cod', which is not a column; did you mean 'code'?",
        ),
        (
            ("code: varchar(20)", "code: varchar(20)\n      key: natural"),
            "b.yaml: schema.entities.badges.key: key: natural needs identifiers",
        ),
        (("to: badges", "to: badge"), "unknown entity 'badge'; did you mean 'badges'?"),
        (
            ("        - {to: badges, cardinality: 1:1}", "        - {to: badges}\n        - {to: badges}"),
            "schema.entities.employees.relationships[3]: employees.badge_id already links to badges "
            "(from schema.entities.employees.relationships[2]); if both relationships are meant, give each a name",
        ),
        (
            ("code: varchar(20)", "id: integer"),
            "schema.entities.badges.columns.id: column 'id' exists but is not the primary key",
        ),
    ],
)
def test_bad_entity_briefs(change: tuple[str, str], expected: str) -> None:
    with pytest.raises(BriefError) as info:
        design_text(PEOPLE.replace(*change))
    assert expected in str(info.value)


def test_analyze_normalization_public_entry() -> None:
    result = analyze_normalization(["street", "city", "zip"], ["street, city -> zip", "zip -> city"])
    assert result.report.form is NormalForm.THIRD
    assert result.bcnf is not None and [str(x) for x in result.bcnf.lost] == ["city, street -> zip"]
    kept = analyze_normalization(["id", "zip", "city"], ["id -> zip"], denormalized=["zip -> city"])
    assert kept.synthesis is None and [str(k.dependency) for k in kept.kept] == ["zip -> city"]


def test_wide_table_is_analysed_quickly() -> None:
    columns = "\n".join(f"        c{i}: integer" for i in range(60))
    text = f"""\
engine: postgresql
schema:
  entities:
    wide:
      columns:
        zip: varchar(10)
        city: varchar(80)
{columns}
      functional_dependencies: ["zip -> city"]
"""
    d = design_text(text)
    (analysis,) = d.normalization
    assert analysis.report.form is NormalForm.SECOND
    assert analysis.synthesis is not None and ("city", "zip") in analysis.synthesis.relations


def test_too_many_left_side_attributes_is_reported_not_raised() -> None:
    columns = "\n".join(f"        c{i}: integer" for i in range(24))
    fds = ", ".join(f'"c{i} -> c{i + 1}"' for i in range(23)) + ', "c23 -> c0"'
    text = f"""\
engine: postgresql
schema:
  entities:
    cyclic:
      primary_key: [c0]
      columns:
{columns}
      functional_dependencies: [{fds}]
"""
    d = design_text(text)
    assert choices(d, "cyclic", DecisionKind.NORMAL_FORM) == ["not analysed"]


COURSES = """\
engine: postgresql
schema:
  entities:
    offering:
      primary_key: [course, teacher, book]
      columns:
        course: varchar(20)
        teacher: varchar(40)
        book: varchar(80)
      functional_dependencies: ["course ->> teacher", "course ->> book"]
"""


def test_multivalued_dependencies_give_4nf_proposal() -> None:
    d = design_text(COURSES)
    (analysis,) = d.normalization
    assert analysis.report.form is NormalForm.BCNF
    assert analysis.report.violation is not None and analysis.report.violation.multivalued
    assert choices(d, "offering", DecisionKind.NORMAL_FORM) == ["BCNF"]
    assert analysis.fourth is not None and analysis.fourth.lossless
    assert analysis.fourth.relations == (("book", "course"), ("course", "teacher"))
    assert choices(d, "offering", DecisionKind.DECOMPOSITION) == [
        "4NF: split into (book, course); (course, teacher)"
    ]


def test_reference_to_a_serial_key_is_a_plain_integer() -> None:
    d = design_text(
        """\
engine: postgresql
schema:
  entities:
    authors:
      columns: {id: {type: serial, primary_key: true}, name: text}
    posts:
      columns: {title: text}
      relationships: [{to: authors}]
"""
    )
    author_id = table(d, "posts").column("author_id")
    assert author_id is not None and author_id.type.kind.value == "integer" and not author_id.identity


def test_a_declared_reference_and_a_relationship_make_one_foreign_key() -> None:
    from dbarchitect import api

    brief = (
        Path(__file__).resolve().parents[2]
        / "guardrails/design/cases/nullable-mandatory-foreign-key/good_4.yaml"
    )
    orders = api.inspect_brief(brief).catalog.table("orders")
    assert orders is not None
    assert [(f.columns[0].value, f.on_delete.value) for f in orders.foreign_keys] == [
        ("customer_id", "RESTRICT")
    ]
    column = orders.column("customer_id")
    assert column is not None and not column.nullable
