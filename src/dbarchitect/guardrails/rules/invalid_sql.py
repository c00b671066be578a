"""invalid-sql: a statement that does not parse fails the migration where it stands.

Problem: the server refuses a statement it cannot parse, so the migration stops there, half applied
when it runs outside one transaction, and no rule can check a statement nobody can read. On
PostgreSQL the statement is parsed by PostgreSQL's own parser (libpg_query): its message and
position are the server's. On MySQL and MariaDB a statement is invalid when its first words start no
statement (``ALTR TABLE``, ``CREATE TABEL``), an ``ALTER TABLE`` action starts with no action
keyword (``ADDD COLUMN``), a parenthesis, quote or comment never closes, or a trigger or procedure
body is cut at its first ``;`` because no ``DELIMITER`` line precedes it (``mysql < file`` cuts it
there). A DO block whose PL/pgSQL body does not compile is invalid too (PostgreSQL compiles it when
the DO runs).

Bad (PostgreSQL)::

    CREAT INDEX orders_customer_id_idx ON orders (customer_id);
    ALTER TABLE orders ADD COLUMN note text DEFAULT;

Good::

    CREATE INDEX CONCURRENTLY orders_customer_id_idx ON orders (customer_id);
    ALTER TABLE orders ADD COLUMN note text DEFAULT '';

A file with such a statement makes ``dbarch lint`` exit 2 (bad input), after every other finding.
The rule cannot be turned off in the config; on a statement your server does accept (a MariaDB
extension the linter does not know), suppress it on that statement with
``-- dbarch:disable invalid-sql`` and say why.

Fix: none automatic.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.rule import ALL_ENGINES, Draft, LintContext, Rule, Statement


class InvalidSql(Rule):
    id = "invalid-sql"
    engines = ALL_ENGINES
    summary = "A statement that does not parse: the migration fails there and no rule can check it."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        problem = statement.problem
        if problem is None:
            return
        first = " ".join(statement.sql.split()[:4])
        yield Draft(
            f"`{first}{' ...' if len(statement.sql.split()) > 4 else ''}` does not parse on "
            f"{context.traits}: {problem.message}; the migration fails at this statement and no rule "
            "could check it.",
            offset=problem.offset,
        )
