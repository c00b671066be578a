"""Column generators: values drawn following a column's statistics."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from dbarchitect.model.catalog import Column
from dbarchitect.model.types import TypeKind
from dbarchitect.verify.synthetic.checks import Checks, fit_pattern
from dbarchitect.verify.synthetic.native_values import native_maker
from dbarchitect.verify.synthetic.values import (
    briefed_bounds,
    domain_size,
    make_value,
    named_value,
    parse_value,
    scaled_distinct,
    spacing,
    value_maker,
)

# ---------------------------------------------------------------------------------------------
# Column generators


class ColumnGen:
    """Draws values of one column following its statistics."""

    def __init__(
        self,
        column: Column,
        rows: int,
        scale: float,
        checks: Checks,
        *,
        unique: bool,
        sequence: bool = False,
        parent_keys: list[Any] | None = None,
        named: Sequence[str] = (),
        rng: random.Random,
    ) -> None:
        self.column = column
        self.rows = rows
        self.unique = unique
        #: numbered per combination of the key's other columns (``line_no``)
        self.sequence = sequence
        key = column.name.key
        #: a LIKE pattern a check requires of a text column: made values are shaped to match it
        textual = column.type.kind in (TypeKind.CHAR, TypeKind.VARCHAR, TypeKind.TEXT)
        self.pattern = checks.patterns.get(key) if textual else None
        self.limit = column.type.length if column.type.kind != TypeKind.TEXT else None
        stats = column.stats
        self.lo = checks.lower.get(key, 1 if column.type.is_integer else 0)
        hi = checks.upper.get(key)
        low, high = briefed_bounds(column)
        if column.type.is_integer or column.type.kind == TypeKind.DECIMAL:
            # a briefed range where no check gives one (checks are the law, statistics a description)
            if low is not None and key not in checks.lower:
                self.lo = math.ceil(low)
            if high is not None and hi is None and column.type.is_integer:
                hi = math.floor(high)
        self.null_fraction = (stats.null_fraction or 0.0) if stats is not None and column.nullable else 0.0
        self.fixed: list[Any] | None = None  # the universe, when it is listed (enum, IN, FK keys)
        allowed = checks.allowed.get(key)
        if parent_keys is not None:
            self.fixed = parent_keys
        elif allowed is not None:
            self.fixed = [parse_value(column, v) for v in allowed]
        elif column.type.kind == TypeKind.ENUM and column.type.values:
            self.fixed = list(column.type.values)
        elif column.type.kind == TypeKind.BOOLEAN:
            self.fixed = [False, True]
        elif column.type.kind == TypeKind.NATIVE and native_maker(column.type) is None:
            self.fixed = [None]  # no generator for this type: NULL (the table refuses a NOT NULL one)
        limit = len(self.fixed) if self.fixed is not None else domain_size(column, self.lo, hi)
        if stats is not None and stats.distinct is not None and not unique:
            distinct = scaled_distinct(stats.distinct, scale, rows)
        else:
            distinct = rows
        if limit is not None:
            distinct = min(distinct, limit)
        self.distinct = max(1, distinct)
        hot = [] if unique or stats is None else list(stats.most_common)
        self.hot: list[tuple[Any, float]] = []
        for text, freq in hot:
            value = self._hot_value(text)
            if value is not None:
                self.hot.append((value, freq))
        total_hot = sum(f for _, f in self.hot)
        room = max(0.0, 1.0 - self.null_fraction)
        if total_hot > room and total_hot > 0:
            self.hot = [(v, f * room / total_hot) for v, f in self.hot]
            total_hot = room
        self.hot_cumulative: list[float] = []
        acc = self.null_fraction
        for _, f in self.hot:
            acc += f
            self.hot_cumulative.append(acc)
        hot_values = {v for v, _ in self.hot}
        self.rest_size = max(0, self.distinct - len(self.hot))
        self.step, self.origin = spacing(column, self.rest_size, low, high)
        #: values the workload names (``= 'Brand#23'``) that are not hot: ordinary values of the column
        self.named: list[Any] = []
        if not unique and not sequence:
            for text in named:
                value = named_value(column, text)
                if value is not None and value not in hot_values and value not in self.named:
                    self.named.append(value)
        self.rest: list[Any] | None = None
        if self.fixed is not None:
            order = list(self.fixed)
            if parent_keys is not None:
                rng.shuffle(order)
            first = [v for v in order if v in self.named]  # named members of the universe are kept
            order = first + [v for v in order if v not in first]
            self.rest = [v for v in order if v not in hot_values][: self.rest_size]
            self.rest_size = len(self.rest)
            self.named = []
        elif hot_values and self.rest_size <= 200_000:
            # list the other values, skipping the hot ones (a small domain must not lose a value to them)
            rest: list[Any] = self.named[: self.rest_size]
            k = 0
            while len(rest) < self.rest_size and (limit is None or k < limit):
                value = self._fit(make_value(column, k, self.lo, self.step, self.origin))
                if value not in hot_values and value not in self.named:
                    rest.append(value)
                k += 1
            self.rest = rest
            self.rest_size = len(rest)
            self.named = []
        elif column.type.is_integer:
            # an integer from lo upwards is made anyway
            self.named = [v for v in self.named if not self.lo <= v < self.lo + self.rest_size]
        self.named = self.named[: self.rest_size]
        if self.rest_size == 0 and not self.hot:
            self.rest_size = 1 if self.rest is None else 0
        self.correlated = stats is not None and stats.correlation is not None and stats.correlation >= 0.5
        # a bijection on [0, rest_size): each value once before repeats, in scrambled order
        n = max(self.rest_size, 1)
        step = 7919 if n > 7919 else 1
        while math.gcd(step, n) != 1:
            step += 1
        self.stride, self.offset = step, rng.randrange(n)
        self.used = 0
        made = value_maker(column, self.lo, self.step, self.origin)
        self.maker = made if self.pattern is None else lambda k: self._fit(made(k))
        self.randomized = bool(self.null_fraction or self.hot)
        self.hot_pairs = [
            (value, bound) for (value, _), bound in zip(self.hot, self.hot_cumulative, strict=True)
        ]

    def _fit(self, value: Any) -> Any:
        if self.pattern is None or value is None:
            return value
        return fit_pattern(self.pattern, str(value), self.limit)

    def _hot_value(self, text: str) -> Any:
        value = parse_value(self.column, text)
        if self.fixed is not None:
            for v in self.fixed:
                if v == value or str(v) == text:
                    return v
            return None
        return value

    def value_at(self, k: int) -> Any:
        if self.rest is not None:
            return self.rest[k] if self.rest else None
        if k < len(self.named):
            return self.named[k]
        return self.maker(k)

    def draw(self, i: int, rng: random.Random) -> Any:
        """The value for row ``i`` (0-based)."""
        if self.unique:
            if self.rest is None:
                return self.maker(i)
            return self.rest[i % len(self.rest)] if self.rest else None
        if self.randomized:
            u = rng.random()
            if u < self.null_fraction:
                return None
            for value, bound in self.hot_pairs:
                if u < bound:
                    return value
        if self.rest_size == 0:
            return self.hot[-1][0] if self.hot else None
        if self.correlated:
            # in row order; a fresh row (past the loaded ones) continues past the newest value
            k = i * self.rest_size // max(self.rows, 1)
            if self.rest is not None:
                k = min(self.rest_size - 1, k)
        elif self.used < self.rest_size:
            k = (self.offset + self.used * self.stride) % self.rest_size
            self.used += 1
        else:
            k = rng.randrange(self.rest_size)
        return self.value_at(k)

    def sample(self, rng: random.Random) -> Any:
        """A value drawn from the column's distribution (for workload parameters)."""
        if self.unique:
            # an empty table's key: any value of the column (it finds nothing, as it would there)
            return self.draw(rng.randrange(self.rows) if self.rows else 0, rng)
        u = rng.random()
        if u < self.null_fraction:
            u = self.null_fraction + (1 - self.null_fraction) * rng.random()
        for (value, _), bound in zip(self.hot, self.hot_cumulative, strict=True):
            if u < bound:
                return value
        if self.rest_size == 0:
            return self.hot[-1][0] if self.hot else None
        return self.value_at(rng.randrange(self.rest_size))
