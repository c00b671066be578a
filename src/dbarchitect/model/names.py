"""Identifiers that keep their quoting, and the engine names the tool knows.

Case folding is an engine fact applied when comparing (``Name.key``), never when storing: a
``Name("OrderItems", quoted=True)`` renders quoted on every engine, while ``Name("orders")`` compares
equal to ``ORDERS`` because unquoted identifiers fold on every engine we support.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class EngineName(StrEnum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    MARIADB = "mariadb"
    SQLITE = "sqlite"
    DUCKDB = "duckdb"


@dataclass(frozen=True, order=True)
class Name:
    """An SQL identifier as written: its text and whether it was quoted."""

    value: str
    quoted: bool = False

    @property
    def key(self) -> str:
        """Comparison key: quoted names compare exactly, unquoted ones case-insensitively."""
        return self.value if self.quoted else self.value.lower()

    def matches(self, other: Name | str) -> bool:
        other_key = other.key if isinstance(other, Name) else other.lower()
        return self.key == other_key or (not self.quoted and self.value.lower() == other_key.lower())

    def __str__(self) -> str:
        return self.value


def name(value: str | Name, quoted: bool = False) -> Name:
    """Coerce a string to a :class:`Name` (no-op for names)."""
    return value if isinstance(value, Name) else Name(value, quoted)
