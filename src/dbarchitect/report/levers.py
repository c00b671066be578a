"""The design's summary tables and query rewrites as report data: what each serves, its SQL per engine,
its numbers (size, before and after, the tax on every write), what was refused and why, and the
statements no lever brings within their SLO with the bound that proves it."""

from __future__ import annotations

from typing import Any

from dbarchitect.advisors.denormalization import ProposedDenormalization
from dbarchitect.advisors.levers.search import LeverAdvice
from dbarchitect.advisors.rewrites import ProposedRewrite
from dbarchitect.advisors.summaries.advisor import ProposedSummary
from dbarchitect.report.json import to_jsonable


def _rewrite(r: ProposedRewrite) -> dict[str, Any]:
    return {
        "rule": r.rule,
        "statement": r.statement,
        "change": r.change,
        "semantics": r.semantics,
        "requires": r.requires,
        "original": r.original,
        "rewritten": r.rewritten,
        "per_engine": [
            {"engine": engine, "original": before, "rewritten": after}
            for engine, before, after in r.per_engine
        ],
        "before_ms": r.before_ms,
        "after_ms": r.after.ms,
        "gain": r.gain,
        "estimate": r.after.explain(),
        "proof": r.proof.protocol.value,
        "notes": list(r.notes),
    }


def _summary(s: ProposedSummary) -> dict[str, Any]:
    return {
        "name": s.name,
        "statement": s.statement,
        "maintenance": s.maintenance,
        "grain": s.grain,
        "keys": list(s.keys),
        "measures": list(s.measures),
        "sources": list(s.sources),
        "definition": s.definition,
        "rewritten": s.rewritten,
        "rows_now": s.rows_now,
        "rows_at_horizon": s.rows_at_horizon,
        "bytes_now": s.bytes_now,
        "bytes_at_horizon": s.bytes_at_horizon,
        "before_ms": s.before.ms,
        "after_ms": s.after.ms,
        "gain": s.gain,
        "estimate": s.after.explain(),
        "write_taxes": to_jsonable(s.write_taxes),
        "refresh_every_s": s.refresh_every_s,
        "refresh_ms": s.refresh_ms,
        "hot_row": s.hot_row,
        "semantics": s.semantics,
        "per_engine": to_jsonable(s.per_engine),
    }


def _denormalization(d: ProposedDenormalization) -> dict[str, Any]:
    return {
        "name": d.name,
        "statement": d.statement,
        "child": d.child,
        "parent": d.parent,
        "copies": [{"column": copy, "from": f"{d.parent}.{source}"} for copy, source in d.copies],
        "rewritten": d.rewritten,
        "before_ms": d.before.ms,
        "after_ms": d.after.ms,
        "gain": d.gain,
        "write_taxes": to_jsonable(d.write_taxes),
        "fan_out": d.fan_out,
        "bytes_at_horizon": d.bytes_at_horizon,
        "integrity_risk": d.integrity_risk,
        "per_engine": to_jsonable(d.per_engine),
    }


def levers_document(advice: LeverAdvice) -> dict[str, Any]:
    """The lever advice as plain data (``design.json``'s ``levers``)."""
    return {
        "chosen": {
            "rewrites": [f"{r.rule}:{r.statement}" for r in advice.chosen.rewrites],
            "summaries": [s.name for s in advice.chosen.summaries],
            "denormalizations": [d.name for d in advice.chosen.denormalizations],
        },
        "outcomes": [
            {
                "statement": o.statement,
                "slo_ms": o.slo_ms,
                "before_ms": o.before_ms,
                "after_ms": o.after_ms,
                "lever": o.lever,
                "taxed_by": [{"summary": name, "ms": ms} for name, ms in o.taxed_by],
                "meets": o.meets,
                "bound": o.bound,
            }
            for o in advice.outcomes
        ],
        "rewrites": {
            "proposed": [_rewrite(r) for r in advice.rewrites.proposed],
            "rejected": to_jsonable(advice.rewrites.rejected),
            "cost_source": advice.rewrites.cost_source,
        },
        "summaries": {
            "proposed": [_summary(s) for s in advice.summaries.proposed],
            "rejected": to_jsonable(advice.summaries.rejected),
        },
        "denormalizations": {
            "proposed": [_denormalization(d) for d in advice.denormalizations.proposed],
            "rejected": to_jsonable(advice.denormalizations.rejected),
        },
        "storage_bytes": advice.storage_bytes,
        "dropped": [{"lever": lever, "reason": reason} for lever, reason in advice.dropped],
        "notes": list(advice.notes),
    }


def _ms(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:,.2f}" if value < 10 else f"{value:,.0f}"


def levers_lines(doc: dict[str, Any]) -> list[str]:
    """A few lines for the design's summary: each lever chosen with its before and after, every
    write a summary taxes, every statement no lever brings within its SLO."""
    lines: list[str] = []
    chosen_summaries = set(doc["chosen"]["summaries"])
    chosen_rewrites = set(doc["chosen"]["rewrites"])
    for s in doc["summaries"]["proposed"]:
        if s["name"] not in chosen_summaries:
            continue
        how = (
            "triggers" if s["maintenance"] == "triggers" else f"refreshed every {s['refresh_every_s']:,.0f} s"
        )
        grain = f", per {s['grain']}" if s["grain"] else ""
        lines.append(
            f"  {s['statement']}: summary {s['name']} ({how}{grain}; {s['rows_at_horizon']:,.0f} rows at "
            "the horizon) "
            f"{_ms(s['before_ms'])} -> {_ms(s['after_ms'])} ms"
        )
    for r in doc["rewrites"]["proposed"]:
        if f"{r['rule']}:{r['statement']}" not in chosen_rewrites:
            continue
        lines.append(
            f"  {r['statement']}: rewrite {r['rule']} {_ms(r['before_ms'])} -> {_ms(r['after_ms'])} ms: "
            f"{r['change']}"
        )
    chosen_copies = set(doc["chosen"]["denormalizations"])
    for d in doc["denormalizations"]["proposed"]:
        if d["name"] not in chosen_copies:
            continue
        copied = ", ".join(c["from"] for c in d["copies"])
        lines.append(
            f"  {d['statement']}: {copied} copied into {d['child']} {_ms(d['before_ms'])} -> "
            f"{_ms(d['after_ms'])} ms "
            f"(fan-out {d['fan_out']:,.1f} rows per parent update; risk: {d['integrity_risk']})"
        )
    for o in doc["outcomes"]:
        if o["taxed_by"]:
            taxes = ", ".join(f"+{_ms(t['ms'])} ms ({t['summary']})" for t in o["taxed_by"])
            slo = f" against {o['slo_ms']:g} ms" if o["slo_ms"] else ""
            lines.append(
                f"  {o['statement']} (write): {_ms(o['before_ms'])} -> {_ms(o['after_ms'])} ms{slo}: {taxes}"
            )
    for o in doc["outcomes"]:
        if o["bound"]:
            lines.append(f"  {o['statement']}: {o['bound']}")
    for r in doc["rewrites"]["rejected"]:
        if r.get("unsafe"):
            lines.append(f"  {r['statement']}: {r['rule']} refused: {r['reason']}")
        elif r.get("unweighed"):
            lines.append(f"  {r['statement']}: {r['rule']} not weighed: {r['reason']}")
    return lines
