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
    #: Seconds the search may take; the best configuration so far is returned when it runs out.
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
    TIME_LIMIT = "time_limit"  # the search stopped before it was considered
    CONSTRAINT_KEY = "constraint_key"  # its key is the primary key's or a unique key's; no index-only plan
    BELOW_FLOOR = "below_floor"  # it would help, but less per byte than the benefit floor


class StopReason(StrEnum):
    """What ended the search: the bound that kept the next index out."""

    STORAGE_BUDGET = "storage_budget"  # the next index that helps does not fit the storage budget
    WRITE_BUDGET = "write_budget"  # the next one is on a table with no write allowance left
    BENEFIT_FLOOR = "benefit_floor"  # the next one saves less per byte than the floor
    EXHAUSTED = "exhausted"  # no remaining candidate lowers the workload cost
    TIME_LIMIT = "time_limit"  # the time limit ended the search


def stop_reason(rejected: Sequence[tuple[IndexCandidate, Rejection]], time_limit_hit: bool) -> StopReason:
    """The bound that stopped the search, from why the candidates left out were left out."""
    reasons = {r for _, r in rejected}
    if time_limit_hit:
        return StopReason.TIME_LIMIT
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
    #: Set when the time limit stopped the search (the answer is the best found so far).
    stopped_early: bool = False
    #: The bound that ended the search.
    stopped_by: StopReason = StopReason.EXHAUSTED
    #: Bytes the selection adds net of the existing indexes it replaces (what the budget counts).
    net_bytes: float | None = None

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
