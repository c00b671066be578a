"""What a selection algorithm is given and returns: the budget, and the chosen configuration with
its evidence. Algorithms live one per module (``greedy``, ``exact``) and share these types."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from dbarchitect.advisors.indexes.candidates import IndexCandidate


@dataclass(frozen=True)
class Budget:
    #: Most bytes the recommended indexes may take (``None``: no limit).
    storage_bytes: float | None = None
    #: Most secondary indexes maintained per row written to any one table, counting the ones that exist
    #: (the brief's ``write_amplification``; ``None``: no limit).
    write_amplification: float | None = None
    #: Seconds the search may take; the best configuration so far is returned when it runs out.
    time_limit_s: float | None = None


class Rejection(StrEnum):
    """Why a candidate is not recommended (tests assert these)."""

    NO_BENEFIT = "no_benefit"  # no statement's plan gets cheaper with it
    OVER_BUDGET = "over_budget"  # would help, but does not fit the storage budget
    WRITE_BUDGET = "write_budget"  # would push a table over the write-amplification budget
    WRITE_COST = "write_cost"  # its maintenance costs more than it saves
    DOMINATED = "dominated"  # another chosen index gives the same benefit
    TIME_LIMIT = "time_limit"  # the search stopped before it was considered


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

    @property
    def relative_cost(self) -> float:
        return self.cost / self.base_cost if self.base_cost else 1.0
