"""Turn migration operations into steps an engine can run safely, each annotated from engine facts.

Every step says its SQL, the strongest lock it takes, whether it rewrites or scans the table, an
estimated duration, its phase, whether it runs in a transaction, and its rollback. Lock levels and
online options come from ``traits.migration`` (measured facts per engine version), never from
branches on engine names here; the patterns below are chosen by what the facts say the engine
offers:

- ``not_valid_constraints``: foreign keys and checks are added ``NOT VALID`` (brief lock, no scan)
  and validated in a separate transaction (SHARE UPDATE EXCLUSIVE: writes go on during the scan).
- ``not_null_proven_by_check`` (PostgreSQL 12+): SET NOT NULL as CHECK (c IS NOT NULL) NOT VALID ->
  VALIDATE -> SET NOT NULL (no scan: the check proves it) -> DROP the check.
- ``constraint_using_index``: unique and primary keys from a ``CREATE UNIQUE INDEX CONCURRENTLY``
  (outside a transaction; ``indisvalid`` checked after; an invalid leftover dropped before a retry)
  then ``ADD CONSTRAINT ... USING INDEX``. Plain indexes are built concurrently as well.
- ``sync_trigger``: a type change that rewrites the table becomes expand (a new column) -> a
  trigger keeping it in sync -> a batched backfill -> switch (two renames in one transaction) ->
  contract (drop the old column). Only for a column no key, index, default or view depends on;
  otherwise the plain ALTER is planned and annotated as a rewrite, with the reason.
- ``online_alter_clauses`` (MySQL, MariaDB): every ALTER names ``ALGORITHM`` and ``LOCK`` from the
  facts, so the server refuses instead of silently copying; when only COPY exists the step says so.
- ``rebuild_kinds`` (SQLite): what ALTER TABLE cannot do is one table rebuild per table (create the
  new table, copy the rows, drop the old one, rename, re-create its indexes).

Renames of columns and tables are planned in place (a metadata change) and flagged as breaking
running code: an expand/contract rename needs the application to read and write both names
between two deployments, which a schema plan cannot do for it; the note says how.

Durations: ``rows / rate`` with the rates of :class:`~dbarchitect.engines.traits.MigrationRates`
(rows from ``sizes`` or the catalog's statistics); unknown when the row count is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from dbarchitect.advisors.migrations.backfill import Backfill, backfill, pacing_for
from dbarchitect.advisors.migrations.diff import (
    CONTRACT_RANK,
    RenameHint,
    compare,
    compare_back,
    likely_renames,
    rank,
    unplanned_differences,
)
from dbarchitect.advisors.migrations.repartition import repartition
from dbarchitect.engines.ddl import (
    _comments_sql,
    _Notes,
    column_sql,
    create_index_sql,
    create_table_sql,
    create_view_sql,
    default_sql,
    expression_sql,
    foreign_key_clause_sql,
    partitions_sql,
)
from dbarchitect.engines.quoting import dollar_quoted
from dbarchitect.engines.traits import DdlKind, EngineTraits, LockFact
from dbarchitect.errors import DbarchError, Diagnostic, UnsupportedError
from dbarchitect.model.catalog import (
    Catalog,
    CheckConstraint,
    Column,
    DefaultKind,
    ForeignKey,
    PrimaryKey,
    Table,
    TableStats,
    UniqueConstraint,
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
    Irreversible,
    Op,
    RenameColumn,
    RenameTable,
    SetDefault,
    SetNotNull,
    describe,
    op_table,
)
from dbarchitect.model.types import INTEGER_MAX, LogicalType, TypeKind


class Phase(StrEnum):
    """Where a step belongs in an expand/contract migration: ``expand`` (additive, old code keeps
    working), ``backfill`` (batched data copies), ``contract`` (removes what only old code used)."""

    EXPAND = "expand"
    BACKFILL = "backfill"
    CONTRACT = "contract"


PHASES = (Phase.EXPAND, Phase.BACKFILL, Phase.CONTRACT)

_VOLATILE = ("random(", "rand(", "gen_random_uuid(", "uuid_generate", "clock_timestamp(", "nextval(", "uuid(")


class DataLossError(DbarchError):
    """The plan would throw data away and the caller did not allow it."""


@dataclass(frozen=True)
class Step:
    """One unit of work: statements run together (in one transaction when ``transactional``).

    Attributes:
        description: What the step does, in the schema's own names.
        sql: The statements, in order.
        phase: ``expand``, ``backfill`` or ``contract``.
        kind: The kind of schema change, as far as locking goes (``create index``, ``add column``...).
        lock: The strongest lock it takes, in the engine's terms (``ACCESS EXCLUSIVE``,
            ``SHARE UPDATE EXCLUSIVE``; ``LOCK=NONE`` on MySQL/MariaDB...).
        blocks_reads: Whether reads of the table wait while it runs.
        blocks_writes: Whether writes to the table wait while it runs.
        rewrites: Whether it rewrites the whole table.
        scans: Whether it reads the whole table (under a lock that lets writes go on, or not).
        transactional: Whether it runs in a transaction (``CREATE INDEX CONCURRENTLY`` cannot).
        table: The table it changes (``None`` for a type or a view).
        estimated_seconds: Estimated duration from the table's rows and the engine's measured
            rates; ``None`` when the row count is unknown.
        rollback_sql: The statements that undo it.
        session_sql: Session settings run before the statements (``lock_timeout``).
        check_sql: A query returning one boolean that must be true after the step (e.g. the
            index is valid).
        on_failure_sql: What to run before retrying after a failure (e.g. drop an invalid index
            leftover).
        repeat_until_no_rows: Run the statements again until they change no row (batched backfill).
        precheck_sql: A read-only query counting the rows that would make this step fail (NULLs
            under a new NOT NULL, duplicates under a new unique key, orphans under a new foreign
            key, rows a new check rejects); it must return 0. Run it against the live database
            before the migration (``plan_migration(..., check_url=...)`` does).
        algorithm: The ``ALGORITHM=`` the step asserts on MySQL/MariaDB (``INSTANT``, ``INPLACE``,
            ``COPY``); ``None`` elsewhere.
        notes: What to know about the step (a rename breaks running code, a copy is unavoidable...).
    """

    description: str
    sql: tuple[str, ...]
    phase: Phase
    kind: DdlKind
    lock: str
    blocks_reads: bool
    blocks_writes: bool
    rewrites: bool
    scans: bool
    transactional: bool
    table: str | None
    estimated_seconds: float | None
    rollback_sql: tuple[str, ...]
    session_sql: tuple[str, ...] = ()
    check_sql: str | None = None
    on_failure_sql: tuple[str, ...] = ()
    repeat_until_no_rows: bool = False
    precheck_sql: str | None = None
    algorithm: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MigrationPlan:
    """A safe, ordered, reversible migration between two schemas on one engine
    (``dbarchitect.plan_migration``, ``dbarch migrate``).

    Attributes:
        engine: The engine it is planned for, e.g. ``PostgreSQL 15``.
        operations: The schema differences, as operations (add column, create index...).
        steps: The up-plan: what to run, in order, each step with its lock, cost and rollback.
        down: The down-plan: the steps that take the target back to the current schema.
        rename_hints: A drop and an add that look like one rename; planned as drop + add (with a
            note), or refused as data loss unless allowed. Pass ``renames=`` to plan the rename.
        data_loss: What each data-losing step throws away (allowed by the caller, or the plan
            would have been refused).
        irreversible: Up steps the down-plan cannot undo, and why.
        notes: What to know about the plan as a whole.
        lock_timeout_advice: How the steps use ``lock_timeout`` and how to retry when it fires.
        reordered_tables: Tables whose column order ends up differing from the target (the
            engine appends new columns).
        down_notes: What to know about the down-plan.
        down_reordered_tables: Tables whose column order after the down-plan differs from the
            current schema's.
    """

    engine: str
    operations: tuple[Op, ...]
    steps: tuple[Step, ...]
    down: tuple[Step, ...]
    rename_hints: tuple[RenameHint, ...] = ()
    data_loss: tuple[str, ...] = ()
    irreversible: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    lock_timeout_advice: str = ""
    reordered_tables: tuple[str, ...] = ()
    down_notes: tuple[str, ...] = ()
    down_reordered_tables: tuple[str, ...] = ()

    def steps_in(self, phase: Phase) -> tuple[Step, ...]:
        """The up steps of one phase, in order."""
        return tuple(s for s in self.steps if s.phase == phase)

    def prechecks(self) -> tuple[tuple[str, str], ...]:
        """(step, read-only query) pairs: each query counts rows that would make the step fail and
        must return 0 on the live database before the migration starts."""
        return tuple((s.description, s.precheck_sql) for s in self.steps if s.precheck_sql is not None)


# -- what loses data ----------------------------------------------------------------------------------


def _widens(old: LogicalType, new: LogicalType) -> bool:
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
        elif isinstance(op, AlterColumnType) and not _widens(op.old_type, op.new_type):
            out.append(
                f"change {op.table}.{op.column} from {op.old_type} to {op.new_type}: values that do not fit "
                "are cut or fail the change"
            )
    return tuple(out)


# -- lowering -----------------------------------------------------------------------------------------


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


class _Lowerer:
    """Operations -> steps for one engine, between two catalogs (``before`` and ``after``)."""

    def __init__(
        self,
        traits: EngineTraits,
        before: Catalog,
        after: Catalog,
        ops: Sequence[Op],
        sizes: Mapping[str, float | TableStats] | None,
    ) -> None:
        self.t = traits
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
            clause = f", ALGORITHM={fact.algorithm}, LOCK={fact.online_lock}"
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
        if old.kind == new.kind == TypeKind.DECIMAL and old.scale == new.scale and _widens(old, new):
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
        rebuilt = self.rebuild_tables()
        if rebuilt:
            self.lower_with_rebuilds(rebuilt)
        else:
            modified: set[tuple[str, str]] = set()
            for op in self.ops:
                if self.f.modify_whole_column and isinstance(op, AlterColumnType | SetNotNull | DropNotNull):
                    # One MODIFY restates the whole column: every change to it in one step, annotated
                    # with the strongest of their facts.
                    column = op.column if isinstance(op, AlterColumnType) else op.column.name
                    key = (op.table.key, column.key)
                    if key in modified:
                        continue
                    modified.add(key)
                    self.modify_column(op.table, column)
                    continue
                if isinstance(op, SetNotNull) and (op.table.key, op.column.name.key) in self.expanded:
                    continue  # the expand sequence made the new column NOT NULL already
                self.lower_op(op)
        # Phases run in order (one script each): a type change's switch and contract wait for every
        # other expansion; nothing planned later depends on them (expand_blocker rules that out).
        order = {p: i for i, p in enumerate(PHASES)}
        return sorted(self.steps, key=lambda s: order[s.phase])

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
        for v in self.before.views:
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
        for v in self.after.views:
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
                self.add(describe(op), kind, [self.alter(op.table, clause)], table=op.table)
            case DropUnique():
                name = self.unique_name(op.table, op.old, op.name)
                if self.f.modify_whole_column:  # a unique key is an index there
                    clause, kind = f"DROP INDEX {q(name)}", DdlKind.DROP_INDEX_ONLINE
                else:
                    clause = f"DROP CONSTRAINT {q(name)}"
                self.add(describe(op), kind, [self.alter(op.table, clause)], table=op.table)
            case AddForeignKey():
                self.add_foreign_key(op)
            case DropForeignKey():
                self.drop_foreign_key(op)
            case AddCheck():
                self.add_check(op)
            case DropCheck():
                name = op.name or Name(self.check_name(op.table, op.old))
                self.add(
                    describe(op), kind, [self.alter(op.table, f"DROP CONSTRAINT {q(name)}")], table=op.table
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

    # -- op lowering helpers --

    def modify(self, table: Name, column: Column) -> str | None:
        """MODIFY COLUMN with the column's whole target definition (engines that restate columns)."""
        if not self.f.modify_whole_column:
            return None
        target = self.table_after(table).column(column.name) or column
        return self.alter(table, f"MODIFY COLUMN {self.col_sql(table, target)}")

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
            f"ALTER COLUMN {q(op.column)} TYPE {type_text} USING {q(op.column)}::{type_text}",
        )
        if kind == DdlKind.ALTER_TYPE_METADATA:
            self.add(describe(op), kind, [direct], table=op.table, rollback=["-- see the down-plan"])
            return
        blocker = self.expand_blocker(op)
        if blocker is not None or not self.f.sync_trigger:
            self.add(
                describe(op),
                kind,
                [direct],
                table=op.table,
                rollback=["-- see the down-plan"],
                notes=(f"rewrites the table under {self.fact(kind).lock}; not expanded because {blocker}",),
            )
            return
        self.expand_type_change(op, type_text)

    def type_text(self, table: Name, column: Column) -> str:
        if column.type.kind == TypeKind.ENUM and self.t.features.named_enum_types:
            return self.q(Name(column.type.type_name or f"{table.value}_{column.name.value}".lower()))
        return self.t.type_sql(column.type)

    def expand_blocker(self, op: AlterColumnType) -> str | None:
        """Why a type change cannot be done by expand/contract here (None: it can)."""
        table = self.table_after(op.table)
        before = self.before.table(self.old_table.get(op.table.key, op.table))
        c = op.column
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
        recipe = self.backfill(
            table, f"{q(new)} = {q(col)}", f"{q(new)} IS DISTINCT FROM {q(col)}::{type_text}"
        )
        self.add(
            f"backfill: copy {table}.{col} into {new}, {recipe.summary}",
            DdlKind.BACKFILL,
            recipe.sql,
            table=table,
            phase=Phase.BACKFILL,
            repeat=recipe.repeat_until_no_rows,
            transactional=recipe.transactional,
            session=recipe.session_sql,
            check_sql=(
                f"SELECT count(*) = 0 FROM {q(table)} WHERE {q(new)} IS DISTINCT FROM {q(col)}::{type_text}"
            ),
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

    def pk_name(self, table: Name, key: PrimaryKey | None) -> Name:
        if key is not None and key.name is not None:
            return key.name
        return Name(f"{table.value}_pkey")

    def unique_name(self, table: Name, u: UniqueConstraint | None, name: Name | None) -> Name:
        if name is not None:
            return name
        if u is not None and u.name is not None:
            return u.name
        cols = [c.value for c in u.columns] if u is not None else []
        if self.f.modify_whole_column:
            return Name(cols[0]) if cols else Name("unknown")
        return Name("_".join([table.value, *cols, "key"]))

    def check_name(self, table: Name, check: CheckConstraint | None) -> str:
        if check is not None and check.name is not None:
            return check.name.value
        return f"{table.value}_check_{_short_hash(check.expression if check else '')}"

    def online_index(
        self,
        table: Name,
        name: Name,
        create: str,
        description: str,
        *,
        unique: bool = False,
        precheck: str | None = None,
    ) -> None:
        """CREATE [UNIQUE] INDEX CONCURRENTLY, its validity check, and cleanup before a retry."""
        q = self.q
        self.add(
            description,
            DdlKind.CREATE_INDEX_ONLINE,
            [create],
            table=table,
            transactional=False,
            session=self.f.no_lock_timeout_sql,
            check_sql=f"SELECT indisvalid FROM pg_index WHERE indexrelid = '{q(name)}'::regclass",
            on_failure=[f"DROP INDEX CONCURRENTLY IF EXISTS {q(name)}"],
            rollback=[f"DROP INDEX CONCURRENTLY IF EXISTS {q(name)}"],
            precheck=precheck,
            notes=(
                "runs outside a transaction and waits for older transactions (its lock does not block reads "
                "or "
                "writes, so it runs without lock_timeout); if it fails it leaves an INVALID index: drop it "
                "(on_failure) before retrying"
                + (
                    "; duplicates make it fail: run the precheck (GROUP BY ... HAVING count(*) > 1) first"
                    if unique
                    else ""
                ),
            ),
        )

    def add_key(self, table: Name, key: PrimaryKey | UniqueConstraint, *, primary: bool) -> None:
        q = self.q
        cols = ", ".join(q(c) for c in key.columns)
        label = "PRIMARY KEY" if primary else "UNIQUE"
        kind = DdlKind.ADD_PRIMARY_KEY if primary else DdlKind.ADD_UNIQUE
        what = f"add {label.lower()} ({', '.join(c.value for c in key.columns)}) to {table}"
        name = self.pk_name(table, key) if isinstance(key, PrimaryKey) else self.unique_name(table, key, None)
        duplicates = self.duplicates_sql(table, key.columns)
        if (
            self.f.constraint_using_index
            and table.key not in self.new_tables
            and not self.is_partitioned(table)
        ):
            self.online_index(
                table,
                name,
                f"CREATE UNIQUE INDEX CONCURRENTLY {q(name)} ON {q(table)} ({cols})",
                f"{what} (1/2): build its unique index concurrently",
                unique=True,
                precheck=duplicates,
            )
            self.add(
                f"{what} (2/2): attach the index as the constraint",
                DdlKind.ADD_CONSTRAINT_USING_INDEX,
                [self.alter(table, f"ADD CONSTRAINT {q(name)} {label} USING INDEX {q(name)}")],
                table=table,
                rollback=[self.alter(table, f"DROP CONSTRAINT {q(name)}")],
            )
            return
        named = f"CONSTRAINT {q(name)} " if key.name is not None and not primary else ""
        if primary and not self.f.modify_whole_column:
            named = f"CONSTRAINT {q(name)} "
        self.add(
            what, kind, [self.alter(table, f"ADD {named}{label} ({cols})")], table=table, precheck=duplicates
        )

    def fk_name(self, table: Name, fk: ForeignKey) -> Name:
        if fk.name is not None:
            return fk.name
        return Name("_".join([table.value, *(c.value for c in fk.columns), "fkey"]))

    def add_foreign_key(self, op: AddForeignKey) -> None:
        q = self.q
        fk = op.key
        if self.f.not_valid_constraints and op.table.key not in self.new_tables:
            name = self.fk_name(op.table, fk)
            clause = foreign_key_clause_sql(replace(fk, name=name), self.t)
            self.add(
                f"{describe(op)} (1/2): NOT VALID (checks new rows only; brief lock)",
                DdlKind.ADD_FOREIGN_KEY_NOT_VALID,
                [self.alter(op.table, f"ADD {clause} NOT VALID")],
                table=op.table,
                rollback=[self.alter(op.table, f"DROP CONSTRAINT IF EXISTS {q(name)}")],
                notes=(f"also locks {fk.ref_table} in SHARE ROW EXCLUSIVE briefly",),
                precheck=self.orphans_sql(op.table, fk),
            )
            self.add(
                f"{describe(op)} (2/2): validate existing rows while writes go on",
                DdlKind.VALIDATE_FOREIGN_KEY,
                [self.alter(op.table, f"VALIDATE CONSTRAINT {q(name)}")],
                table=op.table,
                notes=(f"fails if a row has no match in {fk.ref_table}: fix those rows first",),
            )
            return
        clause = foreign_key_clause_sql(fk, self.t)
        self.add(
            describe(op),
            DdlKind.ADD_FOREIGN_KEY,
            [self.alter(op.table, f"ADD {clause}")],
            table=op.table,
            precheck=self.orphans_sql(op.table, fk) if op.table.key not in self.new_tables else None,
        )

    def drop_foreign_key(self, op: DropForeignKey) -> None:
        q = self.q
        name = op.name or (self.fk_name(op.table, op.old) if op.old else Name("unknown"))
        if not self.f.modify_whole_column:
            self.add(
                describe(op),
                DdlKind.DROP_FOREIGN_KEY,
                [self.alter(op.table, f"DROP CONSTRAINT {q(name)}")],
                table=op.table,
            )
            return
        sql = [self.alter(op.table, f"DROP FOREIGN KEY {q(name)}")]
        self.add(describe(op), DdlKind.DROP_FOREIGN_KEY, sql, table=op.table)
        before = self.before.table(self.old_table.get(op.table.key, op.table))
        own_index = before is not None and any(i.name.matches(name) for i in before.indexes)
        after = self.after.table(op.table)
        kept_index = after is not None and any(i.name.matches(name) for i in after.indexes)
        if (
            self.f.foreign_key_creates_index
            and self.f.drop_index_if_exists
            and not own_index
            and not kept_index
        ):
            self.add(
                f"drop the index InnoDB made for foreign key {name}, if it made one",
                DdlKind.DROP_INDEX_ONLINE,
                [self.alter(op.table, f"DROP INDEX IF EXISTS {q(name)}")],
                table=op.table,
            )

    def add_check(self, op: AddCheck) -> None:
        q = self.q
        name = Name(self.check_name(op.table, op.check))
        body = expression_sql(op.check.expression, self.t)
        if self.f.not_valid_constraints and op.table.key not in self.new_tables:
            self.add(
                f"{describe(op)} (1/2): NOT VALID (checks new rows only; brief lock)",
                DdlKind.ADD_CHECK_NOT_VALID,
                [self.alter(op.table, f"ADD CONSTRAINT {q(name)} CHECK ({body}) NOT VALID")],
                table=op.table,
                rollback=[self.alter(op.table, f"DROP CONSTRAINT IF EXISTS {q(name)}")],
                precheck=self.rejected_sql(op.table, op.check),
            )
            self.add(
                f"{describe(op)} (2/2): validate existing rows while writes go on",
                DdlKind.VALIDATE_CHECK,
                [self.alter(op.table, f"VALIDATE CONSTRAINT {q(name)}")],
                table=op.table,
            )
            return
        self.add(
            describe(op),
            DdlKind.ADD_CHECK,
            [self.alter(op.table, f"ADD CONSTRAINT {q(name)} CHECK ({body})")],
            table=op.table,
            precheck=self.rejected_sql(op.table, op.check) if op.table.key not in self.new_tables else None,
        )

    def create_index(self, op: CreateIndex) -> None:
        table = self.table_after(op.table)
        notes = _Notes()
        online = self.t.features.concurrent_index_build and op.table.key not in self.new_tables
        partitioned = self.is_partitioned(op.table)
        sql = create_index_sql(table, op.index, self.t, concurrently=not partitioned, notes=notes)
        if sql is None:
            self.notes.append(
                f"index {op.index.name} is not created: " + "; ".join(n.message for n in notes.items)
            )
            return
        sql = sql.rstrip(";")
        plain = all(k.column is not None for k in op.index.keys) and op.index.where is None
        duplicates = self.duplicates_sql(op.table, op.index.columns) if op.index.unique and plain else None
        if online and not partitioned:
            self.online_index(
                op.table, op.index.name, sql, describe(op), unique=op.index.unique, precheck=duplicates
            )
            return
        extra = [n.message for n in notes.items]
        if partitioned:
            extra.append(
                "CONCURRENTLY is not supported on a partitioned table: build per partition for big tables"
            )
        self.add(
            describe(op),
            DdlKind.CREATE_INDEX_ONLINE if not partitioned else DdlKind.CREATE_INDEX,
            [sql],
            table=op.table,
            online=False,
            notes=extra,
            rollback=[self.drop_index_sql(op.table, op.index.name, online=False)],
            precheck=duplicates if op.table.key not in self.new_tables else None,
        )

    def drop_index_sql(self, table: Name, name: Name, *, online: bool) -> str:
        q = self.q
        if self.f.modify_whole_column:
            return self.alter(table, f"DROP INDEX {q(name)}")
        if online:
            return f"DROP INDEX CONCURRENTLY IF EXISTS {q(name)}"
        return f"DROP INDEX {q(name)}"

    def drop_index(self, op: DropIndex) -> None:
        online = self.t.features.concurrent_index_build and not self.is_partitioned(op.table)
        table = self.table_after(op.table)
        if op.old is not None and create_index_sql(table, op.old, self.t) is None:
            self.notes.append(
                f"index {op.name} was never created on {self.t} (see the render notes); not dropped"
            )
            return
        sql = self.drop_index_sql(op.table, op.name, online=online)
        fk = self.foreign_key_needing(table, op)
        if fk is not None:
            # InnoDB refuses to drop the index a foreign key uses: give the key its own index first.
            name = self.fk_name(op.table, fk)
            cols = ", ".join(self.q(c) for c in fk.columns)
            sql = self.alter(op.table, f"ADD INDEX {self.q(name)} ({cols}), DROP INDEX {self.q(op.name)}")
        self.add(
            describe(op),
            DdlKind.DROP_INDEX_ONLINE if online or self.f.online_alter_clauses else DdlKind.DROP_INDEX,
            [sql],
            table=op.table,
            transactional=not online,
            session=self.f.no_lock_timeout_sql if online else None,
        )

    def foreign_key_needing(self, table: Table, op: DropIndex) -> ForeignKey | None:
        """A foreign key that would be left without an index leading with its columns (InnoDB)."""
        if not self.f.foreign_key_creates_index or op.old is None:
            return None
        for fk in table.foreign_keys:
            n = len(fk.columns)
            keys = [c.key for c in fk.columns]
            if [c.key for c in op.old.columns[:n]] != keys:
                continue
            others = [i.columns for i in table.indexes if not i.name.matches(op.name)]
            others += [u.columns for u in table.uniques]
            others += [table.primary_key.columns] if table.primary_key else []
            if not any([c.key for c in cols[:n]] == keys for cols in others):
                return fk
        return None

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


# -- the planner ---------------------------------------------------------------------------------------


def plan_migration(
    current: Catalog,
    target: Catalog,
    traits: EngineTraits,
    *,
    renames: Mapping[str, str] | None = None,
    allow_data_loss: bool = False,
    sizes: Mapping[str, float | TableStats] | None = None,
) -> MigrationPlan:
    """The steps that turn ``current`` into ``target`` on ``traits``' engine, and the down-plan.

    Raises :class:`DataLossError` naming every step that would throw data away (and the likely
    renames behind drops, with the ``renames:`` entries that would keep the data) unless
    ``allow_data_loss``; :class:`~dbarchitect.errors.UnsupportedError` for changes not planned."""
    hints = likely_renames(current, target, renames)
    ops = compare(current, target, renames)
    unplanned = unplanned_differences(current, target, renames)
    blocking = [u for u in unplanned if "comment" not in u]
    if blocking:
        raise UnsupportedError(
            Diagnostic(
                f"not planned: {'; '.join(blocking)}",
                hint="make this change by hand (identity and generated columns differ per engine); the "
                "rest of the schema can be planned once both sides agree on it",
            )
        )
    losses = data_losses(ops, current)
    if losses and not allow_data_loss:
        hint = "pass allow_data_loss (--allow-data-loss) to accept it"
        if hints:
            entries = "; ".join(h.entry for h in hints)
            hint = f"if these are renames, add them under renames: ({entries}); otherwise {hint}"
        raise DataLossError(
            Diagnostic(f"the migration would lose data: {'; '.join(losses)}", field="renames", hint=hint)
        )
    up = _Lowerer(traits, current, target, ops, sizes)
    steps = up.lower()
    back_ops = compare_back(current, target, renames)
    down = _Lowerer(traits, target, current, back_ops, sizes)
    down_steps = down.lower()
    irreversible: list[str] = []
    for op in ops:
        try:
            op.reverse()
        except Irreversible as exc:
            irreversible.append(f"{describe(op)}: {exc.reason}")
        if isinstance(op, DropTable | DropColumn):
            irreversible.append(
                f"{describe(op)}: the down-plan re-creates it empty; the dropped data is gone"
            )
    notes = list(up.notes) + list(unplanned)
    notes += [
        f"{h.kind} {h.key} -> {h.new} looks like a rename ({h.reason}); planned as drop + add. "
        f"If it is one, add renames: {{{h.entry}}}"
        for h in hints
    ]
    return MigrationPlan(
        engine=str(traits),
        operations=ops,
        steps=tuple(steps),
        down=tuple(down_steps),
        rename_hints=hints,
        data_loss=losses,
        irreversible=tuple(irreversible),
        notes=tuple(notes),
        lock_timeout_advice=traits.migration.lock_timeout_advice,
        reordered_tables=tuple(dict.fromkeys(up.reordered)),
        down_notes=tuple(down.notes),
        # A column the up-plan moved stays moved after the down-plan.
        down_reordered_tables=tuple(dict.fromkeys(up.reordered + down.reordered)),
    )
