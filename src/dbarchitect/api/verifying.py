"""Verify a design against the SLOs on a scratch database, and calibrate an engine's latency model."""

from __future__ import annotations

from pathlib import Path

from dbarchitect.advisors.indexes.advisor import with_advised_indexes
from dbarchitect.advisors.levers import LeverSet
from dbarchitect.api.indexing import DESIGN_INDEX_TIME_LIMIT_S, recommend_indexes
from dbarchitect.api.inspection import inspect_brief
from dbarchitect.api.levers import _design_levers
from dbarchitect.api.progress import _index_progress, _stage
from dbarchitect.brief import Brief
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.results import Inspection
from dbarchitect.verify.calibration import Calibration, load_latency_model
from dbarchitect.verify.calibration import calibrate as _calibrate
from dbarchitect.verify.measurements import MIN_DRAWS
from dbarchitect.verify.projection import project_full_size
from dbarchitect.verify.replay import Verification, verify_design
from dbarchitect.verify.synthetic import ProgressCallback as VerifyProgress


def verify_brief(
    brief: Inspection | Brief | str | Path,
    *,
    engine_url: str | None = None,
    scale: float = 0.01,
    seconds_per_statement: float = 2.0,
    repetitions: int = 200,
    seed: int = 0,
    progress: VerifyProgress | None = None,
    file: str | None = None,
    calibration: str | Path | None = None,
    two_scales: bool = True,
    levers: bool = True,
    draws: int = MIN_DRAWS,
) -> Verification:
    """Build the brief's design (with the advised indexes) on a scratch database (``engine_url``, or
    SQLite in a temporary file), fill it with synthetic data following the brief's sizes (× ``scale``)
    and statistics, replay the workload and measure each statement. Beside each measurement goes the
    estimate for the data as loaded: the built-in cost model at the loaded sizes through the measured
    engine's latency model (or the one in the ``calibration`` file from ``dbarch calibrate -o``).

    The SLO is judged at the brief's size: with ``two_scales`` the design is first built and measured
    at ``scale`` / 4 (then its tables are dropped), and each statement's latency at full size is
    projected from both measurements and the cost model's growth law between them
    (:mod:`dbarchitect.verify.projection`); without, from the one measurement and the model.

    With ``levers`` the design's summary tables and rewrites (the same search as ``design``) are built too,
    each proven to return the statement's rows for ``draws`` parameter draws (a summary again after a
    burst of the brief's writes) and measured; a lever whose proof fails is dropped and reported."""
    if scale <= 0 or scale > 10:
        raise DbarchError(Diagnostic(f"--scale {scale:g} is out of range", hint="give a number in (0, 10]"))
    inspection = brief if isinstance(brief, Inspection) else inspect_brief(brief, file=file)
    latency = load_latency_model(calibration) if calibration is not None else None
    catalog = inspection.catalog
    _stage(progress, "choosing indexes")
    try:
        advice = recommend_indexes(
            inspection, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S, progress=_index_progress(progress)
        )
    except DbarchError:
        advice = None  # verified as the brief gives it, without advised indexes
    chosen: LeverSet | None = None
    if levers:
        _stage(progress, "summary tables and rewrites")
        lever_advice, advice, _ = _design_levers(inspection, advice)
        chosen = lever_advice.chosen if lever_advice is not None else None
    if advice is not None:
        catalog = with_advised_indexes(catalog, advice, inspection.traits)

    def run(at: float, *, drop_after: bool) -> Verification:
        def report(stage: str, done: int, total: int) -> None:
            if progress is not None:
                progress(f"{stage} at scale {at:g}", done, total)

        return verify_design(
            catalog,
            inspection.workload,
            inspection.traits,
            url=engine_url,
            scale=at,
            seconds_per_statement=seconds_per_statement,
            repetitions=repetitions,
            progress=report,
            seed=seed,
            latency=latency,
            full_catalog=catalog,
            drop_after=drop_after,
            levers=chosen,
            draws=draws,
        )

    small = run(scale / SMALL_SCALE_DIVISOR, drop_after=True) if two_scales else None
    return project_full_size(run(scale, drop_after=False), small)


#: ``verify`` measures at its scale and at the scale divided by this.
SMALL_SCALE_DIVISOR = 4.0


def calibrate_engine(
    engine_url: str | None = None,
    *,
    scale: float = 1.0,
    seconds_per_statement: float = 2.0,
    repetitions: int = 300,
    seed: int = 0,
    progress: VerifyProgress | None = None,
) -> Calibration:
    """Fit the latency model of the engine at ``engine_url`` (an EMPTY scratch database; None: SQLite
    in a temporary file) from a fixed micro-workload built, filled and replayed there (see
    :mod:`dbarchitect.verify.calibration`). Writes only to that database."""
    return _calibrate(
        engine_url,
        scale=scale,
        seconds_per_statement=seconds_per_statement,
        repetitions=repetitions,
        seed=seed,
        progress=progress,
    )
