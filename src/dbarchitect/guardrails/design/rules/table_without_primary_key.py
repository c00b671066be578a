"""table-without-primary-key: every table needs a primary key.

Problem: without a primary key a row cannot be addressed on its own: an UPDATE or DELETE of "this
row" may hit its duplicates, logical replication and change-data-capture need a replica identity
(PostgreSQL refuses UPDATE and DELETE on a published table without one), MySQL/InnoDB adds a hidden
6-byte row id that no query can use, and ORMs cannot track the rows.

Bad::

    CREATE TABLE audit_log (happened_at timestamptz NOT NULL, actor text, action text);

Good::

    CREATE TABLE audit_log (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
                            happened_at timestamptz NOT NULL, actor text, action text);

Fix: add a surrogate key (a bigint identity), or promote a unique key whose columns are NOT NULL.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.types import LogicalType, TypeKind

_BIGINT = LogicalType(TypeKind.BIGINT)


class TableWithoutPrimaryKey(DesignRule):
    id = "table-without-primary-key"
    category = Category.INTEGRITY
    summary = "A table without a primary key cannot address, replicate or deduplicate its rows."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        for table in context.catalog.tables:
            if table.primary_key is not None:
                continue
            candidates = [
                u.columns
                for u in table.uniques
                if all((c := table.column(n)) is not None and not c.nullable for n in u.columns)
            ]
            if candidates:
                cols = ", ".join(c.value for c in candidates[0])
                hint = f"promote the unique NOT NULL key ({cols}) to the primary key"
            else:
                hint = (
                    f"add a surrogate key, e.g. id {context.traits.type_sql(_BIGINT)} identity, "
                    "or declare the columns that identify a row as the primary key"
                )
            yield DesignDraft(
                f"Table `{table.name}` has no primary key: a single row cannot be updated or deleted "
                "safely, duplicates go unnoticed, and replication or change-data-capture has no row "
                "identity.",
                hint=hint,
                table=table.name.value,
            )
