"""The scratch database a verification runs on: connection, emptiness, loader, EXPLAIN, timed runs and
the speed probe."""

from __future__ import annotations

import re
import sqlite3
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from dbarchitect.engines.connection import connection_failed, expand_env, redacted_url, url_engine
from dbarchitect.engines.ddl import render_schema
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.scratch import listed, scratch_objects
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.verify.synthetic import (
    Loader,
    MysqlLoader,
    PostgresLoader,
    SqliteLoader,
)

#: The cost clause of a PostgreSQL EXPLAIN line; group 1 is the total cost.
_PG_COST = re.compile(r"\s+\(cost=[0-9.]+\.\.([0-9.]+)[^)]*\)")
#: Plan lines kept per statement.
PLAN_LINES = 8
#: The speed probe: a round trip and a fixed bit of work in the engine (200 rows of a recursive CTE,
#: counted), the same on every engine. Not ``SELECT 1``: on SQLite that is 2 microseconds of the
#: client's own call overhead and says little about the engine's speed.
PROBE_SQL = (
    "WITH RECURSIVE probe(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM probe WHERE x < 200) "
    "SELECT count(*) FROM probe"
)


# ---------------------------------------------------------------------------------------------
# Engines: connection, emptiness, EXPLAIN


class ScratchTarget:
    """One scratch database: its family, driver connection and loader."""

    def __init__(
        self, family: EngineName, conn: Any, traits: EngineTraits, shown: str, server: str = ""
    ) -> None:
        self.family = family
        self.conn = conn
        self.traits = traits
        self.shown = shown
        self.server = server
        loaders: dict[EngineName, type[Loader]] = {
            EngineName.SQLITE: SqliteLoader,
            EngineName.POSTGRESQL: PostgresLoader,
            EngineName.MYSQL: MysqlLoader,
            EngineName.MARIADB: MysqlLoader,
        }
        self.loader = loaders[family](conn, traits)

    def query(self, sql: str, params: Mapping[str, Any] | None = None) -> list[tuple[Any, ...]]:
        if self.family == EngineName.SQLITE:
            return [tuple(r) for r in self.conn.execute(sql, params or {}).fetchall()]
        cur = self.conn.cursor()
        try:
            cur.execute(sql, params) if params is not None else cur.execute(sql)
            return [tuple(r) for r in cur.fetchall()] if cur.description else []
        finally:
            cur.close()

    def fetch(
        self, sql: str, params: Mapping[str, Any] | None = None, *, exact_names: bool = False
    ) -> tuple[list[str], list[tuple[Any, ...]]]:
        """The result's column names (lower case, unless ``exact_names``: as the engine gives them)
        and rows."""

        def named(name: Any) -> str:
            return str(name) if exact_names else str(name).lower()

        if self.family == EngineName.SQLITE:
            cur = self.conn.execute(sql, params or {})
            names = [named(d[0]) for d in cur.description or ()]
            return names, [tuple(r) for r in cur.fetchall()]
        cur = self.conn.cursor()
        try:
            cur.execute(sql, params) if params is not None else cur.execute(sql)
            if not cur.description:
                return [], []
            names = [named(d[0]) for d in cur.description]
            return names, [tuple(r) for r in cur.fetchall()]
        finally:
            cur.close()

    def begin(self) -> None:
        self._execute("BEGIN")

    def rollback(self) -> None:
        self._execute("ROLLBACK")

    def objects(self) -> list[str]:
        """What the database holds besides the engine's own objects (see engines/scratch.py)."""
        return scratch_objects(self.family, self.query)

    def analyze(self, catalog: Catalog) -> None:
        if self.family == EngineName.MYSQL or self.family == EngineName.MARIADB:
            for t in catalog.tables:
                self.query(f"ANALYZE TABLE {self.traits.quote(t.name)}")
        else:
            self.query("ANALYZE") if self.family == EngineName.SQLITE else self.loader.execute("ANALYZE")

    def explain(self, sql: str, params: Mapping[str, Any]) -> tuple[tuple[str, ...], float | None]:
        """The plan, one node per line, and the engine's own total cost for it (PostgreSQL's; None
        where EXPLAIN gives no cost)."""
        if self.family == EngineName.SQLITE:
            rows = self.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
            return tuple(str(r[-1]) for r in rows)[:PLAN_LINES], None
        if self.family == EngineName.POSTGRESQL:
            raw = [str(r[0]) for r in self.query(f"EXPLAIN {sql}", params)]
            total = _PG_COST.search(raw[0]) if raw else None
            lines = [_PG_COST.sub("", line).rstrip() for line in raw]
            return tuple(lines)[:PLAN_LINES], float(total.group(1)) if total else None
        cur = self.conn.cursor()
        try:
            cur.execute(f"EXPLAIN {sql}", params)
            names = [d[0].lower() for d in cur.description or ()]
            out: list[str] = []
            for row in cur.fetchall():
                r = dict(zip(names, row, strict=False))
                out.append(
                    f"{r.get('table')}: {r.get('type')} key={r.get('key')} rows={r.get('rows')} "
                    f"{r.get('extra') or ''}".rstrip()
                )
            return tuple(out)[:PLAN_LINES], None
        finally:
            cur.close()

    def run(self, sql: str, params: Mapping[str, Any], write: bool) -> float:
        """Execute once (in a rolled-back transaction for a write), fetching every row; seconds."""
        if write:
            self._execute("BEGIN")
        try:
            started = time.perf_counter()
            if self.family == EngineName.SQLITE:
                self.conn.execute(sql, params).fetchall()
            else:
                cur = self.conn.cursor()
                try:
                    cur.execute(sql, params)
                    if cur.description:
                        cur.fetchall()
                finally:
                    cur.close()
            return time.perf_counter() - started
        finally:
            if write:
                self._execute("ROLLBACK")

    def drop_tables(self, catalog: Catalog) -> None:
        """Drop ``catalog``'s tables (children first), and what depends on them: the run that built
        them is over and the same scratch database is filled again."""
        self.recover()
        names = [self.traits.quote(t.name) for t in reversed(catalog.dependency_order())]
        if self.family == EngineName.POSTGRESQL:
            self.loader.execute(f"DROP TABLE IF EXISTS {', '.join(names)} CASCADE")
            # the enum types the schema script created with them
            script = render_schema(catalog, self.traits)
            for type_name in re.findall(r"^CREATE TYPE (.+?) AS ENUM", script, flags=re.MULTILINE):
                self.loader.execute(f"DROP TYPE IF EXISTS {type_name} CASCADE")
        elif self.family == EngineName.SQLITE:
            self.conn.execute("PRAGMA foreign_keys = OFF")
            for name in names:
                self.conn.execute(f"DROP TABLE IF EXISTS {name}")
            self.conn.execute("PRAGMA foreign_keys = ON")
        else:
            self.loader.execute("SET FOREIGN_KEY_CHECKS = 0")
            try:
                self.loader.execute(f"DROP TABLE IF EXISTS {', '.join(names)}")
            finally:
                self.loader.execute("SET FOREIGN_KEY_CHECKS = 1")

    def probe(self, runs: int) -> list[float]:
        """Milliseconds of ``runs`` executions of :data:`PROBE_SQL` from this client: a round trip
        and a fixed bit of the engine's work, measured now (the speed probe)."""
        return [self.run(PROBE_SQL, {}, False) * 1000 for _ in range(runs)]

    def _execute(self, sql: str) -> None:
        if self.family in (EngineName.MYSQL, EngineName.MARIADB):
            self.conn.begin() if sql == "BEGIN" else self.conn.rollback()
        else:
            self.loader.execute(sql)

    def recover(self) -> None:
        """After an error: leave any failed transaction."""
        with suppress(Exception):  # nothing to roll back is fine
            self._execute("ROLLBACK")

    def close(self) -> None:
        with suppress(Exception):  # closing a broken connection is not worth reporting
            self.conn.close()


def _same_family(a: EngineName, b: EngineName) -> bool:
    mysql = {EngineName.MYSQL, EngineName.MARIADB}
    return a == b or (a in mysql and b in mysql)


def _server_version(family: EngineName, conn: Any) -> str:
    """The server's own version string (probed, not assumed)."""
    if family == EngineName.SQLITE:
        return str(conn.execute("SELECT sqlite_version()").fetchone()[0])
    cur = conn.cursor()
    try:
        cur.execute("SHOW server_version" if family == EngineName.POSTGRESQL else "SELECT VERSION()")
        row = cur.fetchone()
        return str(row[0]) if row else ""
    finally:
        cur.close()


def _probed_traits(family: EngineName, server: str, traits: EngineTraits) -> EngineTraits:
    """Traits of the engine the server is (a ``mysql://`` URL may reach MariaDB) at its version; the
    brief's ``traits`` when the server cannot be read."""
    engine = EngineName.MARIADB if family != EngineName.POSTGRESQL and "mariadb" in server.lower() else family
    m = re.match(r"\s*(\d+(?:\.\d+){0,2})", server)
    if m is None:
        return traits if _same_family(traits.engine, family) else get_traits(family)
    try:
        return get_traits(engine, m.group(1))
    except DbarchError:  # older than the oldest supported: judge it as the oldest the tool knows
        return traits if _same_family(traits.engine, family) else get_traits(engine)


@contextmanager
def open_target(
    url: str | None,
    traits: EngineTraits,
    *,
    purpose: str = "verify and calibrate write only to an empty scratch database",
    option: str = "--engine-url",
    hint: str = "create an empty database for the run (or leave out the URL for SQLite)",
) -> Iterator[ScratchTarget]:
    """The scratch database: ``url``, or SQLite in a temporary file removed afterwards."""
    if url is None:
        with tempfile.TemporaryDirectory(prefix="dbarch-verify-") as tmp:
            temp = sqlite3.connect(Path(tmp) / "verify.db", isolation_level=None)
            temp.execute("PRAGMA foreign_keys = ON")
            server = _server_version(EngineName.SQLITE, temp)
            target = ScratchTarget(
                EngineName.SQLITE,
                temp,
                _probed_traits(EngineName.SQLITE, server, traits),
                "sqlite (temporary file)",
                server,
            )
            try:
                yield target
            finally:
                target.close()
        return
    family = url_engine(url)
    shown = redacted_url(url)
    parsed = make_url(expand_env(url))
    conn: Any
    try:
        if family == EngineName.SQLITE:
            conn = sqlite3.connect(parsed.database or ":memory:", isolation_level=None)
            conn.execute("PRAGMA foreign_keys = ON")
        elif family == EngineName.POSTGRESQL:
            import psycopg

            conn = psycopg.connect(
                host=parsed.host or "localhost",
                port=parsed.port or 5432,
                user=parsed.username,
                password=parsed.password,
                dbname=parsed.database,
                autocommit=True,
                connect_timeout=5,
            )
        else:
            import pymysql
            from pymysql.constants import CLIENT

            if not parsed.database:
                raise DbarchError(
                    Diagnostic(f"{shown} names no database", hint="name an empty scratch database in the URL")
                )
            conn = pymysql.connect(
                host=parsed.host or "localhost",
                port=parsed.port or 3306,
                user=parsed.username or "root",
                password=parsed.password or "",
                database=parsed.database,
                autocommit=True,
                connect_timeout=5,
                client_flag=CLIENT.MULTI_STATEMENTS,
                local_infile=False,
            )
    except DbarchError:
        raise
    except Exception as exc:
        raise connection_failed(url, family, exc) from None
    try:
        server = _server_version(family, conn)
    except Exception:  # a server that cannot say its version is judged by the brief's
        server = ""
    target = ScratchTarget(family, conn, _probed_traits(family, server, traits), shown, server)
    try:
        existing = target.objects()
        if existing:
            raise DbarchError(
                Diagnostic(
                    f"{shown} is not empty ({listed(existing)}); {purpose}",
                    field=option,
                    hint=hint,
                )
            )
        yield target
    finally:
        target.close()
