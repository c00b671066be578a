"""slo-latency: every statement with an SLO gets an estimated latency, flagged when over it.

Problem: a design that cannot meet the workload's latency targets is wrong however clean it is. For
each workload statement with an ``slo`` (p95 or p99 in ms) the rule takes the statement's plan cost
under the proposed design - the index advice's plan after its indexes when advice was given (the
PostgreSQL planner through HypoPG, or the built-in model), else the built-in cost model on the catalog
as it is - and turns it into milliseconds with the target engine's latency model
(``EngineTraits.latency``; ``docs/latency.md``)::

    median = per statement + per write + rows written x per row + index entries x per entry
             + page-read cost x per unit + the rest of the cost x per unit   (built-in model)
             (or the total cost x per unit, for a planner's total)
             + a commit, for a write (it is assumed to commit on its own)
    p95    = median x the engine's measured p95/p50

The coefficients are fitted per engine by ``dbarch calibrate`` on a fixed micro-workload (shipped:
PostgreSQL 15, MariaDB 10.11 and SQLite runs on this project's test machine, named in each finding).
An estimate above the SLO (a p95 estimate against a p99 SLO too) is a finding; an estimate is not a
measurement - ``dbarch verify`` measures, and reports how far its measurements are from these
estimates.

When the design's lever search (summary tables, rewrites, copied columns) found no lever that meets
the SLO, the hint is its bound: proven out of reach when returning only the statement's rows takes
longer than the SLO at the brief's size, else the best estimate any lever reaches; and what would
have to change.

Fix: add the index the advice names, change the statement (LIMIT, narrower filter), or relax the SLO.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level


class SloLatency(DesignRule):
    id = "slo-latency"
    category = Category.PERFORMANCE
    summary = "A statement's estimated latency under the design is over its SLO."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        costs = {c.statement: c for c in context.facts.costs}
        for statement in context.workload.statements:
            slo = statement.slo
            if slo is None or (slo.p95_ms is None and slo.p99_ms is None):
                continue
            cost = costs.get(statement.name)
            if cost is None:
                continue
            target, label = (slo.p95_ms, "p95") if slo.p95_ms is not None else (slo.p99_ms, "p99")
            assert target is not None
            if cost.ms <= target:
                continue
            plan = f"; plan: {cost.plan}" if cost.plan else ""
            yield DesignDraft(
                f"Statement `{statement.name}` is estimated at {cost.ms:,.1f} ms (p95) against its {label} "
                f"SLO of {target:g} ms on {context.traits}: {cost.latency}{plan}.",
                hint=cost.bound
                or "add an index serving its filters and order (see `dbarch indexes`), narrow it "
                "(LIMIT, a selective filter), or relax the SLO; `dbarch verify` measures it",
                statement=statement.name,
                details=(f"latency model: {cost.calibration}",) if cost.calibration else (),
            )
