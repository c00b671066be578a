"""cascade-across-aggregates: ON DELETE CASCADE stays inside one aggregate.

Problem: ``ON DELETE CASCADE`` from a parent to the rows it owns (an order and its lines) is one
aggregate deleted as a unit. When the cascaded table is itself referenced by other tables, one
delete reaches further: with cascades all the way it silently deletes rows of other aggregates
(a customer's delete removing invoices through orders), and with plain references it fails half-way
under locks on every table of the chain. Deep chains also make a delete's cost and lock set
unpredictable.

Bad::

    CREATE TABLE orders (id bigint PRIMARY KEY,
                         customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE CASCADE);
    CREATE TABLE invoices (id bigint PRIMARY KEY,
                           order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE);

Good::

    CREATE TABLE orders (id bigint PRIMARY KEY,
                         customer_id bigint NOT NULL REFERENCES customers (id) ON DELETE RESTRICT);
    CREATE TABLE invoices (id bigint PRIMARY KEY,
                           order_id bigint NOT NULL REFERENCES orders (id) ON DELETE CASCADE);

Fix: cascade only from an aggregate's root to rows nobody else references; delete across aggregates
explicitly (or soft-delete) in the application, in an order you choose.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.catalog import ReferentialAction


class CascadeAcrossAggregates(DesignRule):
    id = "cascade-across-aggregates"
    category = Category.INTEGRITY
    summary = "ON DELETE CASCADE reaches a table other tables reference: one delete crosses aggregates."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        tables = context.catalog.tables
        for child in tables:
            for fk in child.foreign_keys:
                if fk.on_delete != ReferentialAction.CASCADE or fk.ref_table.key == child.name.key:
                    continue
                referrers = [
                    (other, ofk)
                    for other in tables
                    for ofk in other.foreign_keys
                    if ofk.ref_table.key == child.name.key and other.name.key != child.name.key
                ]
                if not referrers:
                    continue
                cascading = [
                    o.name.value for o, ofk in referrers if ofk.on_delete == ReferentialAction.CASCADE
                ]
                blocking = [
                    o.name.value for o, ofk in referrers if ofk.on_delete != ReferentialAction.CASCADE
                ]
                parts = []
                if cascading:
                    parts.append(
                        f"cascades on into {', '.join(f'`{n}`' for n in sorted(set(cascading)))} "
                        "(a chain deeper than one level deletes rows of other aggregates)"
                    )
                if blocking:
                    parts.append(
                        f"is referenced by {', '.join(f'`{n}`' for n in sorted(set(blocking)))} "
                        "(the delete fails half-way, holding locks on the whole chain)"
                    )
                cols = ", ".join(c.value for c in fk.columns)
                yield DesignDraft(
                    f"Deleting a `{fk.ref_table}` row cascades into `{child.name}` ({cols}), which "
                    + " and ".join(parts)
                    + ".",
                    hint=f"cascade only inside one aggregate: make `{child.name}` ({cols}) ON DELETE "
                    "RESTRICT and delete across aggregates explicitly, or stop the chain below it",
                    table=child.name.value,
                )
