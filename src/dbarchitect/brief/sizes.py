"""The brief's ``tables:`` section: rows now, growth, retention and column statistics."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import Field, WithJsonSchema, field_validator, model_validator

from dbarchitect.brief.base import BriefModel
from dbarchitect.brief.units import NUMBER, RATE_JSON, ROWS_JSON, Days, parse_rate, to_number, unit_string

# ---------------------------------------------------------------------------------------------
# Sizes and statistics


class ColumnStatsSpec(BriefModel):
    distinct: float | None = Field(default=None, ge=0, description="number of distinct values")
    null_fraction: float | None = Field(default=None, ge=0, le=1)
    avg_width: float | None = Field(default=None, gt=0, le=1e9, description="average bytes per value")
    hot_values: dict[str, float] = Field(default_factory=dict, description="value -> frequency (0..1)")
    correlation: float | None = Field(default=None, ge=-1, le=1)
    min: str | int | float | None = Field(
        default=None, description="smallest value now (e.g. the oldest timestamp kept: '2025-09-03')"
    )
    max: str | int | float | None = Field(
        default=None, description="largest value now (e.g. the newest timestamp: '2025-12-01 00:00:00+00')"
    )

    @field_validator("min", "max", mode="before")
    @classmethod
    def _bound_text(cls, value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError("a bound is a number or a value's text, e.g. '2025-09-03'")
        if isinstance(value, datetime | date):
            return value.isoformat(sep=" ") if isinstance(value, datetime) else value.isoformat()
        return value

    @model_validator(mode="after")
    def _ordered_bounds(self) -> ColumnStatsSpec:
        numbers = (int, float)
        if isinstance(self.min, numbers) and isinstance(self.max, numbers) and self.min > self.max:
            raise ValueError(f"min {self.min:g} is above max {self.max:g}")
        if isinstance(self.min, str) and isinstance(self.max, str):
            try:
                low, high = datetime.fromisoformat(self.min), datetime.fromisoformat(self.max)
            except ValueError:
                return self
            if (low.tzinfo is None) == (high.tzinfo is None) and low > high:
                raise ValueError(f"min {self.min} is after max {self.max}")
        return self

    @field_validator("hot_values")
    @classmethod
    def _frequencies(cls, value: dict[str, float]) -> dict[str, float]:
        for k, f in value.items():
            if not 0 <= f <= 1:
                raise ValueError(f"frequency of hot value {k!r} must be between 0 and 1, got {f}")
        if sum(value.values()) > 1.0000001:
            raise ValueError("hot value frequencies add up to more than 1")
        return value


class Growth(BriefModel):
    json_shorthands = (
        {"type": "number", "minimum": 0, "description": "rows per day"},
        unit_string(r"%\s*(?:/|per)\s*month", "3%/month"),
        RATE_JSON["anyOf"][1],
    )

    rows_per_day: float | None = Field(default=None, ge=0, le=1e12)
    percent_per_month: float | None = Field(default=None, ge=-100, le=1000)

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: Any) -> Any:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return {"rows_per_day": value}
        if isinstance(value, str):
            text = value.strip()
            m = re.fullmatch(NUMBER + r"\s*%\s*(?:/|per)\s*month", text)
            if m:
                return {"percent_per_month": to_number(m["num"])}
            return {"rows_per_day": parse_rate(text) * 86400.0}
        return value

    @model_validator(mode="after")
    def _one(self) -> Growth:
        if (self.rows_per_day is None) == (self.percent_per_month is None):
            raise ValueError("growth is either rows per day ('20000/day') or a percentage ('3%/month')")
        return self

    def rows_per_day_at(self, rows: float) -> float:
        """Rows added per day, given the current row count."""
        if self.rows_per_day is not None:
            return self.rows_per_day
        return rows * (self.percent_per_month or 0.0) / 100.0 / 30.0


class TableSizeSpec(BriefModel):
    rows: Annotated[float, WithJsonSchema(ROWS_JSON)] = Field(ge=0, le=1e13, description="rows now")
    growth: Growth | None = None
    retention: Days | None = Field(default=None, description="how long rows are kept")
    columns: dict[str, ColumnStatsSpec] = Field(default_factory=dict)

    @field_validator("rows", mode="before")
    @classmethod
    def _rows(cls, value: Any) -> Any:
        if isinstance(value, str):
            m = re.fullmatch(NUMBER + r"\s*(?P<unit>[kKmMbB]?)", value.strip())
            if not m:
                raise ValueError(f"cannot read row count {value!r}; write e.g. 5000000, 5M or 200k")
            mult = {"": 1, "k": 1e3, "m": 1e6, "b": 1e9}[m["unit"].lower()]
            return to_number(m["num"]) * mult
        return value
