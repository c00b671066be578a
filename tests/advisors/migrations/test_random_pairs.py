"""Property tests over random small schema pairs: compare(a, a) is empty, every operation's reverse
of its reverse is itself, and on SQLite (fast, in a temporary file) applying plan(A -> B) to A gives
B and the down-plan gives A back, by the same comparison as the corpus."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dbarchitect.advisors.migrations import compare, plan_migration
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.ingest.live import introspect
from dbarchitect.model.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    Default,
    DefaultKind,
    Index,
    IndexKey,
    PrimaryKey,
    Table,
    UniqueConstraint,
)
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.ops import AddEnumValue, Irreversible
from dbarchitect.model.types import LogicalType, TypeKind
from tests.advisors.migrations.plan_exec import apply_sqlite
from tests.advisors.migrations.test_corpus import assert_matches

TYPES = (
    LogicalType(TypeKind.INTEGER),
    LogicalType(TypeKind.BIGINT),
    LogicalType(TypeKind.VARCHAR, length=20),
    LogicalType(TypeKind.VARCHAR, length=40),
    LogicalType(TypeKind.TEXT),
    LogicalType(TypeKind.DECIMAL, precision=10, scale=2),
    LogicalType(TypeKind.BOOLEAN),
    LogicalType(TypeKind.DATE),
)


def _default(t: LogicalType) -> Default:
    if t.is_integer or t.kind == TypeKind.DECIMAL:
        return Default(DefaultKind.NUMBER, "1")
    if t.kind == TypeKind.BOOLEAN:
        return Default(DefaultKind.BOOLEAN, "TRUE")
    if t.kind == TypeKind.DATE:
        return Default(DefaultKind.STRING, "2024-01-01")
    return Default(DefaultKind.STRING, "x")


@st.composite
def tables(draw: st.DrawFn, name: str) -> Table:
    names = draw(st.lists(st.sampled_from(["a", "b", "c", "d", "e"]), unique=True, max_size=4))
    columns = [Column(Name("id"), LogicalType(TypeKind.INTEGER), nullable=False)]
    for n in names:
        t = draw(st.sampled_from(TYPES))
        columns.append(
            Column(
                Name(n),
                t,
                nullable=draw(st.booleans()),
                default=_default(t) if draw(st.booleans()) else None,
            )
        )
    indexes: list[Index] = []
    uniques: list[UniqueConstraint] = []
    checks: list[CheckConstraint] = []
    if names and draw(st.booleans()):
        col = draw(st.sampled_from(names))
        indexes.append(
            Index(Name(f"{name}_{col}_idx"), (IndexKey(column=Name(col)),), unique=draw(st.booleans()))
        )
    if len(names) > 1 and draw(st.booleans()):
        cols = tuple(Name(n) for n in draw(st.permutations(names))[:2])
        uniques.append(UniqueConstraint(cols, Name(f"{name}_{cols[0]}_{cols[1]}_key")))
    numeric = [c.name.value for c in columns[1:] if c.type.is_integer]
    if numeric and draw(st.booleans()):
        col = draw(st.sampled_from(numeric))
        checks.append(CheckConstraint(f"{col} >= 0", Name(f"{name}_{col}_check")))
    return Table(
        Name(name),
        tuple(columns),
        primary_key=PrimaryKey((Name("id"),)),
        uniques=tuple(uniques),
        checks=tuple(checks),
        indexes=tuple(indexes),
    )


@st.composite
def catalogs(draw: st.DrawFn) -> Catalog:
    names = draw(st.lists(st.sampled_from(["t1", "t2", "t3"]), unique=True, min_size=1, max_size=3))
    return Catalog(tables=tuple(draw(tables(n)) for n in sorted(names)))


@given(catalogs())
@settings(max_examples=100, deadline=None)
def test_compare_with_itself_is_empty(a: Catalog) -> None:
    assert compare(a, a) == ()


@given(catalogs(), catalogs())
@settings(max_examples=100, deadline=None)
def test_reverse_of_reverse(a: Catalog, b: Catalog) -> None:
    for op in compare(a, b):
        try:
            assert op.reverse().reverse() == op
        except Irreversible:
            assert isinstance(op, AddEnumValue)


@given(catalogs(), catalogs())
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_plan_and_down_plan_round_trip_on_sqlite(a: Catalog, b: Catalog) -> None:
    traits = get_traits(EngineName.SQLITE)
    plan = plan_migration(a, b, traits, allow_data_loss=True)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "db.sqlite"
        with sqlite3.connect(path) as conn:
            conn.executescript(render_schema(a, traits))
        apply_sqlite(path, plan.steps)
        assert_matches(b, introspect(f"sqlite:///{path}"), traits, plan.reordered_tables)
        apply_sqlite(path, plan.down)
        assert_matches(a, introspect(f"sqlite:///{path}"), traits, plan.down_reordered_tables)
