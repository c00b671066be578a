"""PostgreSQL index and constraint clauses the catalog does not carry, read from a database as the
DDL reader records them for a file (``index property``, ``constraint property`` objects).

A database's own definitions (``pg_get_indexdef``, ``pg_get_constraintdef``) are written as DDL on a
sketch of their table and read back by :func:`dbarchitect.ingest.ddl.load_ddl`, so a database and
the file that built it list the same text: an index's ``WITH (fillfactor=70)``, ``NULLS LAST``, key
``COLLATE``, a unique constraint's ``NULLS NOT DISTINCT`` or ``INCLUDE``, a foreign key's ``MATCH
FULL`` or ``DEFERRABLE``, a constraint's ``NOT VALID``. A definition the DDL reader cannot take back
(an ``EXCLUDE`` constraint, ``NO INHERIT``) is named whole: a plan then lists it instead of
dropping it silently.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from typing import Any

from dbarchitect.errors import DbarchError
from dbarchitect.ingest.ddl import load_ddl
from dbarchitect.model.catalog import ObjectSource, SchemaObject
from dbarchitect.model.names import EngineName

_KINDS = ("index property", "constraint property")


#: Definitions the DDL reader cannot read (a file with them is refused): named whole.
_UNREADABLE = re.compile(r"^\s*EXCLUDE\b|\bNO INHERIT\b|\bNULLS NOT DISTINCT\b", re.IGNORECASE)


_REFERENCES = re.compile(r'\bREFERENCES\s+((?:"(?:[^"]|"")+"|[\w$]+)(?:\.(?:"(?:[^"]|"")+"|[\w$]+))?)\s*\(')


def _plain(name: str) -> str:
    """A name as PostgreSQL stores it, without its schema (``public."Users"`` -> ``Users``)."""
    last = str(re.findall(r'"(?:[^"]|"")+"|[\w$]+', name)[-1])
    return last[1:-1].replace('""', '"') if last.startswith('"') else last.lower()


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _read_back(sketch: str, statement: str, kind: str, label: str, definition: str) -> list[SchemaObject]:
    try:
        read = load_ddl(f"{sketch}\n{statement};", EngineName.POSTGRESQL)
    except DbarchError:
        # what the DDL reader refuses in a file too (EXCLUDE, NO INHERIT, a unique index's NULLS NOT
        # DISTINCT) is named whole: left out, the plan would say nothing of it; anything else it could
        # not read back on the sketch (text columns) is left to the catalog
        if _UNREADABLE.search(definition):
            return [SchemaObject(kind, label, definition, ObjectSource.DATABASE)]
        return []
    return [replace(o, source=ObjectSource.DATABASE) for o in read.objects if o.kind in _KINDS]


def postgres_key_clauses(
    rows: Callable[..., list[Any]],
    schema: str,
    columns: Mapping[str, Collection[str]],
    skipped: Collection[str],
) -> tuple[SchemaObject, ...]:
    """The clauses of ``schema``'s indexes and constraints (tables in ``skipped``, partitions, left
    out); ``columns`` maps each table to its column names (the sketch the definitions are read on)."""
    sketches = {
        table: f"CREATE TABLE {_quote(table)} ({', '.join(f'{_quote(c)} text' for c in cols)});"
        for table, cols in columns.items()
        if cols
    }
    prefix = re.compile(
        rf"\bON\s+(ONLY\s+)?{re.escape(_quote(schema))}\.|\bON\s+(ONLY\s+)?{re.escape(schema)}\."
    )
    out: list[SchemaObject] = []
    for table, name, definition in rows(
        "select t.relname, i.relname, pg_get_indexdef(i.oid) from pg_index x "
        "join pg_class i on i.oid = x.indexrelid join pg_class t on t.oid = x.indrelid "
        "join pg_namespace n on n.oid = t.relnamespace "
        "where n.nspname = :s and t.relkind in ('r', 'p') and not t.relispartition "
        "and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid "
        "and c.contype in ('p', 'u', 'x')) order by t.relname, i.relname",
        s=schema,
    ):
        if table in skipped or table not in sketches:
            continue
        statement = prefix.sub(lambda m: "ON " + (m.group(1) or m.group(2) or ""), str(definition), count=1)
        out += _read_back(sketches[table], statement, "index property", f"{table}.{name}", str(definition))
    for table, name, definition, storage in rows(
        "select t.relname, c.conname, pg_get_constraintdef(c.oid), "
        # pg_get_constraintdef leaves out the backing index's storage parameters (WITH (fillfactor))
        "(select array_to_string(i.reloptions, ', ') from pg_class i where i.oid = c.conindid "
        "and c.contype in ('u', 'x')) from pg_constraint c "
        "join pg_class t on t.oid = c.conrelid join pg_namespace n on n.oid = t.relnamespace "
        "where n.nspname = :s and t.relkind in ('r', 'p') and not t.relispartition "
        "and c.contype in ('u', 'f', 'c', 'x') and c.conparentid = 0 order by t.relname, c.conname",
        s=schema,
    ):
        if table in skipped or table not in sketches:
            continue
        if storage and " WITH (" not in str(definition):
            definition = f"{definition} WITH ({storage})"
        # a foreign key is read with the table it references (the reader checks it exists)
        ref = _REFERENCES.search(str(definition))
        target = _plain(ref.group(1)) if ref is not None else table
        sketch = sketches[table] + ("\n" + sketches[target] if target != table and target in sketches else "")
        statement = f"ALTER TABLE {_quote(table)} ADD CONSTRAINT {_quote(name)} {definition}"
        out += _read_back(sketch, statement, "constraint property", f"{table}.{name}", str(definition))
    return tuple(out)


__all__ = ["postgres_key_clauses"]
