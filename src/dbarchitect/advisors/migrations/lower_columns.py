"""Lowering of column operations: add column, type change, NOT NULL, MODIFY COLUMN, enum values."""

from __future__ import annotations

from dataclasses import replace

from dbarchitect.advisors.migrations.lowering import Lowering
from dbarchitect.advisors.migrations.steps import Phase
from dbarchitect.engines.ddl import default_sql
from dbarchitect.engines.quoting import dollar_quoted
from dbarchitect.engines.traits import DdlKind
from dbarchitect.model.catalog import Column
from dbarchitect.model.names import Name
from dbarchitect.model.ops import (
    AddColumn,
    AddEnumValue,
    AlterColumnType,
    DropNotNull,
    SetNotNull,
    describe,
)
from dbarchitect.model.types import TypeKind


class ColumnLowering(Lowering):
    """Column changes: add (with the volatile-default expand), type changes (with the sync-trigger
    expand/contract), NOT NULL (proven by a check), MODIFY COLUMN, enum values."""

    def modify_column(self, table: Name, column: Name) -> None:
        strength = [
            DdlKind.ALTER_TYPE_REWRITE,
            DdlKind.ENUM_ADD_VALUE,
            DdlKind.SET_NOT_NULL,
            DdlKind.ALTER_TYPE_METADATA,
            DdlKind.DROP_NOT_NULL,
        ]
        ops = [
            op
            for op in self.ops
            if isinstance(op, AlterColumnType | SetNotNull | DropNotNull)
            and op.table.key == table.key
            and (op.column if isinstance(op, AlterColumnType) else op.column.name).key == column.key
        ]
        kinds = {self.op_kind(op) for op in ops}
        kind = next(k for k in strength if k in kinds)
        target = self.table_after(table).column(column)
        assert target is not None
        sql = self.modify(table, target)
        assert sql is not None
        precheck = self.nulls_sql(table, [column]) if any(isinstance(op, SetNotNull) for op in ops) else None
        self.add("; ".join(describe(op) for op in ops), kind, [sql], table=table, precheck=precheck)

    def add_column(self, op: AddColumn, kind: DdlKind) -> None:
        q = self.q
        clause = f"ADD COLUMN {self.col_sql(op.table, op.column)}"
        if self.f.modify_whole_column:
            clause += f" AFTER {q(op.after)}" if op.after is not None else " FIRST"
        else:
            target = self.table_after(op.table)
            if target.columns and not target.columns[-1].name.matches(op.column.name):
                self.reordered.append(op.table.value)
        notes = []
        if not op.column.nullable and op.column.default is None and not op.column.identity:
            notes.append(
                f"{op.table}.{op.column.name} is NOT NULL without a default: this fails if the table has "
                "rows; "
                "add it nullable, backfill in batches, then set NOT NULL"
            )
        volatile = (
            kind == DdlKind.ADD_COLUMN_REWRITE
            and op.column.default is not None
            and not op.column.identity
            and op.column.generated is None
        )
        if volatile and self.f.sync_trigger and op.table.key not in self.new_tables:
            self.expand_volatile_default(op)
            return
        if kind == DdlKind.ADD_COLUMN_REWRITE and not self.f.rebuild_kinds:
            notes.append(
                f"the default of {op.table}.{op.column.name} is computed per row (or it is an identity): the "
                "table is rewritten under the lock; for a big table add it without the default, set the "
                "default, then backfill in batches"
            )
        self.add(
            describe(op),
            kind,
            [self.alter(op.table, clause)],
            table=op.table,
            rollback=[self.alter(op.table, f"DROP COLUMN {q(op.column.name)}")],
            notes=notes,
        )

    def expand_volatile_default(self, op: AddColumn) -> None:
        """A default computed per row would rewrite the table under ACCESS EXCLUSIVE: add the column
        bare (metadata only), give new rows the default, backfill old rows in batches, then NOT NULL
        through a validated check."""
        q = self.q
        table, col = op.table, op.column
        assert col.default is not None
        bare = self.col_sql(table, replace(col, default=None, nullable=True))
        value = default_sql(col.default, col, self.t)
        self.add(
            f"expand: add {table}.{col.name} without its per-row default (no rewrite)",
            DdlKind.ADD_COLUMN,
            [self.alter(table, f"ADD COLUMN {bare}")],
            table=table,
            rollback=[self.alter(table, f"DROP COLUMN {q(col.name)}")],
        )
        self.add(
            f"expand: new rows of {table} get {col.name} DEFAULT {value}",
            DdlKind.SET_DEFAULT,
            [self.alter(table, f"ALTER COLUMN {q(col.name)} SET DEFAULT {value}")],
            table=table,
        )
        recipe = self.backfill(table, f"{q(col.name)} = {value}", f"{q(col.name)} IS NULL")
        self.add(
            f"backfill: compute {table}.{col.name} for existing rows, {recipe.summary}",
            DdlKind.BACKFILL,
            recipe.sql,
            table=table,
            phase=Phase.BACKFILL,
            repeat=recipe.repeat_until_no_rows,
            transactional=recipe.transactional,
            session=recipe.session_sql,
            check_sql=f"SELECT count(*) = 0 FROM {q(table)} WHERE {q(col.name)} IS NULL",
            notes=recipe.notes,
        )
        if not col.nullable:
            self.not_null_via_check(table, col.name, Phase.BACKFILL)

    def alter_type(self, op: AlterColumnType, kind: DdlKind) -> None:
        q = self.q
        if self.f.modify_whole_column:
            sql = self.modify(op.table, op.new)
            assert sql is not None
            self.add(describe(op), kind, [sql], table=op.table, rollback=["-- see the down-plan"])
            return
        type_text = self.type_text(op.table, op.new)
        direct = self.alter(
            op.table,
            f"ALTER COLUMN {q(op.column)} TYPE {type_text} USING {self.using(op, type_text)}",
        )
        statements = [direct, *self.sequence_follows(op, type_text)]
        if kind == DdlKind.ALTER_TYPE_METADATA:
            self.add(describe(op), kind, statements, table=op.table, rollback=["-- see the down-plan"])
            return
        if op.old.default is not None and not op.old.identity:
            # PostgreSQL casts the old default to the new type with the column and refuses where no
            # implicit cast exists ('new'::varchar to an enum: "default for column cannot be cast
            # automatically"): the default comes off first and the target's goes on after, in the step.
            restore = default_sql(op.new.default, op.new, self.t) if op.new.default is not None else None
            statements = [
                self.alter(op.table, f"ALTER COLUMN {q(op.column)} DROP DEFAULT"),
                direct,
                *(
                    [self.alter(op.table, f"ALTER COLUMN {q(op.column)} SET DEFAULT {restore}")]
                    if restore
                    else []
                ),
                *statements[1:],
            ]
        blocker = self.expand_blocker(op)
        if blocker is not None or not self.f.sync_trigger:
            self.add(
                describe(op),
                kind,
                statements,
                table=op.table,
                rollback=["-- see the down-plan"],
                notes=(f"rewrites the table under {self.fact(kind).lock}; not expanded because {blocker}",),
            )
            return
        self.expand_type_change(op, type_text)

    def using(self, op: AlterColumnType, type_text: str) -> str:
        """The USING expression of a type change: a cast, through the old value's text when a type
        with no neutral kind is involved and no direct cast between the two is known (PostgreSQL
        converts any type to and from text by its input/output functions; ``int4range`` to
        ``int8range`` has no cast of its own)."""
        column = self.q(op.column)
        old, new = op.old.type, op.new.type
        textual = (TypeKind.TEXT, TypeKind.VARCHAR, TypeKind.CHAR)
        direct = (
            TypeKind.NATIVE not in (old.kind, new.kind)
            or old.kind in textual
            or new.kind in textual
            or old.native_base == new.native_base
            or {old.native_base, new.native_base} == {"inet", "cidr"}
        )
        return f"{column}::{type_text}" if direct else f"{column}::text::{type_text}"

    def sequence_follows(self, op: AlterColumnType, type_text: str) -> list[str]:
        """The statement that gives a serial or identity column's sequence the column's new integer
        type (its range is the point of widening it), when the engine keeps the two apart."""
        if not (self.f.sequence_follows_type_sql and op.new.identity and op.new.type.is_integer):
            return []
        t = self.t
        # pg_get_serial_sequence takes the column as stored (case kept), the table as SQL text.
        column = op.column.value if t.needs_quotes(op.column) else op.column.value.lower()
        return [
            self.f.sequence_follows_type_sql.format(
                table=t.literal(self.q(op.table)), column=t.literal(column), type=type_text
            )
        ]

    def type_text(self, table: Name, column: Column) -> str:
        if column.type.kind == TypeKind.ENUM and self.t.features.named_enum_types:
            return self.q(Name(column.type.type_name or f"{table.value}_{column.name.value}".lower()))
        return self.t.type_sql(column.type)

    def expand_blocker(self, op: AlterColumnType) -> str | None:
        """Why a type change cannot be done by expand/contract here (None: it can)."""
        table = self.table_after(op.table)
        before = self.before.table(self.old_table.get(op.table.key, op.table))
        c = op.column
        if TypeKind.NATIVE in (op.old.type.kind, op.new.type.kind):
            # the copy assigns old values to the new column: only a USING cast is known to convert
            return (
                f"the tool does not know how {op.old.type} converts to {op.new.type} except by a USING cast"
            )
        for t in (table, before):
            if t is None:
                continue
            if t.primary_key and any(x.matches(c) for x in t.primary_key.columns):
                return f"{c} is in the primary key (keys, and foreign keys to them, would move too)"
            if any(any(x.matches(c) for x in u.columns) for u in t.uniques):
                return f"{c} is in a unique constraint"
            if any(any(x.matches(c) for x in fk.columns) for fk in t.foreign_keys):
                return f"{c} is in a foreign key"
            if any(any(x.matches(c) for x in i.columns + i.include) for i in t.indexes):
                return f"{c} is indexed"
            if t.checks:
                return f"{t.name} has check constraints that may use {c}"
        for other in self.after.tables:
            for fk in other.foreign_keys:
                if fk.ref_table.matches(op.table) and any(x.matches(c) for x in fk.ref_columns):
                    return f"{other.name} references {c}"
        if op.new.default is not None or op.old.default is not None or op.new.identity:
            return f"{c} has a default or is an identity"
        if self.after.views or self.before.views:
            return "views may read the column"
        return None

    def expand_type_change(self, op: AlterColumnType, type_text: str) -> None:
        q = self.q
        table, col = op.table, op.column
        new = Name(f"{col.value}__new")
        old = Name(f"{col.value}__old")
        fn = Name(f"{table.value}_{col.value}_sync")
        self.reordered.append(table.value)
        self.expanded.add((table.key, col.key))
        self.add(
            f"expand: add {table}.{new} {op.new_type} beside {col}",
            DdlKind.ADD_COLUMN,
            [self.alter(table, f"ADD COLUMN {q(new)} {type_text}")],
            table=table,
            rollback=[self.alter(table, f"DROP COLUMN {q(new)}")],
            notes=(f"{col} moves to the end of {table} (the engine cannot place a column)",),
        )
        self.add(
            f"expand: keep {table}.{new} in sync with {col} on every write",
            DdlKind.CREATE_TRIGGER,
            [
                f"CREATE FUNCTION {q(fn)}() RETURNS trigger LANGUAGE plpgsql AS "
                + dollar_quoted(f" BEGIN NEW.{q(new)} := NEW.{q(col)}; RETURN NEW; END "),
                f"CREATE TRIGGER {q(fn)} BEFORE INSERT OR UPDATE ON {q(table)} FOR EACH ROW "
                f"EXECUTE FUNCTION {q(fn)}()",
            ],
            table=table,
            rollback=[f"DROP TRIGGER IF EXISTS {q(fn)} ON {q(table)}", f"DROP FUNCTION IF EXISTS {q(fn)}()"],
        )
        # Compared as text: some types have no equality operator (json, xml, point...), and a value
        # and its copy write the same text.
        pending = f"{q(new)}::text IS DISTINCT FROM ({q(col)}::{type_text})::text"
        recipe = self.backfill(table, f"{q(new)} = {q(col)}", pending)
        self.add(
            f"backfill: copy {table}.{col} into {new}, {recipe.summary}",
            DdlKind.BACKFILL,
            recipe.sql,
            table=table,
            phase=Phase.BACKFILL,
            repeat=recipe.repeat_until_no_rows,
            transactional=recipe.transactional,
            session=recipe.session_sql,
            check_sql=(f"SELECT count(*) = 0 FROM {q(table)} WHERE {pending}"),
            notes=recipe.notes,
        )
        self.add(
            f"vacuum: clear the backfill's dead rows from {table} before the switch",
            DdlKind.VACUUM,
            [f"VACUUM (ANALYZE) {q(table)}"],
            table=table,
            phase=Phase.BACKFILL,
            transactional=False,
            notes=(
                "without it autovacuum starts on the freshly backfilled table and the switch's lock request "
                "waits behind it until deadlock_timeout, stalling every write meanwhile (measured: 1 s at "
                "5M rows; 16 ms with the table vacuumed)",
            ),
        )
        if not op.new.nullable:
            self.not_null_via_check(table, new, Phase.BACKFILL)
        self.add(
            f"switch: {table}.{new} becomes {col}",
            DdlKind.RENAME_COLUMN,
            [
                f"DROP TRIGGER {q(fn)} ON {q(table)}",
                f"DROP FUNCTION {q(fn)}()",
                self.alter(table, f"RENAME COLUMN {q(col)} TO {q(old)}"),
                self.alter(table, f"RENAME COLUMN {q(new)} TO {q(col)}"),
            ],
            table=table,
            phase=Phase.CONTRACT,
            rollback=[
                self.alter(table, f"RENAME COLUMN {q(col)} TO {q(new)}"),
                self.alter(table, f"RENAME COLUMN {q(old)} TO {q(col)}"),
            ],
        )
        self.add(
            f"contract: drop the old {table}.{old}",
            DdlKind.DROP_COLUMN,
            [self.alter(table, f"DROP COLUMN {q(old)}")],
            table=table,
            phase=Phase.CONTRACT,
            rollback=["-- the old column's values are gone; the down-plan converts back"],
        )

    def set_not_null(self, op: SetNotNull) -> None:
        q = self.q
        nulls = self.nulls_sql(op.table, [op.column.name])
        if self.f.modify_whole_column:
            sql = self.modify(op.table, op.column)
            assert sql is not None
            self.add(describe(op), DdlKind.SET_NOT_NULL, [sql], table=op.table, precheck=nulls)
            return
        if self.f.not_null_proven_by_check and op.table.key not in self.new_tables:
            self.not_null_via_check(op.table, op.column.name, Phase.EXPAND, precheck=nulls)
            return
        self.add(
            describe(op),
            DdlKind.SET_NOT_NULL,
            [self.alter(op.table, f"ALTER COLUMN {q(op.column.name)} SET NOT NULL")],
            table=op.table,
            rollback=[self.alter(op.table, f"ALTER COLUMN {q(op.column.name)} DROP NOT NULL")],
            precheck=nulls,
        )

    def not_null_via_check(
        self, table: Name, column: Name, phase: Phase, *, precheck: str | None = None
    ) -> None:
        q = self.q
        check = Name(f"{table.value}_{column.value}_not_null")
        self.add(
            f"set {table}.{column} NOT NULL (1/4): CHECK ({column} IS NOT NULL) NOT VALID",
            DdlKind.ADD_CHECK_NOT_VALID,
            [self.alter(table, f"ADD CONSTRAINT {q(check)} CHECK ({q(column)} IS NOT NULL) NOT VALID")],
            table=table,
            phase=phase,
            rollback=[self.alter(table, f"DROP CONSTRAINT IF EXISTS {q(check)}")],
            precheck=precheck,
        )
        self.add(
            f"set {table}.{column} NOT NULL (2/4): validate the check while writes go on",
            DdlKind.VALIDATE_CHECK,
            [self.alter(table, f"VALIDATE CONSTRAINT {q(check)}")],
            table=table,
            phase=phase,
            rollback=[self.alter(table, f"DROP CONSTRAINT IF EXISTS {q(check)}")],
            notes=(f"fails if a row has {column} NULL: backfill those rows first",),
        )
        self.add(
            f"set {table}.{column} NOT NULL (3/4): SET NOT NULL, proven by the check (no scan)",
            DdlKind.SET_NOT_NULL_PROVEN,
            [self.alter(table, f"ALTER COLUMN {q(column)} SET NOT NULL")],
            table=table,
            phase=phase,
            rollback=[self.alter(table, f"ALTER COLUMN {q(column)} DROP NOT NULL")],
        )
        self.add(
            f"set {table}.{column} NOT NULL (4/4): drop the helper check",
            DdlKind.DROP_CONSTRAINT,
            [self.alter(table, f"DROP CONSTRAINT {q(check)}")],
            table=table,
            phase=phase,
        )

    def add_enum_value(self, op: AddEnumValue) -> None:
        q = self.q
        if self.f.alter_enum_type:
            where = f" AFTER {self.t.literal(op.after)}" if op.after is not None else ""
            if op.after is None and op.columns:
                first = op.columns[0][1].type.values
                where = f" BEFORE {self.t.literal(first[1])}" if len(first) > 1 else ""
            self.add(
                describe(op),
                DdlKind.ENUM_ADD_VALUE,
                [f"ALTER TYPE {q(Name(op.name))} ADD VALUE {self.t.literal(op.value)}{where}"],
                table=None,
                transactional=False,
                notes=(
                    "the new value cannot be used in the transaction that adds it; it cannot be removed "
                    "later",
                ),
            )
            return
        for table, column in op.columns:
            sql = self.modify(table, column)
            if sql is not None:
                self.add(f"{describe(op)}: {table}.{column.name}", DdlKind.ENUM_ADD_VALUE, [sql], table=table)
