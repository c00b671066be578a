"""The one package that chains the stages: brief -> catalog and workload -> analysis -> schemas.

Every operation is a function returning a typed result; the CLI and the MCP server are thin shells
over these. Nothing here writes to a user's database: reading a ``source`` database is read-only,
and the only database ever written is SQLite in memory, to prove the rendered schema runs (and the
scratch databases the operations named for it are given: rehearse, verify, calibrate, drill).

Every name is importable from ``dbarchitect.api``; the modules hold the operations by stage:
:mod:`.inspection` (the brief analyzed), :mod:`.indexing` (index advice), :mod:`.levers` (summary
tables and rewrites), :mod:`.designing` (the design and its verdict), :mod:`.placement`
(partitioning, sharding), :mod:`.operations` (operations design, drill), :mod:`.migrating`
(migration plans, rehearsal), :mod:`.linting` (migration lint), :mod:`.verifying` (verify,
calibrate), :mod:`.progress` (the stages reported while working).
"""

from __future__ import annotations

from dbarchitect.api.designing import check_brief as check_brief
from dbarchitect.api.designing import design as design
from dbarchitect.api.indexing import DESIGN_INDEX_TIME_LIMIT_S as DESIGN_INDEX_TIME_LIMIT_S
from dbarchitect.api.indexing import cost_backend as cost_backend
from dbarchitect.api.indexing import recommend_indexes as recommend_indexes
from dbarchitect.api.inspection import inspect_brief as inspect_brief
from dbarchitect.api.levers import _design_levers as _design_levers
from dbarchitect.api.linting import lint_migration as lint_migration
from dbarchitect.api.linting import lint_migration_sql as lint_migration_sql
from dbarchitect.api.linting import lint_migrations as lint_migrations
from dbarchitect.api.linting import migration_files as migration_files
from dbarchitect.api.migrating import check_against_data as check_against_data
from dbarchitect.api.migrating import load_schema_from as load_schema_from
from dbarchitect.api.migrating import plan_schema_migration as plan_schema_migration
from dbarchitect.api.migrating import rehearse_schema_migration as rehearse_schema_migration
from dbarchitect.api.operations import drill_brief as drill_brief
from dbarchitect.api.operations import plan_operations as plan_operations
from dbarchitect.api.placement import advise_partitioning as advise_partitioning
from dbarchitect.api.placement import advise_sharding as advise_sharding
from dbarchitect.api.progress import StageProgress as StageProgress
from dbarchitect.api.progress import _stage as _stage
from dbarchitect.api.verifying import SMALL_SCALE_DIVISOR as SMALL_SCALE_DIVISOR
from dbarchitect.api.verifying import calibrate_engine as calibrate_engine
from dbarchitect.api.verifying import verify_brief as verify_brief
from dbarchitect.guardrails.design.runner import DesignVerdict as DesignVerdict
from dbarchitect.results import Design as Design
from dbarchitect.results import EngineSchema as EngineSchema
from dbarchitect.results import Inspection as Inspection
from dbarchitect.results import PartitioningResult as PartitioningResult
