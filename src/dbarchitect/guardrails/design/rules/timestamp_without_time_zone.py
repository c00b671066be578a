"""timestamp-without-time-zone: store instants with their time zone.

Problem: a ``timestamp`` (without time zone; ``datetime`` on MySQL/MariaDB) stores a wall-clock
reading: instants written by servers or sessions in different zones compare wrong, and around
daylight-saving changes an hour repeats or vanishes. ``timestamptz`` (PostgreSQL) stores the instant
and converts on display; on engines with no zone-aware type the design stores UTC by convention
and says so. The id is shared with the migration rule of the same name, so one ``guardrails:`` key
sets both.

Bad::

    CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamp NOT NULL);

Good::

    CREATE TABLE events (id bigint PRIMARY KEY, created_at timestamptz NOT NULL);

Use a zone-less timestamp only for a deliberately local time (an alarm at 07:00 wherever the user
is) and turn the rule down for that brief.

Fix: declare the column as a timestamp with time zone.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.types import LogicalType, TypeKind


class TimestampWithoutTimeZone(DesignRule):
    id = "timestamp-without-time-zone"
    category = Category.INTEGRITY
    summary = "A timestamp without time zone loses the instant; use a zone-aware timestamp."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        zoned = context.traits.type_sql(LogicalType(TypeKind.TIMESTAMPTZ))
        for table in context.catalog.tables:
            for column in table.columns:
                if column.type.kind != TypeKind.TIMESTAMP:
                    continue
                yield DesignDraft(
                    f"`{table.name}.{column.name}` is a timestamp without time zone, a wall-clock "
                    "reading: instants written from different time zones compare wrong and "
                    "daylight-saving hours repeat or vanish.",
                    hint=f"declare it {zoned}"
                    + (
                        " (this engine has no zone-aware type: store UTC)"
                        if context.traits.timestamptz_as_utc
                        else ""
                    ),
                    table=table.name.value,
                    column=column.name.value,
                )
