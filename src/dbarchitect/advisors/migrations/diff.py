"""Compare two catalogs into migration operations, in the order they can run.

Renames are never guessed: the caller names them (``renames``: ``{"old_table": "new_table",
"table.old_column": "new_column"}``, keys in the current catalog's names). Without a hint a
renamed column reads as a drop plus an add; :func:`likely_renames` reports the pairs that look like
renames (same type, same position; or a table with the same columns) so the user can confirm them.

Order (:func:`order_operations`): renames first (so every later operation uses the target's
names), then what loosens the schema (drop views, foreign keys, indexes, constraints, NOT NULL,
defaults), then what builds it (enum types, tables in dependency order, columns, type changes,
defaults, NOT NULL, keys, indexes, checks, foreign keys, views), and last what throws data away
(drop columns, tables in reverse dependency order, enum types).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from dbarchitect.advisors.migrations.canonical import expression_key
from dbarchitect.errors import CatalogError, Diagnostic, UnsupportedError, did_you_mean
from dbarchitect.model.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    PrimaryKey,
    Table,
    UniqueConstraint,
    View,
)
from dbarchitect.model.names import Name
from dbarchitect.model.ops import (
    AddCheck,
    AddColumn,
    AddEnumValue,
    AddForeignKey,
    AddPrimaryKey,
    AddUnique,
    AlterColumnType,
    ChangePartitioning,
    CreateEnum,
    CreateIndex,
    CreateTable,
    CreateView,
    DropCheck,
    DropColumn,
    DropDefault,
    DropEnum,
    DropForeignKey,
    DropIndex,
    DropNotNull,
    DropPrimaryKey,
    DropTable,
    DropUnique,
    DropView,
    Op,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
)
from dbarchitect.model.types import LogicalType, TypeKind


@dataclass(frozen=True)
class RenameHint:
    """A drop and an add that look like one rename. ``entry`` is the line to add under ``renames:``."""

    kind: str  # "table" or "column"
    table: str
    old: str
    new: str
    reason: str

    @property
    def key(self) -> str:
        return self.old if self.kind == "table" else f"{self.table}.{self.old}"

    @property
    def entry(self) -> str:
        return f"{self.key}: {self.new}"


# -- renames ----------------------------------------------------------------------------------------


def _split_renames(
    current: Catalog, renames: Mapping[str, str] | None
) -> tuple[dict[str, Name], dict[str, dict[str, Name]]]:
    """Validate ``renames`` against ``current``: table renames by old key, column renames by
    (old table key) -> old column key -> new name."""
    tables: dict[str, Name] = {}
    columns: dict[str, dict[str, Name]] = {}
    for old, new in (renames or {}).items():
        if "." in old:
            table_text, column_text = old.split(".", 1)
            table = current.table(table_text)
            if table is None:
                known = [t.name.value for t in current.tables]
                raise CatalogError(
                    Diagnostic(
                        f"renames: no table {table_text!r} in the current schema"
                        f"{did_you_mean(table_text, known)}",
                        field=f"renames.{old}",
                    )
                )
            column = table.column(column_text)
            if column is None:
                known = [c.name.value for c in table.columns]
                raise CatalogError(
                    Diagnostic(
                        f"renames: table {table.name} has no column {column_text!r}"
                        f"{did_you_mean(column_text, known)}",
                        field=f"renames.{old}",
                    )
                )
            columns.setdefault(table.name.key, {})[column.name.key] = Name(new)
        else:
            table = current.table(old)
            if table is None:
                known = [t.name.value for t in current.tables]
                raise CatalogError(
                    Diagnostic(
                        f"renames: no table {old!r} in the current schema{did_you_mean(old, known)}",
                        field=f"renames.{old}",
                    )
                )
            tables[table.name.key] = Name(new)
    return tables, columns


def _rename_cols(names: tuple[Name, ...], mapping: Mapping[str, Name]) -> tuple[Name, ...]:
    return tuple(mapping.get(n.key, n) for n in names)


def _apply_renames(
    current: Catalog, target: Catalog, tables: dict[str, Name], columns: dict[str, dict[str, Name]]
) -> tuple[Catalog, list[Op]]:
    """``current`` with the hinted renames applied (names taken from ``target`` where it has them),
    and the rename operations."""
    ops: list[Op] = []

    def target_name(name: Name) -> Name:
        found = target.table(name)
        return found.name if found is not None else name

    new_table_name = {k: target_name(v) for k, v in tables.items()}
    renamed: list[Table] = []
    for t in current.tables:
        name = new_table_name.get(t.name.key, t.name)
        if name != t.name:
            ops.append(RenameTable(t.name, name))
        col_map_raw = columns.get(t.name.key, {})
        target_table = target.table(name)
        col_map: dict[str, Name] = {}
        for old_key, new in col_map_raw.items():
            found = target_table.column(new) if target_table is not None else None
            col_map[old_key] = found.name if found is not None else new
            old_col = t.column(old_key)
            assert old_col is not None
            ops.append(RenameColumn(name, old_col.name, col_map[old_key]))
        renamed.append(_rename_table(t, name, col_map))
    # References to renamed tables and columns from other tables follow, as the engines do.
    out: list[Table] = []
    for t in renamed:
        fks = []
        for fk in t.foreign_keys:
            old_ref = next((x for x in current.tables if x.name.key == fk.ref_table.key), None)
            if old_ref is not None:
                fk = replace(
                    fk,
                    ref_table=new_table_name.get(old_ref.name.key, fk.ref_table),
                    ref_columns=_rename_cols(
                        fk.ref_columns, _col_map(columns, old_ref, target, new_table_name)
                    ),
                )
            fks.append(fk)
        out.append(replace(t, foreign_keys=tuple(fks)))
    return replace(current, tables=tuple(out)), ops


def _col_map(
    columns: dict[str, dict[str, Name]], table: Table, target: Catalog, new_names: dict[str, Name]
) -> dict[str, Name]:
    raw = columns.get(table.name.key, {})
    target_table = target.table(new_names.get(table.name.key, table.name))
    out: dict[str, Name] = {}
    for k, v in raw.items():
        found = target_table.column(v) if target_table is not None else None
        out[k] = found.name if found is not None else v
    return out


def _rename_table(t: Table, name: Name, cols: Mapping[str, Name]) -> Table:
    if not cols and name == t.name:
        return t

    def r(names: tuple[Name, ...]) -> tuple[Name, ...]:
        return _rename_cols(names, cols)

    pk = replace(t.primary_key, columns=r(t.primary_key.columns)) if t.primary_key else None
    return replace(
        t,
        name=name,
        columns=tuple(replace(c, name=cols.get(c.name.key, c.name)) for c in t.columns),
        primary_key=pk,
        uniques=tuple(replace(u, columns=r(u.columns)) for u in t.uniques),
        foreign_keys=tuple(replace(fk, columns=r(fk.columns)) for fk in t.foreign_keys),
        indexes=tuple(
            replace(
                i,
                keys=tuple(
                    replace(k, column=cols.get(k.column.key, k.column)) if k.column else k for k in i.keys
                ),
                include=r(i.include),
            )
            for i in t.indexes
        ),
        partitioning=replace(t.partitioning, columns=r(t.partitioning.columns)) if t.partitioning else None,
    )


def likely_renames(
    current: Catalog, target: Catalog, renames: Mapping[str, str] | None = None
) -> tuple[RenameHint, ...]:
    """Drops and adds that look like renames and have no hint: a dropped and an added column of the
    same type at the same position, or a dropped and an added table with the same columns."""
    tables, columns = _split_renames(current, renames)
    renamed, _ = _apply_renames(current, target, tables, columns)
    hints: list[RenameHint] = []
    gone = [t for t in renamed.tables if target.table(t.name) is None]
    new = [t for t in target.tables if renamed.table(t.name) is None]
    for a in gone:
        shape = [(c.name.key, c.type) for c in a.columns]
        for b in new:
            if [(c.name.key, c.type) for c in b.columns] == shape:
                hints.append(RenameHint("table", a.name.value, a.name.value, b.name.value, "same columns"))
                break
    for a in renamed.tables:
        found = target.table(a.name)
        if found is None:
            continue
        b = found
        for pos, col in enumerate(a.columns):
            if b.has_column(col.name) or pos >= len(b.columns):
                continue
            other = b.columns[pos]
            if a.has_column(other.name) or other.type != col.type:
                continue
            hints.append(
                RenameHint("column", a.name.value, col.name.value, other.name.value, "same type and position")
            )
    return tuple(hints)


# -- comparing ----------------------------------------------------------------------------------------


def _enum_types(catalog: Catalog) -> dict[str, tuple[tuple[str, ...], list[tuple[Table, Column]]]]:
    out: dict[str, tuple[tuple[str, ...], list[tuple[Table, Column]]]] = {}
    for t in catalog.tables:
        for c in t.columns:
            if c.type.kind == TypeKind.ENUM and c.type.type_name:
                out.setdefault(c.type.type_name.lower(), (c.type.values, []))[1].append((t, c))
    return out


def _same_type(a: LogicalType, b: LogicalType) -> bool:
    """Equal types; a named enum is the same type whatever its values (those change by enum ops)."""
    if a.kind == b.kind == TypeKind.ENUM and a.type_name and b.type_name:
        return a.type_name.lower() == b.type_name.lower()
    return a == b


def _nk(name: Name | None) -> str | None:
    return name.key if name is not None else None


def _cols(names: tuple[Name, ...]) -> tuple[str, ...]:
    return tuple(n.key for n in names)


def _pk_key(pk: PrimaryKey | None) -> object:
    return None if pk is None else (_cols(pk.columns), _nk(pk.name))


def _unique_key(u: UniqueConstraint) -> object:
    return (_cols(u.columns), _nk(u.name))


def _fk_key(fk: ForeignKey) -> object:
    return (
        _cols(fk.columns),
        fk.ref_table.key,
        _cols(fk.ref_columns),
        _nk(fk.name),
        fk.on_delete,
        fk.on_update,
    )


def _check_key(c: CheckConstraint) -> object:
    return (expression_key(c.expression), _nk(c.name))


def _index_key(i: Index) -> object:
    keys = tuple(
        (
            k.column.key if k.column else None,
            expression_key(k.expression) if k.expression else None,
            k.descending,
            k.opclass,
        )
        for k in i.keys
    )
    where = expression_key(i.where) if i.where is not None else None
    return (i.name.key, keys, i.unique, where, _cols(i.include), i.method)


def _view_key(v: View) -> object:
    return (" ".join(v.query.split()), _cols(v.columns))


def _diff_table(a: Table, b: Table) -> list[Op]:
    ops: list[Op] = []
    t = b.name
    for pos, col in enumerate(a.columns):
        if not b.has_column(col.name):
            after = a.columns[pos - 1].name if pos else None
            ops.append(DropColumn(t, col.name, old=col, after=after))
    for pos, col in enumerate(b.columns):
        old = a.column(col.name)
        if old is None:
            ops.append(AddColumn(t, col, after=b.columns[pos - 1].name if pos else None))
            continue
        if not _same_type(old.type, col.type):
            ops.append(AlterColumnType(t, replace(old, name=col.name), col))
        if old.nullable and not col.nullable:
            ops.append(SetNotNull(t, col))
        elif not old.nullable and col.nullable:
            ops.append(DropNotNull(t, col))
        if old.default != col.default and not col.identity:
            if col.default is None:
                ops.append(DropDefault(t, col, old=old.default))
            else:
                ops.append(SetDefault(t, col, col.default, old=old.default))
    if _pk_key(a.primary_key) != _pk_key(b.primary_key):
        if a.primary_key is not None:
            ops.append(DropPrimaryKey(t, old=a.primary_key))
        if b.primary_key is not None:
            ops.append(AddPrimaryKey(t, b.primary_key))
    ops += _diff_set(t, a.uniques, b.uniques, _unique_key, DropUnique, AddUnique)
    ops += _diff_set(t, a.foreign_keys, b.foreign_keys, _fk_key, DropForeignKey, AddForeignKey)
    ops += _diff_set(t, a.checks, b.checks, _check_key, DropCheck, AddCheck)
    ops += _diff_set(t, a.indexes, b.indexes, _index_key, DropIndex, CreateIndex)
    if a.partitioning != b.partitioning:
        ops.append(ChangePartitioning(t, a.partitioning, b.partitioning))
    return ops


def _diff_set(
    t: Name, old: tuple[Any, ...], new: tuple[Any, ...], key: Callable[[Any], object], drop: Any, add: Any
) -> list[Op]:
    old_keys = {key(x) for x in old}
    new_keys = {key(x) for x in new}
    ops: list[Op] = [drop(t, x.name, old=x) for x in old if key(x) not in new_keys]
    ops += [add(t, x) for x in new if key(x) not in old_keys]
    return ops


def _diff_enums(a: Catalog, b: Catalog, *, strict: bool) -> list[Op]:
    ea, eb = _enum_types(a), _enum_types(b)
    ops: list[Op] = []
    for name, (values, _users) in eb.items():
        if name not in ea:
            ops.append(CreateEnum(_users[0][1].type.type_name or name, values))
    for name, (values, users) in ea.items():
        if name not in eb:
            ops.append(DropEnum(users[0][1].type.type_name or name, old=values))
            continue
        new_values, new_users = eb[name]
        if values == new_values:
            continue
        kept = [v for v in new_values if v in values]
        if kept != list(values):
            if not strict:
                continue  # the up-plan's reverse() already said this cannot be undone
            raise UnsupportedError(
                Diagnostic(
                    f"enum type {name}: values removed or reordered ({', '.join(values)} -> "
                    f"{', '.join(new_values)})",
                    hint="only appending values is planned; re-create the type and convert the columns "
                    "by hand",
                )
            )
        type_name = new_users[0][1].type.type_name or name
        for i, v in enumerate(new_values):
            if v not in values:
                ops.append(
                    AddEnumValue(
                        type_name,
                        v,
                        new_values[i - 1] if i else None,
                        columns=tuple((t.name, c) for t, c in new_users),
                        old_columns=tuple((t.name, c) for t, c in users),
                    )
                )
    return ops


def compare(current: Catalog, target: Catalog, renames: Mapping[str, str] | None = None) -> tuple[Op, ...]:
    """The operations that turn ``current`` into ``target``, in an order they can run."""
    return _compare(current, target, renames, strict_enums=True)


def _compare(
    current: Catalog, target: Catalog, renames: Mapping[str, str] | None, *, strict_enums: bool
) -> tuple[Op, ...]:
    tables, columns = _split_renames(current, renames)
    renamed, ops = _apply_renames(current, target, tables, columns)
    for t in renamed.tables:
        other = target.table(t.name)
        if other is None:
            ops.append(DropTable(t.name, old=t))
        else:
            ops += _diff_table(t, other)
    ops += [CreateTable(t) for t in target.tables if renamed.table(t.name) is None]
    ops += _diff_enums(renamed, target, strict=strict_enums)
    new_views = {v.name.key: v for v in target.views}
    old_views = {v.name.key: v for v in renamed.views}
    # Engines refuse to change the type of a column a view reads: such views are re-created around
    # the change (a view reading the table is assumed to read the column; the query is text here).
    retyped = {op.table.key for op in ops if isinstance(op, AlterColumnType)}
    dropped = {
        key
        for key, v in old_views.items()
        if key not in new_views
        or _view_key(new_views[key]) != _view_key(v)
        or any(_view_reads(v, t) for t in retyped)
    }
    # A view reading a dropped view goes with it (the engine refuses to drop it first, or the
    # reader breaks) and comes back after it when the target keeps it.
    while True:
        readers = {
            k for k, v in old_views.items() if k not in dropped and any(_view_reads(v, d) for d in dropped)
        }
        if not readers:
            break
        dropped |= readers
    # Drops readers first, creates what is read first.
    for v in reversed(view_order(list(old_views.values()))):
        if v.name.key in dropped:
            ops.append(DropView(v.name, old=v))
    for v in view_order(list(new_views.values())):
        if v.name.key not in old_views or v.name.key in dropped:
            ops.append(CreateView(v))
    return order_operations(ops, renamed, target)


def view_order(views: list[View]) -> list[View]:
    """``views`` with every view after the views its query reads (declaration order otherwise;
    a cycle, which no engine accepts, keeps its members' order)."""
    out: list[View] = []
    placed: set[str] = set()
    pending = list(views)
    while pending:
        ready = [
            v
            for v in pending
            if not any(
                o.name.key not in placed and o is not v and _view_reads(v, o.name.key) for o in pending
            )
        ]
        for v in ready or pending[:1]:
            out.append(v)
            placed.add(v.name.key)
            pending.remove(v)
    return out


def _view_reads(view: View, table_key: str) -> bool:
    words = "".join(ch if ch.isalnum() or ch == "_" else " " for ch in view.query.lower()).split()
    return table_key.lower() in words


def unplanned_differences(
    current: Catalog, target: Catalog, renames: Mapping[str, str] | None
) -> tuple[str, ...]:
    """Differences no operation covers (so the plan can say so instead of silently dropping them):
    identity and generated-column changes, and comments."""
    tables, columns = _split_renames(current, renames)
    renamed, _ = _apply_renames(current, target, tables, columns)
    out: list[str] = []
    for t in renamed.tables:
        other = target.table(t.name)
        if other is None:
            continue
        if (t.comment or None) != (other.comment or None):
            out.append(f"comment of table {t.name} changes (comments are not migrated)")
        for c in t.columns:
            o = other.column(c.name)
            if o is None:
                continue
            if c.identity != o.identity:
                out.append(
                    f"{t.name}.{c.name} {'becomes' if o.identity else 'stops being'} an identity column"
                )
            if c.generated != o.generated:
                out.append(f"{t.name}.{c.name}: its generated expression changes")
            if (c.comment or None) != (o.comment or None):
                out.append(f"comment of {t.name}.{c.name} changes (comments are not migrated)")
    return tuple(out)


def inverse_renames(current: Catalog, target: Catalog, renames: Mapping[str, str] | None) -> dict[str, str]:
    """``renames`` (keys in ``current``) as seen from ``target`` back to ``current``."""
    out: dict[str, str] = {}
    tables, columns = _split_renames(current, renames)
    for old_key, new in tables.items():
        old = current.table(old_key)
        assert old is not None
        out[new.value] = old.name.value
    for table_key, cols in columns.items():
        old_table = current.table(table_key)
        assert old_table is not None
        table_name = tables.get(table_key, old_table.name)
        for old_col_key, new in cols.items():
            old_col = old_table.column(old_col_key)
            assert old_col is not None
            out[f"{table_name.value}.{new.value}"] = old_col.name.value
    return out


def compare_back(current: Catalog, target: Catalog, renames: Mapping[str, str] | None) -> tuple[Op, ...]:
    """The operations from ``target`` back to ``current`` (the down-plan), renames inverted; enum
    values cannot be removed (see :class:`~dbarchitect.model.ops.AddEnumValue`) and are left."""
    return _compare(target, current, inverse_renames(current, target, renames), strict_enums=False)


# -- order --------------------------------------------------------------------------------------------

_RANK: dict[type, int] = {
    RenameTable: 0,
    RenameColumn: 1,
    DropView: 2,
    DropForeignKey: 3,
    DropIndex: 4,
    DropUnique: 4,
    DropCheck: 4,
    DropPrimaryKey: 5,
    DropNotNull: 6,
    DropDefault: 6,
    CreateEnum: 7,
    AddEnumValue: 7,
    CreateTable: 8,
    AddColumn: 9,
    AlterColumnType: 10,
    SetDefault: 11,
    SetNotNull: 12,
    AddPrimaryKey: 13,
    AddUnique: 14,
    CreateIndex: 15,
    AddCheck: 16,
    AddForeignKey: 17,
    ChangePartitioning: 18,
    CreateView: 19,
    DropColumn: 20,
    DropTable: 21,
    DropEnum: 22,
}

#: Operations from this rank on throw data away: the contract phase.
CONTRACT_RANK = _RANK[DropColumn]


def rank(op: Op) -> int:
    return _RANK[type(op)]


def order_operations(ops: Iterable[Op], current: Catalog, target: Catalog) -> tuple[Op, ...]:
    """Sort ``ops`` so each can run: by kind (see the module docstring); new tables in the target's
    dependency order, dropped tables in the reverse of the current one's; stable otherwise."""
    create_pos = {t.name.key: i for i, t in enumerate(target.dependency_order())}
    drop_pos = {t.name.key: -i for i, t in enumerate(current.dependency_order())}
    listed = list(ops)

    def sort_key(item: tuple[int, Op]) -> tuple[int, int, int]:
        i, op = item
        sub = 0
        if isinstance(op, CreateTable):
            sub = create_pos.get(op.table.name.key, 0)
        elif isinstance(op, DropTable):
            sub = drop_pos.get(op.name.key, 0)
        return (rank(op), sub, i)

    return tuple(op for _, op in sorted(enumerate(listed), key=sort_key))
