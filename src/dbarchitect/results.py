"""Typed results of the architect's operations, shared by the API (which builds them) and the
report renderers (which read them)."""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.advisors.access_paths import AccessPath
from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.levers.search import LeverAdvice
from dbarchitect.advisors.migrations import MigrationPlan
from dbarchitect.advisors.operations import OperationsPlan
from dbarchitect.advisors.partitioning import PartitionAdvice
from dbarchitect.advisors.schema.designer import SchemaDesign
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.brief import Brief, EngineSpec
from dbarchitect.engines.ddl import RenderNote
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.guardrails.design.runner import DesignVerdict
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Workload
from dbarchitect.verify.embedded import EmbeddedCheck
from dbarchitect.verify.partitioning import PruningMeasurement


@dataclass(frozen=True)
class Inspection:
    """What the tool understood from a brief (``dbarchitect.inspect_brief``, ``dbarch inspect``).

    Attributes:
        brief: The validated brief.
        catalog: The schema: tables, columns, keys, indexes, with the brief's statistics attached.
        workload: Every statement, parsed and resolved to its tables and columns, with its rate and SLO.
        traits: The target engine's facts (name, version, type names, identifier limits, locks).
        sizes: Per table: rows and bytes now and at the brief's horizon, and each index's size.
        paths: Per statement and table: the access path the engine would take with the existing
            indexes (index or full scan, the columns matched, estimated rows and where the
            estimate comes from).
        source: The brief's file name (``<brief>`` for a brief given as an object).
        schema_design: How the schema was designed from the brief's ``entities:`` (keys,
            relationships, normal forms, each decision with its reason); ``None`` for DDL or a
            live ``source:``.
    """

    brief: Brief
    catalog: Catalog
    workload: Workload
    traits: EngineTraits
    sizes: tuple[TableSize, ...]
    paths: tuple[AccessPath, ...]
    source: str
    schema_design: SchemaDesign | None = None


@dataclass(frozen=True)
class EngineSchema:
    """The schema rendered for one engine, with what could not be expressed there.

    Attributes:
        engine: The engine and version, as the brief names it (``str()`` gives ``postgresql 15``).
        traits: That engine's facts.
        sql: The DDL script: tables, constraints and indexes in dependency order, ``-- note:``
            lines first for what the engine cannot express.
        notes: What the engine could not express exactly, and what was rendered instead.
        is_target: ``True`` for the brief's ``engine``, ``False`` for a ``portable_to`` one.
    """

    engine: EngineSpec
    traits: EngineTraits
    sql: str
    notes: tuple[RenderNote, ...]
    is_target: bool


@dataclass(frozen=True)
class PartitioningResult:
    """The partitioning advice for the brief's target engine and, per scratch database named for it,
    the pruning measured by EXPLAIN on the real planner.

    Attributes:
        advice: Per table the decision with its reasons and numbers, the designed catalog, the
            maintenance plan, the migration; per statement the partitions it touches (the model).
        measurements: Per engine URL given, every statement EXPLAINed against the partitioned design.
    """

    advice: PartitionAdvice
    measurements: tuple[PruningMeasurement, ...] = ()


@dataclass(frozen=True)
class Design:
    """The design of a brief (``dbarchitect.design``, ``dbarch design``).

    Attributes:
        inspection: What the tool understood from the brief (the catalog before the advised indexes).
        schemas: The schema rendered for the target engine, then each ``portable_to`` engine.
        embedded_check: The SQLite schema executed and every statement compiled on embedded SQLite
            (when SQLite is one of the brief's engines, else ``None``).
        index_advice: The indexes chosen for the workload (already part of ``schemas``), or
            ``None`` when no advice could be given (``notes`` says why).
        notes: What was not done, and why.
        verdict: The guardrail verdict of the design (what ``dbarch check`` reports, portability
            proven on SQLite only).
        migration: The plan from the live schema to the design when the brief's schema is a
            ``source:`` database (its steps build the advised indexes online), else ``None``.
        partitioning: The partitioning advice (built-in model); its partitioned tables are part of
            ``schemas``. ``None`` when it could not be given (``notes`` says why).
        operations: The operations design (topology, backups, capacity, configuration files,
            runbooks) on the target engine; ``None`` when the engine has none (``notes`` says why).
        levers: The summary tables and query rewrites searched with the indexes (each proposed or
            rejected with its reason, the ones the design uses, each statement before and after, and
            the bound for a statement no lever brings within its SLO); ``None`` when not searched.
    """

    inspection: Inspection
    schemas: tuple[EngineSchema, ...]
    embedded_check: EmbeddedCheck | None
    index_advice: IndexAdvice | None = None
    notes: tuple[str, ...] = ()
    verdict: DesignVerdict | None = None
    migration: MigrationPlan | None = None
    partitioning: PartitioningResult | None = None
    operations: OperationsPlan | None = None
    levers: LeverAdvice | None = None
