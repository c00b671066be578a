"""The migration planner: compare two catalogs (diff.py), plan safe steps per engine (plan.py: the
planner; steps.py: the plan's types; losses.py: what loses data; lowering.py, lower_columns.py,
lower_constraints.py, lowerer.py: operations to steps; repartition.py, backfill.py: the recipes),
render them as SQL per phase, Markdown, JSON or an Alembic revision (render.py)."""

from dbarchitect.advisors.migrations.diff import RenameHint, compare, likely_renames
from dbarchitect.advisors.migrations.plan import (
    DataLossError,
    MigrationPlan,
    Phase,
    Step,
    plan_migration,
)
from dbarchitect.advisors.migrations.render import (
    alembic_revision,
    plan_json,
    plan_markdown,
    plan_sql_by_phase,
)

__all__ = [
    "DataLossError",
    "MigrationPlan",
    "Phase",
    "RenameHint",
    "Step",
    "alembic_revision",
    "compare",
    "likely_renames",
    "plan_json",
    "plan_markdown",
    "plan_migration",
    "plan_sql_by_phase",
]
