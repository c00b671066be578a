"""Typed results of the architect's operations, shared by the API (which builds them) and the
report renderers (which read them)."""

from __future__ import annotations

from dataclasses import dataclass

from dbarchitect.advisors.access_paths import AccessPath
from dbarchitect.advisors.indexes.advisor import IndexAdvice
from dbarchitect.advisors.schema.designer import SchemaDesign
from dbarchitect.advisors.sizing import TableSize
from dbarchitect.brief import Brief, EngineSpec
from dbarchitect.engines.ddl import RenderNote
from dbarchitect.engines.traits import EngineTraits
from dbarchitect.guardrails.design.runner import DesignVerdict
from dbarchitect.model.catalog import Catalog
from dbarchitect.model.workload import Workload
from dbarchitect.verify.embedded import EmbeddedCheck


@dataclass(frozen=True)
class Inspection:
    """What the tool understood from a brief."""

    brief: Brief
    catalog: Catalog
    workload: Workload
    traits: EngineTraits
    sizes: tuple[TableSize, ...]
    paths: tuple[AccessPath, ...]
    source: str
    #: How the schema was designed from the brief's entities (keys, relationships, normalization).
    schema_design: SchemaDesign | None = None


@dataclass(frozen=True)
class EngineSchema:
    """The schema rendered for one engine, with what could not be expressed there."""

    engine: EngineSpec
    traits: EngineTraits
    sql: str
    notes: tuple[RenderNote, ...]
    is_target: bool


@dataclass(frozen=True)
class Design:
    inspection: Inspection
    schemas: tuple[EngineSchema, ...]
    #: The schema and workload executed on embedded SQLite (when SQLite is one of the brief's engines).
    embedded_check: EmbeddedCheck | None
    #: The indexes chosen for the workload (already part of ``schemas``), when advice could be given.
    index_advice: IndexAdvice | None = None
    notes: tuple[str, ...] = ()
    #: The guardrail verdict of the design (what ``dbarch check`` reports; portability on SQLite only).
    verdict: DesignVerdict | None = None
