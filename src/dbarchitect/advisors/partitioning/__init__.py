"""Single-node partitioning: per table whether it pays, the key and layout, the engine's rules, the
maintenance plan and the migration (see :mod:`.advisor`)."""

from dbarchitect.advisors.partitioning.advisor import recommend_partitioning
from dbarchitect.advisors.partitioning.model import (
    Binding,
    BoundStatement,
    Candidate,
    ConstraintChange,
    Layout,
    Maintenance,
    NoReason,
    PartitionAdvice,
    StatementPruning,
    TableDecision,
    Verdict,
    WorkloadPruning,
)

__all__ = [
    "Binding",
    "BoundStatement",
    "Candidate",
    "ConstraintChange",
    "Layout",
    "Maintenance",
    "NoReason",
    "PartitionAdvice",
    "StatementPruning",
    "TableDecision",
    "Verdict",
    "WorkloadPruning",
    "recommend_partitioning",
]
