"""mysql-algorithm-copy: ALTER TABLE operations MySQL and MariaDB can only do by copying the table.

Problem: with ``ALGORITHM=COPY`` InnoDB builds a new copy of the table row by row while concurrent
writes are blocked (``LOCK=NONE`` is refused: "Cannot change column type. Try LOCK=SHARED"), for a time
proportional to the table's size, and replicas then apply the same copy as one statement. Measured on
MariaDB 10.11 (cheapest algorithm accepted): changing a column's data type (``int -> bigint``,
``decimal(10,2) -> (12,2)``), adding a STORED generated column, adding a CHECK constraint, adding a
foreign key (unless ``foreign_key_checks`` is off), ``CONVERT TO CHARACTER SET`` — and asking for
``ALGORITHM=COPY`` outright. MySQL 8.0 documents the same, plus dropping a primary key without adding
another. String-length and ENUM changes are ``varchar-length-change`` and ``enum-value-change``.

Bad (MariaDB)::

    ALTER TABLE orders MODIFY COLUMN id bigint NOT NULL;   -- was int

Good: run the change through an online schema change tool that copies in chunks while writes go on
(``pt-online-schema-change``, ``gh-ost`` — no foreign keys), or, on MariaDB 11.4+, ``ALGORITHM=COPY,
LOCK=NONE`` (online copy). For a foreign key, ``SET foreign_key_checks = 0`` first makes the add
in place — when the data is already known to be consistent.

Without a catalog a ``MODIFY``/``CHANGE`` cannot be compared with the old type and is reported as a
warning. Tables created earlier in the same file are exempt.

Fix: none automatic.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from sqlglot import exp

from dbarchitect.guardrails.rule import (
    MYSQL_FAMILY,
    STRING_KINDS,
    Draft,
    Level,
    LintContext,
    Rule,
    Statement,
    as_written,
    old_type_sql,
    table_name,
    type_changes,
)
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import TypeKind

#: Versions from which ALGORITHM=COPY accepts LOCK=NONE (MariaDB's online change buffer).
_ONLINE_COPY_SINCE: dict[EngineName, tuple[int, ...]] = {EngineName.MARIADB: (11, 4)}


class MysqlAlgorithmCopy(Rule):
    id = "mysql-algorithm-copy"
    engines = MYSQL_FAMILY
    summary = "ALTER TABLE operations that force ALGORITHM=COPY block writes for a full table copy."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        m = re.match(r"^ALTER (?:ONLINE )?(?:IGNORE )?TABLE (\S+)", statement.words)
        if not m:
            return
        alter = statement.alter_table()
        table = table_name(alter.this) if alter is not None else as_written(statement.sql, m[1].strip("`"))
        if table is None or context.is_new(table):
            return
        for reason, level in self._reasons(statement, context, alter):
            yield self._draft(context, table, reason, level)

    def _reasons(
        self, statement: Statement, context: LintContext, alter: exp.Alter | None
    ) -> Iterator[tuple[str, Level | None]]:
        words = statement.words
        if re.search(r"\bALGORITHM\s*=?\s*COPY\b", words):
            yield "asks for ALGORITHM=COPY", None
        if re.search(r"\bCONVERT TO (CHARACTER SET|CHARSET)\b", words):
            yield "converts the character set", None
        if re.search(r"\bADD (?:COLUMN )?.*\bAS\s*\(.*\)\s*(STORED|PERSISTENT)\b", words):
            yield "adds a STORED generated column", None
        if alter is None:
            return
        actions = alter.args.get("actions") or []
        for action in actions:
            if isinstance(action, exp.AddConstraint):
                for constraint in action.expressions:
                    if constraint.find(exp.CheckColumnConstraint) is not None:
                        yield "adds a CHECK constraint", None
                    if constraint.find(exp.ForeignKey) is not None and context.settings.get(
                        "foreign_key_checks"
                    ) not in ("0", "off"):
                        yield "adds a foreign key with foreign_key_checks on", None
            if isinstance(action, exp.DropPrimaryKey) and not any(
                isinstance(a, exp.AddConstraint) and a.find(exp.PrimaryKey) for a in actions
            ):
                yield "drops the primary key without adding another", None
        for change in type_changes(statement, context):
            new, old = change.new, change.old
            if new is not None and (new.kind in STRING_KINDS or new.kind == TypeKind.ENUM):
                continue  # varchar-length-change and enum-value-change judge these
            if old is None:
                yield (
                    f"restates `{change.column}` as {change.new_sql} (no catalog to tell whether the type "
                    "changes; a type change copies the table)",
                    Level.WARNING,
                )
            elif new is None or old != new:
                yield (
                    f"changes `{change.column}` from {old_type_sql(change, context)} to {change.new_sql}",
                    None,
                )

    def _draft(self, context: LintContext, table: str, reason: str, level: Level | None) -> Draft:
        since = _ONLINE_COPY_SINCE.get(context.engine)
        online = (
            f" or ALGORITHM=COPY, LOCK=NONE (online on {context.traits.label} {'.'.join(map(str, since))}+)"
            if since is not None
            else ""
        )
        if since is not None and context.traits.supports_version(since):
            online = " or ALGORITHM=COPY, LOCK=NONE (online copy on this version)"
        return Draft(
            f"This ALTER on `{table}` {reason}, which {context.traits} can only do with ALGORITHM=COPY: the "
            f"table is copied row by row with writes blocked ({context.size_note(table)}); use "
            f"pt-online-schema-change or gh-ost{online}.",
            level=level,
        )
