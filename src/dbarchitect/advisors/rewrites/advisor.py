"""Query rewrites for a workload: every rule on every statement, each draft weighed by the cost model
and the engine's latency model against the original, rendered for every engine the brief names.

A draft is proposed only when the estimate shows the gain (the rewritten statement's estimated p95,
times the executions it replaces, at least :data:`MIN_GAIN` below the original's), under the same
index configuration; everything else is a :class:`RejectedRewrite` with its reason - the rule's
refusal (NOT IN over a nullable column), no gain, a statement the engines cannot run. Nothing here
proves the answers equal: ``dbarch verify`` does (:mod:`dbarchitect.verify.equivalence`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sqlglot.errors import SqlglotError

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.latency import LatencyEstimate, estimate_latency
from dbarchitect.advisors.rewrites.correlated import CorrelatedToJoin
from dbarchitect.advisors.rewrites.count_exists import CountToExists
from dbarchitect.advisors.rewrites.keyset import OffsetToKeyset
from dbarchitect.advisors.rewrites.n_plus_one import LoopToBatch
from dbarchitect.advisors.rewrites.not_in import NotInToNotExists
from dbarchitect.advisors.rewrites.or_union import OrToUnion
from dbarchitect.advisors.rewrites.rule import Draft, Proof, Protocol, Refusal, RewriteContext, RewriteRule
from dbarchitect.advisors.rewrites.sargable import SargableRange
from dbarchitect.advisors.rewrites.select_star import SelectStarToColumns
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.parsed import parse_statement
from dbarchitect.ingest.result_columns import named_like
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.ingest.workload import StatementInput, analyze_statement
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Statement, Workload

#: Every rewrite rule, in the order their proposals are listed.
RULES: tuple[RewriteRule, ...] = (
    OffsetToKeyset(),
    OrToUnion(),
    NotInToNotExists(),
    CorrelatedToJoin(),
    SargableRange(),
    SelectStarToColumns(),
    CountToExists(),
    LoopToBatch(),
)

#: A rewrite must lower the estimated latency by at least this share to be proposed.
MIN_GAIN = 0.1


def rule_ids() -> tuple[str, ...]:
    return tuple(r.id for r in RULES)


@dataclass(frozen=True)
class ProposedRewrite:
    """A rewrite the estimate shows a gain for (still to be proven by ``dbarch verify``).

    Attributes:
        rule: The rule's id (``offset-to-keyset``...).
        statement: The statement's name.
        original: The statement as the brief gives it.
        rewritten: The rewritten statement, in the brief's dialect.
        change: What changed, in one line.
        semantics: Why the answers are the same, and the conditions.
        requires: What the application must do differently (None: nothing).
        proof: How ``verify`` proves the answers the same.
        per_engine: ``(engine, SQL)`` of the original and the rewrite for each engine of the brief
            (the rewrite's SQL is ``None`` when that engine cannot run it, ``note`` says why).
        before: The original's estimate (per execution, times ``repeats``).
        after: The rewrite's estimate.
        repeats: Executions of the original one execution of the rewrite replaces.
        after_statements: The rewritten statement's model (for the index search to serve it); one per
            branch of a UNION ALL.
        notes: Per engine, why the rewrite cannot be written there.
    """

    rule: str
    statement: str
    original: str
    rewritten: str
    change: str
    semantics: str
    requires: str | None
    proof: Proof
    per_engine: tuple[tuple[str, str, str | None], ...]
    before: LatencyEstimate
    after: LatencyEstimate
    repeats: float
    after_statements: tuple[Statement, ...]
    notes: tuple[str, ...] = ()

    @property
    def before_ms(self) -> float:
        return self.before.ms * self.repeats

    @property
    def gain(self) -> float:
        """Share of the original's estimated latency the rewrite saves."""
        return 1.0 - self.after.ms / self.before_ms if self.before_ms > 0 else 0.0


@dataclass(frozen=True)
class RejectedRewrite:
    """A rewrite not proposed, and why (``reason``); ``rewritten`` when one was drafted."""

    rule: str
    statement: str
    reason: str
    rewritten: str | None = None
    #: Not exact (the rule refused it).
    unsafe: bool = False
    #: Exact, but the brief lacks what weighing it needs.
    unweighed: bool = False


@dataclass(frozen=True)
class RewriteAdvice:
    """Rewrites for a workload (``dbarchitect.recommend_rewrites``).

    Attributes:
        proposed: Rewrites with an estimated gain, by statement order then rule order.
        rejected: Rewrites refused (``unsafe``: not exact) or not worth it, each with its reason.
        cost_source: Who estimated the costs (the built-in model, under the design's indexes).
    """

    proposed: tuple[ProposedRewrite, ...] = ()
    rejected: tuple[RejectedRewrite, ...] = ()
    cost_source: str = ""

    def for_statement(self, name: str) -> tuple[ProposedRewrite, ...]:
        return tuple(p for p in self.proposed if p.statement == name)


def _estimate(
    statement: Statement,
    model: BuiltinCostModel,
    catalog: Catalog,
    traits: EngineTraits,
    config: frozenset[IndexCandidate],
    extra: float = 0.0,
) -> LatencyEstimate | None:
    plan = model.plan_cost(statement, config)
    if plan.error is not None or not math.isfinite(plan.cost):
        return None
    return estimate_latency(
        statement,
        plan.cost + extra,
        catalog,
        traits,
        io=plan.io,
        cost_source="built-in model" + (f" (+{extra:,.0f} units the model misses)" if extra else ""),
        commit=statement.is_write,
    )


def _estimate_parts(
    statements: Sequence[Statement],
    model: BuiltinCostModel,
    catalog: Catalog,
    traits: EngineTraits,
    config: frozenset[IndexCandidate],
) -> LatencyEstimate | None:
    """One statement made of ``statements`` (a UNION ALL's branches): their costs added, one
    statement's fixed price."""
    plans = [model.plan_cost(s, config) for s in statements]
    if any(p.error is not None or not math.isfinite(p.cost) for p in plans):
        return None
    cost = sum(p.cost for p in plans)
    io = sum(p.io for p in plans if p.io is not None) if all(p.io is not None for p in plans) else None
    return estimate_latency(
        statements[0],
        cost,
        catalog,
        traits,
        io=io,
        cost_source="built-in model",
        commit=statements[0].is_write,
    )


def _with_distinct(catalog: Catalog, hints: Sequence[tuple[str, str, float]]) -> Catalog:
    """``catalog`` with the distinct counts ``hints`` gives (for one estimate)."""
    from dataclasses import replace

    from dbarchitect.model.catalog import ColumnStats

    for table_name, column_name, distinct in hints:
        table = catalog.table(table_name)
        if table is None:
            continue
        columns = tuple(
            replace(c, stats=replace(c.stats or ColumnStats(), distinct=distinct))
            if c.name.matches(column_name)
            else c
            for c in table.columns
        )
        catalog = catalog.replace_table(replace(table, columns=columns))
    return catalog


def _per_engine(
    original: str,
    rewritten: str,
    traits: EngineTraits,
    engines: Sequence[EngineTraits],
    catalog: Catalog,
    named: bool = False,
) -> tuple[tuple[tuple[str, str, str | None], ...], tuple[str, ...]]:
    rows: list[tuple[str, str, str | None]] = []
    notes: list[str] = []
    for engine in engines:
        try:
            before = transpile_statement(original, traits.engine, engine.engine, catalog)
        except DbarchError as exc:
            before = f"-- {exc.diagnostic.message}"
        try:
            here = rewritten
            if named and engine.engine != traits.engine:
                here = named_like(original, rewritten, traits, engine, catalog)
            after: str | None = transpile_statement(here, traits.engine, engine.engine, catalog)
        except DbarchError as exc:
            after = None
            notes.append(f"{engine}: {exc.diagnostic.message}")
        rows.append((str(engine), before, after))
    return tuple(rows), tuple(notes)


def recommend_rewrites(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    *,
    engines: Sequence[EngineTraits] = (),
    params: Mapping[str, Mapping[str, Any]] | None = None,
    config: frozenset[IndexCandidate] = frozenset(),
    rules: Sequence[RewriteRule] = RULES,
) -> RewriteAdvice:
    """Every rule on every statement of ``workload`` (written for ``traits``' engine) over ``catalog``;
    drafts weighed by the built-in cost model under the existing indexes plus ``config``, through the
    engine's latency model; rendered for ``engines`` (default: the target alone). ``params`` gives the
    brief's example parameter values per statement name."""
    model = BuiltinCostModel(catalog, traits)
    targets = tuple(engines) or (traits,)
    proposed: list[ProposedRewrite] = []
    rejected: list[RejectedRewrite] = []
    for statement in workload.statements:
        try:
            tree = parse_statement(statement.sql, traits.sqlglot_dialect)
        except SqlglotError:
            continue
        context = RewriteContext(
            statement, tree, catalog, traits, dict((params or {}).get(statement.name, {})), workload, config
        )
        for rule in rules:
            for outcome in rule.propose(context):
                if isinstance(outcome, Refusal):
                    rejected.append(
                        RejectedRewrite(
                            rule.id,
                            statement.name,
                            outcome.reason,
                            unsafe=not outcome.unweighed,
                            unweighed=outcome.unweighed,
                        )
                    )
                    continue
                kept = _weigh(rule, statement, outcome, model, catalog, traits, config, targets)
                if isinstance(kept, RejectedRewrite):
                    rejected.append(kept)
                else:
                    proposed.append(kept)
    return RewriteAdvice(
        tuple(proposed),
        tuple(rejected),
        f"built-in cost model x the {traits} latency model ({traits.latency.source})",
    )


def _weigh(
    rule: RewriteRule,
    statement: Statement,
    draft: Draft,
    model: BuiltinCostModel,
    catalog: Catalog,
    traits: EngineTraits,
    config: frozenset[IndexCandidate],
    engines: Sequence[EngineTraits],
) -> ProposedRewrite | RejectedRewrite:
    rate = statement.rate / max(draft.repeats, 1.0)
    try:
        if draft.after is not None:
            after_statements: tuple[Statement, ...] = (draft.after,)
        else:
            after_statements = tuple(
                analyze_statement(
                    StatementInput(statement.name, sql, rate, statement.slo, params=statement.params),
                    catalog,
                    traits.engine,
                )
                for sql in (draft.parts or (draft.sql,))
            )
    except DbarchError as exc:
        return RejectedRewrite(
            rule.id, statement.name, f"the rewrite cannot be analyzed: {exc.diagnostic.message}", draft.sql
        )
    before = _estimate(draft.before or statement, model, catalog, traits, config, draft.before_extra_cost)
    after_model, after_catalog = model, catalog
    if draft.after_distinct:
        after_catalog = _with_distinct(catalog, draft.after_distinct)
        after_model = BuiltinCostModel(after_catalog, traits)
    after = _estimate_parts(after_statements, after_model, after_catalog, traits, config)
    if before is None or after is None:
        return RejectedRewrite(rule.id, statement.name, "the cost model cannot estimate it", draft.sql)
    before_ms = before.ms * draft.repeats
    if after.ms > before_ms * (1 - MIN_GAIN):
        return RejectedRewrite(
            rule.id,
            statement.name,
            f"no gain shown: estimated {after.ms:,.2f} ms against {before_ms:,.2f} ms as written "
            f"(built-in model, cost {after.cost:,.0f} against {before.cost * draft.repeats:,.0f})",
            draft.sql,
        )
    named = draft.proof.protocol in (Protocol.SAME, Protocol.KEYSET)
    if named:
        # the application reads the result by column name: the rewrite returns the original's
        try:
            draft = replace(draft, sql=named_like(statement.sql, draft.sql, traits, traits, catalog))
        except DbarchError as exc:
            return RejectedRewrite(rule.id, statement.name, exc.diagnostic.message, draft.sql)
    per_engine, notes = _per_engine(statement.sql, draft.sql, traits, engines, catalog, named)
    if all(after_sql is None for _, _, after_sql in per_engine):
        return RejectedRewrite(rule.id, statement.name, "; ".join(notes), draft.sql)
    return ProposedRewrite(
        rule=rule.id,
        statement=statement.name,
        original=statement.sql,
        rewritten=draft.sql,
        change=draft.change,
        semantics=draft.semantics,
        requires=draft.requires,
        proof=draft.proof,
        per_engine=per_engine,
        before=before,
        after=after,
        repeats=draft.repeats,
        after_statements=after_statements,
        notes=notes,
    )
