"""dbarchitect: a database architect as a tool — schemas, indexes, partitioning and migrations from
a design brief, each recommendation with its numbers and its reason.

The Python API is the command line's operations as functions with typed results::

    import dbarchitect

    design = dbarchitect.design("examples/shop/brief.yaml")
    advice = dbarchitect.recommend_indexes("examples/shop/brief.yaml", budget_bytes=1e9)
    print(dbarchitect.to_json(advice))          # what `dbarch indexes -f json` prints

Bad input raises :class:`DbarchError`, whose ``str()`` is one line naming the file or field and what
to do. Every operation, result type and field is described in ``docs/api.md``.

``import dbarchitect`` is cheap: each name below is imported on first use (module ``__getattr__``),
so the engines, sqlglot and the drivers load only when an operation needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from dbarchitect._version import __version__

# The public API: exported name -> (module, name there). To add an operation (or a result type), add
# its line here, its import under TYPE_CHECKING and its name in __all__ below, and its section in
# docs/api.md: tests/test_package_api.py fails naming whichever of the four is missing.
_EXPORTS: dict[str, tuple[str, str]] = {
    # operations
    "inspect_brief": ("dbarchitect.api", "inspect_brief"),
    "design": ("dbarchitect.api", "design"),
    "recommend_indexes": ("dbarchitect.api", "recommend_indexes"),
    "plan_migration": ("dbarchitect.api", "plan_schema_migration"),
    "rehearse_migration": ("dbarchitect.api", "rehearse_schema_migration"),
    "lint_migration": ("dbarchitect.api", "lint_migration"),
    "lint_migration_sql": ("dbarchitect.api", "lint_migration_sql"),
    "lint_migrations": ("dbarchitect.api", "lint_migrations"),
    "migration_files": ("dbarchitect.api", "migration_files"),
    "check_brief": ("dbarchitect.api", "check_brief"),
    "verify_brief": ("dbarchitect.api", "verify_brief"),
    "calibrate_engine": ("dbarchitect.api", "calibrate_engine"),
    "advise_partitioning": ("dbarchitect.api", "advise_partitioning"),
    "advise_sharding": ("dbarchitect.api", "advise_sharding"),
    "plan_operations": ("dbarchitect.api", "plan_operations"),
    "drill_brief": ("dbarchitect.api", "drill_brief"),
    # the names api.py gives them (kept working)
    "plan_schema_migration": ("dbarchitect.api", "plan_schema_migration"),
    "rehearse_schema_migration": ("dbarchitect.api", "rehearse_schema_migration"),
    # the brief, errors, JSON
    "load_brief": ("dbarchitect.brief", "load_brief"),
    "Brief": ("dbarchitect.brief", "Brief"),
    "DbarchError": ("dbarchitect.errors", "DbarchError"),
    "Diagnostic": ("dbarchitect.errors", "Diagnostic"),
    "to_dict": ("dbarchitect.report.export", "to_dict"),
    "to_json": ("dbarchitect.report.export", "to_json"),
    # result types
    "Inspection": ("dbarchitect.results", "Inspection"),
    "Design": ("dbarchitect.results", "Design"),
    "EngineSchema": ("dbarchitect.results", "EngineSchema"),
    "IndexAdvice": ("dbarchitect.advisors.indexes.advisor", "IndexAdvice"),
    "RecommendedIndex": ("dbarchitect.advisors.indexes.advisor", "RecommendedIndex"),
    "StatementEffect": ("dbarchitect.advisors.indexes.advisor", "StatementEffect"),
    "Algorithm": ("dbarchitect.advisors.indexes.advisor", "Algorithm"),
    "MigrationPlan": ("dbarchitect.advisors.migrations.plan", "MigrationPlan"),
    "Step": ("dbarchitect.advisors.migrations.plan", "Step"),
    "Phase": ("dbarchitect.advisors.migrations.plan", "Phase"),
    "Rehearsal": ("dbarchitect.verify.rehearse", "Rehearsal"),
    "StepResult": ("dbarchitect.verify.rehearse", "StepResult"),
    "LintResult": ("dbarchitect.guardrails.runner", "LintResult"),
    "Finding": ("dbarchitect.guardrails.rule", "Finding"),
    "Level": ("dbarchitect.guardrails.rule", "Level"),
    "DesignVerdict": ("dbarchitect.guardrails.design.runner", "DesignVerdict"),
    "DesignFinding": ("dbarchitect.guardrails.design.rule", "DesignFinding"),
    "Verification": ("dbarchitect.verify.replay", "Verification"),
    "StatementResult": ("dbarchitect.verify.replay", "StatementResult"),
    "Calibration": ("dbarchitect.verify.calibration", "Calibration"),
    "PartitioningResult": ("dbarchitect.results", "PartitioningResult"),
    "PartitionAdvice": ("dbarchitect.advisors.partitioning.model", "PartitionAdvice"),
    "PruningMeasurement": ("dbarchitect.verify.partitioning", "PruningMeasurement"),
    "ShardingAdvice": ("dbarchitect.advisors.sharding.advisor", "ShardingAdvice"),
    "OperationsPlan": ("dbarchitect.advisors.operations.plan", "OperationsPlan"),
    "DrillResult": ("dbarchitect.verify.drill.model", "DrillResult"),
}

if TYPE_CHECKING:  # what type checkers see; at run time __getattr__ imports these on first use
    from dbarchitect.advisors.indexes.advisor import Algorithm as Algorithm
    from dbarchitect.advisors.indexes.advisor import IndexAdvice as IndexAdvice
    from dbarchitect.advisors.indexes.advisor import RecommendedIndex as RecommendedIndex
    from dbarchitect.advisors.indexes.advisor import StatementEffect as StatementEffect
    from dbarchitect.advisors.migrations.plan import MigrationPlan as MigrationPlan
    from dbarchitect.advisors.migrations.plan import Phase as Phase
    from dbarchitect.advisors.migrations.plan import Step as Step
    from dbarchitect.advisors.operations.plan import OperationsPlan as OperationsPlan
    from dbarchitect.advisors.partitioning.model import PartitionAdvice as PartitionAdvice
    from dbarchitect.advisors.sharding.advisor import ShardingAdvice as ShardingAdvice
    from dbarchitect.api import advise_partitioning as advise_partitioning
    from dbarchitect.api import advise_sharding as advise_sharding
    from dbarchitect.api import calibrate_engine as calibrate_engine
    from dbarchitect.api import check_brief as check_brief
    from dbarchitect.api import design as design
    from dbarchitect.api import drill_brief as drill_brief
    from dbarchitect.api import inspect_brief as inspect_brief
    from dbarchitect.api import lint_migration as lint_migration
    from dbarchitect.api import lint_migration_sql as lint_migration_sql
    from dbarchitect.api import lint_migrations as lint_migrations
    from dbarchitect.api import migration_files as migration_files
    from dbarchitect.api import plan_operations as plan_operations
    from dbarchitect.api import plan_schema_migration as plan_migration
    from dbarchitect.api import plan_schema_migration as plan_schema_migration
    from dbarchitect.api import recommend_indexes as recommend_indexes
    from dbarchitect.api import rehearse_schema_migration as rehearse_migration
    from dbarchitect.api import rehearse_schema_migration as rehearse_schema_migration
    from dbarchitect.api import verify_brief as verify_brief
    from dbarchitect.brief import Brief as Brief
    from dbarchitect.brief import load_brief as load_brief
    from dbarchitect.errors import DbarchError as DbarchError
    from dbarchitect.errors import Diagnostic as Diagnostic
    from dbarchitect.guardrails.design.rule import DesignFinding as DesignFinding
    from dbarchitect.guardrails.design.runner import DesignVerdict as DesignVerdict
    from dbarchitect.guardrails.rule import Finding as Finding
    from dbarchitect.guardrails.rule import Level as Level
    from dbarchitect.guardrails.runner import LintResult as LintResult
    from dbarchitect.report.export import to_dict as to_dict
    from dbarchitect.report.export import to_json as to_json
    from dbarchitect.results import Design as Design
    from dbarchitect.results import EngineSchema as EngineSchema
    from dbarchitect.results import Inspection as Inspection
    from dbarchitect.results import PartitioningResult as PartitioningResult
    from dbarchitect.verify.calibration import Calibration as Calibration
    from dbarchitect.verify.drill.model import DrillResult as DrillResult
    from dbarchitect.verify.partitioning import PruningMeasurement as PruningMeasurement
    from dbarchitect.verify.rehearse import Rehearsal as Rehearsal
    from dbarchitect.verify.rehearse import StepResult as StepResult
    from dbarchitect.verify.replay import StatementResult as StatementResult
    from dbarchitect.verify.replay import Verification as Verification

__all__ = [
    "Algorithm",
    "Brief",
    "Calibration",
    "DbarchError",
    "Design",
    "DesignFinding",
    "DesignVerdict",
    "Diagnostic",
    "DrillResult",
    "EngineSchema",
    "Finding",
    "IndexAdvice",
    "Inspection",
    "Level",
    "LintResult",
    "MigrationPlan",
    "OperationsPlan",
    "PartitionAdvice",
    "PartitioningResult",
    "Phase",
    "PruningMeasurement",
    "RecommendedIndex",
    "Rehearsal",
    "ShardingAdvice",
    "StatementEffect",
    "StatementResult",
    "Step",
    "StepResult",
    "Verification",
    "__version__",
    "advise_partitioning",
    "advise_sharding",
    "calibrate_engine",
    "check_brief",
    "design",
    "drill_brief",
    "inspect_brief",
    "lint_migration",
    "lint_migration_sql",
    "lint_migrations",
    "load_brief",
    "migration_files",
    "plan_migration",
    "plan_operations",
    "plan_schema_migration",
    "recommend_indexes",
    "rehearse_migration",
    "rehearse_schema_migration",
    "to_dict",
    "to_json",
    "verify_brief",
]


def __getattr__(name: str) -> object:
    """Import an exported name on first use (and keep it, so the next lookup is a plain attribute)."""
    try:
        module, attribute = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'dbarchitect' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
