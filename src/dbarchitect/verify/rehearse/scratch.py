"""The scratch database a rehearsal writes to: a thin autocommit connection (psycopg or PyMySQL),
opened only for a URL the user named, refused when it is not empty unless allowed.

Writable, unlike every other connection the tool makes: this is the scratch database.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from dbarchitect.engines.connection import connection_failed, expand_env, redacted_url, url_engine
from dbarchitect.errors import ConnectionFailed, DbarchError, Diagnostic, UnsupportedError, redact
from dbarchitect.model.names import EngineName


class ScratchDb:
    """A thin autocommit connection over psycopg or PyMySQL with the few calls needed here."""

    def __init__(self, url: str, family: EngineName) -> None:
        self.family = family
        self.url = url
        parsed = make_url(url)
        try:
            if family == EngineName.POSTGRESQL:
                import psycopg

                self.conn: Any = psycopg.connect(
                    host=parsed.host or "localhost",
                    port=parsed.port or 5432,
                    user=parsed.username,
                    password=parsed.password,
                    dbname=parsed.database,
                    autocommit=True,
                    connect_timeout=5,
                    # No server-side prepared statements: a prepared SELECT * fails with "cached plan
                    # must not change result type" once a column is added, which is the driver's
                    # setting, not the plan's doing.
                    prepare_threshold=None,
                )
            else:
                import pymysql
                from pymysql.constants import CLIENT

                self.conn = pymysql.connect(
                    host=parsed.host or "localhost",
                    port=parsed.port or 3306,
                    user=parsed.username or "root",
                    password=parsed.password or "",
                    database=parsed.database,
                    autocommit=True,
                    connect_timeout=5,
                    client_flag=CLIENT.MULTI_STATEMENTS,
                )
        except Exception as exc:
            raise connection_failed(url, family, exc) from None
        #: Messages the server sent (PostgreSQL NOTICEs), e.g. a backfill block's closing report.
        self.notices: list[str] = []
        if family == EngineName.POSTGRESQL:
            self.conn.add_notice_handler(lambda d: self.notices.append(str(d.message_primary or "")))

    def clone(self) -> ScratchDb:
        """Another connection to the same database (for a load thread)."""
        return ScratchDb(self.url, self.family)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> int:
        with self.conn.cursor() as cur:
            cur.execute(sql, params)
            if self.family != EngineName.POSTGRESQL:
                while cur.nextset():
                    pass
            return int(cur.rowcount or 0)

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(sql, rows)

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        with self.conn.cursor() as cur:
            cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()]

    @contextmanager
    def transaction(self, transactional: bool) -> Iterator[None]:
        if not transactional:
            yield
            return
        if self.family == EngineName.POSTGRESQL:
            with self.conn.transaction():
                yield
        else:
            self.conn.begin()
            try:
                yield
            except BaseException:
                self.conn.rollback()
                raise
            self.conn.commit()

    def is_lock_timeout(self, exc: BaseException) -> bool:
        """Lock timeout, lock not available, or deadlock: worth a retry."""
        if self.family == EngineName.POSTGRESQL:
            return getattr(exc, "sqlstate", None) in ("55P03", "40P01")
        args: tuple[Any, ...] = tuple(getattr(exc, "args", ()))
        return len(args) > 0 and args[0] in (1205, 1213)

    def close(self) -> None:
        with contextlib.suppress(Exception):  # closing a broken connection is not worth reporting
            self.conn.close()


def error_message(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


def is_loopback(host: str | None) -> bool:
    if host is None or host in ("", "localhost") or host.startswith("/"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def has_tables(db: ScratchDb) -> list[str]:
    if db.family == EngineName.POSTGRESQL:
        sql = (
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() "
            "ORDER BY 1"
        )
    else:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY 1"
    return [str(r[0]) for r in db.query(sql)]


def open_scratch(url: str) -> ScratchDb:
    """A writable connection to the scratch database at ``url`` (PostgreSQL, MySQL or MariaDB)."""
    expanded = expand_env(url)
    family = url_engine(expanded)
    if family == EngineName.SQLITE:
        raise UnsupportedError(
            Diagnostic(
                "rehearsing needs a PostgreSQL, MySQL or MariaDB scratch database",
                field="--rehearse",
                hint="create an empty database on a local server and name it",
            )
        )
    try:
        parsed = make_url(expanded)
    except (ArgumentError, ValueError):
        raise ConnectionFailed(Diagnostic(f"cannot read database URL {redact(url)!r}")) from None
    if not parsed.database:
        raise DbarchError(
            Diagnostic(
                f"{redacted_url(expanded)} names no database",
                field="--rehearse",
                hint="name an empty scratch database, e.g. postgresql://user@127.0.0.1/scratch",
            )
        )
    return ScratchDb(expanded, family)
