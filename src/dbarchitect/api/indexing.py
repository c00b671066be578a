"""Index advice for a brief: the what-if backend (HypoPG or the built-in model), the search's
budget, and the search itself."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlsplit

from dbarchitect.advisors.indexes.advisor import Algorithm, IndexAdvice, Progress
from dbarchitect.advisors.indexes.advisor import recommend_indexes as _recommend_indexes
from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.cost import WhatIfBackend
from dbarchitect.advisors.indexes.planner import HypoPGBackend
from dbarchitect.advisors.indexes.selection import DEFAULT_FLOOR_ELASTICITY, Budget
from dbarchitect.api.inspection import inspect_brief
from dbarchitect.brief import Brief
from dbarchitect.errors import Diagnostic, UnsupportedError
from dbarchitect.model.names import EngineName
from dbarchitect.results import Inspection

#: The wall-clock safety net of the index search in ``design`` (and the MCP tool's default): far
#: above what the work budget takes (bench/scale's 400-table brief: 26 s of CPU for the whole
#: search), so it stops a search only on a machine far slower or busier than expected, and the
#: advice then says it is not reproducible. The work budget (``Budget.work_limit``) is what decides.
DESIGN_INDEX_TIME_LIMIT_S = 300.0


def _planner_url(inspection: Inspection, database: str | None) -> str | None:
    """The PostgreSQL database to cost on: the one named, else the brief's ``source`` when it is
    PostgreSQL, else none (the built-in model)."""
    if database is not None:
        return database
    source = inspection.brief.schema_.source
    if source is not None and urlsplit(source.url).scheme.split("+")[0] in ("postgresql", "postgres"):
        return source.url
    return None


@contextmanager
def cost_backend(inspection: Inspection, database: str | None = None) -> Iterator[WhatIfBackend]:
    """The what-if backend for a brief: HypoPG on a named PostgreSQL database (read-only: hypothetical
    indexes live only in the session), else the built-in cost model."""
    url = _planner_url(inspection, database)
    if url is None:
        yield BuiltinCostModel(inspection.catalog, inspection.traits)
        return
    if inspection.traits.engine != EngineName.POSTGRESQL:
        raise UnsupportedError(
            Diagnostic(
                "planner costing with HypoPG needs a PostgreSQL target; "
                f"this brief targets {inspection.traits}",
                field="--database",
                hint="leave out --database to use the built-in cost model",
            )
        )
    with HypoPGBackend(url, inspection.catalog, dialect=inspection.brief.engine.name) as backend:
        yield backend


def _index_budget(
    inspection: Inspection,
    budget_bytes: float | None = None,
    time_limit_s: float | None = None,
    work_limit: int | None = None,
) -> Budget:
    """The index search's bounds. ``budget_bytes`` (``--budget``) is the storage budget as given.
    Without it, the default an architect would choose: the brief's ``budgets.index_storage``; else
    the room ``budgets.storage`` leaves beside the data and existing indexes at the horizon (in
    today's bytes); else as much as the data itself — and in all three a benefit floor
    (:data:`~dbarchitect.advisors.indexes.selection.DEFAULT_FLOOR_ELASTICITY`). The brief's write
    amplification bounds every table the workload writes. ``work_limit`` (planner calls) bounds the
    search reproducibly (``None``: scaled to the workload); ``time_limit_s`` is a safety net."""
    budgets = inspection.brief.budgets
    data_now = sum(s.data_bytes_now for s in inspection.sizes)
    floor: float | None = DEFAULT_FLOOR_ELASTICITY
    if budget_bytes is not None:
        storage, source, floor = budget_bytes, "--budget", None
    elif budgets.index_storage is not None:
        storage, source = float(budgets.index_storage), "budgets.index_storage"
    elif budgets.storage is not None:
        data_later = sum(s.data_bytes_at_horizon for s in inspection.sizes)
        existing = sum(s.index_bytes_at_horizon for s in inspection.sizes)
        growth = data_now / data_later if data_later > 0 else 1.0
        storage = max(0.0, (float(budgets.storage) - data_later - existing) * growth)
        source = "budgets.storage less the data and existing indexes at the horizon"
    elif data_now > 0:
        storage, source = data_now, "default: as much as the data (the brief sets no index budget)"
    else:
        storage, source, floor = None, "none: the brief gives no sizes and no index budget", None
    return Budget(
        storage_bytes=storage,
        write_amplification=budgets.write_amplification,
        work_limit=work_limit,
        time_limit_s=time_limit_s,
        floor_elasticity=floor,
        data_bytes=data_now or None,
        storage_source=source,
    )


def recommend_indexes(
    brief: Inspection | Brief | str | Path,
    *,
    database: str | None = None,
    budget_bytes: float | None = None,
    algorithm: Algorithm | str = Algorithm.GREEDY,
    time_limit_s: float | None = None,
    progress: Progress | None = None,
    file: str | None = None,
    strict: bool = False,
    work_limit: int | None = None,
    validate: str | None = None,
    validate_scale: float = 0.01,
    validate_runs: int = 5,
) -> IndexAdvice:
    """Indexes for the brief's workload within its budget (``budget_bytes`` overrides the brief's
    ``budgets.index_storage``), costed by the real planner when a PostgreSQL database is named.

    A statement that cannot be analyzed or planned is left out of the advice and listed with its
    reason (``IndexAdvice.left_out``); ``strict`` refuses the brief instead.

    The search stops at its work budget, ``work_limit`` planner calls (default: scaled to the
    workload, :func:`~dbarchitect.advisors.indexes.selection.default_work_limit`), so the same brief
    gets the same advice on any machine; ``time_limit_s`` is only a wall-clock safety net, and advice
    it cut short says so (``stopped_by == "time_limit"``, ``reproducible`` false, a note).

    ``validate`` names an empty scratch database on which the advice is then built for real over
    synthetic data at ``validate_scale`` of the brief's rows, every statement timed before and after
    (median of ``validate_runs`` warm runs); an index no real plan uses, or after which a statement
    is more than 10% slower, is removed (``IndexAdvice.validation`` says which and why)."""
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file, strict=strict)
    budget = _index_budget(inspection, budget_bytes, time_limit_s, work_limit)
    with cost_backend(inspection, database) as backend:
        advice = _recommend_indexes(
            inspection.catalog,
            inspection.workload,
            inspection.traits,
            backend,
            budget,
            algorithm=Algorithm(algorithm),
            horizon_days=inspection.brief.horizon,
            progress=progress,
            strict=strict,
        )
    if validate is None:
        return advice
    from dbarchitect.verify.index_validation import validate_index_advice

    validation = validate_index_advice(
        advice,
        inspection.catalog,
        inspection.workload,
        inspection.traits,
        validate,
        scale=validate_scale,
        runs=validate_runs,
        progress=(lambda stage, done, total: progress(done, total, advice.cost)) if progress else None,
    )
    kept = tuple(r for r in advice.recommended if r.name in validation.kept)
    return replace(
        advice,
        recommended=kept,
        size_bytes=sum(r.size_bytes for r in kept),
        validation=validation,
    )
