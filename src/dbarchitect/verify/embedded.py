"""Prove a rendered schema and the workload on embedded SQLite, in memory.

The schema script is executed as a whole; then every workload statement is transpiled to SQLite
and compiled with ``EXPLAIN QUERY PLAN`` (parameters bound to NULL), so a statement that SQLite
cannot run is named with SQLite's own error. The plan's first line is kept as evidence.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass

from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Workload


@dataclass(frozen=True)
class StatementCheck:
    statement: str
    ok: bool
    #: SQLite's query plan lines when ok, else its error message.
    detail: tuple[str, ...]
    sql: str


@dataclass(frozen=True)
class EmbeddedCheck:
    engine: str
    sqlite_version: str
    schema_ok: bool
    schema_error: str | None
    statements: tuple[StatementCheck, ...]

    @property
    def ok(self) -> bool:
        return self.schema_ok and all(s.ok for s in self.statements)


_NAMED = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


def check_on_sqlite(
    schema_sql: str, workload: Workload, source: EngineName, catalog: Catalog | None = None
) -> EmbeddedCheck:
    """Execute ``schema_sql`` in an in-memory SQLite and compile every statement of ``workload``."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        try:
            conn.executescript(schema_sql)
        except sqlite3.Error as exc:
            return EmbeddedCheck("sqlite", sqlite3.sqlite_version, False, str(exc), ())
        checks: list[StatementCheck] = []
        for statement in workload.statements:
            try:
                sql = transpile_statement(statement.sql, source, EngineName.SQLITE, catalog)
            except Exception as exc:  # a transpile failure is a portability finding, not a crash
                checks.append(
                    StatementCheck(statement.name, False, (f"cannot transpile: {exc}",), statement.sql)
                )
                continue
            params = {name: None for name in _NAMED.findall(sql)}
            positional = sql.count("?")
            try:
                if params:
                    rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", params).fetchall()
                else:
                    rows = conn.execute(f"EXPLAIN QUERY PLAN {sql}", [None] * positional).fetchall()
                detail = tuple(str(r[-1]) for r in rows)
                checks.append(StatementCheck(statement.name, True, detail, sql))
            except sqlite3.Error as exc:
                checks.append(StatementCheck(statement.name, False, (str(exc),), sql))
        return EmbeddedCheck("sqlite", sqlite3.sqlite_version, True, None, tuple(checks))
    finally:
        conn.close()
