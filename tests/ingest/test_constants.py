"""Constant expressions a column is compared with, folded to a literal's text (ingest/constants.py)."""

from __future__ import annotations

import pytest
import sqlglot

from dbarchitect.ingest.constants import folded_text


@pytest.mark.parametrize(
    ("sql", "dialect", "expected"),
    [
        ("date '1994-01-01' + interval '1' year", "postgres", "1995-01-01"),
        ("date '1998-12-01' - interval '90' day", "postgres", "1998-09-02"),
        ("date '1995-01-01' + interval '3' month", "postgres", "1995-04-01"),
        ("date '2024-01-31' + interval '1 month'", "postgres", "2024-02-29"),  # clamped, as PostgreSQL does
        ("interval '2 days' + date '2020-01-01'", "postgres", "2020-01-03"),
        ("timestamp '2025-12-03 10:00:00' - interval '1 hour'", "postgres", "2025-12-03 09:00:00"),
        ("date '2020-01-01' + interval '6 hours'", "postgres", "2020-01-01 06:00:00"),
        ("DATE_ADD('1994-01-01', INTERVAL 1 YEAR)", "mysql", "1995-01-01"),
        ("DATE_SUB('1994-01-01', INTERVAL 2 WEEK)", "mysql", "1993-12-18"),
        ("0.06 - 0.01", "postgres", "0.05"),
        ("(2 + 3) * 4", "postgres", "20"),
        ("-(1.5)", "postgres", "-1.5"),
        # the time the statement runs, moved: a bound relative to now (months 30.44 days, years 365.25)
        ("now() - interval '1 hour'", "postgres", "now-3600s"),
        ("CURRENT_TIMESTAMP - INTERVAL '7 days'", "postgres", "now-604800s"),
        ("now() - '7 days'::interval", "postgres", "now-604800s"),
        ("now() - interval '1 day 2 hours'", "postgres", "now-93600s"),
        ("now() AT TIME ZONE 'utc' - interval '30 min'", "postgres", "now-1800s"),
        ("localtimestamp - interval '2 hours'", "postgres", "now-7200s"),
        ("current_date - 7", "postgres", "now-604800s"),  # a date minus days
        ("current_date - interval '1 month'", "postgres", "now-2630016s"),
        ("interval '1 year' + now()", "postgres", "now+31557600s"),
        ("now()", "postgres", "now+0s"),
        ("NOW() - INTERVAL 7 DAY", "mysql", "now-604800s"),
        ("DATE_SUB(NOW(), INTERVAL 2 HOUR)", "mysql", "now-7200s"),
        ("UTC_TIMESTAMP() - INTERVAL 15 MINUTE", "mysql", "now-900s"),
        ("CURDATE() - INTERVAL 1 DAY", "mysql", "now-86400s"),
        ("datetime('now', '-7 days')", "sqlite", "now-604800s"),
        ("datetime('now', '-1 day', '-12 hours')", "sqlite", "now-129600s"),
        # not folded: a literal is a literal already, 1/0 has no value at all; neither has the time
        # of day, an interval times a number, a modifier that is not a span, or now() of a column
        ("42", "postgres", None),
        ("CURRENT_TIME", "postgres", None),
        ("now() - interval '1 week' * 2", "postgres", None),
        ("datetime('now', 'start of month')", "sqlite", None),
        ("now() - interval '1 fortnight'", "postgres", None),
        ("1 / 0", "postgres", None),
        ("date '1994-01-01' + interval '1.5' month", "postgres", None),
    ],
)
def test_folded(sql: str, dialect: str, expected: str | None) -> None:
    node = sqlglot.parse_one(f"SELECT {sql}", read=dialect).expressions[0]
    assert folded_text(node) == expected
