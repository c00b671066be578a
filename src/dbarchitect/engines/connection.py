"""A user's database URL -> a read-only SQLAlchemy engine, and what server is behind it.

Everything the tool does on a user's database reads; nothing writes. So every connection is
read-only at the session level, not by promise:

- PostgreSQL: ``default_transaction_read_only=on`` is sent as a startup option, and
  ``SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY`` is issued on connect.
- MySQL / MariaDB: ``SET SESSION TRANSACTION READ ONLY`` on connect.
- SQLite: the file is opened through a ``file:...?mode=ro`` URI (and must exist: SQLite would
  otherwise create an empty database and report an empty schema).

URLs may name environment variables as ``${NAME}`` (so passwords stay out of briefs); a variable
that is not set is an error naming it. Connects time out after :data:`CONNECT_TIMEOUT_S` seconds.
Every failure is a :class:`ConnectionFailed` showing the URL with its password hidden and a hint.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from dbarchitect.errors import ConnectionFailed, Diagnostic, redact
from dbarchitect.model.names import EngineName

#: Seconds to wait for a server to accept a connection.
CONNECT_TIMEOUT_S = 5

_ENV = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)\}")

#: URL scheme -> (engine family, SQLAlchemy driver name). MySQL vs MariaDB is decided by the server.
_SCHEMES: dict[str, tuple[EngineName, str]] = {
    "postgresql": (EngineName.POSTGRESQL, "postgresql+psycopg"),
    "postgres": (EngineName.POSTGRESQL, "postgresql+psycopg"),
    "postgresql+psycopg": (EngineName.POSTGRESQL, "postgresql+psycopg"),
    "postgresql+psycopg2": (EngineName.POSTGRESQL, "postgresql+psycopg"),
    "mysql": (EngineName.MYSQL, "mysql+pymysql"),
    "mysql+pymysql": (EngineName.MYSQL, "mysql+pymysql"),
    "mariadb": (EngineName.MARIADB, "mysql+pymysql"),
    "mariadb+pymysql": (EngineName.MARIADB, "mysql+pymysql"),
    "sqlite": (EngineName.SQLITE, "sqlite"),
}
_SCHEME_LIST = (
    "postgresql://, postgres://, postgresql+psycopg://, mysql://, mariadb://, mysql+pymysql://, sqlite:///"
)


@dataclass(frozen=True)
class ServerInfo:
    """The engine and version a live server reports (MariaDB is told from MySQL by its version string)."""

    engine: EngineName
    version: tuple[int, ...]
    version_text: str

    @property
    def version_label(self) -> str:
        return ".".join(str(v) for v in self.version)


def expand_env(url: str) -> str:
    """``url`` with every ``${NAME}`` replaced by that environment variable's value."""

    def value(m: re.Match[str]) -> str:
        name = m["name"]
        if name not in os.environ:
            raise ConnectionFailed(
                Diagnostic(
                    f"the database URL names environment variable ${{{name}}}, which is not set",
                    hint=f"export {name}=... before running, or write the value into the URL",
                )
            )
        return os.environ[name]

    return _ENV.sub(value, url)


def redacted_url(url: str) -> str:
    """The URL as it may be shown: scheme, user, host, port and database, never the password."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return redact(url)
    if parsed.password is not None:
        parsed = parsed.set(password="***")
    return redact(parsed.render_as_string(hide_password=False))


def _where(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    host = url.host or "localhost"
    return f"{host}:{url.port}" if url.port else host


def _parse(url: str) -> tuple[URL, EngineName]:
    shown = redact(url)
    scheme = url.split("://", 1)[0].lower() if "://" in url else ""
    if scheme not in _SCHEMES:
        raise ConnectionFailed(
            Diagnostic(
                f"cannot read database URL {shown!r}: unknown scheme {scheme or '(none)'!r}",
                hint=f"use one of {_SCHEME_LIST}",
            )
        )
    family, driver = _SCHEMES[scheme]
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        raise ConnectionFailed(
            Diagnostic(
                f"cannot read database URL {shown!r}",
                hint="write it as scheme://user:password@host:port/database (sqlite:///path/to/file.db)",
            )
        ) from None
    return parsed.set(drivername=driver), family


def url_engine(url: str) -> EngineName:
    """The engine family a URL names by its scheme (``mysql://`` may turn out to be MariaDB)."""
    return _parse(expand_env(url))[1]


def _sqlite_url(url: URL, shown: str) -> URL:
    database = url.database or ""
    if database in ("", ":memory:"):
        raise ConnectionFailed(
            Diagnostic(
                f"{shown} names no database file",
                hint="write sqlite:///relative/path.db or sqlite:////absolute/path.db",
            )
        )
    path = Path(database)
    if not path.is_file():
        raise ConnectionFailed(
            Diagnostic(
                f"SQLite database file {database!r} does not exist",
                hint="check the path; sqlite:///relative/path.db or sqlite:////absolute/path.db",
            )
        )
    # pysqlite turns the other query parameters into URI parameters: file:/abs/path?mode=ro
    return URL.create(
        "sqlite", database="file:" + quote(str(path.resolve())), query={"mode": "ro", "uri": "true"}
    )


def _readonly_postgres(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
    dbapi_connection.commit()


def _readonly_mysql(dbapi_connection: Any, _record: Any) -> None:
    with dbapi_connection.cursor() as cursor:
        cursor.execute("SET SESSION TRANSACTION READ ONLY")


def create_readonly_engine(url: str) -> tuple[Engine, EngineName]:
    """A SQLAlchemy engine whose every session is read-only, and the engine family of the URL.

    No connection is made yet; use :func:`connect_readonly` to connect with clear errors.
    """
    expanded = expand_env(url)
    parsed, family = _parse(expanded)
    shown = redacted_url(expanded)
    connect_args: dict[str, Any] = {}
    if family == EngineName.SQLITE:
        parsed = _sqlite_url(parsed, shown)
        connect_args["timeout"] = CONNECT_TIMEOUT_S
    elif family == EngineName.POSTGRESQL:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
        connect_args["options"] = "-c default_transaction_read_only=on"
    else:
        connect_args["connect_timeout"] = CONNECT_TIMEOUT_S
    try:
        engine = sa.create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except (ArgumentError, NoSuchModuleError) as exc:
        raise ConnectionFailed(
            Diagnostic(f"cannot use database URL {shown}: {redact(str(exc)).splitlines()[0]}")
        ) from None
    if family == EngineName.POSTGRESQL:
        event.listen(engine, "connect", _readonly_postgres)
    elif family in (EngineName.MYSQL, EngineName.MARIADB):
        event.listen(engine, "connect", _readonly_mysql)
    return engine, family


def _hint(family: EngineName, message: str) -> str:
    lower = message.lower()
    if "password" in lower or "access denied" in lower or "authentication" in lower:
        return (
            "check the user name and password (use ${ENV_VAR} in the URL to keep the password out of files)"
        )
    if "does not exist" in lower or "unknown database" in lower:
        return "check the database name at the end of the URL"
    if family == EngineName.SQLITE:
        return "check that the file is a SQLite database and readable"
    return "check that the server runs, accepts TCP connections on that host and port, and the URL is right"


def _driver_message(exc: BaseException) -> str:
    original = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(original).splitlines() if line.strip()]
    return redact(lines[0] if lines else original.__class__.__name__)


def connection_failed(
    url: str, family: EngineName, exc: BaseException, *, doing: str = "connect to"
) -> ConnectionFailed:
    """A :class:`ConnectionFailed` for ``exc``, naming the redacted URL and what to check."""
    shown = redacted_url(url)
    message = _driver_message(exc)
    return ConnectionFailed(Diagnostic(f"cannot {doing} {shown}: {message}", hint=_hint(family, message)))


@contextmanager
def connect_readonly(url: str) -> Iterator[tuple[Connection, EngineName]]:
    """A read-only connection to ``url`` and the URL's engine family; closed (and the engine
    disposed) on exit. Connection problems raise :class:`ConnectionFailed`."""
    engine, family = create_readonly_engine(url)
    expanded = expand_env(url)
    try:
        try:
            connection = engine.connect()
        except (DBAPIError, SQLAlchemyError, OSError) as exc:
            raise connection_failed(expanded, family, exc) from None
        try:
            yield connection, family
        finally:
            connection.close()
    finally:
        engine.dispose()


_VERSION = re.compile(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?")


def detect_server(connection: Connection) -> ServerInfo:
    """Ask the server which engine and version it is (MariaDB says so in ``VERSION()``)."""
    backend = connection.engine.dialect.name
    if backend == "sqlite":
        text = str(connection.exec_driver_sql("select sqlite_version()").scalar_one())
        engine = EngineName.SQLITE
    elif backend == "postgresql":
        text = str(connection.exec_driver_sql("show server_version").scalar_one())
        engine = EngineName.POSTGRESQL
    else:
        text = str(connection.exec_driver_sql("select version()").scalar_one())
        engine = EngineName.MARIADB if "mariadb" in text.lower() else EngineName.MYSQL
    return ServerInfo(engine, parse_server_version(text), text)


def parse_server_version(text: str) -> tuple[int, ...]:
    """The numeric version at the start of a server's version string.

    >>> parse_server_version("10.11.6-MariaDB-0+deb12u1")
    (10, 11, 6)
    >>> parse_server_version("15.5 (Debian 15.5-0+deb12u1)")
    (15, 5)
    """
    # MariaDB 10.x behind old replication clients reports "5.5.5-10.11.6-MariaDB".
    text = re.sub(r"^5\.5\.5-", "", text.strip())
    m = _VERSION.search(text)
    if not m:
        return ()
    return tuple(int(g) for g in m.groups() if g is not None)


__all__ = [
    "CONNECT_TIMEOUT_S",
    "ServerInfo",
    "connect_readonly",
    "connection_failed",
    "create_readonly_engine",
    "detect_server",
    "expand_env",
    "parse_server_version",
    "redacted_url",
    "url_engine",
]


def readonly_counts(url: str, queries: Iterable[str]) -> list[int]:
    """Run counting queries (each returns one number) in a read-only session on ``url``."""
    with connect_readonly(url) as (connection, _):
        return [int(connection.execute(sa.text(q)).scalar() or 0) for q in queries]
