"""How MariaDB / MySQL (InnoDB) name what a schema leaves unnamed, checked against MariaDB 10.11:

- an index or unique key is named after its first column (``email``); when the table already has
  a key of that name, ``email_2``, ``email_3``... (``make_unique_key_name``); the primary key is
  ``PRIMARY`` (read back as no name);
- a foreign key is ``<table>_ibfk_<n>``, numbered per table from 1 in declaration order, the table
  name as written (``Foo_ibfk_1``); one added later by ALTER TABLE takes the next number. When no
  index leads with its columns InnoDB adds one, named after the constraint when it is named, else
  after its first column (kept when the foreign key is dropped);
- a table-level CHECK is ``CONSTRAINT_<n>``, the counter starting at 1 and skipping names the
  table's checks already use; a column-level CHECK is named after its column (and is part of the
  column: ``DROP CONSTRAINT`` cannot drop it);
- ``NO ACTION`` is ``RESTRICT`` (InnoDB checks both at once; ``REFERENTIAL_CONSTRAINTS`` says
  ``RESTRICT``), so both sides say ``RESTRICT``.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from dbarchitect.engines.naming import ConstraintRef, ImplicitNames
from dbarchitect.model.catalog import Catalog, Index, IndexKey, ReferentialAction, Table
from dbarchitect.model.names import Name

if TYPE_CHECKING:
    from dbarchitect.engines.traits import EngineTraits


def _action(action: ReferentialAction) -> ReferentialAction:
    return ReferentialAction.RESTRICT if action == ReferentialAction.NO_ACTION else action


_PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _named(text: str) -> Name:
    """As introspection reads a name back: quoted only when it is not a plain word."""
    return Name(text, quoted=not _PLAIN.match(text))


def _table(t: Table, implied: set[tuple[str, str]]) -> Table:
    def imply(text: str) -> Name:
        name = _named(text)
        implied.add((t.name.key, name.key))
        return name

    keys = {"primary"}
    keys |= {u.name.value.lower() for u in t.uniques if u.name is not None}
    keys |= {i.name.value.lower() for i in t.indexes if not i.implicit_name}

    def key_name(first: str) -> str:
        text, n = first, 1
        while text.lower() in keys:
            n += 1
            text = f"{first}_{n}"
        keys.add(text.lower())
        return text

    uniques = []
    for u in t.uniques:
        if u.name is None and u.columns:
            u = replace(u, name=imply(key_name(u.columns[0].value)))
        uniques.append(u)
    indexes = []
    for index in t.indexes:
        if index.implicit_name:
            first = index.keys[0].column.value if index.keys and index.keys[0].column is not None else "expr"
            index = replace(index, name=imply(key_name(first)), implicit_name=False)
        indexes.append(index)
    fks = []
    number = 0
    for fk in t.foreign_keys:
        fk = replace(fk, on_delete=_action(fk.on_delete), on_update=_action(fk.on_update))
        if fk.name is None:
            number += 1
            fk = replace(fk, name=imply(f"{t.name.value}_ibfk_{number}"))
        fks.append(fk)
    # InnoDB indexes a foreign key that no key leads with: named after the constraint when the DDL
    # named it, else after its first column.
    leading = [t.primary_key.columns] if t.primary_key is not None else []
    leading += [u.columns for u in uniques] + [i.columns for i in indexes if len(i.columns) == len(i.keys)]
    for fk, written in zip(fks, t.foreign_keys, strict=True):
        n = len(fk.columns)
        wanted = [c.key for c in fk.columns]
        if any([c.key for c in cols[:n]] == wanted for cols in leading):
            continue
        if written.name is not None:  # named after the constraint: known, not derived
            name = _named(key_name(written.name.value))
        else:
            name = imply(key_name(fk.columns[0].value))
        indexes.append(Index(name, tuple(IndexKey(column=c) for c in fk.columns)))
        leading.append(fk.columns)
    taken = {c.name.value.lower() for c in t.checks if c.name is not None}
    checks = []
    counter = 1
    for check in t.checks:
        if check.name is None:
            if check.column is not None:
                check = replace(check, name=imply(check.column.value))
            else:
                while f"constraint_{counter}" in taken:
                    counter += 1
                text = f"CONSTRAINT_{counter}"
                taken.add(text.lower())
                counter += 1
                check = replace(check, name=imply(text))
        checks.append(check)
    return replace(
        t, uniques=tuple(uniques), indexes=tuple(indexes), foreign_keys=tuple(fks), checks=tuple(checks)
    )


def implicit_names(catalog: Catalog) -> ImplicitNames:
    """``catalog`` with every unnamed key, foreign key and check named as MariaDB names it."""
    implied: set[tuple[str, str]] = set()
    tables = tuple(_table(t, implied) for t in catalog.tables)
    return ImplicitNames(replace(catalog, tables=tables), frozenset(implied))


__all__ = ["implicit_names"]


def _list(names: tuple[Name, ...]) -> str:
    return ",".join(n.value for n in names)


def drop_unknown_constraint(traits: EngineTraits, ref: ConstraintRef) -> tuple[str, ...]:
    """Statements that find the constraint in ``information_schema`` (a foreign key by its columns and
    the columns it references, a unique key by its columns, a table-level check among the table's
    checks), take the derived name when several match, and drop it through a prepared statement; when
    none or several still match the prepared statement is a SIGNAL naming the constraint."""
    lit = traits.literal
    table = lit(ref.table.value)
    others = " AND name NOT IN (" + ", ".join(lit(n.value) for n in ref.others) + ")" if ref.others else ""
    if ref.kind == "foreign key":
        candidates = (
            "SELECT CONSTRAINT_NAME AS name, 0 AS same FROM information_schema.KEY_COLUMN_USAGE "
            f"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = {table} AND REFERENCED_TABLE_NAME = "
            f"{lit(ref.ref_table.value if ref.ref_table else '')} GROUP BY CONSTRAINT_NAME "
            "HAVING GROUP_CONCAT(COLUMN_NAME ORDER BY ORDINAL_POSITION SEPARATOR ',') = "
            + lit(_list(ref.columns or ()))
            + (
                " AND GROUP_CONCAT(REFERENCED_COLUMN_NAME ORDER BY ORDINAL_POSITION SEPARATOR ',') = "
                + lit(_list(ref.ref_columns))
                if ref.ref_columns
                else ""
            )
        )
        clause = "DROP FOREIGN KEY"
    elif ref.kind in ("unique", "index"):
        candidates = (
            "SELECT INDEX_NAME AS name, 0 AS same FROM information_schema.STATISTICS "
            "WHERE TABLE_SCHEMA = DATABASE() "
            f"AND TABLE_NAME = {table} AND NON_UNIQUE = {0 if ref.kind == 'unique' else 1} "
            "AND INDEX_NAME <> 'PRIMARY' GROUP BY INDEX_NAME "
            "HAVING GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX SEPARATOR ',') = "
            + lit(_list(ref.columns or ()))
        )
        clause = "DROP INDEX"
    else:
        # The server reprints the clause (`x` > 0): compared without quotes, spaces and case.
        written = "".join((ref.expression or "").replace("`", "").lower().split())
        same = f"REPLACE(REPLACE(LOWER(CHECK_CLAUSE), '`', ''), ' ', '') = {lit(written)}" if written else "0"
        candidates = (
            f"SELECT CONSTRAINT_NAME AS name, ({same}) AS same FROM information_schema.CHECK_CONSTRAINTS "
            f"WHERE CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = {table} AND LEVEL = 'Table'"
        )
        clause = "DROP CONSTRAINT"
    derived = lit(ref.derived.value)
    quoted_table = traits.quote(ref.table).replace("'", "''")
    message = ("dbarchitect: cannot tell which constraint to drop: " + ref.label)[:120]
    fail = lit(f"SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = {lit(message)}")
    # Several candidates: the derived name decides only between equal definitions (two foreign keys
    # or unique keys on the same columns are; two checks are when their clauses are).
    tie = f"name = {derived} AND same" if ref.kind == "check" else f"name = {derived}"
    pick = (
        f"SELECT IF(SUM(same) = 1, MAX(IF(same, name, NULL)), IF(COUNT(*) = 1, MAX(name), "
        f"IF(SUM({tie}) = 1, {derived}, NULL))) "
        f"FROM ({candidates}) AS k WHERE 1 = 1{others}"
    )
    return (
        f"SET @dbarch_name = ({pick})",
        f"SET @dbarch_sql = COALESCE(CONCAT('ALTER TABLE {quoted_table} {clause} `', "
        f"REPLACE(@dbarch_name, '`', '``'), '`{ref.alter_suffix}'), {fail})",
        "PREPARE dbarch_drop FROM @dbarch_sql",
        "EXECUTE dbarch_drop",
        "DEALLOCATE PREPARE dbarch_drop",
    )
