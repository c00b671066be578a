"""foreign-key-without-index: index the referencing columns of every foreign key.

Problem: deleting a parent row (or changing its key) makes the engine look for referencing rows;
without an index leading with the foreign key's columns that lookup scans the child table, once per
parent row, while holding locks. Joins from parent to child cannot probe the child either. MySQL and
MariaDB (InnoDB) create such an index implicitly; PostgreSQL and SQLite do not.

Bad::

    CREATE TABLE order_items (id bigint PRIMARY KEY,
                              order_id bigint NOT NULL REFERENCES orders (id));

Good::

    CREATE TABLE order_items (id bigint PRIMARY KEY,
                              order_id bigint NOT NULL REFERENCES orders (id));
    CREATE INDEX order_items_order_id_idx ON order_items (order_id);

An index whose leading columns are the foreign key's columns (in any order), the primary key or a
unique constraint counts.

Fix: create an index on the foreign key's columns.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import (
    Category,
    DesignContext,
    DesignDraft,
    DesignRule,
    covered_by_prefix,
)
from dbarchitect.guardrails.rule import Level


class ForeignKeyWithoutIndex(DesignRule):
    id = "foreign-key-without-index"
    category = Category.INTEGRITY
    summary = "A foreign key without an index on its columns scans the child on every parent delete."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        q = context.traits.quote
        for table in context.catalog.tables:
            for fk in table.foreign_keys:
                if covered_by_prefix(fk.columns, table):
                    continue
                cols = ", ".join(c.value for c in fk.columns)
                rows = ""
                storage = context.storage(table.name.value)
                if storage is not None and not storage.unsized:
                    rows = f" (about {storage.rows_at_horizon:,.0f} rows at the horizon)"
                name = f"{table.name.value}_{'_'.join(c.value for c in fk.columns)}_idx"
                yield DesignDraft(
                    f"Foreign key `{table.name}` ({cols}) -> `{fk.ref_table}` has no index leading with "
                    f"its columns: each delete or key change in `{fk.ref_table}` scans `{table.name}`"
                    f"{rows} to find referencing rows, and joins cannot probe it.",
                    hint=f"CREATE INDEX {q(name[: context.traits.identifier_max_length])} ON "
                    f"{q(table.name)} ({', '.join(q(c) for c in fk.columns)})",
                    table=table.name.value,
                    column=cols if len(fk.columns) == 1 else None,
                )
