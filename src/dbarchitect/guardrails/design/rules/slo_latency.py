"""slo-latency: every statement with an SLO gets an estimated latency, flagged when over it.

Problem: a design that cannot meet the workload's latency targets is wrong however clean it is. For
each workload statement with an ``slo`` (p95 or p99 in ms) the rule takes the statement's estimated
cost in PostgreSQL planner units under the proposed design - the index advice's cost after its
indexes when advice was given (HypoPG or the built-in model), else the built-in cost model on the
catalog as it is - and converts it to milliseconds with :data:`MS_PER_COST_UNIT`. An estimate above
the SLO is a finding; an estimate is not a measurement (``dbarch verify`` measures).

Calibration (measured, not assumed): on PostgreSQL 15.20 on this project's 2-core test machine, a
1,000,000-row table (bigint key, integer, md5 text, numeric) warm in shared buffers, parallel workers
off, each query run 7 times and the median of the last 5 taken, against EXPLAIN's total cost::

    seq scan count(*)          cost 20,856   58.6 ms   0.00281 ms/unit
    seq scan + filter          cost 22,810   99.5 ms   0.00436 ms/unit
    primary-key lookup         cost      8.4  0.035 ms 0.00419 ms/unit
    index scan, 100 rows       cost    377    0.096 ms 0.00025 ms/unit
    index scan, 1,000 rows     cost  2,924    0.480 ms 0.00016 ms/unit
    top-10 sort                cost 41,920  126.3 ms   0.00301 ms/unit
    GROUP BY 10,000 groups     cost 25,435  155.3 ms   0.00610 ms/unit

The median is 0.0030 ms per unit. Index scans on a warm cache run 10-20x faster than their cost says
(``random_page_cost = 4`` prices a disk read that the cache never makes), so estimates of index-driven
statements err high - the safe side for a gate. The built-in model's figures are in the same
PostgreSQL units, so the constant is used for every target engine; it was measured on PostgreSQL
only, and the finding says which engine the figure is calibrated for.

Fix: add the index the advice names, change the statement (LIMIT, narrower filter), or relax the SLO.
"""

from __future__ import annotations

from collections.abc import Iterator

from dbarchitect.guardrails.design.rule import Category, DesignContext, DesignDraft, DesignRule
from dbarchitect.guardrails.rule import Level
from dbarchitect.model.names import EngineName

#: Milliseconds per PostgreSQL planner cost unit, measured as the module docstring describes.
MS_PER_COST_UNIT = 0.0030
#: Engine the constant was measured on.
CALIBRATED_ON = EngineName.POSTGRESQL


def estimated_ms(cost: float) -> float:
    return cost * MS_PER_COST_UNIT


class SloLatency(DesignRule):
    id = "slo-latency"
    category = Category.PERFORMANCE
    summary = "A statement's estimated latency under the design is over its SLO."
    level = Level.ERROR

    def check(self, context: DesignContext) -> Iterator[DesignDraft]:
        costs = {c.statement: c for c in context.facts.costs}
        calibrated = (
            "" if context.traits.engine == CALIBRATED_ON else f"; calibrated on {CALIBRATED_ON.value}"
        )
        for statement in context.workload.statements:
            slo = statement.slo
            if slo is None or (slo.p95_ms is None and slo.p99_ms is None):
                continue
            cost = costs.get(statement.name)
            if cost is None:
                continue
            target, label = (slo.p95_ms, "p95") if slo.p95_ms is not None else (slo.p99_ms, "p99")
            assert target is not None
            ms = estimated_ms(cost.cost)
            if ms <= target:
                continue
            plan = f"; plan: {cost.plan}" if cost.plan else ""
            yield DesignDraft(
                f"Statement `{statement.name}` is estimated at {ms:,.1f} ms against its {label} SLO of "
                f"{target:g} ms (cost {cost.cost:,.0f} from the {cost.source} x {MS_PER_COST_UNIT} "
                f"ms/unit{calibrated}){plan}.",
                hint="add an index serving its filters and order (see `dbarch indexes`), narrow it "
                "(LIMIT, a selective filter), or relax the SLO; `dbarch verify` measures it",
                statement=statement.name,
            )
