"""Inline entities -> catalog, with every reference checked."""

from __future__ import annotations

import pytest

from dbarchitect.brief import loads_brief
from dbarchitect.errors import BriefError
from dbarchitect.ingest.entities import load_entities
from dbarchitect.model.catalog import DefaultKind, ReferentialAction
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import TypeKind

ENTITIES = """\
engine: postgresql 15
schema:
  entities:
    authors:
      columns:
        id: {type: bigint, identity: true, primary_key: true}
        email: {type: varchar(255), nullable: false, unique: true}
        created_at: {type: timestamptz, nullable: false, default: CURRENT_TIMESTAMP}
    posts:
      columns:
        id: {type: bigint, identity: true}
        author_id: {type: bigint, nullable: false, references: authors, on_delete: cascade}
        title: {type: varchar(200), nullable: false}
        status: {type: varchar(12), nullable: false, default: draft, check: "status IN ('draft', 'published')"}
        price: numeric(10,2)
        published_at: timestamptz
      primary_key: [id]
      unique: [[author_id, title]]
      indexes:
        - {columns: [author_id, published_at desc], where: "status = 'published'"}
"""


def catalog(text: str = ENTITIES):  # type: ignore[no-untyped-def]
    brief = loads_brief(text, file="b.yaml")
    assert brief.schema_.entities is not None
    return load_entities(brief.schema_.entities, EngineName.POSTGRESQL, file="b.yaml")


def test_entities_become_tables() -> None:
    cat = catalog()
    authors, posts = cat.tables
    assert authors.primary_key is not None and [c.value for c in authors.primary_key.columns] == ["id"]
    assert authors.column("id").identity  # type: ignore[union-attr]
    assert [[c.value for c in u.columns] for u in authors.uniques] == [["email"]]
    created = authors.column("created_at")
    assert created is not None and created.default is not None
    assert created.default.kind is DefaultKind.CURRENT_TIMESTAMP
    assert created.type.kind is TypeKind.TIMESTAMPTZ and not created.nullable

    fk = posts.foreign_keys[0]
    assert (fk.ref_table.value, [c.value for c in fk.ref_columns]) == ("authors", ["id"])
    assert fk.on_delete is ReferentialAction.CASCADE
    price = posts.column("price")
    assert price is not None and (price.type.kind, price.type.precision, price.type.scale) == (
        TypeKind.DECIMAL,
        10,
        2,
    )
    status = posts.column("status")
    assert status is not None and status.default is not None
    assert (status.default.kind, status.default.value) == (DefaultKind.STRING, "draft")
    assert posts.checks[0].expression == "status IN ('draft', 'published')"
    (index,) = posts.indexes
    assert [(k.column.value if k.column else None, k.descending) for k in index.keys] == [
        ("author_id", False),
        ("published_at", True),
    ]
    assert index.where == "status = 'published'"
    assert posts.column("id").nullable is False  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("references: authors", "references: author"),
            "references unknown entity 'author'; did you mean 'authors'?",
        ),
        (
            ("references: authors", "references: authors(idd)"),
            "entity 'authors' has no column 'idd'; did you mean 'id'?",
        ),
        (
            ("primary_key: [id]", "primary_key: [ids]"),
            "schema.entities.posts.primary_key: entity 'posts' has no column 'ids'",
        ),
        (("on_delete: cascade", "on_delete: explode"), "unknown referential action 'explode'"),
        (("price: numeric(10,2)", "price: moneybags"), "schema.entities.posts.columns.price.type"),
    ],
)
def test_bad_entities(change: tuple[str, str], expected: str) -> None:
    with pytest.raises(BriefError) as info:
        catalog(ENTITIES.replace(*change))
    assert expected in str(info.value)
    assert str(info.value).startswith("b.yaml: ")


DOMAINS = """\
engine: postgresql 15
schema:
  entities:
    accounts:
      columns:
        id: {type: bigint, identity: true, primary_key: true}
        email: {type: email, nullable: false}
        balance: {type: money, nullable: false, min: 0}
        fee: money(12,2)
        discount: {type: percent}
        plan: {type: enum, values: [free, pro, team]}
        level: {type: enum, values: [1, 2, 3]}
        age: {type: integer, min: 18, max: 130}
        score: {type: integer, max: 10}
        tenant: {type: varchar(40)}
        handle: {type: varchar(40)}
      identifiers: [[tenant, handle], [email]]
"""


@pytest.mark.parametrize(
    ("column", "kind", "precision", "scale"),
    [
        ("balance", TypeKind.DECIMAL, 19, 4),
        ("fee", TypeKind.DECIMAL, 12, 2),
        ("discount", TypeKind.DECIMAL, 5, 2),
        ("email", TypeKind.VARCHAR, None, None),
        ("plan", TypeKind.VARCHAR, None, None),
        ("level", TypeKind.INTEGER, None, None),
    ],
)
def test_domain_types(column: str, kind: TypeKind, precision: int | None, scale: int | None) -> None:
    (table,) = catalog(DOMAINS).tables
    col = table.column(column)
    assert col is not None and col.type.kind is kind
    if precision is not None:
        assert (col.type.precision, col.type.scale) == (precision, scale)


def test_enum_varchar_fits_longest_value() -> None:
    (table,) = catalog(DOMAINS).tables
    plan = table.column("plan")
    assert plan is not None and plan.type.length == 4


def test_domain_enum_and_range_checks() -> None:
    (table,) = catalog(DOMAINS).tables
    checks = [c.expression for c in table.checks]
    assert checks == [
        "email LIKE '%_@_%'",
        "balance >= 0",
        "discount BETWEEN 0 AND 100",
        "plan IN ('free', 'pro', 'team')",
        "level IN (1, 2, 3)",
        "age BETWEEN 18 AND 130",
        "score <= 10",
    ]


def test_identifiers_become_unique_not_null() -> None:
    (table,) = catalog(DOMAINS).tables
    assert [[c.value for c in u.columns] for u in table.uniques] == [["tenant", "handle"], ["email"]]
    for name in ("tenant", "handle", "email"):
        assert table.column(name).nullable is False  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("[[tenant, handle], [email]]", "[[tenant, handel]]"),
            "schema.entities.accounts.identifiers[0]: entity 'accounts' has no column 'handel'; did you mean 'handle'?",
        ),
        (("max: 130", "max: 10"), "min 18 is above max 10"),
        (("type: enum, values: [free, pro, team]", "type: enum"), "type enum needs values"),
        (("[free, pro, team]", "[free, pro, free]"), "values lists the same value twice"),
        (("identifiers: [[tenant, handle], [email]]", "identifiers: [[]]"), "identifiers[0] is empty"),
    ],
)
def test_bad_domains(change: tuple[str, str], expected: str) -> None:
    with pytest.raises(BriefError) as info:
        catalog(DOMAINS.replace(*change))
    assert expected in str(info.value)


RELATIONSHIPS = """\
engine: postgresql
schema:
  entities:
    authors:
      columns: {name: text}
    posts:
      columns: {title: text}
      relationships:
        - {to: authors, cardinality: many-to-one, mandatory: false}
        - {to: tags, cardinality: N:M, attributes: {weight: integer}}
        - {to: covers, cardinality: 1:1}
      functional_dependencies: ["title -> authors_id", "title ->> weight"]
    tags:
      columns: {label: text}
    covers:
      columns: {url: text}
"""


def test_relationship_shorthands() -> None:
    brief = loads_brief(RELATIONSHIPS, file="b.yaml")
    assert brief.schema_.entities is not None
    rels = brief.schema_.entities["posts"].relationships
    assert [(r.to, r.cardinality, r.optional) for r in rels] == [
        ("authors", "N:1", True),
        ("tags", "M:N", False),
        ("covers", "1:1", False),  # YAML 1.1 reads an unquoted 1:1 as 61
    ]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            ("cardinality: many-to-one", "cardinality: lots"),
            "unknown cardinality 'lots'; use 1:1, 1:N, N:1 or M:N",
        ),
        (("mandatory: false", "mandatory: false, optional: true"), "give optional or mandatory, not both"),
        (
            ("to: covers, cardinality: 1:1", "to: covers, attributes: {x: int}"),
            "attributes belong to an M:N relationship",
        ),
        (
            ("to: tags,", "to: tag,"),
            "entities.posts.relationships[1].to: unknown entity 'tag'; did you mean 'tags'?",
        ),
        (
            ('"title ->> weight"', '"title weight"'),
            "cannot read dependency 'title weight'; write 'a, b -> c'",
        ),
    ],
)
def test_bad_relationships(change: tuple[str, str], expected: str) -> None:
    with pytest.raises(BriefError) as info:
        loads_brief(RELATIONSHIPS.replace(*change), file="b.yaml")
    assert expected in str(info.value)


def test_brief_json_schema_lists_entity_fields() -> None:
    from dbarchitect.brief import brief_json_schema

    defs = brief_json_schema()["$defs"]
    assert {"relationships", "identifiers", "functional_dependencies", "denormalized", "key"} <= set(
        defs["EntitySpec"]["properties"]
    )
    column = next(d for d in defs["ColumnSpec"]["anyOf"] if "properties" in d)  # or a type string
    assert {"values", "min", "max"} <= set(column["properties"])
    relationship = (
        next(d for d in defs["RelationshipSpec"]["anyOf"] if "properties" in d)
        if "anyOf" in defs["RelationshipSpec"]
        else defs["RelationshipSpec"]
    )
    cardinality = relationship["properties"]["cardinality"]["anyOf"]
    assert cardinality[0]["enum"] == ["1:1", "1:N", "N:1", "M:N"]
