"""Index advice proven by execution (``dbarch indexes ... --validate SCRATCH_URL``).

The schema (with its existing indexes) is built on the empty scratch database the user names and
filled with :mod:`dbarchitect.verify.synthetic` data at ``scale``; every statement of the workload
runs ``runs`` times after a warm-up with the same drawn parameters (writes in a rolled-back
transaction), and its median is kept with its plan. The advised indexes are then built for real (the
indexes they replace dropped), ``ANALYZE`` run, and every statement measured again the same way.

An advised index is removed, and the statements measured again without it, when no statement's real
plan uses it, or when a statement whose plan uses it got slower by more than :data:`SLOWER_LIMIT`
(and by more than :data:`NOISE_MS`, below which a difference is timing noise) and the time per second
such statements lose (at the brief's rates) is not less than what the other statements using it gain
(:func:`time_balance`; on TPC-H the per-statement rule alone removed indexes that made q22, q10 and q02
2-4x faster because q07 or q18 was slower). An index kept so is named in ``notes``.
The result gives per statement the planner's promise (its cost after / before in the advice) beside
the measured ratio, and the indexes kept and removed with why. Nothing is written anywhere but the
scratch database, whose tables are dropped at the end.
"""

from __future__ import annotations

import random
import re
import statistics
import time
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from dbarchitect.advisors.indexes.advisor import IndexAdvice, RecommendedIndex
from dbarchitect.advisors.indexes.existing import drop_index_sql
from dbarchitect.advisors.indexes.validation import IndexValidation, StatementTiming
from dbarchitect.engines.ddl import create_index_sql
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.errors import DbarchError, Diagnostic, redact
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import Name
from dbarchitect.model.workload import Statement, StatementKind, Workload
from dbarchitect.verify.parameters import Prepared, draw_parameters, prepare
from dbarchitect.verify.scratch import ScratchTarget, open_target
from dbarchitect.verify.synthetic import SyntheticData, generate, workload_values

#: A statement this much slower with an index than without it takes the index out.
SLOWER_LIMIT = 1.10
#: Differences below this many milliseconds are timing noise, not a slower plan.
NOISE_MS = 0.2
WARMUP = 1

Progress = Callable[[str, int, int], None]


@dataclass
class _Run:
    median_ms: float | None
    plan: tuple[str, ...]
    error: str | None


def _first_line(exc: BaseException) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    return redact(lines[0] if lines else exc.__class__.__name__)


class _Bench:
    """Each statement prepared once, with ``runs + WARMUP`` parameter draws fixed for every round."""

    def __init__(
        self,
        target: ScratchTarget,
        workload: Workload,
        catalog: Catalog,
        traits: EngineTraits,
        data: SyntheticData,
        runs: int,
        seed: int,
    ) -> None:
        self.target = target
        self.runs = runs
        self.prepared: dict[str, Prepared | str] = {}
        self.draws: dict[str, list[dict[str, Any]]] = {}
        rng = random.Random(f"{seed}:validate")
        counter = [0]
        for statement in workload.statements:
            try:
                prepared = prepare(statement, traits, catalog, target.traits, target.family)
            except DbarchError as exc:
                self.prepared[statement.name] = str(exc)
                continue
            self.prepared[statement.name] = prepared
            self.draws[statement.name] = [
                draw_parameters(prepared, data.tables, rng, counter, target.family)
                for _ in range(runs + WARMUP)
            ]

    def run(self, statement: Statement) -> _Run:
        prepared = self.prepared.get(statement.name)
        if not isinstance(prepared, Prepared):
            return _Run(None, (), prepared or "not prepared")
        draws = self.draws[statement.name]
        write = statement.is_write or statement.kind == StatementKind.OTHER
        try:
            plan, _ = self.target.explain(prepared.sql, draws[0])
        except Exception as exc:  # the plan is evidence, its absence is reported
            self.target.recover()
            plan = (f"(no plan: {_first_line(exc)})",)
        timings: list[float] = []
        for n, params in enumerate(draws):
            try:
                took = self.target.run(prepared.sql, params, write)
            except Exception as exc:  # an execution error is data
                self.target.recover()
                return _Run(None, plan, _first_line(exc))
            if n >= WARMUP:
                timings.append(took * 1000.0)
        return _Run(statistics.median(timings) if timings else None, plan, None)


def _uses(plan: tuple[str, ...], name: str) -> bool:
    """The plan reads the index ``name`` (a whole name: ``t_a_idx`` is not read by ``t_a_idx_2``)."""
    wanted = re.compile(rf"(?<![\w$]){re.escape(name.lower())}(?![\w$])")
    return any(wanted.search(line.lower()) for line in plan)


def validate_index_advice(
    advice: IndexAdvice,
    catalog: Catalog,
    workload: Workload,
    traits: EngineTraits,
    url: str,
    *,
    scale: float = 0.01,
    runs: int = 5,
    seed: int = 0,
    progress: Progress | None = None,
) -> IndexValidation:
    """Build ``advice`` on the empty scratch database ``url``, filled with synthetic data at
    ``scale``, and time every statement before and after (see the module docstring)."""
    if runs < 1:
        raise DbarchError(Diagnostic("give at least one run per statement", field="--validate-runs"))
    started = time.monotonic()
    left_out = {name for name, _ in workload.left_out}
    statements = [s for s in workload.statements if s.name not in left_out]
    promised = {e.statement: (e.after / e.before if e.before > 0 else None) for e in advice.statements}
    with open_target(url, traits) as target:
        try:
            data = generate(catalog, target.loader, scale=scale, seed=seed, named=workload_values(workload))
            target.analyze(catalog)
            bench = _Bench(target, workload, catalog, traits, data, runs, seed)

            def measure_all(stage: str, which: list[Statement]) -> dict[str, _Run]:
                out: dict[str, _Run] = {}
                for n, statement in enumerate(which):
                    out[statement.name] = bench.run(statement)
                    if progress is not None:
                        progress(stage, n + 1, len(which))
                return out

            before = measure_all("timing without the advised indexes", statements)
            built = _build(target, advice, catalog)
            target.analyze(catalog)
            after = measure_all("timing with the advised indexes", statements)
            removed: list[tuple[str, str]] = []
            notes: list[str] = []
            rates = {st.name: st.rate for st in statements}
            for rec in advice.recommended:
                if rec.name not in built:
                    continue
                if not any(_uses(r.plan, rec.name) for r in after.values()):
                    removed.append((rec.name, "no statement's real plan uses it"))
                    continue
                users = [name for name, r in after.items() if _uses(r.plan, rec.name)]
                slower = sorted(name for name in users if _slower(before[name], after[name]))
                if not slower:
                    continue
                # Judged on the whole: the time per second its statements lose against what the
                # others using it gain (an index that slows one statement may speed up several).
                lost, gained = time_balance(users, slower, before, after, rates)
                if lost >= gained:
                    removed.append((rec.name, f"{', '.join(slower)} slower with it by more than 10%"))
                else:
                    notes.append(
                        f"kept {rec.name} although {', '.join(slower)} is slower with it by more than 10%: "
                        f"the statements using it gain {gained:,.1f} ms/s against {lost:,.1f} ms/s lost"
                    )
            if removed:
                gone = {name for name, _ in removed}
                for rec in advice.recommended:
                    if rec.name in gone:
                        _drop(target, rec, catalog)
                target.analyze(catalog)
                touched = [s for s in statements if any(_uses(after[s.name].plan, name) for name in gone)]
                after.update(measure_all("timing after removing indexes", touched))
            timings = tuple(
                StatementTiming(
                    s.name,
                    promised.get(s.name),
                    before[s.name].median_ms,
                    after[s.name].median_ms,
                    before[s.name].plan,
                    after[s.name].plan,
                    before[s.name].error or after[s.name].error,
                )
                for s in statements
            )
            both = [t for t in timings if t.before_ms is not None and t.after_ms is not None]
            gone = {name for name, _ in removed}
            return IndexValidation(
                server=f"{target.traits.label} {target.server}".strip(),
                database=target.shown,
                scale=scale,
                runs=runs,
                statements=timings,
                kept=tuple(r.name for r in advice.recommended if r.name in built and r.name not in gone),
                removed=(*removed, *((r.name, why) for r, why in built.failed)),
                before_total_ms=sum(t.before_ms or 0.0 for t in both),
                after_total_ms=sum(t.after_ms or 0.0 for t in both),
                seconds=time.monotonic() - started,
                notes=tuple(notes),
            )
        finally:
            with suppress(Exception):  # cleaning up a broken connection is not worth an error
                target.drop_tables(catalog)


def time_balance(
    users: list[str],
    slower: list[str],
    before: dict[str, _Run],
    after: dict[str, _Run],
    rates: dict[str, float],
) -> tuple[float, float]:
    """``(lost, gained)`` milliseconds per second at the brief's rates: what the ``slower`` statements
    lose with an index, and what the other statements using it (``users``) gain."""
    lost = sum(rates[n] * ((after[n].median_ms or 0.0) - (before[n].median_ms or 0.0)) for n in slower)
    gained = sum(
        rates[n] * ((before[n].median_ms or 0.0) - (after[n].median_ms or 0.0))
        for n in users
        if n not in slower and (after[n].median_ms or 0.0) < (before[n].median_ms or 0.0)
    )
    return lost, gained


def _slower(before: _Run, after: _Run) -> bool:
    if before.median_ms is None or after.median_ms is None:
        return False
    return after.median_ms > before.median_ms * SLOWER_LIMIT and after.median_ms - before.median_ms > NOISE_MS


class _Built(set[str]):
    """Names of the advised indexes built, and those the engine refused with its reason."""

    def __init__(self) -> None:
        super().__init__()
        self.failed: list[tuple[RecommendedIndex, str]] = []


def _build(target: ScratchTarget, advice: IndexAdvice, catalog: Catalog) -> _Built:
    built = _Built()
    for rec in advice.recommended:
        table = catalog.table(rec.candidate.table)
        if table is None:
            continue
        for replaced in rec.replaces:
            old = next((i for i in table.indexes if i.name.matches(replaced)), None)
            if old is not None:
                with suppress(Exception):  # already dropped for another recommendation
                    target.loader.execute(drop_index_sql(table, old, target.traits))
        index = rec.candidate.to_index(Name(rec.name), target.traits.identifier_max_length)
        sql = create_index_sql(table, index, target.traits)
        if sql is None:
            built.failed.append((rec, f"{target.traits.label} cannot build it"))
            continue
        try:
            target.loader.execute(sql)
        except Exception as exc:  # the engine's refusal is reported with the index
            target.recover()
            built.failed.append((rec, f"not built: {_first_line(exc)}"))
            continue
        built.add(rec.name)
    return built


def _drop(target: ScratchTarget, rec: RecommendedIndex, catalog: Catalog) -> None:
    table = catalog.table(rec.candidate.table)
    if table is not None:
        index = rec.candidate.to_index(Name(rec.name), target.traits.identifier_max_length)
        with suppress(Exception):  # nothing to drop
            target.loader.execute(drop_index_sql(table, index, target.traits))
