"""Calibrate an engine's latency model: a fixed micro-workload measured on a scratch database, and
the model's coefficients fitted to it by least squares.

The micro-workload (``dbarchitect/data/calibration``: a brief of seven tables and 34 statements) is
built, filled and replayed exactly as ``dbarch verify`` does it (:func:`verify_design`): the same
synthetic data, the same parameter draws, writes in rolled-back transactions, p50 and p95 latency
per statement. Each statement is then described as the latency model sees it - its plan cost from the
built-in cost model at the loaded sizes, whether it writes, the rows it writes and the index entries
that costs (:func:`~dbarchitect.advisors.latency.write_work`), its cost split into page reads and
the rest - and six coefficients of :class:`~dbarchitect.engines.traits.LatencyModel` are fitted to
the measured medians, non-negative, so that the squared log of every estimate/measurement ratio is
least (:func:`fit_latency`): each statement weighs the same whether it takes 0.05 ms or 50 ms, and
2x over weighs as much as 2x under (the target is "within 2x"). Medians, because a p95 on a shared
machine carries the scheduler's noise (p95/p50 from 1.1 to 17 in one run); the model's p95 is the
median x ``p95_factor``, the median p95/p50 of the run. ``commit_ms`` is measured apart: the median
of a committed single-row INSERT minus the median of the same INSERT into a table of the same shape
rolled back.

Non-negative least squares over six unknowns is solved exactly: every subset of the coefficients by
the normal equations, the best one with no negative coefficient kept (Lawson and Hanson's active set,
enumerated: 63 small systems). ``ms_per_cost_unit``, for costs a planner gives only as totals, is
fitted last with the others held (:func:`fit_total_cost`).

The micro-workload is a measuring instrument, not an example: the examples are never fitted on, so
verifying them measures how well the calibration carries over to workloads it has not seen.
"""

from __future__ import annotations

import json
import math
import platform
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from itertools import combinations
from pathlib import Path
from typing import Any

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.latency import write_work
from dbarchitect.brief import load_brief
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import LatencyModel
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.ingest.sources import load_catalog, load_workload
from dbarchitect.model.catalog import Catalog
from dbarchitect.verify.replay import RATIO_TARGET, is_within_target, percentile, verify_design
from dbarchitect.verify.synthetic import ProgressCallback

#: The micro-workload's brief.
CALIBRATION_BRIEF = Path(__file__).resolve().parents[1] / "data" / "calibration" / "brief.yaml"
#: The INSERT that commits, and the rolled-back INSERT of the same shape it is compared with.
COMMITTED, ROLLED_BACK = "insert_commit", "insert_note"
#: The fitted coefficients, in the order of a feature row.
COEFFICIENTS = (
    "statement_ms",
    "write_ms",
    "row_write_ms",
    "index_entry_ms",
    "ms_per_io_unit",
    "ms_per_cpu_unit",
)


@dataclass(frozen=True)
class CalibrationPoint:
    """One micro-workload statement: what the model sees, what was measured, what the fit gives.

    Attributes:
        statement: The statement's name in the micro-workload.
        kind: ``select``, ``insert``, ``update`` or ``delete``.
        cost: The built-in cost model's plan cost at the loaded sizes, planner units.
        io: The part of ``cost`` charged for reading pages.
        write: Whether it writes.
        rows_written: Rows it writes (the model's estimate).
        index_entries: Index entries written or keys probed.
        p50_ms: Measured median (what the fit targets).
        p95_ms: Measured 95th percentile.
        fitted_ms: The fitted model's median.
        fitted_p95_ms: The fitted model's p95 (the median x ``p95_factor``).
        plan: The engine's plan, first lines.
        planner_cost: The engine's own plan cost (PostgreSQL's EXPLAIN total); None elsewhere.
    """

    statement: str
    kind: str
    cost: float
    io: float
    write: bool
    rows_written: float
    index_entries: float
    p50_ms: float
    p95_ms: float
    fitted_ms: float
    fitted_p95_ms: float
    plan: tuple[str, ...]
    planner_cost: float | None = None

    @property
    def features(self) -> tuple[float, float, float, float, float, float]:
        """The row the fit sees, in the order of :data:`COEFFICIENTS`."""
        w = 1.0 if self.write else 0.0
        io = min(self.io, self.cost)
        return (1.0, w, self.rows_written * w, self.index_entries * w, io, self.cost - io)

    @property
    def ratio(self) -> float:
        """Measured p95 over the fitted p95."""
        return self.p95_ms / self.fitted_p95_ms if self.fitted_p95_ms > 0 else float("inf")

    @property
    def median_ratio(self) -> float:
        """Measured p50 over the fitted median."""
        return self.p50_ms / self.fitted_ms if self.fitted_ms > 0 else float("inf")


@dataclass(frozen=True)
class Calibration:
    """A calibration run and the latency model fitted from it.

    Attributes:
        engine: The engine measured, e.g. ``PostgreSQL 15.20``.
        server: The server's own version string.
        database: Redacted URL of the scratch database (or ``sqlite (temporary file)``).
        scale: The fraction of the micro-workload's sizes loaded.
        seed: The seed of the data and parameters.
        model: The fitted latency model (its ``source`` names this run).
        points: Every statement fitted (the committed INSERT is not among them).
        commit_ms: ``(committed, rolled back)`` medians of the single-row INSERTs behind ``commit_ms``.
        measured_at: When (UTC, ISO 8601).
        machine: ``platform`` of the client running the calibration.
        notes: What was left out of the fit, and why.
    """

    engine: str
    server: str
    database: str
    scale: float
    seed: int
    model: LatencyModel
    points: tuple[CalibrationPoint, ...]
    commit_ms: tuple[float, float]
    measured_at: str
    machine: str
    notes: tuple[str, ...] = ()

    @property
    def ratios(self) -> list[float]:
        return sorted(p.ratio for p in self.points)

    @property
    def within_target(self) -> int:
        return sum(1 for r in self.ratios if is_within_target(r))

    @property
    def cost_unit_from_planner(self) -> bool:
        """Whether ``ms_per_cost_unit`` was fitted on the engine planner's own costs (every point has
        one) rather than the built-in model's."""
        return _planner_costs(self.points)

    @property
    def medians_within_target(self) -> int:
        return sum(1 for p in self.points if is_within_target(p.median_ratio))


def _planner_costs(points: Sequence[CalibrationPoint]) -> bool:
    return bool(points) and all(p.planner_cost is not None for p in points)


# ---------------------------------------------------------------------------------------------
# Fitting


def _solve(a: list[list[float]], b: list[float]) -> list[float] | None:
    """``a x = b`` by Gaussian elimination with partial pivoting; None when singular."""
    n = len(b)
    m = [[*row, b[i]] for i, row in enumerate(a)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if abs(m[pivot][col]) < 1e-12:
            return None
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(n):
            if r != col:
                f = m[r][col] / m[col][col]
                for c in range(col, n + 1):
                    m[r][c] -= f * m[col][c]
    return [m[i][n] / m[i][i] for i in range(n)]


def _nnls(rows: Sequence[Sequence[float]], target: Sequence[float]) -> list[float] | None:
    """Non-negative ``x`` minimizing ``sum((rows @ x - target)^2)``: every subset of the coefficients
    solved by the normal equations, the best feasible one kept."""
    width = len(rows[0])
    best: tuple[float, list[float]] | None = None
    for size in range(1, width + 1):
        for subset in combinations(range(width), size):
            a = [[sum(r[i] * r[j] for r in rows) for j in subset] for i in subset]
            b = [sum(r[i] * t for r, t in zip(rows, target, strict=True)) for i in subset]
            solved = _solve(a, b)
            if solved is None or any(v < 0 for v in solved):
                continue
            x = [0.0] * width
            for i, v in zip(subset, solved, strict=True):
                x[i] = v
            residual = sum(
                (sum(c * v for c, v in zip(r, x, strict=True)) - t) ** 2
                for r, t in zip(rows, target, strict=True)
            )
            if best is None or residual < best[0] - 1e-15:
                best = (residual, x)
    return best[1] if best is not None else None


def _log_error(rows: Sequence[Sequence[float]], measured: Sequence[float], x: Sequence[float]) -> float:
    total = 0.0
    for r, m in zip(rows, measured, strict=True):
        p = sum(c * v for c, v in zip(r, x, strict=True))
        if p <= 0:
            return math.inf
        total += math.log(p / m) ** 2
    return total


def fit_latency(rows: Sequence[Sequence[float]], measured: Sequence[float]) -> list[float]:
    """Non-negative coefficients ``x`` minimizing ``sum(log((rows @ x) / measured)^2)``: the squared
    log of each statement's estimate/measurement ratio, so being 2x over and 2x under weigh the same
    (the target is "within 2x"). Started from the least squares of relative error, then Gauss-Newton
    on the logs (linearized around the current estimate), each step a non-negative least squares,
    halved until the error falls."""
    if not rows or any(m <= 0 for m in measured):
        raise ValueError("need at least one row and positive measurements")
    x = _nnls([[v / m for v in row] for row, m in zip(rows, measured, strict=True)], [1.0] * len(rows))
    if x is None:
        raise ValueError("no non-negative fit")
    error = _log_error(rows, measured, x)
    for _ in range(100):
        estimates = [max(sum(c * v for c, v in zip(r, x, strict=True)), 1e-12) for r in rows]
        linear = [[v / p for v in r] for r, p in zip(rows, estimates, strict=True)]
        target = [1.0 + math.log(m / p) for m, p in zip(measured, estimates, strict=True)]
        step = _nnls(linear, target)
        if step is None:
            break
        improved = False
        for _ in range(30):
            if (e := _log_error(rows, measured, step)) < error - 1e-12:
                x, error, improved = step, e, True
                break
            step = [(a + b) / 2 for a, b in zip(x, step, strict=True)]
        if not improved:
            break
    return x


def fit_total_cost(fixed: Sequence[float], costs: Sequence[float], measured: Sequence[float]) -> float:
    """The one coefficient ``k`` for costs known only as totals (a planner's): ``fixed + k x cost``
    closest to ``measured`` in squared log ratio, the other terms held at their fitted values.
    A search over 10^-8 .. 10 ms/unit, refined around the best point."""

    def error(k: float) -> float:
        total = 0.0
        for f, c, m in zip(fixed, costs, measured, strict=True):
            estimate = f + k * c
            if estimate <= 0:
                return math.inf
            total += math.log(estimate / m) ** 2
        return total

    low, high = -8.0, 1.0
    best = low
    for _ in range(4):
        grid = [low + (high - low) * i / 60 for i in range(61)]
        best = min(grid, key=lambda e: error(10**e))
        step = (high - low) / 60
        low, high = best - step, best + step
    return float(10**best)


# ---------------------------------------------------------------------------------------------
# The run


def calibrate(
    url: str | None = None,
    *,
    scale: float = 1.0,
    seconds_per_statement: float = 2.0,
    repetitions: int = 300,
    seed: int = 0,
    progress: ProgressCallback | None = None,
) -> Calibration:
    """Run the micro-workload on the empty scratch database at ``url`` (None: SQLite in a temporary
    file) at ``scale`` x its sizes and fit the engine's latency model (see the module docstring)."""
    if scale <= 0 or scale > 10:
        raise DbarchError(Diagnostic(f"--scale {scale:g} is out of range", hint="give a number in (0, 10]"))
    file = str(CALIBRATION_BRIEF)
    brief = load_brief(CALIBRATION_BRIEF)
    catalog = load_catalog(brief, file=file)
    workload = load_workload(brief, catalog, file=file)
    traits = get_traits(brief.engine.name, brief.engine.version)
    sized: list[Catalog] = []
    v = verify_design(
        catalog,
        workload,
        traits,
        url=url,
        scale=scale,
        seconds_per_statement=seconds_per_statement,
        repetitions=repetitions,
        progress=progress,
        seed=seed,
        estimates={},
        committed=(COMMITTED,),
        on_loaded=sized.append,
    )
    failed = [f"{s.name}: {s.error}" for s in v.statements if s.errors or s.p95_ms is None]
    if failed:
        raise DbarchError(
            Diagnostic(
                f"the calibration workload failed on {v.engine}: " + "; ".join(failed[:3]),
                hint="calibrate on an empty scratch database the user can create tables in",
            )
        )
    run_traits = get_traits(*_engine_and_version(v.engine))
    loaded = sized[0]
    costs = BuiltinCostModel(loaded, run_traits)
    measured = {s.name: s for s in v.statements}
    points: list[CalibrationPoint] = []
    for statement in workload.statements:
        if statement.name == COMMITTED:
            continue
        result = measured[statement.name]
        assert result.p50_ms is not None and result.p95_ms is not None
        work = write_work(statement, loaded, run_traits.latency)
        plan = costs.plan_cost(statement, frozenset())
        points.append(
            CalibrationPoint(
                statement.name,
                statement.kind.value,
                plan.cost,
                plan.io if plan.io is not None else 0.0,
                work.write,
                work.rows,
                work.index_entries,
                result.p50_ms,
                result.p95_ms,
                0.0,
                0.0,
                result.plan[:4],
                result.planner_cost,
            )
        )
    x = fit_latency([p.features for p in points], [p.p50_ms for p in points])
    factor = percentile(sorted(p.p95_ms / p.p50_ms for p in points), 0.5)
    points = [
        replace(
            p,
            fitted_ms=(m := sum(c * f for c, f in zip(x, p.features, strict=True))),
            fitted_p95_ms=m * factor,
        )
        for p in points
    ]
    # ms_per_cost_unit serves the planner's total costs (a design made against a live database):
    # fitted on the engine's own plan costs where its EXPLAIN gives them, else on the built-in model's
    planner = _planner_costs(points)
    per_unit = fit_total_cost(
        [p.fitted_ms - x[4] * p.features[4] - x[5] * p.features[5] for p in points],
        [p.planner_cost if planner and p.planner_cost is not None else p.cost for p in points],
        [p.p50_ms for p in points],
    )
    committed, rolled_back = measured[COMMITTED].p50_ms or 0.0, measured[ROLLED_BACK].p50_ms or 0.0
    when = datetime.now(UTC).replace(microsecond=0).isoformat()
    machine = (
        f"{platform.machine()}, {platform.system()} {platform.release()}, Python {platform.python_version()}"
    )
    model = replace(
        run_traits.latency,
        statement_ms=round(x[0], 6),
        write_ms=round(x[1], 6),
        row_write_ms=round(x[2], 6),
        index_entry_ms=round(x[3], 6),
        ms_per_io_unit=round(x[4], 8),
        ms_per_cpu_unit=round(x[5], 8),
        ms_per_cost_unit=round(per_unit, 8),
        commit_ms=round(max(0.0, committed - rolled_back), 6),
        p95_factor=round(factor, 4),
        probe_ms=round(v.probe_ms, 6),
        source=f"fitted by dbarch calibrate on {v.engine} ({v.server}), {when}, scale {scale:g}, {machine}",
    )
    return Calibration(
        v.engine,
        v.server,
        v.database,
        scale,
        seed,
        model,
        tuple(points),
        (committed, rolled_back),
        when,
        machine,
        v.notes,
    )


def _engine_and_version(label: str) -> tuple[str, str | None]:
    """``PostgreSQL 15.20`` -> (``postgresql``, ``15.20``)."""
    name, _, version = label.partition(" ")
    return name.lower(), version or None


# ---------------------------------------------------------------------------------------------
# Files and reports


def latency_model_json(model: LatencyModel) -> str:
    """The model as the JSON ``--calibration FILE`` reads."""
    return json.dumps({"latency_model": asdict(model)}, indent=2, sort_keys=True) + "\n"


def load_latency_model(path: str | Path) -> LatencyModel:
    """A latency model from a ``dbarch calibrate -o FILE`` (or ``-f json``) output."""
    file = str(path)
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DbarchError(
            Diagnostic("no such file", file=file, hint="give a `dbarch calibrate -o` file")
        ) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DbarchError(
            Diagnostic(f"not a calibration file: {exc.__class__.__name__}", file=file)
        ) from None
    raw = data.get("latency_model") if isinstance(data, dict) else None
    if not isinstance(raw, dict):
        raise DbarchError(
            Diagnostic("no latency_model object in it", file=file, hint="give a `dbarch calibrate -o` file")
        )
    try:
        return LatencyModel(**raw)
    except TypeError as exc:
        raise DbarchError(Diagnostic(f"latency_model: {exc}", file=file)) from None


def _summary(c: Calibration) -> dict[str, Any]:
    ratios = c.ratios
    return {
        "count": len(ratios),
        "within_2x": c.within_target,
        "min": round(ratios[0], 3),
        "p25": round(percentile(ratios, 0.25), 3),
        "median": round(percentile(ratios, 0.5), 3),
        "p75": round(percentile(ratios, 0.75), 3),
        "max": round(ratios[-1], 3),
        "medians_within_2x": c.medians_within_target,
    }


def calibration_json(c: Calibration) -> str:
    """The run as JSON; its ``latency_model`` is what ``--calibration FILE`` reads."""
    doc = asdict(c)
    doc["latency_model"] = doc.pop("model")
    for p, out in zip(c.points, doc["points"], strict=True):
        out["ratio"] = round(p.ratio, 4)
    doc["fit"] = _summary(c)
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def calibration_markdown(c: Calibration) -> str:
    """The run as Markdown: the fitted model, then every statement measured against it."""
    m = c.model
    s = _summary(c)
    fitted_on = "the engine planner" if c.cost_unit_from_planner else "the built-in model"
    lines = [
        f"# Latency calibration on {c.engine}",
        "",
        f"Server: {c.server}. Database: {c.database}; scale {c.scale:g}; seed {c.seed}; {c.measured_at}.",
        f"Client: {c.machine}.",
        "",
        "| coefficient | value |",
        "|---|---:|",
        f"| statement_ms (every statement) | {m.statement_ms:.4g} |",
        f"| write_ms (per write statement) | {m.write_ms:.4g} |",
        f"| row_write_ms (per row written) | {m.row_write_ms:.4g} |",
        f"| index_entry_ms (per index entry or key probe) | {m.index_entry_ms:.4g} |",
        f"| ms_per_io_unit (per planner unit of page reads) | {m.ms_per_io_unit:.4g} |",
        f"| ms_per_cpu_unit (per planner unit of the rest) | {m.ms_per_cpu_unit:.4g} |",
        f"| ms_per_cost_unit (per planner unit of a total cost; fitted on {fitted_on}'s costs) "
        f"| {m.ms_per_cost_unit:.4g} |",
        f"| commit_ms (committed {c.commit_ms[0]:.3f} - rolled back {c.commit_ms[1]:.3f} ms, medians) "
        f"| {m.commit_ms:.4g} |",
        f"| p95_factor (median p95/p50) | {m.p95_factor:.4g} |",
        f"| probe_ms (speed probe: a 200-row recursive CTE, median) | {m.probe_ms:.4g} |",
        "",
        f"Fit: medians {s['medians_within_2x']} of {s['count']} within {RATIO_TARGET:g}x of the fitted "
        f"median; p95 {s['within_2x']} of {s['count']} within {RATIO_TARGET:g}x of the fitted p95 (ratio "
        f"min {s['min']:g}, p25 {s['p25']:g}, median {s['median']:g}, p75 {s['p75']:g}, max {s['max']:g}).",
        "",
        "| statement | kind | cost | of it page reads | planner cost | rows written | index entries | p50 ms "
        "| fitted p50 | p95 ms | fitted p95 | p95 ratio | plan |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for p in c.points:
        plan = "; ".join(line.strip() for line in p.plan[:2]).replace("|", "\\|")
        lines.append(
            f"| {p.statement} | {p.kind} | {p.cost:,.1f} | {p.io:,.1f} | "
            f"{'-' if p.planner_cost is None else format(p.planner_cost, ',.1f')} | {p.rows_written:,.0f} | "
            f"{p.index_entries:,.0f} | {p.p50_ms:.3f} | {p.fitted_ms:.3f} | {p.p95_ms:.3f} | "
            f"{p.fitted_p95_ms:.3f} | {p.ratio:.2f} | {plan} |"
        )
    if c.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in c.notes]
    return "\n".join(lines) + "\n"


def calibration_text(c: Calibration) -> str:
    """The run as plain text: the fitted model and the fit's ratio distribution."""
    m = c.model
    s = _summary(c)
    return (
        f"Latency model of {c.engine} ({c.server}), fitted on {len(c.points)} statements "
        f"at scale {c.scale:g}:\n"
        f"  statement_ms     {m.statement_ms:.4g}   per statement\n"
        f"  write_ms         {m.write_ms:.4g}   per write statement\n"
        f"  row_write_ms     {m.row_write_ms:.4g}   per row written\n"
        f"  index_entry_ms   {m.index_entry_ms:.4g}   per index entry written or key probed\n"
        f"  ms_per_io_unit   {m.ms_per_io_unit:.4g}   per planner unit of page reads\n"
        f"  ms_per_cpu_unit  {m.ms_per_cpu_unit:.4g}   per planner unit of the rest\n"
        f"  ms_per_cost_unit {m.ms_per_cost_unit:.4g}   per planner unit of a total cost\n"
        f"  commit_ms        {m.commit_ms:.4g}   per commit of a write\n"
        f"  p95_factor       {m.p95_factor:.4g}   p95 / p50\n"
        f"  probe_ms         {m.probe_ms:.4g}   speed probe (200-row recursive CTE), median\n"
        f"Fit: medians {s['medians_within_2x']} of {s['count']} within {RATIO_TARGET:g}x; "
        f"p95 {s['within_2x']} of {s['count']} (ratio min {s['min']:g}, p25 {s['p25']:g}, "
        f"median {s['median']:g}, p75 {s['p75']:g}, max {s['max']:g}).\n"
    )
