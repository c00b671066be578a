"""Summary tables for a workload: for each aggregating statement, the summary that serves it (per day or
month of its time range when it has one), how it is kept (row triggers, or a materialized view
refreshed on a schedule when the statement's ``max_staleness`` allows and the engine has them), its
SQL on every engine the brief names, its size, the read it saves and the tax on every write.

A summary is proposed when the built-in model shows its rewritten statement at least
:data:`~dbarchitect.advisors.rewrites.advisor.MIN_GAIN` faster than the statement as written; the
choice between grains (day or month) and between triggers and refresh weighs the read against
the write tax (or the refresh's load) per second. Whether a summary is *worth* its write tax and
storage against the other levers is the combined search's decision (:mod:`dbarchitect.advisors.levers`).
Nothing here proves the answers equal: ``dbarch verify`` does, after a burst of the brief's writes.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from sqlglot import exp
from sqlglot.errors import SqlglotError

from dbarchitect.advisors.indexes.builtin import BuiltinCostModel
from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.latency import LatencyEstimate, estimate_latency
from dbarchitect.advisors.rewrites.advisor import MIN_GAIN
from dbarchitect.advisors.sizing import estimate_table_size
from dbarchitect.advisors.summaries import build
from dbarchitect.advisors.summaries.cost import (
    WriteTax,
    key_distinct,
    refresh_cost,
    summary_rows,
    watched_columns,
    with_stats,
    write_taxes,
)
from dbarchitect.advisors.summaries.spec import GRAINS, NotSummarizable, SummarySpec, analyze
from dbarchitect.engines import summary_sql
from dbarchitect.engines.ddl import create_table_sql
from dbarchitect.engines.traits import EngineTraits, LatencyModel
from dbarchitect.errors import DbarchError
from dbarchitect.ingest.parsed import parse_statement
from dbarchitect.ingest.result_columns import named_like
from dbarchitect.ingest.transpile import transpile_statement
from dbarchitect.ingest.workload import StatementInput, analyze_statement
from dbarchitect.model.catalog import Catalog, ReferentialAction, Table
from dbarchitect.model.workload import Statement, StatementKind, Workload


@dataclass(frozen=True)
class EngineSummarySql:
    """A summary (or a denormalization's copies) on one engine.

    Attributes:
        engine: The engine.
        create: DDL creating the summary (table and key, or materialized view and unique index).
        backfill: Statements filling it from the tables as they are (run once, before the triggers).
        maintain: DDL creating the triggers (empty for a materialized view).
        refresh: The refresh statement and its schedule (a materialized view), else empty.
        drop: DDL removing it all again.
        rewritten: ``(statement, SQL)`` on this engine.
        note: Why it cannot be built here, if it cannot.
    """

    engine: str
    create: tuple[str, ...] = ()
    backfill: tuple[str, ...] = ()
    maintain: tuple[str, ...] = ()
    refresh: tuple[str, ...] = ()
    drop: tuple[str, ...] = ()
    rewritten: tuple[tuple[str, str], ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class ProposedSummary:
    """A summary table (or materialized view) serving a statement, with its numbers.

    Attributes:
        name: The summary's name.
        statement: The statement it serves.
        maintenance: ``triggers`` (exact: row triggers on its sources) or ``refresh`` (a materialized
            view refreshed every ``refresh_every_s``, within the statement's max_staleness).
        grain: ``day`` or ``month`` of the statement's time range (None: no time range).
        keys: Its key columns; measures: its measure columns.
        definition: The query it holds (the brief's dialect).
        rewritten: The statement rewritten to read it (the brief's dialect).
        sources: The tables whose writes maintain it.
        rows_now / rows_at_horizon / bytes_now / bytes_at_horizon: Its size.
        before: The statement's estimate as written; after: reading the summary.
        write_taxes: What it adds to each write statement of the workload.
        refresh_every_s / refresh_ms: The refresh's interval and estimated duration (a view).
        hot_row: The summary row the most writes go to, and how busy its lock is, in words.
        semantics: Why the answers are the same, and the conditions.
        per_engine: Its SQL on every engine of the brief.
        table: The summary as a catalog table (for the index search and verify).
        spec: What it was built from.
    """

    name: str
    statement: str
    maintenance: str
    grain: str | None
    keys: tuple[str, ...]
    measures: tuple[str, ...]
    definition: str
    rewritten: str
    sources: tuple[str, ...]
    rows_now: float
    rows_at_horizon: float
    bytes_now: float
    bytes_at_horizon: float
    before: LatencyEstimate
    after: LatencyEstimate
    write_taxes: tuple[WriteTax, ...]
    refresh_every_s: float | None
    refresh_ms: float | None
    hot_row: str | None
    semantics: str
    per_engine: tuple[EngineSummarySql, ...]
    table: Table = field(repr=False, compare=False)
    spec: SummarySpec = field(repr=False, compare=False)
    after_statement: Statement | None = field(default=None, repr=False, compare=False)

    @property
    def gain(self) -> float:
        return 1.0 - self.after.ms / self.before.ms if self.before.ms > 0 else 0.0

    @property
    def summary_rows_per_second(self) -> float:
        return 0.0


@dataclass(frozen=True)
class RejectedSummary:
    """A statement no summary is proposed for, and why."""

    statement: str
    reason: str


@dataclass(frozen=True)
class SummaryAdvice:
    proposed: tuple[ProposedSummary, ...] = ()
    rejected: tuple[RejectedSummary, ...] = ()

    def for_statement(self, name: str) -> ProposedSummary | None:
        return next((p for p in self.proposed if p.statement == name), None)


def _name(statement: str, traits: EngineTraits, suffix: str = "summary") -> str:
    base = "".join(ch if ch.isalnum() else "_" for ch in statement.lower())
    name = f"{base}_{suffix}"
    limit = traits.identifier_max_length - 12
    if len(name) > limit:
        digest = hashlib.sha1(name.encode()).hexdigest()[:6]
        name = f"{name[: limit - 7]}_{digest}"
    return name


def _estimate(
    statement: Statement, cost: float, io: float | None, catalog: Catalog, traits: EngineTraits, source: str
) -> LatencyEstimate:
    return estimate_latency(statement, cost, catalog, traits, io=io, cost_source=source, commit=False)


def _read_cost(
    spec: SummarySpec,
    name: str,
    catalog: Catalog,
    traits: EngineTraits,
    config: frozenset[IndexCandidate],
    params: tuple[tuple[str, str], ...] = (),
) -> tuple[Statement, float, float | None, str] | None:
    """The rewritten statement's model, its cost, page-read share and how it adds up (``params``: the
    statement's example parameter values)."""
    tree = build.rewritten(spec, name)
    union = tree.find(exp.Union)
    summary_part = union.this if union is not None else tree.find(exp.Subquery).this.find(exp.Subquery).this  # type: ignore[union-attr]
    model = BuiltinCostModel(catalog, traits)
    try:
        part = analyze_statement(
            StatementInput(
                spec.statement, summary_part.sql(dialect=traits.sqlglot_dialect), 1.0, params=params
            ),
            catalog,
            traits.engine,
        )
    except DbarchError:
        return None
    plan = model.plan_cost(part, config)
    if plan.error is not None or not math.isfinite(plan.cost):
        return None
    cost, io = plan.cost, plan.io
    detail = f"summary rows {plan.cost:,.0f} units"
    if spec.ranges:
        full = refresh_cost(spec, catalog, traits, 0.0) or 0.0
        buckets = 1.0
        for r in spec.ranges:
            distinct = key_distinct(spec).get(r.key, 1.0)
            buckets = max(buckets, distinct)
        edges = sum(len(r.lower) + len(r.upper) for r in spec.ranges)
        edge_cost = full * min(1.0, edges / buckets)
        cost += edge_cost
        detail += f" + the partial buckets from the table {edge_cost:,.0f} units ({edges} of {buckets:,.0f})"
    rows = summary_rows(spec)
    reaggregate = rows / 3 * 0.0125
    cost += reaggregate
    if io is not None:
        io += 0.0
    return part, cost, io, detail


def _per_engine(
    spec: SummarySpec,
    name: str,
    table: Table,
    maintenance: str,
    refresh_every: float | None,
    source: EngineTraits,
    engines: Sequence[EngineTraits],
    catalog: Catalog,
    rewritten: str,
) -> tuple[EngineSummarySql, ...]:
    out: list[EngineSummarySql] = []
    original = spec.select.sql(dialect=source.sqlglot_dialect)
    for traits in engines:
        q = traits.quote
        try:
            # the names of the statement as written on the brief's engine are already in ``rewritten``
            if traits.engine != source.engine:
                rewritten_here = _rewritten_for(spec, name, original, source, traits, catalog)
            else:
                rewritten_here = rewritten
            rw = transpile_statement(rewritten_here, source.engine, traits.engine, catalog)
        except DbarchError as exc:
            out.append(
                EngineSummarySql(str(traits), note=f"the rewritten statement: {exc.diagnostic.message}")
            )
            continue

        def render(select: exp.Expr, traits: EngineTraits = traits) -> str:
            return transpile_statement(
                select.sql(dialect=source.sqlglot_dialect), source.engine, traits.engine, catalog
            )

        definition_sql = render(build.definition(spec))
        keys = [k.name for k in spec.keys]
        if maintenance == "refresh" and traits.features.materialized_views:
            assert refresh_every is not None
            out.append(
                EngineSummarySql(
                    str(traits),
                    create=tuple(summary_sql.materialized_view_sql(name, definition_sql, keys, traits)),
                    refresh=(
                        summary_sql.refresh_sql(name, traits),
                        summary_sql.refresh_schedule_sql(name, refresh_every, traits),
                    ),
                    drop=(f"DROP MATERIALIZED VIEW IF EXISTS {q(name)}",),
                    rewritten=((spec.statement, rw),),
                )
            )
            continue
        if not traits.features.trigger_syntax:
            out.append(
                EngineSummarySql(str(traits), note=f"{traits} has no row triggers to keep a summary exact")
            )
            continue
        try:
            create = (create_table_sql(table, traits),)
            columns = ", ".join(q(c.name) for c in table.columns)
            backfill = (f"INSERT INTO {q(name)} ({columns}) {definition_sql}",)
            maintain: list[str] = []
            drop: list[str] = []
            watched = watched_columns(spec)
            for src in spec.sources:
                body = _body(spec, name, src.alias, traits, render, watched.get(src.alias, ()))
                base = _trigger_name(name, src.table.name.value, traits)
                maintain += summary_sql.triggers_sql(base, q(src.table.name), body, traits)
                drop += summary_sql.drop_triggers_sql(base, q(src.table.name), traits)
            # A parent whose delete cascades to the fact: the fact rows' share is subtracted BEFORE the
            # parent goes - when the summary reads the parent (the children's own triggers would find it
            # gone), or when the engine's cascades fire no triggers at all (MySQL, MariaDB).
            for fk in spec.fact.table.foreign_keys:
                if fk.on_delete != ReferentialAction.CASCADE:
                    continue
                parent = next((s for s in spec.sources if s.table.name.matches(fk.ref_table)), None)
                if parent is None and traits.features.cascades_fire_triggers:
                    continue
                fact = spec.fact
                extra: list[exp.Expr] = [
                    exp.EQ(
                        this=exp.column(c.value, table=fact.alias),
                        expression=exp.column(r.value, table="OLD"),
                    )
                    for c, r in zip(fk.columns, fk.ref_columns, strict=True)
                ]
                statements = _subtract(
                    spec,
                    name,
                    parent.alias if parent else "",
                    traits,
                    render,
                    extra if parent is None else None,
                )
                base = _trigger_name(name, fk.ref_table.value + "_cascade", traits)
                body = summary_sql.TriggerBody(before_delete=tuple(statements))
                maintain += summary_sql.triggers_sql(base, q(fk.ref_table), body, traits)
                drop += summary_sql.drop_triggers_sql(base, q(fk.ref_table), traits)
            drop.append(f"DROP TABLE IF EXISTS {q(name)}")
        except (DbarchError, SqlglotError) as exc:
            out.append(EngineSummarySql(str(traits), note=f"cannot be written for {traits}: {exc}"))
            continue
        out.append(
            EngineSummarySql(
                str(traits),
                create=create,
                backfill=backfill,
                maintain=tuple(maintain),
                drop=tuple(drop),
                rewritten=((spec.statement, rw),),
            )
        )
    return tuple(out)


def _rewritten_for(
    spec: SummarySpec, name: str, original: str, source: EngineTraits, target: EngineTraits, catalog: Catalog
) -> str:
    """The statement reading summary ``name``, in ``source``'s dialect, for ``target``'s engine: its
    division as that engine's AVG divides, the result columns named as it names ``original``'s.
    Raises DbarchError when the names cannot be reproduced."""
    sql = build.rewritten_sql(
        spec, name, source.sqlglot_dialect, whole_number_division=target.features.whole_number_division
    )
    return named_like(original, sql, source, target, catalog)


def rewritten_sql_for(
    proposal: ProposedSummary, source: EngineTraits, target: EngineTraits, catalog: Catalog
) -> str:
    """``proposal``'s rewritten statement (``source``'s dialect) for ``target``'s engine (the brief's
    own when they are the same engine)."""
    if target.engine == source.engine:
        return proposal.rewritten
    original = proposal.spec.select.sql(dialect=source.sqlglot_dialect)
    return _rewritten_for(proposal.spec, proposal.name, original, source, target, catalog)


def summary_sql_for(
    proposal: ProposedSummary, traits: EngineTraits, source: EngineTraits, catalog: Catalog
) -> EngineSummarySql:
    """``proposal``'s SQL on ``traits``' engine (``source``: the brief's engine, ``catalog``: the
    design's tables without the summary), e.g. the scratch engine ``verify`` builds it on."""
    extended = Catalog((*catalog.tables, proposal.table), catalog.views)
    return _per_engine(
        proposal.spec,
        proposal.name,
        proposal.table,
        proposal.maintenance,
        proposal.refresh_every_s,
        source,
        (traits,),
        extended,
        proposal.rewritten,
    )[0]


def estimate_read(
    proposal: ProposedSummary,
    catalog: Catalog,
    traits: EngineTraits,
    model: LatencyModel | None = None,
    summary_rows_loaded: float | None = None,
) -> LatencyEstimate | None:
    """The rewritten statement's estimate over ``catalog`` (the design at some size, without the
    summary), the summary sized ``summary_rows_loaded`` (default: its estimate for that catalog)."""
    spec = replace(
        proposal.spec,
        sources=tuple(
            replace(s, table=catalog.table(s.table.name) or s.table) for s in proposal.spec.sources
        ),
    )
    rows = summary_rows_loaded if summary_rows_loaded is not None else summary_rows(spec)
    table = with_stats(build.summary_table(spec, proposal.name), spec, max(rows, 1.0), 0.0)
    extended = Catalog((*catalog.tables, table), catalog.views)
    params = proposal.after_statement.params if proposal.after_statement is not None else ()
    read = _read_cost(spec, proposal.name, extended, traits, frozenset(), params)
    if read is None:
        return None
    part, cost, io, detail = read
    return estimate_latency(
        part,
        cost,
        extended,
        traits,
        io=io,
        cost_source=f"built-in model: {detail}",
        commit=False,
        model=model,
    )


def taxes_at(
    proposal: ProposedSummary,
    catalog: Catalog,
    traits: EngineTraits,
    writes: Sequence[Statement],
    model: LatencyModel | None = None,
) -> dict[str, float]:
    """Milliseconds (p95) the summary adds to each write of ``writes`` over ``catalog`` (the design
    at some size, without the summary)."""
    if proposal.maintenance != "triggers":
        return {}
    spec = replace(
        proposal.spec,
        sources=tuple(
            replace(s, table=catalog.table(s.table.name) or s.table) for s in proposal.spec.sources
        ),
    )
    table = with_stats(build.summary_table(spec, proposal.name), spec, summary_rows(spec), 0.0)
    extended = Catalog((*catalog.tables, table), catalog.views)
    return {t.statement: t.extra_ms for t in write_taxes(spec, tuple(writes), extended, traits, model)}


#: Renders a statement tree (the brief's dialect) for the engine the SQL is for.
Render = Callable[[exp.Expr], str]


def _trigger_name(summary: str, table: str, traits: EngineTraits) -> str:
    name = f"{summary}_on_{table}".lower()
    limit = traits.identifier_max_length - 6
    if len(name) > limit:
        name = f"{name[: limit - 7]}_{hashlib.sha1(name.encode()).hexdigest()[:6]}"
    return name


def _add(spec: SummarySpec, name: str, alias: str, traits: EngineTraits, render: Render) -> list[str]:
    d = build.delta(spec, alias, "NEW", 1)
    select = render(d.select)
    return [
        summary_sql.upsert_sql(
            traits.quote(name), [k.name for k in spec.keys], build.measure_columns(spec, 1), select, traits
        )
    ]


def _subtract(
    spec: SummarySpec,
    name: str,
    alias: str,
    traits: EngineTraits,
    render: Render,
    extra: list[exp.Expr] | None = None,
) -> list[str]:
    d = build.delta(spec, alias, "OLD", -1, extra)
    q = traits.quote
    out = [
        summary_sql.upsert_sql(
            q(name), [k.name for k in spec.keys], build.measure_columns(spec, -1), render(d.select), traits
        )
    ]
    keys_select = render(d.keys_only)
    keys = ", ".join(q(k.name) for k in spec.keys)
    left = keys if len(spec.keys) == 1 else f"({keys})"
    for m in spec.measures:
        if m.func in ("min", "max"):
            again = render(build.recompute(spec, name, m).this)
            out.append(f"UPDATE {q(name)} SET {q(m.name)} = ({again}) WHERE {left} IN ({keys_select})")
    if spec.keys:
        out.append(f"DELETE FROM {q(name)} WHERE {q(build.ROWS)} <= 0 AND {left} IN ({keys_select})")
    else:
        out.append(f"DELETE FROM {q(name)} WHERE {q(build.ROWS)} <= 0")
    return out


def _body(
    spec: SummarySpec, name: str, alias: str, traits: EngineTraits, render: Render, watched: Sequence[str]
) -> summary_sql.TriggerBody:
    source = next(s for s in spec.sources if s.alias == alias)
    if source.role == "fact":
        return summary_sql.TriggerBody(
            on_insert=tuple(_add(spec, name, alias, traits, render)),
            on_delete=tuple(_subtract(spec, name, alias, traits, render)),
            watched=tuple(watched),
        )
    # a dimension: its rows are inserted before their facts and deleted after them (foreign keys),
    # so only an update of a column the summary reads moves facts between groups
    return summary_sql.TriggerBody(
        on_insert=tuple(_add(spec, name, alias, traits, render)),
        on_delete=tuple(_subtract(spec, name, alias, traits, render)),
        watched=tuple(watched),
        events=("UPDATE",),
    )


def recommend_summaries(
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    *,
    engines: Sequence[EngineTraits] = (),
    staleness: Mapping[str, float] | None = None,
    config: frozenset[IndexCandidate] = frozenset(),
    horizon_days: float = 0.0,
    statements: Sequence[str] | None = None,
) -> SummaryAdvice:
    """A summary for each aggregating statement of ``workload`` (or of ``statements``) where the model
    shows the gain (see the module docstring). ``staleness`` maps statement names to their
    ``max_staleness`` in seconds."""
    targets = tuple(engines) or (traits,)
    proposed: list[ProposedSummary] = []
    rejected: list[RejectedSummary] = []
    model = BuiltinCostModel(catalog, traits)
    writes = tuple(s for s in workload.statements if s.is_write)
    for statement in workload.statements:
        if statement.kind != StatementKind.SELECT or (
            statements is not None and statement.name not in statements
        ):
            continue
        try:
            tree = parse_statement(statement.sql, traits.sqlglot_dialect)
        except SqlglotError:
            continue
        if not isinstance(tree, exp.Select) or not tree.find(exp.AggFunc):
            continue
        plan = model.plan_cost(statement, config)
        if plan.error is not None or not math.isfinite(plan.cost):
            continue
        before = _estimate(statement, plan.cost, plan.io, catalog, traits, "built-in model")
        best: ProposedSummary | None = None
        reasons: list[str] = []
        seen: set[tuple[str, ...]] = set()
        for grain in GRAINS:
            try:
                spec = analyze(tree, statement.name, catalog, grain)
            except NotSummarizable as exc:
                reasons.append(str(exc))
                break
            signature = tuple(k.expr.sql() for k in spec.keys)
            if signature in seen:
                continue
            seen.add(signature)
            candidate = _candidate(
                spec,
                statement,
                before,
                catalog,
                traits,
                targets,
                writes,
                config,
                horizon_days,
                (staleness or {}).get(statement.name),
            )
            if isinstance(candidate, str):
                reasons.append(f"per {grain}: {candidate}")
                continue
            if best is None or _score(candidate, statement) < _score(best, statement):
                best = candidate
        if best is None:
            rejected.append(
                RejectedSummary(statement.name, "; ".join(dict.fromkeys(reasons)) or "no summary fits it")
            )
        else:
            proposed.append(best)
    return SummaryAdvice(tuple(proposed), tuple(rejected))


def _score(candidate: ProposedSummary, statement: Statement) -> float:
    """Milliseconds per second the summary costs the workload: its reads plus the tax on writes."""
    taxes = sum(t.extra_ms for t in candidate.write_taxes)
    return candidate.after.ms * statement.rate + taxes


def _candidate(
    spec: SummarySpec,
    statement: Statement,
    before: LatencyEstimate,
    catalog: Catalog,
    traits: EngineTraits,
    engines: Sequence[EngineTraits],
    writes: tuple[Statement, ...],
    config: frozenset[IndexCandidate],
    horizon_days: float,
    max_staleness: float | None,
) -> ProposedSummary | str:
    name = _name(statement.name, traits)
    rows_now = summary_rows(spec)
    rows_h = summary_rows(spec, horizon_days)
    growth = max(0.0, (rows_h - rows_now) / horizon_days) if horizon_days else 0.0
    table = with_stats(build.summary_table(spec, name), spec, rows_now, growth)
    extended = (
        Catalog((*tuple(catalog.tables), table), catalog.views) if hasattr(catalog, "views") else catalog
    )
    read = _read_cost(spec, name, extended, traits, config, statement.params)
    if read is None:
        return "the rewritten statement cannot be costed"
    part, cost, io, detail = read
    after = _estimate(part, cost, io, extended, traits, f"built-in model: {detail}")
    if after.ms > before.ms * (1 - MIN_GAIN):
        return f"no gain shown ({after.ms:,.1f} ms against {before.ms:,.1f} ms as written)"
    size = estimate_table_size(table, traits, horizon_days)
    taxes = write_taxes(spec, writes, extended, traits)
    maintenance = "triggers"
    refresh_every: float | None = None
    refresh_ms: float | None = None
    if max_staleness and traits.features.materialized_views:
        full = refresh_cost(spec, catalog, traits, rows_now)
        if full is not None:
            ms = traits.latency.milliseconds(
                full, write=True, rows_written=2 * rows_now, index_entries=2 * rows_now, commit=True
            )
            # the statement may read data max_staleness old: a view refreshed within that taxes no
            # write and holds no row lock, as long as a refresh takes at most half of it
            if ms < max_staleness * 1000 / 2:
                maintenance, refresh_every, refresh_ms = "refresh", max_staleness - ms / 1000, ms
    try:
        rewritten = _rewritten_for(spec, name, statement.sql, traits, traits, catalog)
    except DbarchError as exc:
        return exc.diagnostic.message
    try:
        after_statement = analyze_statement(
            StatementInput(statement.name, rewritten, statement.rate, statement.slo, params=statement.params),
            extended,
            traits.engine,
        )
    except DbarchError:
        after_statement = replace(
            part, sql=rewritten, name=statement.name, rate=statement.rate, slo=statement.slo
        )
    per_engine = _per_engine(
        spec, name, table, maintenance, refresh_every, traits, engines, extended, rewritten
    )
    semantics = _semantics(spec, maintenance, max_staleness)
    return ProposedSummary(
        name=name,
        statement=statement.name,
        maintenance=maintenance,
        grain=spec.grain,
        keys=tuple(k.name for k in spec.keys),
        measures=tuple(m.name for m in spec.measures),
        definition=build.definition(spec).sql(dialect=traits.sqlglot_dialect),
        rewritten=rewritten,
        sources=tuple(s.table.name.value for s in spec.sources),
        rows_now=rows_now,
        rows_at_horizon=rows_h,
        bytes_now=size.data_bytes_now + size.index_bytes_now,
        bytes_at_horizon=size.data_bytes_at_horizon + size.index_bytes_at_horizon,
        before=before,
        after=after,
        write_taxes=taxes if maintenance == "triggers" else (),
        refresh_every_s=refresh_every,
        refresh_ms=refresh_ms,
        hot_row=_hot_row(spec, writes, catalog, traits) if maintenance == "triggers" else None,
        semantics=semantics,
        per_engine=per_engine,
        table=table,
        spec=spec,
        after_statement=after_statement,
    )


def _semantics(spec: SummarySpec, maintenance: str, staleness: float | None) -> str:
    parts = [
        "Each group's count, sums and extremes are those of the rows the statement would aggregate; a group "
        "whose rows are gone is deleted; the statement adds the groups up again"
    ]
    if spec.ranges:
        parts.append(
            "the range's whole "
            + ("days" if spec.grain == "day" else "months")
            + " come from the summary and the partial ones at its ends from the table, so any bound is exact"
        )
    if any(k.bucket_of is not None for k in spec.keys):
        parts.append(
            "a timestamptz's day is taken in the session's time zone: exact when every session uses the "
            "same one"
        )
    if maintenance == "triggers":
        parts.append("row triggers keep it exact in the same transaction as every write (no staleness)")
    else:
        parts.append(
            f"refreshed on a schedule: up to {staleness:g} s old (the statement's max_staleness), the "
            "partial "
            "buckets read fresh"
        )
    parts.append("numbers equal by value (a sum's type may widen)")
    return "; ".join(parts) + "."


def _hot_row(
    spec: SummarySpec, writes: tuple[Statement, ...], catalog: Catalog, traits: EngineTraits
) -> str | None:
    """The summary row new facts go to most, and how busy its lock gets."""
    bucket = next((k for k in spec.keys if k.bucket_of is not None), None)
    if bucket is None:
        return None
    rate = sum(
        w.rate
        for w in writes
        if w.kind in (StatementKind.INSERT, StatementKind.UPSERT)
        and w.write_target is not None
        and w.write_target.table.matches(spec.fact.table.name)
    )
    if rate <= 0:
        return None
    share = 1.0
    for key in spec.keys:
        if key is bucket:
            continue
        cols = list(key.expr.find_all(exp.Column))
        col = spec.fact.table.column(cols[0].name) if len(cols) == 1 else None
        if col is not None and col.stats is not None and col.stats.most_common:
            share *= max(f for _, f in col.stats.most_common)
        else:
            distinct = key_distinct(spec).get(key.name, 1.0)
            share *= 1.0 / max(distinct, 1.0)
    hold_ms = traits.latency.commit_ms + traits.latency.statement_ms * 4
    busy = rate * share * hold_ms / 1000
    return (
        f"every new {spec.fact.table.name} row of the current {bucket.grain or 'day'} updates one summary "
        "row per "
        f"key: the busiest takes {rate * share:.3g} writes/s, its lock held about {hold_ms:.2g} ms until "
        "each "
        f"commits ({busy:.1%} of the time"
        + ("; writers would queue on it: consider a staleness budget and a refresh" if busy > 0.5 else "")
        + ")"
    )


__all__ = [
    "EngineSummarySql",
    "ProposedSummary",
    "RejectedSummary",
    "SummaryAdvice",
    "recommend_summaries",
    "rewritten_sql_for",
]
