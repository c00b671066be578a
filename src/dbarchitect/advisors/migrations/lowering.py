"""The lowering's shared base: engine facts, sizes and durations, how a step is built, the
read-only prechecks run against live data, and which kind of DDL each operation is."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from dbarchitect.advisors.migrations.backfill import Backfill, backfill, pacing_for
from dbarchitect.advisors.migrations.losses import widens
from dbarchitect.advisors.migrations.steps import Phase, Step
from dbarchitect.engines.ddl import (
    _Notes,
    column_sql,
    expression_sql,
)
from dbarchitect.engines.traits import DdlKind, EngineTraits, LockFact
from dbarchitect.model.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    DefaultKind,
    ForeignKey,
    Table,
    TableStats,
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
from dbarchitect.model.types import TypeKind

_VOLATILE = ("random(", "rand(", "gen_random_uuid(", "uuid_generate", "clock_timestamp(", "nextval(", "uuid(")


class Lowering:
    """Operations -> steps for one engine, between two catalogs (``before`` and ``after``): the
    state, the engine facts and sizes, step building, read-only prechecks and the kinds of ops."""

    def __init__(
        self,
        traits: EngineTraits,
        before: Catalog,
        after: Catalog,
        ops: Sequence[Op],
        sizes: Mapping[str, float | TableStats] | None,
        implied: frozenset[tuple[str, str]] = frozenset(),
        after_implied: frozenset[tuple[str, str]] = frozenset(),
    ) -> None:
        self.t = traits
        #: (table key, name key) of ``before``'s names derived by the engine's rule, not read from a
        #: database: dropped by looking the real name up (``traits.drop_unknown_constraint``).
        self.implied = implied
        #: The same for ``after``: names its schema left to the engine.
        self.after_implied = after_implied
        self.f = traits.migration
        self.q = traits.quote
        self.before = before
        self.after = after
        self.ops = ops
        self.sizes = sizes or {}
        self.new_tables = {op.table.name.key for op in ops if isinstance(op, CreateTable)}
        #: Foreign keys to a table whose partitioning changes: added after its swap.
        self.deferred: list[AddForeignKey] = []
        self.steps: list[Step] = []
        #: (table, column) pairs whose type change was planned as expand/contract.
        self.expanded: set[tuple[str, str]] = set()
        #: (table key, index name key) of indexes dropped and created again under the same name: one
        #: ALTER TABLE ... DROP INDEX x, ADD INDEX x (...) where the engine restates them together.
        self.redefined: set[tuple[str, str]] = set()
        self.notes: list[str] = []
        self.reordered: list[str] = []
        # Current name of each table -> its name before the plan; column renames per table.
        self.old_table = {op.new_name.key: op.old_name for op in ops if isinstance(op, RenameTable)}
        self.old_column: dict[str, dict[str, Name]] = {}
        for op in ops:
            if isinstance(op, RenameColumn):
                self.old_column.setdefault(op.table.key, {})[op.new_name.key] = op.old_name

    # -- facts and sizes --

    def fact(self, kind: DdlKind) -> LockFact:
        found = self.f.locks.get(kind)
        if found is None:
            return LockFact("unknown (no measured fact)", True, True, source="none")
        return found

    def rows(self, table: Name | None) -> float | None:
        if table is None:
            return None
        for key in (table.value, table.key):
            size = self.sizes.get(key)
            if size is not None:
                return size.rows if isinstance(size, TableStats) else float(size)
        if table.key in self.new_tables:
            return 0.0
        old = self.before.table(self.old_table.get(table.key, table))
        if old is not None and old.stats is not None:
            return old.stats.rows
        return None

    def seconds(self, kind: DdlKind, fact: LockFact, table: Name | None) -> float | None:
        rows = self.rows(table)
        rates = self.f.rates
        if kind == DdlKind.BACKFILL:
            rate = rates.backfill
        elif kind == DdlKind.TABLE_REBUILD:
            rate = rates.copy
        elif fact.rewrites:
            rate = rates.rewrite
        elif kind in (
            DdlKind.CREATE_INDEX,
            DdlKind.CREATE_INDEX_ONLINE,
            DdlKind.ADD_UNIQUE,
            DdlKind.ADD_PRIMARY_KEY,
        ):
            rate = rates.index_build
        elif fact.scans:
            rate = rates.scan
        else:
            return 0.0
        return None if rows is None else rows / rate

    def table_after(self, name: Name) -> Table:
        t = self.after.table(name)
        if t is None:  # a table the target drops: its definition before the plan
            t = self.before.table(self.old_table.get(name.key, name))
        assert t is not None, name
        return t

    def is_partitioned(self, name: Name) -> bool:
        t = self.after.table(name) or self.before.table(name)
        return t is not None and t.partitioning is not None

    # -- building steps --

    def add(
        self,
        description: str,
        kind: DdlKind,
        sql: Sequence[str],
        *,
        table: Name | None,
        rollback: Sequence[str] = (),
        phase: Phase = Phase.EXPAND,
        transactional: bool = True,
        online: bool = True,
        notes: Sequence[str] = (),
        check_sql: str | None = None,
        on_failure: Sequence[str] = (),
        repeat: bool = False,
        session: Sequence[str] | None = None,
        precheck: str | None = None,
    ) -> None:
        fact = self.fact(kind)
        statements = list(sql)
        extra = list(notes)
        if online and self.f.online_alter_clauses and fact.algorithm and statements:
            clause = self.online_clause(fact.algorithm, fact.online_lock)
            statements = [s + clause if s.startswith("ALTER TABLE") else s for s in statements]
            if fact.algorithm == "COPY":
                extra.append(
                    f"only ALGORITHM=COPY is possible on {self.t}: the table is copied and writes wait for "
                    f"the whole copy (LOCK={fact.online_lock}); for a big table use pt-online-schema-change "
                    "or gh-ost"
                )
        if session is None:
            session = self.f.lock_timeout_sql
        self.steps.append(
            Step(
                description=description,
                sql=tuple(statements),
                phase=phase,
                kind=kind,
                lock=fact.lock,
                blocks_reads=fact.blocks_reads,
                blocks_writes=fact.blocks_writes,
                rewrites=fact.rewrites,
                scans=fact.scans,
                transactional=transactional and self.t.features.transactional_ddl,
                table=table.value if table is not None else None,
                estimated_seconds=self.seconds(kind, fact, table),
                rollback_sql=tuple(rollback),
                session_sql=tuple(session),
                check_sql=check_sql,
                on_failure_sql=tuple(on_failure),
                repeat_until_no_rows=repeat,
                precheck_sql=precheck,
                algorithm=fact.algorithm,
                notes=tuple(extra),
            )
        )

    # -- read-only checks of existing data --

    def nulls_sql(self, table: Name, columns: Sequence[Name]) -> str:
        where = " OR ".join(f"{self.q(c)} IS NULL" for c in columns)
        return f"SELECT count(*) FROM {self.q(table)} WHERE {where}"

    def duplicates_sql(self, table: Name, columns: Sequence[Name]) -> str:
        cols = ", ".join(self.q(c) for c in columns)
        present = " AND ".join(f"{self.q(c)} IS NOT NULL" for c in columns)
        return (
            f"SELECT count(*) FROM (SELECT {cols} FROM {self.q(table)} WHERE {present} "
            f"GROUP BY {cols} HAVING count(*) > 1) AS duplicates"
        )

    def orphans_sql(self, table: Name, fk: ForeignKey) -> str:
        q = self.q
        present = " AND ".join(f"c.{q(c)} IS NOT NULL" for c in fk.columns)
        match = " AND ".join(f"p.{q(r)} = c.{q(c)}" for c, r in zip(fk.columns, fk.ref_columns, strict=False))
        return (
            f"SELECT count(*) FROM {q(table)} AS c WHERE {present} AND NOT EXISTS "
            f"(SELECT 1 FROM {q(fk.ref_table)} AS p WHERE {match})"
        )

    def rejected_sql(self, table: Name, check: CheckConstraint) -> str:
        return f"SELECT count(*) FROM {self.q(table)} WHERE NOT ({expression_sql(check.expression, self.t)})"

    def precheck_for(self, op: Op) -> str | None:
        """The read-only query counting rows that would make ``op`` fail (None: nothing can)."""
        match op:
            case SetNotNull():
                return self.nulls_sql(op.table, [op.column.name])
            case AddUnique():
                return self.duplicates_sql(op.table, op.unique.columns)
            case AddPrimaryKey():
                return self.duplicates_sql(op.table, op.key.columns)
            case AddForeignKey():
                return self.orphans_sql(op.table, op.key)
            case AddCheck():
                return self.rejected_sql(op.table, op.check)
            case CreateIndex() if op.index.unique and op.index.where is None:
                if all(k.column is not None for k in op.index.keys):
                    return self.duplicates_sql(op.table, op.index.columns)
        return None

    def col_sql(self, table: Name, column: Column) -> str:
        return column_sql(self.table_after(table), column, self.t, _Notes())

    def online_clause(self, algorithm: str, lock: str | None) -> str:
        """``, ALGORITHM=..., LOCK=...`` as the engine takes it: MySQL 8.0 refuses any LOCK beside
        ALGORITHM=INSTANT (only DEFAULT), MariaDB takes LOCK=NONE with it."""
        if algorithm == "INSTANT" and not self.f.instant_takes_lock_clause:
            return ", ALGORITHM=INSTANT"
        return f", ALGORITHM={algorithm}, LOCK={lock}"

    def alter(self, table: Name, clause: str) -> str:
        return f"ALTER TABLE {self.q(table)} {clause}"

    def backfill(self, table: Name, assignments: str, pending: str) -> Backfill:
        """The batched backfill recipe (``backfill.py``): key ranges, a batch time target, paced."""
        stats = self.sizes.get(table.value) or self.sizes.get(table.key)
        growth = stats.growth_rows_per_day if isinstance(stats, TableStats) else None
        return backfill(
            self.t,
            self.table_after(table),
            self.q(table),
            assignments,
            pending,
            pacing=pacing_for(growth / 86_400 if growth else None),
            session_sql=self.f.lock_timeout_sql,
            procedural=self.f.backfill_block,
        )

    # -- kinds of operations --

    def add_column_kind(self, column: Column) -> DdlKind:
        d = column.default
        if column.identity or column.generated is not None:
            return DdlKind.ADD_COLUMN_REWRITE
        if (
            d is not None
            and d.kind == DefaultKind.EXPRESSION
            and any(v in (d.value or "").lower() for v in _VOLATILE)
        ):
            return DdlKind.ADD_COLUMN_REWRITE
        if self.f.add_column_constant_default_only:
            constant = d is not None and d.kind in (
                DefaultKind.STRING,
                DefaultKind.NUMBER,
                DefaultKind.BOOLEAN,
                DefaultKind.NULL,
            )
            if (not column.nullable and not constant) or (d is not None and not constant):
                return DdlKind.ADD_COLUMN_REWRITE
            if column.type.kind == TypeKind.ENUM and not self.t.features.named_enum_types:
                return DdlKind.ADD_COLUMN_REWRITE  # a CHECK comes with it
        return DdlKind.ADD_COLUMN

    def type_change_kind(self, op: AlterColumnType) -> DdlKind:
        old, new = op.old_type, op.new_type
        if self.f.modify_whole_column:
            if old.kind == new.kind == TypeKind.ENUM and old.values == new.values[: len(old.values)]:
                return DdlKind.ENUM_ADD_VALUE
            if old.kind == new.kind == TypeKind.VARCHAR and old.length and new.length:
                # InnoDB: metadata only while the length prefix keeps its size (1 byte below 256 bytes).
                same_prefix = self.f.varchar_widen_any_instant or (old.length * 4 < 256) == (
                    new.length * 4 < 256
                )
                if new.length >= old.length and same_prefix:
                    return DdlKind.ALTER_TYPE_METADATA
            return DdlKind.ALTER_TYPE_REWRITE
        strings = (TypeKind.VARCHAR, TypeKind.TEXT)
        if old.kind in strings and new.kind == TypeKind.TEXT:
            return DdlKind.ALTER_TYPE_METADATA
        if old.kind == new.kind == TypeKind.VARCHAR and (
            new.length is None or (old.length or 0) <= new.length
        ):
            return (
                DdlKind.ALTER_TYPE_METADATA
                if old.length is not None or new.length is None
                else (DdlKind.ALTER_TYPE_REWRITE)
            )
        if old.kind == new.kind == TypeKind.DECIMAL and old.scale == new.scale and widens(old, new):
            return DdlKind.ALTER_TYPE_METADATA
        return DdlKind.ALTER_TYPE_REWRITE

    def op_kind(self, op: Op) -> DdlKind:
        match op:
            case AddColumn():
                return self.add_column_kind(op.column)
            case DropColumn():
                return DdlKind.DROP_COLUMN
            case AlterColumnType():
                return self.type_change_kind(op)
            case SetNotNull():
                return DdlKind.SET_NOT_NULL
            case DropNotNull():
                return DdlKind.DROP_NOT_NULL
            case SetDefault() | DropDefault():
                return DdlKind.SET_DEFAULT
            case AddPrimaryKey():
                return DdlKind.ADD_PRIMARY_KEY
            case DropPrimaryKey():
                return DdlKind.DROP_PRIMARY_KEY
            case AddUnique():
                return DdlKind.ADD_UNIQUE
            case DropUnique() | DropCheck():
                return DdlKind.DROP_CONSTRAINT
            case AddForeignKey():
                return DdlKind.ADD_FOREIGN_KEY
            case DropForeignKey():
                return DdlKind.DROP_FOREIGN_KEY
            case AddCheck():
                return DdlKind.ADD_CHECK
            case CreateIndex():
                return DdlKind.CREATE_INDEX_ONLINE
            case DropIndex():
                return DdlKind.DROP_INDEX_ONLINE
            case RenameColumn():
                return DdlKind.RENAME_COLUMN
            case RenameTable():
                return DdlKind.RENAME_TABLE
            case CreateTable():
                return DdlKind.CREATE_TABLE
            case DropTable():
                return DdlKind.DROP_TABLE
            case CreateView() | DropView():
                return DdlKind.CREATE_VIEW
            case CreateEnum() | DropEnum():
                return DdlKind.ENUM_TYPE
            case AddEnumValue():
                return DdlKind.ENUM_ADD_VALUE
            case ChangePartitioning():
                return DdlKind.TABLE_REBUILD
        raise AssertionError(op)  # pragma: no cover

    # -- the main loop --

    # -- op lowering helpers --

    def modify(self, table: Name, column: Column) -> str | None:
        """MODIFY COLUMN with the column's whole target definition (engines that restate columns)."""
        if not self.f.modify_whole_column:
            return None
        target = self.table_after(table).column(column.name) or column
        return self.alter(table, f"MODIFY COLUMN {self.col_sql(table, target)}")
