"""Rows and bytes at the horizon from growth and retention."""

from __future__ import annotations

import pytest

from dbarchitect.advisors.sizing import rows_at
from dbarchitect.model.catalog import Column, Table, TableStats
from dbarchitect.model.names import Name
from dbarchitect.model.types import LogicalType, TypeKind


def table(rows: float | None, growth: float | None = None, retention: float | None = None) -> Table:
    return Table(
        Name("t"),
        (Column(Name("id"), LogicalType(TypeKind.BIGINT)),),
        stats=TableStats(rows=rows, growth_rows_per_day=growth, retention_days=retention),
    )


def test_growth_without_retention_is_linear() -> None:
    assert rows_at(table(1000, 10), 365) == 1000 + 3650


def test_retention_caps_at_steady_state() -> None:
    # 1M rows/day kept 90 days: 90M rows once the retention period has passed.
    assert rows_at(table(10_000_000, 1_000_000, 90), 365) == pytest.approx(90_000_000)
    # Before then it is still filling up.
    assert rows_at(table(10_000_000, 1_000_000, 90), 30) == pytest.approx(40_000_000)


def test_table_already_past_retention_shrinks_to_steady_state() -> None:
    assert rows_at(table(500_000_000, 1_000_000, 90), 365) == pytest.approx(90_000_000)
    assert rows_at(table(500_000_000, 1_000_000, 90), 10) == pytest.approx(500_000_000)


def test_unsized_table_is_zero() -> None:
    assert rows_at(table(None), 100) == 0.0
