"""Migration operations: one engine-neutral schema change each, and its inverse.

An operation holds what it needs to be undone: a drop carries the old definition (``old``) when
the diff knew it, and :meth:`reverse` rebuilds it from there; a drop built without it cannot be
reversed and raises :class:`Irreversible` saying why. Renames reverse to the opposite rename.
Appending a value to a PostgreSQL enum type cannot be undone in place (the engine has no
``DROP VALUE``), so :class:`AddEnumValue` says so instead of guessing.

Names: ``table`` is always the table's name at the moment the operation runs (after earlier
renames in the same plan), so the planner never has to track renames itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from dbarchitect.model.catalog import (
    CheckConstraint,
    Column,
    Default,
    ForeignKey,
    Index,
    Partitioning,
    PrimaryKey,
    Table,
    UniqueConstraint,
    View,
)
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType


class Irreversible(Exception):
    """An operation cannot be undone; ``reason`` says why (shown in the down-plan)."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _need(old: object, what: str) -> None:
    if old is None:
        raise Irreversible(f"{what} was built without its old definition, so it cannot be re-created")


@dataclass(frozen=True)
class CreateTable:
    table: Table

    def reverse(self) -> DropTable:
        return DropTable(self.table.name, old=self.table)


@dataclass(frozen=True)
class DropTable:
    name: Name
    old: Table | None = None

    def reverse(self) -> CreateTable:
        _need(self.old, f"DROP TABLE {self.name}")
        assert self.old is not None
        return CreateTable(self.old)


@dataclass(frozen=True)
class RenameTable:
    old_name: Name
    new_name: Name

    def reverse(self) -> RenameTable:
        return RenameTable(self.new_name, self.old_name)


@dataclass(frozen=True)
class AddColumn:
    table: Name
    column: Column
    #: The column it follows in the target table (None: first), for engines that can place it.
    after: Name | None = None

    def reverse(self) -> DropColumn:
        return DropColumn(self.table, self.column.name, old=self.column, after=self.after)


@dataclass(frozen=True)
class DropColumn:
    table: Name
    name: Name
    old: Column | None = None
    after: Name | None = None

    def reverse(self) -> AddColumn:
        _need(self.old, f"DROP COLUMN {self.table}.{self.name}")
        assert self.old is not None
        return AddColumn(self.table, self.old, after=self.after)


@dataclass(frozen=True)
class RenameColumn:
    table: Name
    old_name: Name
    new_name: Name

    def reverse(self) -> RenameColumn:
        return RenameColumn(self.table, self.new_name, self.old_name)


@dataclass(frozen=True)
class AlterColumnType:
    """Change a column's type. ``old``/``new`` are the whole column before and after (engines that
    restate a column — MySQL's MODIFY — need all of it)."""

    table: Name
    old: Column
    new: Column

    @property
    def column(self) -> Name:
        return self.new.name

    @property
    def old_type(self) -> LogicalType:
        return self.old.type

    @property
    def new_type(self) -> LogicalType:
        return self.new.type

    def reverse(self) -> AlterColumnType:
        return AlterColumnType(self.table, self.new, self.old)


@dataclass(frozen=True)
class SetNotNull:
    table: Name
    column: Column

    def reverse(self) -> DropNotNull:
        return DropNotNull(self.table, self.column)


@dataclass(frozen=True)
class DropNotNull:
    table: Name
    column: Column

    def reverse(self) -> SetNotNull:
        return SetNotNull(self.table, self.column)


@dataclass(frozen=True)
class SetDefault:
    table: Name
    column: Column
    default: Default
    old: Default | None = None

    def reverse(self) -> SetDefault | DropDefault:
        if self.old is None:
            return DropDefault(self.table, self.column, old=self.default)
        return SetDefault(self.table, self.column, self.old, old=self.default)


@dataclass(frozen=True)
class DropDefault:
    table: Name
    column: Column
    old: Default | None = None

    def reverse(self) -> SetDefault:
        _need(self.old, f"DROP DEFAULT on {self.table}.{self.column.name}")
        assert self.old is not None
        return SetDefault(self.table, self.column, self.old)


@dataclass(frozen=True)
class AddPrimaryKey:
    table: Name
    key: PrimaryKey

    def reverse(self) -> DropPrimaryKey:
        return DropPrimaryKey(self.table, old=self.key)


@dataclass(frozen=True)
class DropPrimaryKey:
    table: Name
    old: PrimaryKey | None = None

    def reverse(self) -> AddPrimaryKey:
        _need(self.old, f"DROP PRIMARY KEY on {self.table}")
        assert self.old is not None
        return AddPrimaryKey(self.table, self.old)


@dataclass(frozen=True)
class AddUnique:
    table: Name
    unique: UniqueConstraint

    def reverse(self) -> DropUnique:
        return DropUnique(self.table, self.unique.name, old=self.unique)


@dataclass(frozen=True)
class DropUnique:
    table: Name
    name: Name | None
    old: UniqueConstraint | None = None

    def reverse(self) -> AddUnique:
        _need(self.old, f"DROP CONSTRAINT {self.name} on {self.table}")
        assert self.old is not None
        return AddUnique(self.table, self.old)


@dataclass(frozen=True)
class AddForeignKey:
    table: Name
    key: ForeignKey

    def reverse(self) -> DropForeignKey:
        return DropForeignKey(self.table, self.key.name, old=self.key)


@dataclass(frozen=True)
class DropForeignKey:
    table: Name
    name: Name | None
    old: ForeignKey | None = None

    def reverse(self) -> AddForeignKey:
        _need(self.old, f"DROP FOREIGN KEY {self.name} on {self.table}")
        assert self.old is not None
        return AddForeignKey(self.table, self.old)


@dataclass(frozen=True)
class AddCheck:
    table: Name
    check: CheckConstraint

    def reverse(self) -> DropCheck:
        return DropCheck(self.table, self.check.name, old=self.check)


@dataclass(frozen=True)
class DropCheck:
    table: Name
    name: Name | None
    old: CheckConstraint | None = None

    def reverse(self) -> AddCheck:
        _need(self.old, f"DROP CONSTRAINT {self.name} (check) on {self.table}")
        assert self.old is not None
        return AddCheck(self.table, self.old)


@dataclass(frozen=True)
class CreateIndex:
    table: Name
    index: Index

    def reverse(self) -> DropIndex:
        return DropIndex(self.table, self.index.name, old=self.index)


@dataclass(frozen=True)
class DropIndex:
    table: Name
    name: Name
    old: Index | None = None

    def reverse(self) -> CreateIndex:
        _need(self.old, f"DROP INDEX {self.name}")
        assert self.old is not None
        return CreateIndex(self.table, self.old)


@dataclass(frozen=True)
class CreateView:
    view: View

    def reverse(self) -> DropView:
        return DropView(self.view.name, old=self.view)


@dataclass(frozen=True)
class DropView:
    name: Name
    old: View | None = None

    def reverse(self) -> CreateView:
        _need(self.old, f"DROP VIEW {self.name}")
        assert self.old is not None
        return CreateView(self.old)


@dataclass(frozen=True)
class CreateEnum:
    """A named enum type (PostgreSQL); engines with inline enums have nothing to create."""

    name: str
    values: tuple[str, ...]

    def reverse(self) -> DropEnum:
        return DropEnum(self.name, old=self.values)


@dataclass(frozen=True)
class DropEnum:
    name: str
    old: tuple[str, ...] | None = None

    def reverse(self) -> CreateEnum:
        _need(self.old, f"DROP TYPE {self.name}")
        assert self.old is not None
        return CreateEnum(self.name, self.old)


@dataclass(frozen=True)
class AddEnumValue:
    """Append ``value`` to enum type ``name`` (placed after ``after``, None: first). ``columns`` are
    the (table, column after the change) pairs using it: engines with inline enums change those
    columns instead of a type."""

    name: str
    value: str
    after: str | None
    columns: tuple[tuple[Name, Column], ...] = ()
    old_columns: tuple[tuple[Name, Column], ...] = ()

    def reverse(self) -> Op:
        raise Irreversible(
            f"enum value {self.value!r} of {self.name} cannot be removed in place: PostgreSQL has no "
            "ALTER TYPE ... DROP VALUE; rows holding it must be changed and the type re-created by hand"
        )


@dataclass(frozen=True)
class ChangePartitioning:
    """The table's partitioning changes. Detected and refused by the planner (a partitioned table is
    re-created and its rows copied, which the user must schedule); kept as an operation so the diff
    is complete and the refusal names the table."""

    table: Name
    old: Partitioning | None
    new: Partitioning | None

    def reverse(self) -> ChangePartitioning:
        return ChangePartitioning(self.table, self.new, self.old)


Op = Union[  # noqa: UP007 (a runtime alias used in isinstance-free dispatch and annotations)
    CreateTable,
    DropTable,
    RenameTable,
    AddColumn,
    DropColumn,
    RenameColumn,
    AlterColumnType,
    SetNotNull,
    DropNotNull,
    SetDefault,
    DropDefault,
    AddPrimaryKey,
    DropPrimaryKey,
    AddUnique,
    DropUnique,
    AddForeignKey,
    DropForeignKey,
    AddCheck,
    DropCheck,
    CreateIndex,
    DropIndex,
    CreateView,
    DropView,
    CreateEnum,
    DropEnum,
    AddEnumValue,
    ChangePartitioning,
]

#: Operations that throw data away when applied.
DATA_LOSING = (DropTable, DropColumn)


def op_table(op: Op) -> Name | None:
    """The table an operation changes (None for views and types)."""
    if isinstance(op, CreateTable):
        return op.table.name
    if isinstance(op, DropTable):
        return op.name
    if isinstance(op, RenameTable):
        return op.new_name
    if isinstance(op, CreateView | DropView | CreateEnum | DropEnum | AddEnumValue):
        return None
    return op.table


def describe(op: Op) -> str:
    """One line saying what the operation does, in the user's names."""
    match op:
        case CreateTable():
            return f"create table {op.table.name}"
        case DropTable():
            return f"drop table {op.name}"
        case RenameTable():
            return f"rename table {op.old_name} to {op.new_name}"
        case AddColumn():
            return f"add column {op.table}.{op.column.name} {op.column.type}"
        case DropColumn():
            return f"drop column {op.table}.{op.name}"
        case RenameColumn():
            return f"rename column {op.table}.{op.old_name} to {op.new_name}"
        case AlterColumnType():
            return f"change type of {op.table}.{op.column} from {op.old_type} to {op.new_type}"
        case SetNotNull():
            return f"set {op.table}.{op.column.name} NOT NULL"
        case DropNotNull():
            return f"drop NOT NULL on {op.table}.{op.column.name}"
        case SetDefault():
            shown = op.default.value or op.default.kind.value
            return f"set default of {op.table}.{op.column.name} to {shown}"
        case DropDefault():
            return f"drop default of {op.table}.{op.column.name}"
        case AddPrimaryKey():
            return f"add primary key ({', '.join(c.value for c in op.key.columns)}) to {op.table}"
        case DropPrimaryKey():
            return f"drop primary key of {op.table}"
        case AddUnique():
            return f"add unique ({', '.join(c.value for c in op.unique.columns)}) to {op.table}"
        case DropUnique():
            return f"drop unique constraint {op.name} of {op.table}"
        case AddForeignKey():
            cols = ", ".join(c.value for c in op.key.columns)
            return f"add foreign key {op.table} ({cols}) -> {op.key.ref_table}"
        case DropForeignKey():
            return f"drop foreign key {op.name} of {op.table}"
        case AddCheck():
            return f"add check ({op.check.expression}) to {op.table}"
        case DropCheck():
            return f"drop check {op.name} of {op.table}"
        case CreateIndex():
            return f"create index {op.index.name} on {op.table}"
        case DropIndex():
            return f"drop index {op.name} on {op.table}"
        case CreateView():
            return f"create view {op.view.name}"
        case DropView():
            return f"drop view {op.name}"
        case CreateEnum():
            return f"create enum type {op.name}"
        case DropEnum():
            return f"drop enum type {op.name}"
        case AddEnumValue():
            return f"add value {op.value!r} to enum {op.name}"
        case ChangePartitioning():
            return f"change partitioning of {op.table}"
    raise AssertionError(op)  # pragma: no cover
