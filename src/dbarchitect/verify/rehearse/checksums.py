"""The data check: row count and a checksum per kept column (md5 of the column's text values in key
order) of every table, limited to the rows that existed before the rehearsal, compared before and
after the plan (following its renames, casting type-changed columns back to their old type)."""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.advisors.migrations.plan import MigrationPlan
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, Column, Table
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.ops import DropColumn, DropTable, RenameColumn, RenameTable
from dbarchitect.verify.rehearse.rows import order_key, single_key
from dbarchitect.verify.rehearse.scratch import ScratchDb


@dataclass(frozen=True)
class KeptTable:
    """A table whose rows must survive, its name after the plan, and old -> new column names."""

    table: Table
    after_name: Name
    columns: tuple[tuple[Column, Name], ...]


def kept_columns(plan: MigrationPlan, catalog: Catalog) -> list[KeptTable]:
    """Every table and column of ``catalog`` the plan keeps (following its renames)."""
    dropped_tables = {op.name.key for op in plan.operations if isinstance(op, DropTable)}
    table_renames = {op.old_name.key: op.new_name for op in plan.operations if isinstance(op, RenameTable)}
    out: list[KeptTable] = []
    for table in catalog.tables:
        if table.name.key in dropped_tables:
            continue
        after = table_renames.get(table.name.key, table.name)
        dropped = {
            op.name.key
            for op in plan.operations
            if isinstance(op, DropColumn) and (op.table.matches(table.name) or op.table.matches(after))
        }
        renamed = {
            op.old_name.key: op.new_name
            for op in plan.operations
            if isinstance(op, RenameColumn) and (op.table.matches(table.name) or op.table.matches(after))
        }
        cols = tuple((c, renamed.get(c.name.key, c.name)) for c in table.columns if c.name.key not in dropped)
        out.append(KeptTable(table, after, cols))
    return out


def comparable_text(db: ScratchDb, expr: str, traits: EngineTraits, column: Column | None = None) -> str:
    """``expr`` as comparable text; with ``column`` (its type before a type change), cast back first."""
    if db.family == EngineName.POSTGRESQL:
        if column is not None:
            expr = f"({expr})::{traits.type_sql(column.type)}"
        return f"coalesce(({expr})::text, '~null~')"
    return f"coalesce(cast({expr} as char), '~null~')"


def checksums(
    db: ScratchDb,
    kept: KeptTable,
    after: bool,
    limit: int | None,
    traits: EngineTraits,
    type_changed: set[tuple[str, str]],
) -> tuple[int, dict[str, str | None]]:
    """Row count and md5 per column of the kept rows (keys up to ``limit`` when given)."""
    q = traits.quote
    table = kept.after_name if after else kept.table.name
    names = {c.name.key: new for c, new in kept.columns}
    order = ", ".join(q(names.get(n.key, n) if after else n) for n in order_key(kept.table))
    exprs: list[str] = []
    for col, new in kept.columns:
        name = q(new if after else col.name)
        cast = col if after and (kept.table.name.key, col.name.key) in type_changed else None
        text = comparable_text(db, name, traits, cast)
        if db.family == EngineName.POSTGRESQL:
            exprs.append(f"md5(string_agg({text}, ',' ORDER BY {order}))")
        else:
            exprs.append(f"md5(group_concat({text} ORDER BY {order} SEPARATOR ','))")
    key = single_key(kept.table)
    where = ""
    if limit is not None and key is not None:
        where = f" WHERE {q(names[key.name.key] if after else key.name)} <= {int(limit)}"
    if db.family != EngineName.POSTGRESQL:
        db.execute("SET SESSION group_concat_max_len = 4294967295")
    row = db.query(f"SELECT count(*), {', '.join(exprs)} FROM {q(table)}{where}")[0]
    return int(row[0]), {c.name.value: v for (c, _), v in zip(kept.columns, row[1:], strict=True)}
