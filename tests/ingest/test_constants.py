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
        # not folded: a literal is a literal already, now() has no value at analysis, 1/0 none at all
        ("42", "postgres", None),
        ("now() - interval '1 hour'", "postgres", None),
        ("1 / 0", "postgres", None),
        ("date '1994-01-01' + interval '1.5' month", "postgres", None),
    ],
)
def test_folded(sql: str, dialect: str, expected: str | None) -> None:
    node = sqlglot.parse_one(f"SELECT {sql}", read=dialect).expressions[0]
    assert folded_text(node) == expected
