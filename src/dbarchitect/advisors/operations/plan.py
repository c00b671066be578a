"""The operations design of a brief: topology, backups, capacity, server configuration, files and
runbooks, each decision with its reason (see the sibling modules for the models)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

from dbarchitect.advisors.access_paths import AccessPath
from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.latency import estimate_latency, write_work
from dbarchitect.advisors.operations.backup import (
    BackupPlan,
    RestoreModel,
    default_restore_model,
    plan_backup,
)
from dbarchitect.advisors.operations.capacity import (
    CACHE_SHARE,
    LogVolume,
    Resource,
    ResourcePoint,
    WorkingSet,
    cpu_cores_needed,
    log_volume,
    read_io,
    timeline_days,
    working_set,
)
from dbarchitect.advisors.operations.hardware import Machine, resolve_machine
from dbarchitect.advisors.operations.settings import (
    RESERVED_CONNECTIONS,
    SortNeed,
    is_sorting,
    plan_pool,
    plan_settings,
    sort_needs,
)
from dbarchitect.advisors.operations.topology import Topology, plan_topology
from dbarchitect.advisors.sizing import TableSize, rows_at
from dbarchitect.brief import Brief, format_size
from dbarchitect.engines.operations import (
    ClusterLayout,
    DcsMember,
    NodeAddress,
    OperationsProfile,
    PoolPlan,
    Runbook,
    ServerSizing,
    TableVacuum,
    operations_profile,
)
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import StatementKind, Workload


@dataclass(frozen=True)
class Capacity:
    log: LogVolume
    working_set: WorkingSet
    resources: tuple[Resource, ...]
    #: The resource that runs out first within the horizon and the day it does, else None.
    first_out: tuple[str, float] | None
    notes: tuple[str, ...]

    def resource(self, name: str) -> Resource:
        return next(r for r in self.resources if r.name == name)

    def verdict(self, horizon_days: float) -> str:
        if self.first_out is not None:
            name, day = self.first_out
            r = self.resource(name)
            return (
                f"{name} runs out first, on day {day:,.0f} of {horizon_days:,.0f}: "
                f"{_amount(r.at_horizon, r.unit)} needed at the horizon for {_amount(r.capacity, r.unit)}"
            )
        top = max(self.resources, key=lambda r: r.use_at_horizon)
        return (
            f"no resource runs out within the horizon ({horizon_days:,.0f} days); the highest use at the "
            f"horizon is {top.name} at {top.use_at_horizon:.0%}"
        )


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        return format_size(value)
    if unit == "bytes/s":
        return format_size(value) + "/s"
    return f"{value:,.1f} {unit}"


@dataclass(frozen=True)
class OperationsPlan:
    """The operations half of the design (``dbarch design``: report section, files, runbooks).

    Attributes:
        engine: The target engine and version (``postgresql 15``).
        profile: The engine's operations facts (log record sizes, tools, memory shares, renderers).
        brief: The brief planned for.
        machine: One node's cores, memory and disk, with where each figure comes from.
        topology: Nodes, replication mode and quorum, failover timing, availability on paper, read
            routes, reasons and the goals it cannot meet.
        backup: The schedule, the restore model and time at the horizon's size, the repository size.
        capacity: The log volume, the working set and every resource over the horizon.
        pool: The connection pool (size, reserve, client connections).
        pool_reason: How the pool was sized (Little's law).
        busy_connections: Connections busy on average (rate x p95 service time, summed).
        sizing: Every server sizing decision with its value and reason, before the engine names it.
        sort_needs: The largest sort or hash per statement, largest first.
        layout: What the files are rendered from (hosts, ports, paths, settings).
        files: (file name, content) of every configuration file and script.
        runbooks: Failover, switchover, point-in-time restore, replica rebuild, backups.
        defaults: What the brief left out and the default taken for it.
    """

    engine: str
    profile: OperationsProfile
    brief: Brief
    machine: Machine
    topology: Topology
    backup: BackupPlan
    capacity: Capacity
    pool: PoolPlan
    pool_reason: str
    busy_connections: float
    sizing: ServerSizing
    sort_needs: tuple[SortNeed, ...]
    layout: ClusterLayout
    files: tuple[tuple[str, str], ...]
    runbooks: tuple[Runbook, ...]
    #: What the brief left out and the default taken for it.
    defaults: tuple[str, ...]

    @property
    def unmet(self) -> tuple[str, ...]:
        return (*self.topology.unmet, *self.backup.unmet)


def service_times(
    workload: Workload, catalog: Catalog, traits: EngineTraits, advice: IndexAdvice | None
) -> tuple[dict[str, float], dict[str, float]]:
    """Each statement's estimated median and p95 latency (ms) on ``catalog`` (the design): the index
    advice's cost after its indexes, else the built-in model's, through the engine's latency model."""
    effects = {e.statement: e for e in advice.statements} if advice else {}
    builtin: BuiltinCostModel | None = None
    median: dict[str, float] = {}
    p95: dict[str, float] = {}
    for s in workload.statements:
        effect = effects.get(s.name)
        if effect is not None and effect.error is None:
            cost, io, source = effect.after, effect.io_after, "index advice"
        else:
            builtin = builtin or BuiltinCostModel(catalog, traits)
            planned = builtin.plan_cost(s, frozenset())
            if planned.error is not None:
                continue
            cost, io, source = planned.cost, planned.io, "built-in model"
        estimate = estimate_latency(s, cost, catalog, traits, io=io, cost_source=source, commit=True)
        median[s.name] = estimate.median_ms
        p95[s.name] = estimate.ms
    return median, p95


def _defaults(brief: Brief, machine: Machine) -> tuple[str, ...]:
    out: list[str] = []
    goals = brief.availability
    if goals is None:
        out.append("availability: no goal given: a single primary, daily backups")
    else:
        shown = {
            "uptime": f"uptime {goals.uptime:g}%",
            "rpo": f"rpo {goals.rpo:g}s",
            "rto": f"rto {goals.rto:g}s",
            "regions": "regions 1",
            "maintenance_window": "no maintenance window: planned work by switchover, counted as downtime",
        }
        out += [f"availability.{f}: {shown[f]} (default)" for f in goals.defaults_used]
    out += [f"backup.{f}: {getattr(brief.backup, f)} (default)" for f in brief.backup.defaults_used]
    out += [f"hardware {name}: {where}" for name, where in machine.sources if where.startswith("default")]
    if brief.connections is None:
        out.append("connections: not given: the pooler accepts up to 1000 client connections")
    return tuple(out)


def default_layout(
    brief: Brief, profile: OperationsProfile, topology: Topology, pool: PoolPlan, backup: BackupPlan
) -> ClusterLayout:
    d = profile.defaults
    name = "".join(c if c.isalnum() else "-" for c in brief.name.lower()).strip("-") or "db"
    nodes = tuple(
        NodeAddress(f"db{i}", f"db{i}", d.port, d.pooler_port, d.agent_port, d.data_dir)
        for i in range(1, max(1, topology.nodes) + 1)
    )
    dcs: tuple[DcsMember, ...] = ()
    if profile.failover.value == "automatic" and topology.replicas > 0:
        hosts = [n.host for n in nodes[:3]] + [f"witness{i}" for i in range(1, 4 - min(3, len(nodes)))]
        dcs = tuple(
            DcsMember(f"etcd{i}", h, 2379, 2380, "/var/lib/etcd") for i, h in enumerate(hosts, start=1)
        )
    return ClusterLayout(
        name=name,
        database=name.replace("-", "_"),
        nodes=nodes,
        dcs=dcs,
        replication=topology.replication,
        timing=topology.timing,
        backup=backup.schedule,
        pool=pool,
        settings=(),
        repo_path=d.repo_path,
        bin_dir=d.bin_dir,
        run_dir=d.run_dir,
        superuser=d.superuser,
        replication_user=d.replication_user,
    )


def plan_operations(
    brief: Brief,
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    sizes: tuple[TableSize, ...],
    paths: tuple[AccessPath, ...],
    *,
    service_ms: Mapping[str, float],
    p95_ms: Mapping[str, float],
    restore: RestoreModel | None = None,
    layout: ClusterLayout | None = None,
) -> OperationsPlan:
    """The operations design for ``brief`` on its target engine: ``catalog``/``sizes``/``paths`` are
    the design's (advised indexes included), ``service_ms``/``p95_ms`` each statement's estimated
    median and p95 latency; ``restore`` replaces the default restore model (a drill's measurement),
    ``layout`` the production host names and paths (a drill's loopback ports and directories)."""
    profile = operations_profile(traits.engine)
    machine = resolve_machine(brief)
    goals = brief.availability
    ws = working_set(sizes, workload, paths)
    data_now = sum(s.data_bytes_now + s.index_bytes_now for s in sizes)
    data_later = sum(s.total_bytes_at_horizon for s in sizes)
    first_log = log_volume(catalog, workload, traits, sizes, profile.log, checkpoint_s=900.0)
    restore_model = restore or default_restore_model(machine.throughput)
    restore_hours = restore_model.seconds(data_later, 0.0) / 3600.0
    read_cores = {
        s.name: s.rate * service_ms.get(s.name, 0.0) / 1000.0 for s in workload.statements if not s.is_write
    }
    staleness = {s.name: s.max_staleness for s in brief.workload.statements if s.max_staleness is not None}
    topology = plan_topology(
        goals,
        profile,
        workload,
        log_bytes_per_s=first_log.bytes_per_s,
        restore_hours=restore_hours,
        read_cores=read_cores,
        staleness=staleness,
        cores=machine.cores,
    )
    clients = brief.connections.client_connections if brief.connections else None
    pool, busy, pool_reason = plan_pool(workload, p95_ms, clients)
    needs = sort_needs(workload, catalog, paths, profile)
    sort_concurrency = sum(
        s.rate * p95_ms.get(s.name, 0.0) / 1000.0 for s in workload.statements if is_sorting(s)
    )
    changes: dict[str, float] = {}
    for s in workload.statements:
        target = s.write_target
        if target is not None and s.kind in (
            StatementKind.UPDATE,
            StatementKind.DELETE,
            StatementKind.UPSERT,
        ):
            rows = write_work(s, catalog, traits.latency).rows
            changes[target.table.key] = changes.get(target.table.key, 0.0) + s.rate * rows * 3600.0
    vacuum = _vacuum(changes, catalog, sizes)
    largest_index = max((i.bytes_at_horizon for s in sizes for i in s.indexes), default=0.0)
    sizing = plan_settings(
        profile=profile,
        machine=machine,
        working_set_bytes=ws.bytes,
        needs=needs,
        sort_concurrency=sort_concurrency,
        pool=pool,
        pool_reason=pool_reason,
        nodes=topology.nodes,
        log=first_log,
        has_replica=topology.replicas > 0,
        rto_s=goals.rto if goals else 4 * 3600.0,
        full_backup_interval_days=7.0,
        vacuum=vacuum,
        largest_index_bytes=largest_index,
    )
    log = log_volume(catalog, workload, traits, sizes, profile.log, checkpoint_s=sizing.checkpoint_s.value)
    change_per_day = sum(s.rate * s.bytes_per_execution * 86400.0 for s in log.statements)
    backup = plan_backup(
        brief.backup,
        goals,
        data_bytes_at_horizon=data_later,
        log_bytes_per_day=log.bytes_per_day,
        change_bytes_per_day=min(data_later, change_per_day),
        restore=restore_model,
        has_replicas=topology.replicas > 0,
        archivable=profile.log.archivable,
    )
    capacity = _capacity(
        brief,
        catalog,
        workload,
        traits,
        sizes,
        paths,
        machine,
        profile,
        log,
        sizing,
        pool,
        service_ms,
        data_now,
    )
    base = layout or default_layout(brief, profile, topology, pool, backup)
    base = replace(
        base,
        replication=topology.replication,
        timing=topology.timing if layout is None else base.timing,
        backup=backup.schedule if layout is None else base.backup,
        pool=pool if layout is None else base.pool,
        vacuum=vacuum,
    )
    settings = profile.server_settings(sizing, base)
    final = replace(base, settings=settings)
    files = tuple(sorted(profile.render(final).items()))
    return OperationsPlan(
        engine=str(brief.engine),
        profile=profile,
        brief=brief,
        machine=machine,
        topology=topology,
        backup=backup,
        capacity=capacity,
        pool=pool,
        pool_reason=pool_reason,
        busy_connections=busy,
        sizing=sizing,
        sort_needs=needs,
        layout=final,
        files=files,
        runbooks=profile.runbooks(final),
        defaults=_defaults(brief, machine),
    )


def _vacuum(
    changes: dict[str, float], catalog: Catalog, sizes: tuple[TableSize, ...]
) -> tuple[TableVacuum, ...]:
    by_table = {s.table.lower(): s for s in sizes}
    out: list[TableVacuum] = []
    for key, per_hour in sorted(changes.items()):
        table = catalog.table(key)
        size = by_table.get(key)
        if table is None or size is None or size.rows_now <= 0 or per_hour <= 0:
            continue
        threshold = int(min(max(1000.0, per_hour), 0.2 * size.rows_now))
        default_hours = 0.2 * size.rows_now / per_hour
        out.append(
            TableVacuum(
                table.name.value,
                0.0,
                threshold,
                f"{table.name.value}: {per_hour:,.0f} rows updated or deleted an hour; vacuum after "
                f"{threshold:,} dead rows (~{threshold / per_hour * 60:,.0f} min of them) instead of 20% of "
                f"{size.rows_now:,.0f} rows (every {default_hours:,.1f} h by default)",
            )
        )
    return tuple(out)


def _capacity(
    brief: Brief,
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    sizes: tuple[TableSize, ...],
    paths: tuple[AccessPath, ...],
    machine: Machine,
    profile: OperationsProfile,
    log: LogVolume,
    sizing: ServerSizing,
    pool: PoolPlan,
    service_ms: Mapping[str, float],
    data_now: float,
) -> Capacity:
    days = timeline_days(brief.horizon)
    server_log = (
        sizing.log_retention_s.value * log.bytes_per_s
        if profile.log.retained_by_time
        else sizing.max_log_bytes.value + sizing.log_keep_bytes.value
    )
    connections = (pool.pool_size + pool.reserve + RESERVED_CONNECTIONS) * profile.connection_bytes
    storage: list[ResourcePoint] = []
    memory: list[ResourcePoint] = []
    cpu: list[ResourcePoint] = []
    iops: list[ResourcePoint] = []
    mbps: list[ResourcePoint] = []
    ckpt = sizing.checkpoint_s.value
    notes: list[str] = []
    for day in days:
        data = 0.0
        for s in sizes:
            table = catalog.table(s.table)
            growth = (rows_at(table, day) / s.rows_now) if table is not None and s.rows_now > 0 else 1.0
            data += (s.data_bytes_now + s.index_bytes_now) * growth
        storage.append(ResourcePoint(day, data + server_log))
        ws = working_set(sizes, workload, paths, catalog=catalog, day=day)
        memory.append(ResourcePoint(day, ws.bytes / CACHE_SHARE + connections))
        cpu.append(ResourcePoint(day, cpu_cores_needed(workload, service_ms, paths, sizes, catalog, day)))
        cache = sizing.effective_cache_bytes.value
        miss = 0.0 if ws.bytes <= 0 else max(0.0, 1.0 - cache / ws.bytes)
        random_reads, sequential = read_io(workload, paths, sizes, catalog, miss, profile.log.page_bytes, day)
        at_day = log_volume(catalog, workload, traits, sizes, profile.log, checkpoint_s=ckpt, day=day)
        flush = at_day.dirty_pages_per_checkpoint / max(1.0, ckpt * 0.9)
        iops.append(ResourcePoint(day, random_reads + at_day.commits_per_s + flush))
        mbps.append(
            ResourcePoint(
                day,
                at_day.bytes_per_s
                + flush * profile.log.page_bytes
                + random_reads * profile.log.page_bytes
                + sequential,
            )
        )
    resources = (
        Resource(
            "storage",
            "bytes",
            machine.disk_bytes,
            tuple(storage),
            f"tables and indexes with {format_size(server_log)} of {log.name} kept on the server",
        ),
        Resource(
            "memory",
            "bytes",
            machine.memory,
            tuple(memory),
            f"working set / {CACHE_SHARE:.0%} (the cache's share) + {format_size(connections)} of "
            "connections",
        ),
        Resource(
            "cpu",
            "cores",
            float(machine.cores),
            tuple(cpu),
            "rate x estimated service time, at most 70% of the cores",
        ),
        Resource(
            "iops",
            "IOPS",
            machine.iops,
            tuple(iops),
            "reads missing the cache + a log flush per commit + checkpoint page writes",
        ),
        Resource(
            "throughput",
            "bytes/s",
            machine.throughput,
            tuple(mbps),
            f"{log.name} + page writes + reads missing the cache, scans included",
        ),
    )
    outs = [(r.runs_out_day, r.name) for r in resources if r.runs_out_day is not None]
    first = min(outs) if outs else None
    if data_now <= 0:
        notes.append("no table has a row count: capacity counts the workload only")
    return Capacity(
        log,
        working_set(sizes, workload, paths),
        resources,
        (first[1], first[0]) if first else None,
        tuple(notes),
    )
