"""The MariaDB drill (a primary and a semi-synchronous replica): see :mod:`dbarchitect.verify.drill`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.errors import Diagnostic
from dbarchitect.verify.drill.model import DrillOptions, RunOutput
from dbarchitect.verify.drill.processes import DrillError
from dbarchitect.verify.drill.workload import DrillWorkload


def run_drill(
    plan: OperationsPlan,
    work: DrillWorkload,
    root: Path,
    options: DrillOptions,
    *,
    full_bytes: float,
    progress: Callable[[str], None],
) -> RunOutput:
    raise DrillError(Diagnostic("the MariaDB drill is not available yet"))
