"""Loading rows into a scratch database, one loader per driver."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import redact
from dbarchitect.model.catalog import Column, Table
from dbarchitect.model.names import EngineName

# ---------------------------------------------------------------------------------------------
# Loading


#: Rows of a refused batch retried one by one before the rest is given up when none of them loads.
GIVE_UP_AFTER = 50


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else type(exc).__name__)


def _sqlite_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, (date,)):
        return value.isoformat()
    if isinstance(value, timedelta):
        return value.total_seconds()
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _mysql_value(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    return value


def adapt_row(family: EngineName, row: Sequence[Any]) -> list[Any]:
    """Values as the driver of ``family`` takes them."""
    if family == EngineName.SQLITE:
        return [_sqlite_value(v) for v in row]
    if family in (EngineName.MYSQL, EngineName.MARIADB):
        return [_mysql_value(v) for v in row]
    return list(row)


class Loader:
    """Writes rows into one scratch database; subclasses per driver."""

    family: EngineName
    conn: Any

    def __init__(self, conn: Any, traits: EngineTraits) -> None:
        self.conn = conn
        self.traits = traits
        #: the database's first reason for refusing a row of the table being loaded
        self.refusal: str | None = None

    def execute_script(self, sql: str) -> None:
        raise NotImplementedError

    def begin(self) -> None:
        self.execute("BEGIN")

    def commit(self) -> None:
        self.execute("COMMIT")

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute(sql, params) if params is not None else cur.execute(sql)
        finally:
            cur.close()

    def insert_sql(self, table: Table, columns: Sequence[Column], mark: str = "%s") -> str:
        q = self.traits.quote
        names = ", ".join(q(c.name) for c in columns)
        return f"INSERT INTO {q(table.name)} ({names}) VALUES ({', '.join([mark] * len(columns))})"

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        raise NotImplementedError

    def one(self, table: Table, columns: Sequence[Column], row: list[Any]) -> None:
        self.execute(self.insert_sql(table, columns), row)

    def load(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> list[int]:
        """Load a batch; on a constraint error retry it row by row. Returns the rejected rows' positions.
        When the first :data:`GIVE_UP_AFTER` rows retried are all refused, the rest of the batch is
        refused with them (the database's first reason is kept in :attr:`refusal`)."""
        self.execute("SAVEPOINT dbarch_batch")
        try:
            self.bulk(table, columns, rows)
        except Exception as exc:  # the driver's integrity error: find the rows at fault one by one
            self.execute("ROLLBACK TO SAVEPOINT dbarch_batch")
            self.refusal = self.refusal or _first_line(exc)
        else:
            self.execute("RELEASE SAVEPOINT dbarch_batch")
            return []
        rejected: list[int] = []
        for n, row in enumerate(rows):
            if n >= GIVE_UP_AFTER and len(rejected) == n:
                rejected.extend(range(n, len(rows)))
                break
            self.execute("SAVEPOINT dbarch_row")
            try:
                self.one(table, columns, row)
            except Exception as exc:  # a row the database rejects is counted, not fatal
                self.execute("ROLLBACK TO SAVEPOINT dbarch_row")
                rejected.append(n)
                self.refusal = self.refusal or _first_line(exc)
            else:
                self.execute("RELEASE SAVEPOINT dbarch_row")
        self.execute("RELEASE SAVEPOINT dbarch_batch")
        return rejected

    def after_load(self, table: Table, columns: Sequence[Column]) -> None:
        """Engine housekeeping after a table is loaded (sequence positions)."""


class SqliteLoader(Loader):
    family = EngineName.SQLITE

    def execute_script(self, sql: str) -> None:
        self.conn.executescript(sql)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> None:
        self.conn.execute(sql, params or ())

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        self.conn.executemany(self.insert_sql(table, columns, "?"), rows)

    def one(self, table: Table, columns: Sequence[Column], row: list[Any]) -> None:
        self.conn.execute(self.insert_sql(table, columns, "?"), row)


class PostgresLoader(Loader):
    family = EngineName.POSTGRESQL

    def execute_script(self, sql: str) -> None:
        self.execute(sql)

    def insert_sql(self, table: Table, columns: Sequence[Column], mark: str = "%s") -> str:
        sql = super().insert_sql(table, columns, mark)
        if any(c.identity for c in columns):
            sql = sql.replace(") VALUES (", ") OVERRIDING SYSTEM VALUE VALUES (", 1)
        return sql

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        q = self.traits.quote
        names = ", ".join(q(c.name) for c in columns)
        with self.conn.cursor() as cur, cur.copy(f"COPY {q(table.name)} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)

    def after_load(self, table: Table, columns: Sequence[Column]) -> None:
        q = self.traits.quote
        for c in columns:
            if not c.identity:
                continue
            self.execute(
                f"SELECT setval(pg_get_serial_sequence(%s, %s), "
                f"COALESCE((SELECT max({q(c.name)}) FROM {q(table.name)}), 0) + 1, false)",
                [q(table.name), c.name.value],
            )


class MysqlLoader(Loader):
    family = EngineName.MARIADB

    def execute_script(self, sql: str) -> None:
        cur = self.conn.cursor()
        try:
            cur.execute(sql)
            while cur.nextset():
                pass
        finally:
            cur.close()

    def begin(self) -> None:
        self.conn.begin()

    def commit(self) -> None:
        self.conn.commit()

    def insert_sql(self, table: Table, columns: Sequence[Column], mark: str = "%s") -> str:
        return super().insert_sql(table, columns, mark).replace(" VALUES (", " VALUES(", 1)

    def bulk(self, table: Table, columns: Sequence[Column], rows: list[list[Any]]) -> None:
        cur = self.conn.cursor()
        try:
            cur.executemany(self.insert_sql(table, columns), rows)
        finally:
            cur.close()
