r"""statement-not-checked: a statement, or part of one, the linter could not read, so no rule checked it.

Problem: the linter reads statements with sqlglot. When sqlglot does not model a statement's syntax
(a MariaDB partition action, PostgreSQL's ``ALTER COLUMN ... SET EXPRESSION``, ``DETACH PARTITION``)
the rules cannot see what it does, so a lock or a rewrite in it would pass unnoticed. The linter
never passes such a statement silently: it reads what it can (an ``ALTER TABLE`` action by action,
the statements inside a DO block) and reports the rest here, naming the part it could not read.
Statements known to take no lock worth checking are not reported (``GRANT``, ``COMMENT``,
``CREATE FUNCTION``, ``SET STATISTICS``, ``ADD CONSTRAINT ... USING INDEX`` ...), nor are the
statements that rules read from their words (``VACUUM``, ``CLUSTER``, ``REINDEX``, ``VALIDATE
CONSTRAINT``). Reported as well: an ``EXECUTE`` in a DO block of a statement built at run time, a
DO block in a language other than PL/pgSQL, and a psql ``\i`` include (lint the included file too).

Bad (PostgreSQL)::

    ALTER TABLE orders DETACH PARTITION orders_2019;   -- ACCESS EXCLUSIVE on orders: not checked

Good::

    ALTER TABLE orders DETACH PARTITION orders_2019 CONCURRENTLY;   -- reviewed by hand
    -- dbarch:disable statement-not-checked (the line above was reviewed)

Review the statement by hand (the engine facts in ``docs/rules``), then suppress the finding on it
with ``-- dbarch:disable statement-not-checked``, or make it an error in the config to require that.

Fix: none automatic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from dbarchitect.guardrails.rule import ALL_ENGINES, Draft, Level, LintContext, Rule, Statement

_INCLUDE = re.compile(r"^\\(?:i|ir|include|include_relative)\s+(?P<file>\S+)")


class StatementNotChecked(Rule):
    id = "statement-not-checked"
    engines = ALL_ENGINES
    summary = "A statement (or part) the linter could not read, so no rule checked it: review it."
    level = Level.WARNING

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        if statement.client:
            m = _INCLUDE.match(statement.sql)
            if m:
                yield Draft(
                    f"psql runs `{m['file']}` here, which this lint did not read; lint that file as well "
                    "(dbarch lint takes several files and directories)."
                )
            return
        if statement.problem is not None or not statement.unread:
            return
        whole = len(statement.unread) == 1 and statement.unread[0] == " ".join(statement.sql.split())[:80]
        listed = "; ".join(f"`{u}`" for u in statement.unread)
        what = "this statement" if whole else f"{listed} in this statement"
        yield Draft(
            f"The linter could not read {what} on {context.traits}, so no rule checked it for locks, "
            "rewrites or failures; review it by hand, then suppress this finding on it.",
        )
