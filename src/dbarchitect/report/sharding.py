"""The sharding advice as a report document (what ``json`` prints), and its terminal and Markdown
renderings (the Markdown carries the Citus script and the VSchema in full)."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from dbarchitect.advisors.sharding.advisor import LayoutResult, ShardingAdvice
from dbarchitect.report.formatting import human_bytes, human_rate
from dbarchitect.report.json import to_jsonable
from dbarchitect.report.markdown import render_markdown
from dbarchitect.report.text import print_blocks


def _num(value: float) -> float | None:
    return to_jsonable(float(value))  # type: ignore[no-any-return]


def _layout(result: LayoutResult, chosen: LayoutResult | None = None) -> dict[str, Any]:
    txns = result.has_transactions
    doc: dict[str, Any] = {
        "name": result.name,
        "description": result.description,
        "placements": [p.describe() for p in result.layout.placements],
        "distributed_transactions": _num(result.distributed_transactions) if txns else None,
        "single_shard_transactions": _num(result.single_shard("transaction")) if txns else None,
        "single_shard_statements": _num(result.single_shard_statements),
        "single_shard_executions": _num(result.single_shard()),
    }
    if chosen is not None:
        base = result.distributed_transactions
        ratio = chosen.distributed_transactions / base if txns and base > 0 else None
        doc["chosen_vs_baseline"] = _num(ratio) if ratio is not None else None
    return doc


def sharding_document(advice: ShardingAdvice, brief_name: str = "") -> dict[str, Any]:
    """Plain, stably ordered mapping of the advice."""
    cap = advice.capacity
    chosen = advice.chosen
    return {
        "brief": brief_name,
        "runnable_on": advice.runnable_on or None,
        "capacity": {
            "verdict": cap.verdict(),
            "one_node_enough": cap.one_node_enough,
            "node": {
                "memory_bytes": cap.node.memory,
                "storage_bytes": cap.node.storage,
                "write_rate_per_second": cap.node.write_rate,
                "defaults_used": list(cap.node.defaults_used),
            },
            "limits": [
                {
                    "name": limit.name,
                    "needed": _num(limit.needed),
                    "per_node": _num(limit.per_node),
                    "unit": limit.unit,
                    "nodes": limit.nodes,
                    "detail": limit.detail,
                }
                for limit in cap.limits
            ],
            "nodes": cap.nodes,
            "unsized_statements": list(cap.unsized),
        },
        "shard_count": advice.shard_count,
        "shard_count_reason": cap.shard_reason,
        "tables": [
            {
                "table": t.table,
                "placement": t.kind.value,
                "column": t.column,
                "colocation_group": t.group,
                "bytes_at_horizon": _num(t.bytes_at_horizon),
                "reads_per_second": _num(t.reads_per_second),
                "writes_per_second": _num(t.writes_per_second),
                "reason": t.reason,
            }
            for t in advice.tables
        ],
        "colocation_groups": [
            {"name": g.name, "tables": list(g.tables), "column_type": g.column_type} for g in advice.groups
        ],
        "chosen": _layout(chosen),
        "baselines": [_layout(b, chosen) for b in advice.baselines],
        "units": [
            {
                "name": f.unit,
                "kind": f.kind,
                "rate_per_second": _num(f.rate),
                "single_shard": _num(f.single_shard),
                "reasons": list(f.reasons),
            }
            for f in chosen.footprints
        ],
        "statements": [
            {
                "statement": r.statement,
                "rate_per_second": _num(r.rate),
                "single_shard": _num(r.single_shard),
                "pinned": [
                    f"{a.table} = " + ", ".join(f"{k}:{v}" for k, v in a.key) for a in r.route.accesses
                ],
                "fans_out": list(r.route.fanout),
                "writes_reference_tables": list(r.route.broadcast),
                "repartition_joins": list(r.route.repartition),
                "refused": list(r.route.refused),
            }
            for r in advice.routing
        ],
        "skew": {
            "tables": [to_jsonable(s) for s in advice.skews],
            "groups": [to_jsonable(g) for g in advice.loads],
        },
        "search": {
            "method": advice.search_method,
            "layouts_evaluated": advice.evaluations,
            "refused_options": [to_jsonable(r) for r in advice.refused],
        },
        "citus": {
            "changes": [
                {"table": c.table, "change": c.kind.value, "what": c.what, "reason": c.reason}
                for c in advice.citus_changes
            ],
            "sql": advice.citus_sql,
        },
        "vitess": {
            "vschema": json.loads(advice.vschema),
            "shards": list(advice.vitess_shards),
            "problems": list(advice.vschema_problems),
        },
        "simulation": None
        if advice.simulation is None
        else {
            "seed": advice.simulation.seed,
            "shards": advice.simulation.shards,
            "executions": advice.simulation.executions,
            "distributed_transactions": _num(advice.simulation.distributed_fraction("transaction")),
            "units": [
                {
                    "name": u.unit,
                    "kind": u.kind,
                    "executions": u.executions,
                    "distributed": u.distributed,
                }
                for u in advice.simulation.units
            ],
        },
        "notes": list(advice.notes),
    }


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def render_sharding_text(doc: dict[str, Any], console: Console) -> None:
    cap = doc["capacity"]
    parts: list[Any] = [Text(cap["verdict"], style="bold" if not cap["one_node_enough"] else "")]
    if cap["node"]["defaults_used"]:
        parts.append(
            Text(
                f"node defaults used for: {', '.join(cap['node']['defaults_used'])} (give node: in the brief)"
            )
        )
    parts.append(Text(doc["shard_count_reason"]))
    tables = Table(title="Placement")
    for col in ("table", "placement", "group", "at horizon", "why"):
        tables.add_column(col, justify="right" if col == "at horizon" else "left")
    for t in doc["tables"]:
        where = f"by {t['column']}" if t["placement"] == "distributed" else "reference"
        tables.add_row(
            t["table"], where, t["colocation_group"] or "—", human_bytes(t["bytes_at_horizon"]), t["reason"]
        )
    parts.append(tables)
    compare = Table(title="Distributed transactions (touching more than one shard)")
    for col in ("layout", "distributed txns", "single-shard statements", "chosen / this"):
        compare.add_column(col, justify="left" if col == "layout" else "right")
    chosen = doc["chosen"]
    compare.add_row(
        "chosen", _pct(chosen["distributed_transactions"]), _pct(chosen["single_shard_statements"]), ""
    )
    for b in doc["baselines"]:
        ratio = b.get("chosen_vs_baseline")
        compare.add_row(
            b["name"],
            _pct(b["distributed_transactions"]),
            _pct(b["single_shard_statements"]),
            "—" if ratio is None else f"{ratio:.3f}",
        )
    parts.append(compare)
    units = Table(title="Transactions and statements run on their own")
    for col in ("name", "rate", "single-shard", "what spreads it"):
        units.add_column(col, justify="right" if col in ("rate", "single-shard") else "left")
    for u in doc["units"]:
        units.add_row(
            u["name"], human_rate(u["rate_per_second"]), _pct(u["single_shard"]), "; ".join(u["reasons"][:2])
        )
    parts.append(units)
    if doc["simulation"] is not None:
        sim = doc["simulation"]
        parts.append(
            Text(
                f"Simulated: {sim['executions']:,} executions on generated values (seed {sim['seed']}): "
                f"{_pct(sim['distributed_transactions'])} of transactions touched more than one shard"
            )
        )
    for g in doc["skew"]["groups"]:
        parts.append(
            Text(
                f"Group {g['group']}: data skew {g['data_skew']:.2f}, load skew {g['load_skew']:.2f} "
                "(fullest shard / even share)" + (f"; {g['hot_writes']}" if g["hot_writes"] else "")
            )
        )
    if doc["citus"]["changes"]:
        parts.append(Text("Schema changes Citus needs:", style="bold"))
        parts += [
            Text(f"- {c['table']}: {c['change']} {c['what']} ({c['reason']})")
            for c in doc["citus"]["changes"]
        ]
    parts.append(
        Text(
            f"Search: {doc['search']['method']}; {doc['search']['layouts_evaluated']} layouts evaluated",
            style="dim",
        )
    )
    parts += [Text(note, style="yellow") for note in doc["notes"]]
    print_blocks(console, parts)


def render_sharding_markdown(doc: dict[str, Any]) -> str:
    return render_markdown(doc, "sharding.md.j2")
