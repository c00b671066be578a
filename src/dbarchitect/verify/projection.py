"""From two scales to the brief's size: the latency a statement would have on the data the brief
describes, implied by the cost model's growth law and checked against measurements at two scales.

A statement measured on 1% of the rows says little about the full table: a full scan of 400k rows
meets an SLO that a scan of 40M rows misses. ``dbarch verify`` therefore measures the design at two
scales, ``s`` and ``s/4`` (each on freshly generated data), and projects every statement to full size:

- **the model's growth law**: the built-in cost model estimates the statement at each scale and at
  the brief's size (it knows the plan: a key lookup stays flat, a scan grows with the rows, a sort a
  little faster). Its estimate is a fixed part (per statement, per write) plus a part that grows. The
  measured median at ``s`` minus the model's fixed part is carried to full size by the model's ratio
  of grown parts, and the fixed part added back:
  ``full = fixed + (measured(s) - fixed) x (estimate(full) - fixed) / (estimate(s) - fixed)``. A
  measurement at or below the fixed part is carried by the model's whole ratio instead.
- **the check**: the same law predicts the latency at ``s/4``; the measured growth from ``s/4`` to
  ``s`` is compared with the model's (they agree within :data:`GROWTH_TOLERANCE` x). The growth is
  read on the 10th percentiles, not the medians: a machine busy with other work adds time to some
  runs and never takes any away, so its quietest runs show the plan's own growth, where a median
  taken while another process held the CPU grew x16 between two scales for a one-row INSERT and
  was carried to full size as seconds.
- **when the data grew faster than the model says** (beyond the tolerance, and by more than the
  noise floor :data:`NOISE_MS`), the model misjudged the plan: the power law through both
  measurements is extended to full size too (its exponent kept within 0 and :data:`MAX_EXPONENT`),
  and the larger of the two projections is kept, saying so. Growth slower than the model's keeps the
  model's projection (the higher of the two) and says so.
- a statement the model cannot cost gets the power law through both measurements.

The p95 and p99 at full size are the median times the p95/p50 and p99/p50 measured at ``s``, up to
the model's p95/p50 factor; a measured tail beyond that factor is a hiccup of the machine, added
as measured rather than grown with the data. Both
scales' figures stay beside the projection; the SLO is judged on the projection. What no projection
sees: data that outgrows memory at full size (both scales usually fit in the cache), and a plan the
engine switches to only at full size.
"""

from __future__ import annotations

import math
from dataclasses import replace

from dbarchitect.verify.measurements import (
    GROWTH_TOLERANCE,
    FullSizeProjection,
    StatementResult,
    Verification,
)

#: Bounds of a power law's exponent through two measurements (0: flat; 1.1: about n log n over the
#: scales measured; faster growth between two small scales is noise or a cache, not the plan).
MAX_EXPONENT = 1.1
#: Growth between the scales smaller than this (milliseconds of median) is noise, not growth.
NOISE_MS = 0.1


def _power_law(m1: float, growth: float, s1: float, s2: float) -> float:
    """``m1`` carried from scale ``s1`` to 1 by the power law that grows ``growth`` x from ``s2`` to
    ``s1``."""
    exponent = math.log(growth) / math.log(s1 / s2) if growth > 0 and s1 != s2 else 0.0
    exponent = min(max(exponent, 0.0), MAX_EXPONENT)
    return float(m1 * (1 / s1) ** exponent)


def _tail(
    full: float | None, median: float | None, measured: float | None, factor: float | None
) -> float | None:
    """A tail percentile at full size from the median there: the measured tail/median ratio, except
    that the part of the measured tail beyond the model's usual p95/p50 ``factor`` is taken as a
    hiccup of the machine (the scheduler, a checkpoint) that does not grow with the data."""
    if full is None or median is None or measured is None or median <= 0:
        return None
    ratio = measured / median
    if factor is None or ratio <= factor:
        return full * ratio
    return full * factor + (measured - median * factor)


def _by_model(measured: float, fixed: float, estimate: float, target: float) -> float:
    """``measured`` (where the model estimated ``estimate``) carried to where it estimates ``target``:
    the part above the model's ``fixed`` part grows as the model's grown part does."""
    if measured > fixed and estimate > fixed:
        return fixed + (measured - fixed) * (target - fixed) / (estimate - fixed)
    return measured * target / estimate


def project(
    large: StatementResult, small: StatementResult | None, scale: float, small_scale: float | None
) -> FullSizeProjection:
    """The full-size projection of one statement measured at ``scale`` (``large``) and, when given,
    ``small_scale`` (``small``); see the module docstring."""
    m1 = large.p50_ms if large.measured and large.p50_ms else None
    m2 = small.p50_ms if small is not None and small.measured and small.p50_ms else None
    e1, e_full = large.estimated_p50_ms, large.full_estimated_p50_ms
    e2 = small.estimated_p50_ms if small is not None else None
    fixed = large.estimated_fixed_ms or 0.0
    # the growth is read on the quietest runs (p10), the medians when a p10 is missing
    g1, g2 = m1, m2
    if m1 is not None and m2 is not None and large.p10_ms and small is not None and small.p10_ms:
        g1, g2 = large.p10_ms, small.p10_ms
    measured_growth = g1 / g2 if g1 is not None and g2 is not None else None
    model_growth: float | None = None
    agrees: bool | None = None
    if g1 is not None and e1 and e2:
        predicted_small = _by_model(g1, fixed, e1, e2)
        model_growth = g1 / predicted_small if predicted_small > 0 else None
    if measured_growth is not None and model_growth is not None:
        agrees = abs(math.log(measured_growth / model_growth)) <= math.log(GROWTH_TOLERANCE)
    full: float | None = None
    if m1 is None:
        method = "not projected: the statement was not measured"
    elif not e1 or e_full is None:
        if measured_growth is not None and small_scale is not None:
            full = _power_law(m1, measured_growth, scale, small_scale)
            method = "power law through both measurements (the cost model cannot estimate this statement)"
        else:
            method = "not projected: one scale measured and no model estimate; judged as measured"
    else:
        full = _by_model(m1, fixed, e1, e_full)
        method = "the model's growth law from the measurement"
        if measured_growth is not None and model_growth is not None and g1 is not None and g2 is not None:
            faster = measured_growth > model_growth * GROWTH_TOLERANCE and g1 - g2 > NOISE_MS
            if faster and small_scale is not None:
                power = _power_law(m1, measured_growth, scale, small_scale)
                if power > full:
                    full = power
                    method = (
                        f"power law through both measurements: they grew x{measured_growth:.2f} "
                        f"where the model expected x{model_growth:.2f}"
                    )
                else:
                    method += f"; measured growth x{measured_growth:.2f}, the model's x{model_growth:.2f}"
            elif agrees:
                method += ", confirmed at both scales"
            else:
                method += (
                    f"; measured growth x{measured_growth:.2f} below the model's x{model_growth:.2f} "
                    "(the model's projection kept)"
                )
    factor = large.estimated_ms / e1 if large.estimated_ms and e1 else None
    return FullSizeProjection(
        small_scale=small_scale,
        small_p50_ms=small.p50_ms if small is not None else None,
        small_p95_ms=small.p95_ms if small is not None else None,
        model_growth=model_growth,
        measured_growth=measured_growth,
        growth_agrees=agrees,
        full_estimated_p50_ms=e_full,
        full_p50_ms=full,
        full_p95_ms=_tail(full, m1, large.p95_ms, factor),
        full_p99_ms=_tail(full, m1, large.p99_ms, factor),
        method=method,
    )


def project_full_size(large: Verification, small: Verification | None = None) -> Verification:
    """``large`` (measured at its ``scale``) with every statement's full-size projection from it and
    ``small`` (the same workload measured at a smaller scale; None: the model's ratio alone); the SLO
    verdicts follow the projection."""
    by_name = {s.name: s for s in small.statements} if small is not None else {}
    small_scale = small.scale if small is not None else None
    statements = tuple(
        replace(s, projection=project(s, by_name.get(s.name), large.scale, small_scale))
        for s in large.statements
    )
    notes = list(large.notes)
    if small is not None:
        notes += [f"at scale {small.scale:g}: {n}" for n in small.notes if n not in large.notes]
    return replace(
        large,
        statements=statements,
        notes=tuple(notes),
        small_scale=small_scale,
        small_generation=small.generation if small is not None else None,
    )
