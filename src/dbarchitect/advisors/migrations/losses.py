"""What a migration throws away: type changes that do not widen, dropped columns and tables."""

from __future__ import annotations

from collections.abc import Sequence

from dbarchitect.model.catalog import Catalog
from dbarchitect.model.ops import (
    AlterColumnType,
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
        elif isinstance(op, AlterColumnType) and not widens(op.old_type, op.new_type):
            out.append(
                f"change {op.table}.{op.column} from {op.old_type} to {op.new_type}: values that do not fit "
                "are cut or fail the change"
            )
    return tuple(out)


# -- lowering -----------------------------------------------------------------------------------------
