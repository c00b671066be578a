"""The index advice as a report document, and its terminal and SQL renderings (Markdown shares the
report template; JSON is the document itself)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dbarchitect.advisors.indexes.advisor import IndexAdvice, RecommendedIndex
from dbarchitect.advisors.indexes.validation import IndexValidation
from dbarchitect.report.formatting import human_bytes, human_rate
from dbarchitect.report.json import to_jsonable
from dbarchitect.report.text import print_blocks


def _num(value: float) -> float | None:
    return to_jsonable(float(value))  # type: ignore[no-any-return]


def index_advice_document(advice: IndexAdvice) -> dict[str, Any]:
    """Plain, stably ordered mapping of the advice (what ``--format json`` prints)."""
    return {
        "engine": advice.engine,
        "backend": advice.backend,
        "planner_settings": dict(sorted(advice.settings.items())),
        "algorithm": advice.algorithm,
        "optimal": advice.optimal,
        "stopped_early": advice.stopped_early,
        "reproducible": advice.reproducible,
        "budget": {
            "index_storage_bytes": advice.budget.storage_bytes,
            "write_amplification": advice.budget.write_amplification,
            "work_limit": advice.budget.work_limit,
            "time_limit_s": advice.budget.time_limit_s,
            "used_bytes": advice.size_bytes,
            "net_bytes": _num(advice.net_bytes),
            "source": advice.budget.storage_source,
            "floor_elasticity": advice.budget.floor_elasticity,
            "stopped_by": advice.stopped_by,
        },
        "workload_cost": {
            "before": _num(advice.base_cost),
            "after": _num(advice.cost),
            "relative": _num(advice.relative_cost),
            "unit": "planner cost units per second (Σ rate × cost, index maintenance included)",
        },
        "search": {
            "candidates": advice.candidates,
            "planner_calls": advice.planner_calls,
            "cache_hits": advice.cache_hits,
            "seconds": _num(advice.seconds),
        },
        "recommended": [
            {
                "name": r.name,
                "table": r.table,
                "index": r.candidate.key,
                "ddl": r.ddl,
                "size_bytes": _num(r.size_bytes),
                "size_at_horizon_bytes": _num(r.size_at_horizon_bytes),
                "maintenance_cost_per_second": _num(r.maintenance),
                "helps": [
                    {"statement": s, "cost_before": _num(b), "cost_after": _num(a)} for s, b, a in r.helps
                ],
                "reasons": list(r.reasons),
                "replaces": list(r.replaces),
                "serves": list(r.serves),
                "index_only": list(r.index_only),
                "constraint": r.constraint,
                "index_only_gain": [
                    {"statement": st, "cost_without": _num(w), "cost_with": _num(c)}
                    for st, w, c in r.index_only_gain
                ],
                "checked_by": r.checked_by,
                "move": _move(r, advice),
            }
            for r in advice.recommended
        ],
        "statements": [
            {
                "statement": e.statement,
                "rate_per_second": e.rate,
                "cost_before": _num(e.before),
                "cost_after": _num(e.after),
                "plan_before": e.plan_before,
                "plan_after": e.plan_after,
                "uses": list(e.uses),
                "error": e.error,
            }
            for e in advice.statements
        ],
        "existing": [to_jsonable(f) for f in advice.existing],
        "rejected": [{"index": key, "reason": reason.value} for key, reason in advice.rejected],
        "notes": list(advice.notes),
        "left_out": [{"statement": n, "reason": why} for n, why in advice.left_out],
        **({"validation": validation_document(advice.validation)} if advice.validation else {}),
    }


def validation_document(v: IndexValidation) -> dict[str, Any]:
    """``--validate``'s measurements: per statement the planner's promise and the measured ratio."""
    return {
        "server": v.server,
        "database": v.database,
        "scale": v.scale,
        "runs": v.runs,
        "before_total_ms": _num(v.before_total_ms),
        "after_total_ms": _num(v.after_total_ms),
        "ratio": _num(v.ratio) if v.ratio is not None else None,
        "kept": list(v.kept),
        "removed": [{"index": n, "reason": why} for n, why in v.removed],
        "statements": [
            {
                "statement": t.statement,
                "promised_ratio": _num(t.promised) if t.promised is not None else None,
                "before_ms": _num(t.before_ms) if t.before_ms is not None else None,
                "after_ms": _num(t.after_ms) if t.after_ms is not None else None,
                "measured_ratio": _num(t.measured) if t.measured is not None else None,
                "plan_before": list(t.plan_before),
                "plan_after": list(t.plan_after),
                "error": t.error,
            }
            for t in v.statements
        ],
        "seconds": _num(v.seconds),
        "notes": list(v.notes),
    }


#: Why the search stopped, in words.
STOPPED_BY = {
    "storage_budget": "the storage budget (the next index that helps does not fit)",
    "write_budget": "the write budget (the next index is on a table with no write allowance left)",
    "benefit_floor": "the benefit floor (the next index saves too little per byte)",
    "exhausted": "no remaining candidate lowers the workload cost",
    "work_limit": "the work budget (planner calls; reproducible)",
    "time_limit": "the wall-clock safety net (NOT REPRODUCIBLE: depends on this machine's speed and load)",
}


def _move(r: RecommendedIndex, advice: IndexAdvice) -> str:
    """The index as one move: "replace X with Y: +N MB, −M write units/s, statements a, b"."""
    dropped = [f for f in advice.existing if f.kind == "replaced" and f.covered_by == r.name]
    net = r.size_bytes - sum(f.bytes_saved for f in dropped)
    writes = r.maintenance - sum(f.write_cost_saved for f in dropped)
    statements = [h[0] for h in r.helps] + list(r.serves)
    sign = "+" if net >= 0 else "−"
    wsign = "+" if writes >= 0 else "−"
    what = f"replace {', '.join(f.index for f in dropped)} with {r.name}" if dropped else f"add {r.name}"
    text = f"{what}: {sign}{human_bytes(abs(net))}, {wsign}{abs(writes):,.1f} write units/s"
    if statements:
        text += ", statements " + ", ".join(statements)
    if r.constraint is not None:
        paid = ", ".join(f"{st} {w:,.1f} → {c:,.1f}" for st, w, c in r.index_only_gain)
        text += f" (index-only reads: {paid} without → with it; {r.constraint} serves its lookups)"
    return text


def advice_sql(doc: dict[str, Any]) -> str:
    """Only the recommended DDL, one statement per line (the ``--format sql`` contract)."""
    return "".join(r["ddl"] + "\n" for r in doc["recommended"])


def _fmt_cost(value: float | None) -> str:
    return "—" if value is None else f"{value:,.1f}"


def render_index_text(doc: dict[str, Any], console: Console) -> None:
    cost = doc["workload_cost"]
    search = doc["search"]
    budget = doc["budget"]
    used = human_bytes(budget["used_bytes"])
    spent = (
        f"{used} of a {human_bytes(budget['index_storage_bytes'])} budget"
        if budget["index_storage_bytes"]
        else f"{used} (no index budget set)"
    )
    limit = (
        human_bytes(budget["index_storage_bytes"]) if budget["index_storage_bytes"] else "no storage limit"
    )
    relative = cost["relative"]
    how = doc["algorithm"] + (", proven optimal" if doc["optimal"] else "")
    if doc["stopped_early"]:
        how += (
            ", stopped at the work budget"
            if budget["stopped_by"] == "work_limit"
            else ", STOPPED BY THE WALL CLOCK: NOT REPRODUCIBLE"
        )
    header = Text(
        f"Index advice for {doc['engine']} ({doc['backend']} costs, {how}): "
        f"workload cost {_fmt_cost(cost['before'])} → {_fmt_cost(cost['after'])}"
        + (f" ({relative:.3f} of today)" if relative is not None else "")
        + f"; {spent}; {search['candidates']} candidates, "
        f"{search['planner_calls']} planner calls, {search['seconds']:.1f} s"
    )
    rec = Table(title="Recommended indexes")
    for col in ("name", "index", "size", "write cost/s", "helps"):
        rec.add_column(col, justify="right" if col in ("size", "write cost/s") else "left")
    for r in doc["recommended"]:
        helps = ", ".join(
            f"{h['statement']} {_fmt_cost(h['cost_before'])}→{_fmt_cost(h['cost_after'])}" for h in r["helps"]
        )
        if r["replaces"]:
            helps += ("; " if helps else "") + "replaces " + ", ".join(r["replaces"])
        if r["constraint"]:
            paid = ", ".join(
                f"{g['statement']} {_fmt_cost(g['cost_without'])}→{_fmt_cost(g['cost_with'])}"
                for g in r["index_only_gain"]
            )
            helps += f"; index-only: {paid} ({r['constraint']} serves lookups)"
        rec.add_row(
            r["name"],
            r["index"],
            human_bytes(r["size_bytes"]),
            _fmt_cost(r["maintenance_cost_per_second"]),
            helps,
        )
    stmts = Table(title="Statements")
    for col in ("statement", "rate", "cost before", "cost after", "uses"):
        stmts.add_column(col, justify="right" if col.startswith(("rate", "cost")) else "left")
    for s in doc["statements"]:
        stmts.add_row(
            s["statement"],
            human_rate(s["rate_per_second"]),
            _fmt_cost(s["cost_before"]),
            _fmt_cost(s["cost_after"]),
            s["error"] or ", ".join(s["uses"]),
        )
    stop = STOPPED_BY.get(budget["stopped_by"], budget["stopped_by"])
    net = budget["net_bytes"] if budget["net_bytes"] is not None else budget["used_bytes"]
    bound = Text(
        f"Stopped by {stop}; net {human_bytes(net)}"
        + (f" of {limit}" if budget["index_storage_bytes"] else " (no storage limit)")
        + (f" ({budget['source']})" if budget["source"] else "")
        + (
            f"; benefit floor: an index taking 1% of the data must save {budget['floor_elasticity']:g}% "
            "of the workload cost"
            if budget["floor_elasticity"]
            else ""
        )
    )
    parts: list[Any] = [header, bound, rec, stmts]
    parts.append(Text("Replace and drop:", style="bold"))
    moves = [r["move"] for r in doc["recommended"] if r["replaces"]]
    drops = [f for f in doc["existing"] if f["kind"] != "replaced"]
    parts += [Text(f"- {m}") for m in moves]
    parts += [
        Text(
            f"- drop {f['index']} on {f['table']}: −{human_bytes(f['bytes_saved'])}, "
            f"−{f['write_cost_saved']:,.1f} write units/s; {f['reason']}"
            + (f" ({', '.join(f['evidence'])})" if f["evidence"] else "")
        )
        for f in drops
    ]
    if moves or drops:
        parts.append(Text(f"  Before any drop: {doc['existing'][0]['caution']}.", style="dim"))
    else:
        parts.append(
            Text("- nothing: every existing index is used by the workload's plans or backs a constraint")
        )
    if doc["left_out"]:
        parts.append(
            Text(
                f"{len(doc['left_out'])} statement(s) left out of the advice: "
                + "; ".join(f"{x['statement']}: {x['reason']}" for x in doc["left_out"]),
                style="yellow",
            )
        )
    if "validation" in doc:
        parts += _validation_blocks(doc["validation"])
    settings = ", ".join(f"{k}={v}" for k, v in doc["planner_settings"].items())
    parts.append(Text(f"Planner settings: {settings}", style="dim"))
    parts += [Text(note, style="yellow") for note in doc["notes"]]
    print_blocks(console, parts)


def _ratio(value: float | None) -> str:
    return "-" if value is None else f"{value:.3g}"


def _validation_blocks(v: dict[str, Any]) -> list[Any]:
    """The measured proof: totals, per statement promise vs measurement, what was removed."""
    total = v["ratio"]
    head = Text(
        f"Validated on {v['server']} ({v['database']}, synthetic data at scale {v['scale']:g}, median of "
        f"{v['runs']} warm runs): {v['before_total_ms']:,.1f} ms -> {v['after_total_ms']:,.1f} ms"
        + (f" ({total:.2f} of the time without the advice)" if total is not None else ""),
        style="bold",
    )
    table = Table(title="Planner's promise and measured time")
    for col in ("statement", "promised", "before ms", "after ms", "measured"):
        table.add_column(col, justify="left" if col == "statement" else "right")
    for s in v["statements"]:
        table.add_row(
            s["statement"],
            _ratio(s["promised_ratio"]),
            "-" if s["before_ms"] is None else f"{s['before_ms']:,.2f}",
            "-" if s["after_ms"] is None else f"{s['after_ms']:,.2f}",
            s["error"] or _ratio(s["measured_ratio"]),
        )
    out: list[Any] = [head, table]
    out += [Text(f"- removed {r['index']}: {r['reason']}") for r in v["removed"]]
    out += [Text(f"- {note}") for note in v["notes"]]
    if not v["removed"] and not v["notes"]:
        out.append(
            Text("- every advised index kept: each is used by a real plan and slows no statement by 10%")
        )
    return out
