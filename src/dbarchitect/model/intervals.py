"""Calendar intervals for range partitions by time: day, week (ISO, from Monday), month, quarter, year.

Partition bounds are aligned to the interval's start in UTC, the same way the maintenance SQL
aligns them (``date_trunc`` on PostgreSQL, ``WEEKDAY``/``DATE_FORMAT`` arithmetic on MySQL and
MariaDB), so partitions made ahead by the maintenance job continue the ones created with the table.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum


class TimeUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"

    @property
    def days(self) -> float:
        """Average length in days (for sizes and counts; bounds use the calendar)."""
        return {"day": 1.0, "week": 7.0, "month": 30.44, "quarter": 91.31, "year": 365.25}[self.value]

    @property
    def months(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}.get(self.value, 0)


def parse_instant(text: str) -> datetime | None:
    """A timestamp or date literal's text (quotes and a trailing ``::type`` cast allowed) as an aware
    UTC datetime; naive values are taken as UTC. None when it is not one."""
    value = text.strip()
    if "::" in value:
        value = value.split("::", 1)[0].strip()
    value = value.strip("'\"").strip()
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def floor_to(instant: datetime, unit: TimeUnit) -> datetime:
    """The start of the interval holding ``instant`` (UTC)."""
    t = instant.astimezone(UTC)
    day = datetime(t.year, t.month, t.day, tzinfo=UTC)
    if unit == TimeUnit.DAY:
        return day
    if unit == TimeUnit.WEEK:
        return day - timedelta(days=day.weekday())
    month = t.month - (t.month - 1) % max(unit.months, 1) if unit != TimeUnit.YEAR else 1
    return datetime(t.year, month, 1, tzinfo=UTC)


def add_units(instant: datetime, unit: TimeUnit, n: int) -> datetime:
    """``instant`` moved by ``n`` intervals (month arithmetic keeps day 1, which aligned starts have)."""
    if unit == TimeUnit.DAY:
        return instant + timedelta(days=n)
    if unit == TimeUnit.WEEK:
        return instant + timedelta(weeks=n)
    months = instant.month - 1 + n * unit.months
    return instant.replace(year=instant.year + months // 12, month=months % 12 + 1)


def as_date(instant: datetime) -> date:
    return instant.astimezone(UTC).date()
