"""Names an engine gives to what a schema leaves unnamed: the shared part.

Each engine's rules live in its own module (:mod:`dbarchitect.engines.naming_postgres`,
:mod:`dbarchitect.engines.naming_mysql`) and are reached through ``traits.implicit_names``; SQLite
keeps unnamed constraints unnamed (``sqlite_master`` holds the CREATE TABLE text), so its rule
names nothing. The result says which names were implied, so a migration plan knows it did not read
them from a database (:mod:`dbarchitect.advisors.migrations.canonical`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.names import Name

_PLAIN_LOWER = re.compile(r"^[a-z_][a-z0-9_]*$")


@dataclass(frozen=True)
class ImplicitNames:
    """A catalog with the engine's names filled in, and the (table key, name key) pairs implied."""

    catalog: Catalog
    implied: frozenset[tuple[str, str]] = frozenset()


def unnamed(catalog: Catalog) -> ImplicitNames:
    """SQLite's rule: nothing is named."""
    return ImplicitNames(catalog)


def engine_name(text: str) -> Name:
    """A name the engine made, as introspection reads it back (quoted unless plain lower case)."""
    return Name(text, quoted=not _PLAIN_LOWER.match(text))


def expression_columns(expression: str, table: Table) -> list[Name] | None:
    """The distinct columns of ``table`` an expression reads (None: the
    expression does not parse, so which columns it reads is not known)."""
    try:
        node = sqlglot.parse_one(expression)
    except (SqlglotError, ValueError, RecursionError):
        return None
    if not isinstance(node, exp.Expression):
        return None
    out: list[Name] = []
    for column in node.find_all(exp.Column):
        found = table.column(Name(column.name, quoted=bool(column.this.args.get("quoted"))))
        if found is not None and not any(n.key == found.name.key for n in out):
            out.append(found.name)
    return out


def names_in_order(names: Iterable[Name | None]) -> list[str]:
    return [n.value for n in names if n is not None]


@dataclass(frozen=True)
class ConstraintRef:
    """A constraint to drop whose name was derived (from a file), not read from the database: the
    engine module writes SQL that looks its real name up when it runs, or fails naming it."""

    #: ``check``, ``foreign key``, ``unique``, ``primary key`` or ``index`` (MySQL/MariaDB: a plain
    #: index, by its columns).
    kind: str
    table: Name
    #: The name the engine's rule gives it: used when several constraints match.
    derived: Name
    #: Its columns (a check's: those it reads; None when its expression could not be read).
    columns: tuple[Name, ...] | None = ()
    ref_table: Name | None = None
    ref_columns: tuple[Name, ...] = ()
    #: Real names of the table's other constraints of this kind, never candidates.
    others: tuple[Name, ...] = ()
    #: Appended to the ALTER TABLE (MySQL/MariaDB: ``, ALGORITHM=..., LOCK=...``).
    alter_suffix: str = ""
    #: A check's expression in the engine's SQL, to tell checks on the same columns apart.
    expression: str | None = None

    @property
    def label(self) -> str:
        cols = f" ({', '.join(c.value for c in self.columns)})" if self.columns else ""
        ref = (
            f" -> {self.ref_table} ({', '.join(c.value for c in self.ref_columns)})" if self.ref_table else ""
        )
        return f"{self.kind} of {self.table}{cols}{ref}"
