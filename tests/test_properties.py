"""Invariants checked on generated input (hypothesis).

(a) parse -> render -> parse is stable: a random catalog rendered for an engine family and read back
    with that engine's dialect is the same catalog, up to the engine-lossy facts :func:`canonical`
    documents.
(b) Bad input never escapes as anything but a DbarchError: random brief text and data fed to the
    brief loader, random SQL text fed to the workload builder.
"""

from __future__ import annotations

import contextlib
import string
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbarchitect.brief import loads_brief, parse_brief
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.catalog import (
    Catalog,
    Column,
    Default,
    DefaultKind,
    ForeignKey,
    Index,
    IndexKey,
    PrimaryKey,
    ReferentialAction,
    Table,
    UniqueConstraint,
)
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.types import LogicalType, TypeKind

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- (a) round trip ----------------------------------------------------------------------------------

#: Plain words and reserved words (which must come back through quoting).
WORDS = [
    "amount",
    "status",
    "order",
    "group",
    "key",
    "rank",
    "note",
    "created",
    "user",
    "value",
    "kind",
    "code",
]

TYPES = [
    LogicalType(TypeKind.BOOLEAN),
    LogicalType(TypeKind.SMALLINT),
    LogicalType(TypeKind.INTEGER),
    LogicalType(TypeKind.BIGINT),
    LogicalType(TypeKind.DECIMAL, precision=12, scale=2),
    LogicalType(TypeKind.DECIMAL, precision=18, scale=0),
    LogicalType(TypeKind.DOUBLE),
    LogicalType(TypeKind.VARCHAR, length=40),
    LogicalType(TypeKind.CHAR, length=3),
    LogicalType(TypeKind.TEXT),
    LogicalType(TypeKind.DATE),
    LogicalType(TypeKind.TIMESTAMP),
    LogicalType(TypeKind.TIMESTAMPTZ),
    LogicalType(TypeKind.JSON),
    LogicalType(TypeKind.UUID),
]
#: Types a key (primary, unique, index) may use on every engine: no long text, JSON or floats.
KEY_KINDS = {
    TypeKind.SMALLINT,
    TypeKind.INTEGER,
    TypeKind.BIGINT,
    TypeKind.VARCHAR,
    TypeKind.CHAR,
    TypeKind.DATE,
    TypeKind.DECIMAL,
}


def _default_for(t: LogicalType) -> st.SearchStrategy[Default | None]:
    if t.kind == TypeKind.BOOLEAN:
        return st.sampled_from(
            [None, Default(DefaultKind.BOOLEAN, "TRUE"), Default(DefaultKind.BOOLEAN, "FALSE")]
        )
    if t.is_integer:
        return st.one_of(
            st.none(), st.integers(-1000, 1000).map(lambda n: Default(DefaultKind.NUMBER, str(n)))
        )
    if t.kind == TypeKind.VARCHAR:
        text = st.text(string.ascii_letters + " '", max_size=10)
        return st.one_of(st.none(), text.map(lambda s: Default(DefaultKind.STRING, s)))
    if t.kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
        return st.sampled_from([None, Default(DefaultKind.CURRENT_TIMESTAMP)])
    return st.none()


@st.composite
def tables(draw: st.DrawFn, index: int, earlier: list[Table]) -> Table:
    name = Name(
        f"{draw(st.sampled_from(WORDS))}_{index}"
        if draw(st.booleans())
        else ["order", "group", "user"][index % 3]
    )
    if any(t.name.key == name.key for t in earlier):
        name = Name(f"t{index}")
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=6, unique=True))
    columns: list[Column] = [
        Column(Name("id"), LogicalType(TypeKind.BIGINT), nullable=False, identity=draw(st.booleans()))
    ]
    for word in words:
        t = draw(st.sampled_from(TYPES))
        columns.append(Column(Name(word), t, nullable=draw(st.booleans()), default=draw(_default_for(t))))
    foreign_keys: list[ForeignKey] = []
    for target in (
        draw(st.lists(st.sampled_from(earlier), max_size=2, unique_by=lambda t: t.name.key))
        if earlier
        else []
    ):
        col = Name(f"{target.name.value}_id")
        columns.append(Column(col, LogicalType(TypeKind.BIGINT), nullable=draw(st.booleans())))
        action = draw(
            st.sampled_from(
                [
                    ReferentialAction.NO_ACTION,
                    ReferentialAction.CASCADE,
                    ReferentialAction.RESTRICT,
                    ReferentialAction.SET_NULL,
                ]
            )
        )
        foreign_keys.append(ForeignKey((col,), target.name, (Name("id"),), on_delete=action))
    keyable = [c.name for c in columns[1:] if c.type.kind in KEY_KINDS]
    uniques: list[UniqueConstraint] = []
    indexes: list[Index] = []
    if keyable:
        for i, cols in enumerate(
            draw(
                st.lists(st.lists(st.sampled_from(keyable), min_size=1, max_size=3, unique=True), max_size=2)
            )
        ):
            if draw(st.booleans()):
                uniques.append(UniqueConstraint(tuple(cols), Name(f"{name.value}_uq{i}")))
            else:
                keys = tuple(IndexKey(column=c, descending=draw(st.booleans())) for c in cols)
                indexes.append(Index(Name(f"{name.value}_ix{i}"), keys, unique=draw(st.booleans())))
    return Table(
        name,
        tuple(columns),
        PrimaryKey((Name("id"),)),
        tuple(uniques),
        tuple(foreign_keys),
        indexes=tuple(indexes),
    )


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    out: list[Table] = []
    for i in range(draw(st.integers(1, 4))):
        out.append(draw(tables(i, out)))
    return Catalog(tables=tuple(out))


def _type(t: LogicalType, engine: EngineName) -> str:
    """The logical type as it comes back from ``engine`` (documented engine-lossy mappings)."""
    kind = t.kind
    if engine in (EngineName.MYSQL, EngineName.MARIADB):
        if kind == TypeKind.TIMESTAMPTZ:  # stored as DATETIME(6) holding UTC
            kind = TypeKind.TIMESTAMP
        if kind == TypeKind.UUID and engine == EngineName.MYSQL:  # CHAR(36)
            return "char(36)"
        if kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
            return kind.value  # DATETIME(6) is the default precision
    return str(LogicalType(kind, t.length, t.precision, t.scale))


def _default(d: Default | None) -> tuple[str, str | None] | None:
    return None if d is None else (d.kind.value, d.value)


def canonical(catalog: Catalog, engine: EngineName) -> list[Any]:
    """The catalog's facts that must survive a round trip through ``engine``. Lossy by design:
    identifier quoting (reserved words come back quoted; compared by folded name); MySQL keeps
    timestamptz as UTC DATETIME(6) and uuid as CHAR(36); on SQLite an identity is the rowid alias
    ``INTEGER PRIMARY KEY``, which reads back as an integer key without identity, and a nameless
    constraint gets no name."""
    out: list[Any] = []
    for t in sorted(catalog.tables, key=lambda t: t.name.key):
        cols = []
        for c in t.columns:
            type_ = _type(c.type, engine)
            identity = c.identity
            if engine == EngineName.SQLITE and c.identity:
                type_, identity = "integer", False
            cols.append((c.name.key, type_, c.nullable, identity, _default(c.default)))
        out.append(
            (
                t.name.key,
                cols,
                [c.key for c in t.primary_key.columns] if t.primary_key else None,
                sorted((tuple(c.key for c in u.columns)) for u in t.uniques),
                sorted(
                    (
                        tuple(c.key for c in fk.columns),
                        fk.ref_table.key,
                        tuple(c.key for c in fk.ref_columns),
                        fk.on_delete.value,
                        fk.on_update.value,
                    )
                    for fk in t.foreign_keys
                ),
                sorted(
                    (
                        ix.name.key,
                        tuple((k.column.key if k.column else "", k.descending) for k in ix.keys),
                        ix.unique,
                    )
                    for ix in t.indexes
                ),
            )
        )
    return out


ROUND_TRIP_ENGINES = [
    (EngineName.POSTGRESQL, "15"),
    (EngineName.MYSQL, "8.0"),
    (EngineName.MARIADB, "10.11"),
    (EngineName.SQLITE, None),
]


@pytest.mark.parametrize(
    ("engine", "version"), ROUND_TRIP_ENGINES, ids=[e.value for e, _ in ROUND_TRIP_ENGINES]
)
@SETTINGS
@given(catalog=catalogs())
def test_parse_render_parse_is_stable(engine: EngineName, version: str | None, catalog: Catalog) -> None:
    traits = get_traits(engine, version)
    sql = render_schema(catalog, traits)
    again = load_ddl(sql, engine, file=f"rendered.{engine.value}.sql")
    assert canonical(again, engine) == canonical(catalog, engine), sql
    # and rendering what was read back gives the same script
    assert render_schema(again, traits) == render_schema(
        load_ddl(render_schema(again, traits), engine), traits
    )


# --- (b) bad input raises DbarchError only ----------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True),
    st.text(max_size=20),
    st.sampled_from(
        ["5M", "120/s", "3%/month", "90d", "postgresql 15", "mariadb", "-1", "1e400", "${X}", "1_000"]
    ),
)
KEYS = st.sampled_from(
    [
        "name",
        "engine",
        "portable_to",
        "schema",
        "ddl",
        "entities",
        "source",
        "tables",
        "rows",
        "growth",
        "retention",
        "columns",
        "workload",
        "statements",
        "sql",
        "rate",
        "slo",
        "p95_ms",
        "budgets",
        "storage",
        "guardrails",
        "horizon",
        "distinct",
        "hot_values",
        "type",
        "path",
        "imports",
        "file",
        "nonsense",
    ]
)
TREES = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(KEYS, children, max_size=5)),
    max_leaves=25,
)


def _brief_like(draw: st.DrawFn) -> dict[str, Any]:
    base: dict[str, Any] = {"engine": "postgresql 15", "schema": {"ddl": "schema.sql"}}
    for key in draw(st.lists(KEYS, max_size=4)):
        base[key] = draw(TREES)
    return base


@SETTINGS
@given(data=st.one_of(TREES, st.builds(dict), st.composite(_brief_like)()))
def test_random_brief_data_raises_only_brief_errors(data: Any) -> None:
    with contextlib.suppress(DbarchError):
        parse_brief(data, file="b.yaml")


@SETTINGS
@given(text=st.one_of(st.text(max_size=200), TREES.map(lambda t: yaml.safe_dump(t, allow_unicode=True))))
def test_random_brief_text_raises_only_brief_errors(text: str) -> None:
    for file in ("b.yaml", "b.json"):
        with contextlib.suppress(DbarchError):
            loads_brief(text, file=file)


SQL_WORDS = st.sampled_from(
    [
        "SELECT",
        "FROM",
        "WHERE",
        "orders",
        "customers",
        "id",
        "customer_id",
        "total",
        "=",
        ":id",
        "?",
        "$1",
        "AND",
        "OR",
        "JOIN",
        "ON",
        "GROUP BY",
        "ORDER BY",
        "LIMIT",
        "10",
        "(",
        ")",
        ",",
        "*",
        "'x'",
        "INSERT INTO",
        "VALUES",
        "UPDATE",
        "SET",
        "DELETE",
        ";",
        "nope",
        "o.id",
        "COUNT(*)",
        "WITH",
        "AS",
        "UNION",
        "--",
        "/*",
        "IN",
        "NULL",
    ]
)
SQL_TEXT = st.one_of(st.text(max_size=120), st.lists(SQL_WORDS, min_size=1, max_size=25).map(" ".join))

WORKLOAD_CATALOG = load_ddl(
    "CREATE TABLE customers (id bigint PRIMARY KEY, name text);"
    "CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers, total numeric(12,2));",
    EngineName.POSTGRESQL,
)


@SETTINGS
@given(sql=SQL_TEXT, engine=st.sampled_from([EngineName.POSTGRESQL, EngineName.MARIADB, EngineName.SQLITE]))
def test_random_sql_raises_only_sql_errors(sql: str, engine: EngineName) -> None:
    from dbarchitect.ingest.workload import StatementInput, build_workload

    with contextlib.suppress(DbarchError):
        build_workload([StatementInput("random", sql, 1.0, origin="brief")], WORKLOAD_CATALOG, engine)
