"""Rows for the current schema on an empty scratch database: deterministic per row number, foreign
keys pointing at rows the referenced table has, unique columns distinct, ``IN (...)`` checks and enums
given listed values."""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dbarchitect.advisors.migrations.plan import MigrationPlan
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, UnsupportedError
from dbarchitect.model.catalog import Catalog, Column, ForeignKey, Table
from dbarchitect.model.names import EngineName, Name
from dbarchitect.model.ops import AddForeignKey
from dbarchitect.model.types import TypeKind
from dbarchitect.verify.rehearse.scratch import ScratchDb, error_message
from dbarchitect.verify.synthetic.native_values import native_maker, native_value

#: Rows generated per table when the scratch database is empty.
DEFAULT_ROWS = 10_000

_IN_LIST = re.compile(r"^\s*\(?\s*[\"`]?(\w+)[\"`]?\s+IN\s*\((.*)\)\s*\)?\s*$", re.IGNORECASE | re.DOTALL)
_COMPARE = re.compile(r"^\s*\(?\s*[\"`]?(\w+)[\"`]?\s*(>=|>)\s*(-?\d+(?:\.\d+)?)\s*\)?\s*$")
_LITERAL = re.compile(r"'((?:[^']|'')*)'|(-?\d+(?:\.\d+)?)")


@dataclass(frozen=True)
class _Rule:
    """What a check constraint allows for one column: listed values, or a lower bound."""

    values: tuple[Any, ...] = ()
    minimum: float | None = None


def check_rules(table: Table) -> dict[str, _Rule]:
    """Column -> rule for the check shapes a generator can satisfy; other checks raise."""
    rules: dict[str, _Rule] = {}
    for check in table.checks:
        m = _IN_LIST.match(check.expression)
        if m:
            values = tuple(
                lit[0].replace("''", "'") if lit[0] or not lit[1] else Decimal(lit[1])
                for lit in _LITERAL.findall(m[2])
            )
            rules[m[1].lower()] = _Rule(values=values)
            continue
        m = _COMPARE.match(check.expression)
        if m:
            rules[m[1].lower()] = _Rule(minimum=float(m[3]) + (1 if m[2] == ">" else 0))
            continue
        raise UnsupportedError(
            Diagnostic(
                f"cannot generate rows for {table.name}: check ({check.expression}) is not of the forms "
                "'col IN (...)' or 'col > n'",
                hint="fill the scratch database yourself and rehearse with --rehearse-existing",
            )
        )
    return rules


_BASE_DAY = date(2020, 1, 1)
_BASE_TIME = datetime(2020, 1, 1, tzinfo=UTC)


def _value(table: Table, column: Column, i: int, rules: dict[str, _Rule]) -> Any:
    """The generated value of ``column`` in row ``i`` (1-based): distinct per row where the type
    allows, so unique columns and keys hold."""
    rule = rules.get(column.name.key)
    t = column.type
    if rule is not None and rule.values:
        return rule.values[i % len(rule.values)]
    base = int(rule.minimum) if rule is not None and rule.minimum is not None else 0
    kind = t.kind
    if kind == TypeKind.BOOLEAN:
        return i % 2 == 0
    if kind == TypeKind.SMALLINT:
        return base + i % 32_000
    if kind in (TypeKind.INTEGER, TypeKind.BIGINT):
        return base + i
    if kind == TypeKind.DECIMAL:
        scale = t.scale or 0
        whole = 10 ** max((t.precision or 18) - scale, 1) - 1
        return Decimal(base + i % whole) + (Decimal(i % 100) / 100 if scale >= 2 else Decimal(0))
    if kind in (TypeKind.REAL, TypeKind.DOUBLE):
        return base + i * 0.5
    if kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT):
        text = f"{column.name.value}-{i}"
        length = t.length if kind != TypeKind.TEXT else None
        if length is not None and len(text) > length:
            text = str(i)[-length:]
        return text
    if kind == TypeKind.BINARY:
        return str(i).encode()
    if kind == TypeKind.DATE:
        return _BASE_DAY + timedelta(days=i % 20_000)
    if kind == TypeKind.TIME:
        return (datetime(2020, 1, 1) + timedelta(seconds=i % 86_400)).time()
    if kind == TypeKind.TIMESTAMP:
        return datetime(2020, 1, 1) + timedelta(seconds=i)
    if kind == TypeKind.TIMESTAMPTZ:
        return _BASE_TIME + timedelta(seconds=i)
    if kind == TypeKind.INTERVAL:
        return timedelta(seconds=i)
    if kind == TypeKind.UUID:
        return str(uuid.UUID(int=i))
    if kind == TypeKind.JSON:
        return f'{{"i": {i}}}'
    if kind == TypeKind.ENUM and t.values:
        return t.values[i % len(t.values)]
    if kind == TypeKind.NATIVE and native_maker(t) is not None:
        return native_value(t, i)
    if column.nullable:
        return None
    raise UnsupportedError(
        Diagnostic(
            f"cannot generate values for {table.name}.{column.name} ({t})",
            hint="fill the scratch database yourself and rehearse with --rehearse-existing",
        )
    )


def fill_order(catalog: Catalog) -> list[Table]:
    """Tables with every referenced table before its referrers (self-references allowed)."""
    done: list[Table] = []
    keys: set[str] = set()
    pending = list(catalog.tables)
    while pending:
        ready = [
            t
            for t in pending
            if all(fk.ref_table.key in keys or fk.ref_table.matches(t.name) for fk in t.foreign_keys)
        ]
        if not ready:
            names = ", ".join(str(t.name) for t in pending)
            raise UnsupportedError(
                Diagnostic(
                    f"cannot generate rows: foreign keys form a cycle among {names}",
                    hint="fill the scratch database yourself and rehearse with --rehearse-existing",
                )
            )
        for t in ready:
            done.append(t)
            keys.add(t.name.key)
            pending.remove(t)
    return done


class RowGenerator:
    """Row ``i`` of any table of the catalog; foreign keys reference row ``(i mod n) + 1`` of their
    table (row ``i - 1`` for a self-reference, so the referenced row exists)."""

    def __init__(self, catalog: Catalog, rows: int, plan: MigrationPlan | None = None) -> None:
        self.catalog = catalog
        self.rows = rows
        self.rules = {t.name.key: check_rules(t) for t in catalog.tables}
        #: Foreign keys the plan adds: their columns must already point at existing rows.
        self.added: dict[str, list[ForeignKey]] = {}
        for op in plan.operations if plan is not None else ():
            if isinstance(op, AddForeignKey):
                self.added.setdefault(op.table.key, []).append(op.key)

    def columns(self, table: Table) -> list[Column]:
        return [c for c in table.columns if c.generated is None]

    def row(self, table: Table, i: int) -> list[Any]:
        refs: dict[str, Any] = {}
        for fk in (*table.foreign_keys, *self.added.get(table.name.key, ())):
            parent = self.catalog.table(fk.ref_table)
            if parent is None:
                continue
            j = max(i - 1, 1) if parent.name.matches(table.name) else (i % self.rows) + 1
            for col, ref in zip(fk.columns, fk.ref_columns, strict=False):
                ref_col = parent.column(ref)
                if ref_col is not None:
                    refs[col.key] = _value(parent, ref_col, j, self.rules[parent.name.key])
        rules = self.rules[table.name.key]
        return [
            refs[c.name.key] if c.name.key in refs else _value(table, c, i, rules)
            for c in self.columns(table)
        ]


def placeholders(db: ScratchDb, n: int) -> str:
    return ", ".join(["%s"] * n)


def insert_sql(db: ScratchDb, table: Table, columns: Sequence[Column], traits: EngineTraits) -> str:
    q = traits.quote
    cols = ", ".join(q(c.name) for c in columns)
    overriding = (
        " OVERRIDING SYSTEM VALUE"
        if db.family == EngineName.POSTGRESQL and any(c.identity for c in columns)
        else ""
    )
    return f"INSERT INTO {q(table.name)} ({cols}){overriding} VALUES ({placeholders(db, len(columns))})"


def single_key(table: Table) -> Column | None:
    """The table's single-column integer primary key, if it has one."""
    if table.primary_key is None or len(table.primary_key.columns) != 1:
        return None
    col = table.column(table.primary_key.columns[0])
    return col if col is not None and col.type.is_integer else None


def order_key(table: Table) -> tuple[Name, ...]:
    if table.primary_key is not None:
        return table.primary_key.columns
    return tuple(c.name for c in table.columns)


def create_and_fill(
    db: ScratchDb, catalog: Catalog, plan: MigrationPlan, traits: EngineTraits, rows: int
) -> int:
    script = render_schema(catalog, traits)
    try:
        db.execute(script)
    except Exception as exc:
        raise DbarchError(
            Diagnostic(
                f"cannot create the current schema on the scratch database: {error_message(exc)}",
                field="--rehearse",
            )
        ) from None
    gen = RowGenerator(catalog, rows, plan)
    total = 0
    for table in fill_order(catalog):
        cols = gen.columns(table)
        sql = insert_sql(db, table, cols, traits)
        data = [gen.row(table, i) for i in range(1, rows + 1)]
        try:
            db.executemany(sql, data)
        except Exception as exc:
            raise DbarchError(
                Diagnostic(
                    f"cannot fill {table.name} with generated rows: {error_message(exc)}",
                    field="--rehearse",
                    hint="fill the scratch database yourself and rehearse with --rehearse-existing",
                )
            ) from None
        total += rows
    if db.family == EngineName.POSTGRESQL:
        db.execute("ANALYZE")
    return total
