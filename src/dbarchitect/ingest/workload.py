"""Workload statements -> the workload model (being written)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dbarchitect.model.catalog import Catalog
from dbarchitect.model.names import EngineName
from dbarchitect.model.workload import Slo, Workload


@dataclass(frozen=True)
class StatementInput:
    """One statement as the user gave it, before analysis."""

    name: str
    sql: str
    #: Executions per second.
    rate: float
    slo: Slo | None = None
    #: Where it came from (brief field, log file line, pg_stat_statements row), for messages.
    origin: str | None = None
    #: The SQL dialect it is written in, when not the target engine's (a log's dialect).
    dialect: EngineName | None = None


def build_workload(items: Sequence[StatementInput], catalog: Catalog, engine: EngineName) -> Workload:
    raise NotImplementedError
