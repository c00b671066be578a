"""The levers beyond indexes (summary tables, rewrites) searched with the index advice, and the
estimates the guardrails judge the statements they serve on."""

from __future__ import annotations

from dataclasses import replace

from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.levers.search import LeverAdvice, search_levers
from dbarchitect.api.indexing import DESIGN_INDEX_TIME_LIMIT_S, recommend_indexes
from dbarchitect.engines.registry import get_traits
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.guardrails.design.rule import StatementCost
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement
from dbarchitect.results import Inspection


def _lever_costs(levers: LeverAdvice | None, traits: EngineTraits) -> dict[str, StatementCost]:
    """The estimates the guardrails judge statements on when levers serve them (or tax them)."""
    out: dict[str, StatementCost] = {}
    for outcome in levers.outcomes if levers is not None else ():
        if outcome.lever is None and not outcome.taxed_by:
            continue
        taxes = "".join(f" + {ms:.3g} ms of {name}'s triggers" for name, ms in outcome.taxed_by)
        out[outcome.statement] = StatementCost(
            outcome.statement,
            0.0,
            outcome.lever or "the statement as written",
            None,
            outcome.after_ms,
            outcome.estimate + taxes,
            traits.latency.source,
        )
    return out


def _design_levers(
    inspection: Inspection, advice: IndexAdvice | None, *, database: str | None = None
) -> tuple[LeverAdvice | None, IndexAdvice | None, list[str]]:
    """The levers beyond indexes (summary tables, rewrites) for the brief, searched with the index
    advice, then the indexes searched again for the workload as it will run (rewritten statements,
    the summaries' tables) so a summary and the indexes on it are chosen together
    (:mod:`dbarchitect.advisors.levers.search`). Returns the lever advice, the final index advice
    and notes."""
    brief = inspection.brief
    engines = [get_traits(e.name, e.version) for e in brief.engines]
    params = {s.name: dict(s.params) for s in brief.workload.statements if s.params}
    staleness = {s.name: float(s.max_staleness) for s in brief.workload.statements if s.max_staleness}
    budgets = brief.budgets
    used = sum(s.total_bytes_at_horizon for s in inspection.sizes)
    if advice is not None:
        used += sum(r.size_at_horizon_bytes for r in advice.recommended)

    def search(index_advice: IndexAdvice | None) -> LeverAdvice:
        config = frozenset(r.candidate for r in index_advice.recommended) if index_advice else frozenset()
        return search_levers(
            inspection.catalog,
            inspection.workload,
            inspection.traits,
            engines=engines,
            params=params,
            staleness=staleness,
            config=config,
            horizon_days=brief.horizon,
            storage_budget=budgets.storage,
            storage_used=used,
            write_amplification=budgets.write_amplification,
        )

    notes: list[str] = []
    try:
        levers = search(advice)
    except DbarchError as exc:
        return None, advice, [f"no summary tables or rewrites: {exc}"]
    if not levers.chosen or advice is None:
        return levers, advice, notes
    # the indexes again, for the statements as they will run and the summaries' tables
    served = {r.statement: r.after_statements for r in levers.chosen.rewrites}
    served.update({s.statement: (s.after_statement,) for s in levers.chosen.summaries if s.after_statement})
    statements: list[Statement] = []
    for statement in inspection.workload.statements:
        parts = served.get(statement.name)
        if parts is None:
            statements.append(statement)
        else:
            statements += [
                replace(
                    p,
                    name=statement.name if len(parts) == 1 else f"{statement.name}#{i + 1}",
                    rate=statement.rate,
                )
                for i, p in enumerate(parts)
            ]
    tables = (*inspection.catalog.tables, *(s.table for s in levers.chosen.summaries))
    running = replace(
        inspection,
        catalog=Catalog(tables, inspection.catalog.views, inspection.catalog.origin),
        workload=replace(inspection.workload, statements=tuple(statements)),
    )
    try:
        again = recommend_indexes(running, database=database, time_limit_s=DESIGN_INDEX_TIME_LIMIT_S)
    except DbarchError as exc:
        notes.append(f"indexes not searched again for the rewritten workload: {exc}")
        return levers, advice, notes
    # the summaries are not in the design's catalog: their indexes go with them
    known = {t.name.key for t in inspection.catalog.tables}
    kept = tuple(r for r in again.recommended if r.candidate.table.key in known)
    final = replace(again, recommended=kept)
    try:
        levers = search(final)
    except DbarchError as exc:
        notes.append(f"levers not weighed again under the final indexes: {exc}")
    return levers, final, notes
