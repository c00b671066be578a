"""The partitioning advice as a report document, and its terminal, SQL and file renderings (Markdown
shares the report templates; JSON is the document itself)."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from dbarchitect.advisors.migrations import plan_json
from dbarchitect.advisors.partitioning.model import PartitionAdvice, TableDecision, Verdict
from dbarchitect.engines.ddl import create_index_sql, create_table_sql, partitions_sql
from dbarchitect.engines.quoting import line_comment
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.report.formatting import human_bytes, human_count, human_rate
from dbarchitect.report.json import to_jsonable
from dbarchitect.report.text import name_column, print_blocks
from dbarchitect.results import PartitioningResult
from dbarchitect.verify.partitioning import PruningMeasurement

#: The label every figure from the built-in model carries (none comes from a planner).
MODEL_LABEL = (
    "model: partitions counted from each statement's predicates with its parameters bound, not measured; "
    "give --engine-url to EXPLAIN every statement on the real planner"
)


def _traits(advice: PartitionAdvice) -> EngineTraits:
    name, _, version = advice.engine.partition(" ")
    return get_traits(name, version or None)


def _decision(decision: TableDecision) -> dict[str, Any]:
    chosen = decision.chosen
    return {
        "table": decision.table,
        "verdict": decision.verdict.value,
        "rejection": decision.rejection.value if decision.rejection else None,
        "reasons": list(decision.reasons),
        "rows_now": decision.rows_now,
        "rows_at_horizon": decision.rows_at_horizon,
        "bytes_at_horizon": to_jsonable(decision.bytes_at_horizon),
        "growth_rows_per_day": decision.growth_rows_per_day,
        "retention_days": decision.retention_days,
        "current": to_jsonable(decision.current),
        "chosen": {"key": chosen.key, **to_jsonable(chosen)} if chosen is not None else None,
        "candidates": [
            {
                "key": c.key,
                "pruning_share": to_jsonable(c.pruning_share),
                "partitions": c.layout.count,
                "rows_per_partition": to_jsonable(c.rows_per_partition),
                "infeasible": c.infeasible,
                "blocker": c.blocker,
            }
            for c in decision.candidates
        ],
        "partitioning": to_jsonable(decision.partitioning),
        "maintenance": to_jsonable(decision.maintenance),
    }


def _measurement(m: PruningMeasurement) -> dict[str, Any]:
    return {
        "engine": m.engine,
        "database": m.database,
        "weighted_within_two": to_jsonable(m.weighted_within_two),
        "partitioned_within_two": to_jsonable(m.partitioned_within_two),
        "statements": [to_jsonable(s) for s in m.statements],
        "notes": list(m.notes),
    }


def partitioning_document(result: PartitioningResult) -> dict[str, Any]:
    """Plain, stably ordered mapping of the advice and its measurements (``-f json``)."""
    advice = result.advice
    return {
        "engine": advice.engine,
        "anchor": advice.anchor.isoformat(),
        "source": MODEL_LABEL,
        "workload": {
            "weighted_within_two": to_jsonable(advice.weighted_within_two),
            "partitioned_within_two": to_jsonable(advice.partitioned_within_two),
            "total_rate_per_second": to_jsonable(sum(s.rate for s in advice.statements)),
        },
        "decisions": [_decision(d) for d in advice.decisions],
        "statements": [to_jsonable(s) for s in advice.statements],
        "bindings": [to_jsonable(b) for b in advice.bound if b.bindings or b.error],
        "measurements": [_measurement(m) for m in result.measurements],
        "migration": plan_json(advice.migration) if advice.migration is not None else None,
        "notes": list(advice.notes),
    }


def _script(statements: tuple[str, ...] | list[str], traits: EngineTraits) -> str:
    """Statements as one script for the engine's command-line client (MySQL-family procedure bodies
    between ``DELIMITER //`` lines)."""
    out: list[str] = []
    for sql in statements:
        body = sql.rstrip().rstrip(";")
        if traits.sqlglot_dialect == "mysql" and ";" in body:
            out.append(f"DELIMITER //\n{body} //\nDELIMITER ;")
        else:
            out.append(body + ";")
    return "\n\n".join(out)


def partitioning_sql(result: PartitioningResult) -> str:
    """The partitioned tables' DDL for the target engine, then each one's maintenance (scheduled SQL,
    and pg_partman's configuration as a commented alternative)."""
    advice = result.advice
    traits = _traits(advice)
    blocks = [f"-- Partitioning advised by dbarchitect for {advice.engine} ({MODEL_LABEL.split(';')[0]})."]
    for decision in advice.decisions:
        if decision.verdict == Verdict.NO:
            continue
        table = advice.catalog.table(decision.table)
        if table is None:  # pragma: no cover - the designed catalog holds every table
            continue
        blocks.append(line_comment(f"{decision.table}: {decision.chosen.key if decision.chosen else ''}"))
        blocks.append(create_table_sql(table, traits))
        blocks += partitions_sql(table, traits)
        for index in table.indexes:
            built = create_index_sql(table, index, traits)
            if built is not None:
                blocks.append(built)
        m = decision.maintenance
        if m is not None:
            blocks.append(line_comment(f"maintenance of {decision.table}: run {m.schedule}"))
            blocks.append(_script(list(m.setup_sql), traits))
            blocks.append(_script(list(m.run_sql), traits))
            if m.partman_sql:
                blocks.append(
                    "-- alternative: pg_partman keeps the partitions (on the table before any partition "
                    "exists)\n" + "\n".join(line_comment(f"{s};") for s in m.partman_sql)
                )
    return traits.script_sql("\n\n".join(blocks) + "\n")


def partitioning_files(result: PartitioningResult) -> dict[str, str]:
    """What ``dbarch partition -o DIR`` writes besides the report: the DDL and maintenance script,
    pg_partman's configuration when it applies."""
    files = {"partitioning.sql": partitioning_sql(result)}
    partman = [
        line_comment(d.table) + "\n" + "\n".join(f"{s};" for s in d.maintenance.partman_sql)
        for d in result.advice.decisions
        if d.maintenance is not None and d.maintenance.partman_sql and d.verdict != Verdict.NO
    ]
    if partman:
        files["pg_partman.sql"] = "\n\n".join(partman) + "\n"
    return files


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.2%}"


def _generic(s: dict[str, Any]) -> str:
    """A prepared statement's figure beside the literal plan's (PostgreSQL's generic plan)."""
    if s.get("generic_listed") is None:
        return ""
    return (
        f"; prepared (generic plan): {s['generic_listed']} listed, "
        f"{s['subplans_removed']} removed at executor start"
    )


def render_partitioning_text(doc: dict[str, Any], console: Console) -> None:
    """The advice in the terminal: one row per table, then every table's reasons (all of them, as in
    the JSON), the workload's pruning and the measurements."""
    table = RichTable(title=f"Partitioning for {doc['engine']}")
    name_column(table, "table")
    table.add_column("verdict")
    name_column(table, "layout")
    for column in ("partitions", "rows/partition", "pruned"):
        table.add_column(column, justify="right")
    for d in doc["decisions"]:
        c = d["chosen"]
        table.add_row(
            d["table"],
            d["verdict"],
            c["layout"]["method"].upper()
            + f" ({c['layout']['column']})"
            + (f" by {c['layout']['unit']}" if c["layout"]["unit"] else "")
            if c
            else "—",
            str(c["layout"]["count"]) if c else "—",
            human_count(c["rows_per_partition"]) if c else "—",
            _share(c["pruning_share"]) if c else "—",
        )
    reasons: list[Any] = [Text("Why:", style="bold")]
    for d in doc["decisions"]:
        if len(d["reasons"]) == 1:
            reasons.append(Text(f"  {d['table']} ({d['verdict']}): {d['reasons'][0]}"))
            continue
        reasons.append(Text(f"  {d['table']} ({d['verdict']}):"))
        reasons += [Text(f"    - {reason}") for reason in d["reasons"]]
    w = doc["workload"]
    parts: list[Any] = [
        table,
        *reasons,
        Text(
            f"Weighted workload touching at most 2 partitions: {_share(w['weighted_within_two'])} "
            f"(statements on partitioned tables: {_share(w['partitioned_within_two'])}) — {doc['source']}",
            style="bold",
        ),
    ]
    for s in doc["statements"]:
        if s["touches_partitioned"] and s["within_two"] < 1.0:
            parts.append(
                Text(
                    f"  {s['statement']} ({human_rate(s['rate'])}): {s['partitions']:.1f} partitions — "
                    f"{s['reason']}"
                )
            )
    for m in doc["measurements"]:
        parts.append(
            Text(
                f"Measured by EXPLAIN on {m['engine']} ({m['database']}): "
                f"{_share(m['weighted_within_two'])} of the weighted workload touches at most 2 partitions "
                f"(statements on partitioned tables: {_share(m['partitioned_within_two'])})",
                style="green",
            )
        )
        for s in m["statements"]:
            if s["error"]:
                parts.append(Text(f"  {s['statement']}: {s['error']}", style="red"))
            elif s["touches_partitioned"]:
                parts.append(
                    Text(
                        f"  {s['statement']}: plan lists {s['listed']}, reads {s['partitions']:.2f} — "
                        f"{s['how']}{_generic(s)}"
                    )
                )
    for d in doc["decisions"]:
        for change in (d["chosen"] or {}).get("constraint_changes", []) if d["verdict"] != "no" else []:
            parts.append(
                Text(f"  {change['table']}: {change['kind']}: {change['consequence']}", style="yellow")
            )
    if doc["migration"]:
        parts.append(
            Text(f"Migration: {len(doc['migration']['steps'])} steps (dbarch partition -o DIR writes them)")
        )
    parts += [Text(n, style="yellow") for n in doc["notes"]]
    print_blocks(console, parts)


__all__ = ["human_bytes", "partitioning_document", "partitioning_files", "partitioning_sql"]
