"""What a selection algorithm is given and returns: the budget, and the chosen configuration with
its evidence. Algorithms live one per module (``greedy``, ``exact``) and share these types."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.advisors.access_paths import table_indexes
from dbarchitect.advisors.indexes.candidates import CandidateInfo, IndexCandidate
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Workload

#: Progress of a long search, called as ``progress(done, total, best_cost)``: units of work done and
#: in total (``total`` may grow between calls; ``done == total`` on the last call) and the best
#: workload cost found so far, for a progress bar.
Progress = Callable[[int, int, float], None]

#: What a selection algorithm accepts as its candidate set.
Candidates = Sequence[IndexCandidate] | Sequence[CandidateInfo]


#: The default benefit floor: an index taking 1% of the data's bytes must save at least 0.1% of the
#: workload's cost (a 10 GB index on 100 GB of data, at least 1%). Below it an architect would not
#: spend the space and the writes, whatever the budget leaves.
DEFAULT_FLOOR_ELASTICITY = 0.1


@dataclass(frozen=True)
class Budget:
    #: Most bytes the recommended indexes may take (``None``: no limit).
    storage_bytes: float | None = None
    #: Most index entries maintained per row written to any one table the workload writes: every B-tree
    #: on it counts, the primary key, unique constraints and existing indexes included (the brief's
    #: ``write_amplification``; ``None``: no limit). See :func:`write_allowance`.
    write_amplification: float | None = None
    #: Planner calls the search may make (cache hits are free): the deterministic work budget that
    #: decides where a long search stops, so the same brief always gets the same advice. ``None``: the
    #: default scaled to the workload (:func:`default_work_limit`).
    work_limit: int | None = None
    #: Wall-clock seconds after which the search is stopped whatever it has done: a safety net only.
    #: When it stops the search the advice depends on the machine's speed and load, and says so
    #: (``StopReason.TIME_LIMIT``, ``IndexAdvice.reproducible``). ``None``: no safety net.
    time_limit_s: float | None = None
    #: The benefit floor, as an elasticity: an index taking 1% of the data's bytes must save at least
    #: ``floor_elasticity`` % of the workload's cost (``None``: no floor). The default budget's bound
    #: when no storage budget is given.
    floor_elasticity: float | None = None
    #: Bytes of the tables' data the floor is relative to (``None``: estimated from the catalog).
    data_bytes: float | None = None
    #: Where ``storage_bytes`` came from, for the report (``--budget``, ``budgets.index_storage``...).
    storage_source: str | None = None


class Rejection(StrEnum):
    """Why a candidate is not recommended (tests assert these)."""

    NO_BENEFIT = "no_benefit"  # no statement's plan gets cheaper with it
    OVER_BUDGET = "over_budget"  # would help, but does not fit the storage budget
    WRITE_BUDGET = "write_budget"  # would push a table over the write-amplification budget
    WRITE_COST = "write_cost"  # its maintenance costs more than it saves
    DOMINATED = "dominated"  # another chosen index gives the same benefit (or carries it)
    WORK_LIMIT = "work_limit"  # the search's work budget ran out before it was considered
    TIME_LIMIT = "time_limit"  # the wall-clock safety net stopped the search before it was considered
    CONSTRAINT_KEY = "constraint_key"  # its key is the primary key's or a unique key's; no index-only plan
    BELOW_FLOOR = "below_floor"  # it would help, but less per byte than the benefit floor


class StopReason(StrEnum):
    """What ended the search: the bound that kept the next index out."""

    STORAGE_BUDGET = "storage_budget"  # the next index that helps does not fit the storage budget
    WRITE_BUDGET = "write_budget"  # the next one is on a table with no write allowance left
    BENEFIT_FLOOR = "benefit_floor"  # the next one saves less per byte than the floor
    EXHAUSTED = "exhausted"  # no remaining candidate lowers the workload cost
    WORK_LIMIT = "work_limit"  # the work budget (planner calls) ended the search: reproducible
    TIME_LIMIT = "time_limit"  # the wall-clock safety net ended the search: not reproducible


#: Planner calls the search may make per (statement, candidate on one of its tables) pair: the
#: number of plans a search that costed every candidate alone on every statement it could touch
#: would need. Measured calls per pair of a complete greedy search (built-in model): 0.10 (tpcc) to
#: 0.67 (tpch) on the examples, 0.84 on bench/scale's 400-table brief (26,308 calls for 31,217
#: pairs); so the default never cuts a search that would finish, and bounds a runaway one by the
#: workload's size, not by the machine's speed.
WORK_PER_PAIR = 4
#: The least default work budget, whatever the workload's size.
MIN_WORK_LIMIT = 1_000


def workload_pairs(statement_tables: Sequence[frozenset[str]], candidates: Sequence[IndexCandidate]) -> int:
    """How many (statement, candidate) pairs the search can cost: for each statement (given by the
    keys of the tables whose indexes can change its cost), the candidates on those tables."""
    by_table: dict[str, int] = {}
    for c in candidates:
        by_table[c.table.key] = by_table.get(c.table.key, 0) + 1
    return sum(sum(by_table.get(t, 0) for t in tables) for tables in statement_tables)


def default_work_limit(
    statement_tables: Sequence[frozenset[str]], candidates: Sequence[IndexCandidate]
) -> int:
    """The default work budget: ``WORK_PER_PAIR`` planner calls per (statement, candidate) pair, at
    least ``MIN_WORK_LIMIT``."""
    return max(MIN_WORK_LIMIT, WORK_PER_PAIR * workload_pairs(statement_tables, candidates))


def stop_reason(
    rejected: Sequence[tuple[IndexCandidate, Rejection]], limit_hit: StopReason | None = None
) -> StopReason:
    """The bound that stopped the search: the work budget or the safety net when one of them did
    (``limit_hit``), else the bound the candidates left out were left out by."""
    reasons = {r for _, r in rejected}
    if limit_hit is not None:
        return limit_hit
    for reason, stop in (
        (Rejection.OVER_BUDGET, StopReason.STORAGE_BUDGET),
        (Rejection.WRITE_BUDGET, StopReason.WRITE_BUDGET),
        (Rejection.BELOW_FLOOR, StopReason.BENEFIT_FLOOR),
    ):
        if reason in reasons:
            return stop
    return StopReason.EXHAUSTED


@dataclass(frozen=True)
class Selection:
    """A chosen configuration and how it was found."""

    algorithm: str
    indexes: tuple[IndexCandidate, ...]
    #: Σ rate × cost over the workload with no new index, and with ``indexes`` (maintenance included).
    base_cost: float
    cost: float
    size_bytes: float
    #: ``True`` when proven optimal over the candidate set (exact mode), else ``False``.
    optimal: bool
    seconds: float
    #: Backend plan calls made for this selection (cache hits excluded).
    planner_calls: int
    rejected: tuple[tuple[IndexCandidate, Rejection], ...] = ()
    #: Set when the work budget or the wall-clock safety net stopped the search (the answer is the
    #: best found so far; ``stopped_by`` says which).
    stopped_early: bool = False
    #: The bound that ended the search.
    stopped_by: StopReason = StopReason.EXHAUSTED
    #: Bytes the selection adds net of the existing indexes it replaces (what the budget counts).
    net_bytes: float | None = None
    #: The work budget the search ran under (planner calls), the default's value when none was given.
    work_limit: int | None = None

    @property
    def relative_cost(self) -> float:
        return self.cost / self.base_cost if self.base_cost else 1.0


def candidate_list(candidates: Candidates) -> tuple[IndexCandidate, ...]:
    """The candidates as plain :class:`IndexCandidate`, duplicates dropped, first occurrence kept."""
    seen: dict[IndexCandidate, None] = {}
    for item in candidates:
        seen.setdefault(item.candidate if isinstance(item, CandidateInfo) else item, None)
    return tuple(seen)


def write_allowance(catalog: Catalog, workload: Workload, budget: Budget) -> dict[str, int]:
    """How many new indexes each table the workload writes may still get, by table key.

    Write amplification is counted as index entries maintained per written row: one per B-tree on
    the table — primary key, unique constraints and existing indexes included (each gets an entry on
    insert and delete). A table with ``k`` such B-trees may get ``floor(write_amplification) - k``
    more (never below zero). Tables the workload only reads are not limited, and are absent from
    the result; so is every table when the budget sets no limit.
    """
    if budget.write_amplification is None:
        return {}
    allowance: dict[str, int] = {}
    for statement in workload.statements:
        target = statement.write_target
        if target is None:
            continue
        table = catalog.table(target.table)
        existing = len(table_indexes(table)) if table is not None else 0
        allowance[target.table.key] = max(0, math.floor(budget.write_amplification) - existing)
    return allowance
