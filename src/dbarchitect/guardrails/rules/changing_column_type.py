"""changing-column-type: most column type changes rewrite the table under an ACCESS EXCLUSIVE lock.

Problem: on PostgreSQL ``ALTER COLUMN ... TYPE`` rewrites the table and every index on it while holding
ACCESS EXCLUSIVE (reads and writes wait for the whole copy) unless the change is binary compatible.
Measured on 15.18: ``int -> bigint``, ``numeric(10,2) -> numeric(12,3)`` rewrite;
``numeric(10,2) -> numeric(12,2)`` does not; ``timestamp -> timestamptz`` does not only when the
session ``TimeZone`` is UTC (PostgreSQL 12+). String length changes are ``varchar-length-change``'s
case (a change to ``text`` or with ``USING`` of a column the catalog does not know is reported here as
a warning); on MySQL and MariaDB a type change copies the table (``mysql-algorithm-copy``).

Bad (PostgreSQL)::

    ALTER TABLE orders ALTER COLUMN id TYPE bigint;

Good: expand and contract — add ``id_new bigint``, keep it in step with a trigger, backfill in batches,
build indexes concurrently, then swap the names in one short transaction and drop the old column.

Without a catalog the old type is unknown and any type change other than to a string type is
reported. Tables created earlier in the same file are exempt.

Fix: none automatic (the expand/backfill/contract plan is ``dbarch migrate``'s job).
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.rule import (
    POSTGRES,
    STRING_KINDS,
    Draft,
    LintContext,
    Rule,
    Statement,
    TypeChange,
    column_offset,
    old_type_sql,
    type_changes,
)
from dbarchitect.model.types import TypeKind


class ChangingColumnType(Rule):
    id = "changing-column-type"
    engines = POSTGRES
    summary = (
        "ALTER COLUMN ... TYPE rewrites the table under an ACCESS EXCLUSIVE lock unless binary compatible."
    )

    def check(self, statement: Statement, context: LintContext) -> Iterator[Draft]:
        for change in type_changes(statement, context):
            if context.is_new(change.table) or _string_change(change) or _free(change, context):
                continue
            was = f" from {old_type_sql(change, context)}" if change.old is not None else ""
            hint = None
            if change.old is not None and change.new is not None and _to_timestamptz(change):
                hint = (
                    "on PostgreSQL 12+ this change does not rewrite when the session's TimeZone is UTC: "
                    "SET TimeZone = 'UTC' before it"
                )
            size = context.size_note(change.table)
            if change.old is None and change.new is not None and change.new.kind in STRING_KINDS:
                yield Draft(
                    f"Changing `{change.table}.{change.column}` to {change.new_sql} with nothing to prove it "
                    "safe (no catalog, and the column's type is not declared earlier in this file): unless "
                    "the column is already a string type, this rewrites "
                    f"`{change.table}` and its indexes under an ACCESS EXCLUSIVE lock ({size}); pass the "
                    "current schema (--brief), or add a new column and backfill it in batches.",
                    offset=column_offset(statement, change.column),
                )
                continue
            yield Draft(
                f"Changing `{change.table}.{change.column}`{was} to {change.new_sql} rewrites "
                f"`{change.table}` "
                f"and its indexes under an ACCESS EXCLUSIVE lock ({size}), blocking reads and writes for the "
                "whole copy; add a new column, backfill it in batches, then swap names in one short "
                "transaction and drop the old one.",
                hint=hint,
                offset=column_offset(statement, change.column),
            )


def _string_change(change: TypeChange) -> bool:
    """String-to-string changes, and bounded string targets of an unknown column without a USING
    conversion, are ``varchar-length-change``'s to judge."""
    new = change.new
    if new is None or new.kind not in STRING_KINDS:
        return False
    if change.old is not None:
        return change.old.kind in STRING_KINDS
    return new.kind != TypeKind.TEXT and not change.action.args.get("using")


def _free(change: TypeChange, context: LintContext) -> bool:
    """Changes measured not to rewrite on PostgreSQL."""
    old, new = change.old, change.new
    if old is None or new is None:
        return False
    if old == new:
        return True
    if old.kind == new.kind == TypeKind.DECIMAL:
        widening = (new.precision is None) or (
            old.precision is not None and new.precision >= old.precision and new.scale == old.scale
        )
        return widening
    if _to_timestamptz(change):
        zone = context.settings.get("timezone") or context.settings.get("time zone")
        return context.traits.supports_version((12,)) and zone in ("utc", "etc/utc")
    return False


def _to_timestamptz(change: TypeChange) -> bool:
    old, new = change.old, change.new
    return (
        old is not None
        and new is not None
        and (old.kind, new.kind) == (TypeKind.TIMESTAMP, TypeKind.TIMESTAMPTZ)
    )
