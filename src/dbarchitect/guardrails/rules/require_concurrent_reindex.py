"""require-concurrent-reindex: rebuild indexes with REINDEX ... CONCURRENTLY.

Problem: on PostgreSQL a plain ``REINDEX`` takes a SHARE lock on the table (writes wait) and an ACCESS
EXCLUSIVE lock on every index it rebuilds. Every query on the table needs a lock on each of its
indexes to plan, so reads wait as well: measured on 15.20, a ``SELECT`` filtering on a column no index
covers timed out behind ``REINDEX INDEX`` of the primary key. ``REINDEX TABLE`` holds this for all the
table's indexes in turn (1.9 s for 1M rows and three indexes, measured), ``REINDEX SCHEMA`` /
``DATABASE`` for every table they hold.

Bad (PostgreSQL)::

    REINDEX TABLE orders;
    REINDEX INDEX orders_customer_id_idx;

Good (PostgreSQL 12+)::

    REINDEX TABLE CONCURRENTLY orders;
    REINDEX (VERBOSE) INDEX CONCURRENTLY orders_customer_id_idx;

``CONCURRENTLY`` builds the new index beside the old one and swaps them (SHARE UPDATE EXCLUSIVE: reads
and writes go on); it cannot run inside a transaction block (see ``concurrently-in-transaction``), and
a failed run leaves an INVALID ``_ccnew`` index to drop. ``REINDEX SYSTEM`` has no concurrent form.
Tables created earlier in the same file are exempt.

Fix: insert ``CONCURRENTLY`` before the object's name.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbarchitect.guardrails.rule import POSTGRES, Draft, Fix, LintContext, Rule, Statement, option_on

#: pglast's ReindexObjectType values.
_INDEX, _TABLE, _SCHEMA, _SYSTEM, _DATABASE = 0, 1, 2, 3, 4
_KINDS = {_INDEX: "INDEX", _TABLE: "TABLE", _SCHEMA: "SCHEMA", _SYSTEM: "SYSTEM", _DATABASE: "DATABASE"}
_TARGET = re.compile(r"^(REINDEX\s*(?:\([^)]*\)\s*)?(?:INDEX|TABLE|SCHEMA|DATABASE)\s+)", re.IGNORECASE)


class RequireConcurrentReindex(Rule):
    id = "require-concurrent-reindex"
    engines = POSTGRES
    summary = "REINDEX without CONCURRENTLY blocks writes, and reads that plan on the table, for the rebuild."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        pg = statement.pg
        if type(pg).__name__ != "ReindexStmt" or option_on(pg.params, "concurrently"):
            return
        kind = int(pg.kind)
        relation = getattr(pg.relation, "relname", None) if pg.relation is not None else None
        name = relation or (str(pg.name) if pg.name else None)
        if kind == _TABLE and context.is_new(relation):
            return
        if kind == _SYSTEM:
            yield Draft(
                "REINDEX SYSTEM rebuilds every system catalog index under locks that block reads and writes "
                "of the catalogs, and has no concurrent form; run it in a maintenance window.",
            )
            return
        what = {
            _INDEX: f"index `{name}`, locking it ACCESS EXCLUSIVE and its table SHARE",
            _TABLE: f"every index of `{name}`, each locked ACCESS EXCLUSIVE with the table locked SHARE",
            _SCHEMA: f"every index of every table in schema `{name}`, table by table",
            _DATABASE: "every index of every table in the database, table by table",
        }[kind]
        if not context.traits.supports_version((12,)):
            yield Draft(
                f"REINDEX rebuilds {what}: writes wait, and so do reads (a query needs every index of "
                f"its table to plan); {context.traits} has no REINDEX CONCURRENTLY: build a new index "
                "CONCURRENTLY and drop the old one instead.",
            )
            return
        turned_off = re.compile(r"(\(\s*(?:[^)]*,\s*)?CONCURRENTLY)\s+\w+", re.IGNORECASE)
        if turned_off.search(statement.sql):
            fixed = turned_off.sub(lambda m: m.group(1), statement.sql, count=1)
        else:
            fixed = _TARGET.sub(lambda m: m.group(1) + "CONCURRENTLY ", statement.sql, count=1)
        yield Draft(
            f"REINDEX rebuilds {what}: writes wait, and so do reads (a query needs every index of its "
            "table to plan) until the rebuild ends; use REINDEX ... CONCURRENTLY, outside a transaction.",
            hint="a failed concurrent rebuild leaves an INVALID index named ..._ccnew: drop it and retry",
            fix=Fix("rebuild concurrently", fixed) if fixed != statement.sql else None,
        )
