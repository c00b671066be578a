"""Identifiers that keep their quoting, and the engine names the tool knows.

Case folding is an engine fact applied when comparing (``Name.key``), never when storing: a
``Name("OrderItems", quoted=True)`` renders quoted on every engine, while ``Name("orders")`` compares
equal to ``ORDERS`` because unquoted identifiers fold on every engine we support.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.errors import did_you_mean


class EngineName(StrEnum):
    POSTGRESQL = "postgresql"
    MYSQL = "mysql"
    MARIADB = "mariadb"
    SQLITE = "sqlite"
    DUCKDB = "duckdb"


#: What people call the engines, as the tool reads them (besides the names themselves).
ENGINE_ALIASES: dict[str, EngineName] = {
    "postgres": EngineName.POSTGRESQL,
    "pg": EngineName.POSTGRESQL,
    "pgsql": EngineName.POSTGRESQL,
    "psql": EngineName.POSTGRESQL,
    "maria": EngineName.MARIADB,
    "sqlite3": EngineName.SQLITE,
    "duck": EngineName.DUCKDB,
}
_ENGINE_TEXT = re.compile(r"(?P<name>[a-z]+?)(?:[\s_-]*v?(?P<version>\d+(?:\.\d+){0,2}))?")


def engine_names_hint() -> str:
    """``postgresql (postgres, pg), mysql, ...``: what an engine may be called."""
    parts = []
    for engine in EngineName:
        aliases = [a for a, e in ENGINE_ALIASES.items() if e == engine]
        parts.append(f"{engine.value} ({', '.join(aliases)})" if aliases else engine.value)
    return ", ".join(parts)


def engine_from_text(text: str) -> tuple[EngineName, str | None]:
    """The engine and version in what a user wrote: ``postgresql 15``, ``PostgreSQL``, ``postgres``,
    ``pg15``, ``pg-15``, ``mysql8``, ``mariadb 10.11``, ``sqlite3`` (SQLite, any version). An unknown
    name is a ``ValueError`` with a did-you-mean and the names there are; nothing is guessed."""
    raw = " ".join(text.strip().lower().split())
    m = _ENGINE_TEXT.fullmatch(raw)
    if m is not None and raw in ENGINE_ALIASES:
        return ENGINE_ALIASES[raw], None  # sqlite3 is SQLite, not SQLite version 3
    if m is None:
        raise ValueError(
            f"cannot read engine {text!r}; write a name and an optional version, e.g. 'postgresql 15' "
            f"or 'mariadb 10.11' (engines: {engine_names_hint()})"
        )
    name, version = m["name"], m["version"]
    known = {e.value: e for e in EngineName} | ENGINE_ALIASES
    if name not in known:
        raise ValueError(
            f"unknown engine {text.strip()!r}{did_you_mean(name, known)} (engines: {engine_names_hint()})"
        )
    engine = known[name]
    if version is not None and engine == EngineName.MYSQL and version.isdigit():
        version = f"{version}.0"  # mysql8 is MySQL 8.0
    return engine, version


@dataclass(frozen=True, order=True)
class Name:
    """An SQL identifier as written: its text and whether it was quoted."""

    value: str
    quoted: bool = False

    def __post_init__(self) -> None:
        # Interned once per name: advisors compare names millions of times on large schemas.
        object.__setattr__(self, "_key", self.value if self.quoted else self.value.lower())

    @property
    def key(self) -> str:
        """Comparison key: quoted names compare exactly, unquoted ones case-insensitively."""
        return self._key  # type: ignore[attr-defined,no-any-return]

    def matches(self, other: Name | str) -> bool:
        """Same identifier: equal keys, an unquoted side folded; a plain string (a name written in a
        brief's ``tables:`` or on the command line) also matches its exact text, so a quoted
        mixed-case ``"Acct"`` is reachable as ``Acct``."""
        if isinstance(other, str) and other == self.value:
            return True
        mine: str = self._key  # type: ignore[attr-defined]
        other_key: str = other._key if isinstance(other, Name) else other.lower()  # type: ignore[attr-defined]
        return mine == other_key or (not self.quoted and mine == other_key.lower())

    def __str__(self) -> str:
        return self.value


def name(value: str | Name, quoted: bool = False) -> Name:
    """Coerce a string to a :class:`Name` (no-op for names)."""
    return value if isinstance(value, Name) else Name(value, quoted)
