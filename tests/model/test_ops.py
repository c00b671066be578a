"""Migration operations know their inverse; a drop without its old definition says why it cannot."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dbarchitect.advisors.migrations import compare
from dbarchitect.advisors.migrations.diff import compare_back
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.catalog import Column, Default, DefaultKind, Index, IndexKey
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.ops import (
    AddEnumValue,
    CreateIndex,
    DropColumn,
    DropDefault,
    DropIndex,
    DropTable,
    DropView,
    Irreversible,
    Op,
    SetDefault,
    describe,
)
from dbarchitect.model.types import LogicalType, TypeKind

PAIRS = sorted(p for p in (Path(__file__).parents[1] / "advisors" / "migrations" / "pairs").iterdir())


def _ops(directory: Path) -> tuple[Op, ...]:
    a = load_ddl((directory / "a.sql").read_text(encoding="utf-8"), EngineName.POSTGRESQL)
    b = load_ddl((directory / "b.sql").read_text(encoding="utf-8"), EngineName.POSTGRESQL)
    meta = directory / "meta.json"
    renames = json.loads(meta.read_text(encoding="utf-8")).get("renames") if meta.exists() else None
    return compare(a, b, renames) + compare_back(a, b, renames)


@pytest.mark.parametrize("directory", PAIRS, ids=lambda p: p.name)
def test_reverse_of_reverse_is_the_operation(directory: Path) -> None:
    for op in _ops(directory):
        try:
            back = op.reverse()
        except Irreversible as exc:
            assert isinstance(op, AddEnumValue) and "DROP VALUE" in exc.reason
            continue
        assert back.reverse() == op, describe(op)
        assert describe(back)  # every operation describes itself


@pytest.mark.parametrize(
    ("op", "what"),
    [
        (DropTable(Name("orders")), "DROP TABLE orders"),
        (DropColumn(Name("orders"), Name("note")), "DROP COLUMN orders.note"),
        (DropIndex(Name("orders"), Name("orders_idx")), "DROP INDEX orders_idx"),
        (DropView(Name("v")), "DROP VIEW v"),
    ],
)
def test_a_drop_without_its_definition_says_why_it_cannot_be_reversed(op: Op, what: str) -> None:
    with pytest.raises(Irreversible, match="without its old definition") as info:
        op.reverse()
    assert what in info.value.reason


def test_create_index_reverses_to_a_drop_carrying_the_index() -> None:
    index = Index(Name("orders_user_idx"), (IndexKey(column=Name("user_id")),))
    drop = CreateIndex(Name("orders"), index).reverse()
    assert drop == DropIndex(Name("orders"), Name("orders_user_idx"), old=index)


def test_set_default_reverses_to_the_old_default_or_a_drop() -> None:
    col = Column(Name("qty"), LogicalType(TypeKind.INTEGER))
    one, two = Default(DefaultKind.NUMBER, "1"), Default(DefaultKind.NUMBER, "2")
    assert SetDefault(Name("t"), col, two, old=one).reverse() == SetDefault(Name("t"), col, one, old=two)
    assert SetDefault(Name("t"), col, two).reverse() == DropDefault(Name("t"), col, old=two)


def test_enum_append_is_irreversible_and_says_why() -> None:
    with pytest.raises(Irreversible, match=r"ALTER TYPE \.\.\. DROP VALUE"):
        AddEnumValue("state", "archived", "closed").reverse()
