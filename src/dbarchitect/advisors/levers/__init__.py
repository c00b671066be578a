"""Every lever an architect pulls for a workload, searched together: indexes, summary tables, query
rewrites, denormalizations (and partitioning, decided by its own advisor), competing for one storage
budget and one write budget (:mod:`.search`)."""

from __future__ import annotations

from dbarchitect.advisors.levers.model import LeverSet

__all__ = ["LeverSet"]
