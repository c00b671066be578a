"""Naming conventions for what the schema designer adds: tables, key columns, constraints.

Configurable from the brief's ``schema.naming`` (:class:`~dbarchitect.brief.NamingSpec`): table names
as declared, plural or singular; the surrogate key as ``id`` or ``<table>_id``; the foreign-key column
suffix. Names are snake_case. Constraint names follow PostgreSQL's own defaults (``<table>_pkey``,
``<table>_<cols>_fkey``, ``<table>_<cols>_key``, ``<table>_<col>_check``, ``<table>_<cols>_idx``) and
are kept within the identifier limit of every engine the design must run on
(``EngineTraits.identifier_max_length``): a longer name keeps its start and ends in a short stable
hash of the full name, so two long names never collide after shortening.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from dbarchitect.brief import NamingSpec

ConstraintKind = Literal["pkey", "fkey", "key", "check", "idx"]

_IRREGULAR = {
    "person": "people",
    "child": "children",
    "man": "men",
    "woman": "women",
    "mouse": "mice",
    "datum": "data",
    "index": "indexes",
    "status": "statuses",
    "address": "addresses",
}
_IRREGULAR_SINGULAR = {v: k for k, v in _IRREGULAR.items()}
_UNCOUNTABLE = frozenset({"data", "metadata", "news", "series", "species", "equipment", "information"})


def snake_case(name: str) -> str:
    """``OrderItem`` / ``order-item`` / ``orderItem`` -> ``order_item``."""
    text = re.sub(r"[^0-9A-Za-z_]+", "_", name.strip())
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    text = re.sub(r"(?<=[A-Z])(?=[A-Z][a-z])", "_", text)
    return re.sub(r"_+", "_", text).strip("_").lower()


def _split_last(name: str) -> tuple[str, str]:
    head, _, last = name.rpartition("_")
    return (head + "_" if head else ""), last


def plural(name: str) -> str:
    """English plural of the last word of a snake_case name (``order_item`` -> ``order_items``)."""
    head, word = _split_last(name)
    if word in _UNCOUNTABLE or word in _IRREGULAR_SINGULAR:
        return name
    if word in _IRREGULAR:
        return head + _IRREGULAR[word]
    if re.search(r"[^aeiou]y$", word):
        return head + word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return head + word + "es"
    return head + word + "s"


def singular(name: str) -> str:
    """English singular of the last word of a snake_case name (``categories`` -> ``category``)."""
    head, word = _split_last(name)
    if word in _UNCOUNTABLE or word in _IRREGULAR:
        return name
    if word in _IRREGULAR_SINGULAR:
        return head + _IRREGULAR_SINGULAR[word]
    if word.endswith("ies") and len(word) > 3:
        return head + word[:-3] + "y"
    if re.search(r"(ss|x|z|ch|sh)es$", word):
        return head + word[:-2]
    if word.endswith("s") and not word.endswith("ss") and len(word) > 1:
        return head + word[:-1]
    return name


def fit(name: str, limit: int) -> str:
    """``name`` when it fits in ``limit`` characters, else its start plus ``_`` and an 8-hex hash."""
    if len(name) <= limit:
        return name
    digest = hashlib.sha1(name.encode()).hexdigest()[:8]
    return name[: max(limit - 9, 1)].rstrip("_") + "_" + digest


@dataclass(frozen=True)
class Naming:
    """The conventions in force, with the shortest identifier limit among the design's engines."""

    tables: Literal["as_declared", "plural", "singular"] = "as_declared"
    primary_key: Literal["id", "table_id"] = "id"
    foreign_key_suffix: str = "_id"
    max_length: int = 63

    @staticmethod
    def from_spec(spec: NamingSpec | None, max_length: int) -> Naming:
        spec = spec or NamingSpec()
        return Naming(spec.tables, spec.primary_key, spec.foreign_key_suffix, max_length)

    def table(self, entity: str) -> str:
        """The table name for an entity name."""
        if self.tables == "as_declared":
            return entity
        name = snake_case(entity)
        return fit(plural(name) if self.tables == "plural" else singular(name), self.max_length)

    def key_column(self, table: str) -> str:
        """The surrogate key column of ``table``."""
        if self.primary_key == "id":
            return "id"
        return fit(singular(snake_case(table)) + self.foreign_key_suffix, self.max_length)

    def foreign_key_column(self, target_table: str, target_column: str, role: str | None, parts: int) -> str:
        """The column referencing ``target_table.target_column``: ``<role or singular target>_id`` for
        a one-column key, ``<role or singular target>_<column>`` for each column of a composite one."""
        stem = snake_case(role) if role else singular(snake_case(target_table))
        if parts == 1:
            suffix = self.foreign_key_suffix
            name = stem if stem.endswith(suffix) else stem + suffix
        else:
            name = f"{stem}_{snake_case(target_column)}"
        return fit(name, self.max_length)

    def junction_table(self, first: str, second: str) -> str:
        """The junction table of an M:N relationship between two tables."""
        return fit(f"{singular(snake_case(first))}_{plural(singular(snake_case(second)))}", self.max_length)

    def constraint(self, table: str, columns: Iterable[str], kind: ConstraintKind) -> str:
        """A constraint or index name in PostgreSQL's default style, within the identifier limit."""
        cols = "_".join(columns)
        name = f"{table}_{kind}" if kind == "pkey" else f"{table}_{cols}_{kind}"
        return fit(name, self.max_length)
