"""What a migration throws away: type changes that do not widen, dropped columns and tables."""

from __future__ import annotations

from collections.abc import Sequence

from dbarchitect.model.catalog import Catalog, Partition, Partitioning, PartitionMethod
from dbarchitect.model.ops import (
    AlterColumnType,
    ChangePartitioning,
    DropColumn,
    DropTable,
    Op,
)
from dbarchitect.model.types import INTEGER_MAX, LogicalType, TypeKind


def widens(old: LogicalType, new: LogicalType) -> bool:
    """Every value of ``old`` fits ``new`` unchanged."""
    if old == new:
        return True
    if old.is_integer and new.is_integer:
        return INTEGER_MAX[new.kind] >= INTEGER_MAX[old.kind]
    if old.is_integer and new.kind == TypeKind.DECIMAL:
        digits = len(str(INTEGER_MAX[old.kind]))
        return new.precision is None or (new.precision - (new.scale or 0)) >= digits
    if old.kind == new.kind == TypeKind.DECIMAL:
        if new.precision is None:
            return True
        if old.precision is None:
            return False
        return (new.scale or 0) >= (old.scale or 0) and (new.precision - (new.scale or 0)) >= (
            old.precision - (old.scale or 0)
        )
    strings = (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT)
    if old.kind in strings and new.kind in strings:
        if new.kind == TypeKind.TEXT or (new.kind == TypeKind.VARCHAR and new.length is None):
            return True
        return old.kind != TypeKind.TEXT and old.length is not None and (new.length or 0) >= old.length
    if old.kind == TypeKind.REAL and new.kind == TypeKind.DOUBLE:
        return True
    if old.kind == TypeKind.TIMESTAMP and new.kind == TypeKind.TIMESTAMPTZ:
        return True
    if old.kind == TypeKind.DATE and new.kind in (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ):
        return True
    if old.kind == TypeKind.ENUM and new.kind == TypeKind.ENUM:
        return set(old.values) <= set(new.values)
    return old.kind == TypeKind.ENUM and new.kind == TypeKind.TEXT


def partition_changes(
    a: Partitioning | None, b: Partitioning | None
) -> tuple[list[Partition], list[Partition]] | None:
    """The partitions ``b`` adds to ``a`` and the ones it removes, when the partitioning is
    otherwise the same (RANGE or LIST, same key, same bounds for the partitions both have): planned
    as partitions created and detached; ``None`` when the table must be re-partitioned."""
    if a is None or b is None or a.method != b.method or a.method == PartitionMethod.HASH:
        return None
    if [c.key for c in a.columns] != [c.key for c in b.columns]:
        return None
    old = {p.name.key: p for p in a.partitions}
    new = {p.name.key: p for p in b.partitions}
    if any(
        (old[k].bounds, old[k].is_default) != (new[k].bounds, new[k].is_default)
        for k in old.keys() & new.keys()
    ):
        return None
    return [p for p in b.partitions if p.name.key not in old], [
        p for p in a.partitions if p.name.key not in new
    ]


def data_losses(ops: Sequence[Op], current: Catalog) -> tuple[str, ...]:
    """What each data-losing operation throws away, in the user's names."""
    out: list[str] = []
    for op in ops:
        if isinstance(op, DropTable):
            t = current.table(op.name)
            rows = t.stats.rows if t is not None and t.stats is not None else None
            size = f" ({rows:,.0f} rows)" if rows is not None else ""
            out.append(f"drop table {op.name}: every row{size}")
        elif isinstance(op, DropColumn):
            out.append(f"drop column {op.table}.{op.name}: its values in every row")
        elif isinstance(op, ChangePartitioning):
            changes = partition_changes(op.old, op.new)
            out += [
                f"drop partition {p.name} of {op.table}: its rows" for p in (changes[1] if changes else [])
            ]
        elif isinstance(op, AlterColumnType) and not widens(op.old_type, op.new_type):
            out.append(
                f"change {op.table}.{op.column} from {op.old_type} to {op.new_type}: values that do not fit "
                "are cut or fail the change"
            )
    return tuple(out)


# -- lowering -----------------------------------------------------------------------------------------
