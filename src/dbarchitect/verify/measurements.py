"""What a verification measured: per statement its latencies against its SLO and the estimate beside
them; the whole run with its data and the speed probe."""

from __future__ import annotations

from dataclasses import dataclass, field

from dbarchitect.verify.synthetic import (
    Generation,
)

#: A ratio measured/estimated within this factor counts as "within" (the issue's 2x target).
RATIO_TARGET = 2.0


@dataclass(frozen=True)
class FullSizeProjection:
    """A statement's latency at the brief's full size, implied by measurements at two scales and the
    cost model's growth law between them (:mod:`dbarchitect.verify.projection`).

    Attributes:
        small_scale: The second, smaller scale measured (the first is the verification's ``scale``);
            None when only one was.
        small_p50_ms: Measured median at ``small_scale``.
        small_p95_ms: Measured p95 at ``small_scale``.
        model_growth: The growth the model's law predicts from ``small_scale`` to ``scale`` for the
            median measured at ``scale``.
        measured_growth: The measured growth from ``small_scale`` to ``scale``, read on the quietest
            tenth of the runs (p10 over p10; the medians when a p10 is missing): a busy machine
            adds time to some runs, never takes it away, so the low percentile is the plan's own.
        growth_agrees: Whether the measured growth is within :data:`GROWTH_TOLERANCE` x of the model's.
        full_estimated_p50_ms: The model's estimated median at the brief's size.
        full_p50_ms: The median implied at the brief's size.
        full_p95_ms: The p95 implied at the brief's size (the median x the p95/p50 measured at
            ``scale``): what the SLO is judged on.
        full_p99_ms: The p99 implied likewise.
        method: How the figures were carried to full size, in words.
    """

    small_scale: float | None
    small_p50_ms: float | None
    small_p95_ms: float | None
    model_growth: float | None
    measured_growth: float | None
    growth_agrees: bool | None
    full_estimated_p50_ms: float | None
    full_p50_ms: float | None
    full_p95_ms: float | None
    full_p99_ms: float | None
    method: str


#: The measured growth between two scales "agrees" with the model's when within this factor.
GROWTH_TOLERANCE = 1.5


@dataclass(frozen=True)
class StatementResult:
    """One statement replayed on the synthetic data, against its SLO.

    Attributes:
        name: The statement's name in the brief.
        kind: ``select``, ``insert``, ``update``, ``delete``...
        sql: The SQL as run on the scratch engine (transpiled, parameters in the driver's style).
        slo_p95_ms: The brief's p95 SLO in milliseconds, if it gives one.
        slo_p99_ms: The brief's p99 SLO in milliseconds, if it gives one.
        executions: Timed executions (bounded by the repetitions and seconds per statement).
        errors: Executions that failed.
        error: The first failure's message.
        p50_ms: Measured median latency, milliseconds.
        p95_ms: Measured 95th percentile latency, milliseconds.
        p99_ms: Measured 99th percentile latency, milliseconds.
        p10_ms: Measured 10th percentile latency, milliseconds: the quietest runs, which the growth
            between two scales is read on.
        plan: The plan the engine chose (EXPLAIN / EXPLAIN QUERY PLAN), one node per line.
        estimated_ms: The estimate beside the measurement: the built-in cost model's plan cost on
            the design at the loaded sizes, through the measured engine's latency model (see
            ``Verification.estimate_source``); ``None`` when the statement could not be costed.
        unbound: Parameters no column could be found for (bound to NULL), named so the result is
            not trusted blindly.
        supplied: Identity columns (``table.column``) the engine cannot fill itself, which the
            replay gives fresh values (SQLite: an identity that is not the rowid).
        estimated_p50_ms: The estimated median (``estimated_ms`` is it x the model's p95/p50).
        empty_tables: Tables the statement reads that got no rows: its figures measure nothing, and it
            is "not measured" (never "meets SLO").
        full_estimated_p50_ms: The model's estimated median at the brief's full size (the design's
            catalog as briefed, the same scaled latency model).
        projection: The latency at the brief's size implied by this scale and a second one; the
            SLO is judged on it when present.
        estimated_fixed_ms: The part of the estimated median that does not grow with the data (per
            statement, per write, the commit).
        estimated_cost: The plan cost behind the estimate, PostgreSQL planner units.
        estimate_detail: How the estimate adds up (per statement, writes, index entries, cost).
        committed: The write ran committed on its own (a calibration run), not rolled back.
        planner_cost: The engine's own plan cost for the statement on the loaded data (PostgreSQL's
            EXPLAIN total cost); None on engines whose EXPLAIN gives none.
        planner_estimated_ms: The estimated p95 from ``planner_cost`` through the latency model
            (its ``ms_per_cost_unit``): what a design made with ``--database`` estimates.
        planner_estimated_p50_ms: The estimated median from ``planner_cost``.
    """

    name: str
    kind: str
    sql: str
    slo_p95_ms: float | None
    slo_p99_ms: float | None
    executions: int
    errors: int
    error: str | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    plan: tuple[str, ...]
    estimated_ms: float | None = None
    unbound: tuple[str, ...] = ()
    supplied: tuple[str, ...] = ()
    estimated_p50_ms: float | None = None
    estimated_cost: float | None = None
    estimate_detail: str | None = None
    committed: bool = False
    planner_cost: float | None = None
    planner_estimated_ms: float | None = None
    planner_estimated_p50_ms: float | None = None
    empty_tables: tuple[str, ...] = ()
    p10_ms: float | None = None
    full_estimated_p50_ms: float | None = None
    projection: FullSizeProjection | None = None
    estimated_fixed_ms: float | None = None

    @property
    def measured(self) -> bool:
        """Whether the statement ran on data: at least one execution and no empty table read."""
        return self.executions > 0 and not self.empty_tables

    @property
    def judged_p95_ms(self) -> float | None:
        """The p95 the SLO is judged on: the full-size projection's when there is one, else the
        measurement at the scale run."""
        if self.projection is not None and self.projection.full_p95_ms is not None:
            return self.projection.full_p95_ms
        return self.p95_ms

    @property
    def judged_p99_ms(self) -> float | None:
        if self.projection is not None and self.projection.full_p99_ms is not None:
            return self.projection.full_p99_ms
        return self.p99_ms

    @property
    def planner_ratio(self) -> float | None:
        """Measured p95 over the estimate from the engine's own plan cost."""
        if self.p95_ms is None or not self.planner_estimated_ms:
            return None
        return self.p95_ms / self.planner_estimated_ms

    @property
    def ratio(self) -> float | None:
        """Measured p95 over the estimate."""
        if self.p95_ms is None or not self.estimated_ms:
            return None
        return self.p95_ms / self.estimated_ms

    @property
    def median_ratio(self) -> float | None:
        """Measured p50 over the estimated median (the model without its p95/p50 factor)."""
        if self.p50_ms is None or not self.estimated_p50_ms:
            return None
        return self.p50_ms / self.estimated_p50_ms

    @property
    def meets_slo(self) -> bool | None:
        """True/False against the p95 (and p99) SLO, judged on the full-size projection when there is
        one; None without an SLO or without a measurement (empty tables are not a measurement)."""
        p95, p99 = self.judged_p95_ms, self.judged_p99_ms
        if p95 is None or self.empty_tables or (self.slo_p95_ms is None and self.slo_p99_ms is None):
            return None
        ok = self.slo_p95_ms is None or p95 <= self.slo_p95_ms
        if self.slo_p99_ms is not None and p99 is not None:
            ok = ok and p99 <= self.slo_p99_ms
        return ok


#: Parameter draws per proof (the issue's bar).
MIN_DRAWS = 200


@dataclass(frozen=True)
class Equivalence:
    """One proof of same answers on one engine.

    Attributes:
        lever: What is proven (``offset-to-keyset``, ``summary daily_revenue_summary``...).
        statement: The statement it serves.
        phase: ``loaded data``, or ``after a burst of writes`` (summaries kept by triggers or refresh).
        engine: The engine it ran on.
        draws: Parameter draws compared.
        rows: Rows compared over all draws (both sides).
        mismatches: Draws whose answers differed.
        mismatch: The first difference, described.
        errors: Draws where a statement failed.
        error: The first failure.
    """

    lever: str
    statement: str
    phase: str
    engine: str
    draws: int
    rows: int
    mismatches: int
    mismatch: str | None = None
    errors: int = 0
    error: str | None = None
    wanted: int = MIN_DRAWS

    @property
    def ok(self) -> bool:
        return self.mismatches == 0 and self.errors == 0 and self.draws >= self.wanted

    def sentence(self) -> str:
        if self.ok:
            return (
                f"same answers for {self.draws} parameter draws ({self.rows:,} rows) on {self.engine}, "
                f"{self.phase}"
            )
        if self.mismatches:
            return f"DIFFERENT answers on {self.engine}, {self.phase}: {self.mismatch}"
        if self.errors:
            return f"not proven on {self.engine}, {self.phase}: {self.errors} draw(s) failed: {self.error}"
        return (
            f"not proven on {self.engine}, {self.phase}: only {self.draws} of {self.wanted} draws had rows "
            "to compare"
        )


@dataclass(frozen=True)
class TaxedWrite:
    """A write statement measured again with a summary's triggers in place."""

    statement: str
    summary: str
    before: StatementResult
    after: StatementResult


@dataclass(frozen=True)
class LeverResult:
    """One lever on the scratch engine.

    Attributes:
        kind: ``rewrite`` or ``summary``.
        lever: The rule's id, or the summary's name.
        statement: The statement it serves.
        proofs: Same-answer proofs (on the loaded data; for a summary, after the burst too).
        before: The statement as written, measured.
        after: The statement as the lever serves it, measured (None when dropped).
        taxed: The writes a summary's triggers tax, measured before and after.
        error: Why it could not be built or measured here.
        summary_rows: The summary's rows after its fill (a summary).
        burst: ``(writes run, writes refused)`` in the burst (a summary).
    """

    kind: str
    lever: str
    statement: str
    proofs: tuple[Equivalence, ...] = ()
    before: StatementResult | None = None
    after: StatementResult | None = None
    taxed: tuple[TaxedWrite, ...] = ()
    error: str | None = None
    summary_rows: int | None = None
    burst: tuple[int, int] | None = None

    @property
    def proven(self) -> bool:
        return self.error is None and bool(self.proofs) and all(p.ok for p in self.proofs)

    @property
    def verdict(self) -> str:
        if self.error is not None:
            return f"dropped: {self.error}"
        failed = [p for p in self.proofs if not p.ok]
        if failed:
            return f"dropped: {failed[0].sentence()}"
        return "proven: " + "; ".join(p.sentence() for p in self.proofs)


@dataclass(frozen=True)
class Verification:
    """The design built on a scratch database, filled with synthetic data and the workload replayed
    (``dbarchitect.verify_brief``, ``dbarch verify``).

    Attributes:
        engine: The engine measured on, e.g. ``SQLite 3.40`` or ``PostgreSQL 15``.
        database: Redacted URL of the scratch database, or ``sqlite (temporary file)``.
        scale: The fraction of the brief's row counts generated.
        seed: The seed of the synthetic data and the parameters.
        generation: The data generated: per table rows, rows dropped and seconds (``.tables``),
            total ``.rows``, ``.seconds`` and ``.rows_per_second``.
        statements: Every statement's measurement, in the brief's order.
        notes: What was not measured, and why.
        estimate_source: How the estimates were made: the cost model, the sizes it was given and
            the latency model's calibration (``None`` without estimates).
        server: The server's own version string (``15.20 (Debian ...)``, ``10.11.19-MariaDB``).
        probe_ms: The median of the speed probe (:data:`PROBE_SQL`, :data:`PROBE_RUNS` runs before
            each statement and after the last) on the scratch database, milliseconds.
        speed_factor: How much the latency model was scaled to the probe (its ``probe_ms`` over the
            calibration run's); 1.0 when not scaled.
        small_scale: The second scale measured to project each statement to the brief's size (None:
            one scale only, judged as measured).
        small_generation: The data generated at ``small_scale``.
        levers: The design's rewrites and summaries built here, proven and measured (a proven lever's
            measurement is its statement's in ``statements``).
    """

    engine: str
    database: str
    scale: float
    seed: int
    generation: Generation
    statements: tuple[StatementResult, ...]
    notes: tuple[str, ...] = field(default=())
    estimate_source: str | None = None
    server: str = ""
    probe_ms: float = 0.0
    speed_factor: float = 1.0
    small_scale: float | None = None
    small_generation: Generation | None = None
    levers: tuple[LeverResult, ...] = ()

    @property
    def not_measured(self) -> tuple[StatementResult, ...]:
        """Statements that read a table left empty: nothing was measured."""
        return tuple(s for s in self.statements if s.empty_tables)

    @property
    def ok(self) -> bool:
        """No statement missed its SLO, failed, or went unmeasured on empty tables (``dbarch verify``
        exits 1 otherwise)."""
        return all(s.meets_slo is not False and s.errors == 0 and not s.empty_tables for s in self.statements)

    @property
    def ratios(self) -> tuple[float, ...]:
        return tuple(sorted(r for s in self.statements if (r := s.ratio) is not None))

    @property
    def within_target(self) -> int:
        """Statements whose measured p95 is within :data:`RATIO_TARGET` x of the estimate."""
        return sum(1 for r in self.ratios if is_within_target(r))


def percentile(sorted_values: list[float], q: float) -> float:
    """The ``q`` quantile (0..1) with linear interpolation between the nearest ranks."""
    if len(sorted_values) == 1:
        return sorted_values[0]
    position = q * (len(sorted_values) - 1)
    low = int(position)
    high = min(low + 1, len(sorted_values) - 1)
    return sorted_values[low] + (sorted_values[high] - sorted_values[low]) * (position - low)


def is_within_target(ratio: float) -> bool:
    """Whether a measured/estimated ratio is within :data:`RATIO_TARGET` x, either way."""
    return 1 / RATIO_TARGET <= ratio <= RATIO_TARGET
