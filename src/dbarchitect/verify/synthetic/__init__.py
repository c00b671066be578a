"""Synthetic data that follows a brief's statistics, loaded fast into a scratch database.

``verify`` measures a design by running its workload, and latencies only mean something on data of
the right shape: as many rows per table as the brief says (times ``scale``), as many distinct values
per column, the same share of NULLs, the same hot values at the same frequencies, and children
pointing at parents that exist. This module builds that data and nothing is guessed silently:

* Rows per table = brief rows x ``scale`` (at least 1), except that a table of at most
  :data:`SMALL_DOMAIN` rows keeps its size below scale 1 (a lookup table is a domain); a table
  without a size gets :data:`DEFAULT_ROWS` x ``scale`` and a note says so.
* Distinct counts: a small domain (at most :data:`SMALL_DOMAIN` values: statuses, ratings, countries)
  is a property of the domain and is kept; a larger one grows with the table, so it is scaled like the
  rows (at least :data:`SMALL_DOMAIN`), which keeps "rows per value" (orders per customer) as briefed.
  Columns without statistics: unique keys get one value per row, booleans and enumerations their
  values, foreign keys every parent, other columns one value per row.
* Values the workload names in an equality or IN list (``p_brand = 'Brand#23'``) are among the
  column's values (as ordinary ones, unless hot), so a statement that names one finds rows.
* Hot values get their briefed frequency; NULLs their fraction; the rest is spread evenly over the
  other values (each is used once before any repeats, so the distinct count is reached exactly).
  A column with ``correlation >= 0.5`` is generated in row order (``placed_at`` rising with ``id``),
  and a fresh row for an INSERT continues past the newest value (a new reading is the latest).
* Ranges: a column's ``min`` / ``max`` statistics place its values (dates and timestamps spread over
  the range, fractional numbers evenly from min to max, integers from min); without them dates and
  timestamps span :data:`SPAN_DAYS` from 2021-01-01. Check constraints take precedence.
* Foreign keys draw from the keys the parent table really got, so there are no orphans; a hot parent
  key in the child's statistics is drawn at its frequency.
* Primary keys and unique constraints hold: single columns get one value per row; a composite key
  whose other columns are foreign keys numbers its integer column per parent (``line_no`` 1, 2, 3);
  any other collision redraws the row (up to :data:`REDRAWS` times) and is then dropped and counted.
* Check constraints: ``col IN (...)`` gives the column's values, comparisons with literals and
  ``BETWEEN`` give its range, ``col = <expression of other columns>`` computes the column from the
  others (``total = subtotal + shipping_fee``), ``a <= b`` clamps ``a``. A row the database still
  rejects is dropped and counted (loaded in batches; a failing batch is retried row by row).

Loading: PostgreSQL ``COPY FROM STDIN`` (psycopg), MariaDB/MySQL multi-row ``INSERT`` (PyMySQL's
``executemany``), SQLite ``executemany`` in one transaction. Given the same seed the data is the same.

The package follows the pipeline: :mod:`.values` (a column type's values, sizes at a scale),
:mod:`.checks` (what check constraints mean), :mod:`.columns` and :mod:`.tables` (generators),
:mod:`.loaders` (one per driver) and :mod:`.fill` (the schema created and every table loaded).
"""

from __future__ import annotations

from dbarchitect.verify.synthetic.checks import Checks, evaluate, read_checks
from dbarchitect.verify.synthetic.columns import ColumnGen
from dbarchitect.verify.synthetic.fill import (
    Generation,
    ProgressCallback,
    SyntheticData,
    TableLoad,
    generate,
    loaded_catalog,
)
from dbarchitect.verify.synthetic.loaders import (
    Loader,
    MysqlLoader,
    PostgresLoader,
    SqliteLoader,
    adapt_row,
)
from dbarchitect.verify.synthetic.tables import TableGen
from dbarchitect.verify.synthetic.values import (
    BATCH_ROWS,
    DEFAULT_ROWS,
    REDRAWS,
    SMALL_DOMAIN,
    SPAN_DAYS,
    briefed_bounds,
    domain_size,
    make_value,
    named_value,
    parse_value,
    scaled_distinct,
    scaled_rows,
    spacing,
    value_maker,
    workload_values,
)

__all__ = [
    "BATCH_ROWS",
    "DEFAULT_ROWS",
    "REDRAWS",
    "SMALL_DOMAIN",
    "SPAN_DAYS",
    "Checks",
    "ColumnGen",
    "Generation",
    "Loader",
    "MysqlLoader",
    "PostgresLoader",
    "ProgressCallback",
    "SqliteLoader",
    "SyntheticData",
    "TableGen",
    "TableLoad",
    "adapt_row",
    "briefed_bounds",
    "domain_size",
    "evaluate",
    "generate",
    "loaded_catalog",
    "make_value",
    "named_value",
    "parse_value",
    "read_checks",
    "scaled_distinct",
    "scaled_rows",
    "spacing",
    "value_maker",
    "workload_values",
]
