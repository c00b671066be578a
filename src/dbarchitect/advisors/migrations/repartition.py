"""A table's partitioning changes: re-create it partitioned (or unpartitioned) under another name,
copy its rows in key-range batches while triggers keep the copy in step with every write, then swap
the two by renaming in one short transaction.

The steps (each with its lock level from the engine's migration facts, like every other step):

1. expand: create ``<table>__new`` in the target shape (partitions, keys, indexes; on PostgreSQL
   its index and constraint names carry a ``__n`` suffix until the swap, since index names are
   schema-wide there) and a one-row progress table holding the first key to copy;
2. expand: row triggers on the table mirror every INSERT, UPDATE and DELETE into the copy
   (``traits.partitioning.copy_sync``: one PL/pgSQL trigger function, or three MySQL triggers),
   so rows written while the copy runs are neither lost nor stale;
3. backfill: copy the rows in primary-key order, 10,000 per batch, each batch its own transaction,
   repeated until a batch copies nothing. A batch locks the rows it reads (``FOR SHARE`` / ``LOCK IN
   SHARE MODE``; on MySQL/MariaDB it first locks the range in the table and then in the copy, before the
   INSERT ... SELECT takes the copy's AUTO-INC lock, the order a write through the triggers takes them,
   so the two cannot deadlock), so a concurrent update either waits for the batch (and its trigger then
   replaces the copied row) or runs first (and the batch copies the new version); rows the triggers
   already wrote are skipped (``ON CONFLICT DO NOTHING`` / ``ON DUPLICATE KEY UPDATE`` a no-op, which
   unlike ``INSERT IGNORE`` never swallows a row that fits no partition). The check after it compares
   the row counts of the two tables in one snapshot;
4. backfill (PostgreSQL): ``VACUUM (ANALYZE)`` the copy so the planner knows it before it serves;
5. contract: swap in one transaction (PostgreSQL: two ``ALTER TABLE ... RENAME``; MySQL/MariaDB: one
   atomic ``RENAME TABLE a TO b, c TO d``), drop the triggers, move the index names over, continue
   the identity sequence, and re-point foreign keys of other tables at the new table (``NOT VALID``,
   validated in the next step);
6. contract: drop the old table and the progress table.

Rows the new partitions cannot hold are found before the migration by the precheck (a RANGE without
a catch-all partition refuses a row past its last bound). Views on the table are not moved: the plan
is refused while a view reads the table.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dbarchitect.advisors.migrations.losses import partition_changes
from dbarchitect.advisors.migrations.lower_constraints import ConstraintLowering
from dbarchitect.advisors.migrations.steps import Phase
from dbarchitect.engines.ddl import (
    _Notes,
    create_index_sql,
    create_table_sql,
    expression_sql,
    foreign_key_clause_sql,
    partitions_sql,
)
from dbarchitect.engines.quoting import dollar_quoted
from dbarchitect.engines.traits import DdlKind
from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.catalog import (
    ForeignKey,
    Index,
    Partition,
    PartitionMethod,
    PrimaryKey,
    Table,
    UniqueConstraint,
)
from dbarchitect.model.names import Name
from dbarchitect.model.ops import AddForeignKey, ChangePartitioning

#: Rows per copy batch (each batch its own transaction).
COPY_BATCH = 10_000


def _suffixed(name: Name, suffix: str, limit: int) -> Name:
    return Name(name.value[: limit - len(suffix)] + suffix, quoted=name.quoted)


def _default_unique_name(table: Name, u: UniqueConstraint) -> Name:
    return Name("_".join([table.value, *(c.value for c in u.columns), "key"]))


def _key_columns(table: Table) -> tuple[Name, ...]:
    if table.primary_key is None:
        raise UnsupportedError(
            Diagnostic(
                f"the partitioning of {table.name} changes, and it has no primary key to copy it in key "
                "order",
                hint="add a primary key first (a migration of its own), then change the partitioning",
            )
        )
    return table.primary_key.columns


def _row(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else "(" + ", ".join(names) + ")"


def _outside_sql(lw: ConstraintLowering, name: Name, target: Table) -> str | None:
    """Rows of the current table no partition of the target can hold (must be 0)."""
    p = target.partitioning
    if p is None or len(p.columns) != 1:
        return None
    q = lw.q
    key = q(p.columns[0])
    if p.method == PartitionMethod.RANGE:
        ranged = [part for part in p.partitions if not part.is_default and len(part.bounds) >= 2]
        if any(part.is_default for part in p.partitions) or lw.t.partitioning.range_catch_all:
            return None
        if not ranged:  # no partition yet: every row is outside
            return f"SELECT count(*) FROM {q(name)}"
        conds = []
        low = ranged[0].bounds[0]
        if low.upper() != "MINVALUE":
            conds.append(f"{key} < {expression_sql(low, lw.t)}")
        conds.append(f"{key} >= {expression_sql(ranged[-1].bounds[1], lw.t)}")
        return f"SELECT count(*) FROM {q(name)} WHERE " + " OR ".join(conds)
    if p.method == PartitionMethod.LIST and not any(part.is_default for part in p.partitions):
        values = ", ".join(expression_sql(v, lw.t) for part in p.partitions for v in part.bounds)
        return f"SELECT count(*) FROM {q(name)} WHERE {key} NOT IN ({values})" if values else None
    return None


def _add_and_detach(
    lw: ConstraintLowering, name: Name, target: Table, added: list[Partition], removed: list[Partition]
) -> None:
    """New partitions created on the table (its rows stay where they are), removed ones detached
    and dropped with their rows (a data loss the plan names)."""
    q = lw.q
    assert target.partitioning is not None

    def detach(part: Partition) -> list[str]:
        return [f"ALTER TABLE {q(name)} DETACH PARTITION {q(part.name)}", f"DROP TABLE {q(part.name)}"]

    for part in added:
        one = replace(target, partitioning=replace(target.partitioning, partitions=(part,)))
        sql = [s.rstrip(";") for s in partitions_sql(one, lw.t)]
        lw.add(
            f"create partition {part.name} of {name}",
            DdlKind.CHANGE_PARTITIONS,
            sql,
            table=name,
            rollback=detach(part),
            notes=("a DEFAULT partition holding rows of the new range makes this fail (move them first)",)
            if any(p.is_default for p in target.partitioning.partitions)
            else (),
        )
    for part in removed:
        lw.add(
            f"detach and drop partition {part.name} of {name}",
            DdlKind.CHANGE_PARTITIONS,
            detach(part),
            table=name,
            phase=Phase.CONTRACT,
            rollback=["-- see the down-plan"],
        )


def repartition(lw: ConstraintLowering, op: ChangePartitioning, deferred: Sequence[AddForeignKey]) -> None:
    """The steps that move ``op.table`` to its new partitioning (see the module docstring);
    ``deferred`` are foreign keys of other tables to it, added after the swap."""
    t, f, q = lw.t, lw.f, lw.q
    name = op.table
    target = lw.table_after(name)
    current = lw.before.table(lw.old_table.get(name.key, name))
    assert current is not None
    if not t.partitioning.multi_rename_sql:
        changed = partition_changes(current.partitioning, target.partitioning)
        if changed is not None:
            _add_and_detach(lw, name, target, *changed)
            return
    sync = t.partitioning.copy_sync
    if not sync:
        raise UnsupportedError(
            Diagnostic(f"{t} cannot keep a copy of {name} in step while it is written (no row triggers)")
        )
    for view in (*lw.before.views, *lw.after.views):
        if name.value.lower() in view.query.lower():
            raise UnsupportedError(
                Diagnostic(
                    f"view {view.name} reads {name}, whose partitioning changes: the table is re-created",
                    hint="drop the view before this migration and re-create it after",
                )
            )
    limit = t.identifier_max_length
    new = _suffixed(name, "__new", limit)
    old = _suffixed(name, "__old", limit)
    progress = _suffixed(name, "__copy_progress", limit)
    func = _suffixed(name, "__copy_sync", limit)
    keys = _key_columns(current)
    keyq = [q(k) for k in keys]
    present = {c.name.key for c in current.columns}
    copied = [c for c in target.columns if c.name.key in present and c.generated is None]
    cols = ", ".join(q(c.name) for c in copied)
    declarative = not t.partitioning.multi_rename_sql
    # -- 1. the new table -------------------------------------------------------------------------
    renames: list[tuple[Name, Name]] = []
    shaped = replace(target, name=new, foreign_keys=target.foreign_keys)
    if declarative:
        pk = target.primary_key
        if pk is not None:
            final = pk.name or Name(f"{name.value}_pkey")
            temp = _suffixed(final, "__n", limit)
            renames.append((temp, final))
            pk = PrimaryKey(pk.columns, temp)
        uniques: list[UniqueConstraint] = []
        for u in target.uniques:
            final = u.name or _default_unique_name(name, u)
            temp = _suffixed(final, "__n", limit)
            renames.append((temp, final))
            uniques.append(UniqueConstraint(u.columns, temp))
        indexes: list[Index] = []
        for index in target.indexes:
            temp = _suffixed(index.name, "__n", limit)
            renames.append((temp, index.name))
            indexes.append(replace(index, name=temp))
        foreign: list[ForeignKey] = [
            replace(fk, name=_suffixed(fk.name, "__n", limit)) if fk.name is not None else fk
            for fk in target.foreign_keys
        ]
        shaped = replace(
            shaped,
            primary_key=pk,
            uniques=tuple(uniques),
            indexes=tuple(indexes),
            foreign_keys=tuple(foreign),
        )
    if shaped.partitioning is not None and declarative:
        # child tables are named after the table; they keep the final names (no clash: new tables)
        old_children = {p.name.key for p in (current.partitioning.partitions if current.partitioning else ())}
        clash = [p.name.value for p in shaped.partitioning.partitions if p.name.key in old_children]
        if clash:
            raise UnsupportedError(
                Diagnostic(
                    f"changing the partitions of {name}, which is partitioned already, is not planned: the "
                    f"re-created table's partitions ({', '.join(clash)}) would take the names of the current "
                    "ones",
                    hint="add or remove partitions by hand (CREATE TABLE ... PARTITION OF, ALTER TABLE ... "
                    "DETACH PARTITION), or re-partition into a table of another name",
                )
            )
        shaped = replace(shaped, partitioning=target.partitioning)
    notes = _Notes()
    sql = [create_table_sql(shaped, t, notes=notes).rstrip(";")]
    sql += [s.rstrip(";") for s in partitions_sql(shaped, t)]
    for index in shaped.indexes:
        built = create_index_sql(shaped, index, t, notes=notes)
        if built is not None:
            sql.append(built.rstrip(";"))
    types = {c.name.key: c for c in current.columns}
    progress_cols = ", ".join(f"{q(k)} {t.type_sql(types[k.key].type)}" for k in keys)
    sql.append(f"CREATE TABLE {q(progress)} ({progress_cols})")
    first = ", ".join(f"min_key.{k}" for k in keyq)
    sql.append(
        f"INSERT INTO {q(progress)} ({', '.join(keyq)}) SELECT {first} FROM "
        f"(SELECT {', '.join(keyq)} FROM {q(name)} ORDER BY {', '.join(keyq)} LIMIT 1) AS min_key"
    )
    method = target.partitioning.method.value.upper() if target.partitioning else "none"
    what = (
        f"partitioned by {method} ({', '.join(c.value for c in target.partitioning.columns)})"
        if target.partitioning
        else "unpartitioned"
    )
    lw.add(
        f"expand: create {new}, {name} {what}, and the copy's progress table",
        DdlKind.CREATE_TABLE,
        sql,
        table=name,
        rollback=[f"DROP TABLE IF EXISTS {q(progress)}", f"DROP TABLE IF EXISTS {q(new)}"],
        online=False,
        precheck=_outside_sql(lw, name, target),
        notes=(
            *(n.message for n in notes.items),
            f"{new} is empty: creating it locks nothing anyone uses; the progress row holds the first key "
            "still to copy",
        ),
    )
    # -- 2. triggers -----------------------------------------------------------------------------
    new_keys = _key_columns(target)
    match_old = " AND ".join(f"{q(k)} = OLD.{q(k)}" for k in new_keys)
    values = ", ".join(f"NEW.{q(c.name)}" for c in copied)
    if sync == "plpgsql":
        trigger_sql = [
            f"CREATE FUNCTION {q(func)}() RETURNS trigger LANGUAGE plpgsql AS "
            + dollar_quoted(
                " BEGIN "
                f"IF TG_OP IN ('UPDATE', 'DELETE') THEN DELETE FROM {q(new)} WHERE {match_old}; END IF; "
                f"IF TG_OP IN ('INSERT', 'UPDATE') THEN INSERT INTO {q(new)} ({cols}) VALUES ({values}) "
                "ON CONFLICT DO NOTHING; END IF; RETURN NULL; END "
            ),
            f"CREATE TRIGGER {q(func)} AFTER INSERT OR UPDATE OR DELETE ON {q(name)} FOR EACH ROW "
            f"EXECUTE FUNCTION {q(func)}()",
        ]
        drop_triggers = [
            f"DROP TRIGGER IF EXISTS {q(func)} ON {q(name)}",
            f"DROP FUNCTION IF EXISTS {q(func)}()",
        ]
    else:
        upsert = ", ".join(f"{q(c.name)} = VALUES({q(c.name)})" for c in copied)
        ins, upd, dele = (_suffixed(func, s, limit) for s in ("_ins", "_upd", "_del"))
        insert = f"INSERT INTO {q(new)} ({cols}) VALUES ({values}) ON DUPLICATE KEY UPDATE {upsert}"
        key_kept = " AND ".join(f"OLD.{q(k)} <=> NEW.{q(k)}" for k in new_keys)
        trigger_sql = [
            f"CREATE TRIGGER {q(ins)} AFTER INSERT ON {q(name)} FOR EACH ROW {insert}",
            # The old row is deleted only when the update moved it to another key: a DELETE of a row
            # the batches have not copied yet locks the gap it would be in, which the next batch must
            # insert into while this write waits for the copy's AUTO-INC lock (a deadlock).
            f"CREATE TRIGGER {q(upd)} AFTER UPDATE ON {q(name)} FOR EACH ROW BEGIN "
            f"IF NOT ({key_kept}) THEN DELETE FROM {q(new)} WHERE {match_old}; END IF; {insert}; END",
            f"CREATE TRIGGER {q(dele)} AFTER DELETE ON {q(name)} FOR EACH ROW DELETE FROM {q(new)} WHERE "
            f"{match_old}",
        ]
        drop_triggers = [f"DROP TRIGGER IF EXISTS {q(x)}" for x in (ins, upd, dele)]
    lw.add(
        f"expand: keep {new} in step with every write to {name} (row triggers)",
        DdlKind.CREATE_TRIGGER,
        trigger_sql,
        table=name,
        rollback=drop_triggers,
        online=False,
        notes=(
            "from here every INSERT, UPDATE and DELETE on the table also writes the copy, in the same "
            "transaction: writes cost about twice as much until the swap",
        ),
    )
    # -- 3. batched copy ---------------------------------------------------------------------------
    order = ", ".join(f"t.{k}" for k in keyq)
    if sync == "plpgsql":
        select_cols = ", ".join(f"b.{q(c.name)}" for c in copied)
        next_key = (
            f"SELECT {', '.join(f't.{k}' for k in keyq)} FROM {q(name)} AS t WHERE "
            f"{_row([f't.{k}' for k in keyq])} > "
            f"(SELECT {', '.join(f'l.{k}' for k in keyq)} FROM batch AS l ORDER BY "
            f"{', '.join(f'l.{k} DESC' for k in keyq)} LIMIT 1) ORDER BY {order} LIMIT 1"
        )
        copy_sql = [
            f"WITH p AS (SELECT * FROM {q(progress)}), "
            f"batch AS (SELECT t.* FROM {q(name)} AS t, p WHERE {_row([f't.{k}' for k in keyq])} >= "
            f"{_row([f'p.{k}' for k in keyq])} ORDER BY {order} LIMIT {COPY_BATCH} FOR SHARE OF t), "
            f"copied AS (INSERT INTO {q(new)} ({cols}) SELECT {select_cols} FROM batch AS b ON CONFLICT "
            "DO NOTHING) "
            f"UPDATE {q(progress)} SET {_row(keyq) if len(keyq) > 1 else keyq[0]} = ({next_key}) "
            "WHERE EXISTS (SELECT 1 FROM batch)"
        ]
    else:
        lo = [f"@dbarch_lo_{i}" for i in range(len(keys))]
        hi = [f"@dbarch_hi_{i}" for i in range(len(keys))]
        copy_sql = [f"SET {v} = (SELECT {k} FROM {q(progress)})" for v, k in zip(lo, keyq, strict=True)]
        copy_sql += [
            f"SET {h} = (SELECT {k} FROM (SELECT {', '.join(keyq)} FROM {q(name)} WHERE {_row(keyq)} >= "
            f"{_row(lo)} ORDER BY {', '.join(keyq)} LIMIT {COPY_BATCH}) AS batch ORDER BY "
            f"{', '.join(f'{x} DESC' for x in keyq)} LIMIT 1)"
            for h, k in zip(hi, keyq, strict=True)
        ]
        # Locks in the order an application write takes them through the triggers: the table's rows
        # first, then the copy's key range, and only then the copy's AUTO-INC lock, which INSERT ...
        # SELECT holds to its end (innodb_autoinc_lock_mode=1, MariaDB's default): a batch that took
        # the AUTO-INC lock before waiting for a row a write holds deadlocks with that write's trigger.
        in_range = f"{_row(keyq)} >= {_row(lo)} AND {_row(keyq)} <= {_row(hi)}"
        copy_sql += [
            f"SET @dbarch_locked = (SELECT count(*) FROM {q(name)} WHERE {in_range} LOCK IN SHARE MODE)",
            f"SET @dbarch_locked = (SELECT count(*) FROM {q(new)} WHERE {in_range} FOR UPDATE)",
        ]
        noop = ", ".join(f"{q(c.name)} = {q(new)}.{q(c.name)}" for c in copied[:1])
        copy_sql.append(
            f"INSERT INTO {q(new)} ({cols}) SELECT {cols} FROM {q(name)} WHERE {in_range} "
            f"ORDER BY {', '.join(keyq)} LOCK IN SHARE MODE ON DUPLICATE KEY UPDATE {noop}"
        )
        nexts = ", ".join(
            f"{k} = (SELECT {k} FROM (SELECT {', '.join(keyq)} FROM {q(name)} WHERE {_row(keyq)} > "
            f"{_row(hi)} ORDER BY {', '.join(keyq)} LIMIT 1) AS following)"
            for k in keyq
        )
        copy_sql.append(f"UPDATE {q(progress)} SET {nexts} WHERE {hi[0]} IS NOT NULL")
    lw.add(
        f"backfill: copy {name} into {new} in key order, {COPY_BATCH:,} rows per batch",
        DdlKind.BACKFILL,
        copy_sql,
        table=name,
        phase=Phase.BACKFILL,
        repeat=True,
        online=False,
        check_sql=f"SELECT (SELECT count(*) FROM {q(name)}) = (SELECT count(*) FROM {q(new)})",
        notes=(
            "repeat until a batch copies nothing; each batch commits on its own (pause between batches if "
            "replicas lag). The check compares both tables' row counts in one snapshot: the triggers keep "
            "them equal once the copy is done",
            "a batch takes its locks in the order a single write through the triggers does (the table's "
            "rows, then the copy's rows, then on MySQL/MariaDB the copy's AUTO-INC lock), so one-statement "
            "writes wait for it instead of deadlocking; a multi-statement transaction that writes the "
            "copy's range in another order still may: the engine rolls one side back whole, so retry the "
            "batch, and the application its transaction (innodb_autoinc_lock_mode=2 removes the AUTO-INC "
            "lock altogether)",
        ),
    )
    if DdlKind.VACUUM in f.locks and declarative:
        lw.add(
            f"backfill: VACUUM (ANALYZE) {new} so the planner knows it before it serves",
            DdlKind.VACUUM,
            [f"VACUUM (ANALYZE) {q(new)}"],
            table=name,
            phase=Phase.BACKFILL,
            transactional=False,
        )
    # -- 5. swap -----------------------------------------------------------------------------------
    incoming = [
        (other.name, fk)
        for other in lw.after.tables
        if not other.name.matches(name)
        for fk in other.foreign_keys
        if fk.ref_table.matches(name)
    ]
    deferred_keys = {(a.table.key, id(a.key)) for a in deferred}
    swap: list[str] = []
    validate: list[str] = []
    if declarative:
        swap += [
            f"ALTER TABLE {q(name)} RENAME TO {q(old)}",
            f"ALTER TABLE {q(new)} RENAME TO {q(name)}",
            f"DROP TRIGGER IF EXISTS {q(func)} ON {q(old)}",
            f"DROP FUNCTION IF EXISTS {q(func)}()",
        ]
        regclass = t.literal(q(old))
        swap.append(
            "DO "
            + dollar_quoted(
                " DECLARE r record; BEGIN FOR r IN SELECT c.relname FROM pg_index i JOIN pg_class c ON "
                f"c.oid = i.indexrelid WHERE i.indrelid = {regclass}::regclass LOOP EXECUTE format('ALTER "
                f"INDEX %I RENAME TO %I', r.relname, left(r.relname, {limit - 5}) || '__old'); END LOOP; END "
            )
        )
        swap += [f"ALTER INDEX {q(temp)} RENAME TO {q(final)}" for temp, final in renames]
        swap += [
            f"ALTER TABLE {q(name)} RENAME CONSTRAINT {q(fk.name)} TO {q(original.name)}"
            for fk, original in zip(shaped.foreign_keys, target.foreign_keys, strict=True)
            if fk.name is not None and original.name is not None and fk.name != original.name
        ]
        identity = [c for c in target.columns if c.identity]
        for c in identity:
            # pg_get_serial_sequence takes the column as stored (case kept), the table as SQL text.
            column_literal = t.literal(c.name.value if t.needs_quotes(c.name) else c.name.value.lower())
            table_literal = t.literal(q(name))
            swap.append(
                f"SELECT setval(pg_get_serial_sequence({table_literal}, {column_literal}), "
                f"(SELECT max({q(c.name)}) FROM {q(name)}))"
            )
        for other, fk in incoming:
            if (other.key, id(fk)) in deferred_keys:
                continue
            fk_name = fk.name or Name(f"{other.value}_{'_'.join(c.value for c in fk.columns)}_fkey")
            swap.append(f"ALTER TABLE {q(other)} DROP CONSTRAINT IF EXISTS {q(fk_name)}")
            swap.append(
                f"ALTER TABLE {q(other)} ADD {foreign_key_clause_sql(replace(fk, name=fk_name), t)} NOT VALID"
            )
            validate.append(f"ALTER TABLE {q(other)} VALIDATE CONSTRAINT {q(fk_name)}")
        rollback = [f"ALTER TABLE {q(name)} RENAME TO {q(new)}", f"ALTER TABLE {q(old)} RENAME TO {q(name)}"]
    else:
        assert t.partitioning.multi_rename_sql is not None
        swap.append(
            t.partitioning.multi_rename_sql.format(pairs=f"{q(name)} TO {q(old)}, {q(new)} TO {q(name)}")
        )
        swap += drop_triggers
        rollback = [
            t.partitioning.multi_rename_sql.format(pairs=f"{q(name)} TO {q(new)}, {q(old)} TO {q(name)}")
        ]
    lw.add(
        f"switch: {new} becomes {name} (renames in one short transaction)",
        DdlKind.RENAME_TABLE,
        swap,
        table=name,
        phase=Phase.CONTRACT,
        rollback=rollback,
        online=False,
        notes=(
            "reads and writes wait only for the renames; statements that were prepared against the old table "
            "re-plan. The rollback renames back, but writes made after the switch are then only in the copy: "
            "roll back at once, or re-run from the triggers step",
        ),
    )
    if validate:
        lw.add(
            f"contract: validate the foreign keys that now reference the new {name}",
            DdlKind.VALIDATE_FOREIGN_KEY,
            validate,
            table=name,
            phase=Phase.CONTRACT,
        )
    for add in deferred:
        before = len(lw.steps)
        lw.add_foreign_key(add)
        lw.steps[before:] = [replace(step, phase=Phase.CONTRACT) for step in lw.steps[before:]]
    lw.add(
        f"contract: drop the old {name} (now {old}) and the progress table",
        DdlKind.DROP_TABLE,
        [f"DROP TABLE {q(old)}", f"DROP TABLE {q(progress)}"],
        table=old,
        phase=Phase.CONTRACT,
        online=False,
        rollback=["-- the old table is gone; the down-plan copies the rows back"],
    )


__all__ = ["COPY_BATCH", "ForeignKey", "repartition"]
