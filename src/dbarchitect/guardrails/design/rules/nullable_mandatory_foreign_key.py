"""nullable-mandatory-foreign-key: a mandatory relationship's foreign key must be NOT NULL.

Problem: when every child must have a parent (an order always belongs to a customer), a nullable
foreign key lets a row without its parent be written: the foreign key checks only non-null values.
The rule only speaks when the brief says the relationship is mandatory; nothing is guessed from
names. A brief says so with an entity relationship that is not optional (``mandatory: true``, the
default; N:1 and 1:1 put the foreign key on the declaring entity, 1:N on the other one), or with the
column's statistics (``null_fraction: 0`` under ``tables:``: the column never holds NULL).

Bad::

    CREATE TABLE orders (id bigint PRIMARY KEY, customer_id bigint REFERENCES customers (id));
    -- brief: tables: {orders: {columns: {customer_id: {null_fraction: 0}}}}

Good::

    CREATE TABLE orders (id bigint PRIMARY KEY,
                         customer_id bigint NOT NULL REFERENCES customers (id));

Fix: declare the foreign key's columns NOT NULL.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.catalog import Column, ForeignKey, Table


def _mandatory_pairs(context: DesignContext) -> set[tuple[str, str]]:
    """(child table, parent table) keys of relationships the brief's entities declare mandatory."""
    pairs: set[tuple[str, str]] = set()
    for name, entity in (context.brief.schema_.entities or {}).items():
        for rel in entity.relationships:
            if rel.optional or rel.cardinality == "M:N":
                continue
            if rel.cardinality == "1:N":
                pairs.add((rel.to.lower(), name.lower()))
            else:
                pairs.add((name.lower(), rel.to.lower()))
    return pairs


def _why(table: Table, fk: ForeignKey, column: Column, pairs: set[tuple[str, str]]) -> str | None:
    if (table.name.key, fk.ref_table.key) in pairs:
        return f"the brief's relationship {table.name} -> {fk.ref_table} is mandatory"
    if column.stats is not None and column.stats.null_fraction == 0:
        return "the brief says it is never NULL (null_fraction: 0)"
    return None


class NullableMandatoryForeignKey(DesignRule):
    id = "nullable-mandatory-foreign-key"
    category = Category.INTEGRITY
    summary = "A foreign key the brief says is mandatory is nullable: orphans can be written."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        pairs = _mandatory_pairs(context)
        for table in context.catalog.tables:
            for fk in table.foreign_keys:
                for name in fk.columns:
                    column = table.column(name)
                    if column is None or not column.nullable:
                        continue
                    why = _why(table, fk, column, pairs)
                    if why is None:
                        continue
                    yield DesignDraft(
                        f"`{table.name}.{column.name}` references `{fk.ref_table}` and {why}, yet the "
                        "column is nullable: a row without its mandatory parent can be written, and the "
                        "foreign key does not check NULLs.",
                        hint=f"declare `{column.name}` NOT NULL",
                        table=table.name.value,
                        column=column.name.value,
                    )
