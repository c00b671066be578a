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

from collections.abc import Mapping, Sequence

from dbarchitect.advisors.migrations.canonical import canonical
from dbarchitect.advisors.migrations.diff import (
    compare,
    compare_back,
    likely_renames,
    unplanned_differences,
)
from dbarchitect.advisors.migrations.losses import data_losses
from dbarchitect.advisors.migrations.lowerer import Lowerer, restated_column
from dbarchitect.advisors.migrations.objects import (
    ObjectPlan,
    outside_default_schema,
    plan_objects,
    reverse_objects,
)
from dbarchitect.advisors.migrations.steps import PHASES, DataLossError, MigrationPlan, Phase, Step
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.catalog import (
    Catalog,
    TableStats,
)
from dbarchitect.model.ops import (
    AddCheck,
    CreateTable,
    DropCheck,
    DropColumn,
    DropTable,
    Irreversible,
    describe,
    op_table,
)

__all__ = ["PHASES", "DataLossError", "MigrationPlan", "Phase", "Step", "data_losses", "plan_migration"]


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
    held = {t.schema.value.lower() for t in current.tables if t.schema is not None}
    current, outside = outside_default_schema(current)
    target, outside_target = outside_default_schema(target)
    outside += [x for x in outside_target if x not in outside]
    canon = canonical(current, target, traits)
    current, target = canon.current, canon.target
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
    inheriting = _inheriting(current) | _inheriting(target)
    touched = sorted(
        {
            t.value
            for op in ops
            if not isinstance(op, CreateTable | DropTable)
            for t in [op_table(op)]
            if t is not None and t.key in inheriting
        }
    )
    if touched:
        raise UnsupportedError(
            Diagnostic(
                f"not planned: {', '.join(touched)}: the table inherits from another (INHERITS); its "
                "inherited columns and constraints belong to the parent, which the plan does not model",
                hint="change tables with inheritance by hand",
            )
        )
    if traits.migration.column_checks_apart:
        column_checks = [
            f"check {_check_label(op)} of column {table}.{check.column}"
            for op in ops
            if isinstance(op, AddCheck | DropCheck)
            for table, check in [(op.table, op.check if isinstance(op, AddCheck) else op.old)]
            if check is not None and check.column is not None
        ]
        if column_checks:
            raise UnsupportedError(
                Diagnostic(
                    f"not planned: {'; '.join(column_checks)}: a CHECK written with its column belongs to "
                    f"the column on {traits} (ADD/DROP CONSTRAINT cannot make or remove one)",
                    hint="change the column with MODIFY COLUMN ... CHECK (...) by hand, or write the check "
                    "as a table constraint (CONSTRAINT name CHECK (...))",
                )
            )
    losses = data_losses(ops, current)
    if losses and not allow_data_loss:
        hint = "pass allow_data_loss (--allow-data-loss) to accept it"
        if hints:
            entries = "; ".join(h.entry for h in hints)
            hint = f"if these are renames, add them under renames: ({entries}); otherwise {hint}"
        # the field is named only when a rename may be what was meant
        field = "renames" if hints else None
        raise DataLossError(
            Diagnostic(f"the migration would lose data: {'; '.join(losses)}", field=field, hint=hint)
        )
    up = Lowerer(traits, current, target, ops, sizes, canon.current_implied, canon.target_implied)
    objects = plan_objects(current, target, traits, held)
    steps = with_objects(up.lower(), objects)
    objects.unplanned += restated_clauses(current, target, ops, traits, up.rebuild_tables())
    back_ops = compare_back(current, target, renames)
    down = Lowerer(traits, target, current, back_ops, sizes, canon.target_implied, canon.current_implied)
    down_steps = with_objects(down.lower(), reverse_objects(objects))
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
    # Comment changes are planned or listed in ``unplanned`` by plan_objects.
    notes = list(up.notes) + [u for u in unplanned if "comment" not in u]
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
        unplanned=tuple(dict.fromkeys([*outside, *objects.unplanned])),
    )


def restated_clauses(
    current: Catalog, target: Catalog, ops: Sequence[object], traits: EngineTraits, rebuilt: set[str]
) -> list[str]:
    """Clauses the catalog does not carry (a column's COLLATE, ON UPDATE, ZEROFILL, SQLite's
    AUTOINCREMENT...) that both sides keep, on a column the plan writes out again: MySQL/MariaDB's
    MODIFY COLUMN restates the whole column and SQLite rebuilds the whole table, so the clause would be
    lost while the plan said nothing. Each is named as not planned."""
    restated = [restated_column(op) for op in ops] if traits.migration.modify_whole_column else []
    modified = {(table.key, column.key) for table, column in filter(None, restated)}
    kept = {(o.kind, o.name): o.definition for o in target.objects}
    out: list[str] = []
    for o in current.objects:
        if o.kind not in ("column property", "table property") or kept.get((o.kind, o.name)) != o.definition:
            continue  # a clause that changes is named by plan_objects
        table, _, column = o.name.rpartition(".") if o.kind == "column property" else (o.name, "", "")
        if table in rebuilt:
            why = f"rebuilds table {table} on {traits}"
        elif (table, column) in modified:
            why = f"restates column {table}.{column} (MODIFY COLUMN)"
        else:
            continue
        out.append(
            f"{o.label}: {o.definition}: the plan {why}, which would drop this clause (the catalog does not "
            "carry it); make this change by hand"
        )
    return out


def _inheriting(catalog: Catalog) -> set[str]:
    """Tables (lower-case keys) that inherit from another: a DDL file's ``INHERITS (t)`` clause or
    a database's ``inherits t`` property."""
    out = set()
    for o in catalog.objects:
        if o.kind != "table property":
            continue
        table, _, what = o.name.partition(" ")
        if what.startswith("inherits ") or "INHERITS" in o.definition.upper():
            out.add(table.lower())
    return out


def _check_label(op: AddCheck | DropCheck) -> str:
    check = op.check if isinstance(op, AddCheck) else op.old
    name = check.name if check is not None else None
    return f"{name} ({check.expression})" if check is not None and name is not None else str(name)


def with_objects(steps: list[Step], objects: ObjectPlan) -> list[Step]:
    """The tables' steps with the objects' steps around them: objects the tables need first in
    the expand phase, the rest after the expand steps; drops of objects before the contract
    steps, of what tables used after them."""
    expand = [s for s in steps if s.phase != Phase.CONTRACT]
    contract = [s for s in steps if s.phase == Phase.CONTRACT]
    last_expand = max((i for i, s in enumerate(expand) if s.phase == Phase.EXPAND), default=-1) + 1
    return [
        *objects.drop_first,
        *objects.expand_first,
        *expand[:last_expand],
        *objects.expand_last,
        *expand[last_expand:],
        *objects.contract_first,
        *contract,
        *objects.contract_last,
    ]
