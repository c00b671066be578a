"""mysql-missing-algorithm-lock: assert ALGORITHM= and LOCK= on MySQL/MariaDB DDL.

Problem: without explicit clauses MySQL and MariaDB silently pick the cheapest algorithm that works —
which for many operations is a full table copy with writes blocked. Naming both ``ALGORITHM=`` and
``LOCK=`` turns them into an assertion: if the server cannot do the change that way, the statement
fails at once ("ALGORITHM=INPLACE is not supported...") instead of quietly locking the table for the
length of a copy.

Bad (MariaDB)::

    ALTER TABLE orders ADD COLUMN note text;

Good::

    ALTER TABLE orders ADD COLUMN note text, ALGORITHM=INSTANT, LOCK=NONE;
    CREATE INDEX orders_customer_id_idx ON orders (customer_id) ALGORITHM=INPLACE LOCK=NONE;

Measured on MariaDB 10.11: INSTANT + LOCK=NONE for adding, dropping and renaming columns and setting
defaults; NOCOPY/INPLACE + LOCK=NONE for adding and dropping indexes and making a column NOT NULL.
MySQL has INSTANT for all three column operations from 8.0.29 (adding from 8.0.12), MariaDB from 10.4.
Tables created earlier in the same file are exempt.

MySQL 8.0 takes no ``LOCK=`` clause but DEFAULT with ``ALGORITHM=INSTANT`` ("Incorrect usage of
ALGORITHM=INSTANT and LOCK=NONE/SHARED/EXCLUSIVE"; the manual: only LOCK=DEFAULT is supported for
instant operations): there ``ALGORITHM=INSTANT`` alone is the assertion, and ``ALGORITHM=INSTANT,
LOCK=NONE`` is reported as a statement that fails. MariaDB accepts both together.

Fix: append the clauses — ``ALGORITHM=INSTANT`` when every action of the statement can be instant on
this version, else ``ALGORITHM=INPLACE`` — with ``LOCK=NONE`` (none with INSTANT on MySQL); on MySQL,
drop the ``LOCK=`` clause an ``ALGORITHM=INSTANT`` statement carries.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    MYSQL_FAMILY,
    Draft,
    Fix,
    Level,
    LintContext,
    Rule,
    Statement,
    as_written,
    table_name,
)
from dbarchitect.model.names import EngineName

#: Versions from which adding, dropping and renaming a column can all be ALGORITHM=INSTANT.
_INSTANT_COLUMNS_SINCE: dict[EngineName, tuple[int, ...]] = {
    EngineName.MYSQL: (8, 0, 29),
    EngineName.MARIADB: (10, 4),
}
_ALGORITHM = re.compile(r"\bALGORITHM\s*=?\s*(DEFAULT|INSTANT|INPLACE|NOCOPY|COPY)\b")
_LOCK = re.compile(r"\bLOCK\s*=?\s*(DEFAULT|NONE|SHARED|EXCLUSIVE)\b")


class MysqlMissingAlgorithmLock(Rule):
    id = "mysql-missing-algorithm-lock"
    engines = MYSQL_FAMILY
    summary = "ALTER TABLE / CREATE INDEX without ALGORITHM= and LOCK= may silently copy the table."
    level = Level.WARNING

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        words = statement.words
        alter = re.match(r"^ALTER (?:ONLINE )?(?:IGNORE )?TABLE (\S+)", words)
        index = re.match(r"^(?:CREATE (?:UNIQUE |FULLTEXT |SPATIAL )?INDEX|DROP INDEX) \S+ ON (\S+)", words)
        if not alter and not index:
            return
        if alter and re.match(r"^\S+ \S+ \S+ (RENAME TO|RENAME AS)\b", words):
            return  # renaming-table's case; MariaDB needs LOCK=EXCLUSIVE for it anyway
        node = statement.alter_table()
        found = alter or index
        assert found is not None
        table = table_name(node.this) if node is not None else as_written(statement.sql, found[1].strip("`"))
        if table is None or context.is_new(table):
            return
        has_algorithm, has_lock = _ALGORITHM.search(words), _LOCK.search(words)
        lockless_instant = not context.traits.migration.instant_takes_lock_clause
        if has_algorithm and has_algorithm[1] == "INSTANT" and lockless_instant:
            if has_lock and has_lock[1] != "DEFAULT":
                lock = re.search(r",?\s*\bLOCK\s*=?\s*\w+", statement.sql, re.IGNORECASE)
                yield Draft(
                    f"{context.traits} refuses LOCK={has_lock[1]} with ALGORITHM=INSTANT (only LOCK=DEFAULT "
                    "is allowed for an instant change), so this statement fails; ALGORITHM=INSTANT alone "
                    "already asserts that the table is neither copied nor locked.",
                    fix=Fix(
                        "drop the LOCK= clause",
                        statement.sql[: lock.start()] + statement.sql[lock.end() :],
                    )
                    if lock is not None and node is not None
                    else None,
                    level=Level.ERROR,
                )
            return
        if has_algorithm and has_lock:
            return
        algorithm = "INSTANT" if node is not None and self._instant(node, context) else "INPLACE"
        clauses = []
        if not has_algorithm:
            clauses.append(f"ALGORITHM={algorithm}")
        if not has_lock and not (algorithm == "INSTANT" and lockless_instant and not has_algorithm):
            clauses.append("LOCK=NONE")
        joiner = ", " if alter else " "
        missing = " and ".join(c.split("=")[0] + "=" for c in clauses)
        yield Draft(
            f"This statement on `{table}` does not state {missing}, so {context.traits} may silently "
            "copy the "
            "table with writes blocked; state the algorithm and lock you expect, and the statement fails "
            "instead of locking.",
            fix=Fix(
                f"assert {joiner.join(clauses)}",
                f"{statement.sql}{', ' if alter else ' '}{joiner.join(clauses)}",
            ),
        )

    def _instant(self, node: exp.Alter, context: LintContext) -> bool:
        since = _INSTANT_COLUMNS_SINCE.get(context.engine)
        if since is None or not context.traits.supports_version(since):
            return False
        for action in node.args.get("actions") or []:
            if isinstance(action, exp.ColumnDef):
                if action.find(exp.ComputedColumnConstraint) is not None:
                    return False
            elif (
                (isinstance(action, exp.Drop) and (action.args.get("kind") or "").upper() == "COLUMN")
                or isinstance(action, exp.RenameColumn)
                or (
                    isinstance(action, exp.AlterColumn)
                    and (action.args.get("default") is not None or action.args.get("drop"))
                )
            ):
                continue
            else:
                return False
        return True
