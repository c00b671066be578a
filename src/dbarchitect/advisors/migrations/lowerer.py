"""The main lowering loop: each operation to its steps, SQLite's table rebuilds, the order of phases."""

from __future__ import annotations

from dataclasses import replace

from dbarchitect.advisors.migrations.diff import (
    CONTRACT_RANK,
    rank,
    view_order,
)
from dbarchitect.advisors.migrations.lower_columns import ColumnLowering
from dbarchitect.advisors.migrations.lower_constraints import ConstraintLowering
from dbarchitect.advisors.migrations.repartition import repartition
from dbarchitect.advisors.migrations.steps import PHASES, Phase, Step
from dbarchitect.engines.ddl import (
    _comments_sql,
    _Notes,
    create_index_sql,
    create_table_sql,
    create_view_sql,
    default_sql,
    partitions_sql,
)
from dbarchitect.engines.naming import expression_columns
from dbarchitect.engines.traits import DdlKind
from dbarchitect.model.catalog import Table
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
    describe,
    op_table,
)


def restated_column(op: object) -> tuple[Name, Name] | None:
    """(table, column) of a column change an engine that restates whole columns (MySQL/MariaDB's
    MODIFY COLUMN) writes out in full: a type or NULL change."""
    if isinstance(op, AlterColumnType):
        return op.table, op.column
    if isinstance(op, SetNotNull | DropNotNull):
        return op.table, op.column.name
    return None


class Lowerer(ColumnLowering, ConstraintLowering):
    """Operations -> steps for one engine: the main loop, table rebuilds and the dispatch per op."""

    def lower(self) -> list[Step]:
        # A table whose partitioning changes is re-created and its rows copied (repartition.py): every
        # other change to it is part of the new table, and foreign keys to it are added after the swap.
        moved = {op.table.key for op in self.ops if isinstance(op, ChangePartitioning)}
        self.deferred = [
            op for op in self.ops if isinstance(op, AddForeignKey) and op.key.ref_table.key in moved
        ]
        self.ops = [
            op
            for op in self.ops
            if isinstance(op, ChangePartitioning | CreateTable | DropTable | RenameTable)
            or op_table(op) is None
            or op_table(op).key not in moved  # type: ignore[union-attr]
        ]
        self.ops = [op for op in self.ops if not any(op is d for d in self.deferred)]
        if self.f.modify_whole_column:
            # An index defined again under its name: dropped and added in one ALTER TABLE (InnoDB, online),
            # so the name is never taken twice and a foreign key it serves is never left without one.
            created = {(op.table.key, op.index.name.key) for op in self.ops if isinstance(op, CreateIndex)}
            self.redefined = {
                (op.table.key, op.name.key)
                for op in self.ops
                if isinstance(op, DropIndex) and (op.table.key, op.name.key) in created
            }
            self.ops = [
                op
                for op in self.ops
                if not (isinstance(op, DropIndex) and (op.table.key, op.name.key) in self.redefined)
            ]
        # An index a kept foreign key uses is dropped after the indexes are built (one of them may
        # take over the key, and InnoDB refuses to leave a foreign key without an index).
        late = [
            op
            for op in self.ops
            if isinstance(op, DropIndex) and self.serves_kept_foreign_key(self.table_after(op.table), op)
        ]
        if late:
            rest = [op for op in self.ops if not any(op is x for x in late)]
            last = max((i for i, op in enumerate(rest) if isinstance(op, CreateIndex)), default=len(rest) - 1)
            self.ops = rest[: last + 1] + late + rest[last + 1 :]
        rebuilt = self.rebuild_tables()
        if rebuilt:
            self.lower_with_rebuilds(rebuilt)
        else:
            modified: set[tuple[str, str]] = set()
            for op in self.ops:
                restated = restated_column(op) if self.f.modify_whole_column else None
                if restated is not None:
                    # One MODIFY restates the whole column: every change to it in one step, annotated
                    # with the strongest of their facts.
                    table, column = restated
                    key = (table.key, column.key)
                    if key in modified:
                        continue
                    modified.add(key)
                    self.modify_column(table, column)
                    continue
                if isinstance(op, SetNotNull) and (op.table.key, op.column.name.key) in self.expanded:
                    continue  # the expand sequence made the new column NOT NULL already
                self.lower_op(op)
        # Phases run in order (one script each): a type change's switch and contract wait for every
        # other expansion; nothing planned later depends on them (expand_blocker rules that out).
        order = {p: i for i, p in enumerate(PHASES)}
        return sorted(self.steps, key=lambda s: order[s.phase])

    def rebuild_tables(self) -> set[str]:
        if not self.f.rebuild_kinds:
            return set()
        out: set[str] = set()
        for op in self.ops:
            if self.op_kind(op) not in self.f.rebuild_kinds:
                continue
            if isinstance(op, AddEnumValue):
                out |= {t.key for t, _ in op.columns}
            else:
                table = op_table(op)
                if table is not None and table.key not in self.new_tables:
                    out.add(table.key)
        return out

    def lower_with_rebuilds(self, rebuilt: set[str]) -> None:
        views_dropped: list[DropView] = [op for op in self.ops if isinstance(op, DropView)]
        dropped_keys = {op.name.key for op in views_dropped}
        # Views are re-created around rebuilds (a view on a dropped-and-renamed table breaks).
        for v in reversed(view_order(list(self.before.views))):
            if v.name.key not in dropped_keys:
                views_dropped.append(DropView(v.name, old=v))
        for view_op in views_dropped:
            self.lower_op(view_op)
        done: set[str] = set()
        for op in self.ops:
            if isinstance(op, DropView | CreateView):
                continue
            table = op_table(op)
            absorbed = (
                table is not None
                and table.key in rebuilt
                and not isinstance(op, RenameTable | RenameColumn | CreateTable | DropTable)
            )
            if isinstance(op, AddEnumValue):
                for t, _ in op.columns:
                    if t.key not in done:
                        done.add(t.key)
                        self.rebuild(t, op)
                continue
            if absorbed:
                assert table is not None
                if table.key not in done:
                    done.add(table.key)
                    self.rebuild(table, op)
                continue
            self.lower_op(op)
        last = max((s.phase for s in self.steps), key=PHASES.index, default=Phase.EXPAND)
        for v in view_order(list(self.after.views)):
            # Re-created after the last rebuild, whatever its phase.
            self.lower_op(CreateView(v))
            self.steps[-1] = replace(self.steps[-1], phase=last)

    def rebuild(self, name: Name, first: Op) -> None:
        """SQLite's procedure: create the new shape, copy the rows, drop the old table, rename."""
        target = self.table_after(name)
        old = self.before.table(self.old_table.get(name.key, name))
        assert old is not None
        renamed = self.old_column.get(name.key, {})
        now_named = {old_name.key: new_key for new_key, old_name in renamed.items()}
        present = {now_named.get(c.name.key, c.name.key) for c in old.columns}
        copied = [c for c in target.columns if c.name.key in present]
        temp = Name(f"{target.name.value}__rebuild", quoted=target.name.quoted)
        cols = ", ".join(self.q(c.name) for c in copied)
        sql = [
            create_table_sql(replace(target, name=temp), self.t).rstrip(";"),
            f"INSERT INTO {self.q(temp)} ({cols}) SELECT {cols} FROM {self.q(name)}",
            f"DROP TABLE {self.q(name)}",
            f"ALTER TABLE {self.q(temp)} RENAME TO {self.q(name)}",
        ]
        for index in target.indexes:
            built = create_index_sql(target, index, self.t)
            if built is not None:
                sql.append(built.rstrip(";"))
        absorbed = [op for op in self.ops if op_table(op) is not None and op_table(op) == name]
        changes = [describe(op) for op in absorbed]
        checks = [c for c in (self.precheck_for(op) for op in absorbed) if c is not None]
        precheck = ("SELECT " + " + ".join(f"({c})" for c in checks)) if checks else None
        phase = Phase.CONTRACT if rank(first) >= CONTRACT_RANK else Phase.EXPAND
        self.add(
            f"rebuild table {name} ({'; '.join(changes) or describe(first)})",
            DdlKind.TABLE_REBUILD,
            sql,
            table=name,
            phase=phase,
            notes=(
                f"{self.t.label} cannot make this change with ALTER TABLE: the table is re-created and its "
                "rows copied, holding the write lock for the whole copy",
            ),
            rollback=("-- rolled back by the transaction; afterwards use the down-plan",),
            precheck=precheck,
            check_sql=(
                self.f.foreign_key_check_sql.format(table=self.t.literal(name.value))
                if self.f.foreign_key_check_sql and target.foreign_keys
                else None
            ),
        )

    def lower_op(self, op: Op) -> None:
        q, t = self.q, self.t
        kind = self.op_kind(op)
        match op:
            case CreateTable():
                self.create_table(op.table)
            case DropTable():
                self.add(
                    f"drop table {op.name}",
                    kind,
                    [f"DROP TABLE {q(op.name)}"],
                    table=op.name,
                    phase=Phase.CONTRACT,
                    rollback=["-- re-create it from the down-plan; its rows are gone"],
                )
            case RenameTable():
                self.add(
                    describe(op),
                    kind,
                    [self.f.rename_table_sql.format(old=q(op.old_name), new=q(op.new_name))],
                    table=op.new_name,
                    rollback=[self.f.rename_table_sql.format(old=q(op.new_name), new=q(op.old_name))],
                    online=False,
                    notes=(
                        f"running code that still uses {op.old_name} fails from here on: deploy code that "
                        "uses "
                        f"{op.new_name} together with this step, or keep a view named {op.old_name} for the "
                        "transition",
                    ),
                )
            case RenameColumn():
                self.add(
                    describe(op),
                    kind,
                    [self.alter(op.table, f"RENAME COLUMN {q(op.old_name)} TO {q(op.new_name)}")],
                    table=op.table,
                    rollback=[self.alter(op.table, f"RENAME COLUMN {q(op.new_name)} TO {q(op.old_name)}")],
                    notes=(
                        f"running code that uses {op.table}.{op.old_name} fails from here on. Renamed in "
                        "place (metadata only) rather than expand/contract, which would need the application "
                        "to write both names between two deployments; deploy code that reads the new name "
                        "with this step",
                    ),
                )
            case AddColumn():
                self.add_column(op, kind)
            case DropColumn():
                self.add(
                    describe(op),
                    kind,
                    [self.alter(op.table, f"DROP COLUMN {q(op.name)}")],
                    table=op.table,
                    phase=Phase.CONTRACT,
                    rollback=[
                        self.alter(op.table, f"ADD COLUMN {self.col_sql(op.table, op.old)}")
                        if op.old is not None
                        else "-- the old definition is unknown",
                    ],
                )
            case AlterColumnType():
                self.alter_type(op, kind)
            case SetNotNull():
                self.set_not_null(op)
            case DropNotNull():
                sql = self.modify(op.table, op.column) or self.alter(
                    op.table, f"ALTER COLUMN {q(op.column.name)} DROP NOT NULL"
                )
                self.add(describe(op), kind, [sql], table=op.table, rollback=["-- see the down-plan"])
            case SetDefault() | DropDefault():
                col = op.column
                if isinstance(op, SetDefault):
                    rendered = default_sql(op.default, col, t)
                    clause = f"ALTER COLUMN {q(col.name)} SET DEFAULT {rendered}"
                else:
                    clause = f"ALTER COLUMN {q(col.name)} DROP DEFAULT"
                self.add(describe(op), kind, [self.alter(op.table, clause)], table=op.table)
            case AddPrimaryKey():
                self.add_key(op.table, op.key, primary=True)
            case AddUnique():
                self.add_key(op.table, op.unique, primary=False)
            case DropPrimaryKey():
                if self.f.modify_whole_column:
                    clause = "DROP PRIMARY KEY"
                else:
                    clause = f"DROP CONSTRAINT {q(self.pk_name(op.table, op.old))}"
                    looked_up = self.lookup_drop(
                        "primary key", op.table, op.old.name if op.old else None, kind
                    )
                    if looked_up is not None:
                        self.add(describe(op), kind, looked_up, table=op.table)
                        return
                self.add(describe(op), kind, [self.alter(op.table, clause)], table=op.table)
            case DropUnique():
                name = self.unique_name(op.table, op.old, op.name)
                if self.f.modify_whole_column:  # a unique key is an index there
                    clause, kind = f"DROP INDEX {q(name)}", DdlKind.DROP_INDEX_ONLINE
                else:
                    clause = f"DROP CONSTRAINT {q(name)}"
                cols = op.old.columns if op.old else ()
                looked_up = self.lookup_drop("unique", op.table, op.name, kind, columns=cols)
                self.add(describe(op), kind, looked_up or [self.alter(op.table, clause)], table=op.table)
            case AddForeignKey():
                self.add_foreign_key(op)
            case DropForeignKey():
                self.drop_foreign_key(op)
            case AddCheck():
                self.add_check(op)
            case DropCheck():
                name = op.name or Name(self.check_name(op.table, op.old))
                old_table = self.before.table(self.old_table.get(op.table.key, op.table))
                read = (
                    expression_columns(op.old.expression, old_table)
                    if op.old is not None and old_table is not None
                    else None
                )
                looked_up = self.lookup_drop(
                    "check",
                    op.table,
                    op.name,
                    kind,
                    columns=tuple(read) if read is not None else None,
                    check=op.old,
                )
                self.add(
                    describe(op),
                    kind,
                    looked_up or [self.alter(op.table, f"DROP CONSTRAINT {q(name)}")],
                    table=op.table,
                )
            case CreateIndex():
                self.create_index(op)
            case DropIndex():
                self.drop_index(op)
            case CreateView():
                self.add(
                    describe(op),
                    kind,
                    [create_view_sql(op.view, t).rstrip(";")],
                    table=None,
                    rollback=[f"DROP VIEW {q(op.view.name)}"],
                )
            case DropView():
                self.add(describe(op), kind, [f"DROP VIEW {q(op.name)}"], table=None)
            case CreateEnum():
                if self.f.alter_enum_type:
                    values = ", ".join(self.t.literal(v) for v in op.values)
                    self.add(
                        describe(op),
                        kind,
                        [f"CREATE TYPE {q(Name(op.name))} AS ENUM ({values})"],
                        table=None,
                        rollback=[f"DROP TYPE {q(Name(op.name))}"],
                    )
            case DropEnum():
                if self.f.alter_enum_type:
                    self.add(
                        describe(op),
                        kind,
                        [f"DROP TYPE {q(Name(op.name))}"],
                        table=None,
                        phase=Phase.CONTRACT,
                    )
            case AddEnumValue():
                self.add_enum_value(op)
            case ChangePartitioning():
                repartition(self, op, [d for d in self.deferred if d.key.ref_table.matches(op.table)])

    def create_table(self, table: Table) -> None:
        notes = _Notes()
        sql = [create_table_sql(table, self.t, notes=notes).rstrip(";")]
        sql += [s.rstrip(";") for s in partitions_sql(table, self.t)]
        sql += [s.rstrip(";") for s in _comments_sql(table, self.t)]
        for index in table.indexes:
            built = create_index_sql(table, index, self.t, notes=notes)
            if built is not None:
                sql.append(built.rstrip(";"))
        self.add(
            f"create table {table.name}",
            DdlKind.CREATE_TABLE,
            sql,
            table=table.name,
            rollback=[f"DROP TABLE {self.q(table.name)}"],
            notes=tuple(n.message for n in notes.items),
            online=False,
        )
