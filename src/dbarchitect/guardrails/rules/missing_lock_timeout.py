"""missing-lock-timeout: set a lock timeout before DDL that takes a strong lock on an existing table.

Problem: a DDL statement waiting for its lock sits in the lock queue, and every later conflicting
request queues behind it — even an instant metadata change turns into an outage while one long
transaction holds the table. Measured on PostgreSQL 15: an ``ADD COLUMN`` (no default) behind a 6 s
reader stalled all reads and writes for 5.7 s; with ``lock_timeout`` at 200 ms and retries the longest
stall was 202 ms. MySQL and MariaDB have the same queue on the metadata lock, and
``lock_wait_timeout`` defaults to a year (MySQL) or a day (MariaDB 10.2.4+).

Bad (PostgreSQL)::

    ALTER TABLE orders ADD COLUMN note text;

Good::

    SET lock_timeout = '2s';
    ALTER TABLE orders ADD COLUMN note text;   -- and retry with backoff when it times out

On MySQL/MariaDB: ``SET SESSION lock_wait_timeout = 5;`` (MariaDB also accepts ``ALTER TABLE ... WAIT n``).
On PostgreSQL keep ``lock_timeout`` above ``deadlock_timeout`` (1 s by default; an autovacuum holding
the table is only cancelled then), and behind PgBouncer in transaction mode set it on the role.
Besides DDL, PostgreSQL's ``LOCK TABLE`` in SHARE mode or stronger (ACCESS EXCLUSIVE when no mode
is named; not with NOWAIT), ``REINDEX`` without CONCURRENTLY (SHARE on the table), ``VACUUM FULL`` and
``CLUSTER`` wait in the same queue, and so does MySQL/MariaDB's ``LOCK TABLES``.
``CREATE INDEX CONCURRENTLY`` is not reported: it should get a long timeout or none. Reported once per
file, on the first statement that needs it; tables created earlier in the file are exempt.

Fix: insert the ``SET`` before the statement.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    MYSQL_FAMILY,
    POSTGRES,
    Draft,
    Fix,
    Level,
    LintContext,
    Rule,
    Statement,
    as_written,
    option_on,
    table_name,
)
from dbarchitect.model.names import EngineName

#: The session setting that bounds a DDL statement's lock wait, and the statement that sets it.
_SETTING: dict[EngineName, tuple[str, str]] = {
    EngineName.POSTGRESQL: ("lock_timeout", "SET lock_timeout = '2s'"),
    EngineName.MYSQL: ("lock_wait_timeout", "SET SESSION lock_wait_timeout = 5"),
    EngineName.MARIADB: ("lock_wait_timeout", "SET SESSION lock_wait_timeout = 5"),
}


class MissingLockTimeout(Rule):
    id = "missing-lock-timeout"
    engines = POSTGRES | MYSQL_FAMILY
    summary = "DDL on an existing table without a lock timeout can queue every query behind it."
    level = Level.WARNING

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        if self.id in context.reported:
            return
        setting, set_sql = _SETTING[context.engine]
        value = context.settings.get(setting)
        if value is not None and not re.fullmatch(r"0+(ms|s)?|default", value):
            return
        if statement.derived and not statement.words:
            return  # one action of an ALTER TABLE read on its own: the whole statement was judged
        locked = _locked_table(statement)
        if locked is None or re.search(r"\b(WAIT \d+|NOWAIT)\b", statement.words):
            return
        table, what = locked
        if context.is_new(table):
            return
        context.reported.add(self.id)
        yield Draft(
            f"This statement locks {what} with no {setting} set: while it waits behind any open transaction "
            f"on it, every later query on it queues behind it; run `{set_sql}` first and retry with backoff "
            "when the timeout fires.",
            fix=Fix(f"set {setting} first", f"{set_sql};\n{statement.sql}"),
        )


def _locked_table(statement: Statement) -> tuple[str | None, str] | None:
    """The table a statement takes a strong lock on (ALTER TABLE, plain CREATE INDEX, DROP, LOCK TABLE,
    REINDEX, VACUUM FULL, CLUSTER, ...), and how to name it in the message."""
    maintenance = _maintenance_lock(statement.pg)
    if maintenance is not None:
        return maintenance
    node = statement.node
    alter = statement.alter_table()
    if alter is not None:
        return _named(table_name(alter.this))
    if isinstance(node, exp.Create) and (node.args.get("kind") or "").upper() == "INDEX":
        if node.args.get("concurrently"):
            return None
        index = node.this
        return _named(table_name(index.args.get("table")) if isinstance(index, exp.Index) else None)
    if isinstance(node, exp.Drop) and (node.args.get("kind") or "").upper() in ("TABLE", "INDEX"):
        tables = node.args.get("tables") or []
        if node.args.get("concurrently") or not tables:
            return None
        name = table_name(tables[0])
        if (node.args.get("kind") or "").upper() == "INDEX":
            return None, f"the table of index `{name}`"
        return _named(name)
    m = re.match(r"^ALTER TABLE (?:ONLY )?(?:IF EXISTS )?(\S+)", statement.words)
    if m:
        return _named(as_written(statement.sql, m[1].strip('"`')))
    m = re.match(r"^LOCK TABLES? (\S+?),? (?:AS \S+ |\S+ )?(?:LOW_PRIORITY )?(READ|WRITE)\b", statement.words)
    if m:  # MySQL / MariaDB LOCK TABLES: waits on the metadata lock like DDL
        return _named(as_written(statement.sql, m[1].strip("`")))
    m = re.match(r"^DROP INDEX (?!CONCURRENTLY)(?:IF EXISTS )?(\S+)", statement.words)
    if m:
        return None, f"the table of index `{as_written(statement.sql, m[1].strip(',').strip(chr(34)))}`"
    return None


#: pglast's LockStmt modes from SHARE up: they block writes (ACCESS EXCLUSIVE, the default, reads too).
_SHARE_MODE = 5
#: pglast's ReindexObjectType values for an index and a table.
_REINDEX_INDEX, _REINDEX_TABLE = 0, 1


def _maintenance_lock(pg: Any) -> tuple[str | None, str] | None:
    """PostgreSQL statements other than DDL that queue behind open transactions holding a table:
    ``LOCK`` in SHARE mode or stronger, ``REINDEX`` (SHARE on the table), ``VACUUM FULL`` and
    ``CLUSTER`` (ACCESS EXCLUSIVE)."""
    kind = type(pg).__name__
    if kind == "LockStmt" and int(pg.mode) >= _SHARE_MODE and not pg.nowait:
        return _relations([r.relname for r in pg.relations or ()])
    if kind == "ReindexStmt" and not option_on(pg.params, "concurrently"):
        name = getattr(pg.relation, "relname", None) if pg.relation is not None else None
        if int(pg.kind) == _REINDEX_INDEX and name:
            return None, f"the table of index `{name}`"
        if int(pg.kind) == _REINDEX_TABLE and name:
            return _named(str(name))
        return None, "every table it reindexes"
    if kind == "VacuumStmt" and pg.is_vacuumcmd and option_on(pg.options, "full"):
        return _relations([r.relation.relname for r in pg.rels or () if r.relation is not None])
    if kind == "ClusterStmt":
        return _relations([pg.relation.relname] if pg.relation is not None else [])
    return None


def _relations(names: list[str]) -> tuple[str | None, str]:
    if len(names) == 1:
        return str(names[0]), f"`{names[0]}`"
    if not names:
        return None, "every table it rewrites"
    return str(names[0]), ", ".join(f"`{n}`" for n in names)


def _named(table: str | None) -> tuple[str | None, str] | None:
    return (table, f"`{table}`") if table else None
