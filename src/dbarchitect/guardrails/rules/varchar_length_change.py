"""varchar-length-change: narrowing a string column, or changes that rewrite or copy it.

Problem: shortening ``varchar(n)`` rewrites the table under a blocking lock and fails (or, on MySQL
and MariaDB outside strict mode, silently truncates) when a longer value exists. Which widenings are
free depends on the engine — measured:

- PostgreSQL 15: ``varchar(20) -> varchar(50)`` and ``varchar -> text`` change only the catalog;
  ``varchar(20) -> varchar(10)`` and ``text -> varchar(100)`` rewrite under ACCESS EXCLUSIVE.
- MariaDB 10.11: ``varchar(20) -> varchar(50)`` and ``-> varchar(300)`` are INSTANT;
  ``varchar(20) -> varchar(10)`` and ``varchar -> text`` force ALGORITHM=COPY (writes blocked).
- MySQL 8.0 (manual): widening is in place only while the length prefix stays the same size (under
  256 bytes, or at least 256 bytes, before and after); crossing 255 bytes copies the table.

Bad (PostgreSQL)::

    ALTER TABLE customers ALTER COLUMN email TYPE varchar(100);   -- was varchar(255)

Good::

    ALTER TABLE customers ALTER COLUMN email TYPE varchar(320);   -- widening: catalog only

Without a catalog (``--brief``) or an earlier declaration of the column in the same file the old type
is unknown, and a change nothing proves safe is an error: narrowing may rewrite the table and fail.

Fix: none automatic; to enforce a shorter limit without a rewrite on PostgreSQL, add
``CHECK (char_length(email) <= 100) NOT VALID`` and validate it.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.rule import (
    MYSQL_FAMILY,
    POSTGRES,
    STRING_KINDS,
    Draft,
    Level,
    LintContext,
    Rule,
    Statement,
    TypeChange,
    column_offset,
    old_type_sql,
    type_changes,
)
from dbarchitect.model.names import EngineName
from dbarchitect.model.types import TypeKind

#: Engines whose in-place VARCHAR widening stops at the 1-byte length prefix (255 bytes); MariaDB
#: 10.11 was measured widening 20 -> 300 characters INSTANT.
_PREFIX_BOUNDARY_COPIES = frozenset({EngineName.MYSQL})
#: utf8mb4, the default character set, needs up to 4 bytes a character.
_MAX_BYTES_PER_CHAR = 4
#: Engines where varchar -> text is a table copy (MariaDB measured; MySQL documents a copy).
_TEXT_COPIES = MYSQL_FAMILY


class VarcharLengthChange(Rule):
    id = "varchar-length-change"
    engines = POSTGRES | MYSQL_FAMILY
    summary = "Narrowing a varchar (or a change the engine cannot do in place) rewrites and may fail."

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        for change in type_changes(statement, context):
            new = change.new
            if new is None or new.kind not in STRING_KINDS or context.is_new(change.table):
                continue
            if change.old is not None and change.old.kind not in STRING_KINDS:
                continue
            problem = self._problem(change, context)
            if problem is None:
                continue
            text, level = problem
            yield Draft(text, level=level, offset=column_offset(statement, change.column))

    def _problem(self, change: TypeChange, context: LintContext) -> tuple[str, Level | None] | None:
        old, new = change.old, change.new
        assert new is not None
        where = f"`{change.table}.{change.column}`"
        size = context.size_note(change.table)
        mysql_like = context.engine in MYSQL_FAMILY
        lock = "with ALGORITHM=COPY, blocking writes" if mysql_like else "under an ACCESS EXCLUSIVE lock"
        if old is None:
            if new.kind == TypeKind.TEXT and not mysql_like:
                return None  # changing-column-type judges text targets of an unknown column
            bound = f"CHECK (char_length({change.column}) <= {new.length}) NOT VALID" if new.length else None
            instead = f"enforce the limit with {bound}, then VALIDATE it" if bound else "keep the type"
            return (
                f"Changing {where} to {change.new_sql} with nothing to prove it safe (no catalog, and the "
                f"column's type is not declared earlier in this file): if the column is not already a "
                f"string type at most that long, this rewrites `{change.table}` {lock} ({size}) and fails "
                f"(or truncates) on longer values; pass the current schema (--brief), or {instead}.",
                None,
            )
        if old == new:
            return None
        if old.kind == TypeKind.CHAR or new.kind == TypeKind.CHAR:
            return (
                f"Changing {where} from {old_type_sql(change, context)} to {change.new_sql} rewrites "
                f"`{change.table}` {lock} ({size}); add a new column and backfill it in batches instead.",
                None,
            )
        if new.kind == TypeKind.VARCHAR and new.length is not None:
            if old.length is None or (old.kind == TypeKind.TEXT):
                return (
                    f"Changing {where} from {old_type_sql(change, context)} to {change.new_sql} bounds "
                    "it: this rewrites "
                    f"`{change.table}` {lock} ({size}) and fails on longer values; enforce the limit with "
                    f"CHECK (char_length({change.column}) <= {new.length}) NOT VALID and VALIDATE instead.",
                    None,
                )
            if new.length < old.length:
                return (
                    f"Narrowing {where} from {old_type_sql(change, context)} to {change.new_sql} "
                    f"rewrites `{change.table}` "
                    f"{lock} ({size}) and fails (or truncates) on longer values; enforce the limit with a "
                    "CHECK constraint added NOT VALID and validated, or keep the length.",
                    None,
                )
            if context.engine in _PREFIX_BOUNDARY_COPIES and (
                old.length * _MAX_BYTES_PER_CHAR < 256 <= new.length * _MAX_BYTES_PER_CHAR
            ):
                return (
                    f"Widening {where} from {old_type_sql(change, context)} to {change.new_sql} crosses "
                    "255 bytes (utf8mb4), "
                    f"so the length prefix grows and {context.traits} copies `{change.table}` {lock} "
                    f"({size}); stay under the boundary or run it through an online schema change tool.",
                    None,
                )
            return None
        if new.kind == TypeKind.TEXT and context.engine in _TEXT_COPIES and old.kind == TypeKind.VARCHAR:
            return (
                f"Changing {where} from {old_type_sql(change, context)} to text copies `{change.table}` "
                f"on {context.traits} "
                f"{lock} ({size}); widen the varchar instead (in place), or use an online schema change "
                "tool.",
                None,
            )
        return None
