"""require-concurrent-index-creation: build indexes on existing tables with CREATE INDEX CONCURRENTLY.

Problem: on PostgreSQL a plain ``CREATE INDEX`` takes a SHARE lock on the table for the whole build
(measured on 15.18): reads go on, but every INSERT, UPDATE and DELETE waits until the index is built,
which on a big table means minutes of failed or stalled writes.

Bad (PostgreSQL)::

    CREATE INDEX orders_customer_id_idx ON orders (customer_id);

Good::

    CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);

Tables created earlier in the same file are exempt (they hold no rows yet). ``CONCURRENTLY`` cannot run
inside a transaction block (see ``concurrently-in-transaction``); it scans the table twice and waits for
older transactions, and a failed build leaves an INVALID index that must be dropped
(``DROP INDEX CONCURRENTLY IF EXISTS``) before retrying. MySQL and MariaDB build secondary indexes
online already (``ALGORITHM=INPLACE, LOCK=NONE``; see ``mysql-missing-algorithm-lock``).

Fix: insert ``CONCURRENTLY`` after ``INDEX``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import POSTGRES, Draft, Fix, LintContext, Rule, Statement, ident, table_name


class RequireConcurrentIndexCreation(Rule):
    id = "require-concurrent-index-creation"
    engines = POSTGRES
    summary = "CREATE INDEX on an existing table without CONCURRENTLY blocks writes for the whole build."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        node = statement.node
        if not isinstance(node, exp.Create) or (node.args.get("kind") or "").upper() != "INDEX":
            return
        if node.args.get("concurrently") or not context.traits.features.concurrent_index_build:
            return
        index = node.this
        table = table_name(index.args.get("table")) if isinstance(index, exp.Index) else None
        if context.is_new(table):
            return
        name = f"index `{ident(index.this)}`" if isinstance(index, exp.Index) and index.this else "an index"
        yield Draft(
            f"Creating {name} on `{table}` without CONCURRENTLY takes a SHARE lock that blocks every "
            f"write to `{table}` until the build finishes ({context.size_note(table)}); "
            "use CREATE INDEX CONCURRENTLY, outside a transaction.",
            hint="if a concurrent build fails it leaves an INVALID index: DROP INDEX CONCURRENTLY IF EXISTS "
            "it and retry",
            fix=Fix(
                "build the index concurrently",
                re.sub(r"\bINDEX\b", "INDEX CONCURRENTLY", statement.sql, count=1, flags=re.IGNORECASE),
            ),
        )
