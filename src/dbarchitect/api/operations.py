"""Operations: the topology, backups, configuration and runbooks; the drill that runs them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dbarchitect.advisors.access_paths import access_paths
from dbarchitect.advisors.indexes.advisor import IndexAdvice, with_advised_indexes
from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.advisors.operations import plan_operations as _plan_operations
from dbarchitect.advisors.operations.plan import service_times
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.api.indexing import DESIGN_INDEX_TIME_LIMIT_S, recommend_indexes
from dbarchitect.api.inspection import inspect_brief
from dbarchitect.brief import Brief
from dbarchitect.errors import DbarchError
from dbarchitect.results import Inspection
from dbarchitect.verify.drill import DrillOptions, DrillResult
from dbarchitect.verify.drill import run_drill as _run_drill


def drill_brief(
    brief: Inspection | Brief | str | Path,
    *,
    scratch_dir: str | Path,
    scale: float = 0.001,
    kills: int = 5,
    async_kills: int = 0,
    rate: float = 100.0,
    ttl: int | None = None,
    engine: str | None = None,
    log_seconds: float = 8.0,
    second_scale: bool = True,
    backups: bool = True,
    measure_log: bool = True,
    replay: bool = True,
    keep: bool = False,
    progress: Callable[[str], None] | None = None,
    file: str | None = None,
) -> DrillResult:
    """Start the brief's generated topology for real on loopback in a new directory under
    ``scratch_dir`` (removed afterwards unless ``keep``) and drill it: fill it at ``scale``, run the
    write mix (at most ``rate`` commits a second), kill the primary ``kills`` times, back up and
    restore to a point in time, measure the log volume, replica lag, temporary files and pool wait
    (see :mod:`dbarchitect.verify.drill`); ``async_kills`` more after switching a synchronous cluster to
    asynchronous replication (the loss is reported). ``ttl`` replaces the design's leader-key TTL (a test's
    shorter one); ``engine`` picks one of the brief's server engines (default: the target)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    catalog = inspection.catalog
    try:
        advice = recommend_indexes(inspection, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S)
        catalog = with_advised_indexes(catalog, advice, inspection.traits)
    except DbarchError:
        pass  # drilled as the brief gives it, without advised indexes
    options = DrillOptions(
        scale=scale,
        kills=kills,
        async_kills=async_kills,
        rate=rate,
        log_seconds=log_seconds,
        ttl=ttl,
        second_scale=second_scale,
        backups=backups,
        measure_log=measure_log,
        replay=replay,
    )
    return _run_drill(
        inspection.brief,
        catalog,
        inspection.workload,
        inspection.traits,
        Path(scratch_dir),
        options,
        engine=engine,
        progress=progress,
        keep=keep,
    )


def plan_operations(
    brief: Inspection | Brief | str | Path,
    *,
    advice: IndexAdvice | None = None,
    file: str | None = None,
) -> OperationsPlan:
    """The operations design of the brief on its target engine: topology from the availability goals,
    backups and restore time, capacity over the horizon, server configuration and pool, the files
    (Patroni, etcd, pgBackRest, PgBouncer, postgresql.conf; my.cnf, failover and backup scripts for
    MariaDB) and the runbooks. ``advice``: the index advice the design carries (computed when not
    given)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    if advice is None:
        try:
            advice = recommend_indexes(inspection, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S)
        except DbarchError:
            advice = None
    catalog = with_advised_indexes(inspection.catalog, advice, inspection.traits)
    traits = inspection.traits
    sizes = tuple(estimate_table_size(t, traits, inspection.brief.horizon) for t in catalog.tables)
    paths = tuple(p for s in inspection.workload.statements for p in access_paths(s, catalog))
    median, p95 = service_times(inspection.workload, catalog, traits, advice)
    return _plan_operations(
        inspection.brief,
        catalog,
        inspection.workload,
        traits,
        sizes,
        paths,
        service_ms=median,
        p95_ms=p95,
    )
