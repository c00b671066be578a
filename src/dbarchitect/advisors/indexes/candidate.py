"""The index candidate: a hypothetical index the advisor may propose, as pure data (hashable,
ordered) so that cost caches, integer programs and reports can key on it, and its readable names."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from dbarchitect.model.catalog import Catalog, Index, IndexKey
from dbarchitect.model.names import Name


@dataclass(frozen=True)
class IndexCandidate:
    """An index the advisor may propose: key columns in order (with direction), optional INCLUDE
    columns (covering, index-only scans), and an optional partial predicate (neutral SQL).

    Beyond plain B-trees: ``method`` names another access method (``gin``, ``brin``, ``hash``,
    ``fulltext``); ``expressions`` gives, per key, the neutral SQL of an expression key (``lower(email)``)
    where not ``None`` — ``columns`` then names the column each expression is a function of, which is
    what decides the writes that maintain it; ``opclass`` is the operator class of every key
    (``jsonb_path_ops``, ``gin_trgm_ops``) when not the default one."""

    table: Name
    columns: tuple[Name, ...]
    #: Per key column: descending? Empty means every key ascending.
    descending: tuple[bool, ...] = ()
    include: tuple[Name, ...] = ()
    where: str | None = None
    unique: bool = False
    #: Access method when not a B-tree: ``gin``, ``brin``, ``hash``, ``fulltext`` (MySQL/MariaDB).
    method: str | None = None
    #: Per key, the expression indexed (neutral SQL) or ``None`` for the plain column; empty: all plain.
    expressions: tuple[str | None, ...] = ()
    #: Operator class of the keys when not the method's default.
    opclass: str | None = None

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("an index candidate needs at least one key column")
        if self.descending and len(self.descending) != len(self.columns):
            raise ValueError("descending flags must match the key columns one to one")
        if self.expressions and len(self.expressions) != len(self.columns):
            raise ValueError("expressions must match the key columns one to one")
        # Computed once: caches, integer programs and searches hash and order candidates millions
        # of times on large workloads.
        object.__setattr__(self, "_hash", hash(self._fields()))
        object.__setattr__(self, "_text", None)

    def _fields(self) -> tuple[object, ...]:
        return (
            self.table,
            self.columns,
            self.descending,
            self.include,
            self.where,
            self.unique,
            self.method,
            self.expressions,
            self.opclass,
        )

    def __hash__(self) -> int:
        return self._hash  # type: ignore[attr-defined,no-any-return]

    def __eq__(self, other: object) -> bool:
        if self is other:
            return True
        if not isinstance(other, IndexCandidate):
            return NotImplemented
        return self._hash == other._hash and self._fields() == other._fields()  # type: ignore[attr-defined]

    @property
    def is_btree(self) -> bool:
        return self.method is None

    def expression(self, position: int) -> str | None:
        """The expression of key ``position``, or ``None`` when it is the plain column."""
        return self.expressions[position] if self.expressions else None

    def sort_key(
        self,
    ) -> tuple[str, tuple[str, ...], tuple[bool, ...], tuple[str, ...], str, bool, str, tuple[str, ...], str]:
        """A total order (a partial predicate may be absent, so the fields do not compare as-is)."""
        return (
            self.table.key,
            tuple(c.key for c in self.columns),
            self.descending,
            tuple(c.key for c in self.include),
            self.where or "",
            self.unique,
            self.method or "",
            tuple(e or "" for e in self.expressions),
            self.opclass or "",
        )

    def __lt__(self, other: IndexCandidate) -> bool:
        return self.sort_key() < other.sort_key()

    @property
    def width(self) -> int:
        return len(self.columns)

    def is_descending(self, position: int) -> bool:
        return bool(self.descending) and self.descending[position]

    @property
    def key(self) -> str:
        """Stable text identity, e.g. ``orders(customer_id, placed_at DESC) INCLUDE (total)``."""
        text: str | None = self._text  # type: ignore[attr-defined]
        if text is None:
            text = self._render_key()
            object.__setattr__(self, "_text", text)
        return text

    def _render_key(self) -> str:
        opclass = f" {self.opclass}" if self.opclass else ""
        keys = ", ".join(
            (self.expression(i) or c.value) + opclass + (" DESC" if self.is_descending(i) else "")
            for i, c in enumerate(self.columns)
        )
        using = f" USING {self.method}" if self.method else ""
        text = f"{self.table.value}{using}({keys})"
        if self.include:
            text += " INCLUDE (" + ", ".join(c.value for c in self.include) + ")"
        if self.where:
            text += f" WHERE {self.where}"
        return text

    def default_name(self, max_length: int = 63) -> Name:
        """``<table>_<col>_<col>_idx`` as people write it (an expression key by the words in it:
        ``customers_lower_email_idx``; another access method by its name: ``events_at_brin_idx``),
        shortened deterministically only when over the engine's
        identifier limit (:func:`index_names` gives a collision ``_2``)."""
        words = [self.table.value]
        for i, c in enumerate(self.columns):
            expression = self.expression(i)
            words.append("_".join(re.findall(r"[A-Za-z0-9]+", expression)) if expression else c.value)
        if self.method is not None:
            words.append(self.method)  # events_occurred_at_brin_idx beside a B-tree's name
        return Name(_shortened("_".join(words).lower(), "_idx", max_length))

    def to_index(self, name: Name | None = None, max_length: int = 63) -> Index:
        return Index(
            name=name or self.default_name(max_length),
            keys=tuple(
                IndexKey(column=c, descending=self.is_descending(i))
                if self.expression(i) is None
                else IndexKey(expression=self.expression(i), descending=self.is_descending(i))
                for i, c in enumerate(self.columns)
            ),
            unique=self.unique,
            where=self.where,
            include=self.include,
            method=self.method,
        )

    def __str__(self) -> str:
        return self.key


def _shortened(base: str, suffix: str, max_length: int) -> str:
    """``base + suffix`` within ``max_length``: the words of ``base`` (split on ``_``) are cut from the
    longest down, one character at a time, never below 3, then the tail is cut: the same input always
    gives the same name."""
    base = re.sub(r"[^a-z0-9_]", "_", base).strip("_") or "index"
    room = max_length - len(suffix)
    if len(base) <= room:
        return base + suffix
    words = [w for w in base.split("_") if w]
    while len("_".join(words)) > room:
        longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
        if len(words[longest]) <= 3:
            break
        words[longest] = words[longest][:-1]
    return "_".join(words)[:room].rstrip("_") + suffix


def index_names(
    candidates: Iterable[IndexCandidate], catalog: Catalog, max_length: int = 63
) -> dict[IndexCandidate, str]:
    """Readable, unique names for ``candidates`` (in the order given): each its
    :meth:`~IndexCandidate.default_name`, with ``_2``, ``_3``... when the name is already taken by an
    index or constraint of the schema or an earlier candidate (names are unique per schema)."""
    taken = {
        n.key
        for table in catalog.tables
        for n in (
            *(i.name for i in table.indexes),
            *(u.name for u in table.uniques if u.name is not None),
            *((table.primary_key.name,) if table.primary_key and table.primary_key.name else ()),
        )
    }
    taken |= {f"{t.name.value}_pkey".lower() for t in catalog.tables}
    out: dict[IndexCandidate, str] = {}
    for candidate in candidates:
        name = candidate.default_name(max_length).value
        n = 2
        while name.lower() in taken:
            base = candidate.default_name(max_length - len(f"_{n}")).value
            name = f"{base}_{n}"
            n += 1
        taken.add(name.lower())
        out[candidate] = name
    return out
