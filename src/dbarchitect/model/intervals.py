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


#: A bound relative to the time a statement runs, as folded text: ``now-604800s`` is "a week ago"
#: (``now() - interval '7 days'``). Estimates place it only where they know where "now" falls among a
#: column's values (see advisors/range_selectivity.py).
_RELATIVE = "now"


def relative_text(seconds: float) -> str:
    """The folded text of "now" moved by ``seconds`` (negative: in the past)."""
    number = f"{seconds:+.3f}".rstrip("0").rstrip(".")
    return f"{_RELATIVE}{'+0' if number in ('+', '-') else number}s"


def _whole_or_two(size: float, length: float) -> bool:
    return (size >= length and (size / length).is_integer()) or size >= length * 2


def describe_relative(seconds: float) -> str:
    """``now() - 7 days`` for -604800: a relative bound in words."""
    if seconds == 0:
        return "now()"
    size = abs(seconds)
    unit, length = next(
        ((u, n) for u, n in (("day", 86400.0), ("hour", 3600.0), ("minute", 60.0)) if _whole_or_two(size, n)),
        ("second", 1.0),
    )
    amount = f"{size / length:,.6g}"
    plural = "" if amount == "1" else "s"
    return f"now() {'-' if seconds < 0 else '+'} {amount} {unit}{plural}"


def relative_seconds(text: str | None) -> float | None:
    """Seconds from now of a :func:`relative_text`, or None when ``text`` is not one."""
    if not text or not text.startswith(_RELATIVE) or not text.endswith("s"):
        return None
    try:
        return float(text[len(_RELATIVE) : -1])
    except ValueError:
        return None
