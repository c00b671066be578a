"""integer-key-overflow: an integer key that runs out within the brief's horizon.

Problem: a ``smallint``/``integer`` identity or single-column primary key stops accepting inserts when
its sequence passes the type's maximum (32,767 / 2,147,483,647). Its values are at least the number
of rows ever inserted, so from the brief's rows now and growth per day the rule computes the day
(and year) the key runs out; within the horizon it is a finding. Widening later rewrites the table
and every referencing foreign key under a lock. A key without a growth figure is not judged (nothing
is guessed). The type judged is the design's logical type: SQLite's rowid is always 64-bit, but a
design meant for PostgreSQL or MySQL/MariaDB is not.

Bad (2,000,000,000 rows now, 1,000,000 a day, horizon 3 years)::

    CREATE TABLE events (id integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);

Good::

    CREATE TABLE events (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, payload jsonb);

Fix: declare the key (and the foreign keys referencing it) bigint now, while the table is empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.catalog import Column, Table
from dbarchitect.model.types import INTEGER_MAX, LogicalType, TypeKind

_NARROW = (TypeKind.SMALLINT, TypeKind.INTEGER)


def _key_columns(table: Table) -> list[Column]:
    keys: list[Column] = [c for c in table.columns if c.identity]
    if table.primary_key is not None and len(table.primary_key.columns) == 1:
        pk = table.column(table.primary_key.columns[0])
        if pk is not None and pk not in keys:
            keys.append(pk)
    return [c for c in keys if c.type.kind in _NARROW]


class IntegerKeyOverflow(DesignRule):
    id = "integer-key-overflow"
    category = Category.INTEGRITY
    summary = "An integer key runs out of values within the brief's horizon at the stated growth."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        horizon = context.horizon_days
        bigint = context.traits.type_sql(LogicalType(TypeKind.BIGINT))
        for table in context.catalog.tables:
            stats = table.stats
            if stats is None or not stats.growth_rows_per_day or stats.growth_rows_per_day <= 0:
                continue
            rows = stats.rows or 0.0
            growth = stats.growth_rows_per_day
            for column in _key_columns(table):
                limit = INTEGER_MAX[column.type.kind]
                days = max(0.0, (limit - rows) / growth)
                if days > horizon:
                    continue
                year = (context.today + timedelta(days=days)).year
                referencing = sorted(
                    f"{t.name}.{fk.columns[0]}"
                    for t in context.catalog.tables
                    for fk in t.foreign_keys
                    if fk.ref_table.key == table.name.key and len(fk.columns) == 1
                )
                also = f" and {', '.join(referencing)}" if referencing else ""
                yield DesignDraft(
                    f"`{table.name}.{column.name}` is {column.type.kind.value} (at most {limit:,}): from "
                    f"{rows:,.0f} rows now at {growth:,.0f} new rows a day its values run out in about "
                    f"{days:,.0f} days (in {year}), within the brief's {horizon / 365:.1f}-year horizon.",
                    hint=f"declare `{column.name}`{also} {bigint} now; widening later rewrites the table "
                    "and every referencing key under a lock",
                    table=table.name.value,
                    column=column.name.value,
                )
