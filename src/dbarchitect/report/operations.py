"""The operations design as report data (``doc["operations"]``), the runbooks as Markdown, and the
files ``dbarch design -o`` writes for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.advisors.operations import topology as topology_model
from dbarchitect.advisors.operations.capacity import Resource
from dbarchitect.engines.operations import Runbook
from dbarchitect.report.formatting import human_bytes


def _resource(r: Resource) -> dict[str, Any]:
    return {
        "name": r.name,
        "unit": r.unit,
        "capacity": r.capacity,
        "now": r.now,
        "at_horizon": r.at_horizon,
        "use_at_horizon": r.use_at_horizon,
        "runs_out_day": r.runs_out_day,
        "detail": r.detail,
        "points": [{"day": p.day, "needed": p.needed} for p in r.points],
    }


def _runbook(r: Runbook) -> dict[str, Any]:
    return {
        "title": r.title,
        "when": r.when,
        "steps": [{"what": s.what, "command": s.command} for s in r.steps],
    }


def operations_document(plan: OperationsPlan) -> dict[str, Any]:
    """The plan as plain, deterministically ordered data (what design.json and the templates read)."""
    brief = plan.brief
    goals = brief.availability
    top = plan.topology
    av = top.availability
    backup = plan.backup
    cap = plan.capacity
    m = plan.machine
    return {
        "engine": plan.engine,
        "tools": {
            "ha": plan.profile.ha_tool,
            "backup": plan.profile.backup_tool,
            "pooler": plan.profile.pooler,
        },
        "defaults": list(plan.defaults),
        "goals": None
        if goals is None
        else {
            "uptime_percent": goals.uptime,
            "rpo_s": goals.rpo,
            "rto_s": goals.rto,
            "regions": goals.regions,
            "maintenance_window": str(goals.maintenance_window) if goals.maintenance_window else None,
            "backup_retention_days": brief.backup.retention,
            "pitr": brief.backup.pitr,
        },
        "machine": {
            "cores": m.cores,
            "memory_bytes": m.memory,
            "disk_type": m.disk_type.value,
            "iops": m.iops,
            "throughput_bytes_per_s": m.throughput,
            "disk_bytes": m.disk_bytes,
            "sources": {name: where for name, where in m.sources},
        },
        "topology": {
            "nodes": top.nodes,
            "replicas": top.replicas,
            "read_replicas": top.read_replicas,
            "replication": {
                "mode": top.replication.mode,
                "quorum": top.replication.quorum,
                "strict": top.replication.strict,
                "max_lag_on_failover_bytes": top.replication.max_lag_on_failover_bytes,
            },
            "failover": top.failover.value,
            "detection_s": top.detection_s,
            "promotion_s": top.promotion_s,
            "failover_s": top.failover_s,
            "timing": {
                "ttl": top.timing.ttl,
                "loop_wait": top.timing.loop_wait,
                "retry_timeout": top.timing.retry_timeout,
                "check_interval_s": top.timing.check_interval_s,
                "checks_to_fail": top.timing.checks_to_fail,
            },
            "availability": {
                "percent": av.percent,
                "downtime_hours_per_year": av.downtime_hours,
                "failover_hours": av.failover_hours,
                "planned_hours": av.planned_hours,
                "region_hours": av.region_hours,
                "quorum_hours": av.quorum_hours,
                "rates": {
                    "node_failures_per_year": topology_model.NODE_FAILURES_PER_YEAR,
                    "node_repair_hours": topology_model.NODE_REPAIR_HOURS,
                    "region_outages_per_year": topology_model.REGION_OUTAGES_PER_YEAR,
                    "region_outage_hours": topology_model.REGION_OUTAGE_HOURS,
                    "planned_restarts_per_year": topology_model.PLANNED_RESTARTS_PER_YEAR,
                },
            },
            "read_routes": [
                {"statement": r.statement, "target": r.target, "reason": r.reason} for r in top.routes
            ],
            "regions": top.regions,
            "region_commit_latency_ms": top.region_commit_latency_s * 1000.0,
            "reasons": list(top.reasons),
        },
        "backup": {
            "tool": plan.profile.backup_tool,
            "full": backup.schedule.full_cron,
            "differential": backup.schedule.diff_cron,
            "incremental": backup.schedule.incr_cron,
            "pitr": backup.schedule.pitr,
            "pitr_days": backup.schedule.pitr_days,
            "archive_timeout_s": backup.schedule.archive_timeout_s,
            "restore_s": backup.restore_s,
            "restore_bytes": backup.restore_bytes,
            "replay_bytes": backup.replay_bytes,
            "repository_bytes": backup.repository_bytes,
            "restore_loss_s": backup.restore_loss_s,
            "restore_model": {
                "fixed_s": backup.restore.fixed_s,
                "bytes_per_s": backup.restore.bytes_per_s,
                "replay_bytes_per_s": backup.restore.replay_bytes_per_s,
                "source": backup.restore.source,
            },
            "reasons": list(backup.reasons),
        },
        "capacity": {
            "log": {
                "name": cap.log.name,
                "bytes_per_s": cap.log.bytes_per_s,
                "bytes_per_day": cap.log.bytes_per_day,
                "record_bytes_per_s": cap.log.record_bytes_per_s,
                "commit_bytes_per_s": cap.log.commit_bytes_per_s,
                "page_image_bytes_per_s": cap.log.page_image_bytes_per_s,
                "commits_per_s": cap.log.commits_per_s,
                "checkpoint_s": cap.log.checkpoint_s,
            },
            "working_set_bytes": cap.working_set.bytes,
            "working_set_largest": cap.working_set.largest,
            "resources": [_resource(r) for r in cap.resources],
            "first_out": None
            if cap.first_out is None
            else {"resource": cap.first_out[0], "day": cap.first_out[1]},
            "verdict": cap.verdict(brief.horizon),
            "notes": list(cap.notes),
        },
        "pool": {
            "tool": plan.profile.pooler,
            "mode": plan.pool.mode,
            "pool_size": plan.pool.pool_size,
            "reserve": plan.pool.reserve,
            "max_client_conn": plan.pool.max_client_conn,
            "busy_connections": plan.busy_connections,
            "reason": plan.pool_reason,
        },
        "settings": [
            {"file": s.file, "name": s.name, "value": s.value, "reason": s.reason}
            for s in plan.layout.settings
        ],
        "table_settings": [
            {"table": v.table, "threshold": v.threshold, "scale_factor": v.scale_factor, "reason": v.reason}
            for v in plan.layout.vacuum
        ],
        "sort_needs": [
            {"statement": n.statement, "operation": n.operation, "rows": n.rows, "bytes": n.bytes}
            for n in plan.sort_needs[:10]
        ],
        "files": [{"name": name, "content": content} for name, content in plan.files],
        "runbooks": [_runbook(r) for r in plan.runbooks],
        "unmet": list(plan.unmet),
    }


def human_seconds(value: float | None) -> str:
    """``450 ms``, ``12 s``, ``2.5 min``, ``3.1 h``."""
    if value is None:
        return "—"
    if value < 1:
        return f"{value * 1000:.0f} ms"
    if value < 120:
        return f"{value:.3g} s"
    if value < 7200:
        return f"{value / 60:.3g} min"
    return f"{value / 3600:.3g} h"


def runbooks_markdown(doc: dict[str, Any], name: str) -> str:
    """The runbooks of ``doc["operations"]`` as one Markdown document."""
    lines = [f"# Runbooks for {name}", ""]
    ops = doc["operations"]
    lines.append(
        f"{ops['engine']}: {ops['tools']['ha']}; backups with {ops['tools']['backup']}"
        + (f"; pooling with {ops['tools']['pooler']}" if ops["tools"]["pooler"] else "")
        + ". Commands name the files `dbarch design -o` wrote (copy them to `/etc/dbarchitect` on each host)."
    )
    for book in ops["runbooks"]:
        lines += ["", f"## {book['title']}", "", f"When: {book['when']}.", ""]
        for i, step in enumerate(book["steps"], start=1):
            lines.append(f"{i}. {step['what']}")
            if step["command"]:
                lines += ["", "   ```sh", f"   {step['command']}", "   ```", ""]
    return "\n".join(lines).rstrip() + "\n"


def write_operations_files(doc: dict[str, Any], output: Path) -> list[str]:
    """Write the configuration files under ``output/operations/`` and ``output/runbooks.md``."""
    ops = doc.get("operations")
    if not ops:
        return []
    folder = output / "operations"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[str] = []
    for f in ops["files"]:
        path = folder / f["name"]
        path.write_text(f["content"], encoding="utf-8")
        written.append(str(path))
    book = output / "runbooks.md"
    book.write_text(runbooks_markdown(doc, doc["brief"]["name"]), encoding="utf-8")
    written.append(str(book))
    return written


def capacity_rows(ops: dict[str, Any]) -> list[list[str]]:
    """(resource, now, at the horizon, node capacity, runs out) for the capacity table."""

    def amount(value: float, unit: str) -> str:
        if unit == "bytes":
            return human_bytes(value)
        if unit == "bytes/s":
            return human_bytes(value) + "/s"
        return f"{value:,.1f} {unit}"

    rows = []
    for r in ops["capacity"]["resources"]:
        out = "—" if r["runs_out_day"] is None else f"day {r['runs_out_day']:,.0f}"
        rows.append(
            [
                r["name"],
                amount(r["now"], r["unit"]),
                amount(r["at_horizon"], r["unit"]),
                amount(r["capacity"], r["unit"]),
                out,
            ]
        )
    return rows


# ---------------------------------------------------------------------------------------------
# The HTML report's chart: each resource over the horizon against one node's capacity

_PANEL_W = 330.0
_PANEL_H = 150.0
_PAD_L = 58.0
_PAD_B = 26.0
_PAD_T = 22.0


def _amount(value: float, unit: str) -> str:
    if unit == "bytes":
        return human_bytes(value)
    if unit == "bytes/s":
        return human_bytes(value) + "/s"
    if value >= 1000:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def resource_chart(resources: list[dict[str, Any]], horizon_days: float) -> str:
    """Small multiples, one panel per resource: the need over the horizon (a line) against one node's
    capacity (a dashed line), the crossing marked. Inline SVG, no script, deterministic."""
    import xml.etree.ElementTree as ET

    cols = 3
    rows = (len(resources) + cols - 1) // cols
    width = cols * _PANEL_W
    height = rows * _PANEL_H
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {width:.0f} {height:.0f}",
            "width": f"{width:.0f}",
            "height": f"{height:.0f}",
            "role": "img",
            "class": "chart resources",
        },
    )
    ET.SubElement(svg, "title").text = "Each resource over the horizon against one node's capacity"
    for i, r in enumerate(resources):
        x0 = (i % cols) * _PANEL_W
        y0 = (i // cols) * _PANEL_H
        g = ET.SubElement(svg, "g", {"class": "panel", "transform": f"translate({x0:.0f},{y0:.0f})"})
        points = r["points"]
        top = max([p["needed"] for p in points] + [r["capacity"]]) * 1.1 or 1.0
        plot_w = _PANEL_W - _PAD_L - 16
        plot_h = _PANEL_H - _PAD_T - _PAD_B
        span = horizon_days or 1.0

        def px(day: float, plot_w: float = plot_w, span: float = span) -> float:
            return _PAD_L + plot_w * day / span

        def py(value: float, plot_h: float = plot_h, top: float = top) -> float:
            return _PAD_T + plot_h * (1 - value / top)

        title = ET.SubElement(g, "text", {"x": f"{_PAD_L:.0f}", "y": "14", "class": "panel-title"})
        title.text = f"{r['name']}: {_amount(r['at_horizon'], r['unit'])} at the horizon"
        ET.SubElement(
            g,
            "line",
            {
                "x1": f"{_PAD_L:.1f}",
                "x2": f"{_PAD_L + plot_w:.1f}",
                "y1": f"{_PAD_T + plot_h:.1f}",
                "y2": f"{_PAD_T + plot_h:.1f}",
                "class": "axis",
                "stroke": "#999",
            },
        )
        for value in (0.0, top / 1.1):
            label = ET.SubElement(
                g,
                "text",
                {
                    "x": f"{_PAD_L - 4:.0f}",
                    "y": f"{py(value) + 4:.1f}",
                    "text-anchor": "end",
                    "class": "tick",
                },
            )
            label.text = _amount(value, r["unit"]) if value else "0"
        for day in (0.0, span):
            label = ET.SubElement(
                g,
                "text",
                {
                    "x": f"{px(day):.1f}",
                    "y": f"{_PAD_T + plot_h + 16:.1f}",
                    "text-anchor": "middle",
                    "class": "tick",
                },
            )
            label.text = "now" if day == 0 else f"{day:,.0f} d"
        cap = ET.SubElement(
            g,
            "line",
            {
                "x1": f"{_PAD_L:.1f}",
                "x2": f"{_PAD_L + plot_w:.1f}",
                "y1": f"{py(r['capacity']):.1f}",
                "y2": f"{py(r['capacity']):.1f}",
                "stroke": "#b03030",
                "stroke-dasharray": "4 3",
                "class": "capacity",
            },
        )
        ET.SubElement(cap, "title").text = f"one node: {_amount(r['capacity'], r['unit'])}"
        line = ET.SubElement(
            g,
            "polyline",
            {
                "points": " ".join(f"{px(p['day']):.1f},{py(p['needed']):.1f}" for p in points),
                "fill": "none",
                "stroke": "#2060a0",
                "stroke-width": "2",
                "class": "need",
            },
        )
        ET.SubElement(line, "title").text = (
            f"{r['name']}: {_amount(r['now'], r['unit'])} now, "
            f"{_amount(r['at_horizon'], r['unit'])} at the horizon; {r['detail']}"
        )
        if r["runs_out_day"] is not None:
            mark = ET.SubElement(
                g,
                "circle",
                {
                    "cx": f"{px(r['runs_out_day']):.1f}",
                    "cy": f"{py(r['capacity']):.1f}",
                    "r": "4",
                    "fill": "#b03030",
                },
            )
            ET.SubElement(mark, "title").text = f"runs out on day {r['runs_out_day']:,.0f}"
    return ET.tostring(svg, encoding="unicode")
