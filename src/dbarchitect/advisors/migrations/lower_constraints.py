"""Lowering of constraint and index operations: primary and unique keys (online, from a concurrent
index), foreign keys and checks (NOT VALID then VALIDATE), index builds and drops."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from dbarchitect.advisors.migrations.lowering import Lowering
from dbarchitect.engines.ddl import (
    _Notes,
    create_index_sql,
    expression_sql,
    foreign_key_clause_sql,
)
from dbarchitect.engines.naming import ConstraintRef
from dbarchitect.engines.traits import DdlKind
from dbarchitect.model.catalog import (
    CheckConstraint,
    ForeignKey,
    PrimaryKey,
    Table,
    UniqueConstraint,
)
from dbarchitect.model.names import Name
from dbarchitect.model.ops import (
    AddCheck,
    AddForeignKey,
    CreateIndex,
    DropForeignKey,
    DropIndex,
    describe,
)


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:8]


class ConstraintLowering(Lowering):
    """Keys, foreign keys, checks and indexes: their names, online builds and drops."""

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
        if (
            self.f.foreign_key_creates_index
            and fk.name is not None
            and (op.table.key, fk.name.key) in self.after_implied
        ):
            # The schema left it unnamed: so does the plan, and InnoDB names it (<table>_ibfk_N) and
            # the index it may add (after the first column) as it did for the schema. Named, the
            # index would take the constraint's name instead.
            fk = replace(fk, name=None)
        clause = foreign_key_clause_sql(fk, self.t)
        self.add(
            describe(op),
            DdlKind.ADD_FOREIGN_KEY,
            [self.alter(op.table, f"ADD {clause}")],
            table=op.table,
            precheck=self.orphans_sql(op.table, fk) if op.table.key not in self.new_tables else None,
        )

    def lookup_drop(
        self,
        kind: str,
        table: Name,
        name: Name | None,
        ddl: DdlKind,
        *,
        columns: tuple[Name, ...] | None = (),
        fk: ForeignKey | None = None,
        check: CheckConstraint | None = None,
    ) -> list[str] | None:
        """The statements that drop a constraint whose name ``before`` only derived (or does not
        know), looking its real name up when they run; None when the name was read from a database
        or the engine names nothing."""
        write = self.t.drop_unknown_constraint
        old = self.before.table(self.old_table.get(table.key, table))
        if write is None or old is None:
            return None
        if name is not None and (old.name.key, name.key) not in self.implied:
            return None
        same: list[Name | None] = {
            "check": [c.name for c in old.checks],
            "foreign key": [f.name for f in old.foreign_keys],
            "unique": [u.name for u in old.uniques],
        }.get(kind, [])
        others = tuple(
            n for n in same if n is not None and (old.name.key, n.key) not in self.implied and n != name
        )
        fact = self.fact(ddl)
        suffix = (
            self.online_clause(fact.algorithm, fact.online_lock)
            if self.f.online_alter_clauses and fact.algorithm
            else ""
        )
        ref = ConstraintRef(
            kind,
            table,
            name or Name(""),
            columns,
            fk.ref_table if fk is not None else None,
            fk.ref_columns if fk is not None else (),
            others,
            suffix,
            expression_sql(check.expression, self.t) if check is not None else None,
        )
        return list(write(self.t, ref))

    def drop_foreign_key(self, op: DropForeignKey) -> None:
        q = self.q
        name = op.name or (self.fk_name(op.table, op.old) if op.old else Name("unknown"))
        looked_up = self.lookup_drop(
            "foreign key",
            op.table,
            op.name,
            DdlKind.DROP_FOREIGN_KEY,
            columns=op.old.columns if op.old else (),
            fk=op.old,
        )
        if not self.f.modify_whole_column:
            self.add(
                describe(op),
                DdlKind.DROP_FOREIGN_KEY,
                looked_up or [self.alter(op.table, f"DROP CONSTRAINT {q(name)}")],
                table=op.table,
            )
            return
        sql = looked_up or [self.alter(op.table, f"DROP FOREIGN KEY {q(name)}")]
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
        # An index defined again under its name (MySQL/MariaDB): dropped and added in one ALTER TABLE.
        redefined = (op.table.key, op.index.name.key) in self.redefined
        online = self.t.features.concurrent_index_build and op.table.key not in self.new_tables
        partitioned = self.is_partitioned(op.table)
        sql = create_index_sql(
            table, op.index, self.t, concurrently=not partitioned, notes=notes, as_clause=redefined
        )
        if sql is None:
            self.notes.append(
                f"index {op.index.name} is not created: " + "; ".join(n.message for n in notes.items)
            )
            return
        sql = sql.rstrip(";")
        plain = all(k.column is not None for k in op.index.keys) and op.index.where is None
        duplicates = self.duplicates_sql(op.table, op.index.columns) if op.index.unique and plain else None
        locked = op.index.method in ("fulltext", "spatial")
        if redefined:
            self.add(
                f"redefine index {op.index.name} on {op.table}: drop it and add it again in one statement",
                DdlKind.CREATE_INDEX_LOCKED if locked else DdlKind.CREATE_INDEX_ONLINE,
                [self.alter(op.table, f"DROP INDEX {self.q(op.index.name)}, {sql}")],
                table=op.table,
                notes=[n.message for n in notes.items],
                rollback=["-- see the down-plan"],
                precheck=duplicates,
            )
            return
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
        kind = DdlKind.CREATE_INDEX_ONLINE if not partitioned else DdlKind.CREATE_INDEX
        if locked:
            kind = DdlKind.CREATE_INDEX_LOCKED
        self.add(
            describe(op),
            kind,
            [sql],
            table=op.table,
            online=False,
            notes=extra,
            rollback=[self.drop_index_sql(op.table, op.index.name, online=False)],
            precheck=duplicates if op.table.key not in self.new_tables else None,
        )

    def drop_index_sql(self, table: Name, name: Name, *, online: bool, if_exists: bool = True) -> str:
        q = self.q
        if self.f.modify_whole_column:
            return self.alter(table, f"DROP INDEX {q(name)}")
        if online:
            return f"DROP INDEX CONCURRENTLY {'IF EXISTS ' if if_exists else ''}{q(name)}"
        return f"DROP INDEX {q(name)}"

    def drop_index(self, op: DropIndex) -> None:
        online = self.t.features.concurrent_index_build and not self.is_partitioned(op.table)
        table = self.table_after(op.table)
        if op.old is not None and create_index_sql(table, op.old, self.t) is None:
            self.notes.append(
                f"index {op.name} was never created on {self.t} (see the render notes); not dropped"
            )
            return
        old_table = self.before.table(self.old_table.get(op.table.key, op.table))
        derived = old_table is not None and (old_table.name.key, op.name.key) in self.implied
        # A name derived from a file must exist: dropped without IF EXISTS, so a wrong one fails.
        sql = self.drop_index_sql(op.table, op.name, online=online, if_exists=not derived)
        looked_up = None
        if (
            derived
            and self.f.modify_whole_column
            and op.old is not None
            and op.old.columns == tuple(k.column for k in op.old.keys)
        ):
            looked_up = self.lookup_drop(
                "index", op.table, op.name, DdlKind.DROP_INDEX_ONLINE, columns=op.old.columns
            )
        if looked_up is not None:
            self.add(describe(op), DdlKind.DROP_INDEX_ONLINE, looked_up, table=op.table)
            return
        if self.serves_kept_foreign_key(table, op) and self.f.drop_index_if_exists:
            # Planned after the index that takes over (lower() moves it there): InnoDB drops the
            # index it made for a foreign key by itself once another one serves the key.
            sql = self.alter(op.table, f"DROP INDEX IF EXISTS {self.q(op.name)}")
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

    def serves_kept_foreign_key(self, table: Table, op: DropIndex) -> bool:
        """The dropped index leads with the columns of a foreign key the table keeps (InnoDB)."""
        if not self.f.foreign_key_creates_index or op.old is None:
            return False
        old = [c.key for c in op.old.columns]
        return any(old[: len(fk.columns)] == [c.key for c in fk.columns] for fk in table.foreign_keys)

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
