"""Storage estimates: rows and bytes per table and index, now and at the brief's horizon.

Rows at the horizon are ``rows + growth × horizon``; with a retention period the table settles at
``growth × retention`` rows (old rows are dropped as fast as new ones arrive), so the horizon figure
is reached once the retention period has passed. Partial indexes are sized as full ones (an upper
bound). Bytes come from
each column's average width (the brief's statistic, or the type's typical width) plus the engine's
per-row and per-index-entry overheads and page fill factor (engine traits, not constants here).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Index, Table


@dataclass(frozen=True)
class IndexSize:
    name: str
    entry_bytes: float
    bytes_now: float
    bytes_at_horizon: float


@dataclass(frozen=True)
class TableSize:
    table: str
    rows_now: float
    rows_at_horizon: float
    row_bytes: float
    data_bytes_now: float
    data_bytes_at_horizon: float
    indexes: tuple[IndexSize, ...]
    #: ``True`` when the brief gave no row count (sizes are then zero, and say so).
    unsized: bool = False

    @property
    def index_bytes_now(self) -> float:
        return sum(i.bytes_now for i in self.indexes)

    @property
    def index_bytes_at_horizon(self) -> float:
        return sum(i.bytes_at_horizon for i in self.indexes)

    @property
    def total_bytes_at_horizon(self) -> float:
        return self.data_bytes_at_horizon + self.index_bytes_at_horizon


def rows_at(table: Table, days: float) -> float:
    """Rows ``days`` from now under the table's growth and retention."""
    stats = table.stats
    if stats is None or stats.rows is None:
        return 0.0
    rows = stats.rows
    growth = stats.growth_rows_per_day or 0.0
    grown = max(0.0, rows + growth * days)
    if stats.retention_days is not None and growth > 0:
        steady = growth * stats.retention_days
        if days >= stats.retention_days:
            return steady
        # Until today's rows expire the table holds at most the larger of today's and the steady size.
        return min(grown, max(rows, steady))
    return grown


def _column_width(table: Table, column: str) -> float:
    col = table.column(column)
    if col is None:
        return 8.0
    if col.stats is not None and col.stats.avg_width is not None:
        width = col.stats.avg_width
    else:
        width = float(col.type.estimated_width())
    null_fraction = col.stats.null_fraction if col.stats and col.stats.null_fraction is not None else 0.0
    return width * (1.0 - null_fraction)


def column_width(table: Table, column: str) -> float:
    """Average bytes of one column's data (its statistics' width, else its type's)."""
    return _column_width(table, column)


def row_width(table: Table) -> float:
    """Average bytes of a row's column data, without engine overhead."""
    return sum(_column_width(table, c.name.value) for c in table.columns)


def index_entry_width(table: Table, index: Index) -> float:
    """Average bytes of an index entry's key data (keys and INCLUDE columns; expressions count 8)."""
    width = sum(_column_width(table, k.column.value) if k.column else 8.0 for k in index.keys)
    return width + sum(_column_width(table, c.value) for c in index.include)


def estimate_table_size(table: Table, traits: EngineTraits, horizon_days: float) -> TableSize:
    """Size of ``table`` and its indexes on ``traits``' engine now and ``horizon_days`` from now."""
    unsized = table.stats is None or table.stats.rows is None
    rows_now = 0.0 if unsized or table.stats is None else float(table.stats.rows or 0.0)
    rows_later = rows_at(table, horizon_days)
    row_bytes = (row_width(table) + traits.row_overhead_bytes) / traits.table_fill_factor
    pk_width = (
        sum(_column_width(table, c.value) for c in table.primary_key.columns) if table.primary_key else 0.0
    )
    index_sizes: list[IndexSize] = []
    backing = [
        (f"{table.name}_pkey", table.primary_key.columns) if table.primary_key else None,
        *((f"{table.name}_{'_'.join(c.value for c in u.columns)}_key", u.columns) for u in table.uniques),
    ]
    for entry in backing:
        if entry is None:
            continue
        label, columns = entry
        width = sum(_column_width(table, c.value) for c in columns)
        entry_bytes = (width + traits.index_entry_overhead_bytes) / traits.index_fill_factor
        index_sizes.append(IndexSize(label, entry_bytes, entry_bytes * rows_now, entry_bytes * rows_later))
    for index in table.indexes:
        width = index_entry_width(table, index)
        if traits.secondary_index_holds_primary_key:
            width += pk_width
        entry_bytes = (width + traits.index_entry_overhead_bytes) / traits.index_fill_factor
        # A partial index is sized as if it covered every row: an upper bound, never an underestimate.
        index_sizes.append(
            IndexSize(index.name.value, entry_bytes, entry_bytes * rows_now, entry_bytes * rows_later)
        )
    return TableSize(
        table=table.name.value,
        rows_now=rows_now,
        rows_at_horizon=rows_later,
        row_bytes=row_bytes,
        data_bytes_now=row_bytes * rows_now,
        data_bytes_at_horizon=row_bytes * rows_later,
        indexes=tuple(index_sizes),
        unsized=unsized,
    )


#: Days a time column is assumed to span when the brief gives neither its range nor the table's growth.
DEFAULT_SPAN_DAYS = 3 * 365.0


def span_days(table: Table, column: str, days_ahead: float) -> float:
    """Days ``column`` (a time column of ``table``) spans ``days_ahead`` days from now: its min/max
    statistics, else the table's rows over its growth per day (capped by its retention), else
    :data:`DEFAULT_SPAN_DAYS`."""
    col = table.column(column)
    stats = col.stats if col is not None else None
    if stats is not None and stats.minimum and stats.maximum:
        try:
            lo = datetime.fromisoformat(str(stats.minimum)[:19])
            hi = datetime.fromisoformat(str(stats.maximum)[:19])
            span = max(1.0, (hi - lo).total_seconds() / 86400)
            return span + days_ahead
        except ValueError:
            pass
    ts = table.stats
    if ts is not None and ts.rows and ts.growth_rows_per_day:
        span = ts.rows / ts.growth_rows_per_day + days_ahead
        if ts.retention_days:
            span = min(span, ts.retention_days)
        return max(1.0, span)
    return DEFAULT_SPAN_DAYS + days_ahead
