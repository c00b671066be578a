"""Table generators: rows whose keys are unique, whose foreign keys point at loaded parents and
whose checks hold."""

from __future__ import annotations

import contextlib
import random
from collections.abc import Mapping, Sequence
from typing import Any

from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.catalog import ForeignKey, Table
from dbarchitect.model.types import TypeKind
from dbarchitect.verify.synthetic.checks import Checks, check_holds, evaluate, read_checks
from dbarchitect.verify.synthetic.columns import ColumnGen
from dbarchitect.verify.synthetic.native_values import native_maker
from dbarchitect.verify.synthetic.values import REDRAWS

# ---------------------------------------------------------------------------------------------
# Tables


def _keys(table: Table) -> list[tuple[str, ...]]:
    keys: list[tuple[str, ...]] = []
    if table.primary_key is not None:
        keys.append(tuple(n.key for n in table.primary_key.columns))
    keys.extend(tuple(n.key for n in u.columns) for u in table.uniques)
    keys.extend(tuple(n.key for n in i.columns) for i in table.indexes if i.unique and i.where is None)
    return [k for k in keys if k]


class TableGen:
    """Rows of one table: column generators, check rules, unique keys, foreign keys."""

    def __init__(
        self,
        table: Table,
        rows: int,
        scale: float,
        parents: dict[str, TableGen],
        late: set[int],
        seed: int,
        named: Mapping[str, Sequence[str]] | None = None,
    ) -> None:
        self.table = table
        self.rows = rows
        self.rng = random.Random(f"{seed}:{table.name.key}")
        self.checks = read_checks(table)
        self.columns = [c for c in table.columns if c.generated is None]
        self.keys = _keys(table)
        self.notes: list[str] = []
        fk_cols: dict[str, ForeignKey] = {}
        self.fks: list[tuple[ForeignKey, TableGen | None]] = []
        for fk in table.foreign_keys:
            if id(fk) in late and not fk.ref_table.matches(table.name):
                for col in fk.columns:
                    c = table.column(col)
                    if c is not None and not c.nullable:
                        raise UnsupportedError(
                            Diagnostic(
                                f"cannot generate rows for {table.name}: its foreign key to {fk.ref_table} "
                                "is part of a cycle and not nullable",
                                hint="fill the scratch database yourself",
                            )
                        )
                self.fks.append((fk, None))
                for col in fk.columns:
                    fk_cols[col.key] = fk
                continue
            parent = self if fk.ref_table.matches(table.name) else parents.get(fk.ref_table.key)
            if parent is None and not fk.ref_table.matches(table.name):
                continue
            self.fks.append((fk, parent))
            for col in fk.columns:
                fk_cols[col.key] = fk
        self.fk_cols = fk_cols
        single_unique = {k[0] for k in self.keys if len(k) == 1}
        self.sequence: dict[str, tuple[str, ...]] = {}
        for unique_key in self.keys:
            if len(unique_key) < 2:
                continue
            free = [k for k in unique_key if k not in fk_cols]
            others = [k for k in unique_key if k in fk_cols]
            if len(free) == 1 and others:
                numbered = table.column(free[0])
                if (
                    numbered is not None
                    and numbered.type.is_integer
                    and (numbered.stats is None or not numbered.stats.distinct)
                ):
                    self.sequence[free[0]] = tuple(others)
        #: the key values each referenced column tuple got, for children to draw from
        self.ref_tuples: dict[tuple[str, ...], list[Any]] = {}
        self.gens: dict[str, ColumnGen] = {}
        self._parents = parents
        for c in self.columns:
            key = c.name.key
            if key in fk_cols:
                continue
            if c.type.kind == TypeKind.NATIVE and native_maker(c.type) is None:
                if not c.nullable:
                    raise UnsupportedError(
                        Diagnostic(
                            f"cannot generate values for column {table.name}.{c.name} of type {c.type}: the "
                            "tool has no generator for it and the column is NOT NULL",
                            hint="make the column nullable for the verification, or fill the scratch "
                            "database yourself",
                        )
                    )
                self.notes.append(f"{table.name}: no generator for {c.name} ({c.type}); left NULL")
            self.gens[key] = ColumnGen(
                c,
                rows,
                scale,
                self.checks,
                unique=key in single_unique,
                sequence=key in self.sequence,
                named=(named or {}).get(key, ()),
                rng=self.rng,
            )
        self.fk_gens: list[tuple[ForeignKey, ColumnGen | None, bool]] = []
        for fk, parent in self.fks:
            self_ref = parent is self
            if parent is None:
                self.fk_gens.append((fk, None, False))
                continue
            if self_ref:
                self.fk_gens.append((fk, None, True))
                continue
            ref = tuple(n.key for n in fk.ref_columns)
            keys = parent.ref_tuples.get(ref, [])
            first = table.column(fk.columns[0])
            assert first is not None
            values: list[Any] = [k[0] if len(k) == 1 else k for k in keys]
            if not values:
                if rows and any(not c.nullable for n in fk.columns if (c := table.column(n)) is not None):
                    raise UnsupportedError(
                        Diagnostic(
                            f"cannot generate rows for {table.name}: its foreign key to {fk.ref_table} "
                            f"is not nullable and {fk.ref_table} has no rows",
                            hint=f"give {fk.ref_table} a row count in the brief, or {table.name} rows: 0",
                        )
                    )
                self.notes.append(f"{table.name}: {fk.ref_table} has no rows; {first.name} left NULL")
                self.fk_gens.append((fk, None, False))
                continue
            gen = ColumnGen(
                first,
                rows,
                scale,
                Checks(),
                unique=len(fk.columns) == 1 and fk.columns[0].key in single_unique,
                parent_keys=values,
                rng=self.rng,
            )
            self.fk_gens.append((fk, gen, False))
        self.referenced: list[tuple[str, ...]] = []
        self.seen: dict[tuple[str, ...], set[tuple[Any, ...]]] = {
            k: set() for k in self.keys if not (len(k) == 1 and k[0] in self.gens)
        }
        self.counters: dict[str, dict[tuple[Any, ...], int]] = {k: {} for k in self.sequence}
        self.made = 0
        self.plain = [(k, g) for k, g in self.gens.items() if k not in self.sequence]
        self.fk_keys = {id(fk): [c.key for c in fk.columns] for fk, _ in self.fks}
        self.column_keys = [c.name.key for c in self.columns]
        #: per numbered column, the highest number any parent got (known once loading is done)
        self.tops: dict[str, int] = {}
        #: draws a check refused, by the check's SQL
        self.failed_checks: dict[str, int] = {}

    def distinct(self, column: str) -> int | None:
        """How many distinct values ``column`` (a key) can hold in this data: its generator's count,
        or for a foreign key column the parent keys it draws from; None when not generated here."""
        gen = self.gens.get(column)
        if gen is not None:
            return gen.distinct
        for fk, fk_gen, _ in self.fk_gens:
            if fk_gen is not None and fk.columns and fk.columns[0].key == column:
                return fk_gen.distinct
        return None

    def track(self, ref: tuple[str, ...]) -> None:
        """Remember the values of ``ref`` columns of every row (a child table draws from them)."""
        if ref not in self.referenced:
            self.referenced.append(ref)
            self.ref_tuples[ref] = []

    def _one(self, i: int) -> dict[str, Any]:
        rng = self.rng
        row: dict[str, Any] = {key: column_gen.draw(i, rng) for key, column_gen in self.plain}
        for fk, gen, self_ref in self.fk_gens:
            cols = self.fk_keys[id(fk)]
            value: Any = None
            if self_ref:
                ref = tuple(n.key for n in fk.ref_columns)
                earlier = self.ref_tuples.get(ref, [])
                if earlier:
                    value = earlier[rng.randrange(len(earlier))]
                    value = value[0] if len(value) == 1 else value
                elif not all(self._nullable(n.key) for n in fk.columns):
                    value = tuple(row.get(n.key) for n in fk.ref_columns)
                    value = value[0] if len(value) == 1 else value
                col = self.table.column(fk.columns[0])
                nf = col.stats.null_fraction if col is not None and col.stats is not None else None
                if nf and col is not None and col.nullable and rng.random() < nf:
                    value = None
            elif gen is not None:
                value = gen.draw(i, rng)
            if len(cols) == 1:
                row[cols[0]] = value
            else:
                for position, name in enumerate(cols):
                    row[name] = None if value is None else value[position]
        for key, others in self.sequence.items():
            group = tuple(row.get(o) for o in others)
            counter = self.counters[key]
            n = counter.get(group, 0)
            counter[group] = n + 1
            row[key] = self.gens[key].lo + n
        for key, expr in self.checks.derived.items():
            row[key] = evaluate(expr, row)
        for a, op, b in self.checks.clamps:
            va, vb = row.get(a), row.get(b)
            if va is not None and vb is not None and ((op == "<=" and va > vb) or (op == ">=" and va < vb)):
                row[a] = vb
        return row

    def _nullable(self, key: str) -> bool:
        column = self.table.column(key)
        return column is None or column.nullable

    def _failed_check(self, row: dict[str, Any]) -> str | None:
        """The first check ``row`` fails (its SQL), or None when every check the validator can
        evaluate holds (the others are the database's to judge)."""
        for text, tree in self.checks.rules:
            if check_holds(tree, row) is False:
                return text
        return None

    def make_row(self, i: int) -> list[Any] | None:
        """Row ``i`` as values in :attr:`columns` order, or None when no draw gave it unique keys and
        checks that hold (counted in :attr:`failed_checks` by the check that failed)."""
        for _ in range(REDRAWS):
            row = self._one(i)
            failed = self._failed_check(row) if self.checks.rules else None
            if failed is not None:
                self.failed_checks[failed] = self.failed_checks.get(failed, 0) + 1
                continue
            taken = False
            for key, seen in self.seen.items():
                value = tuple(row.get(k) for k in key)
                if None not in value and value in seen:
                    taken = True
                    break
            if taken:
                continue
            for key, seen in self.seen.items():
                value = tuple(row.get(k) for k in key)
                if None not in value:
                    seen.add(value)
            for ref in self.referenced:
                values = tuple(row.get(k) for k in ref)
                if None not in values:
                    self.ref_tuples[ref].append(values)
            self.made += 1
            return [row.get(k) for k in self.column_keys]
        return None

    def forget(self, values: list[Any]) -> None:
        """A row the database refused: children must not reference it."""
        row = {c.name.key: v for c, v in zip(self.columns, values, strict=True)}
        for ref in self.referenced:
            key = tuple(row.get(k) for k in ref)
            with contextlib.suppress(ValueError):
                self.ref_tuples[ref].remove(key)
        self.made -= 1

    def sample(self, column: str, rng: random.Random) -> Any:
        """A value of ``column`` drawn from its distribution, for a workload parameter."""
        gen = self.gens.get(column)
        if gen is not None:
            if column in self.sequence:
                return gen.lo + rng.randrange(3)
            return gen.sample(rng)
        for fk, fk_gen, _ in self.fk_gens:
            cols = [c.key for c in fk.columns]
            if column in cols:
                if fk_gen is None:
                    return None
                value = fk_gen.sample(rng)
                return value[cols.index(column)] if len(cols) > 1 else value
        return None

    def fresh_row(self, j: int) -> dict[str, Any]:
        """A new row (for INSERT parameters): unique columns take values past the loaded ones."""
        i = self.rows + j
        row = self._one(i)
        for key in self.sequence:
            # past every number a parent has; each replayed write is rolled back, so values may repeat
            top = self.tops.get(key)
            if top is None:
                top = self.tops[key] = max(self.counters[key].values(), default=0)
            row[key] = self.gens[key].lo + top + j % 1000
        return row
