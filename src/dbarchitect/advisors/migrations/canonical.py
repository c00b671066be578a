"""One canonical form for both sides of a comparison, so that a schema compares equal to the
database it built.

Two things differ between a DDL file and the catalog an engine keeps after running it, without
any change of meaning:

- **Names the engine chose.** A constraint or index written without a name gets one from the
  engine (PostgreSQL ``orders_pkey``, ``orders_customer_id_fkey``; InnoDB ``orders_ibfk_1``;
  MariaDB ``CONSTRAINT_1``). Each engine's rules are in its own module
  (:mod:`dbarchitect.engines.naming_postgres`, :mod:`dbarchitect.engines.naming_mysql`) and are
  applied to both sides through ``traits.implicit_names`` before diffing. The names so derived are
  *implied*: a plan never drops by such a name blindly (see :class:`Canonical`).
- **Expressions the engine rewrote.** PostgreSQL stores ``kind IN ('a', 'b')`` as
  ``kind = ANY (ARRAY['a'::text, 'b'::text])``, ``x BETWEEN 1 AND 5`` as ``x >= 1 AND x <= 5``
  and adds parentheses and casts of literals. :func:`expression_key` compares expressions by their
  parsed tree with those rewrites undone: parentheses are dropped from the *tree* (where the
  nesting already holds the precedence, so ``(a + b) * c`` and ``a + b * c`` stay different),
  casts of literals and of columns to text are dropped, ``= ANY (ARRAY[...])`` is ``IN (...)`` and
  ``BETWEEN`` is its two comparisons. Text that does not parse compares as whitespace-normalized
  text.
- **Names longer than the engine keeps.** PostgreSQL cuts every identifier to 63 bytes: a file's
  longer name is compared (and planned) as the cut one.
- **Values written another way.** A numeric default ``0`` reads back as ``0.00`` (MariaDB); a timestamp
  partition bound ``'2025-11-01'`` as ``'2025-11-01 00:00:00'``. Both sides write them one way.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.naming import ImplicitNames
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, DefaultKind, PartitionMethod
from dbarchitect.model.names import Name
from dbarchitect.model.types import TypeKind

logging.getLogger("sqlglot").setLevel(logging.ERROR)

_TEXT_TYPES = {
    exp.DataType.Type.TEXT,
    exp.DataType.Type.VARCHAR,
    exp.DataType.Type.CHAR,
    exp.DataType.Type.NVARCHAR,
    exp.DataType.Type.NCHAR,
}


def _unparen(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    return node


def _literal(node: exp.Expression) -> bool:
    node = _unparen(node)
    if isinstance(node, exp.Neg):
        node = _unparen(node.this)
    return isinstance(node, exp.Literal | exp.Boolean | exp.Null)


def _array_items(node: exp.Expression) -> list[exp.Expression] | None:
    node = _unparen(node)
    if isinstance(node, exp.Cast):
        node = _unparen(node.this)
    if isinstance(node, exp.Array):
        return list(node.expressions)
    return None


def _rewrite(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Paren):
        return _unparen(node).copy()
    if isinstance(node, exp.Cast):
        inner = _unparen(node.this)
        to = node.args.get("to")
        if _literal(inner):
            return inner.copy()
        if isinstance(inner, exp.Column) and isinstance(to, exp.DataType) and to.this in _TEXT_TYPES:
            return inner.copy()
    if isinstance(node, exp.EQ | exp.NEQ) and isinstance(node.expression, exp.Any | exp.All):
        items = _array_items(node.expression.this)
        if items is not None:
            found = exp.In(this=node.this.copy(), expressions=[i.copy() for i in items])
            return found if isinstance(node, exp.EQ) else exp.Not(this=found)
    if isinstance(node, exp.Between):
        this = node.this
        return exp.And(
            this=exp.GTE(this=this.copy(), expression=node.args["low"].copy()),
            expression=exp.LTE(this=this.copy(), expression=node.args["high"].copy()),
        )
    return node


def _dump(node: object) -> str:
    if isinstance(node, exp.Identifier):
        text = str(node.this)
        return f'"{text}"' if node.args.get("quoted") and text != text.lower() else text.lower()
    if isinstance(node, exp.Literal):
        return f"'{node.this}'" if node.is_string else _number(str(node.this))
    if isinstance(node, exp.Expression):
        parts = []
        for key in sorted(node.args):
            value = node.args[key]
            if value is None or value is False or value == [] or key in ("_type", "quoted"):
                continue
            parts.append(f"{key}={_dump(value)}")
        return f"{type(node).__name__}({','.join(parts)})"
    if isinstance(node, list):
        return "[" + ",".join(_dump(v) for v in node) + "]"
    return str(node).lower()


def _number(text: str) -> str:
    try:
        value = float(text)
    except ValueError:
        return text
    return repr(value) if value != int(value) else str(int(value))


@functools.lru_cache(maxsize=4096)
def expression_key(sql: str) -> str:
    """A comparison key for a neutral SQL expression: equal for the same expression as written in a
    file and as deparsed by the engine (see the module docstring)."""
    try:
        node = sqlglot.parse_one(sql)
    except (SqlglotError, ValueError, RecursionError):
        return " ".join(sql.split())
    if not isinstance(node, exp.Expression):
        return " ".join(sql.split())
    # Until nothing changes: a rewrite can reveal another (a cast inside the array of an ANY).
    key = _dump(node)
    for _ in range(16):
        node = node.transform(_rewrite)
        again = _dump(node)
        if again == key:
            break
        key = again
    return key


@dataclass(frozen=True)
class Canonical:
    """Both catalogs in the engine's canonical form, and the names each side only implies."""

    current: Catalog
    target: Catalog
    #: (table key, name key) of constraints and indexes the current schema did not name: their
    #: names are the engine's rule applied to a file, not read from a database.
    current_implied: frozenset[tuple[str, str]]
    target_implied: frozenset[tuple[str, str]]


def canonical(current: Catalog, target: Catalog, traits: EngineTraits) -> Canonical:
    """``current`` and ``target`` named as ``traits``' engine would name what they leave unnamed.

    A derived name can differ from the engine's in its number alone (the order in which a file
    declared keys, or a constraint added later by ALTER TABLE, moves ``email`` to ``email_2`` or
    ``orders_check`` to ``orders_check1``): an implied name the other side does not have takes the
    other side's name of the same object when that name is the same rule with another number."""
    a: ImplicitNames = traits.implicit_names(_values(_cut_names(current, traits), traits))
    b: ImplicitNames = traits.implicit_names(_values(_cut_names(target, traits), traits))
    cur = _adopt(a.catalog, a.implied, b.catalog)
    tgt = _adopt(b.catalog, b.implied, cur)
    return Canonical(cur, tgt, a.implied | _renamed(a.catalog, cur), b.implied | _renamed(b.catalog, tgt))


_NUMBER = re.compile(r"_?\d+$")
_MOMENT = re.compile(r"^'(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?'$")
_TEMPORAL = (TypeKind.DATE, TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ)


def _number_text(value: str) -> str:
    try:
        number = Decimal(value)
    except InvalidOperation:
        return value
    return format(number.normalize(), "f") if number.is_finite() else value


def _moment(text: str) -> str:
    """A date or timestamp literal as one text: ``'2025-11-01 00:00:00'`` is ``'2025-11-01'``."""
    m = _MOMENT.match(text.strip())
    if m is None:
        return text
    day, time = m.group(1), m.group(2)
    if time is not None:
        time = time if time.count(":") == 2 else time + ":00"
        whole, _, fraction = time.partition(".")
        fraction = fraction.rstrip("0")
        time = whole + (f".{fraction}" if fraction else "")
    return f"'{day}'" if time in (None, "00:00:00") else f"'{day} {time}'"


def _cut_names(catalog: Catalog, traits: EngineTraits) -> Catalog:
    """Every identifier as the engine keeps it: PostgreSQL cuts a name to its first 63 bytes (never
    splitting a character), so a longer name in a file is the cut one in the database."""
    if not traits.identifier_truncated:
        return catalog
    limit = traits.identifier_max_length

    def cut(name: Name) -> Name:
        data = name.value.encode()
        if len(data) <= limit:
            return name
        return Name(data[:limit].decode("utf-8", errors="ignore"), quoted=name.quoted)

    def cuts(names: tuple[Name, ...]) -> tuple[Name, ...]:
        return tuple(cut(n) for n in names)

    def named(item: Any) -> Any:
        return replace(item, name=cut(item.name)) if item.name is not None else item

    tables = []
    for t in catalog.tables:
        pk = t.primary_key
        tables.append(
            replace(
                t,
                name=cut(t.name),
                columns=tuple(replace(c, name=cut(c.name)) for c in t.columns),
                primary_key=replace(named(pk), columns=cuts(pk.columns)) if pk is not None else None,
                uniques=tuple(replace(named(u), columns=cuts(u.columns)) for u in t.uniques),
                foreign_keys=tuple(
                    replace(
                        named(f),
                        columns=cuts(f.columns),
                        ref_table=cut(f.ref_table),
                        ref_columns=cuts(f.ref_columns),
                    )
                    for f in t.foreign_keys
                ),
                checks=tuple(named(c) for c in t.checks),
                indexes=tuple(
                    replace(
                        named(i),
                        keys=tuple(replace(k, column=cut(k.column)) if k.column else k for k in i.keys),
                        include=cuts(i.include),
                    )
                    for i in t.indexes
                ),
                partitioning=replace(t.partitioning, columns=cuts(t.partitioning.columns))
                if t.partitioning is not None
                else None,
            )
        )
    views = tuple(replace(v, name=cut(v.name)) for v in catalog.views)
    return replace(catalog, tables=tuple(tables), views=views)


def _values(catalog: Catalog, traits: EngineTraits) -> Catalog:
    """Values written two ways for one meaning, written one way: numeric defaults where the engine
    rewrites them (MariaDB reads ``0`` back as ``0.00``; PostgreSQL keeps each as written) and the
    date and timestamp bounds of partitions (``'2025-11-01 00:00:00'`` is ``'2025-11-01'``)."""
    tables = []
    for t in catalog.tables:
        columns = tuple(
            replace(c, default=replace(c.default, value=_number_text(c.default.value)))
            if c.default is not None
            and c.default.kind == DefaultKind.NUMBER
            and c.default.value is not None
            and traits.number_defaults_rewritten
            else c
            for c in t.columns
        )
        p = t.partitioning
        if (
            p is not None
            and p.method == PartitionMethod.HASH
            and p.partitions
            and all(not x.bounds and x.name.key == f"p{i}" for i, x in enumerate(p.partitions))
        ):
            # MySQL/MariaDB name HASH and KEY partitions p0, p1...: `PARTITIONS 4` is those four
            p = replace(p, partitions=(), count=len(p.partitions))
        if p is not None and len(p.columns) == 1:
            key = t.column(p.columns[0])
            if key is not None and key.type.kind in _TEMPORAL:
                parts = tuple(replace(x, bounds=tuple(_moment(b) for b in x.bounds)) for x in p.partitions)
                p = replace(p, partitions=parts)
        tables.append(replace(t, columns=columns, partitioning=p))
    return replace(catalog, tables=tuple(tables))


def _variant(a: Name, b: Name) -> bool:
    return _NUMBER.sub("", a.value.lower()) == _NUMBER.sub("", b.value.lower())


def _shape(kind: str, item: Any) -> object:
    if kind == "uniques":
        return tuple(c.key for c in item.columns)
    if kind == "foreign_keys":
        return (
            tuple(c.key for c in item.columns),
            item.ref_table.key,
            tuple(c.key for c in item.ref_columns),
            item.on_delete,
            item.on_update,
        )
    if kind == "checks":
        return expression_key(item.expression)
    keys = tuple(
        (
            k.column.key if k.column else None,
            expression_key(k.expression) if k.expression else None,
            k.descending,
            k.opclass,
        )
        for k in item.keys
    )
    where = expression_key(item.where) if item.where else None
    return (keys, item.unique, where, tuple(c.key for c in item.include), item.method)


_KINDS = ("uniques", "foreign_keys", "checks", "indexes")


def _adopt(side: Catalog, implied: frozenset[tuple[str, str]], other: Catalog) -> Catalog:
    tables = []
    for t in side.tables:
        o = other.table(t.name)
        if o is None:
            tables.append(t)
            continue
        changes: dict[str, Any] = {}
        for kind in _KINDS:
            mine: tuple[Any, ...] = getattr(t, kind)
            theirs: tuple[Any, ...] = getattr(o, kind)
            their_items = {(x.name.key, _shape(kind, x)) for x in theirs if x.name is not None}

            def matched(
                item: Any, kind: str = kind, their_items: set[tuple[str, object]] = their_items
            ) -> bool:
                return item.name is None or (item.name.key, _shape(kind, item)) in their_items

            # Names in use on this side: those that match the other side as they are, and every
            # name that was not implied.
            used = {
                x.name.key
                for x in mine
                if x.name is not None and (matched(x) or (t.name.key, x.name.key) not in implied)
            }
            out = []
            for item in mine:
                name = item.name
                if name is not None and (t.name.key, name.key) in implied and not matched(item):
                    shape = _shape(kind, item)
                    match = next(
                        (
                            x
                            for x in theirs
                            if x.name is not None
                            and x.name.key not in used
                            and _variant(name, x.name)
                            and _shape(kind, x) == shape
                        ),
                        None,
                    )
                    if match is not None:
                        used.add(match.name.key)
                        item = replace(item, name=match.name)
                out.append(item)
            changes[kind] = tuple(out)
        tables.append(replace(t, **changes))
    return replace(side, tables=tuple(tables))


def _renamed(before: Catalog, after: Catalog) -> frozenset[tuple[str, str]]:
    """Names :func:`_adopt` gave: implied as well (taken from the other side, not read here)."""
    out: set[tuple[str, str]] = set()
    for t, u in zip(before.tables, after.tables, strict=True):
        for kind in _KINDS:
            for x, y in zip(getattr(t, kind), getattr(u, kind), strict=True):
                if y.name is not None and x.name != y.name:
                    out.add((u.name.key, y.name.key))
    return frozenset(out)


def is_implied(implied: frozenset[tuple[str, str]], table: Name, name: Name | None) -> bool:
    return name is None or (table.key, name.key) in implied
