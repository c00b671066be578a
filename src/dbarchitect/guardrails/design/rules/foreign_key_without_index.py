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
unique constraint counts. On an engine that creates the index with the foreign key (InnoDB:
``EngineTraits.foreign_keys_indexed_implicitly``) there is nothing to add, so nothing is said for it:
following the advice there would build a second, duplicate index. A ``portable_to`` engine that does
not (PostgreSQL, SQLite, where the same schema runs without the index) gets the finding, naming it.

Fix: create an index on the foreign key's columns.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.engines.registry import get_traits
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
        engines = [context.traits, *(get_traits(e.name, e.version) for e in context.brief.portable_to)]
        needing = [t for t in engines if not t.foreign_keys_indexed_implicitly]
        if not needing:
            return
        traits = needing[0]
        on = ""
        if traits is not context.traits:
            others = " and ".join(str(t) for t in needing)
            verb = "does" if len(needing) == 1 else "do"
            on = f" on {others}, which {verb} not create one as {context.traits} does"
        q = traits.quote
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
                    f"its columns{on}: each delete or key change in `{fk.ref_table}` scans "
                    f"`{table.name}`{rows} to find referencing rows, and joins cannot probe it.",
                    hint=f"CREATE INDEX {q(name[: traits.identifier_max_length])} ON "
                    f"{q(table.name)} ({', '.join(q(c) for c in fk.columns)})",
                    table=table.name.value,
                    column=cols if len(fk.columns) == 1 else None,
                    engine=str(traits) if on else None,
                )
