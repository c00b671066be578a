"""A drill's measurements beside the goal and the estimate: text, Markdown and JSON."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from dbarchitect.report.formatting import human_bytes
from dbarchitect.report.operations import human_seconds
from dbarchitect.verify.drill import DrillResult


def drill_rows(r: DrillResult) -> list[dict[str, Any]]:
    """(what, goal, estimate, measured, ok) rows: the figures the drill proves."""
    rows: list[dict[str, Any]] = []

    def row(what: str, goal: str, estimate: str, measured: str, ok: bool | None) -> None:
        rows.append({"what": what, "goal": goal, "estimate": estimate, "measured": measured, "ok": ok})

    worst = r.worst_failover_s
    if r.kills:
        times = [k.failover_s for k in r.kills if k.failover_s is not None]
        mean = sum(times) / len(times) if times else None
        row(
            f"failover ({len(r.kills)} primary kills, SIGKILL)",
            f"RTO {human_seconds(r.rto_s)}" if r.rto_s is not None else "—",
            f"≤ {human_seconds(r.estimated_failover_s)} ({r.timing})",
            f"worst {human_seconds(worst)}, mean {human_seconds(mean)}",
            None if worst is None or r.rto_s is None else worst <= r.rto_s,
        )
        modes = list(dict.fromkeys(k.replication or r.replication for k in r.kills))
        for mode in modes:
            mine = [k for k in r.kills if (k.replication or r.replication) == mode]
            acked = sum(k.acked_before for k in mine)
            lost = sum(k.lost for k in mine)
            sync = mode.startswith("synchronous")
            row(
                "acknowledged commits lost" + ("" if len(modes) == 1 else f" ({mode}, {len(mine)} kills)"),
                f"RPO {human_seconds(r.rpo_s)}" if r.rpo_s is not None else "—",
                "0 (synchronous)" if sync else "up to the replica's lag",
                f"{lost} of {acked:,}",
                (lost == 0) if sync else None,
            )
    for restore in r.restores:
        target = f", to {restore.target}" if restore.target else ""
        checked = (
            f"; {restore.tables_checked - len(restore.mismatched)}/{restore.tables_checked} tables' "
            "checksums match"
            if restore.tables_checked
            else ""
        )
        row(
            f"restore {restore.label} ({human_bytes(restore.database_bytes)}{target})",
            "",
            "",
            f"{human_seconds(restore.restore_seconds)} ({human_bytes(restore.throughput)}/s){checked}",
            None if not restore.tables_checked else not restore.mismatched,
        )
    if r.projected_2x_s is not None and r.measured_2x_s is not None and r.projection_error is not None:
        row(
            "restore at twice the scale: projection",
            "within 25%",
            human_seconds(r.projected_2x_s),
            f"{human_seconds(r.measured_2x_s)} (error {r.projection_error:.0%})",
            r.projection_error <= 0.25,
        )
    if r.projected_full_s is not None:
        row(
            f"restore at the brief's full size ({human_bytes(r.full_bytes)})",
            f"RTO {human_seconds(r.rto_s)}" if r.rto_s is not None else "—",
            human_seconds(r.projected_full_s),
            "projected",
            None if r.rto_s is None else r.projected_full_s <= r.rto_s,
        )
    if r.log is not None:
        ratio = r.log.ratio
        row(
            f"log volume ({r.log.seconds:.0f}s of the write mix, {sum(r.log.executions.values()):,} writes)",
            "within 2x of the estimate",
            human_bytes(r.log.estimated_bytes),
            human_bytes(r.log.measured_bytes) + (f" (x{ratio:.2f})" if ratio is not None else ""),
            None if ratio is None else 0.5 <= ratio <= 2.0,
        )
        row(
            "replica lag under the write mix",
            "",
            human_seconds(r.log.estimated_lag_s),
            _lag(r.log.replica_lag_max_s, r.log.lag_resolution_s)
            + (
                f", {human_bytes(r.log.replica_lag_max_bytes)} behind at most"
                if r.log.replica_lag_max_bytes
                else ""
            ),
            None,
        )
    if r.temp is not None:
        t = r.temp

        def amount(value: float, unit: str = t.unit) -> str:
            return human_bytes(value) if unit == "bytes" else f"{value:,.0f} {unit}"

        row(
            f"temporary files of {t.executions} reads at concurrency {t.concurrency}",
            "0 with the generated setting",
            f"{t.setting} {t.generated} (default {t.default})",
            f"{amount(t.temp_bytes_generated)} generated vs {amount(t.temp_bytes_default)} default",
            t.temp_bytes_generated == 0,
        )
        if t.pool_wait_ms is not None:
            row(f"pool wait ({t.pool_wait_how})", "", "", f"{t.pool_wait_ms:.2f} ms", None)
    return rows


def _lag(measured: float | None, resolution: float) -> str:
    if measured is None:
        return "—"
    if resolution > 0 and measured < resolution:
        return f"< {human_seconds(resolution)} (the engine counts whole seconds)"
    return human_seconds(measured)


def drill_document(r: DrillResult) -> dict[str, Any]:
    doc = dataclasses.asdict(r)
    doc["lost_commits"] = r.lost_commits
    doc["worst_failover_s"] = r.worst_failover_s
    doc["measured_2x_s"] = r.measured_2x_s
    doc["projection_error"] = r.projection_error
    doc["rows"] = drill_rows(r)
    doc["ok"] = drill_ok(r)
    return doc


def drill_ok(r: DrillResult) -> bool:
    return all(row["ok"] is not False for row in drill_rows(r))


def drill_json(r: DrillResult) -> str:
    return json.dumps(drill_document(r), indent=2, default=str) + "\n"


def drill_markdown(r: DrillResult) -> str:
    lines = [
        f"# Drill of {r.brief} on {r.engine}",
        "",
        f"Replication {r.replication}; data at scale {r.scale:g}; {r.seconds:.0f}s in all. "
        + ("Every goal held." if drill_ok(r) else "**A goal was missed.**"),
        "",
        "| measure | goal | estimate | measured | |",
        "|---|---|---|---|---|",
    ]
    for row in drill_rows(r):
        mark = "" if row["ok"] is None else ("ok" if row["ok"] else "**missed**")
        lines.append(f"| {row['what']} | {row['goal']} | {row['estimate']} | {row['measured']} | {mark} |")
    lines += ["", "Configuration proven by the tools themselves:", ""]
    lines += [f"- {v}" for v in r.validated]
    for k in r.kills:
        if k.lost:
            lines.append(
                f"- kill {k.number} ({k.killed} -> {k.new_primary}): lost ids "
                + ", ".join(map(str, k.lost_ids))
            )
    if r.notes:
        lines += ["", *[f"- {n}" for n in r.notes]]
    return "\n".join(lines) + "\n"


def drill_text(r: DrillResult) -> str:
    out = [
        f"drill of {r.brief} on {r.engine}: replication {r.replication}, scale {r.scale:g}, {r.seconds:.0f}s"
    ]
    for row in drill_rows(r):
        mark = "" if row["ok"] is None else (" ok" if row["ok"] else " MISSED")
        goal = f" [goal {row['goal']}]" if row["goal"] else ""
        est = f" estimate {row['estimate']};" if row["estimate"] else ""
        out.append(f"  {row['what']}:{est} measured {row['measured']}{goal}{mark}")
    out += [f"  validated: {v}" for v in r.validated]
    out += [f"  note: {n}" for n in r.notes]
    return "\n".join(out) + "\n"
