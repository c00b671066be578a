"""How PostgreSQL names what a schema leaves unnamed (``src/backend/commands/indexcmds.c``
``makeObjectName`` / ``ChooseRelationName`` / ``ChooseIndexName``, ``catalog/pg_constraint.c``
``ChooseConstraintName``, ``catalog/heap.c`` for checks), checked against PostgreSQL 15:

- a name is ``<table>_<columns joined by _>_<label>``: ``pkey`` (primary key), ``key`` (unique),
  ``excl``, ``idx`` (an index), ``fkey`` (a foreign key: its own columns), ``check`` (a check:
  ``<table>_<column>_check`` when the expression reads exactly one column, else ``<table>_check``),
  ``seq`` (an identity or serial column's sequence). An index's expression key is named after its
  function (``lower(email)`` -> ``lower``), other expressions ``expr``; a repeated column name
  gets a number (``a``, ``a1``);
- the columns part is cut at 63 bytes first, then the table and columns parts are cut, the longer
  one first, so the whole name fits in 63 bytes (``NAMEDATALEN - 1``), never splitting a UTF-8
  character;
- when the name is taken, the label gets a number (``orders_total_check1``, ``_check2``...): by a
  relation of the schema (table, view, index, sequence) for indexes and sequences, and also by a
  constraint of the schema for keys; by a constraint of the schema for checks and foreign keys.

A file is named in its statement order: table by table, each table's sequences, then its checks,
then its primary and unique keys, then its foreign keys, then its indexes.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.engines.naming import ConstraintRef, ImplicitNames, engine_name, expression_columns
from dbarchitect.engines.quoting import dollar_quoted
from dbarchitect.model.catalog import Catalog, Index, Table
from dbarchitect.model.names import Name

if TYPE_CHECKING:
    from dbarchitect.engines.traits import EngineTraits

#: NAMEDATALEN - 1: the longest name PostgreSQL keeps, in bytes.
MAX_BYTES = 63


def _clip(text: str, limit: int) -> str:
    """The longest prefix of ``text`` of at most ``limit`` UTF-8 bytes (pg_mbcliplen)."""
    data = text.encode()
    if len(data) <= limit:
        return text
    return data[:limit].decode("utf-8", errors="ignore")


def object_name(name1: str, name2: str | None, label: str | None) -> str:
    """``makeObjectName``: ``name1[_name2][_label]`` cut to 63 bytes, the longer part first."""
    n1, n2 = len(name1.encode()), len(name2.encode()) if name2 is not None else 0
    overhead = (1 if name2 is not None else 0) + (len(label.encode()) + 1 if label else 0)
    available = MAX_BYTES - overhead
    while n1 + n2 > available:
        if n1 > n2:
            n1 -= 1
        else:
            n2 -= 1
    out = _clip(name1, n1)
    if name2 is not None:
        out += "_" + _clip(name2, n2)
    if label:
        out += "_" + label
    return out


def name_addition(columns: list[str]) -> str:
    """``ChooseIndexNameAddition``: the column names joined by ``_``, stopping past 63 bytes."""
    buf = ""
    for column in columns:
        if buf:
            buf += "_"
        buf += _clip(column, MAX_BYTES)  # the lexer cut it already
        if len(buf.encode()) >= MAX_BYTES + 1:
            break
    return _clip(buf, MAX_BYTES)


def _index_key_name(expression: str) -> str:
    """``FigureIndexColname``: a function call's name, else ``expr``."""
    try:
        node = sqlglot.parse_one(expression, read="postgres")
    except (SqlglotError, ValueError, RecursionError):
        return "expr"
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Cast):  # a cast is named after its type... or what it casts
        node = node.this
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    if isinstance(node, exp.Func):
        return node.sql_name().lower()
    return "expr"


def index_column_names(index: Index) -> list[str]:
    """``ChooseIndexColumnNames``: each key's name (INCLUDE columns too), repeats numbered."""
    out: list[str] = []
    raw = [
        k.column.value if k.column is not None else _index_key_name(k.expression or "") for k in index.keys
    ]
    raw += [c.value for c in index.include]
    for original in raw:
        current, i = original, 0
        while current in out:
            i += 1
            current = _clip(original, MAX_BYTES - len(str(i))) + str(i)
        out.append(current)
    return out


class _Namer:
    def __init__(self, catalog: Catalog) -> None:
        # Relations whose names are fixed: tables and views (and every index named in the file).
        self.relations = {t.name.value for t in catalog.tables} | {v.name.value for v in catalog.views}
        self.relations |= {i.name.value for t in catalog.tables for i in t.indexes if not i.implicit_name}
        self.relations |= {
            t.primary_key.name.value for t in catalog.tables if t.primary_key and t.primary_key.name
        }
        self.relations |= {u.name.value for t in catalog.tables for u in t.uniques if u.name is not None}
        self.constraints: set[str] = set()
        self.implied: set[tuple[str, str]] = set()

    def choose(self, name1: str, name2: str | None, label: str, *, relation: bool, constraint: bool) -> str:
        number = 0
        while True:
            candidate = object_name(name1, name2, label + (str(number) if number else ""))
            taken = (relation and candidate in self.relations) or (
                constraint and candidate in self.constraints
            )
            if not taken:
                return candidate
            number += 1

    def implied_name(self, table: Table, text: str) -> Name:
        name = engine_name(text)
        self.implied.add((table.name.key, name.key))
        return name

    def table(self, t: Table) -> Table:
        tname = _clip(t.name.value, MAX_BYTES)  # the lexer cuts every identifier
        for column in t.columns:
            if column.identity:
                self.relations.add(
                    self.choose(tname, column.name.value, "seq", relation=True, constraint=False)
                )
        checks = []
        for check in t.checks:
            if check.name is not None:
                self.constraints.add(check.name.value)
                checks.append(check)
                continue
            columns = expression_columns(check.expression, t)
            if columns is None:
                checks.append(check)  # not known: left unnamed, compared by its expression
                continue
            only = _clip(columns[0].value, MAX_BYTES) if len(columns) == 1 else None
            text = self.choose(tname, only, "check", relation=False, constraint=True)
            self.constraints.add(text)
            checks.append(replace(check, name=self.implied_name(t, text)))
        pk = t.primary_key
        if pk is not None:
            if pk.name is None:
                text = self.choose(tname, None, "pkey", relation=True, constraint=True)
                pk = replace(pk, name=self.implied_name(t, text))
            self.relations.add(pk.name.value)  # type: ignore[union-attr]
            self.constraints.add(pk.name.value)  # type: ignore[union-attr]
        uniques = []
        for u in t.uniques:
            if u.name is None:
                addition = name_addition([c.value for c in u.columns])
                text = self.choose(tname, addition, "key", relation=True, constraint=True)
                u = replace(u, name=self.implied_name(t, text))
            assert u.name is not None
            self.relations.add(u.name.value)
            self.constraints.add(u.name.value)
            uniques.append(u)
        fks = []
        for fk in t.foreign_keys:
            if fk.name is None:
                addition = name_addition([c.value for c in fk.columns])
                text = self.choose(tname, addition, "fkey", relation=False, constraint=True)
                fk = replace(fk, name=self.implied_name(t, text))
            assert fk.name is not None
            self.constraints.add(fk.name.value)
            fks.append(fk)
        indexes = []
        for index in t.indexes:
            if index.implicit_name:
                addition = name_addition(index_column_names(index))
                text = self.choose(tname, addition, "idx", relation=True, constraint=False)
                index = replace(index, name=self.implied_name(t, text), implicit_name=False)
                self.relations.add(text)
            indexes.append(index)
        return replace(
            t,
            checks=tuple(checks),
            primary_key=pk,
            uniques=tuple(uniques),
            foreign_keys=tuple(fks),
            indexes=tuple(indexes),
        )


def implicit_names(catalog: Catalog) -> ImplicitNames:
    """``catalog`` with every unnamed constraint and index named as PostgreSQL names it."""
    namer = _Namer(catalog)
    tables = tuple(namer.table(t) for t in catalog.tables)
    return ImplicitNames(replace(catalog, tables=tables), frozenset(namer.implied))


__all__ = ["MAX_BYTES", "implicit_names", "index_column_names", "name_addition", "object_name"]


def _attnums(relation: str, columns: tuple[Name, ...], literal: Callable[[str], str]) -> str:
    names = ", ".join(literal(c.value if c.quoted else c.value.lower()) for c in columns)
    return (
        f"ARRAY(SELECT a.attnum FROM unnest(ARRAY[{names}]::name[]) WITH ORDINALITY AS k(col, i) "
        f"JOIN pg_attribute a ON a.attrelid = {relation} AND a.attname = k.col ORDER BY k.i)::int2[]"
    )


_CONTYPE = {"check": "c", "foreign key": "f", "unique": "u", "primary key": "p"}
#: What a deparsed expression carries besides its meaning: spaces, parentheses, casts.
_BARE_PATTERN = r"\s+|[()]|::[a-z_]+( [a-z_]+)*(\[\])?"


def _bare(text: str) -> str:
    return re.sub(_BARE_PATTERN, "", text.lower())


def drop_unknown_constraint(traits: EngineTraits, ref: ConstraintRef) -> tuple[str, ...]:
    """A DO block that finds the constraint in ``pg_constraint`` by its kind and columns (and, for a
    foreign key, the table and columns it references), takes the derived name when several match,
    drops it, and raises an error naming the constraint when none or several still match."""
    lit = traits.literal
    where = ["c.conrelid = rel", f"c.contype = '{_CONTYPE[ref.kind]}'"]
    if ref.kind in ("foreign key", "unique") and ref.columns:
        where.append(f"c.conkey = {_attnums('rel', ref.columns, lit)}")
    if ref.kind == "check" and ref.columns is not None:
        cols = _attnums("rel", ref.columns, lit)
        where.append(f"coalesce(c.conkey, '{{}}') @> {cols} AND coalesce(c.conkey, '{{}}') <@ {cols}")
    if ref.kind == "foreign key" and ref.ref_table is not None:
        target = f"to_regclass({lit(traits.quote(ref.ref_table))})"
        where.append(f"c.confrelid = {target}")
        if ref.ref_columns:
            where.append(f"c.confkey = {_attnums(target, ref.ref_columns, lit)}")
    if ref.others:
        where.append(f"c.conname <> ALL (ARRAY[{', '.join(lit(n.value) for n in ref.others)}]::name[])")
    derived = lit(ref.derived.value)
    label = lit(ref.label)
    # A check's text as the server deparses it, without case, spaces, parentheses and casts, against
    # the plan's own text so: tells checks on the same columns apart (best effort: no match is fine).
    written = _bare(ref.expression or "")
    same = (
        "regexp_replace(lower(pg_get_expr(c.conbin, c.conrelid)), "
        f"{lit(_BARE_PATTERN)}, '', 'g') = {lit(written)}"
        if ref.kind == "check" and written
        else "false"
    )
    # Several candidates: the derived name decides only between equal definitions (two foreign keys
    # or unique keys on the same columns are; two checks are when their texts are).
    tie = "same" if ref.kind == "check" else "found"
    body = (
        f" DECLARE rel regclass := to_regclass({lit(traits.quote(ref.table))}); found name[]; same name[]; "
        "BEGIN SELECT array_agg(c.conname ORDER BY c.conname), "
        f"array_agg(c.conname ORDER BY c.conname) FILTER (WHERE {same}) INTO found, same "
        "FROM pg_constraint c WHERE "
        + " AND ".join(where)
        + "; IF cardinality(same) = 1 THEN found := same; "
        f"ELSIF cardinality(found) > 1 AND {derived} = ANY ({tie}) THEN found := ARRAY[{derived}]::name[]; "
        "END IF; "
        f"IF found IS NULL OR cardinality(found) <> 1 THEN RAISE EXCEPTION 'dbarchitect: cannot tell which "
        f"constraint to drop: % (found: %)', {label}, coalesce(array_to_string(found, ', '), 'none'); "
        "END IF; "
        f"EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', rel, found[1]); END "
    )
    return (f"DO {dollar_quoted(body)}",)
