"""Capacity: the resources the workload needs on one node, now and over the horizon, and which runs
out first.

**Change log (WAL / binlog) volume.** Per write statement: the rows it writes and the index entries
that costs (``advisors.latency.write_work``: HOT updates write no index entry on PostgreSQL, InnoDB's
binlog holds no index change), each row's data (``sizing.row_width``) and each entry's key, plus the
engine's per-record bytes (``engines.operations.LogFacts``), padded to the engine's alignment; plus a
commit record per transaction (statements outside a ``transactions:`` entry commit alone). With
``full_page_writes`` the first change to a page after a checkpoint logs the page: per checkpoint
interval ``C`` and relation (a table, or one of its indexes) of ``P`` pages receiving ``k`` changes at
random pages, ``P (1 - e^(-k/P))`` distinct pages (the occupancy formula) are logged whole; changes
appended at the end (inserts into the heap, index entries on a column that rises with time: an
identity, a timestamp defaulting to now, a correlation >= 0.5) touch new pages, which are not logged
whole. An index keyed by leading columns then a rising column takes each insert at the end of its
leading-key group: at most that many pages change. Updates and deletes touch pages at random: an
upper bound (rows updated soon after their insert share pages).

**Disk** at the horizon: tables and indexes (``sizing``) with the dead rows an update/delete-heavy table
carries between cleanups, the log kept on the server, and the backup repository separately.
**IOPS and MB/s** at the brief's rates (taken as the peak): page reads that miss the cache (the share of
the working set the cache cannot hold), the checkpoint's page writes, one log flush per commit; bytes:
the log, the page writes and the missed reads, sequential scans included. **CPU**: each statement's
rate x its estimated service time (the latency model's median: an upper bound of its CPU time, since
it includes waiting for I/O), at most :data:`CPU_TARGET` of the cores. **Memory**: the working set
(Gray and Putzolu's five-minute rule: what the workload touches in five minutes, see
:func:`working_set`) over the cache's share of memory, plus the connections' own memory.

Everything is computed at points across the horizon (tables grow by their ``growth``; statements
reading a share of a table read more as it grows), and the first resource whose need crosses the
node's capacity is the one that runs out first.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from dbarchitect.advisors.access_paths import AccessPath, PathKind
from dbarchitect.advisors.latency import write_work
from dbarchitect.advisors.sizing import TableSize, column_width, row_width, rows_at
from dbarchitect.brief import format_size
from dbarchitect.engines.operations import LogFacts
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog, DefaultKind, Table
from dbarchitect.model.workload import Statement, StatementKind, Workload

#: The five-minute rule's window.
WORKING_SET_WINDOW_S = 300.0
#: Share of a node's memory that caches data (buffer cache plus the operating system's cache).
CACHE_SHARE = 0.75
#: Share of the cores the workload may keep busy (the rest absorbs bursts, vacuum, backups).
CPU_TARGET = 0.7
#: Points across the horizon at which every resource is computed.
TIMELINE_POINTS = 13


# ---------------------------------------------------------------------------------------------
# Working set (shared with the sharding advisor's "is one node enough")


@dataclass(frozen=True)
class WorkingSet:
    bytes: float
    #: (bytes, "table 1.2 GB, mostly statement") per table, largest first.
    parts: tuple[tuple[float, str], ...]
    #: Statements whose rows read are unknown (counted as none).
    unsized: tuple[str, ...]

    @property
    def largest(self) -> str:
        return self.parts[0][1] if self.parts else ""


def rows_read(statement: Statement, path: AccessPath, paths: Mapping[str, AccessPath]) -> float | None:
    """Rows one execution of ``statement`` reads from ``path``'s table (None: unknown). An INSERT's
    target is written, not read (0). A LIMIT stops a scan whose order the path serves (or that has
    none) after that many rows. A table reached only through its join columns is read once per row of
    the tables that drive the join (the largest filtered one), not whole. ``paths``: the statement's
    paths by table key."""
    access = statement.access(path.table)
    inserting = statement.kind in (StatementKind.INSERT, StatementKind.UPSERT)
    if inserting and access is not None and access.is_write_target:
        return 0.0
    if path.rows_estimated is None:
        return None
    rows = path.rows_estimated
    ordered = any(a.order_by for a in statement.tables)
    if statement.limit is not None and (path.order_served or (not ordered and len(statement.tables) == 1)):
        rows = min(rows, float(statement.limit))
    if (
        path.kind == PathKind.NO_FILTER
        and access is not None
        and access.join_columns
        and len(statement.tables) > 1
    ):
        driving = [
            p.rows_estimated
            for key, p in paths.items()
            if key != path.table.lower() and p.kind != PathKind.NO_FILTER and p.rows_estimated is not None
        ]
        if driving:
            drive = max(driving)
            if statement.limit is not None and not ordered:
                drive = min(drive, float(statement.limit))
            rows = min(rows, drive)
    return rows


def statement_paths(paths: tuple[AccessPath, ...]) -> dict[str, dict[str, AccessPath]]:
    out: dict[str, dict[str, AccessPath]] = {}
    for p in paths:
        out.setdefault(p.statement, {})[p.table.lower()] = p
    return out


def _growth(size: TableSize, table: Table | None, day: float) -> float:
    """Rows at ``day`` over rows now (1 when the table has no size or no growth)."""
    if table is None or size.rows_now <= 0 or day <= 0:
        return 1.0
    return max(0.0, rows_at(table, day)) / size.rows_now


def working_set(
    sizes: tuple[TableSize, ...],
    workload: Workload,
    paths: tuple[AccessPath, ...],
    *,
    catalog: Catalog | None = None,
    day: float | None = None,
) -> WorkingSet:
    """Bytes the workload touches in :data:`WORKING_SET_WINDOW_S`: per statement, its executions in
    the window x the rows its access path reads x the row's bytes with its index entries, capped at
    the table's size; an inserted row counts once. With ``catalog`` and ``day`` the tables are taken
    at that day (their growth applied to the rows read and to the cap), else at the horizon's size."""
    by_table = {s.table.lower(): s for s in sizes}
    touched: dict[str, float] = {}
    readers: dict[str, dict[str, float]] = {}
    unsized: list[str] = []
    rates = {s.name: s for s in workload.statements}
    for path in paths:
        statement = rates.get(path.statement)
        if statement is None:
            continue
        size = by_table.get(path.table.lower())
        if size is None:
            continue
        access = statement.access(path.table)
        if (
            statement.kind in (StatementKind.INSERT, StatementKind.UPSERT)
            and access
            and access.is_write_target
        ):
            rows = 1.0
        elif path.rows_estimated is None:
            unsized.append(statement.name)
            continue
        else:
            rows = path.rows_estimated
            if catalog is not None and day is not None and _scales(path):
                rows *= _growth(size, catalog.table(size.table), day)
        rows_in_window = statement.rate * WORKING_SET_WINDOW_S * rows
        touched[size.table] = touched.get(size.table, 0.0) + rows_in_window
        by_reader = readers.setdefault(size.table, {})
        by_reader[statement.name] = by_reader.get(statement.name, 0.0) + rows_in_window
    total = 0.0
    parts: list[tuple[float, str]] = []
    for table, rows in touched.items():
        size = by_table[table.lower()]
        per_row = size.row_bytes + sum(i.entry_bytes for i in size.indexes)
        cap = size.total_bytes_at_horizon
        if catalog is not None and day is not None:
            cap = (size.data_bytes_now + size.index_bytes_now) * _growth(size, catalog.table(size.table), day)
        part = min(cap, rows * per_row)
        total += part
        top = max(readers[table].items(), key=lambda kv: (kv[1], kv[0]))[0]
        parts.append((part, f"{table} {format_size(part)}, mostly {top}"))
    parts.sort(key=lambda p: (-p[0], p[1]))
    return WorkingSet(total, tuple(parts), tuple(dict.fromkeys(unsized)))


def _scales(path: AccessPath) -> bool:
    """Whether the rows a path reads grow with its table (not a lookup of one key)."""
    return path.kind != PathKind.INDEX or (path.rows_estimated or 0.0) > 1.0


# ---------------------------------------------------------------------------------------------
# Change log volume


def _monotonic(table: Table, column_key: str) -> bool:
    """Values of the column rise with time: new entries land at the index's end."""
    col = table.column(column_key)
    if col is None:
        return False
    if col.identity:
        return True
    if col.default is not None and col.default.kind in (
        DefaultKind.CURRENT_TIMESTAMP,
        DefaultKind.CURRENT_DATE,
    ):
        return True
    return col.stats is not None and col.stats.correlation is not None and abs(col.stats.correlation) >= 0.5


def _groups_before_rising_column(catalog: Catalog, table: Table, columns: tuple[str, ...]) -> float | None:
    """For an index whose key is some leading columns and then a column rising with time (``(device_id,
    recorded_at)``), the number of leading-key groups: each insert lands at the end of its group, so
    inserts change at most that many leaf pages, not pages at random. None when the key has no rising
    column after the first or a leading column's distinct count is unknown. A count is at most the
    table's rows, and a foreign-key column's at most the referenced table's rows."""
    rising = next((i for i, c in enumerate(columns) if i > 0 and _monotonic(table, c)), None)
    if rising is None:
        return None
    groups = 1.0
    rows = table.stats.rows if table.stats is not None and table.stats.rows else None
    for key in columns[:rising]:
        col = table.column(key)
        if col is None or col.stats is None or col.stats.distinct is None:
            return None
        distinct = col.stats.distinct
        for fk in table.foreign_keys:
            if len(fk.columns) == 1 and fk.columns[0].key == key:
                ref = catalog.table(fk.ref_table)
                if ref is not None and ref.stats is not None and ref.stats.rows:
                    distinct = min(distinct, ref.stats.rows)
        groups *= max(1.0, distinct)
    return min(groups, rows) if rows else groups


def _relations(table: Table) -> list[tuple[str, tuple[str, ...]]]:
    """(label, key columns) of each index the table keeps: primary key, unique constraints, indexes."""
    out: list[tuple[str, tuple[str, ...]]] = []
    if table.primary_key is not None:
        out.append((f"{table.name}_pkey", tuple(c.key for c in table.primary_key.columns)))
    out += [
        (f"{table.name}_{'_'.join(c.value for c in u.columns)}_key", tuple(c.key for c in u.columns))
        for u in table.uniques
    ]
    out += [(i.name.value, tuple(c.key for c in i.columns)) for i in table.indexes]
    return out


def _key_width(table: Table, columns: tuple[str, ...]) -> float:
    width = 0.0
    for key in columns:
        col = table.column(key)
        if col is None:
            width += 8.0
        elif col.stats is not None and col.stats.avg_width is not None:
            width += col.stats.avg_width
        else:
            width += float(col.type.estimated_width())
    return width


def _align(value: float, alignment: int) -> float:
    return value if alignment <= 1 else math.ceil(value / alignment) * alignment


@dataclass(frozen=True)
class StatementLog:
    statement: str
    rate: float
    rows: float
    index_entries: float
    bytes_per_execution: float


@dataclass(frozen=True)
class LogVolume:
    """The change log's volume at the workload's rates (see the module docstring)."""

    name: str
    record_bytes_per_s: float
    commit_bytes_per_s: float
    page_image_bytes_per_s: float
    commits_per_s: float
    checkpoint_s: float
    statements: tuple[StatementLog, ...]
    #: Distinct pages dirtied per checkpoint interval (what the checkpoint writes).
    dirty_pages_per_checkpoint: float

    @property
    def bytes_per_s(self) -> float:
        return self.record_bytes_per_s + self.commit_bytes_per_s + self.page_image_bytes_per_s

    @property
    def bytes_per_day(self) -> float:
        return self.bytes_per_s * 86400.0


def commits_per_second(workload: Workload) -> float:
    """Transactions committed per second: each ``transactions:`` entry's rate, plus every write
    statement's executions outside transactions (each commits alone)."""
    in_txn: dict[str, float] = {}
    commits = 0.0
    for txn in workload.transactions:
        commits += txn.rate
        for step in txn.steps:
            for s in step.statements:
                in_txn[s.name] = in_txn.get(s.name, 0.0) + txn.rate * step.probability * step.mean_repeat
    for s in workload.statements:
        if s.is_write:
            commits += max(0.0, s.rate - in_txn.get(s.name, 0.0))
    return commits


#: Values narrower than this stay in the row (fixed-width types are all narrower).
_OUT_OF_LINE_MIN_BYTES = 32.0


def inline_row(table: Table, log: LogFacts) -> tuple[float, frozenset[str]]:
    """The row's width as stored in its table's pages, and the columns kept out of line: while the
    row is wider than the log's ``inline_row_bytes``, its widest value moves out, a pointer in its
    place (PostgreSQL's TOAST, compression left out)."""
    widths = {c.name.key: column_width(table, c.name.value) for c in table.columns}
    total = sum(widths.values())
    moved: set[str] = set()
    if log.inline_row_bytes <= 0:
        return total, frozenset()
    for key, width in sorted(widths.items(), key=lambda kv: (-kv[1], kv[0])):
        if total <= log.inline_row_bytes or width < _OUT_OF_LINE_MIN_BYTES:
            break
        total -= width - log.out_of_line_pointer_bytes
        moved.add(key)
    return total, frozenset(moved)


def statement_log_bytes(
    statement: Statement, catalog: Catalog, traits: EngineTraits, log: LogFacts
) -> StatementLog:
    """Log bytes one execution of ``statement`` writes (records only: no page images, no commit)."""
    work = write_work(statement, catalog, traits.latency)
    target = statement.write_target
    table = catalog.table(target.table) if target is not None else None
    if not work.write or table is None:
        return StatementLog(statement.name, statement.rate, 0.0, 0.0, 0.0)
    data = row_width(table)
    rows = work.rows
    relations = _relations(table)
    entry_key = sum(_key_width(table, cols) for _, cols in relations) / len(relations) if relations else 8.0
    # index entries besides the foreign-key probes write_work also counts
    entries = 0.0
    if log.index_entry_bytes > 0:
        written = {c.key for c in target.columns_written} if target else set()
        if statement.kind in (StatementKind.INSERT, StatementKind.UPSERT):
            entries = rows * len(relations)
        elif statement.kind == StatementKind.UPDATE:
            touched = [cols for _, cols in relations if set(cols) & written]
            every = traits.latency.update_writes_every_index
            entries = rows * (len(relations) if touched and every else len(touched))
    if statement.kind in (StatementKind.INSERT, StatementKind.UPSERT):
        per_row = log.insert_row_bytes + data
    elif statement.kind == StatementKind.UPDATE:
        # values kept out of line are logged again only when the update writes them
        inline, moved = inline_row(table, log)
        written_out = {c.key for c in target.columns_written} & moved if target else set()
        data = inline + sum(
            column_width(table, c.name.value) - log.out_of_line_pointer_bytes
            for c in table.columns
            if c.name.key in written_out
        )
        per_row = log.update_row_bytes + data * (2.0 if log.logs_row_images else 1.0)
    else:  # DELETE
        per_row = log.delete_row_bytes + (data if log.logs_row_images else 0.0)
    total = rows * _align(per_row, log.alignment)
    total += entries * _align(log.index_entry_bytes + entry_key, log.alignment)
    if log.statement_bytes or log.logs_statement_text:
        total += log.statement_bytes + len(table.name.value) + 2 * len(table.columns)
        if log.logs_statement_text:
            total += len(statement.sql.strip())
    return StatementLog(statement.name, statement.rate, rows, entries, total)


def _occupancy(pages: float, changes: float) -> float:
    """Distinct pages among ``pages`` touched by ``changes`` random changes."""
    if pages <= 0 or changes <= 0:
        return 0.0
    return pages * -math.expm1(-changes / pages)


def log_volume(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    sizes: tuple[TableSize, ...],
    log: LogFacts,
    *,
    checkpoint_s: float,
    day: float = 0.0,
) -> LogVolume:
    """The change log's bytes per second at the workload's rates, tables as sized at ``day``."""
    by_table = {s.table.lower(): s for s in sizes}
    statements = tuple(
        statement_log_bytes(s, catalog, traits, log) for s in workload.statements if s.is_write
    )
    record = sum(s.rate * s.bytes_per_execution for s in statements)
    commits = commits_per_second(workload)
    # page images: per relation, changes per checkpoint interval at random pages
    random_changes: dict[tuple[str, str], float] = {}
    append_changes: dict[tuple[str, str], float] = {}
    #: Relations whose inserts land at the end of one of a few key groups (see
    #: :func:`_groups_before_rising_column`), unless another statement changes them at random.
    hot_pages: dict[tuple[str, str], float] = {}
    spread: set[tuple[str, str]] = set()
    for s in workload.statements:
        target = s.write_target
        table = catalog.table(target.table) if target is not None else None
        if not s.is_write or table is None or target is None:
            continue
        work = write_work(s, catalog, traits.latency)
        heap = (table.name.key, "heap")
        inserting = s.kind in (StatementKind.INSERT, StatementKind.UPSERT)
        bucket = append_changes if inserting else random_changes
        bucket[heap] = bucket.get(heap, 0.0) + s.rate * work.rows * checkpoint_s
        written = {c.key for c in target.columns_written}
        for label, cols in _relations(table):
            if s.kind == StatementKind.DELETE:
                continue  # PostgreSQL leaves index entries to VACUUM; InnoDB's purge is not logged here
            if (
                s.kind == StatementKind.UPDATE
                and not (set(cols) & written)
                and not (
                    traits.latency.update_writes_every_index
                    and any(set(c) & written for _, c in _relations(table))
                )
            ):
                continue
            appended = bool(cols) and _monotonic(table, cols[0]) and inserting
            bucket = append_changes if appended else random_changes
            key = (table.name.key, label)
            bucket[key] = bucket.get(key, 0.0) + s.rate * work.rows * checkpoint_s
            groups = (
                _groups_before_rising_column(catalog, table, cols) if inserting and not appended else None
            )
            if groups is not None:
                hot_pages[key] = min(hot_pages.get(key, groups), groups)
            elif not appended:
                spread.add(key)
    images = 0.0
    dirty = 0.0
    for (table_key, label), changes in random_changes.items():
        size = by_table.get(table_key)
        table = catalog.table(table_key)
        if size is None or table is None:
            continue
        growth = _growth(size, table, day)
        if label == "heap":
            # the pages holding the rows: values kept out of line live in another relation
            inline, _ = inline_row(table, log)
            full = row_width(table) + traits.row_overhead_bytes
            relation_bytes = size.data_bytes_now * growth * (inline + traits.row_overhead_bytes) / full
            fill = traits.table_fill_factor
        else:
            entry = next((i for i in size.indexes if i.name == label), None)
            share = size.index_bytes_now / max(1, len(size.indexes))
            relation_bytes = (entry.bytes_now if entry else share) * growth
            fill = traits.index_fill_factor
        pages = max(1.0, relation_bytes / log.page_bytes)
        key = (table_key, label)
        if key in hot_pages and key not in spread:
            pages = min(pages, hot_pages[key])
        touched = _occupancy(pages, changes)
        dirty += touched
        if log.full_page_writes:
            images += touched * (log.page_bytes * min(1.0, fill) + 50.0)
    for (_table_key, _label), changes in append_changes.items():
        # appends fill new pages: each dirties a page once per interval, no page image but the first
        per_page = 50.0
        dirty += changes / per_page + 1.0
        if log.full_page_writes:
            images += log.page_bytes
    interval = max(checkpoint_s, 1.0)
    return LogVolume(
        log.name,
        record,
        commits * log.commit_bytes,
        images / interval if any(s.rate > 0 for s in statements) else 0.0,
        commits,
        checkpoint_s,
        statements,
        dirty,
    )


# ---------------------------------------------------------------------------------------------
# Resources over the horizon


@dataclass(frozen=True)
class ResourcePoint:
    day: float
    needed: float


@dataclass(frozen=True)
class Resource:
    """One resource of one node: what the workload needs over the horizon against what the node has."""

    name: str
    unit: str
    capacity: float
    points: tuple[ResourcePoint, ...]
    detail: str

    @property
    def now(self) -> float:
        return self.points[0].needed

    @property
    def at_horizon(self) -> float:
        return self.points[-1].needed

    @property
    def runs_out_day(self) -> float | None:
        """First day the need crosses the capacity (linear between points); None within the horizon."""
        if self.capacity <= 0:
            return None
        prev: ResourcePoint | None = None
        for p in self.points:
            if p.needed > self.capacity:
                if prev is None:
                    return 0.0
                span = p.needed - prev.needed
                share = (self.capacity - prev.needed) / span if span > 0 else 0.0
                return prev.day + share * (p.day - prev.day)
            prev = p
        return None

    @property
    def use_at_horizon(self) -> float:
        return self.at_horizon / self.capacity if self.capacity > 0 else 0.0


def timeline_days(horizon: float) -> tuple[float, ...]:
    return tuple(horizon * i / (TIMELINE_POINTS - 1) for i in range(TIMELINE_POINTS))


def cpu_cores_needed(
    workload: Workload,
    service_ms: Mapping[str, float],
    paths: tuple[AccessPath, ...],
    sizes: tuple[TableSize, ...],
    catalog: Catalog,
    day: float,
) -> float:
    """Cores busy at the workload's rates: rate x service time, the part reading a growing share of a
    table grown with it, over :data:`CPU_TARGET`."""
    by_table = {s.table.lower(): s for s in sizes}
    scaling: dict[str, list[AccessPath]] = {}  # each statement's paths, so the loop is not S x P
    for p in paths:
        if _scales(p):
            scaling.setdefault(p.statement, []).append(p)
    busy = 0.0
    for s in workload.statements:
        ms = service_ms.get(s.name)
        if ms is None:
            continue
        growth = 1.0
        for p in scaling.get(s.name, ()):
            size = by_table.get(p.table.lower())
            if size is not None:
                growth = max(growth, _growth(size, catalog.table(size.table), day))
        busy += s.rate * ms / 1000.0 * growth
    return busy / CPU_TARGET


def read_io(
    workload: Workload,
    paths: tuple[AccessPath, ...],
    sizes: tuple[TableSize, ...],
    catalog: Catalog,
    miss: float,
    page_bytes: int,
    day: float,
) -> tuple[float, float]:
    """(random page reads per second, sequential bytes per second) that miss the cache."""
    by_table = {s.table.lower(): s for s in sizes}
    grouped = statement_paths(paths)
    random_reads = 0.0
    sequential = 0.0
    for p in paths:
        s = workload.statement(p.statement)
        size = by_table.get(p.table.lower())
        if s is None or size is None:
            continue
        read = rows_read(s, p, grouped.get(s.name, {}))
        if not read:
            continue
        growth = _growth(size, catalog.table(size.table), day)
        rows = read * (growth if _scales(p) else 1.0)
        table_pages = max(1.0, size.data_bytes_now * growth / page_bytes)
        if p.kind == PathKind.INDEX or rows < table_pages:
            random_reads += s.rate * min(rows, table_pages) * miss
        else:
            sequential += s.rate * size.data_bytes_now * growth * miss
    return random_reads, sequential
