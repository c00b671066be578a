"""Pick an engine's traits from its name and version."""

from __future__ import annotations

import re
from collections.abc import Callable

from dbarchitect.engines import duckdb, mysql, postgres, sqlite
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.names import EngineName, engine_from_text

_Builder = Callable[[tuple[int, ...]], EngineTraits]
_BUILDERS: dict[EngineName, tuple[_Builder, tuple[int, ...], tuple[int, ...]]] = {
    # engine: (builder, default version, oldest supported)
    EngineName.POSTGRESQL: (postgres.traits, (15,), (11,)),
    EngineName.MYSQL: (mysql.mysql_traits, (8, 0), (5, 7)),
    EngineName.MARIADB: (mysql.mariadb_traits, (10, 11), (10, 3)),
    EngineName.SQLITE: (sqlite.traits, (3, 40), (3, 25)),
    EngineName.DUCKDB: (duckdb.traits, (1, 0), (0, 10)),
}


def traits_for(engine: str) -> EngineTraits:
    """Traits of an engine as a user writes it with its version: ``postgresql 15``, ``pg 15``,
    ``mariadb 10.11``, ``mysql8`` (the command line's ``--engine``, the API's ``engine``)."""
    try:
        name, version = engine_from_text(engine)
    except ValueError as exc:
        raise UnsupportedError(Diagnostic(str(exc))) from None
    return get_traits(name, version)


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...") + f" ({len(text):,} characters)"


def parse_version(text: str) -> tuple[int, ...]:
    m = re.fullmatch(r"\s*v?(\d{1,6}(?:\.\d{1,6}){0,2})\s*", text) if len(text) <= 64 else None
    if not m:
        raise UnsupportedError(
            Diagnostic(f"cannot read engine version {_shown(text)}", hint="write e.g. '15' or '10.11'")
        )
    return tuple(int(p) for p in m.group(1).split("."))


def get_traits(engine: EngineName | str, version: str | None = None) -> EngineTraits:
    """Traits of ``engine`` at ``version`` (its current major release when not given). ``engine``
    may be written as people do (``postgres``, ``pg15``, ``mysql8``: :func:`engine_from_text`)."""
    if isinstance(engine, EngineName):
        name = engine
    else:
        try:
            name, written = engine_from_text(engine)
        except ValueError as exc:
            raise UnsupportedError(Diagnostic(str(exc))) from None
        version = version or written
    builder, default, oldest = _BUILDERS[name]
    parsed = parse_version(version) if version else default
    if parsed < oldest:
        label = builder(default).label
        raise UnsupportedError(
            Diagnostic(
                f"{label} {'.'.join(map(str, parsed))} is not supported",
                hint=f"use {'.'.join(map(str, oldest))} or newer",
            )
        )
    return builder(parsed)
