"""Is a scratch database really empty? What verify, calibrate, partition measurement and a
rehearsal must check before they write to a database a user named.

``information_schema`` lists only what the connecting role may see, so an empty listing proves
nothing. Each engine is asked through what shows everything:

- **PostgreSQL**: the system catalogs, readable by every role whatever it owns: every relation of
  any kind in ``pg_class`` (tables, partitioned tables, views, materialized views, sequences,
  foreign tables, composite types), every type in ``pg_type`` (enums, domains, ranges), every
  function or procedure in ``pg_proc`` and every schema besides ``public``, leaving out the
  engine's own (``pg_catalog``, ``information_schema``, toast and temporary schemas) and what an
  installed extension owns (``pg_depend`` ``e`` entries: HypoPG's or pg_stat_statements' functions
  and views). A catalog the role cannot read is a refusal, not an empty database.
- **MySQL / MariaDB**: ``information_schema`` tables (with views and sequences), routines and
  events of the database, *after* proving the listing is complete: it is only when the account
  (or its enabled role) holds a privilege on the whole database (``SHOW GRANTS``: a global grant,
  or one on ``db.*`` whose pattern matches it); with table-level grants only, tables the account
  has no grant on are invisible, and the database is refused as "cannot be shown to be empty".
- **SQLite**: every entry of ``sqlite_master`` (tables, views, indexes, triggers) but SQLite's own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.model.names import EngineName

Query = Callable[[str], Sequence[Sequence[Any]]]

_PG_SYSTEM = (
    "n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\\_toast%' "
    "AND n.nspname NOT LIKE 'pg\\_temp\\_%'"
)
_PG_NOT_EXTENSION = (
    "NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = '{catalog}'::regclass AND d.objid = {oid} "
    "AND d.deptype = 'e')"
)
_PG_KINDS = {
    "r": "table",
    "p": "partitioned table",
    "v": "view",
    "m": "materialized view",
    "S": "sequence",
    "f": "foreign table",
    "c": "composite type",
    "i": "index",
    "I": "partitioned index",
    "t": "toast table",
}
_PG_TYPES = {"e": "enum type", "d": "domain", "r": "range type", "m": "multirange type", "b": "base type"}

#: What PostgreSQL lists: (kind, schema, name) of everything in the database that is not the engine's.
PG_OBJECTS_SQL = f"""
SELECT c.relkind::text, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE {_PG_SYSTEM} AND {_PG_NOT_EXTENSION.format(catalog="pg_class", oid="c.oid")}
UNION ALL
SELECT 'type:' || t.typtype::text, n.nspname, t.typname FROM pg_type t
JOIN pg_namespace n ON n.oid = t.typnamespace
WHERE {_PG_SYSTEM} AND t.typtype IN ('e', 'd', 'r', 'm', 'b') AND t.typelem = 0
  AND {_PG_NOT_EXTENSION.format(catalog="pg_type", oid="t.oid")}
UNION ALL
SELECT 'function', n.nspname, p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE {_PG_SYSTEM} AND {_PG_NOT_EXTENSION.format(catalog="pg_proc", oid="p.oid")}
UNION ALL
SELECT 'schema', n.nspname, n.nspname FROM pg_namespace n
WHERE {_PG_SYSTEM} AND n.nspname <> 'public'
  AND {_PG_NOT_EXTENSION.format(catalog="pg_namespace", oid="n.oid")}
ORDER BY 1, 2, 3
"""

MYSQL_OBJECTS_SQL = """
SELECT LOWER(TABLE_TYPE), TABLE_NAME FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()
UNION ALL
SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()
UNION ALL
SELECT 'event', EVENT_NAME FROM information_schema.EVENTS WHERE EVENT_SCHEMA = DATABASE()
ORDER BY 1, 2
"""

SQLITE_OBJECTS_SQL = (
    "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 1, 2"
)

#: Privileges that make every table of a database visible in information_schema when held on the
#: whole database or globally (MariaDB's TABLE_ACLS).
_TABLE_PRIVILEGES = frozenset(
    {
        "select", "insert", "update", "delete", "create", "drop", "references", "index", "alter",
        "create view", "show view", "trigger", "delete history", "create temporary tables",
        "lock tables", "all privileges", "all",
    }
)  # fmt: skip
_GRANT = re.compile(r"^GRANT (?P<privs>.+?) ON (?P<what>\S+) TO ", re.IGNORECASE)


def _mysql_pattern_matches(pattern: str, database: str) -> bool:
    """Whether a ``db.*`` grant's database pattern (``%``/``_`` wildcards, ``\\`` escapes) covers
    ``database``."""
    regex = ""
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\" and i + 1 < len(pattern):
            regex += re.escape(pattern[i + 1])
            i += 2
            continue
        regex += ".*" if ch == "%" else "." if ch == "_" else re.escape(ch)
        i += 1
    return re.fullmatch(regex, database, re.IGNORECASE) is not None


def _unquote(part: str) -> str:
    part = part.strip()
    if len(part) >= 2 and part[0] == part[-1] == "`":
        return part[1:-1].replace("``", "`")
    return part


def mysql_sees_whole_database(grants: Sequence[str], database: str) -> bool:
    """Whether grants (``SHOW GRANTS`` lines) give a privilege on all of ``database``, so that
    information_schema lists every table in it."""
    for line in grants:
        m = _GRANT.match(line.strip())
        if m is None or m["what"].upper().startswith(("PROCEDURE", "FUNCTION", "PROXY")):
            continue
        privs = {p.strip().split("(")[0].strip().lower() for p in m["privs"].split(",")}
        if not privs & _TABLE_PRIVILEGES:
            continue  # USAGE only, or routine privileges
        db, _, table = m["what"].rpartition(".")
        if table != "*":
            continue
        if db == "*" or _mysql_pattern_matches(_unquote(db), database):
            return True
    return False


def _describe(kind: str, schema: str | None, name: str) -> str:
    label = _PG_TYPES.get(kind[5:], "type") if kind.startswith("type:") else _PG_KINDS.get(kind, kind)
    shown = f"{schema}.{name}" if schema not in (None, "public") and kind != "schema" else name
    return f"{label} {shown}"


def scratch_objects(family: EngineName, query: Query) -> list[str]:
    """Every object in the connected database that is not the engine's own, as ``kind name`` (e.g.
    ``table precious``, ``materialized view mv``, ``enum type mood``). Raises when the database
    cannot be shown to be empty (a catalog the role cannot read, or MySQL/MariaDB grants that hide
    tables)."""
    try:
        if family == EngineName.POSTGRESQL:
            return [_describe(str(k), str(s), str(n)) for k, s, n in query(PG_OBJECTS_SQL)]
        if family == EngineName.SQLITE:
            return [f"{t} {n}" for t, n in query(SQLITE_OBJECTS_SQL)]
        rows = query("SELECT DATABASE()")
        database = str(rows[0][0]) if rows and rows[0][0] is not None else ""
        grants = [str(r[0]) for r in query("SHOW GRANTS")]
    except DbarchError:
        raise
    except Exception as exc:
        raise DbarchError(
            Diagnostic(
                f"cannot read the database's catalog to prove it empty: {' '.join(str(exc).split())[:200]}",
                hint="connect as a role that can read the system catalog of an empty scratch database",
            )
        ) from None
    if not database:
        return ["no database selected (name one in the URL)"]
    if not mysql_sees_whole_database(grants, database):
        return [
            f"tables the account may not see: it has no privilege on all of `{database}` (only table-level "
            "grants), so information_schema cannot show the database is empty"
        ]
    return [f"{kind} {name}" for kind, name in query(MYSQL_OBJECTS_SQL)]


def listed(objects: Sequence[str], most: int = 5) -> str:
    """``a, b, c ...`` for a refusal message."""
    return ", ".join(objects[:most]) + (f" and {len(objects) - most} more" if len(objects) > most else "")
