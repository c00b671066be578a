"""The design brief: what the user hands the architect, validated once by pydantic.

A brief names the target engine (and the engines to stay portable to), the schema (a DDL file,
inline entities, or a live database to introspect), the data size per table, the workload with its
rates and SLOs, the budgets and the guardrail levels. :func:`load_brief` reads YAML or JSON and turns
every problem into a one-line :class:`~dbarchitect.errors.BriefError` naming the file, line and field.

The package is split along the brief's sections: ``units`` (sizes, rates, durations), ``schema``
(engines, DDL, entities, a source database), ``sizes`` (tables: rows, growth, statistics),
``workload`` (statements, imports, transactions), ``operations`` (availability, backup, hardware,
connections), ``model`` (the :class:`Brief` with budgets and node
capacity) and ``loading`` (YAML/JSON with file and line in every error; the JSON Schema).
"""

from dbarchitect.brief.base import BriefModel
from dbarchitect.brief.loading import brief_json_schema, field_lines, load_brief, loads_brief, parse_brief
from dbarchitect.brief.model import Brief, BudgetSpec, GuardrailLevel, NodeSpec
from dbarchitect.brief.operations import (
    AvailabilitySpec,
    BackupSpec,
    ConnectionsSpec,
    DiskSpec,
    DiskType,
    HardwareSpec,
    MaintenanceWindow,
)
from dbarchitect.brief.schema import (
    Cardinality,
    ColumnSpec,
    DdlSource,
    DenormalizationSpec,
    EngineSpec,
    EntitySpec,
    ForeignKeySpec,
    IndexSpec,
    NamingSpec,
    RelationshipSpec,
    SchemaSpec,
    SourceDatabase,
    dependency_attributes,
)
from dbarchitect.brief.sizes import ColumnStatsSpec, Growth, TableSizeSpec
from dbarchitect.brief.units import (
    Days,
    Rate,
    Seconds,
    Size,
    format_size,
    parse_days,
    parse_rate,
    parse_seconds,
    parse_size,
)
from dbarchitect.brief.workload import (
    LogImport,
    PgStatStatementsImport,
    RepeatSpec,
    SloSpec,
    StatementSpec,
    TransactionParamSpec,
    TransactionSpec,
    TransactionStepSpec,
    WorkloadImportSpec,
    WorkloadSpec,
)

__all__ = [
    "AvailabilitySpec",
    "BackupSpec",
    "Brief",
    "BriefModel",
    "BudgetSpec",
    "Cardinality",
    "ColumnSpec",
    "ColumnStatsSpec",
    "ConnectionsSpec",
    "Days",
    "DdlSource",
    "DenormalizationSpec",
    "DiskSpec",
    "DiskType",
    "EngineSpec",
    "EntitySpec",
    "ForeignKeySpec",
    "Growth",
    "GuardrailLevel",
    "HardwareSpec",
    "IndexSpec",
    "LogImport",
    "MaintenanceWindow",
    "NamingSpec",
    "NodeSpec",
    "PgStatStatementsImport",
    "Rate",
    "RelationshipSpec",
    "RepeatSpec",
    "SchemaSpec",
    "Seconds",
    "Size",
    "SloSpec",
    "SourceDatabase",
    "StatementSpec",
    "TableSizeSpec",
    "TransactionParamSpec",
    "TransactionSpec",
    "TransactionStepSpec",
    "WorkloadImportSpec",
    "WorkloadSpec",
    "brief_json_schema",
    "dependency_attributes",
    "field_lines",
    "format_size",
    "load_brief",
    "loads_brief",
    "parse_brief",
    "parse_days",
    "parse_rate",
    "parse_seconds",
    "parse_size",
]
