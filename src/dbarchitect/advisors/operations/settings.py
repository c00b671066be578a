"""Server configuration derived from the design: every value from the workload, the sizes and the
node, with its reason (the engine names them: ``engines/ops_*.py``).

* **Buffer cache**: the working set x :data:`CACHE_HEADROOM`, at most the engine's share of memory
  (PostgreSQL 40%: the operating system's cache holds the rest; InnoDB 75%), at least 128 MB.
* **Sort memory** (``work_mem`` / ``sort_buffer_size``): the largest sort or hash one statement's plan
  needs (:func:`sort_needs`: rows into the operation x the bytes of the columns it carries, with the
  engine's per-row overhead; a hash may use the engine's multiple of it) x :data:`SORT_HEADROOM`, so
  none spills to disk; capped so that the statements sorting at once (Little's law) fit in what the
  cache and connections leave, in which case the statements that will spill are named.
* **Connections**: by Little's law the connections busy on average are ``L = sum(rate x p95 service
  time)``; the pool is ``L + 3 sqrt(L)`` (square-root staffing, Halfin and Whitt 1981: waiting stays
  rare under Poisson arrivals), at least 2; ``max_connections`` is the pool plus its reserve, the
  replication and backup connections and the superuser's reserve.
* **Checkpoints**: every 15 minutes with a replica (fewer page images in the log); without one, a crash
  is recovered by replaying the log since the last checkpoint, so the interval is cut until that
  replay fits in half the RTO. The log's maximum size is 1.5 x what one interval writes x (1 + the
  completion target), at least 1 GB.
* **Autovacuum per table**: a table with updates or deletes is vacuumed after about an hour of them
  (at least 1,000 dead rows, at most the default 20% of its rows), not after 20% of it changed.
* **random_page_cost**: PostgreSQL's default 4.0 models random reads 40x dearer than sequential ones
  with 90% of them cached; here the disk's ratio (one random read's latency over the time to read a
  page sequentially) x the share of reads the cache misses (the working set against the cache), at
  least 1.1, at most that ratio.
* **I/O concurrency**: requests the disk serves at once = IOPS x latency (Little's law on the device);
  InnoDB's background flushing may use half the IOPS.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from dbarchitect.advisors.access_paths import AccessPath
from dbarchitect.advisors.operations.capacity import LogVolume
from dbarchitect.advisors.operations.hardware import Machine
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.brief import format_size
from dbarchitect.engines.operations import Decision, OperationsProfile, PoolPlan, ServerSizing, TableVacuum
from dbarchitect.model.catalog import Catalog, Table
from dbarchitect.model.workload import Statement, StatementKind, Workload

CACHE_HEADROOM = 1.2
SORT_HEADROOM = 1.25
MIN_CACHE = 128 * 2**20
CHECKPOINT_WITH_REPLICA_S = 900
#: Connections kept for the superuser, monitoring and backups besides the pool.
RESERVED_CONNECTIONS = 10
DEFAULT_CLIENTS = 1000


@dataclass(frozen=True)
class SortNeed:
    statement: str
    operation: str
    rows: float
    bytes: float


def _width(table: Table, columns: tuple[str, ...]) -> float:
    total = 0.0
    for key in columns:
        col = table.column(key)
        if col is None:
            total += 8.0
        elif col.stats is not None and col.stats.avg_width is not None:
            total += col.stats.avg_width
        else:
            total += float(col.type.estimated_width())
    return total


def sort_needs(
    workload: Workload, catalog: Catalog, paths: tuple[AccessPath, ...], profile: OperationsProfile
) -> tuple[SortNeed, ...]:
    """Per statement the largest sort or hash its plan needs (see the module docstring): an ORDER BY no
    index serves (a LIMIT keeps only that many rows), a GROUP BY or DISTINCT (one entry per group,
    the rows when the groups are unknown), the build side of a join (the smaller input)."""
    by_statement: dict[str, dict[str, AccessPath]] = {}
    for p in paths:
        by_statement.setdefault(p.statement, {})[p.table.lower()] = p
    out: list[SortNeed] = []
    for s in workload.statements:
        if s.kind not in (StatementKind.SELECT,) and not s.is_write:
            continue
        mine = by_statement.get(s.name, {})
        inputs: list[tuple[float, float, str]] = []  # rows, row bytes, table
        for access in s.tables:
            table = catalog.table(access.table)
            path = mine.get(access.table.key)
            if table is None or path is None or path.rows_estimated is None:
                continue
            cols = tuple(c.key for c in access.columns_read) or tuple(c.name.key for c in table.columns)
            inputs.append(
                (path.rows_estimated, _width(table, cols) + profile.sort_row_overhead, table.name.value)
            )
        if not inputs:
            continue
        rows_out = max(r for r, _, _ in inputs)
        width_out = sum(w for _, w, _ in inputs)
        needs: list[SortNeed] = []
        if len(inputs) > 1:
            build = min(inputs, key=lambda i: i[0] * i[1])
            needs.append(
                SortNeed(
                    s.name,
                    f"hash join on {build[2]}",
                    build[0],
                    build[0] * build[1] / profile.hash_memory_multiplier,
                )
            )
        grouped = any(a.group_by for a in s.tables)
        if grouped:
            groups = rows_out
            for a in s.tables:
                table = catalog.table(a.table)
                if table is None or not a.group_by:
                    continue
                distinct = 1.0
                known = True
                for g in a.group_by:
                    col = table.column(g)
                    if col is None or col.stats is None or not col.stats.distinct:
                        known = False
                        break
                    distinct *= col.stats.distinct
                if known:
                    groups = min(groups, distinct)
            needs.append(
                SortNeed(
                    s.name, "hash aggregate", groups, groups * width_out / profile.hash_memory_multiplier
                )
            )
            rows_out = groups
        unserved = any(a.order_by for a in s.tables) and not all(
            mine[a.table.key].order_served for a in s.tables if a.order_by and a.table.key in mine
        )
        if unserved:
            kept = min(rows_out, float(s.limit)) if s.limit else rows_out
            needs.append(
                SortNeed(s.name, "sort" if not s.limit else f"top-{s.limit} sort", kept, kept * width_out)
            )
        if needs:
            out.append(max(needs, key=lambda n: n.bytes))
    return tuple(sorted(out, key=lambda n: (-n.bytes, n.statement)))


def plan_pool(
    workload: Workload, p95_ms: Mapping[str, float], clients: int | None
) -> tuple[PoolPlan, float, str]:
    """The pool by Little's law and square-root staffing; (plan, mean busy connections, reason)."""
    busy = sum(s.rate * p95_ms.get(s.name, 0.0) / 1000.0 for s in workload.statements)
    size = max(2, math.ceil(busy + 3.0 * math.sqrt(busy)))
    reserve = max(1, math.ceil(size * 0.2))
    max_clients = clients if clients is not None else DEFAULT_CLIENTS
    reason = (
        f"Little's law: sum(rate x p95 service time) = {busy:.2f} connections busy on average; "
        f"{busy:.2f} + 3 sqrt({busy:.2f}) = {size} (square-root staffing: waiting stays rare), "
        f"+{reserve} reserve for bursts; "
        + (
            f"{max_clients} client connections (the brief's connections)"
            if clients is not None
            else f"client connections not given: up to {DEFAULT_CLIENTS} accepted"
        )
    )
    return PoolPlan("transaction", size, reserve, max(max_clients, size)), busy, reason


def plan_vacuum(
    workload: Workload, catalog: Catalog, sizes: tuple[TableSize, ...]
) -> tuple[TableVacuum, ...]:
    changes: dict[str, float] = {}
    for s in workload.statements:
        target = s.write_target
        if target is None or s.kind not in (StatementKind.UPDATE, StatementKind.DELETE, StatementKind.UPSERT):
            continue
        rows = 1.0
        changes[target.table.key] = changes.get(target.table.key, 0.0) + s.rate * rows * 3600.0
    by_table = {s.table.lower(): s for s in sizes}
    out: list[TableVacuum] = []
    for key, per_hour in sorted(changes.items()):
        table = catalog.table(key)
        size = by_table.get(key)
        if table is None or size is None or size.rows_now <= 0:
            continue
        threshold = int(min(max(1000.0, per_hour), 0.2 * size.rows_now))
        default_hours = 0.2 * size.rows_now / per_hour if per_hour > 0 else float("inf")
        out.append(
            TableVacuum(
                table.name.value,
                0.0,
                threshold,
                f"{table.name.value}: {per_hour:,.0f} rows updated or deleted an hour; vacuum after "
                f"{threshold:,} "
                f"dead rows (~{threshold / per_hour * 60:,.0f} min of them) instead of 20% of "
                f"{size.rows_now:,.0f} rows (every {default_hours:,.1f} h by default)",
            )
        )
    return tuple(out)


def plan_settings(
    *,
    profile: OperationsProfile,
    machine: Machine,
    working_set_bytes: float,
    needs: tuple[SortNeed, ...],
    sort_concurrency: float,
    pool: PoolPlan,
    pool_reason: str,
    nodes: int,
    log: LogVolume,
    has_replica: bool,
    rto_s: float,
    full_backup_interval_days: float,
    vacuum: tuple[TableVacuum, ...],
    largest_index_bytes: float,
) -> ServerSizing:
    memory = machine.memory
    connections_memory = (pool.pool_size + pool.reserve + RESERVED_CONNECTIONS) * profile.connection_bytes
    cap = max(MIN_CACHE, profile.buffer_share_max * (memory - connections_memory))
    want = max(MIN_CACHE, working_set_bytes * CACHE_HEADROOM)
    cache = min(cap, want)
    cache_reason = (
        f"working set {format_size(working_set_bytes)} (five-minute rule) x {CACHE_HEADROOM} = "
        f"{format_size(want)}"
        + (
            f", capped at {profile.buffer_share_max:.0%} of the memory left after connections "
            f"({format_size(cap)}): the working set does not fit, reads will miss"
            if want > cap
            else f", within {profile.buffer_share_max:.0%} of {format_size(memory)}"
        )
        + ("; the operating system's cache holds the rest" if profile.uses_os_cache else "")
    )
    effective = memory * 0.75 if profile.uses_os_cache else cache
    largest = needs[0] if needs else None
    sort_default = profile.default_sort_memory
    left = max(0.0, memory - cache - connections_memory)
    concurrent = max(1.0, math.ceil(sort_concurrency))
    if largest is None:
        sort = sort_default
        sort_reason = "no statement sorts or hashes: the engine's default"
    else:
        want_sort = max(sort_default, largest.bytes * SORT_HEADROOM)
        sort_cap = left / concurrent
        sort = min(want_sort, max(sort_default, sort_cap))
        sort_reason = (
            f"the largest sort/hash is {largest.statement}'s {largest.operation} "
            f"({largest.rows:,.0f} rows, {format_size(largest.bytes)}) x {SORT_HEADROOM} = "
            f"{format_size(want_sort)}, "
            "so no sort or hash spills to disk"
        )
        if want_sort > sort:
            spilling = [n.statement for n in needs if n.bytes * SORT_HEADROOM > sort]
            sort_reason = (
                f"{format_size(sort)}: {concurrent:.0f} statements sort at once (Little's law) in the "
                f"{format_size(left)} left after the cache and connections; these spill to disk: "
                + ", ".join(spilling[:5])
            )
    sort = math.ceil(sort / 2**20) * 2**20
    maintenance = min(2 * 2**30, max(64 * 2**20, memory / 16, min(largest_index_bytes / 4, memory / 8)))
    max_conn = pool.pool_size + pool.reserve + RESERVED_CONNECTIONS + nodes
    # checkpoints
    replay_rate = 60e6
    if has_replica:
        ckpt = float(CHECKPOINT_WITH_REPLICA_S)
        ckpt_reason = (
            f"every {CHECKPOINT_WITH_REPLICA_S // 60} min: a failure is a failover, not a crash recovery, so "
            "checkpoints can be rare (fewer full-page images in the log)"
        )
    else:
        bound = 0.5 * rto_s * replay_rate / max(1.0, log.bytes_per_s)
        ckpt = float(max(60, min(CHECKPOINT_WITH_REPLICA_S, int(bound))))
        ckpt_reason = (
            f"every {ckpt:g}s: without a replica a crash replays the log since the last checkpoint "
            f"({log.bytes_per_s * ckpt / 1e6:,.0f} MB at {replay_rate / 1e6:.0f} MB/s) within half the rto"
        )
    per_interval = log.bytes_per_s * ckpt
    max_log = max(2**30, per_interval * 1.9 * 1.5)
    log_reason = (
        f"{format_size(per_interval)} of {log.name} per checkpoint interval "
        f"({log.bytes_per_s / 1e3:,.1f} kB/s) "
        "x 1.9 x 1.5 headroom, at least 1 GB: checkpoints come from the timeout, not from the log's size"
    )
    # random_page_cost
    seq_page_ms = profile.log.page_bytes / machine.throughput * 1000.0
    ratio = machine.random_read_ms / seq_page_ms
    miss = 0.0 if working_set_bytes <= 0 else max(0.0, 1.0 - (effective / working_set_bytes))
    rpc = min(max(1.1, ratio * miss), max(1.1, ratio))
    rpc_reason = (
        f"{machine.disk_type.value} disk: a random read ({machine.random_read_ms:g} ms) costs "
        f"{ratio:.0f} sequential "
        f"page reads; {miss:.0%} of the working set misses the {format_size(effective)} cache -> "
        f"{ratio:.0f} x {miss:.2f}, at least 1.1"
    )
    concurrency = max(1.0, min(1000.0, machine.iops * machine.random_read_ms / 1000.0))
    return ServerSizing(
        cache_bytes=Decision(cache, cache_reason),
        effective_cache_bytes=Decision(
            effective, f"{format_size(effective)}: what the planner may assume is cached (75% of memory)"
        ),
        sort_bytes=Decision(sort, sort_reason),
        maintenance_bytes=Decision(
            maintenance, "index builds and vacuum: 1/16 of memory, enough for a quarter of the largest index"
        ),
        max_connections=Decision(
            max_conn,
            f"the pool ({pool.pool_size} + {pool.reserve} reserve) + {RESERVED_CONNECTIONS} for the "
            "superuser, "
            f"monitoring and backups + {nodes} for replication; {pool_reason}",
        ),
        checkpoint_s=Decision(ckpt, ckpt_reason),
        max_log_bytes=Decision(max_log, log_reason),
        min_log_bytes=Decision(max(80 * 2**20, max_log / 4), "a quarter of the maximum is kept for reuse"),
        random_page_cost=Decision(round(rpc, 2), rpc_reason),
        io_concurrency=Decision(
            math.ceil(concurrency),
            f"{machine.iops:,.0f} IOPS x {machine.random_read_ms:g} ms = {concurrency:.1f} requests "
            "in flight",
        ),
        io_budget=Decision(
            max(100.0, machine.iops / 2), f"half the disk's {machine.iops:,.0f} IOPS for background flushing"
        ),
        cores=Decision(machine.cores, f"{machine.cores} cores ({machine.source('cores')})"),
        log_retention_s=Decision(
            (full_backup_interval_days + 1) * 86400.0,
            f"the server keeps {full_backup_interval_days + 1:g} days of binlog: a restore from the last "
            "full backup can replay from it even if the stream to the backup host lagged",
        ),
        log_keep_bytes=Decision(
            max(2**30, log.bytes_per_s * 3600.0),
            "an hour of WAL (at least 1 GB) for a replica that lost its slot to catch up without a rebuild",
        ),
        vacuum=vacuum,
    )


def is_sorting(statement: Statement) -> bool:
    return any(a.order_by or a.group_by for a in statement.tables) or len(statement.tables) > 1
