"""Batched backfills by key range, paced by a measured batch time: the recipe the planner emits.

A backfill (copy a column into its new type, compute a per-row default for existing rows) must not
hold row locks, WAL and a CPU for long at a time, or the application's writes stall behind it. The
recipe, after pt-online-schema-change's ``--chunk-time`` and gh-ost's ``--nice-ratio``:

1. **Key ranges.** Rows are visited once, in primary-key order (or a unique key whose columns are
   all NOT NULL): each batch is ``key >= lo AND key <= hi`` where ``hi`` is the key ``rows`` rows
   past ``lo`` (an index probe), so a batch costs the same at the end of the table as at the start.
   (Selecting the next batch by ``WHERE <not done> LIMIT n`` re-reads every finished row each
   time: quadratic, 47.8 s at 5M rows where key ranges take a few seconds.) Composite keys compare
   as rows. Only rows that still need it are written (``pending``), so a re-run after a failure
   skips the finished ranges.
2. **A batch time target** (:data:`BATCH_TARGET_SECONDS`, 50 ms): the first batch has
   :data:`FIRST_BATCH_ROWS` rows; each next one is resized by target / measured time (at most x2,
   at least x0.5 per batch, within :data:`MIN_BATCH_ROWS` .. :data:`MAX_BATCH_ROWS`), so batches
   follow the table's real speed under its real load rather than a row count guessed for it.
3. **Each batch commits**, then sleeps ``pause_ratio`` x its own time, leaving the engine to the
   application's writes (:func:`pacing_for`): with the table's write rate ``w`` against what one node
   sustains ``W`` (the brief's ``nodes.write_rate``, 5,000/s by default), the application needs a
   share ``u = w / W`` of the time, so the backfill sleeps ``u / (1 - u)`` of each batch; never less
   than :data:`MIN_PAUSE_RATIO` (room for writes nobody counted), at most
   :data:`MAX_PAUSE_RATIO`.
4. At the end it reports what it did (``NOTICE``): rows, batches, the slowest batch and the size
   the batches settled at; :func:`parse_backfill_notice` reads it back (the rehearsal reports it).

On PostgreSQL 11+ the recipe is one ``DO`` block that commits each batch itself (transaction
control in procedures), so the plan's SQL file runs it as is (``psql`` autocommit) and the rehearsal
runs exactly what the user will. Where the engine cannot commit inside a block, or the table has no
usable key, the step is the statement ``UPDATE ... WHERE ctid IN (SELECT ... LIMIT n)`` repeated
until it changes no row (correct, but each batch re-reads the finished rows).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Table
from dbarchitect.model.names import Name

#: The time one batch should take (its row locks and WAL are held this long at most).
BATCH_TARGET_SECONDS = 0.05
#: Rows in the first batch, before any is measured.
FIRST_BATCH_ROWS = 1_000
MIN_BATCH_ROWS = 100
MAX_BATCH_ROWS = 200_000
#: Rows per batch of the fallback statement (no key, or no transaction control in a block).
FALLBACK_BATCH_ROWS = 5_000
#: Pause after each batch, as a share of its time, when nothing is known of the table's writes.
MIN_PAUSE_RATIO = 0.1
MAX_PAUSE_RATIO = 4.0
#: Write statements per second one node sustains, when the brief does not say (``nodes.write_rate``).
NODE_WRITE_RATE = 5_000.0

_NOTICE = re.compile(
    r"dbarch backfill of (?P<table>.+?): (?P<rows>\d+) rows? in (?P<batches>\d+) batch(?:es)?, "
    r"slowest (?P<slowest>[\d.]+) ms, last (?P<last>\d+) rows? per batch, paused (?P<paused>[\d.]+) s"
)


@dataclass(frozen=True)
class Pacing:
    """How a backfill paces itself: the time a batch aims for, and the pause after each batch as a
    share of that batch's time."""

    target_seconds: float = BATCH_TARGET_SECONDS
    pause_ratio: float = MIN_PAUSE_RATIO
    #: The table's writes per second the pause leaves room for, when known.
    write_rate: float | None = None

    def describe(self) -> str:
        rate = f"{self.write_rate:,.0f} writes/s to the table" if self.write_rate else "unknown writes"
        return (
            f"batches aim at {self.target_seconds * 1000:.0f} ms each (resized from the measured time) and "
            f"pause {self.pause_ratio:.2f}x their time after each commit, room for {rate}"
        )


def pacing_for(
    write_rate: float | None,
    *,
    node_write_rate: float | None = None,
    target_seconds: float = BATCH_TARGET_SECONDS,
) -> Pacing:
    """The pacing that leaves the application ``write_rate`` writes/s (to the table) on a node that
    sustains ``node_write_rate`` (see the module text)."""
    capacity = node_write_rate if node_write_rate and node_write_rate > 0 else NODE_WRITE_RATE
    ratio = MIN_PAUSE_RATIO
    if write_rate is not None and write_rate > 0:
        share = min(write_rate / capacity, MAX_PAUSE_RATIO / (1 + MAX_PAUSE_RATIO))
        ratio = max(MIN_PAUSE_RATIO, share / (1 - share))
    return Pacing(target_seconds, min(ratio, MAX_PAUSE_RATIO), write_rate)


@dataclass(frozen=True)
class Backfill:
    """What a plan step needs to run a backfill: its statements, session settings, whether it runs
    inside a transaction (a block that commits itself cannot), whether the statement is repeated
    until it changes no row, and what to tell the user."""

    sql: tuple[str, ...]
    session_sql: tuple[str, ...]
    transactional: bool
    repeat_until_no_rows: bool
    summary: str
    notes: tuple[str, ...]


def batch_key(table: Table) -> tuple[Name, ...] | None:
    """The columns a backfill walks the table by: the primary key, else a unique key whose columns
    are all NOT NULL; None when the table has neither."""
    if table.primary_key is not None and table.primary_key.columns:
        return table.primary_key.columns
    for unique in table.uniques:
        columns = [table.column(c) for c in unique.columns]
        if unique.columns and all(c is not None and not c.nullable for c in columns):
            return unique.columns
    return None


def backfill(
    traits: EngineTraits,
    table: Table,
    table_sql: str,
    assignments: str,
    pending: str,
    *,
    pacing: Pacing | None = None,
    session_sql: Sequence[str] = (),
    procedural: bool,
) -> Backfill:
    """The backfill of ``table`` (written ``table_sql``): ``UPDATE ... SET assignments`` on the rows
    where ``pending`` holds, in key-range batches paced by ``pacing``. ``procedural``: the engine
    can run the batches as one block that commits each (PostgreSQL 11+)."""
    pace = pacing or pacing_for(None)
    key = batch_key(table)
    if procedural and key is not None:
        block = _plpgsql_block(traits, table, table_sql, key, assignments, pending, pace)
        keys = ", ".join(k.value for k in key)
        return Backfill(
            sql=(block,),
            # The block is one statement for as long as the whole table takes: no statement_timeout.
            session_sql=(*session_sql, "SET statement_timeout = 0"),
            transactional=False,
            repeat_until_no_rows=False,
            summary=f"in key ranges of {keys}, batches of about {pace.target_seconds * 1000:.0f} ms",
            notes=(
                f"one DO block walks {table.name} by ({keys}) and commits every batch; {pace.describe()}; "
                "run it outside a transaction block (psql's default); a re-run skips the rows already done",
            ),
        )
    why = (
        f"{table.name} has no primary key or NOT NULL unique key to walk by"
        if key is None
        else f"{traits} cannot commit inside a block"
    )
    return Backfill(
        sql=(
            f"UPDATE {table_sql} SET {assignments} WHERE ctid IN (SELECT ctid FROM {table_sql} "
            f"WHERE {pending} LIMIT {FALLBACK_BATCH_ROWS})",
        ),
        session_sql=tuple(session_sql),
        transactional=True,
        repeat_until_no_rows=True,
        summary=f"{FALLBACK_BATCH_ROWS:,} rows per batch",
        notes=(
            "repeat until it updates no row; each batch commits on its own. Not in key ranges because "
            f"{why}: each batch re-reads the rows already done, so this slows down as it goes",
        ),
    )


def _plpgsql_block(
    traits: EngineTraits,
    table: Table,
    table_sql: str,
    key: tuple[Name, ...],
    assignments: str,
    pending: str,
    pace: Pacing,
) -> str:
    q = traits.quote
    cols = [q(k) for k in key]
    lo = [f"lo_{i}" for i in range(len(key))]
    hi = [f"hi_{i}" for i in range(len(key))]

    def row(items: Sequence[str]) -> str:
        return items[0] if len(items) == 1 else f"({', '.join(items)})"

    order = ", ".join(cols)
    desc = ", ".join(f"{c} DESC" for c in cols)
    label = str(table.name).replace("'", "''").replace("%", "%%")
    walk, first, last = row(cols), row(lo), row(hi)
    lines = [
        "DO $dbarch_backfill$",
        "DECLARE",
        *(f"  {v} {table_sql}.{c}%TYPE;" for v, c in zip(lo + hi, cols + cols, strict=True)),
        f"  batch_rows bigint := {FIRST_BATCH_ROWS};",
        f"  target double precision := {pace.target_seconds:g};",
        f"  pause_ratio double precision := {pace.pause_ratio:.3f};",
        "  started timestamptz;",
        "  took double precision;",
        "  changed bigint;",
        "  total bigint := 0;",
        "  batches bigint := 0;",
        "  slowest double precision := 0;",
        "  paused double precision := 0;",
        "BEGIN",
        f"  SELECT {order} INTO {', '.join(lo)} FROM {table_sql} ORDER BY {order} LIMIT 1;",
        f"  WHILE {lo[0]} IS NOT NULL LOOP",
        f"    SELECT {order} INTO {', '.join(hi)} FROM (SELECT {order} FROM {table_sql}",
        f"      WHERE {walk} >= {first} ORDER BY {order} LIMIT batch_rows) AS batch ORDER BY {desc} LIMIT 1;",
        "    started := clock_timestamp();",
        f"    UPDATE {table_sql} SET {assignments}",
        f"      WHERE {walk} >= {first} AND {walk} <= {last} AND ({pending});",
        "    GET DIAGNOSTICS changed = ROW_COUNT;",
        "    COMMIT;",
        "    took := extract(epoch FROM clock_timestamp() - started);",
        "    total := total + changed;",
        "    batches := batches + 1;",
        "    slowest := greatest(slowest, took);",
        f"    batch_rows := least({MAX_BATCH_ROWS}, greatest({MIN_BATCH_ROWS},",
        "      (batch_rows * least(2.0, greatest(0.5, target / greatest(took, 0.0005))))::bigint));",
        f"    SELECT {order} INTO {', '.join(lo)} FROM {table_sql}",
        f"      WHERE {walk} > {last} ORDER BY {order} LIMIT 1;",
        "    IF pause_ratio > 0 THEN",
        "      PERFORM pg_sleep(took * pause_ratio);",
        "      paused := paused + took * pause_ratio;",
        "    END IF;",
        "  END LOOP;",
        f"  RAISE NOTICE 'dbarch backfill of {label}: % rows in % batches, slowest % ms, "
        "last % rows per batch, paused % s',",
        "    total, batches, round((slowest * 1000)::numeric, 1), batch_rows, round(paused::numeric, 2);",
        "END",
        "$dbarch_backfill$",
    ]
    return "\n".join(lines)


@dataclass(frozen=True)
class BackfillReport:
    """What a backfill block reported when it finished."""

    table: str
    rows: int
    batches: int
    slowest_seconds: float
    last_batch_rows: int
    paused_seconds: float


def parse_backfill_notice(text: str) -> BackfillReport | None:
    """The report in a backfill block's closing NOTICE, or None when ``text`` is not one."""
    m = _NOTICE.search(text)
    if not m:
        return None
    return BackfillReport(
        m["table"],
        int(m["rows"]),
        int(m["batches"]),
        float(m["slowest"]) / 1000,
        int(m["last"]),
        float(m["paused"]),
    )
