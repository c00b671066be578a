"""full-scan-large-table: a frequent statement reads a large table from end to end.

Problem: a statement whose filters no index can serve reads every row of the table each time it
runs. On a large table run often, that is the workload's biggest cost and it grows with the table.
The rule flags a table the statement's plan reads whole - a sequential scan in the plan under the
design's indexes: PostgreSQL's own plan through HypoPG when a database costs the design, else the
built-in model's - when the table holds at least :data:`LARGE_TABLE_ROWS` rows and the statement
scans at least :data:`SCANNED_ROWS_PER_SECOND` rows a second (rows x rate). A table a join reaches
through an index (the inner side of a nested loop, probed once per outer row) is not scanned, even
when none of the statement's filters on it leads an index. Measured on PostgreSQL 15 on this
project's 2-core machine: a warm sequential scan of 1,000,000 rows takes about 59 ms, so a million
scanned rows a second keeps about 6% of a core busy for this one statement, before any cache misses.

Bad (orders: 5,000,000 rows; 50/s)::

    SELECT * FROM orders WHERE status = 'new' AND created_at > :since;

Good::

    CREATE INDEX orders_status_created_at_idx ON orders (status, created_at);

Good (readings: 40,000,000 rows; its filter on ``recorded_at`` leads no index, but the join probes
the primary key ``(device_id, recorded_at)`` once per device of the site)::

    SELECT d.id, max(r.temperature) FROM devices d JOIN readings r ON r.device_id = d.id
    WHERE d.site_id = :site AND r.recorded_at >= :since GROUP BY d.id;

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
            if scan.index is not None:
                why = f"index `{scan.index}` matches its filters on {filtered} but keeps too many rows to pay"
            else:
                why = "no index serves its filters" + (f" on {filtered}" if filtered else "")
            yield DesignDraft(
                f"Statement `{scan.statement}` ({scan.rate:g}/s) reads all {scan.rows:,.0f} rows of "
                f"`{scan.table}`: {why} - about {scan.rows * scan.rate:,.0f} rows scanned a second.",
                hint=(
                    f"add an index on `{scan.table}` leading with {', '.join(scan.joined)} (its join "
                    + (f"column), then {filtered}," if filtered else "column)")
                    + " so the join probes it instead of reading it whole"
                    if scan.joined
                    else f"add an index on `{scan.table}` leading with {filtered} (equality columns first)"
                    if filtered
                    else "it has no filter on this table: add one, a LIMIT, or a summary table"
                ),
                table=scan.table,
                statement=scan.statement,
            )
