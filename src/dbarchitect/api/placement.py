"""Where rows live: partitioning per table and sharding over nodes."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path

from dbarchitect.advisors.operations.hardware import resolve_machine
from dbarchitect.advisors.partitioning import recommend_partitioning
from dbarchitect.advisors.sharding.advisor import ShardingAdvice
from dbarchitect.advisors.sharding.advisor import advise_sharding as _advise_sharding
from dbarchitect.api.inspection import inspect_brief
from dbarchitect.api.progress import StageProgress, _stage
from dbarchitect.brief import Brief, NodeSpec
from dbarchitect.engines.registry import get_traits
from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.names import EngineName
from dbarchitect.results import Inspection, PartitioningResult
from dbarchitect.verify.partitioning import PruningMeasurement, measure_pruning


def advise_partitioning(
    brief: Inspection | Brief | str | Path,
    *,
    engine_urls: Mapping[str, str] | None = None,
    today: date | datetime | None = None,
    file: str | None = None,
    progress: StageProgress | None = None,
) -> PartitioningResult:
    """Whether partitioning pays per table, the key and layout, what the engine's rules change, the
    maintenance plan and the migration (the built-in pruning model); with ``engine_urls`` (``{"postgresql":
    url, "mariadb": url}``: scratch databases, left as they were) every statement is also EXPLAINed
    against the partitioned design there and the partitions its plan reads are counted. ``today``
    anchors the partitions when no time column has a ``max`` in the brief's statistics."""
    _stage(progress, "reading the brief")
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    params = {s.name: dict(s.params) for s in inspection.brief.workload.statements if s.params}
    _stage(progress, "choosing keys and layouts")
    advice = recommend_partitioning(
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        horizon_days=inspection.brief.horizon,
        engine=inspection.brief.engine.name,
        params=params,
        today=today,
    )
    measurements: list[PruningMeasurement] = []
    for engine, url in _engine_urls(engine_urls).items():
        if get_traits(engine).partitioning.max_partitions == 0:
            raise UnsupportedError(
                Diagnostic(
                    f"{engine.value} has no table partitioning: nothing to measure there",
                    field="--engine-url",
                    hint="give a PostgreSQL or MariaDB/MySQL scratch database",
                )
            )
        _stage(progress, f"measuring pruning on {engine.value}")
        measurements.append(measure_pruning(advice, url, inspection.brief.engine.name, engine))
    return PartitioningResult(advice, tuple(measurements))


def _node_capacity(brief: Brief) -> NodeSpec:
    """The node the sharding advisor checks the brief against: the brief's ``node:``, with the memory
    and disk of its ``hardware:`` (or instance class) when given — the figures the operations
    design sizes the same node with."""
    if brief.hardware is None:
        return brief.node
    machine = resolve_machine(brief)
    update: dict[str, int] = {}
    if not machine.source("memory").startswith("default"):
        update["memory"] = int(machine.memory)
    if not machine.source("disk size").startswith("default"):
        update["storage"] = int(machine.disk_bytes)
    if not update:
        return brief.node
    return NodeSpec(**{**{f: getattr(brief.node, f) for f in brief.node.model_fields_set}, **update})


def advise_sharding(
    brief: Inspection | Brief | str | Path,
    *,
    simulate_executions: int = 0,
    seed: int = 0,
    file: str | None = None,
) -> ShardingAdvice:
    """Whether one node is enough for the brief (storage, write rate, working set against its
    ``node``), and how to spread it over many: a distribution column or reference copy per table,
    co-location groups, the shard count, the single-shard fraction of transactions and statements
    against baselines, skew, and the plans for Citus and Vitess. ``simulate_executions`` > 0 also
    counts distributed transactions on generated parameter values (seeded)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    return _advise_sharding(
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        inspection.sizes,
        inspection.paths,
        _node_capacity(inspection.brief),
        name=inspection.brief.name,
        simulate_executions=simulate_executions,
        seed=seed,
    )


def _engine_urls(urls: Mapping[str, str] | None) -> dict[EngineName, str]:
    out: dict[EngineName, str] = {}
    for name, url in (urls or {}).items():
        out[get_traits(name).engine] = url
    return out
