"""Whether a catalog's names survive an engine: length limits (PostgreSQL counts 63 UTF-8 bytes
and cuts longer names, MySQL/MariaDB refuse names over 64 characters), characters an engine cannot
hold in a name (MariaDB/MySQL keep names in utf8mb3: no emoji), trailing spaces (refused by
MySQL/MariaDB), and two names that become one once cut or folded (two 70-byte table names with the
same first 63 bytes are one table on PostgreSQL: the second CREATE fails, or two columns merge).

Each problem names the objects and what to do. ``error`` problems make the rendered DDL fail or
mean something else on that engine; the others are notes (the engine shortens a name, statements
still find it by the long one).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.names import Name


@dataclass(frozen=True)
class IdentifierProblem:
    table: str
    message: str
    #: The DDL fails, or two designed objects become one, on this engine.
    error: bool


def _length(text: str, traits: EngineTraits) -> int:
    return len(text.encode("utf-8")) if traits.identifier_length_in_bytes else len(text)


def _cut(text: str, traits: EngineTraits) -> str:
    """The name as the engine keeps it when it truncates (never splitting a character)."""
    limit = traits.identifier_max_length
    if _length(text, traits) <= limit:
        return text
    out = ""
    for ch in text:
        if _length(out + ch, traits) > limit:
            break
        out += ch
    return out


def _kept(name: Name, traits: EngineTraits) -> str:
    """The identity the engine compares: cut (when it cuts), folded when unquoted."""
    text = _cut(name.value, traits) if traits.identifier_truncated else name.value
    return text if name.quoted else text.lower()


def _shown(text: str) -> str:
    return text if len(text) <= 50 else text[:24] + "..." + text[-23:]


def _one(name: Name, what: str, table: str, traits: EngineTraits) -> list[IdentifierProblem]:
    out: list[IdentifierProblem] = []
    text = name.value
    length = _length(text, traits)
    unit = "bytes" if traits.identifier_length_in_bytes else "characters"
    if length > traits.identifier_max_length:
        if traits.identifier_truncated:
            out.append(
                IdentifierProblem(
                    table,
                    f"{what} {_shown(text)!r} is {length} {unit}; {traits.label} keeps its first "
                    f"{traits.identifier_max_length} ({_shown(_cut(text, traits))!r}): statements still "
                    "find it, but the catalog shows the short name",
                    error=False,
                )
            )
        else:
            out.append(
                IdentifierProblem(
                    table,
                    f"{what} {_shown(text)!r} is {length} {unit}; {traits.label} refuses names over "
                    f"{traits.identifier_max_length}: shorten it",
                    error=True,
                )
            )
    wide = sorted({ch for ch in text if ord(ch) > traits.identifier_max_code_point})
    if wide:
        out.append(
            IdentifierProblem(
                table,
                f"{what} {_shown(text)!r} holds {''.join(wide)!r}, which {traits.label} cannot hold in a "
                "name (names are utf8mb3: no emoji or other 4-byte characters): rename it",
                error=True,
            )
        )
    if not traits.identifier_trailing_space and text != text.rstrip(" "):
        out.append(
            IdentifierProblem(
                table, f"{what} {_shown(text)!r} ends with a space, which {traits.label} refuses", error=True
            )
        )
    return out


def _collisions(
    names: Iterable[tuple[str, Name]], scope: str, table: str, traits: EngineTraits
) -> list[IdentifierProblem]:
    """Two different names of one namespace that the engine keeps as the same."""
    seen: dict[str, tuple[str, Name]] = {}
    out: list[IdentifierProblem] = []
    for what, name in names:
        kept = _kept(name, traits)
        first = seen.get(kept)
        if first is None:
            seen[kept] = (what, name)
        elif first[1].key != name.key:
            unit = "bytes" if traits.identifier_length_in_bytes else "characters"
            out.append(
                IdentifierProblem(
                    table,
                    f"{first[0]} {_shown(first[1].value)!r} and {what} {_shown(name.value)!r} are the "
                    f"same name {scope} on {traits.label}, which keeps the first "
                    f"{traits.identifier_max_length} {unit} of a name: shorten one",
                    error=True,
                )
            )
    return out


def _index_like(table: Table) -> list[tuple[str, Name]]:
    names = [("index", ix.name) for ix in table.indexes]
    if table.primary_key is not None and table.primary_key.name is not None:
        names.append(("constraint", table.primary_key.name))
    names += [("constraint", u.name) for u in table.uniques if u.name is not None]
    return names


def identifier_problems(catalog: Catalog, traits: EngineTraits) -> tuple[IdentifierProblem, ...]:
    """Every name of ``catalog`` that ``traits``' engine would refuse, cut or merge, in catalog order."""
    out: list[IdentifierProblem] = []
    schema_level: list[tuple[str, Name]] = []
    for table in catalog.tables:
        t = table.name.value
        schema_level.append(("table", table.name))
        columns = [("column", c.name) for c in table.columns]
        constraints = [("constraint", fk.name) for fk in table.foreign_keys if fk.name is not None]
        constraints += [("constraint", c.name) for c in table.checks if c.name is not None]
        indexes = _index_like(table)
        for what, name in [("table", table.name), *columns, *constraints, *indexes]:
            out += _one(name, what, t, traits)
        out += _collisions(columns, f"in table {_shown(t)!r}", t, traits)
        if traits.index_names_per_table:
            out += _collisions(indexes, f"in table {_shown(t)!r}", t, traits)
        else:
            schema_level += indexes
    for view in catalog.views:
        out += _one(view.name, "view", view.name.value, traits)
        schema_level.append(("view", view.name))
    out += _collisions(schema_level, "in the schema", "", traits)
    return tuple(out)
