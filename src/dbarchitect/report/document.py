"""The one report object every renderer (text, Markdown, JSON) draws from.

:func:`inspection_document` and :func:`design_document` turn typed results into a plain,
deterministically ordered mapping: what the JSON output is, and what the templates read.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dbarchitect._version import __version__
from dbarchitect.advisors.access_paths import AccessPath
from dbarchitect.advisors.indexes.advisor import with_advised_indexes
from dbarchitect.advisors.latency import estimate_latency
from dbarchitect.advisors.migrations import plan_json
from dbarchitect.advisors.schema.normalization import Decomposition
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.guardrails.design.runner import verdict_json
from dbarchitect.model.catalog import Column, Table
from dbarchitect.model.workload import Statement
from dbarchitect.report.indexes import index_advice_document
from dbarchitect.report.json import to_jsonable
from dbarchitect.report.levers import levers_document
from dbarchitect.report.operations import capacity_rows, operations_document
from dbarchitect.report.partitioning import partitioning_document
from dbarchitect.results import Design, Inspection


def _column(column: Column) -> dict[str, Any]:
    default = None
    if column.default is not None:
        default = column.default.value if column.default.value is not None else column.default.kind.value
    out: dict[str, Any] = {
        "name": column.name.value,
        "type": str(column.type),
        "nullable": column.nullable,
        "default": default,
        "identity": column.identity,
    }
    if column.stats is not None:
        out["stats"] = to_jsonable(column.stats)
    return out


def _table(table: Table, size: TableSize) -> dict[str, Any]:
    return {
        "name": table.name.value,
        "columns": [_column(c) for c in table.columns],
        "primary_key": [c.value for c in table.primary_key.columns] if table.primary_key else None,
        "unique": [[c.value for c in u.columns] for u in table.uniques],
        "foreign_keys": [
            {
                "columns": [c.value for c in fk.columns],
                "references": fk.ref_table.value,
                "ref_columns": [c.value for c in fk.ref_columns],
                "on_delete": fk.on_delete.value,
            }
            for fk in table.foreign_keys
        ],
        "checks": [c.expression for c in table.checks],
        "indexes": [
            {
                "name": i.name.value,
                "keys": [
                    (k.column.value if k.column else k.expression or "") + (" DESC" if k.descending else "")
                    for k in i.keys
                ],
                "unique": i.unique,
                "where": i.where,
                "include": [c.value for c in i.include],
                "method": i.method,
            }
            for i in table.indexes
        ],
        "partitioning": to_jsonable(table.partitioning),
        "size": {
            "unsized": size.unsized,
            "rows_now": size.rows_now,
            "rows_at_horizon": size.rows_at_horizon,
            "growth_rows_per_day": table.stats.growth_rows_per_day if table.stats else None,
            "retention_days": table.stats.retention_days if table.stats else None,
            "row_bytes": size.row_bytes,
            "data_bytes_now": size.data_bytes_now,
            "data_bytes_at_horizon": size.data_bytes_at_horizon,
            "index_bytes_now": size.index_bytes_now,
            "index_bytes_at_horizon": size.index_bytes_at_horizon,
            "indexes": to_jsonable(size.indexes),
        },
    }


def _statement(statement: Statement, paths: Mapping[str, AccessPath]) -> dict[str, Any]:
    """``paths``: the statement's access paths by table."""
    tables = []
    for access in statement.tables:
        path = paths.get(access.table.value)
        tables.append(
            {
                "table": access.table.value,
                "aliases": list(access.aliases),
                "occurrences": access.occurrences,
                "predicates": [
                    {
                        "column": p.column.column.value,
                        "kind": p.kind.value,
                        "operator": p.operator,
                        "value": p.value,
                        **({"values": p.values} if p.values != 1 else {}),
                    }
                    for p in access.predicates
                ],
                "join_columns": [c.value for c in access.join_columns],
                "group_by": [c.value for c in access.group_by],
                "order_by": [
                    o.column.column.value + (" DESC" if o.descending else "") for o in access.order_by
                ],
                "columns_read": [c.value for c in access.columns_read],
                "columns_written": [c.value for c in access.columns_written],
                "write_target": access.is_write_target,
                "access_path": to_jsonable(path) if path else None,
            }
        )
    return {
        "name": statement.name,
        "kind": statement.kind.value,
        "rate_per_second": statement.rate,
        "slo": to_jsonable(statement.slo),
        "fingerprint": statement.fingerprint,
        "limit": statement.limit,
        "parameters": list(statement.parameters),
        "joins": [{"left": str(j.left), "right": str(j.right), "kind": j.kind} for j in statement.joins],
        "tables": tables,
        "origin": statement.origin,
        "sql": statement.sql.strip(),
    }


def inspection_document(inspection: Inspection) -> dict[str, Any]:
    brief = inspection.brief
    spec = brief.schema_
    source = (
        f"ddl: {spec.ddl}" if spec.ddl else "entities" if spec.entities else "source database (read-only)"
    )
    sizes = {s.table: s for s in inspection.sizes}
    tables = [_table(t, sizes[t.name.value]) for t in inspection.catalog.tables]
    total_now = sum(s.data_bytes_now + s.index_bytes_now for s in inspection.sizes)
    total_later = sum(s.total_bytes_at_horizon for s in inspection.sizes)
    index_later = sum(s.index_bytes_at_horizon for s in inspection.sizes)
    budgets = brief.budgets
    by_statement: dict[str, dict[str, AccessPath]] = {}  # grouped once: not statements x paths
    for p in inspection.paths:
        by_statement.setdefault(p.statement, {})[p.table] = p
    return {
        "tool": {"name": "dbarchitect", "version": __version__},
        "brief": {
            "name": brief.name,
            "file": inspection.source,
            "engine": str(brief.engine),
            "portable_to": [str(e) for e in brief.portable_to],
            "horizon_days": brief.horizon,
            "schema": source,
        },
        "tables": tables,
        "unsized_tables": [s.table for s in inspection.sizes if s.unsized],
        "storage": {
            "engine": str(brief.engine),
            "bytes_now": total_now,
            "bytes_at_horizon": total_later,
            "index_bytes_at_horizon": index_later,
            "storage_budget": budgets.storage,
            "index_budget": budgets.index_storage,
            "within_storage_budget": None if budgets.storage is None else total_later <= budgets.storage,
            "within_index_budget": None
            if budgets.index_storage is None
            else index_later <= budgets.index_storage,
        },
        "workload": {
            "statements": len(inspection.workload.statements),
            "total_rate_per_second": inspection.workload.total_rate,
            "write_rate_per_second": sum(s.rate for s in inspection.workload.statements if s.is_write),
        },
        "statements": [_statement(s, by_statement.get(s.name, {})) for s in inspection.workload.statements],
        "schema_design": _schema_design(inspection),
    }


def _relations(decomposition: Decomposition | None) -> list[str] | None:
    if decomposition is None:
        return None
    return ["(" + ", ".join(r) + ")" for r in decomposition.relations]


def _schema_design(inspection: Inspection) -> dict[str, Any] | None:
    """How the schema was designed from entities: every decision with its reason, and the normal form
    of each table with declared dependencies (with the decompositions proposed)."""
    design = inspection.schema_design
    if design is None:
        return None
    return {
        "decisions": [
            {"subject": d.subject, "kind": str(d.kind), "choice": d.choice, "reason": d.reason}
            for d in design.decisions
        ],
        "normalization": [
            {
                "table": n.table,
                "normal_form": str(n.report.form),
                "keys": [list(k) for k in n.report.keys],
                "reason": n.report.reason,
                "proposed_3nf": _relations(n.synthesis),
                "proposed_bcnf": _relations(n.bcnf),
                "bcnf_loses": [str(d) for d in n.bcnf.lost] if n.bcnf else [],
            }
            for n in design.normalization
        ],
    }


def _latency(design: Design) -> dict[str, Any]:
    """Each statement's SLO beside its estimated p95 latency under the design (the index advice's cost
    after its indexes through the target engine's latency model: what the ``slo-latency`` guardrail
    judges), its plan, and the indexes that serve it: the advised ones its new plan uses, and the
    existing ones its access paths use on tables no advised index serves."""
    advice = design.index_advice
    inspection = design.inspection
    traits = inspection.traits
    designed = with_advised_indexes(inspection.catalog, advice, traits)
    source = f"index advice ({advice.backend})" if advice else "index advice"
    effects = {e.statement: e for e in advice.statements} if advice else {}
    advised_tables = {r.name: r.table for r in advice.recommended} if advice else {}
    paths: dict[str, list[tuple[str, str]]] = {}
    for p in design.inspection.paths:
        if p.index is not None:
            paths.setdefault(p.statement, []).append((p.table, p.index))
    rows = []
    for s in design.inspection.workload.statements:
        effect = effects.get(s.name)
        costed = effect is not None and effect.error is None
        uses = list(effect.uses) if effect else []
        served = {advised_tables[u] for u in uses if u in advised_tables}
        estimate = before = None
        if effect is not None and costed:
            estimate = estimate_latency(
                s, effect.after, designed, traits, io=effect.io_after, cost_source=source, commit=True
            ).ms
            before = estimate_latency(
                s,
                effect.before,
                inspection.catalog,
                traits,
                io=effect.io_before,
                cost_source=source,
                commit=True,
            ).ms
        target = s.slo.p95_ms if s.slo and s.slo.p95_ms is not None else s.slo.p99_ms if s.slo else None
        rows.append(
            {
                "statement": s.name,
                "kind": s.kind.value,
                "rate_per_second": s.rate,
                "slo_p95_ms": s.slo.p95_ms if s.slo else None,
                "slo_p99_ms": s.slo.p99_ms if s.slo else None,
                "estimated_ms": to_jsonable(estimate),
                "estimated_ms_before": to_jsonable(before),
                "over_slo": None if estimate is None or target is None else estimate > target,
                "cost_before": to_jsonable(effect.before) if costed and effect else None,
                "cost_after": to_jsonable(effect.after) if costed and effect else None,
                "plan_before": effect.plan_before if effect else None,
                "plan": effect.plan_after if effect else None,
                "advised_indexes": uses,
                "existing_indexes": [i for t, i in paths.get(s.name, []) if t not in served],
                "error": effect.error if effect else "no index advice: not costed",
            }
        )
    return {
        "source": f"index advice ({advice.backend})" if advice else None,
        "ms_per_cost_unit": traits.latency.ms_per_cost_unit,
        "calibrated_on": traits.latency.source,
        "statements": rows,
    }


def design_document(design: Design, files: dict[str, str] | None = None) -> dict[str, Any]:
    """The design as a report document (``files``: the schema file written per engine name)."""
    doc = inspection_document(design.inspection)
    doc["schemas"] = [
        {
            "engine": str(s.engine),
            "target": s.is_target,
            "file": (files or {}).get(s.engine.name.value),
            "sql": s.sql,
            "notes": [to_jsonable(n) for n in s.notes],
        }
        for s in design.schemas
    ]
    doc["embedded_check"] = to_jsonable(design.embedded_check)
    doc["indexes"] = index_advice_document(design.index_advice) if design.index_advice else None
    doc["notes"] = list(design.notes)
    doc["verdict"] = json.loads(verdict_json(design.verdict)) if design.verdict else None
    doc["latency"] = _latency(design)
    doc["migration"] = plan_json(design.migration) if design.migration is not None else None
    doc["partitioning"] = partitioning_document(design.partitioning) if design.partitioning else None
    doc["levers"] = levers_document(design.levers) if design.levers else None
    doc["operations"] = operations_document(design.operations) if design.operations else None
    if doc["operations"] is not None:
        doc["operations"]["capacity_rows"] = capacity_rows(doc["operations"])
    return doc
