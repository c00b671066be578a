"""Run a DDL script on a real engine named by a test URL and list the tables it created."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

import psycopg
import pymysql
from pymysql.constants import CLIENT


def execute_script(url: str, script: str) -> set[str]:
    """Execute ``script`` on the database at ``url`` (postgresql:// or mysql://) and return the
    lower-cased names of the base tables that exist afterwards."""
    parts = urlsplit(url)
    if parts.scheme.startswith("postgres"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(script)  # type: ignore[call-overload]
            rows = conn.execute(
                "select table_name from information_schema.tables "
                "where table_schema = current_schema() and table_type = 'BASE TABLE'"
            ).fetchall()
            parts_rows = conn.execute(
                "select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace "
                "where n.nspname = current_schema() and c.relkind = 'p'"
            ).fetchall()
        return {str(r[0]).lower() for r in rows} | {str(r[0]).lower() for r in parts_rows}
    conn2 = mariadb_connect(url, multi_statements=True)
    try:
        with conn2.cursor() as cur:
            cur.execute(script)
            while cur.nextset():
                pass
            cur.execute(
                "select table_name from information_schema.tables "
                "where table_schema = database() and table_type = 'BASE TABLE'"
            )
            return {str(r[0]).lower() for r in cur.fetchall()}
    finally:
        conn2.close()


def mariadb_connect(
    url: str, database: str | None = None, *, multi_statements: bool = False
) -> pymysql.connections.Connection:
    """An autocommit PyMySQL connection to a ``mysql://`` URL: to ``database``, else the URL's own."""
    parts = urlsplit(url)
    return pymysql.connect(
        host=parts.hostname or "127.0.0.1",
        port=parts.port or 3306,
        user=unquote(parts.username or "root"),
        password=unquote(parts.password or ""),
        database=database if database is not None else (parts.path.lstrip("/") or None),
        client_flag=CLIENT.MULTI_STATEMENTS if multi_statements else 0,
        connect_timeout=5,
        autocommit=True,
    )
