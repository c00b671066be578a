"""Drills that prove the operations design on real servers (``dbarch drill``).

A drill starts the topology the design generated — for PostgreSQL a 3-node Patroni cluster with etcd,
a PgBouncer per node and a pgBackRest repository; for MariaDB a primary and a semi-synchronous
replica with mariadb-backup — on loopback, everything in a temporary directory under the scratch
directory, and stops every process it started at the end. On it:

1. it fills the data at the drill's scale (``verify``'s synthetic data) and runs the brief's write mix
   at its rates (in proportion, capped at ``DrillOptions.rate``), each commit recorded in a ledger;
2. it kills the primary with SIGKILL ``kills`` times, measuring the time until a write commits again
   and every acknowledged commit the new primary lacks;
3. it backs up, restores to a point in time on a new instance and compares every table's checksum
   with the source at that point; the restore's copy grows with the bytes while starting the server
   and replaying the log do not, which projects the restore to twice the scale (checked against the
   same backup and point-in-time restore measured there) and to the brief's full size;
4. it measures the change log's volume under the write mix against the capacity model's estimate,
   and the replica lag;
5. it replays the reads at concurrency through the pool with the generated sort memory and with the
   engine's default, counting the bytes written to temporary files, and reports the pool's wait.
"""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbarchitect.advisors.access_paths import access_paths
from dbarchitect.advisors.operations import plan_operations
from dbarchitect.advisors.operations.plan import service_times
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.brief import Brief, DiskSpec, DiskType, HardwareSpec
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import Diagnostic
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Workload
from dbarchitect.verify.drill import mariadb, postgres
from dbarchitect.verify.drill.model import (
    DrillOptions,
    DrillResult,
    KillResult,
    LogResult,
    RestoreResult,
    TempResult,
)
from dbarchitect.verify.drill.processes import DrillError
from dbarchitect.verify.drill.workload import DrillWorkload, scaled_catalog

__all__ = [
    "DrillError",
    "DrillOptions",
    "DrillResult",
    "KillResult",
    "LogResult",
    "RestoreResult",
    "TempResult",
    "run_drill",
]

#: Memory the drill's servers are sized for (each of them; several run on one machine).
DRILL_MEMORY = 2 * 10**9

_RUNNERS = {EngineName.POSTGRESQL: postgres.run_drill, EngineName.MARIADB: mariadb.run_drill}


def _target(brief: Brief, engine: str | None) -> EngineTraits:
    wanted = engine.strip().lower() if engine else None
    for spec in brief.engines:
        if wanted is None or spec.name.value == wanted or str(spec).lower() == wanted:
            traits = get_traits(spec.name, spec.version)
            if traits.engine in _RUNNERS:
                return traits
            if wanted is not None or spec == brief.engine:
                servers = [str(s) for s in brief.engines if s.name in _RUNNERS]
                raise DrillError(
                    Diagnostic(
                        f"{spec} has no server topology to drill: drills run PostgreSQL (Patroni) and "
                        "MariaDB (semi-synchronous replication)",
                        field="--engine",
                        hint=f"drill one of the brief's engines: {', '.join(servers)}"
                        if servers
                        else "add postgresql 15 or mariadb 10.11 to the brief's portable_to",
                    )
                )
    raise DrillError(
        Diagnostic(
            f"the brief does not name engine {engine!r}",
            field="--engine",
            hint=f"one of: {', '.join(str(s) for s in brief.engines)}",
        )
    )


def run_drill(
    brief: Brief,
    catalog: Catalog,
    workload: Workload,
    source: EngineTraits,
    scratch_dir: Path,
    options: DrillOptions,
    *,
    engine: str | None = None,
    progress: Callable[[str], None] | None = None,
    keep: bool = False,
) -> DrillResult:
    """Drill the operations design of ``brief`` (``catalog``: the design, advised indexes included)
    on its target engine, or ``engine`` (one of the brief's engines), in a new directory under
    ``scratch_dir`` (removed afterwards unless ``keep``); see the module docstring."""
    if not 0 < options.scale <= 1:
        raise DrillError(
            Diagnostic(f"--scale {options.scale:g} is out of range", hint="give a number in (0, 1]")
        )
    if options.kills < 0 or options.kills > 100:
        raise DrillError(Diagnostic("--kills must be between 0 and 100"))
    target = _target(brief, engine)
    say = progress or (lambda _: None)
    started = time.monotonic()
    hardware = HardwareSpec(cores=os.cpu_count() or 2, memory=DRILL_MEMORY, disk=DiskSpec(type=DiskType.SSD))
    drill_brief = brief.model_copy(update={"hardware": hardware})
    scaled = scaled_catalog(catalog, options.scale)
    sizes = tuple(estimate_table_size(t, target, brief.horizon) for t in scaled.tables)
    paths = tuple(p for s in workload.statements for p in access_paths(s, scaled))
    median, p95 = service_times(workload, scaled, target, None)
    plan = plan_operations(drill_brief, scaled, workload, target, sizes, paths, service_ms=median, p95_ms=p95)
    writes = sum(s.rate for s in workload.statements if s.is_write)
    rate = min(options.rate, writes) if writes > 0 else options.rate
    work = DrillWorkload(catalog, workload, source, target, options.scale, rate, options.seed)
    full = sum(estimate_table_size(t, target, brief.horizon).total_bytes_at_horizon for t in catalog.tables)
    scratch_dir.mkdir(parents=True, exist_ok=True)
    root = Path(tempfile.mkdtemp(prefix="dbarch-drill-", dir=scratch_dir))
    os.chmod(root, 0o755)
    previous = _stop_on_terminate()
    try:
        try:
            out = _RUNNERS[target.engine](plan, work, root, options, full_bytes=full, progress=say)
        except DrillError:
            raise
        except Exception as exc:  # a server or driver failing under the drill is its result, said plainly
            lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
            raise DrillError(
                Diagnostic(
                    f"the drill failed: {type(exc).__name__}: {lines[0] if lines else ''}",
                    hint="rerun with --keep to keep the servers' logs in the scratch directory",
                )
            ) from exc
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    projected_2x, projected_full = _projections(out.restores, full)
    goals = brief.availability
    return DrillResult(
        brief=brief.name,
        engine=str(target),
        scale=options.scale,
        replication=plan.topology.replication.mode
        + (" (strict)" if plan.topology.replication.strict else ""),
        rpo_s=goals.rpo if goals else None,
        rto_s=goals.rto if goals else None,
        estimated_failover_s=out.estimated_failover_s,
        ttl=out.ttl,
        timing=out.timing,
        kills=tuple(out.kills),
        restores=tuple(out.restores),
        projected_2x_s=projected_2x,
        projected_full_s=projected_full,
        full_bytes=full,
        log=out.log,
        temp=out.temp,
        validated=tuple(out.validated),
        seconds=time.monotonic() - started,
        notes=tuple(out.notes)
        + (
            (f"write rate capped at {rate:g}/s (the brief's write mix runs {writes:g}/s)",)
            if writes > rate
            else ()
        ),
    )


def _stop_on_terminate() -> Any:
    """Make SIGTERM unwind the drill (its ``finally`` stops every server it started); the previous
    handler, or None off the main thread."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def stop(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    return signal.signal(signal.SIGTERM, stop)


def _projections(restores: list[RestoreResult], full: float) -> tuple[float | None, float | None]:
    """Restore time at twice the drill's scale and at the brief's full size, from the restore at the
    drill's scale: its copy grows with the bytes, starting the server and replaying the log since the
    backup do not (the restore at twice the scale runs the same way: the writer going, to a point in
    time)."""
    one = next((r for r in restores if r.label == "1x"), None)
    two = next((r for r in restores if r.label == "2x"), None)
    if one is None or one.database_bytes <= 0 or one.copy_seconds <= 0:
        return None, None
    fixed = max(0.0, one.restore_seconds - one.copy_seconds)
    per_byte = one.copy_seconds / one.database_bytes
    projected_2x = fixed + per_byte * two.database_bytes if two is not None else None
    return projected_2x, fixed + per_byte * full
