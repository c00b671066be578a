"""concurrently-in-transaction: CONCURRENTLY operations cannot run inside a transaction block.

Problem: on PostgreSQL ``CREATE INDEX CONCURRENTLY``, ``DROP INDEX CONCURRENTLY``, ``REINDEX ...
CONCURRENTLY`` and ``DETACH PARTITION ... CONCURRENTLY`` fail with "cannot run inside a transaction
block" — the migration stops half applied (or, in a tool that wraps each file in a transaction, never
runs). They commit internally between their phases, which a surrounding transaction would prevent.

Bad (PostgreSQL)::

    BEGIN;
    CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);
    COMMIT;

Good::

    CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);

With a migration tool that wraps files in a transaction, mark the migration as non-transactional
(Rails ``disable_ddl_transaction!``, Django ``atomic = False``, Flyway ``executeInTransaction=false``,
Alembic ``autocommit_block()``). The linter tracks explicit ``BEGIN`` / ``START TRANSACTION`` ...
``COMMIT`` / ``ROLLBACK`` in the file.

Fix: none automatic (move the statement out of the transaction).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbarchitect.guardrails.rule import POSTGRES, Draft, LintContext, Rule, Statement

_CONCURRENT = re.compile(
    r"^(CREATE (?:UNIQUE )?INDEX CONCURRENTLY|DROP INDEX CONCURRENTLY|REINDEX\b.*\bCONCURRENTLY\b|"
    r"ALTER TABLE .* DETACH PARTITION .* CONCURRENTLY)"
)


class ConcurrentlyInTransaction(Rule):
    id = "concurrently-in-transaction"
    engines = POSTGRES
    summary = "CREATE/DROP INDEX CONCURRENTLY (and REINDEX/DETACH CONCURRENTLY) fail inside a transaction."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        if not context.in_transaction:
            return
        m = _CONCURRENT.match(statement.words)
        if not m:
            return
        what = {
            "CREATE": "CREATE INDEX CONCURRENTLY",
            "DROP": "DROP INDEX CONCURRENTLY",
            "REINDEX": "REINDEX ... CONCURRENTLY",
            "ALTER": "DETACH PARTITION ... CONCURRENTLY",
        }[m[1].split()[0]]
        yield Draft(
            f"{what} inside BEGIN ... COMMIT fails with 'cannot run inside a transaction block', "
            "stopping the migration half applied; COMMIT before it and run it on its own (mark the migration "
            "non-transactional in your migration tool).",
        )
