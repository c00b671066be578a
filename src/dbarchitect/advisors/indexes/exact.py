"""Exact index selection: an integer program over the candidates and per-statement plan options,
solved with HiGHS (highspy).

The formulation follows the index-selection IP of Caprara, Fischetti & Maio ("Exact and approximate
algorithms for the index selection problem in physical database design", IEEE TKDE 1995), as used
in Kossmann et al.'s evaluation (VLDB 2020). For each statement ``q`` the planner is asked the cost
of a set of *plan options* — sets of candidates — and the program picks one option per statement:

    x_i ∈ {0, 1}                 candidate i is built
    y_qo ∈ {0, 1}, Σ_o y_qo = 1    statement q is planned with option o
    y_qo ≤ x_i                    for every candidate i of option o
    minimise  Σ_q rate_q Σ_o cost(q, o) y_qo + Σ_i maintenance_i x_i
    subject to Σ_i size_i x_i ≤ storage budget, and per written table Σ_{i on t} x_i ≤ allowance(t)

Options always include the empty set and each single relevant candidate. When every statement has at
most ``ENUMERATE_UP_TO`` relevant candidates, every subset is an option and the answer, when HiGHS
proves it optimal, is optimal over the candidate set (``Selection.optimal``). Otherwise options are
built where good plans are: the index sets the planner uses in the seed plans (one plan with all of
a statement's candidates, then without those, see ``greedy.seed_plans``) and their subsets, pairs
and triples of the statement's best single candidates, the best candidate per table together, and
the relevant part of a ``start`` configuration (e.g. the greedy answer, so exact is never worse). An
option's cost is an upper bound of the statement's cost under any configuration containing it (more
indexes never make the planner's best plan dearer), so the program's objective bounds the real cost.
The returned cost is not the program's estimate: the chosen set is costed again with
:meth:`WhatIfCost.workload_cost`. When options were a sample, a candidate may still lower that cost
on top of the solution; the final sweep shared with greedy (``greedy.finish``) adds such candidates
while they fit (the answer is then not claimed optimal).

Exact mode is for small and medium problems: when the options would need more than ``max_plans``
planner calls it raises :class:`~dbarchitect.errors.DbarchError` saying so (the greedy search is
the one that scales) rather than quietly becoming a different algorithm. The work budget
(``Budget.work_limit`` planner calls) covers costing the options, and ``MIP_MAX_NODES`` the solve:
HiGHS returns its best incumbent when it reaches the node limit (anytime, and the same answer on
any machine). The wall clock (``Budget.time_limit_s``) is only a safety net over both; when it
stops the search the selection says so (``stopped_by=time_limit``).
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import sys
from collections.abc import Iterator, Sequence

import highspy
import numpy as np

from dbarchitect.advisors.indexes.candidates import IndexCandidate
from dbarchitect.advisors.indexes.cost import WhatIfCost
from dbarchitect.advisors.indexes.hygiene import are_siblings, candidate_shape, merged
from dbarchitect.advisors.indexes.selection import (
    Budget,
    Candidates,
    Progress,
    Selection,
    StopReason,
    candidate_list,
    default_work_limit,
    stop_reason,
    write_allowance,
)
from dbarchitect.advisors.indexes.state import (
    ConfigurationCost,
    Move,
    SearchLimit,
    alone_deltas,
    benefit_floor,
    finish,
    order_key,
    ordered,
    rejections,
    seed_plans,
)
from dbarchitect.errors import DbarchError, Diagnostic
from dbarchitect.model.catalog import Catalog, Index, Table
from dbarchitect.model.workload import Statement

#: Statements with at most this many relevant candidates get every subset as an option.
ENUMERATE_UP_TO = 6
#: Best single candidates per statement combined in pairs and triples.
TOP_SINGLES = 6
#: Largest seed used-set whose subsets are all options.
SUBSETS_OF_USED_UP_TO = 4
#: Planner calls exact mode accepts before saying the problem is too large for it.
MAX_PLANS = 20_000
#: Branch-and-bound nodes HiGHS may explore: the solver's deterministic work budget (its
#: ``time_limit`` is only the wall-clock safety net). The examples' and TPC-H's programs are solved
#: at the root or within a few hundred nodes.
MIP_MAX_NODES = 100_000

Option = frozenset[IndexCandidate]


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """HiGHS prints a banner to the process's standard output the first time a solver is made; the
    ``--format sql`` contract needs standard output clean, so it goes to /dev/null."""
    sys.stdout.flush()
    try:
        saved = os.dup(1)
    except OSError:  # no real file descriptor (captured output): nothing to protect
        yield
        return
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _options_exhaustive(relevant: Sequence[IndexCandidate]) -> list[Option]:
    return [
        frozenset(combo) for r in range(len(relevant) + 1) for combo in itertools.combinations(relevant, r)
    ]


def _too_large(plans: int, candidates: int, statements: int, max_plans: int) -> DbarchError:
    return DbarchError(
        Diagnostic(
            f"exact index selection would need about {plans} planner calls for {candidates} candidates "
            f"over {statements} statements, more than its limit of {max_plans}",
            hint="use the greedy search, which scales, or fewer candidates",
        )
    )


def select_exact(
    cost: WhatIfCost,
    candidates: Candidates,
    budget: Budget | None = None,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
    *,
    start: Selection | None = None,
    max_plans: int = MAX_PLANS,
) -> Selection:
    """The cheapest configuration of ``candidates`` within ``budget`` by integer programming over
    per-statement plan options (see the module docstring). ``start``: a selection (e.g. greedy's)
    whose indexes become options and the solver's first incumbent."""
    budget = budget or Budget()
    calls = cost.calls
    pool = candidate_list(candidates)
    work_limit = budget.work_limit
    if work_limit is None:
        work_limit = default_work_limit([cost.tables_of(s) for s in cost.statements], pool)
    limit = SearchLimit(cost, work_limit, budget.time_limit_s)
    allowance = write_allowance(catalog or cost.catalog, cost.workload, budget)
    state = ConfigurationCost(cost)
    base_cost = state.total
    statements = state.statements
    relevant = [ordered(cost.narrow(s, cost.relevant(s, pool))) for s in statements]

    exhaustive = all(len(r) <= ENUMERATE_UP_TO for r in relevant)
    pruned: frozenset[IndexCandidate] = frozenset()
    used: dict[int, list[Option]] = {}
    if exhaustive:
        planned = sum(2 ** len(r) for r in relevant)
        if planned > max_plans:
            raise _too_large(planned, len(pool), len(statements), max_plans)
    else:
        used, reports = seed_plans(state, pool)
        if reports:
            seen = frozenset(c for sets in used.values() for u in sets for c in u)
            pruned = frozenset(c for c in pool if c not in seen)
            relevant = [[c for c in r if c not in pruned] for r in relevant]
        combos = math.comb(TOP_SINGLES, 2) + math.comb(TOP_SINGLES, 3) + 2
        planned = sum(
            len(r) + combos + sum(2 ** min(len(u), SUBSETS_OF_USED_UP_TO) for u in used.get(i, []))
            for i, r in enumerate(relevant)
        )
        if planned > max_plans:
            raise _too_large(planned, len(pool) - len(pruned), len(statements), max_plans)
    total_work = planned + 1

    # Options per statement: (indexes, rate × cost); the empty option first.
    options: list[dict[Option, float]] = [
        {frozenset(): state.per_statement[i]} for i in range(len(statements))
    ]
    done = 0

    def cost_options(wanted: list[tuple[int, Option]]) -> None:
        nonlocal done
        chunk = 256
        for lo in range(0, len(wanted), chunk):
            if limit.expired():
                return
            part = wanted[lo : lo + chunk]
            answers = cost.costs([(statements[i], o) for i, o in part])
            for (i, o), answer in zip(part, answers, strict=True):
                if answer.error is not None or not math.isfinite(answer.cost):
                    continue
                # The plan needs only the indexes it uses (when the backend says which); an index with
                # a constraint's key counts only where it is read index-only (hygiene).
                key = answer.used & o if answer.used else o
                key = frozenset(c for c in key if state.constraint_key(c) is None or c in answer.index_only)
                value = statements[i].rate * answer.cost
                if value < options[i].get(key, math.inf):
                    options[i][key] = value
            done += len(part)
            if progress is not None:
                progress(done, total_work, base_cost)

    if exhaustive:
        cost_options([(i, o) for i, r in enumerate(relevant) for o in _options_exhaustive(r) if o])
    else:
        cost_options([(i, frozenset({c})) for i, r in enumerate(relevant) for c in r])
        wanted: list[tuple[int, Option]] = []
        for i, r in enumerate(relevant):
            singles = sorted(
                (c for c in r if frozenset({c}) in options[i]),
                key=lambda c: (options[i][frozenset({c})], order_key(c)),
            )[:TOP_SINGLES]
            extra: set[Option] = set()
            for u in used.get(i, []):
                u = u - pruned
                if len(u) <= SUBSETS_OF_USED_UP_TO:
                    extra.update(o for o in _options_exhaustive(ordered(u)) if len(o) > 1)
                else:
                    extra.add(u)
            for width in (2, 3):
                extra.update(frozenset(combo) for combo in itertools.combinations(singles, width))
            best_per_table: dict[str, IndexCandidate] = {}
            for c in singles:
                best_per_table.setdefault(c.table.key, c)
            extra.add(frozenset(best_per_table.values()))
            if start is not None:
                extra.add(cost.relevant(statements[i], start.indexes) - pruned)
            # Siblings cannot both be built (hygiene): their merge is an option of its own.
            for a, b in itertools.combinations(singles, 2):
                if are_siblings(candidate_shape(a), candidate_shape(b)):
                    m = merged(a, b, include_columns=cost.traits.features.include_columns)
                    if m is not None and m not in (a, b):
                        extra.add(frozenset({m}))
            wanted.extend(
                (i, o)
                for o in sorted(extra, key=lambda o: (len(o), [order_key(c) for c in ordered(o)]))
                if len(o) > 1
            )
        cost_options(wanted)

    chosen, proven = _solve(cost, statements, options, budget, allowance, limit, start)
    complete = exhaustive and limit.hit is None
    kept = [c for c in pool if c not in pruned]
    alone = alone_deltas(state, kept, SearchLimit())
    state.apply(Move(add=tuple(ordered(chosen))))
    useful = [c for c in kept if alone[c][0] < 0]
    floor = benefit_floor(state, budget)
    marginal = finish(state, useful, budget, allowance, limit, floor)
    polished = state.config != chosen
    chosen = state.config
    final = cost.workload_cost(chosen)
    if progress is not None:
        progress(total_work, total_work, final)
    rejected = rejections(state, pool, alone, marginal, pruned, allowance, budget, floor, limit.not_reached())
    return Selection(
        algorithm="exact",
        indexes=tuple(ordered(chosen)),
        base_cost=base_cost,
        cost=final,
        size_bytes=sum(cost.size(c) for c in chosen),
        optimal=proven and complete and not polished,
        seconds=limit.elapsed,
        planner_calls=cost.calls - calls,
        rejected=rejected,
        stopped_early=limit.hit is not None,
        stopped_by=stop_reason(rejected, limit.hit),
        net_bytes=cost.net_bytes(chosen),
        work_limit=work_limit,
    )


def _solve(
    cost: WhatIfCost,
    statements: Sequence[Statement],
    options: Sequence[dict[Option, float]],
    budget: Budget,
    allowance: dict[str, int],
    limit: SearchLimit,
    start: Selection | None,
) -> tuple[frozenset[IndexCandidate], bool]:
    """Build and solve the program; returns the chosen candidates and whether HiGHS proved them
    optimal for it."""
    # Drop options no better than a subset of them (the empty option is always there).
    kept: list[list[tuple[Option, float]]] = []
    for table_of_options in options:
        by_size = sorted(
            table_of_options.items(),
            key=lambda item: (len(item[0]), item[1], [order_key(c) for c in ordered(item[0])]),
        )
        mine: list[tuple[Option, float]] = []
        for o, value in by_size:
            if not any(p <= o and v <= value for p, v in mine):
                mine.append((o, value))
        kept.append(mine)
    variables = ordered({c for statement_options in kept for o, _ in statement_options for c in o})
    if not variables:
        return frozenset(), True
    column = {c: n for n, c in enumerate(variables)}

    with _quiet_stdout():
        h = highspy.Highs()  # type: ignore[no-untyped-call]
    h.setOptionValue("output_flag", False)
    h.setOptionValue("mip_rel_gap", 1e-9)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    # A deterministic limit decides where the solve stops (branch-and-bound nodes); the wall clock is
    # set only as the safety net, and reported when it stops the solve.
    h.setOptionValue("mip_max_nodes", MIP_MAX_NODES)
    if math.isfinite(limit.remaining):
        h.setOptionValue("time_limit", max(limit.remaining, 0.01))
    inf = highspy.kHighsInf
    empty_i = np.array([], dtype=np.int32)
    empty_v = np.array([], dtype=np.float64)

    def add_binary(objective: float) -> int:
        h.addCol(objective, 0.0, 1.0, 0, empty_i, empty_v)
        return int(h.getNumCol()) - 1

    def add_row(lower: float, upper: float, entries: Sequence[tuple[int, float]]) -> None:
        idx = np.array([e[0] for e in entries], dtype=np.int32)
        val = np.array([e[1] for e in entries], dtype=np.float64)
        h.addRow(lower, upper, len(entries), idx, val)

    for c in variables:
        add_binary(cost.maintenance(c))
    choice: list[list[tuple[int, Option]]] = []
    for statement_options in kept:
        cols = []
        for o, value in statement_options:
            y = add_binary(value)
            cols.append((y, o))
            for c in ordered(o):  # rows in a stable order: HiGHS's pick among ties depends on it
                add_row(-inf, 0.0, [(y, 1.0), (column[c], -1.0)])
        add_row(1.0, 1.0, [(y, 1.0) for y, _ in cols])
        choice.append(cols)
    # Hygiene: two siblings are never both built (their merge is a candidate of its own).
    shapes = {c: candidate_shape(c) for c in variables}
    by_table: dict[str, list[IndexCandidate]] = {}
    for c in variables:
        by_table.setdefault(c.table.key, []).append(c)
    for group in by_table.values():
        for a, b in itertools.combinations(group, 2):
            if are_siblings(shapes[a], shapes[b]):
                add_row(-inf, 1.0, [(column[a], 1.0), (column[b], 1.0)])
    # Existing indexes a chosen one replaces: r_E <= sum of x_c over the candidates that dominate E;
    # r_E frees E's bytes, its write cost and its slot in the table's write allowance.
    replaced: dict[tuple[str, str], tuple[Table, Index, list[int]]] = {}
    for c in variables:
        table = cost.catalog.table(c.table)
        for index in cost.replaces(c):
            if table is not None:
                key = (c.table.key, index.name.key)
                replaced.setdefault(key, (table, index, []))[2].append(column[c])
    r_column: dict[tuple[str, str], int] = {}
    for key, (table, index, dominators) in sorted(replaced.items()):
        r = add_binary(-cost.existing_maintenance(table, index))
        r_column[key] = r
        add_row(-inf, 0.0, [(r, 1.0), *((x, -1.0) for x in dominators)])
    if budget.storage_bytes is not None:
        add_row(
            -inf,
            budget.storage_bytes,
            [(column[c], cost.size(c)) for c in variables]
            + [(r_column[k], -cost.existing_size(t, i)) for k, (t, i, _) in sorted(replaced.items())],
        )
    for table_key, most in sorted(allowance.items()):
        on_table = [(column[c], 1.0) for c in variables if c.table.key == table_key]
        on_table += [(r_column[k], -1.0) for k in sorted(replaced) if k[0] == table_key]
        if len(on_table) > most:
            add_row(-inf, float(most), on_table)
    count = int(h.getNumCol())
    h.changeColsIntegrality(
        count, np.arange(count, dtype=np.int32), np.array([highspy.HighsVarType.kInteger] * count)
    )

    if start is not None:
        config = frozenset(start.indexes) & frozenset(variables)
        values = [1.0 if c in config else 0.0 for c in variables]
        picks = [0.0] * (count - len(variables))
        for cols, statement_options in zip(choice, kept, strict=True):
            fitting = [
                (value, y) for (y, o), (_, value) in zip(cols, statement_options, strict=True) if o <= config
            ]
            picks[min(fitting)[1] - len(variables)] = 1.0
        solution = highspy.HighsSolution()
        solution.col_value = values + picks
        h.setSolution(solution)

    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kTimeLimit and limit.hit is None:
        limit.hit = StopReason.TIME_LIMIT
    elif status == highspy.HighsModelStatus.kSolutionLimit and limit.hit is None:
        limit.hit = StopReason.WORK_LIMIT
    values = list(h.getSolution().col_value)
    if len(values) < len(variables) or h.getInfo().primal_solution_status != 2:
        return frozenset(start.indexes) if start is not None else frozenset(), False
    chosen = frozenset(c for c in variables if values[column[c]] > 0.5)
    return chosen, status == highspy.HighsModelStatus.kOptimal
