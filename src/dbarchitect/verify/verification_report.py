"""The verification as Markdown, plain text and JSON, with its measured/estimated ratio distributions."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from dbarchitect.verify.measurements import (
    GROWTH_TOLERANCE,
    RATIO_TARGET,
    StatementResult,
    Verification,
    is_within_target,
    percentile,
)

# ---------------------------------------------------------------------------------------------
# Reports


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.2f}" if value < 10 else f"{value:.0f}"


def _distribution(sorted_ratios: list[float]) -> dict[str, Any]:
    """Count, within :data:`RATIO_TARGET` x either way, above and below it, min / p25 / median / p75 /
    max of measured/estimated ratios (only ``count`` when there are none)."""
    r = sorted_ratios
    if not r:
        return {"count": 0}
    return {
        "count": len(r),
        "within_2x": sum(1 for x in r if is_within_target(x)),
        "measured_above_2x": sum(1 for x in r if x > RATIO_TARGET),
        "measured_below_half": sum(1 for x in r if x < 1 / RATIO_TARGET),
        "min": round(r[0], 3),
        "p25": round(percentile(r, 0.25), 3),
        "median": round(percentile(r, 0.5), 3),
        "p75": round(percentile(r, 0.75), 3),
        "max": round(r[-1], 3),
    }


def ratio_summary(v: Verification) -> dict[str, Any]:
    """The measured/estimated p95 ratio distribution: how many statements have both, how many are
    within :data:`RATIO_TARGET` x (either way), min / p25 / median / p75 / max, and how many the
    estimate under- (ratio above the target) and over-states; with the medians' counts."""
    summary = _distribution(list(v.ratios))
    if not summary["count"]:
        return summary
    medians = [r for s in v.statements if (r := s.median_ratio) is not None]
    return {
        **summary,
        "medians_within_2x": sum(1 for r in medians if is_within_target(r)),
        "medians_count": len(medians),
    }


def planner_ratio_summary(v: Verification) -> dict[str, Any]:
    """The measured p95 / estimate distribution for the estimates made from the engine's own plan
    costs (PostgreSQL; ``{"count": 0}`` elsewhere), in :func:`ratio_summary`'s form."""
    return _distribution(sorted(r for s in v.statements if (r := s.planner_ratio) is not None))


def planner_ratio_sentence(v: Verification) -> str | None:
    """One line for the estimates from the engine's own plan costs, or None without them."""
    r = planner_ratio_summary(v)
    if not r["count"]:
        return None
    return (
        f"From the engine's own plan costs (EXPLAIN on the loaded data x ms per cost unit, as a design "
        f"made with --database estimates): measured/estimated p95 {r['within_2x']} of {r['count']} within "
        f"{RATIO_TARGET:g}x; min {r['min']:g}, p25 {r['p25']:g}, median {r['median']:g}, p75 {r['p75']:g}, "
        f"max {r['max']:g}."
    )


def ratio_sentence(v: Verification) -> str | None:
    """One line: ``Measured/estimated p95: 12 of 17 within 2x (min 0.41, p25 0.8, ...)``."""
    r = ratio_summary(v)
    if not r["count"]:
        return None
    return (
        f"Measured/estimated p95: {r['within_2x']} of {r['count']} within {RATIO_TARGET:g}x "
        f"({r['measured_above_2x']} measured above, {r['measured_below_half']} below); min {r['min']:g}, "
        f"p25 {r['p25']:g}, median {r['median']:g}, p75 {r['p75']:g}, max {r['max']:g}. Measured p50 / "
        f"estimated median: {r['medians_within_2x']} of {r['medians_count']} within {RATIO_TARGET:g}x."
    )


def _verdict(s: StatementResult, over: str) -> str:
    if s.empty_tables:
        return f"not measured ({', '.join(s.empty_tables)} empty)"
    verdict = {True: "meets SLO", False: over, None: "no SLO"}[s.meets_slo]
    if s.meets_slo is None and s.executions == 0 and not s.errors:
        verdict = "not measured"
    if s.errors:
        verdict = f"{s.errors} error(s): {s.error}" if not s.executions else f"{verdict}; {s.errors} error(s)"
    return verdict


def _full_p95(s: StatementResult) -> str:
    p = s.projection
    return _ms(p.full_p95_ms) if p is not None else "-"


def _small_p95(s: StatementResult) -> str:
    p = s.projection
    return _ms(p.small_p95_ms) if p is not None and p.small_scale is not None else "-"


def _growth(s: StatementResult) -> str:
    """``x3.9 / x4.1`` (measured / model) between the two scales."""
    p = s.projection
    if p is None or p.small_scale is None:
        return "-"
    measured = f"x{p.measured_growth:.2f}" if p.measured_growth is not None else "-"
    model = f"x{p.model_growth:.2f}" if p.model_growth is not None else "-"
    return f"{measured} / {model}"


def scale_sentence(v: Verification) -> str:
    """How the SLO was judged: at the brief's size from which scales, or at the scale run."""
    if not any(s.projection is not None for s in v.statements):
        return f"SLOs judged on the measurements at scale {v.scale:g} (no projection to full size)."
    if v.small_scale is None:
        return (
            f"SLOs judged on the p95 projected to the brief's size from the measurement at scale {v.scale:g} "
            "and the cost model's growth to full size (one scale measured: the growth law is not checked)."
        )
    agree = [s for s in v.statements if s.projection is not None and s.projection.growth_agrees is not None]
    held = sum(1 for s in agree if s.projection is not None and s.projection.growth_agrees)
    return (
        f"SLOs judged on the p95 projected to the brief's size from measurements at scales {v.scale:g} and "
        f"{v.small_scale:g} and the cost model's growth law between them; the measured growth agreed with "
        f"the model's (within x{GROWTH_TOLERANCE:g}) for {held} of {len(agree)} statements."
    )


def _lever_lines(v: Verification) -> list[str]:
    """One line per lever: what it serves, its proofs, before and after; the writes it taxes."""
    out: list[str] = []
    judged = {s.name: s for s in v.statements}
    for lever in v.levers:
        line = f"{lever.kind} {lever.lever} for {lever.statement}: {lever.verdict}"
        if lever.before is not None and lever.after is not None:
            line += f"; p95 {_ms(lever.before.p95_ms)} -> {_ms(lever.after.p95_ms)} ms measured"
            served = judged.get(lever.statement)
            if served is not None and served.sql == lever.after.sql and served.projection is not None:
                line += f" ({_ms(served.projection.full_p95_ms)} ms at full size)"
        if lever.summary_rows is not None:
            line += f"; {lever.summary_rows:,} summary rows"
        if lever.burst is not None:
            line += f"; burst of {lever.burst[0]} write(s) ({lever.burst[1]} refused by the data)"
        out.append(line)
        for taxed in lever.taxed:
            out.append(
                f"  write {taxed.statement} with its triggers: p95 {_ms(taxed.before.p95_ms)} -> "
                f"{_ms(taxed.after.p95_ms)} ms measured"
            )
    return out


def verification_markdown(v: Verification) -> str:
    """The verification as a Markdown report."""
    g = v.generation
    lines = [
        f"# Verification on {v.engine}",
        "",
        f"Database: {v.database}; scale {v.scale:g}; seed {v.seed}.",
        f"Synthetic data: {g.rows:,} rows in {g.seconds:.1f} s ({g.rows_per_second * 60:,.0f} rows/min)"
        + (f"; {g.rejected:,} generated rows dropped" if g.rejected else "")
        + ".",
    ]
    if v.estimate_source:
        lines.append(f"Estimates: {v.estimate_source}.")
    lines += [
        scale_sentence(v),
        "",
        "| statement | SLO p95 ms | p95 ms at full size | verdict | p50 ms | p95 ms | p99 ms | runs | "
        f"p95 ms at {v.small_scale if v.small_scale is not None else '-'} | growth measured / model | "
        "estimate ms | ratio | plan |",
        "|---|---:|---:|---|---:|---:|---:|---:|---:|---|---:|---:|---|",
    ]
    for s in v.statements:
        ratio = f"{s.ratio:.2f}" if s.ratio is not None else "-"
        plan = "; ".join(p.strip() for p in s.plan[:3]).replace("|", "\\|")
        lines.append(
            f"| {s.name} | {_ms(s.slo_p95_ms)} | {_full_p95(s)} | {_verdict(s, '**over SLO**')} | "
            f"{_ms(s.p50_ms)} | {_ms(s.p95_ms)} | {_ms(s.p99_ms)} | {s.executions} | {_small_p95(s)} | "
            f"{_growth(s)} | {_ms(s.estimated_ms)} | {ratio} | {plan} |"
        )
    sentence = ratio_sentence(v)
    if sentence:
        lines += ["", sentence]
    planner = planner_ratio_sentence(v)
    if planner:
        lines += ["", planner]
    if v.levers:
        lines += [
            "",
            "## Summary tables and rewrites",
            "",
            "Each proven to return the statement's rows (a summary also after a burst of the brief's "
            "writes); "
            "a proven lever's measurement is its statement's row above. A lever that fails its proof is "
            "dropped and its statement judged as written.",
            "",
        ]
        lines += [
            f"- {line}" if not line.startswith("  ") else f"  - {line.strip()}" for line in _lever_lines(v)
        ]
    lines += ["", "## Data", "", "| table | rows | dropped | seconds |", "|---|---:|---:|---:|"]
    lines += [f"| {t.table} | {t.rows:,} | {t.rejected:,} | {t.seconds:.2f} |" for t in g.tables]
    if v.notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in v.notes]
    return "\n".join(lines) + "\n"


def verification_text(v: Verification) -> str:
    """The verification as plain text: one aligned row per statement, then the ratio distribution."""
    g = v.generation
    small = f"p95@{v.small_scale:g}" if v.small_scale is not None else "p95@-"
    header = (
        "statement",
        "SLO p95",
        "full p95",
        "p50",
        "p95",
        "p99",
        "runs",
        small,
        "growth meas/model",
        "estimate",
        "ratio",
        "verdict",
    )
    rows = [
        (
            s.name,
            _ms(s.slo_p95_ms),
            _full_p95(s),
            _ms(s.p50_ms),
            _ms(s.p95_ms),
            _ms(s.p99_ms),
            str(s.executions),
            _small_p95(s),
            _growth(s),
            _ms(s.estimated_ms),
            f"{s.ratio:.2f}" if s.ratio is not None else "-",
            _verdict(s, "OVER SLO"),
        )
        for s in v.statements
    ]
    widths = [max(len(r[i]) for r in (header, *rows)) for i in range(len(header) - 1)]

    def line(cells: tuple[str, ...]) -> str:
        first = cells[0].ljust(widths[0])
        middle = "  ".join(c.rjust(w) for c, w in zip(cells[1:-1], widths[1:], strict=True))
        return f"{first}  {middle}  {cells[-1]}".rstrip()

    out = [
        f"Verification on {v.engine} ({v.database}; scale {v.scale:g}; seed {v.seed}): "
        f"{g.rows:,} synthetic rows in {g.seconds:.1f} s. Latencies in ms.",
    ]
    if v.estimate_source:
        out.append(f"Estimates: {v.estimate_source}.")
    out.append(scale_sentence(v))
    out += ["", line(header), *(line(r) for r in rows)]
    sentence = ratio_sentence(v)
    if sentence:
        out += ["", sentence]
    planner = planner_ratio_sentence(v)
    if planner:
        out.append(planner)
    out += [f"lever: {line}" if not line.startswith("  ") else f"lever:{line}" for line in _lever_lines(v)]
    out += [f"note: {n}" for n in v.notes]
    verdict = "pass" if v.ok else "FAIL"
    missed = sum(1 for s in v.statements if s.meets_slo is False)
    failed = sum(1 for s in v.statements if s.errors)
    unmeasured = len(v.not_measured)
    out.append(
        f"{verdict}: {missed} statement(s) over their SLO, {failed} with errors"
        + (f", {unmeasured} not measured (empty tables)" if unmeasured else "")
    )
    return "\n".join(out) + "\n"


def verification_json(v: Verification) -> str:
    """The verification as JSON (stable key order)."""
    doc = asdict(v)

    def extras(s: StatementResult, out: dict[str, Any]) -> None:
        out["ratio"] = s.ratio
        out["median_ratio"] = s.median_ratio
        out["planner_ratio"] = s.planner_ratio
        out["meets_slo"] = s.meets_slo
        out["measured"] = s.measured
        out["judged_p95_ms"] = s.judged_p95_ms

    for s, out in zip(v.statements, doc["statements"], strict=True):
        extras(s, out)
    for lever, out in zip(v.levers, doc["levers"], strict=True):
        for key in ("before", "after"):
            result = getattr(lever, key)
            if result is not None:
                extras(result, out[key])
        for taxed, taxed_out in zip(lever.taxed, out["taxed"], strict=True):
            extras(taxed.before, taxed_out["before"])
            extras(taxed.after, taxed_out["after"])
    doc["generation"]["rows"] = v.generation.rows
    doc["generation"]["rows_per_second"] = v.generation.rows_per_second
    if v.small_generation is not None:
        doc["small_generation"]["rows"] = v.small_generation.rows
        doc["small_generation"]["rows_per_second"] = v.small_generation.rows_per_second
    doc["ratios"] = ratio_summary(v)
    doc["planner_ratios"] = planner_ratio_summary(v)
    doc["ok"] = v.ok
    doc["judged"] = scale_sentence(v)
    return json.dumps(doc, indent=2, sort_keys=True, default=str)
