"""Index candidates: the hypothetical indexes the advisor may propose.

An :class:`IndexCandidate` is pure data (hashable, ordered) so that cost caches, integer programs and
reports can key on it. Where it came from — which statements it may help and why — is kept beside it
in :class:`CandidateInfo`, so two statements proposing the same index share one candidate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from dbarchitect.model.catalog import Index, IndexKey
from dbarchitect.model.names import Name


@dataclass(frozen=True, order=True)
class IndexCandidate:
    """A B-tree the advisor may propose: key columns in order (with direction), optional INCLUDE
    columns (covering, index-only scans), and an optional partial predicate (neutral SQL)."""

    table: Name
    columns: tuple[Name, ...]
    #: Per key column: descending? Empty means every key ascending.
    descending: tuple[bool, ...] = ()
    include: tuple[Name, ...] = ()
    where: str | None = None
    unique: bool = False

    def __post_init__(self) -> None:
        if not self.columns:
            raise ValueError("an index candidate needs at least one key column")
        if self.descending and len(self.descending) != len(self.columns):
            raise ValueError("descending flags must match the key columns one to one")

    @property
    def width(self) -> int:
        return len(self.columns)

    def is_descending(self, position: int) -> bool:
        return bool(self.descending) and self.descending[position]

    @property
    def key(self) -> str:
        """Stable text identity, e.g. ``orders(customer_id, placed_at DESC) INCLUDE (total)``."""
        keys = ", ".join(
            c.value + (" DESC" if self.is_descending(i) else "") for i, c in enumerate(self.columns)
        )
        text = f"{self.table.value}({keys})"
        if self.include:
            text += " INCLUDE (" + ", ".join(c.value for c in self.include) + ")"
        if self.where:
            text += f" WHERE {self.where}"
        return text

    def default_name(self, max_length: int = 63) -> Name:
        """``<table>_<col>_<col>_idx`` cut to the engine's identifier limit, with a short stable hash
        when cut, so two candidates never share a name."""
        base = "_".join([self.table.value, *(c.value for c in self.columns)]).lower()
        suffix = "_idx" if not self.include else "_cov_idx"
        if self.where:
            suffix = "_part" + suffix
        name = base + suffix
        if len(name) > max_length or self.where or self.include:
            digest = hashlib.sha1(self.key.encode()).hexdigest()[:6]
            name = base[: max_length - len(suffix) - 7] + "_" + digest + suffix
        return Name(name)

    def to_index(self, name: Name | None = None, max_length: int = 63) -> Index:
        return Index(
            name=name or self.default_name(max_length),
            keys=tuple(
                IndexKey(column=c, descending=self.is_descending(i)) for i, c in enumerate(self.columns)
            ),
            unique=self.unique,
            where=self.where,
            include=self.include,
        )

    def __str__(self) -> str:
        return self.key


@dataclass(frozen=True)
class CandidateInfo:
    """A candidate with the statements (by name) it may help and why it was generated."""

    candidate: IndexCandidate
    statements: tuple[str, ...]
    reasons: tuple[str, ...]
